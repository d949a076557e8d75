# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults injected mid-run between the sync and the real Zabbix 7.0 (and NetBox).

A private Zabbix 7.0 (own database copy and ``php -S``: `fault_proxy.PrivateZabbix`) sits
behind `fault_proxy.FaultProxy`, which disturbs chosen requests deterministically: HTTP
503, connection resets before the request is forwarded, answers lost *after* Zabbix
processed the request, replies slower than the client's timeout, and finally the php server
killed mid-run. After each run every host is read back (independently of the collection)
and compared with its desired state: a host is either fully applied, or untouched and
reported failed with a reason naming it; never half-applied. Attempts are counted through
the proxy, so retries are seen to back off and to stop at their bound. A rerun without
faults converges and changes exactly the hosts that failed.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import typing as t
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "tools"))
from fault_proxy import Fault, FaultProxy, LateFault, PrivateZabbix, Rule, ScriptedPlan, host_mismatches  # noqa: E402

STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
PREFIX = "relf-"
COUNT = 20

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (STACK_DIR / "zabbix-7.0.env").exists(), reason="no Zabbix 7.0 stack (stack/zabbix.sh up 7.0)"),
]


def desired_state(n: int, revision: int = 0) -> dict[str, t.Any]:
    name = f"{PREFIX}{n:02d}"
    return {
        "host": name,
        "name": f"{name} visible r{revision}",
        "description": f"revision {revision}",
        "host_groups": ["NB Core"] + (["NB Edge"] if revision % 2 else []),
        "templates": ["ICMP Ping"],
        "interfaces": [{"type": "agent", "ip": f"192.0.2.{n + 1}"}],
        "tags": [{"tag": "reliability", "value": str(revision)}, {"tag": "n", "value": str(n)}],
        "macros": [{"macro": "{$REL}", "value": f"r{revision}"}],
        "inventory_mode": "manual",
        "inventory": {"location": f"rack {n} r{revision}"},
        "status": "enabled",
    }


class Faults:
    """The private Zabbix, the proxy in front of it, and a runner for the batch action."""

    def __init__(self, private: PrivateZabbix, proxy: FaultProxy, api: t.Any, token: str, run_playbook: t.Any) -> None:
        self.private, self.proxy, self.api, self.token, self._run = private, proxy, api, token, run_playbook

    def plan(self, *rules: Rule) -> ScriptedPlan:
        plan = ScriptedPlan(*rules)
        self.proxy.server.fault_plan = plan
        self.proxy.plan = plan
        return plan

    def sync(self, states: dict[str, dict[str, t.Any]], timeout: float = 10.0, mode: str = "batch") -> dict[str, t.Any]:
        """Sync these desired states through the proxy; returns the task result (and ``_text``)."""
        inventory = {"all": {"hosts": {name: {"zabbix_host": state, "ansible_connection": "local"} for name, state in states.items()}}}
        connection = {"zabbix_url": self.proxy.url, "zabbix_token": self.token, "zabbix_timeout": timeout}
        if mode == "batch":
            task = {"netbox_zabbix.sync.zabbix_host_sync_batch": connection, "register": "sync", "run_once": True}
        else:
            task = {"netbox_zabbix.sync.zabbix_host_sync": "{{ zabbix_host | combine(conn) }}", "vars": {"conn": connection},
                    "register": "sync"}
        done = self._run([task], inventory=inventory, hosts="all", args=["-f", "1"], timeout=600)
        result = done.results.get("sync") or {}
        result["_text"] = done.stdout + done.stderr
        return result

    def read_back(self) -> dict[str, dict[str, t.Any]]:
        found = self.api.call("host.get", {
            "output": "extend", "search": {"host": PREFIX}, "startSearch": True,
            "selectInterfaces": "extend", "selectParentTemplates": ["templateid", "host", "name"], "selectTags": "extend",
            "selectMacros": "extend", "selectInventory": "extend", "selectHostGroups": ["groupid", "name"],
        })
        for host in found:
            host["groups"] = host.pop("hostgroups")
        return {host["host"]: host for host in found}

    def clean(self) -> None:
        self.plan()
        self.api.delete_hosts(PREFIX)


