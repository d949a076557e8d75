# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/sync_hosts.yml end to end on the real local NetBox 4.7 and Zabbix 6.0 and 7.0.

For each Zabbix version: reset Zabbix, seed NetBox (prefix ``itsync``: 24 hosts and 2 broken
HostConfigs), then, in order: a ``--check --diff`` run that writes nothing (Zabbix database
and NetBox API checksums before/after), the full run (created hosts, failures listed, hostids
written back, event log file and NetBox EventLog rows), a second run that changes nothing and
writes nothing, a ``--limit`` run, per-host mode, and orphans (report, the cap refusing,
deletion). Everything is checked through NetBox's and Zabbix's own APIs, read independently
here. Needs ``stack/stack.sh up``; skips otherwise.

The orphan step compares the run with every HostConfig in NetBox, so this module needs NetBox
to hold only its own seed: the test session has its own NetBox database (tests/integration/
conftest.py parks the user's data), every other module removes its seed at teardown, and
``stack_lock`` keeps other modules off the stack meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "tools"))
sys.path.insert(0, str(REPO / "stack"))
from envfile import read_env_file  # noqa: E402  pylint: disable=wrong-import-position
from netbox_rest import NetBoxREST  # noqa: E402

STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
NETBOX_ENV = STACK_DIR / "netbox.env"
VENV_BIN = REPO / ".venv" / "bin"
PREFIX = "itsync"
COUNT = 24
BROKEN = 2
PLUGIN_API = "plugins/netbox_zabbix"
VERSIONS = [v for v in os.environ.get("ZABBIX_VERSIONS", "6.0 7.0").split() if (STACK_DIR / f"zabbix-{v}.env").exists()]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not NETBOX_ENV.exists(), reason=f"no NetBox stack: {NETBOX_ENV} missing (stack/netbox.sh up)"),
    pytest.mark.skipif(not VERSIONS, reason="no Zabbix stack (stack/zabbix.sh up)"),
]


class NetBox(NetBoxREST):
    """NetBox REST for this module: the Setting, HostConfigs, interface rows, the event log."""

    def setting(self) -> dict:
        return self.all(f"{PLUGIN_API}/setting")[0]

    def hostconfigs(self) -> list[dict]:
        return self.all(f"{PLUGIN_API}/host-config")

    def interface_rows(self, hostconfig_ids: set[int]) -> list[dict]:
        return [row for kind in ("agent", "snmp") for row in self.all(f"{PLUGIN_API}/{kind}-interface")
                if row["host_config"] in hostconfig_ids]

    def event_log(self) -> list[dict]:
        return self.all(f"{PLUGIN_API}/event-log")

    def checksum(self) -> str:
        """Every HostConfig row (with last_updated), the Setting and the event log."""
        state = [self.hostconfigs(), self.setting(), [row["id"] for row in self.event_log()]]
        return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


class Zabbix:
    """JSON-RPC with requests, independent of the collection's client."""

    def __init__(self, env: dict[str, str]) -> None:
        import requests

        self.env = env
        self.url = env["ZABBIX_URL"].rstrip("/") + "/api_jsonrpc.php"
        self.session = requests.Session()

    def call(self, method: str, params: t.Any) -> t.Any:
        body = {"jsonrpc": "2.0", "method": method, "params": params, "id": 1, "auth": self.env["ZABBIX_TOKEN"]}
        answer = self.session.post(self.url, json=body, timeout=120).json()
        assert "error" not in answer, answer
        return answer["result"]

    def hosts(self, **params: t.Any) -> list[dict]:
        return self.call("host.get", {"output": ["hostid", "host", "name", "status"], "selectTags": "extend", **params})

    def checksum(self, version: str) -> str:
        """md5 of the host-related tables, straight from PostgreSQL."""
        tables = ["hosts", "interface", "interface_snmp", "host_tag", "hosts_groups", "hosts_templates",
                  "host_inventory", "hostmacro", "hstgrp"]
        sql = " || ".join(
            f"(SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM {table} t)" for table in tables
        )
        env = {**os.environ, **self.env}
        result = subprocess.run([str(REPO / "stack" / "zabbix.sh"), "psql", version, "-At", "-c", f"SELECT md5({sql})"],
                                capture_output=True, text=True, env=env, timeout=120, check=True)
        return result.stdout.strip()


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, env=env or os.environ.copy(), cwd=REPO, timeout=timeout,
                          check=False)


