# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Event-driven sync end to end: real NetBox 4.7 webhooks, sent by its worker (netbox
rqworker), to the real ansible-rulebook running the collection's rulebook and event source,
which runs the sync playbook against the real Zabbix 7.0. Changes are made only through
NetBox's API; what Zabbix holds afterwards is read through Zabbix's API.

Seeds NetBox with prefix ``iteda`` (removed at the end), syncs once with ansible-playbook,
then starts stack/eda.sh (orphan policy ``disable``) and changes things in NetBox. Waits
poll Zabbix (no wall-time assertions: the timeouts only bound a hung test).
Needs ``stack/stack.sh up`` with Zabbix 7.0, Java 17 and ansible-rulebook in the venv.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import subprocess
import time
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import ZabbixAPI, ansible_env, read_env_file, reset_zabbix

REPO = Path(__file__).resolve().parents[2]
STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
VERSION = "7.0"
PREFIX = "iteda"
COUNT = 40
WAIT = 120  # seconds; bounds a hung test, asserts nothing about speed
PLUGIN_API = "plugins/netbox_zabbix"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (STACK_DIR / "netbox.env").exists(), reason="no NetBox stack (stack/stack.sh up)"),
    pytest.mark.skipif(not (STACK_DIR / f"zabbix-{VERSION}.env").exists(), reason=f"no Zabbix {VERSION} stack"),
    pytest.mark.skipif(not (REPO / ".venv" / "bin" / "ansible-rulebook").exists(), reason="no ansible-rulebook (make venv)"),
]


class NetBox:
    def __init__(self, env: dict[str, str]) -> None:
        self.api = env["NETBOX_API"].rstrip("/") + "/api"
        token = env["NETBOX_TOKEN"]
        self.auth = f"Bearer {token}" if token.startswith("nbt_") else f"Token {token}"

    def call(self, method: str, path: str, body: t.Any = None, params: str = "") -> t.Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.api}/{path.strip('/')}/{params}", data=data, method=method, headers={
            "Authorization": self.auth, "Content-Type": "application/json", "Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def list(self, path: str, query: str = "") -> list[dict]:
        return self.call("GET", path, params=f"?ordering=id&limit=1000{'&' + query if query else ''}")["results"]


