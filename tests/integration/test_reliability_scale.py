# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-host isolation at scale and the check-mode proof, through the real playbook:
inventory plugin (NetBox 4.7) -> role sync_hosts -> Zabbix 7.0.

NetBox gets 1,000 HostConfigs under the prefix ``relx``: 955 good ones and 45 broken by the
seed (Device deleted, agent interface without IP, proxy mode without proxy), then 5 good
ones broken through the API (a host group that Zabbix does not have, caught only by the
sync engine). So: 950 must be synced, 50 must fail, each failure naming its host and field.

* ``--check`` before the first run and again after drifting 20 hosts: the Zabbix tables
  (hosts, interface, hosts_groups, hosts_templates, host_tag, hostmacro, host_inventory,
  hstgrp, auditlog) and the NetBox tables (the plugin's + core_objectchange) have the same
  row counts and checksums before and after.
* The real run: 950 created, 50 failed, no traceback; every created host is read back and
  compared field by field with its desired state (from ``ansible-inventory``).
* After drift, the rerun changes exactly the drifted hosts.

The run is limited to ``relx-*`` with ``--limit``, so other HostConfigs in a shared NetBox
do not count (and the orphan step is skipped, as it must be for a subset).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "tools"))
from ansible_json import unwrap_unsafe  # noqa: E402
from fault_proxy import PrivateZabbix, host_mismatches, proxy_names  # noqa: E402

STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
VENV_BIN = REPO / ".venv" / "bin"
PREFIX = "relx"
GOOD, SEED_BROKEN, API_BROKEN = 955, 45, 5
TOTAL = GOOD + SEED_BROKEN
SYNCED = GOOD - API_BROKEN
MISSING_GROUP = "relx group unknown to zabbix"
ZABBIX_TABLES = ["hosts", "interface", "interface_snmp", "hosts_groups", "hosts_templates", "host_tag", "hostmacro",
                 "host_inventory", "hstgrp", "auditlog"]
DRIFTED = 20

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (STACK_DIR / "netbox.env").exists(), reason="no NetBox stack (stack/netbox.sh up)"),
    pytest.mark.skipif(not (STACK_DIR / "zabbix-7.0.env").exists(), reason="no Zabbix 7.0 stack (stack/zabbix.sh up 7.0)"),
]


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, env=env or os.environ.copy(), cwd=REPO, timeout=timeout, check=False)


def explain(result: subprocess.CompletedProcess) -> str:
    return f"rc={result.returncode}\nSTDOUT:\n{result.stdout[-5000:]}\nSTDERR:\n{result.stderr[-3000:]}"


# Zabbix is this module's own (a private database and php -S: whole tables are compared).
# NetBox is shared with other tests that may write while this module runs, so by default its
# tables are compared on the rows that can belong to this test (its HostConfigs, their rows,
# EventLog and change-log entries naming them); RELIABILITY_STRICT_DB=1 compares whole tables.
STRICT = os.environ.get("RELIABILITY_STRICT_DB") == "1"
MY_HOSTCONFIGS = f"(SELECT id FROM netbox_zabbix_hostconfig WHERE name LIKE 'z-{PREFIX}-%')"
NETBOX_SCOPE = {
    "netbox_zabbix_hostconfig": f"id IN {MY_HOSTCONFIGS}",
    "netbox_zabbix_agentinterface": f"host_config_id IN {MY_HOSTCONFIGS}",
    "netbox_zabbix_snmpinterface": f"host_config_id IN {MY_HOSTCONFIGS}",
    "netbox_zabbix_hostconfig_host_groups": f"hostconfig_id IN {MY_HOSTCONFIGS}",
    "netbox_zabbix_hostconfig_templates": f"hostconfig_id IN {MY_HOSTCONFIGS}",
    "netbox_zabbix_eventlog": f"t::text LIKE '%{PREFIX}-%'",
    "core_objectchange": f"t::text LIKE '%{PREFIX}-%'",
}


