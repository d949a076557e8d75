# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures for tests against the real local services (stack/stack.sh up).

* ``zabbix_env`` / ``zabbix``: parametrised over Zabbix 6.0 and 7.0 from
  ``$STACK_DIR/zabbix-<ver>.env``; a version whose env file is missing is skipped with a
  message saying how to start it.
* ``netbox_env``: ``$STACK_DIR/netbox.env`` or a skip.
* ``run_playbook``: ansible-playbook with this checkout's collection path; each task's
  registered result is returned as JSON.

Data ownership (so that ``make demo`` then ``make test`` works, and tests pass in any order):

* The session gets its own NetBox database: ``stack/netbox.sh park`` sets the running
  NetBox's data aside (a demo's or a benchmark's) and gives an empty one; ``unpark`` brings
  it back when the session ends (also after failures). ``NETBOX_ZABBIX_SYNC_KEEP_NETBOX=1``
  leaves NetBox as it is.
* Inside the session every module seeds NetBox under its own prefix (``stack/netbox.sh seed
  --prefix <own> ... --reset``) and removes it at teardown; a test reads only its own
  prefix (``owned_prefix`` gives a unique one; ``inventory_filters(prefix)`` the matching
  inventory ``filters``), never "everything in NetBox".
* Each module resets the Zabbix it uses (``zabbix`` fixture); ``stack_lock`` (autouse) keeps
  two modules from using the stack at the same time, and ``pytest -n`` (xdist) keeps a
  module on one worker (``--dist loadgroup``, one group per module).
* Modules run in any order (``-p random_order --random-order-bucket=global``); the tests inside
  an integration module keep their file order (they are steps of one scenario).

When the stack is required (``NETBOX_ZABBIX_SYNC_REQUIRE_STACK=1``, set by ``make test``), a
test that would skip because a service or a required package is missing fails instead.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
import typing as t
import urllib.request
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "stack"))
from envfile import read_env_file  # noqa: E402  pylint: disable=wrong-import-position
STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
VENV_BIN = REPO / ".venv" / "bin"
COLLECTIONS = REPO / ".cache" / "collections"
ZABBIX_VERSIONS = [v for v in os.environ.get("ZABBIX_VERSIONS", "6.0 7.0").split() if v]


REQUIRE_STACK = os.environ.get("NETBOX_ZABBIX_SYNC_REQUIRE_STACK") == "1"


def env_or_skip(name: str, how: str) -> dict[str, str]:
    """The env file of a service; a skip (a failure when the stack is required) without it."""
    path = STACK_DIR / name
    if not path.is_file():
        message = f"{path} is missing: start the service with `{how}`"
        if REQUIRE_STACK:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return read_env_file(path)


# -- session-wide ownership of the stack ---------------------------------------------------


def _netbox_stack(command: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO / "stack" / "netbox.sh"), command], capture_output=True, text=True, timeout=900,
                          check=False)


def _parks_netbox(config: pytest.Config) -> bool:
    """Only the controlling process parks (xdist workers share its NetBox)."""
    return (not hasattr(config, "workerinput") and (STACK_DIR / "netbox.env").is_file()
            and os.environ.get("NETBOX_ZABBIX_SYNC_KEEP_NETBOX") != "1" and not config.option.collectonly)


def pytest_configure(config: pytest.Config) -> None:
    config._netbox_parked = False  # type: ignore[attr-defined]  # pylint: disable=protected-access
    if _parks_netbox(config):
        import fcntl

        # one test session per stack at a time: a second one waits here instead of parking the first's database
        lock = open(STACK_DIR / "tests-session.lock", "w", encoding="utf-8")  # pylint: disable=consider-using-with
        fcntl.flock(lock, fcntl.LOCK_EX)
        config._netbox_session_lock = lock  # type: ignore[attr-defined]  # pylint: disable=protected-access
        done = _netbox_stack("park")
        if done.returncode != 0:
            raise pytest.UsageError(f"stack/netbox.sh park failed: {done.stderr[-2000:]}")
        config._netbox_parked = True  # type: ignore[attr-defined]  # pylint: disable=protected-access


def pytest_unconfigure(config: pytest.Config) -> None:
    if getattr(config, "_netbox_parked", False):
        done = _netbox_stack("unpark")
        if done.returncode != 0:
            print(f"stack/netbox.sh unpark failed; your NetBox data is in the database netbox_parked: {done.stderr}")
    lock = getattr(config, "_netbox_session_lock", None)
    if lock is not None:
        lock.close()  # releases the lock


_COLLECTED: dict[str, int] = {}


def _is_integration(item: pytest.Item) -> bool:
    return "tests/integration/" in str(item.path).replace(os.sep, "/")