def wait_for(what: str, check: t.Callable[[], t.Any], timeout: float = WAIT) -> t.Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def sh(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    result = subprocess.run(list(args), cwd=REPO, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, f"{args}: rc {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def setup() -> t.Iterator[dict[str, t.Any]]:
    netbox_env = read_env_file(STACK_DIR / "netbox.env")
    zabbix_env = read_env_file(STACK_DIR / f"zabbix-{VERSION}.env")
    env = {**netbox_env, **zabbix_env}
    reset_zabbix(VERSION)
    fixtures = STACK_DIR / "eda-test-fixtures.json"
    fixtures.write_text(sh(str(REPO / ".venv" / "bin" / "python"), "stack/zabbix_fixtures.py", "--url", env["ZABBIX_URL"],
                           "--token", env["ZABBIX_TOKEN"]))
    sh("stack/netbox.sh", "seed", "--reset", "--prefix", PREFIX, "--count", str(COUNT), "--zabbix-fixtures", str(fixtures))
    inventory = STACK_DIR / "eda-test.netbox_hostconfig.yml"
    inventory.write_text("plugin: netbox_zabbix.sync.hostconfig\nvalidate_certs: false\n")
    sh(str(REPO / ".venv" / "bin" / "ansible-playbook"), "-i", str(inventory), "playbooks/sync_hosts.yml",
       "-e", "sync_hosts_fail_on_error=false", env=ansible_env(env))
    eda_env = {"EDA_ZABBIX": VERSION, "EDA_STARTUP_SYNC": "false", "EDA_ORPHAN_POLICY": "disable"}
    # A rulebook that `make demo` left running has other settings (orphan policy none) and
    # `up` would keep it: stop it first, so the one these tests judge is started with theirs.
    sh("stack/eda.sh", "down")
    sh("stack/eda.sh", "up", env=eda_env)
    eda = read_env_file(STACK_DIR / "eda.env")
    try:
        yield {"netbox": NetBox(netbox_env), "zabbix": ZabbixAPI({"ZABBIX_VERSION": VERSION, **zabbix_env}),
               "eda": eda, "log": Path(eda["EDA_LOG"])}
    finally:
        subprocess.run(["stack/eda.sh", "down"], cwd=REPO, check=False, capture_output=True, timeout=120)
        subprocess.run(["stack/netbox.sh", "seed", "--reset", "--prefix", PREFIX, "--count", "0"], cwd=REPO,
                       check=False, capture_output=True, timeout=600)


def synced_hostconfigs(netbox: NetBox, object_type: str = "device") -> list[dict]:
    content_types = {
        "device": netbox.list("core/object-types", "app_label=dcim&model=device")[0]["id"],
        "virtualmachine": netbox.list("core/object-types", "app_label=virtualization&model=virtualmachine")[0]["id"],
    }
    objects = {row["id"]: row for row in netbox.list("dcim/devices", f"name__isw={PREFIX}")}
    return [hc for hc in netbox.list(f"{PLUGIN_API}/host-config")
            if hc["hostid"] and hc["content_type"] == content_types[object_type] and hc["object_id"] in objects
            and hc["status"] == 0]


def zabbix_host(zabbix: ZabbixAPI, hostid: t.Any) -> dict | None:
    hosts = zabbix.call("host.get", {"hostids": [str(hostid)], "output": ["host", "status"],
                                     "selectInterfaces": ["interfaceid", "type", "ip", "dns", "port"]})
    return hosts[0] if hosts else None


def emitted(log: Path) -> list[str]:
    return re.findall(r"netbox_webhook: emitting (.*)", log.read_text(errors="replace"))


def zabbix_host_named(zabbix: ZabbixAPI, name: str) -> dict | None:
    hosts = zabbix.call("host.get", {"filter": {"host": [name]}, "output": ["host", "status"]})
    return hosts[0] if hosts else None


def test_unsigned_webhook_is_refused_by_the_running_source(setup):
    url = setup["eda"]["NETBOX_WEBHOOK_URL"]
    body = json.dumps({"event": "deleted", "model": "hostconfig", "data": {"id": 1}}).encode()
    before = len(emitted(setup["log"]))
    for headers in ({}, {"X-Hook-Signature": hmac.new(b"not-the-secret", body, hashlib.sha512).hexdigest()}):
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=10)
        assert error.value.code == 401
    time.sleep(2)
    assert len(emitted(setup["log"])) == before


def test_hostconfig_patch_reaches_zabbix(setup):
    netbox, zabbix = setup["netbox"], setup["zabbix"]
    hostconfig = synced_hostconfigs(netbox)[0]
    assert zabbix_host(zabbix, hostconfig["hostid"])["status"] == "0"
    netbox.call("PATCH", f"{PLUGIN_API}/host-config/{hostconfig['id']}", {"status": 1})
    wait_for("the Zabbix host disabled", lambda: zabbix_host(zabbix, hostconfig["hostid"])["status"] == "1")


def test_interface_port_change_reaches_zabbix(setup):
    netbox, zabbix = setup["netbox"], setup["zabbix"]
    rows = netbox.list(f"{PLUGIN_API}/agent-interface")
    hostconfigs = {hc["id"]: hc for hc in synced_hostconfigs(netbox)}
    row = next(row for row in rows if row["host_config"] in hostconfigs)
    hostid = hostconfigs[row["host_config"]]["hostid"]
    netbox.call("PATCH", f"{PLUGIN_API}/agent-interface/{row['id']}", {"port": 10055})

    def port() -> bool:
        interfaces = zabbix_host(zabbix, hostid)["interfaces"]
        return any(i["port"] == "10055" for i in interfaces)

    wait_for("the Zabbix interface port 10055", port)


def test_ip_address_change_reaches_zabbix(setup):
    netbox, zabbix = setup["netbox"], setup["zabbix"]
    hostconfigs = {hc["id"]: hc for hc in synced_hostconfigs(netbox)}
    row = next(row for row in netbox.list(f"{PLUGIN_API}/agent-interface")
               if row["host_config"] in hostconfigs and row.get("ip_address") and row.get("useip") == 1
               and hostconfigs[row["host_config"]]["status"] == 0)
    ip = netbox.call("GET", f"ipam/ip-addresses/{row['ip_address']}")
    new_address = "198.51.100.%d/32" % (row["ip_address"] % 250 + 1)
    netbox.call("PATCH", f"ipam/ip-addresses/{ip['id']}", {"address": new_address})
    hostid = hostconfigs[row["host_config"]]["hostid"]
    wait_for("the new IP in Zabbix", lambda: any(
        i["ip"] == new_address.split("/")[0] for i in zabbix_host(zabbix, hostid)["interfaces"]))


def test_deleted_hostconfig_gets_the_orphan_policy(setup):
    netbox, zabbix = setup["netbox"], setup["zabbix"]
    hostconfig = synced_hostconfigs(netbox)[2]
    assert zabbix_host(zabbix, hostconfig["hostid"])["status"] == "0"
    netbox.call("DELETE", f"{PLUGIN_API}/host-config/{hostconfig['id']}")
    # orphan policy "disable" (stack/eda.sh EDA_ORPHAN_POLICY): the full run disables it
    wait_for("the orphaned Zabbix host disabled", lambda: zabbix_host(zabbix, hostconfig["hostid"])["status"] == "1")


def test_sync_writeback_does_not_trigger_runs(setup):
    """A run writes Zabbix IDs back to NetBox; those saves must not start another run."""
    netbox, zabbix = setup["netbox"], setup["zabbix"]
    # a new HostConfig: the run creates the Zabbix host and writes its hostid back
    device = netbox.list("dcim/devices", f"name__isw={PREFIX}")[0]
    template = netbox.call("GET", f"{PLUGIN_API}/host-config/{synced_hostconfigs(netbox)[0]['id']}")
    fresh = netbox.call("POST", "dcim/devices", {
        "name": f"{PREFIX}-fresh", "device_type": device["device_type"]["id"], "role": device["role"]["id"],
        "site": device["site"]["id"], "status": "active"})
    runs_before = len(emitted(setup["log"]))
    hostconfig = netbox.call("POST", f"{PLUGIN_API}/host-config", {
        "name": f"z-{PREFIX}-fresh", "status": 0, "monitored_by": 0, "content_type": template["content_type"],
        "object_id": fresh["id"], "host_groups": template["host_groups"], "templates": []})
    wait_for("the hostid written back", lambda: netbox.call("GET", f"{PLUGIN_API}/host-config/{hostconfig['id']}")["hostid"])
    hostid = netbox.call("GET", f"{PLUGIN_API}/host-config/{hostconfig['id']}")["hostid"]
    assert zabbix_host(zabbix, hostid)["host"] == f"{PREFIX}-fresh"
    time.sleep(5)  # a webhook of the write-back would have been emitted by now
    assert len(emitted(setup["log"])) - runs_before == 1


def test_device_rename_reaches_zabbix(setup):
    """The renamed Device's host is in Zabbix under the new name and its HostConfig points at it.

    (Whether the sync renames the old host in place, keeping its hostid, is the sync engine's
    identity rule, not the event path's: tests/integration/test_sync_hosts_playbook.py.)"""
    netbox, zabbix = setup["netbox"], setup["zabbix"]
    hostconfig = synced_hostconfigs(netbox)[1]
    device = netbox.call("GET", f"dcim/devices/{hostconfig['object_id']}")
    new_name = device["name"] + "-mv"
    netbox.call("PATCH", f"dcim/devices/{device['id']}", {"name": new_name})
    host = wait_for("a Zabbix host with the new name", lambda: zabbix_host_named(zabbix, new_name))
    wait_for("the HostConfig pointing at it", lambda: str(
        netbox.call("GET", f"{PLUGIN_API}/host-config/{hostconfig['id']}")["hostid"]) == host["hostid"])


def test_zabbix_down_loses_no_change(setup):
    netbox, zabbix = setup["netbox"], setup["zabbix"]
    hostconfig = synced_hostconfigs(netbox)[3]
    device = netbox.call("GET", f"dcim/devices/{hostconfig['object_id']}")
    pidfile = STACK_DIR / f"zabbix-{VERSION}.pid"
    php_pid = pidfile.read_text().split()[0]
    log_size = setup["log"].stat().st_size
    # our own stack's Zabbix 7.0 API server: its workers first (they would keep the port), then it
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", php_pid], capture_output=True, text=True,
                              check=False).stdout.split()
    subprocess.run(["kill", *children, php_pid], check=True)
    try:
        netbox.call("PATCH", f"dcim/devices/{device['id']}", {"name": device["name"] + "-dn"})
        wait_for("the failed run logged", lambda: "Previous run_playbook failed" in
                 setup["log"].read_text(errors="replace")[log_size:])
    finally:
        sh("stack/zabbix.sh", "up", VERSION)
    wait_for("the change applied by a retry", lambda: zabbix_host_named(zabbix, device["name"] + "-dn"))