class Stack:
    def __init__(self, version: str, netbox_env: dict[str, str], zabbix_env: dict[str, str], tmp: Path) -> None:
        self.version = version
        self.netbox_env = netbox_env
        self.zabbix_env = zabbix_env
        self.netbox = NetBox(netbox_env)
        self.zabbix = Zabbix(zabbix_env)
        self.tmp = tmp
        self.inventory = tmp / "it.netbox_hostconfig.yml"
        self.inventory.write_text(json.dumps({"plugin": "netbox_zabbix.sync.hostconfig", "validate_certs": False}))
        self.runs = 0

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **{key: self.zabbix_env[key] for key in ("ZABBIX_URL", "ZABBIX_TOKEN")},
            **{key: self.netbox_env[key] for key in ("NETBOX_API", "NETBOX_TOKEN")},
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".cache" / "collections"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_CALLBACKS_ENABLED": "netbox_zabbix.sync.sync_log",
        }

    def play(self, *args: str, **extra_vars: t.Any) -> tuple[subprocess.CompletedProcess, list[dict]]:
        """ansible-playbook playbooks/sync_hosts.yml; returns the process and its event-log lines."""
        self.runs += 1
        log = self.tmp / f"run{self.runs}.jsonl"
        env = {**self.env(), "NETBOX_ZABBIX_SYNC_LOG_PATH": str(log)}
        cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(self.inventory), "playbooks/sync_hosts.yml", *args]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        result = run(cmd, env)
        events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return result, events

    def managed_hosts(self) -> dict[str, dict]:
        return {host["host"]: host for host in self.zabbix.hosts(search={"host": PREFIX}, startSearch=True)}


def summary_of(events: list[dict]) -> dict:
    summaries = [event for event in events if event["event"] == "run_summary"]
    assert len(summaries) == 1, events[-3:]
    return summaries[0]


def explain(result: subprocess.CompletedProcess) -> str:
    return f"rc={result.returncode}\nSTDOUT:\n{result.stdout[-6000:]}\nSTDERR:\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module", params=VERSIONS)
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Stack]:
    version = request.param
    netbox_env = read_env_file(NETBOX_ENV)
    zabbix_env = read_env_file(STACK_DIR / f"zabbix-{version}.env")
    env = {**os.environ, **zabbix_env}
    reset = run([str(REPO / "stack" / "zabbix.sh"), "reset", version], env)
    assert reset.returncode == 0, explain(reset)
    # the token from the env file (not the command line, which error messages would show); no user/password
    # beside it, which zabbix-utils refuses
    fixture_env = {key: value for key, value in env.items() if key not in ("ZABBIX_USER", "ZABBIX_PASSWORD")}
    fixtures = run([str(VENV_BIN / "python"), "stack/zabbix_fixtures.py", "--env-file",
                    str(STACK_DIR / f"zabbix-{version}.env")], fixture_env)
    assert fixtures.returncode == 0, explain(fixtures)
    tmp = tmp_path_factory.mktemp(f"sync-{version}")
    (tmp / "fixtures.json").write_text(fixtures.stdout)
    seed = run([str(REPO / "stack" / "netbox.sh"), "seed", "--reset", "--prefix", PREFIX, "--count", str(COUNT),
                "--broken", str(BROKEN), "--zabbix-fixtures", str(tmp / "fixtures.json")])
    assert seed.returncode == 0, explain(seed)
    stack = Stack(version, netbox_env, zabbix_env, tmp)
    assert len(stack.netbox.hostconfigs()) == COUNT + BROKEN, "NetBox holds HostConfigs of another test: orphans cannot be judged"
    yield stack
    run([str(REPO / "stack" / "netbox.sh"), "seed", "--reset", "--prefix", PREFIX, "--count", "0"])