def _checksum_sql(tables: t.Iterable[str], scope: dict[str, str]) -> str:
    parts = []
    for table in tables:
        where = "" if STRICT or table not in scope else f" WHERE {scope[table]}"
        parts.append(f"SELECT '{table}', count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM {table} t{where}")
    return " UNION ALL ".join(parts)


def zabbix_tables_checksum(zabbix: PrivateZabbix) -> dict[str, str]:
    """count:md5 of each whole table of this module's own Zabbix database."""
    sql = " UNION ALL ".join(
        f"SELECT '{table}', count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM {table} t"
        for table in ZABBIX_TABLES
    )
    return dict(line.split("\t") for line in zabbix.psql(sql).strip().splitlines())


def netbox_tables_checksum() -> dict[str, str]:
    # Debian's psql wrapper picks a client for any installed server version; the port is the stack's own
    psql = shutil.which("psql")
    assert psql, "psql is not on PATH (apt-get install postgresql-client)"
    port = next(line.split("=", 1)[1].strip() for line in (STACK_DIR / "netbox.env").read_text().splitlines()
                if line.removeprefix("export ").startswith("NETBOX_PG_PORT="))
    base = ["-X", "-h", str(STACK_DIR / "pg-netbox" / "run"), "-p", port, "-U", "postgres", "-d", "netbox"]
    tables = run([psql, *base, "-Atc", "SELECT tablename FROM pg_tables WHERE tablename LIKE 'netbox_zabbix_%' OR tablename = 'core_objectchange' ORDER BY 1"])
    assert tables.returncode == 0, explain(tables)
    names = tables.stdout.split()
    assert "core_objectchange" in names and "netbox_zabbix_hostconfig" in names, names
    done = run([psql, *base, "-At", "-F", "\t", "-c", _checksum_sql(names, NETBOX_SCOPE)])
    assert done.returncode == 0, explain(done)
    return dict(line.split("\t") for line in done.stdout.strip().splitlines())


class Scale:
    def __init__(self, private: PrivateZabbix, zabbix: t.Any, zabbix_env: dict[str, str], netbox_env: dict[str, str], tmp: Path) -> None:
        self.private = private
        self.zabbix = zabbix
        self.zabbix_env = zabbix_env
        self.netbox_env = netbox_env
        self.tmp = tmp
        self.inventory = tmp / "relx.netbox_hostconfig.yml"
        self.inventory.write_text(json.dumps({"plugin": "netbox_zabbix.sync.hostconfig", "validate_certs": False}))
        # --limit, not the inventory's name filter: a HostConfig whose Device is gone is named after
        # the HostConfig and matches no name filter (documented), but it must be counted as failed.
        self.limit = f"{PREFIX}-*:z-{PREFIX}-*"
        self.runs = 0

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "ZABBIX_URL": self.zabbix_env["ZABBIX_URL"], "ZABBIX_TOKEN": self.zabbix_env["ZABBIX_TOKEN"],
            "NETBOX_API": self.netbox_env["NETBOX_API"], "NETBOX_TOKEN": self.netbox_env["NETBOX_TOKEN"],
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".cache" / "collections"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_CALLBACKS_ENABLED": "netbox_zabbix.sync.sync_log",
            **extra,
        }

    def play(self, *args: str) -> tuple[subprocess.CompletedProcess, dict[str, t.Any]]:
        self.runs += 1
        log = self.tmp / f"run{self.runs}.jsonl"
        cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(self.inventory), "playbooks/sync_hosts.yml", "--limit", self.limit, *args]
        result = run(cmd, self.env(NETBOX_ZABBIX_SYNC_LOG_PATH=str(log)))
        events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        summaries = [e for e in events if e.get("event") == "run_summary"]
        assert len(summaries) == 1, explain(result)
        return result, {"summary": summaries[0], "hosts": [e for e in events if e.get("event") == "host"]}

    def desired(self) -> dict[str, dict[str, t.Any]]:
        result = run([str(VENV_BIN / "ansible-inventory"), "-i", str(self.inventory), "--list"], self.env())
        assert result.returncode == 0, explain(result)
        hostvars = unwrap_unsafe(json.loads(result.stdout)["_meta"]["hostvars"])
        return {name: hv for name, hv in hostvars.items() if name.startswith((f"{PREFIX}-", f"z-{PREFIX}-"))}

    def proxy_names(self) -> dict[str, str]:
        return proxy_names(self.zabbix.call)

    def zabbix_hosts(self) -> dict[str, dict[str, t.Any]]:
        found = self.zabbix.call("host.get", {
            "output": "extend", "search": {"host": f"{PREFIX}-"}, "startSearch": True,
            "selectInterfaces": "extend", "selectParentTemplates": ["templateid", "host", "name"], "selectTags": "extend",
            "selectMacros": "extend", "selectInventory": "extend", "selectHostGroups": ["groupid", "name"],
        })
        for host in found:
            host["groups"] = host.pop("hostgroups")
        return {host["host"]: host for host in found}