def test_a_burst_converges_in_few_runs(setup):
    netbox, zabbix = setup["netbox"], setup["zabbix"]
    hostconfigs = synced_hostconfigs(netbox)[4:]
    devices = [{"id": hc["object_id"], "name": f"{PREFIX}-burst-{hc['id']}"} for hc in hostconfigs]
    runs_before = len(emitted(setup["log"]))
    for start in range(0, len(devices), 10):  # bulk edits of 10: one webhook per Device all the same
        netbox.call("PATCH", "dcim/devices", devices[start:start + 10])
    expected = {str(hc["hostid"]): f"{PREFIX}-burst-{hc['id']}" for hc in hostconfigs}

    def converged() -> bool:
        names = set(expected.values())
        hosts = zabbix.call("host.get", {"filter": {"host": sorted(names)}, "output": ["host"]})
        return {h["host"] for h in hosts} == names

    wait_for("every renamed Device in Zabbix", converged)
    time.sleep(2)
    runs = len(emitted(setup["log"])) - runs_before
    assert 1 <= runs <= len(devices) // 4, f"{len(devices)} changes took {runs} runs"


def test_netbox_down_loses_no_change(setup):
    """NetBox's web server stops right after a change: its worker still delivers the webhook,
    the run cannot read NetBox and fails (logged), a retry after NetBox is back applies it."""
    netbox, zabbix = setup["netbox"], setup["zabbix"]
    hostconfig = synced_hostconfigs(netbox)[5]
    assert zabbix_host(zabbix, hostconfig["hostid"])["status"] == "0"
    pid = (STACK_DIR / "netbox" / "gunicorn.pid").read_text().split()[0]
    log_size = setup["log"].stat().st_size
    netbox.call("PATCH", f"{PLUGIN_API}/host-config/{hostconfig['id']}", {"status": 1})
    # our own stack's gunicorn: its workers, then the master
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", pid], capture_output=True, text=True,
                              check=False).stdout.split()
    subprocess.run(["kill", *children, pid], check=True)
    try:
        wait_for("the failed run logged", lambda: "Previous run_playbook failed" in
                 setup["log"].read_text(errors="replace")[log_size:])
    finally:
        sh("stack/netbox.sh", "up")
    wait_for("the change applied by a retry", lambda: zabbix_host(zabbix, hostconfig["hostid"])["status"] == "1")