def test_check_mode_writes_nothing(stack: Stack) -> None:
    zabbix_before = stack.zabbix.checksum(stack.version)
    netbox_before = stack.netbox.checksum()
    result, events = stack.play("--check", "--diff")
    assert result.returncode == 2, explain(result)  # the broken HostConfigs fail
    summary = summary_of(events)
    assert summary["check_mode"] is True
    assert (summary["total"], summary["created"], summary["failed"]) == (COUNT + BROKEN, COUNT, BROKEN), summary
    assert summary["message"] == (f"Sync complete (check mode, nothing written): {COUNT}/{COUNT + BROKEN} hosts would "
                                  f"be updated, {BROKEN} failed.")
    assert all(event["check_mode"] for event in events)
    # --diff shows every host's diff
    created = [event["host"] for event in events if event["event"] == "host" and event["action"] == "created"]
    assert len(created) == COUNT
    shown = set(re.findall(r"^\+\+\+ after: (\S+)$", result.stdout, re.M))
    assert shown == set(created), (sorted(shown ^ set(created)), result.stdout[-3000:])
    assert stack.zabbix.checksum(stack.version) == zabbix_before
    assert stack.netbox.checksum() == netbox_before
    assert stack.managed_hosts() == {}


def test_full_run_syncs_counts_failures_and_writes_back(stack: Stack) -> None:
    events_before = {row["id"] for row in stack.netbox.event_log()}
    result, events = stack.play()
    assert result.returncode == 2, explain(result)
    summary = summary_of(events)
    assert (summary["total"], summary["created"], summary["failed"], summary["check_mode"]) == (
        COUNT + BROKEN, COUNT, BROKEN, False), summary
    assert summary["message"] == f"Sync complete: {COUNT}/{COUNT + BROKEN} hosts updated, {BROKEN} failed."
    failed = {item["host"] for item in summary["failed_hosts"]}
    assert len(failed) == BROKEN and all("broken" in host for host in failed), summary["failed_hosts"]
    assert "Fail the run when hosts failed" in result.stdout

    # Zabbix has every valid host; NetBox has their hostids
    zabbix_hosts = stack.managed_hosts()
    assert len(zabbix_hosts) == COUNT
    hostconfigs = stack.netbox.hostconfigs()
    written = {hc["hostid"] for hc in hostconfigs if hc["hostid"] is not None}
    assert written == {int(host["hostid"]) for host in zabbix_hosts.values()}
    # one PATCH per HostConfig (hostid, in_sync) and one per interface row (hostid, interfaceid)
    rows = stack.netbox.interface_rows({hc["id"] for hc in hostconfigs if hc["hostid"] is not None})
    assert rows and all(row["hostid"] is not None and row["interfaceid"] is not None for row in rows)
    assert summary["writeback"] == {"patched": COUNT + len(rows), "would_patch": 0, "failed": 0}

    # the JSON-lines event log: one event per host, secrets never in it
    host_events = [event for event in events if event["event"] == "host"]
    assert len(host_events) == COUNT + BROKEN
    assert {event["action"] for event in host_events} == {"created", "failed"}
    assert all(event["run_id"] == summary["run_id"] for event in events)
    text = json.dumps(events)
    for secret in (stack.zabbix_env["ZABBIX_TOKEN"], stack.netbox_env["NETBOX_TOKEN"]):
        assert secret not in text

    # NetBox EventLog (the seeded Setting has event_log_enabled): the summary and each failed host
    new_rows = [row for row in stack.netbox.event_log() if row["id"] not in events_before]
    names = sorted(row["name"] for row in new_rows)
    assert names == sorted(["SyncHostsNow", *(f"SyncHostsNow: {host}" for host in failed)]), names
    run_row = next(row for row in new_rows if row["name"] == "SyncHostsNow")
    assert run_row["message"] == summary["message"]
    assert run_row["data"]["created"] == COUNT