@pytest.fixture(scope="module")
def private_zabbix(stack: t.Any, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[PrivateZabbix]:
    stack.env_or_skip("zabbix-7.0.env", "stack/zabbix.sh up 7.0")
    with PrivateZabbix(STACK_DIR, "7.0", tmp_path_factory.mktemp("faults") / "zabbix", "relfaults") as private:
        yield private


@pytest.fixture
def faults(private_zabbix: PrivateZabbix, stack: t.Any, run_playbook: t.Any) -> t.Iterator[Faults]:
    token = private_zabbix.env["ZABBIX_TOKEN"]
    api = stack.ZabbixAPI({"ZABBIX_URL": private_zabbix.url, "ZABBIX_TOKEN": token, "ZABBIX_VERSION": "7.0"})
    with FaultProxy(private_zabbix.url) as proxy:
        f = Faults(private_zabbix, proxy, api, token, run_playbook)
        f.clean()
        yield f
        f.clean()


def states(revision: int = 0, count: int = COUNT) -> dict[str, dict[str, t.Any]]:
    return {f"{PREFIX}{n:02d}": desired_state(n, revision) for n in range(count)}


def assert_all_correct(f: Faults, wanted: dict[str, dict[str, t.Any]], except_hosts: t.Iterable[str] = ()) -> None:
    have = f.read_back()
    skip = set(except_hosts)
    wrong = {name: host_mismatches(state, have.get(name)) for name, state in wanted.items() if name not in skip}
    assert {name: fields for name, fields in wrong.items() if fields} == {}


def actions(result: dict[str, t.Any]) -> dict[str, str]:
    return {name: r["action"] for name, r in (result.get("results") or {}).items()}


def no_traceback(result: dict[str, t.Any]) -> None:
    assert "Traceback" not in result["_text"], result["_text"][-4000:]


# --------------------------------------------------------------------------------------
# reads: retried with backoff, bounded
# --------------------------------------------------------------------------------------
def test_transient_read_faults_are_retried_with_backoff(faults: Faults) -> None:
    plan = faults.plan(
        Rule(Fault(status=503), rpc="apiinfo.version", nth={1}),
        Rule(Fault(reset=True), rpc="host.get", nth={1}),
        Rule(Fault(status=502), rpc="host.get", nth={2}),
    )
    result = faults.sync(states())
    no_traceback(result)
    assert set(actions(result).values()) == {"created"}, result.get("msg")
    # three tries of the first read, then one read-back of the created names (duplicate check)
    assert plan.count("apiinfo.version") == 2 and plan.count("host.get") == 4
    gets = plan.times("host.get")
    gaps = [later - earlier for earlier, later in zip(gets, gets[1:])]
    assert gaps[0] >= 0.45 and gaps[1] >= 0.95 and gaps[1] > gaps[0] * 1.5, gaps  # 0.5 s, then 1 s: doubling
    assert_all_correct(faults, states())


def test_persistent_read_fault_stops_at_the_bound_with_a_clear_error(faults: Faults) -> None:
    plan = faults.plan(Rule(Fault(status=503), rpc="host.get"))
    result = faults.sync(states())
    no_traceback(result)
    assert result.get("failed") and "503" in result.get("msg", ""), result.get("msg")
    assert plan.count("host.get") == 3  # three attempts, then it gives up
    assert plan.count("host.create") == 0  # nothing written blind
    assert faults.read_back() == {}


def test_slow_replies_under_the_timeout_are_fine_over_it_are_retried(faults: Faults) -> None:
    plan = faults.plan(
        Rule(Fault(delay=1.0), rpc="host.get", nth={1}),  # slow but under the 2 s timeout
        Rule(Fault(delay=3.0), rpc="host.create", nth={1}),  # over it: the write is retried after a re-read
    )
    result = faults.sync(states(), timeout=2.0)
    no_traceback(result)
    # The delayed create was forwarded after 3 s, so it may have landed: either way every host
    # ends created exactly once and is reported created.
    assert set(actions(result).values()) == {"created"}, result
    assert plan.count("host.create") in (1, 2)
    assert_all_correct(faults, states())
    assert len(faults.read_back()) == COUNT
    # the delayed create reaches Zabbix 3 s after it arrived: let it end before the next test
    time.sleep(max(0.0, plan.times("host.create")[0] + 3.5 - time.monotonic()))


# --------------------------------------------------------------------------------------
# writes: never blind, never lost, never half-applied
# --------------------------------------------------------------------------------------
def test_write_refused_in_transit_is_retried_after_a_reread(faults: Faults) -> None:
    plan = faults.plan(Rule(Fault(status=503), rpc="host.create", nth={1}))
    result = faults.sync(states())
    no_traceback(result)
    assert set(actions(result).values()) == {"created"}
    assert (plan.count("host.create"), plan.count("host.get")) == (2, 3)  # read, re-read, read-back of the created names
    assert_all_correct(faults, states())


def test_answer_lost_after_the_write_landed_creates_nothing_twice(faults: Faults) -> None:
    plan = faults.plan(Rule(LateFault(), rpc="host.create", nth={1}))
    result = faults.sync(states())
    no_traceback(result)
    assert set(actions(result).values()) == {"created"}, result  # our write did land: reported as such
    assert plan.count("host.create") == 1  # the re-read saw the hosts: no second create
    assert_all_correct(faults, states())


def test_lost_update_answer_is_reported_updated_and_rerun_is_unchanged(faults: Faults) -> None:
    faults.sync(states(0))
    plan = faults.plan(Rule(LateFault(status=502), rpc="host.update", nth={1}))
    result = faults.sync(states(1))
    no_traceback(result)
    assert set(actions(result).values()) == {"updated"}, result
    assert plan.count("host.update") == 1
    assert_all_correct(faults, states(1))
    faults.plan()
    assert set(actions(faults.sync(states(1))).values()) == {"unchanged"}


FAULT_KINDS = {
    "http503": Fault(status=503),
    "reset": Fault(reset=True),
    "timeout": Fault(delay=2.5, reset=True),  # slower than the client waits, then never processed
}


@pytest.mark.parametrize("kind", list(FAULT_KINDS))
def test_one_host_failing_in_transit_fails_alone_and_rerun_converges(faults: Faults, kind: str) -> None:
    faults.sync(states(0))
    before = faults.read_back()
    victim = f"{PREFIX}07"
    victim_id = before[victim]["hostid"]
    error = json.dumps({"jsonrpc": "2.0", "error": {"code": -32602, "message": "Invalid params.", "data": "injected"}, "id": 1})
    plan = faults.plan(
        # the bulk update is refused (as Zabbix refuses a bulk call with one bad host): per-host fallback
        Rule(Fault(status=200, body=error.encode()), rpc="host.update", nth={1}),
        # ... and every single update of the victim dies in transit
        Rule(FAULT_KINDS[kind], rpc="host.update", body=f'"hostid": "{victim_id}"'),
    )
    result = faults.sync(states(1), timeout=1.5)
    no_traceback(result)
    got = actions(result)
    assert got[victim] == "failed" and {a for h, a in got.items() if h != victim} == {"updated"}, got
    message = result["results"][victim]["msg"]
    assert victim in message and "transient" in message, message
    # 1 refused bulk + (COUNT - 1) good singles + 3 victim singles (one per write round): bounded
    assert plan.count("host.update") == 1 + (COUNT - 1) + 3, plan.count("host.update")
    # the victim is untouched (its old state, whole), the others fully applied
    after = faults.read_back()
    assert host_mismatches(desired_state(7, 0), after[victim]) == []
    assert_all_correct(faults, states(1), except_hosts=[victim])

    faults.plan()
    rerun = faults.sync(states(1))
    assert [h for h, a in actions(rerun).items() if a != "unchanged"] == [victim]
    assert actions(rerun)[victim] == "updated"
    assert_all_correct(faults, states(1))


# --------------------------------------------------------------------------------------
# the Zabbix server killed mid-run
# --------------------------------------------------------------------------------------
def kill_mid_run(faults: Faults) -> tuple[dict[str, t.Any], dict[str, dict[str, t.Any]], ScriptedPlan]:
    """Half the hosts exist; the run creates the other half, then Zabbix dies on the update."""
    old = states(0, COUNT // 2)
    faults.sync(old)
    php = faults.private.php
    assert php is not None
    plan = faults.plan(Rule(Fault(), rpc="host.update", nth={1}, action=lambda request: php.kill()))
    try:
        result = faults.sync(states(1), timeout=5.0)
    finally:
        php.start()  # same port: the proxy reaches it again
    assert plan.injected, "the server was never killed"
    no_traceback(result)
    return result, old, plan


def test_zabbix_killed_mid_run_leaves_every_host_whole_and_rerun_converges(faults: Faults) -> None:
    result, old, _plan = kill_mid_run(faults)
    assert result.get("failed") or "failed" in actions(result).values()  # the run does not pretend success
    message = result.get("msg") or ""
    assert "Traceback" not in message
    have = faults.read_back()
    new_hosts = sorted(set(states(1)) - set(old))
    # every new host was created (one bulk call, before the kill) and is complete
    assert all(host_mismatches(states(1)[h], have.get(h)) == [] for h in new_hosts)
    # every old host is whole: its old state or its new one, never a mix
    for name in old:
        assert host_mismatches(old[name], have[name]) == [] or host_mismatches(states(1)[name], have[name]) == [], name

    faults.plan()
    rerun = faults.sync(states(1))
    assert set(actions(rerun)) == set(states(1))
    assert_all_correct(faults, states(1))


def test_zabbix_killed_mid_run_reports_created_hosts_and_fails_only_the_rest(faults: Faults) -> None:
    result, old, _plan = kill_mid_run(faults)
    new_hosts = sorted(set(states(1)) - set(old))
    created = sorted(h for h, a in actions(result).items() if a == "created")
    failed = sorted(h for h, a in actions(result).items() if a == "failed")
    assert created == new_hosts, f"created hosts must be reported created, got {actions(result)}: {result.get('msg')}"
    assert failed == sorted(old), actions(result)
    assert all(h in result["results"][h]["msg"] for h in failed)

    faults.plan()
    rerun = faults.sync(states(1))
    changed = sorted(h for h, a in actions(rerun).items() if a != "unchanged")
    assert changed == failed  # the rerun changes exactly the hosts that failed
    assert_all_correct(faults, states(1))


# --------------------------------------------------------------------------------------
# NetBox answering 503 to the inventory
# --------------------------------------------------------------------------------------
HOSTCONFIG_PATH = "/api/plugins/netbox_zabbix/host-config/"


def list_inventory_through(stack: t.Any, netbox_env: dict[str, str], plan: ScriptedPlan, tmp_path: Path,
                           sync: bool = False) -> tuple[str, int]:
    """ansible-inventory --list (or, with ``sync``, the sync playbook) on a NetBox behind the fault proxy."""
    import subprocess

    with FaultProxy(netbox_env["NETBOX_API"].rstrip("/").removesuffix("/api"), plan) as proxy:
        source = tmp_path / "faults.netbox_hostconfig.yml"
        source.write_text(json.dumps({"plugin": "netbox_zabbix.sync.hostconfig", "netbox_url": proxy.url,
                                      "netbox_token": netbox_env["NETBOX_TOKEN"], "filters": {"names": ["relf-nothing-*"]}}))
        command = ([str(stack.VENV_BIN / "ansible-playbook"), "-i", str(source), "playbooks/sync_hosts.yml"] if sync
                   else [str(stack.VENV_BIN / "ansible-inventory"), "-i", str(source), "--list"])
        done = subprocess.run(command, capture_output=True, check=False,
                              text=True, env=stack.ansible_env({"NETBOX_API": "", "NETBOX_TOKEN": ""}), cwd=REPO, timeout=600)
    return done.stdout + done.stderr, done.returncode


def test_netbox_down_fails_the_sync_clearly(stack: t.Any, netbox_env: dict[str, str], tmp_path: Path) -> None:
    """503 on every try: retried, bounded, and the sync run (default Ansible settings) fails saying why."""
    plan = ScriptedPlan(Rule(Fault(status=503), path=HOSTCONFIG_PATH))
    text, returncode = list_inventory_through(stack, netbox_env, plan, tmp_path, sync=True)
    assert returncode == 2, text[-3000:]
    failed = re.findall(r"Sync failed: the HostConfigs could not be read: (\S+faults\.netbox_hostconfig\.yml): (.*)", text)
    assert failed, text[-3000:]
    assert all("503" in why and "host-config" in why for _source, why in failed), failed
    assert "Traceback" not in text and netbox_env["NETBOX_TOKEN"] not in text
    assert 2 <= len(plan.injected) <= 5, len(plan.injected)  # retried, and bounded


def test_netbox_one_transient_error_is_retried(stack: t.Any, netbox_env: dict[str, str], tmp_path: Path) -> None:
    plan = ScriptedPlan(Rule(Fault(status=503), path=HOSTCONFIG_PATH, nth={1}))
    text, returncode = list_inventory_through(stack, netbox_env, plan, tmp_path)
    assert len(plan.injected) == 1
    assert returncode == 0 and "Failed to parse" not in text, text[-3000:]