@pytest.fixture(scope="module")
def scale(stack: t.Any, netbox_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[Scale]:
    shared = stack.env_or_skip("zabbix-7.0.env", "stack/zabbix.sh up 7.0")
    tmp = tmp_path_factory.mktemp("scale")
    with PrivateZabbix(STACK_DIR, "7.0", tmp / "zabbix", "relscale") as private:
        zabbix_env = {"ZABBIX_URL": private.url, "ZABBIX_TOKEN": shared["ZABBIX_TOKEN"], "ZABBIX_VERSION": shared["ZABBIX_VERSION"]}
        zabbix = stack.ZabbixAPI(zabbix_env)
        fixtures = run([str(VENV_BIN / "python"), "stack/zabbix_fixtures.py", "--url", private.url, "--token", shared["ZABBIX_TOKEN"]])
        assert fixtures.returncode == 0, explain(fixtures)
        (tmp / "fixtures.json").write_text(fixtures.stdout)
        seed = run([str(REPO / "stack" / "netbox.sh"), "seed", "--reset", "--prefix", PREFIX, "--count", str(GOOD),
                    "--broken", str(SEED_BROKEN), "--zabbix-fixtures", str(tmp / "fixtures.json")])
        assert seed.returncode == 0, explain(seed)
        try:
            _break_through_api(netbox_env)
            yield Scale(private, zabbix, zabbix_env, netbox_env, tmp)
        finally:
            run([str(REPO / "stack" / "netbox.sh"), "seed", "--reset", "--prefix", PREFIX, "--count", "0"])


def _netbox_session(env: dict[str, str]) -> tuple[t.Any, str]:
    import requests

    session = requests.Session()
    token = env["NETBOX_TOKEN"]
    session.headers["Authorization"] = f"{'Bearer' if token.startswith('nbt_') else 'Token'} {token}"
    return session, env["NETBOX_API"].rstrip("/").removesuffix("/api") + "/api/plugins/netbox_zabbix"


def _break_through_api(env: dict[str, str]) -> None:
    """5 good HostConfigs get a host group NetBox knows and Zabbix does not."""
    session, api = _netbox_session(env)
    groups = session.get(f"{api}/host-group/", params={"name": MISSING_GROUP, "ordering": "id"}, timeout=60)
    rows = groups.json().get("results", []) if groups.ok else []
    group = rows[0] if rows else session.post(f"{api}/host-group/", json={"name": MISSING_GROUP, "groupid": "987654321"}, timeout=60).json()
    chosen = []
    for n in range(API_BROKEN):  # the seed names them z-<prefix>-dev-00000...; `name` is an exact filter
        name = f"z-{PREFIX}-dev-{n:05d}"
        rows = session.get(f"{api}/host-config/", params={"ordering": "id", "name": name}, timeout=60).json()["results"]
        assert [row["name"] for row in rows] == [name], rows[:3]
        chosen.append(rows[0])
    for hc in chosen:
        response = session.patch(f"{api}/host-config/{hc['id']}/", json={"host_groups": [group["id"]]}, timeout=60)
        assert response.ok, response.text


def test_check_mode_on_1000_hosts_writes_nothing(scale: Scale) -> None:
    zabbix_before, netbox_before = zabbix_tables_checksum(scale.private), netbox_tables_checksum()
    result, events = scale.play("--check")
    zabbix_after, netbox_after = zabbix_tables_checksum(scale.private), netbox_tables_checksum()
    summary = events["summary"]
    assert (summary["total"], summary["created"], summary["failed"], summary["check_mode"]) == (TOTAL, SYNCED, SEED_BROKEN + API_BROKEN, True), summary
    assert {k: v for k, v in zabbix_after.items() if zabbix_before.get(k) != v} == {}, "Zabbix tables changed in check mode"
    assert {k: v for k, v in netbox_after.items() if netbox_before.get(k) != v} == {}, "NetBox tables changed in check mode"
    assert scale.zabbix_hosts() == {}


def test_1000_hosts_50_broken_isolated(scale: Scale) -> None:
    result, events = scale.play()
    assert result.returncode == 2, explain(result)  # failed hosts fail the run, at the end
    summary = events["summary"]
    assert (summary["total"], summary["created"], summary["failed"]) == (TOTAL, SYNCED, SEED_BROKEN + API_BROKEN), summary
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "unexpectedly" not in output, output[-5000:]

    failed = {e["host"]: e for e in events["hosts"] if e["action"] == "failed"}
    assert len(failed) == SEED_BROKEN + API_BROKEN
    field_by_kind = {"deleted_device": "object_id", "agent_without_ip": "interfaces[", "proxy_without_proxy": "proxy"}
    for host, event in failed.items():
        message = event.get("error") or event.get("msg") or ""
        assert host in message, event  # names the host
        if "broken" in host:
            assert any(field in message for field in field_by_kind.values()), event
        else:
            assert "host_groups[0]" in message and MISSING_GROUP in message, event

    desired = scale.desired()
    zabbix_hosts = scale.zabbix_hosts()
    assert len(zabbix_hosts) == SYNCED
    assert not set(failed) & set(zabbix_hosts), "a failed host exists in Zabbix"
    proxies = scale.proxy_names()
    wrong = {name: host_mismatches(desired[name]["zabbix_host"], zabbix_hosts.get(name), proxies)
             for name, hv in desired.items() if hv["zabbix_host_valid"] and name not in failed}
    wrong = {name: fields for name, fields in wrong.items() if fields}
    assert len(desired) - len(failed) == SYNCED
    assert wrong == {}, dict(list(wrong.items())[:10])


def test_check_mode_after_drift_writes_nothing_then_rerun_fixes_exactly_the_drift(scale: Scale) -> None:
    hosts = scale.zabbix_hosts()
    assert len(hosts) == SYNCED, "needs the previous test's run"
    victims = sorted(hosts)[:DRIFTED]
    scale.zabbix.call("host.update", [{"hostid": hosts[name]["hostid"], "name": f"drifted {name}", "tags": []} for name in victims])

    zabbix_before, netbox_before = zabbix_tables_checksum(scale.private), netbox_tables_checksum()
    result, events = scale.play("--check", "--diff")
    assert (events["summary"]["updated"], events["summary"]["unchanged"]) == (DRIFTED, SYNCED - DRIFTED), events["summary"]
    assert zabbix_tables_checksum(scale.private) == zabbix_before
    assert netbox_tables_checksum() == netbox_before
    assert "Traceback" not in result.stdout + result.stderr

    result, events = scale.play()
    summary = events["summary"]
    assert (summary["updated"], summary["unchanged"], summary["failed"]) == (DRIFTED, SYNCED - DRIFTED, SEED_BROKEN + API_BROKEN), summary
    updated = sorted(e["host"] for e in events["hosts"] if e["action"] == "updated")
    assert updated == victims
    # the same probe does see real writes (tables and audit log), so its silence above means something
    changed = {k for k, v in zabbix_tables_checksum(scale.private).items() if zabbix_before.get(k) != v}
    assert {"hosts", "host_tag", "auditlog"} <= changed, changed
    desired = scale.desired()
    after = scale.zabbix_hosts()
    assert all(host_mismatches(desired[name]["zabbix_host"], after[name], scale.proxy_names()) == [] for name in victims)