def pytest_itemcollected(item: pytest.Item) -> None:
    _COLLECTED.setdefault(item.nodeid, len(_COLLECTED))  # collection order, before any reordering


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Random order (``-p random_order --random-order``, ``-p randomly``) shuffles modules, not the
    steps inside an integration module: each module's tests stay together and in file order, since
    its stack fixtures are module-scoped and its tests build on each other (check run, run, rerun).
    Under xdist (--dist loadgroup) a module stays on one worker."""
    first_seen: dict[t.Any, int] = {}
    for index, item in enumerate(items):
        first_seen.setdefault(item.path, index)
    position = {id(item): index for index, item in enumerate(items)}

    def within_module(item: pytest.Item) -> tuple[t.Any, ...]:
        if not _is_integration(item):
            return ((), position[id(item)])
        # one pass per value of a module-scoped parameter (a Zabbix version), each in file order
        callspec = getattr(item, "callspec", None)
        shared = []
        for name in sorted(callspec.params) if callspec else ():
            definitions = item._fixtureinfo.name2fixturedefs.get(name)  # pylint: disable=protected-access
            if definitions and definitions[-1].scope != "function":
                shared.append((name, callspec.indices.get(name, 0)))
        return (tuple(shared), _COLLECTED.get(item.nodeid, 0))

    items.sort(key=lambda item: (first_seen[item.path], *within_module(item)))
    for item in items:
        if _is_integration(item):
            item.add_marker(pytest.mark.xdist_group(item.path.stem))


@pytest.fixture(scope="module", autouse=True)
def stack_lock() -> t.Iterator[None]:
    """One module at a time on the stack (Zabbix resets, NetBox seeds), across xdist workers."""
    import fcntl

    STACK_DIR.mkdir(parents=True, exist_ok=True)
    with open(STACK_DIR / "tests.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> t.Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_STACK and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but make test requires every service: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> t.Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_STACK and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"{collector.nodeid} skipped, but make test requires every service: {reason}"


def pytest_terminal_summary(terminalreporter: t.Any) -> None:
    missing = [version for version in ("6.0", "7.0") if version not in ZABBIX_VERSIONS]
    if missing:
        terminalreporter.write_sep("!", f"Zabbix {', '.join(missing)} NOT COVERED (ZABBIX_VERSIONS={' '.join(ZABBIX_VERSIONS)})",
                                   red=True, bold=True)


@pytest.fixture
def owned_prefix(request: pytest.FixtureRequest) -> str:
    """A NetBox/Zabbix name prefix no other test uses (lower case, starts with ``it``)."""
    import re

    return "it" + re.sub(r"[^a-z0-9]", "", request.node.name.lower())[:20]


def inventory_filters(prefix: str) -> dict[str, t.Any]:
    """The hostconfig inventory ``filters`` that read only the hosts seeded under ``prefix``."""
    return {"names": [f"{prefix}-*"]}


class ZabbixAPI:
    """A tiny JSON-RPC client for reading Zabbix back in tests (independent of the collection)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.url = env["ZABBIX_URL"].rstrip("/") + "/api_jsonrpc.php"
        self.version = env.get("ZABBIX_VERSION", "")
        self.is7 = self.version.startswith("7")
        self.token = env["ZABBIX_TOKEN"]

    def call(self, method: str, params: t.Any) -> t.Any:
        body: dict[str, t.Any] = {"jsonrpc": "2.0", "method": method, "params": params, "id": 1}
        headers = {"Content-Type": "application/json-rpc"}
        if method != "apiinfo.version":
            if self.is7:
                headers["Authorization"] = f"Bearer {self.token}"
            else:
                body["auth"] = self.token
        request = urllib.request.Request(self.url, json.dumps(body).encode(), headers)
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def host(self, name: str) -> dict[str, t.Any] | None:
        """Everything about one host, groups under ``groups`` on both versions."""
        found = self.call(
            "host.get",
            {
                "output": "extend",
                "filter": {"host": [name]},
                "selectInterfaces": "extend",
                "selectParentTemplates": ["templateid", "host", "name"],
                "selectTags": "extend",
                "selectMacros": "extend",
                "selectInventory": "extend",
                "selectHostGroups" if self.is7 else "selectGroups": ["groupid", "name"],
            },
        )
        if not found:
            return None
        h = found[0]
        if self.is7:
            h["groups"] = h.pop("hostgroups")
        return h

    def hosts(self, names: list[str]) -> list[dict[str, t.Any]]:
        return self.call("host.get", {"output": ["hostid", "host"], "filter": {"host": names}})

    def group_names(self, name: str) -> list[str]:
        return sorted(g["name"] for g in self.host(name)["groups"])  # type: ignore[index]

    def delete_hosts(self, prefix: str) -> None:
        ids = [h["hostid"] for h in self.call("host.get", {"output": ["hostid"], "search": {"host": prefix}, "startSearch": True})]
        for start in range(0, len(ids), 500):
            self.call("host.delete", ids[start:start + 500])