def test_second_run_changes_nothing(stack: Stack) -> None:
    hostconfigs_before = stack.netbox.hostconfigs()
    zabbix_before = stack.zabbix.checksum(stack.version)
    result, events = stack.play("-e", "sync_hosts_fail_on_error=false")
    assert result.returncode == 0, explain(result)
    summary = summary_of(events)
    assert (summary["changed"], summary["unchanged"], summary["failed"]) == (0, COUNT, BROKEN), summary
    assert summary["writeback"]["patched"] == 0
    assert stack.netbox.hostconfigs() == hostconfigs_before  # not one PATCH (last_updated unchanged)
    assert stack.zabbix.checksum(stack.version) == zabbix_before
    recap = result.stdout[result.stdout.rindex("PLAY RECAP"):]
    changed = re.findall(r"^\S+\s+: ok=\d+\s+changed=(\d+)", recap, re.M)
    assert changed and set(changed) == {"0"}, recap


def test_limit_run_covers_a_subset(stack: Stack) -> None:
    zabbix_hosts = stack.managed_hosts()
    victim = sorted(zabbix_hosts)[0]
    old_hostid = zabbix_hosts[victim]["hostid"]
    stack.zabbix.call("host.delete", [old_hostid])
    result, events = stack.play("--limit", victim)
    assert result.returncode == 0, explain(result)
    summary = summary_of(events)
    assert (summary["total"], summary["created"], summary["failed"]) == (1, 1, 0), summary
    assert summary["orphans_step"]["status"] == "skipped" and "--limit" in summary["orphans_step"]["reason"]
    new_hostid = stack.managed_hosts()[victim]["hostid"]
    assert new_hostid != old_hostid
    hostconfig = next(hc for hc in stack.netbox.hostconfigs() if hc["hostid"] == int(new_hostid))
    rows = stack.netbox.interface_rows({hostconfig["id"]})
    assert summary["writeback"]["patched"] == 1 + len(rows)  # the HostConfig and its interface rows
    assert {row["hostid"] for row in rows} == {int(new_hostid)}


def ensure_synced(stack: Stack) -> None:
    """The module's valid hosts in Zabbix, as the steps before leave them; synced here when a step
    runs on its own (``-k``), so that a per-host run finds them unchanged either way."""
    if len(stack.managed_hosts()) != COUNT:
        result, _events = stack.play("-e", "sync_hosts_fail_on_error=false")
        assert result.returncode == 0, explain(result)
        assert len(stack.managed_hosts()) == COUNT


def test_per_host_mode(stack: Stack) -> None:
    ensure_synced(stack)
    result, events = stack.play("-e", "sync_hosts_batch=false", "-e", "sync_hosts_fail_on_error=false")
    host_events = assert_each_host_ran_alone(result, events)
    assert {event["action"] for event in host_events if "broken" in event["host"]} == {"failed"}
    # -e picks the per-host play, which imports the role: no include_role task per host
    banners = play_banners(result.stdout)
    assert banners[BATCH_PLAY] == "skipping: no hosts matched", banners
    assert banners[PER_HOST_PLAY] != "skipping: no hosts matched", banners
    assert "TASK [Run the SyncHostsNow job]" not in result.stdout


