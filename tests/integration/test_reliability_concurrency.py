# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Concurrency and deletion safety on a private Zabbix 7.0 (own database copy and php -S).

* Two ansible-playbook processes sync the same hosts at the same moment (batch mode, with a
  host group that neither finds and both create): no duplicate host or group in the
  database, no failed host, every host correct, each created exactly once.
* Orphan deletion above ``max_deletions`` refuses as a whole and deletes nothing (read back
  from the database), in check mode too; at the cap it deletes exactly the orphans.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import typing as t
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "tools"))
from fault_proxy import Fault, FaultProxy, PrivateZabbix, Rule, ScriptedPlan, host_mismatches, proxy_names  # noqa: E402

STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
PREFIX = "relc-"
COUNT = 20
NEW_GROUP = "relc group created by the race"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (STACK_DIR / "zabbix-7.0.env").exists(), reason="no Zabbix 7.0 stack (stack/zabbix.sh up 7.0)"),
]


@pytest.fixture(scope="module")
def private(stack: t.Any, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[PrivateZabbix]:
    stack.env_or_skip("zabbix-7.0.env", "stack/zabbix.sh up 7.0")
    with PrivateZabbix(STACK_DIR, "7.0", tmp_path_factory.mktemp("concurrency") / "zabbix", "relconc") as zabbix:
        yield zabbix


def desired(n: int) -> dict[str, t.Any]:
    name = f"{PREFIX}{n:02d}"
    return {"host": name, "name": f"{name} visible", "host_groups": ["NB Core", NEW_GROUP], "templates": ["ICMP Ping"],
            "interfaces": [{"type": "agent", "ip": f"192.0.2.{n + 1}"}], "tags": [{"tag": "race", "value": str(n)}],
            "inventory_mode": "manual", "inventory": {"location": f"rack {n}"}}


def write_play(tmp: Path, private: PrivateZabbix, name: str, tasks: list[dict[str, t.Any]], hosts: dict[str, t.Any]) -> tuple[Path, Path]:
    out = tmp / f"{name}.json"
    tasks = tasks + [{"name": "save", "ansible.builtin.copy": {"dest": str(out), "content": "{{ result | to_json }}"},
                      "run_once": True, "delegate_to": "localhost", "no_log": True}]
    play = tmp / f"{name}.yml"
    play.write_text(yaml.safe_dump([{"hosts": "all", "gather_facts": False, "tasks": tasks}], sort_keys=False))
    inventory = tmp / f"{name}-inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": hosts, "vars": {
        "ansible_connection": "local", "ansible_python_interpreter": str(REPO / ".venv" / "bin" / "python")}}}))
    return play, inventory