@pytest.fixture(scope="session")
def collection_importable() -> None:
    """Make ``ansible_collections.netbox_zabbix.sync`` importable in-process (for timing the engine)."""
    import sys

    if str(COLLECTIONS) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS))
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader([str(COLLECTIONS)])


def reset_zabbix(version: str) -> None:
    """Pristine database for this version (tokens and fixtures survive), in under a second."""
    subprocess.run([str(REPO / "stack" / "zabbix.sh"), "reset", version], check=True, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module", params=ZABBIX_VERSIONS, ids=[f"zabbix{v.replace('.', '')}" for v in ZABBIX_VERSIONS])
def zabbix_env(request: pytest.FixtureRequest) -> dict[str, str]:
    version = request.param
    env = env_or_skip(f"zabbix-{version}.env", f"stack/zabbix.sh up {version}")
    env.setdefault("ZABBIX_VERSION", version)
    return env


@pytest.fixture(scope="module")
def zabbix(zabbix_env: dict[str, str]) -> ZabbixAPI:
    """The Zabbix of this parametrisation, reset to pristine once per test module."""
    reset_zabbix(zabbix_env["ZABBIX_VERSION"][:3])
    return ZabbixAPI(zabbix_env)


@pytest.fixture(scope="session")
def netbox_env() -> dict[str, str]:
    return env_or_skip("netbox.env", "stack/netbox.sh up")


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: t.Any) -> bool:
        return True


class PlaybookRun(t.NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    results: dict[str, t.Any]  # registered name -> result


def ansible_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
    }
    for key in ("ZABBIX_URL", "ZABBIX_TOKEN", "ZABBIX_USER", "ZABBIX_PASSWORD"):
        env.pop(key, None)
    env.update(extra or {})
    return env


@pytest.fixture
def run_playbook(tmp_path: Path) -> t.Callable[..., PlaybookRun]:
    """run_playbook(tasks, inventory=None, args=(), env=None, hosts='localhost').

    Each task with a ``register`` has its result saved; ``results[name]`` returns it."""

    def run(
        tasks: list[dict[str, t.Any]],
        inventory: dict[str, t.Any] | None = None,
        args: t.Sequence[str] = (),
        env: dict[str, str] | None = None,
        hosts: str = "localhost",
        timeout: int = 900,
    ) -> PlaybookRun:
        out = tmp_path / "registered.json"
        registered = [task["register"] for task in tasks if "register" in task]
        dump = {
            "name": "save registered results",
            "ansible.builtin.copy": {"dest": str(out), "content": "{{ {" + ", ".join(f"'{r}': {r} | default(None)" for r in registered) + "} | to_json }}"},
            "delegate_to": "localhost",
            "run_once": True,
            "check_mode": False,
            "diff": False,
            "no_log": True,
        }
        play = [{"hosts": hosts, "gather_facts": False, "tasks": [dict(task, ignore_errors=True) for task in tasks] + [dump]}]
        playbook = tmp_path / "play.yml"
        playbook.write_text(yaml.dump(play, Dumper=_NoAliasDumper, sort_keys=False))
        inventory = copy.deepcopy(inventory or {"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}})
        inventory["all"].setdefault("vars", {})["ansible_python_interpreter"] = str(VENV_BIN / "python")
        inventory_file = tmp_path / "inventory.yml"
        inventory_file.write_text(yaml.dump(inventory, Dumper=_NoAliasDumper))
        command = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory_file), str(playbook), *args]
        done = subprocess.run(command, capture_output=True, text=True, env=ansible_env(env), cwd=REPO, timeout=timeout, check=False)
        results = json.loads(out.read_text()) if out.exists() else {}
        return PlaybookRun(done.returncode, done.stdout, done.stderr, results)

    return run


@pytest.fixture(scope="session")
def stack() -> t.Any:
    """This module's helpers for test files (conftest is not importable under --import-mode=importlib)."""
    import types

    return types.SimpleNamespace(
        REPO=REPO, VENV_BIN=VENV_BIN, ZabbixAPI=ZabbixAPI, ansible_env=ansible_env, env_or_skip=env_or_skip, reset_zabbix=reset_zabbix,
        inventory_filters=inventory_filters, read_env_file=read_env_file, REQUIRE_STACK=REQUIRE_STACK,
    )


def dedent(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"