def test_per_host_mode_set_in_inventory_vars(stack: Stack) -> None:
    """sync_hosts_batch=false from inventory vars (not visible when the plays start): the batch
    play still runs each host in its own task, through the role's per-host include."""
    ensure_synced(stack)
    group_vars = stack.tmp / "per_host_vars.yml"
    group_vars.write_text(json.dumps({"all": {"vars": {"sync_hosts_batch": False}}}))
    result, events = stack.play("-i", str(group_vars), "-e", "sync_hosts_fail_on_error=false")
    assert_each_host_ran_alone(result, events)
    banners = play_banners(result.stdout)
    assert banners[PER_HOST_PLAY] == "skipping: no hosts matched", banners
    assert "TASK [Run the SyncHostsNow job]" in result.stdout


def assert_each_host_ran_alone(result: subprocess.CompletedProcess, events: list[dict]) -> list[dict]:
    """A per-host run over the module's hosts: the summary counts them all, each host has its own timed result."""
    assert result.returncode == 0, explain(result)
    summary = summary_of(events)
    assert (summary["total"], summary["unchanged"], summary["failed"], summary["changed"]) == (
        COUNT + BROKEN, COUNT, BROKEN, 0), summary
    host_events = [event for event in events if event["event"] == "host"]
    assert len(host_events) == COUNT + BROKEN and all("duration" in event for event in host_events)
    return host_events


BATCH_PLAY = "Sync NetBox HostConfigs to Zabbix, all hosts in one task (batch mode)"
PER_HOST_PLAY = "Sync NetBox HostConfigs to Zabbix, each host in its own task (per-host mode)"


def play_banners(stdout: str) -> dict[str, str]:
    """PLAY name -> the first line after its banner ('skipping: no hosts matched' or a task banner)."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    return {line[len("PLAY ["):line.index("]")]: (lines[i + 1] if i + 1 < len(lines) else "")
            for i, line in enumerate(lines) if line.startswith("PLAY [")}


def test_orphans_report_cap_and_delete(stack: Stack) -> None:
    setting = stack.netbox.setting()
    marker = f"{setting.get('tag_prefix') or ''}{setting['default_tag']}"
    group = stack.zabbix.call("hostgroup.get", {"output": ["groupid"], "filter": {"name": ["NB Core"]}})[0]["groupid"]
    orphan_names = [f"{PREFIX}-orphan-{n}" for n in range(3)]
    stack.zabbix.call("host.create", [{"host": name, "groups": [{"groupid": group}], "tags": [{"tag": marker, "value": "999"}]}
                                      for name in orphan_names])
    stack.zabbix.call("host.create", {"host": f"{PREFIX}-handmade", "groups": [{"groupid": group}]})  # no marker tag

    common = ["-e", "sync_hosts_fail_on_error=false"]
    result, events = stack.play(*common)
    summary = summary_of(events)
    assert sorted(orphan["host"] for orphan in summary["orphans"]) == orphan_names, summary
    assert summary["orphans_step"]["marker_tag"] == marker

    zabbix_before = stack.zabbix.checksum(stack.version)
    result, events = stack.play("-e", json.dumps({"sync_hosts_orphan_policy": "delete", "sync_hosts_orphan_max_deletions": 2}))
    assert result.returncode == 2, explain(result)
    summary = summary_of(events)
    assert summary["orphans_step"].get("refused") is True
    assert any("max_deletions (2)" in error for error in summary["errors"]), summary["errors"]
    assert stack.zabbix.checksum(stack.version) == zabbix_before  # nothing deleted

    delete_up_to_5 = json.dumps({"sync_hosts_orphan_policy": "delete", "sync_hosts_orphan_max_deletions": 5})
    result, events = stack.play("--check", *common, "-e", delete_up_to_5)
    assert summary_of(events)["orphans_step"]["would_delete"] == 3
    assert stack.zabbix.checksum(stack.version) == zabbix_before

    result, events = stack.play(*common, "-e", delete_up_to_5)
    assert result.returncode == 0, explain(result)
    assert summary_of(events)["orphans_step"]["deleted"] == 3
    remaining = stack.managed_hosts()
    assert not set(orphan_names) & set(remaining)
    assert f"{PREFIX}-handmade" in remaining and len(remaining) == COUNT + 1