def start(stack: t.Any, play: Path, inventory: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([str(stack.VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(play), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=stack.ansible_env(), cwd=REPO)


def connection(private: PrivateZabbix) -> dict[str, t.Any]:
    return {"zabbix_url": private.url, "zabbix_token": private.env["ZABBIX_TOKEN"], "zabbix_timeout": 60}


RACE: dict[str, t.Any] = {}  # what the race produced, for the tests that judge it


def test_two_syncs_at_once_both_end_correct(private: PrivateZabbix, stack: t.Any, tmp_path: Path) -> None:
    """Both runs read (nothing there), then their host.create calls are released together.

    The proxy holds each run's first host.create until the other's has arrived too (a
    barrier), so the race happens every time instead of by luck of timing."""
    api = stack.ZabbixAPI({"ZABBIX_URL": private.url, "ZABBIX_TOKEN": private.env["ZABBIX_TOKEN"], "ZABBIX_VERSION": "7.0"})
    api.delete_hosts(PREFIX)
    hosts = {f"{PREFIX}{n:02d}": {"zabbix_host": desired(n)} for n in range(COUNT)}
    barrier = threading.Barrier(2)
    plan = ScriptedPlan(Rule(Fault(), rpc="host.create", nth={1, 2}, action=lambda request: barrier.wait(timeout=120)))
    with FaultProxy(private.url, plan) as proxy:
        task = {"netbox_zabbix.sync.zabbix_host_sync_batch": {**connection(private), "zabbix_url": proxy.url,
                                                              "create_missing_host_groups": True},
                "register": "result", "run_once": True}
        plays = [write_play(tmp_path, private, f"race-{side}", [task], hosts) for side in ("a", "b")]
        processes = [start(stack, play, inventory) for play, inventory in plays]
        outputs = [process.communicate(timeout=600)[0] for process in processes]
    assert not barrier.broken and plan.count("host.create") >= 2, "the two creates did not meet"
    for output in outputs:
        assert "Traceback" not in output, output[-4000:]
    results = [json.loads((tmp_path / f"race-{side}.json").read_text()) for side in ("a", "b")]
    for result, output in zip(results, outputs):
        assert not result.get("failed"), (result.get("msg"), output[-3000:])
        failed = {h: r["msg"] for h, r in result["results"].items() if r["failed"]}
        assert failed == {}, failed
    RACE["created"] = sorted(h for result in results for h, r in result["results"].items() if r["action"] == "created")
    RACE["duplicates"] = private.psql(f"SELECT host, count(*) FROM hosts WHERE host LIKE '{PREFIX}%' GROUP BY host HAVING count(*) > 1")
    RACE["groups"] = private.psql(f"SELECT count(*) FROM hstgrp WHERE name = '{NEW_GROUP}'").strip()
    assert RACE["groups"] == "1", f"host group created {RACE['groups']} times"
    found = api.call("host.get", {
        "output": "extend", "search": {"host": PREFIX}, "startSearch": True, "selectInterfaces": "extend",
        "selectParentTemplates": ["templateid", "host", "name"], "selectTags": "extend", "selectMacros": "extend",
        "selectInventory": "extend", "selectHostGroups": ["groupid", "name"]})
    for host in found:
        host["groups"] = host.pop("hostgroups")
    assert {h["host"] for h in found} == set(hosts)
    proxies = proxy_names(api.call)
    wrong = {h["host"]: host_mismatches(hosts[h["host"]]["zabbix_host"], h, proxies) for h in found}  # every copy is correct
    assert {n: w for n, w in wrong.items() if w} == {}
    api.delete_hosts(PREFIX)


def test_two_syncs_at_once_create_no_duplicate_hosts() -> None:
    """Zabbix lets overlapping creates of one name both commit (seen: 20 of 20 hosts twice);
    each run reads its created names back and keeps only the lowest hostid."""
    assert "duplicates" in RACE, "needs test_two_syncs_at_once_both_end_correct"
    assert RACE["duplicates"].strip() == ""


def test_two_syncs_at_once_report_each_host_created_once() -> None:
    """A run whose create was refused (or whose copy was removed as a duplicate) re-reads the
    host and reports what it then had to do, not "created"."""
    assert "created" in RACE, "needs test_two_syncs_at_once_both_end_correct"
    assert len(RACE["created"]) == COUNT and len(set(RACE["created"])) == COUNT, RACE["created"]


# --------------------------------------------------------------------------------------
# deletion safety
# --------------------------------------------------------------------------------------
MARKER = "relo_managed"


def test_orphan_deletion_above_the_cap_refuses_and_deletes_nothing(private: PrivateZabbix, stack: t.Any, tmp_path: Path,
                                                                   run_playbook: t.Any) -> None:
    api = stack.ZabbixAPI({"ZABBIX_URL": private.url, "ZABBIX_TOKEN": private.env["ZABBIX_TOKEN"], "ZABBIX_VERSION": "7.0"})
    api.delete_hosts("relo-")
    group = api.call("hostgroup.get", {"output": ["groupid"], "filter": {"name": ["NB Core"]}})[0]["groupid"]
    orphans = [f"relo-orphan-{n}" for n in range(5)]
    api.call("host.create", [{"host": name, "groups": [{"groupid": group}], "tags": [{"tag": MARKER, "value": str(n)}]}
                             for n, name in enumerate(orphans)])
    kept = "relo-known"
    api.call("host.create", {"host": kept, "groups": [{"groupid": group}], "tags": [{"tag": MARKER, "value": "x"}]})

    def snapshot() -> str:
        return private.psql("SELECT hostid, host, status FROM hosts WHERE host LIKE 'relo-%' ORDER BY hostid")

    before = snapshot()
    inventory = {"all": {"hosts": {kept: {"zabbix_host": {"host": kept}, "netbox_hostconfig": {"id": 1, "hostid": None},
                                          "ansible_connection": "local"}}}}
    env = {"NETBOX_API": "", "NETBOX_TOKEN": ""}

    def orphan_task(policy: str, cap: int) -> dict[str, t.Any]:
        return {"netbox_zabbix.sync.zabbix_orphans": {**connection(private), "policy": policy, "max_deletions": cap,
                                                      "marker_tag": MARKER}, "register": "orphans", "run_once": True}

    for policy in ("delete", "disable"):
        refused = run_playbook([orphan_task(policy, 2)], inventory=inventory, hosts="all", env=env)
        result = refused.results["orphans"]
        assert result.get("failed"), result
        assert "max_deletions" in result.get("msg", "") and "Traceback" not in refused.stdout, result
        assert snapshot() == before, f"{policy} above the cap changed Zabbix"
        checked = run_playbook([orphan_task(policy, 5)], inventory=inventory, hosts="all", env=env, args=["--check"])
        assert not checked.results["orphans"].get("failed"), checked.results["orphans"]
        assert snapshot() == before, f"{policy} in check mode changed Zabbix"

    # the probe sees a real deletion: at the cap, exactly the orphans go
    deleted = run_playbook([orphan_task("delete", 5)], inventory=inventory, hosts="all", env=env)
    assert not deleted.results["orphans"].get("failed"), deleted.results["orphans"]
    left = [line.split("\t")[1] for line in snapshot().splitlines()]
    assert left == [kept]
    api.delete_hosts("relo-")
