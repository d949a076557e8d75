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
"""

from __future__ import annotations

import copy
import json
import os
import shlex
import subprocess
import textwrap
import typing as t
import urllib.request
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
VENV_BIN = REPO / ".venv" / "bin"
COLLECTIONS = REPO / ".cache" / "collections"
ZABBIX_VERSIONS = [v for v in os.environ.get("ZABBIX_VERSIONS", "6.0 7.0").split() if v]


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines of a stack env file (``export`` and quotes allowed)."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):]
        key, _sep, value = line.partition("=")
        parts = shlex.split(value) if value else [""]
        values[key.strip()] = parts[0] if parts else ""
    return values


def env_or_skip(name: str, how: str) -> dict[str, str]:
    path = STACK_DIR / name
    if not path.is_file():
        pytest.skip(f"{path} is missing: start the service with `{how}`")
    return read_env_file(path)


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
        REPO=REPO, VENV_BIN=VENV_BIN, ZabbixAPI=ZabbixAPI, ansible_env=ansible_env, env_or_skip=env_or_skip, reset_zabbix=reset_zabbix
    )


def dedent(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"
