# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Identity on the real stack: a HostConfig owns its Zabbix host by hostid, each interface
row its Zabbix interface by interfaceid (../shared/spec/hostconfig-api.md, "Identity").

For each Zabbix version, through playbooks/sync_hosts.yml against the real NetBox 4.7:
the first sync writes the hostid, ``in_sync`` and every interface row's hostid/interfaceid
back; a rerun writes nothing to NetBox; the plugin's own update of every synced host
(tests/tools/plugin_update.py) then changes nothing in Zabbix but the plugin's own known
"None" contextname fault;
renaming a Device and a VM in NetBox renames their hosts in place (same hostid, no second
host, no orphan, even with ``orphan_policy: delete``); a rename by hand in Zabbix is
reverted; swapping ``main`` between two agent interfaces keeps every item on the
interface it was on; a HostConfig whose Device name another HostConfig already syncs fails
alone, with a message naming it once; the orphan marker follows ``tag_name_formatting``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "tools"))
import plugin_update  # noqa: E402
from netbox_rest import NetBoxREST  # noqa: E402

STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
VENV_BIN = REPO / ".venv" / "bin"
PREFIX = "itid"
COUNT = 8
PLUGIN_API = "plugins/netbox_zabbix"

pytestmark = pytest.mark.integration


class NetBox(NetBoxREST):
    """NetBox REST for this module: our HostConfigs and their interface rows."""

    def hostconfigs(self) -> dict[str, dict]:
        """Ours, by HostConfig name (``z-<Device/VM name>``)."""
        return {hc["name"]: hc for hc in self.all(f"{PLUGIN_API}/host-config") if hc["name"].startswith(f"z-{PREFIX}-")}

    def interface_rows(self) -> list[dict]:
        ours = {hc["id"] for hc in self.hostconfigs().values()}
        rows = []
        for kind in ("agent", "snmp"):
            rows += [dict(row, kind=kind) for row in self.all(f"{PLUGIN_API}/{kind}-interface") if row["host_config"] in ours]
        return rows

    def snapshot(self) -> dict[str, dict]:
        """Our HostConfigs and interface rows by name/kind+id, with last_updated: any write changes them."""
        rows = {f"{row['kind']}-interface #{row['id']}": row for row in self.interface_rows()}
        return {**{f"host-config {name}": hc for name, hc in self.hostconfigs().items()}, **rows}

    def setting(self) -> dict:
        return self.all(f"{PLUGIN_API}/setting")[0]


def changes(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    """What differs between two snapshots, field by field (a failed assertion says what was written)."""
    found = [f"{key}: {'added' if key in after else 'removed'}" for key in sorted(set(before) ^ set(after))]
    for key in sorted(set(before) & set(after)):
        fields = sorted(set(before[key]) | set(after[key]))
        found += [f"{key}.{field}: {before[key].get(field)!r} -> {after[key].get(field)!r}"
                  for field in fields if before[key].get(field) != after[key].get(field)]
    return found


class Run(t.NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    summary: dict[str, t.Any]

    def explain(self) -> str:
        return f"rc={self.returncode}\nSTDOUT:\n{self.stdout[-6000:]}\nSTDERR:\n{self.stderr[-3000:]}"


class World:
    """One Zabbix version with our own seed in NetBox."""

    def __init__(self, stack: t.Any, version: str, netbox_env: dict[str, str], tmp: Path) -> None:
        self.version = version
        self.zabbix_env = stack.env_or_skip(f"zabbix-{version}.env", f"stack/zabbix.sh up {version}")
        self.zabbix = stack.ZabbixAPI({**self.zabbix_env, "ZABBIX_VERSION": self.zabbix_env.get("ZABBIX_VERSION", version)})
        self.netbox_env = netbox_env
        self.netbox = NetBox(netbox_env)
        self.stack = stack
        self.tmp = tmp
        self.runs = 0

    def run(self, *args: str, filters: bool = True, **extra_vars: t.Any) -> Run:
        """playbooks/sync_hosts.yml over our HostConfigs (all of NetBox's when ``filters`` is off)."""
        self.runs += 1
        inventory = self.tmp / f"run{self.runs}.netbox_hostconfig.yml"
        config: dict[str, t.Any] = {"plugin": "netbox_zabbix.sync.hostconfig", "validate_certs": False}
        if filters:
            config["filters"] = {"names": [f"{PREFIX}-*"]}
        inventory.write_text(json.dumps(config))
        log = self.tmp / f"run{self.runs}.jsonl"
        env = self.stack.ansible_env({
            "ZABBIX_URL": self.zabbix_env["ZABBIX_URL"], "ZABBIX_TOKEN": self.zabbix_env["ZABBIX_TOKEN"],
            "NETBOX_API": self.netbox_env["NETBOX_API"], "NETBOX_TOKEN": self.netbox_env["NETBOX_TOKEN"],
            "ANSIBLE_CALLBACKS_ENABLED": "netbox_zabbix.sync.sync_log", "NETBOX_ZABBIX_SYNC_LOG_PATH": str(log),
        })
        cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), "playbooks/sync_hosts.yml", *args]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=900, check=False)
        events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        summaries = [event for event in events if event["event"] == "run_summary"]
        return Run(done.returncode, done.stdout, done.stderr, summaries[-1] if summaries else {})

    def zabbix_hosts(self) -> dict[str, dict]:
        """Our Zabbix hosts by name, with interfaces and the items' interface bindings."""
        hosts = self.zabbix.call("host.get", {
            "output": ["hostid", "host", "name", "status"], "search": {"host": PREFIX}, "startSearch": True,
            "selectInterfaces": ["interfaceid", "type", "main", "useip", "ip", "dns", "port"],
            "selectItems": ["itemid", "interfaceid"],
        })
        return {h["host"]: h for h in hosts}

    def device(self, name: str) -> tuple[str, dict]:
        for path in ("dcim/devices", "virtualization/virtual-machines"):
            found = self.netbox.request("GET", path, params={"name": name})["results"]
            if found:
                return path, found[0]
        raise AssertionError(f"no Device/VM {name}")


@pytest.fixture(scope="module", params=os.environ.get("ZABBIX_VERSIONS", "6.0 7.0").split(), ids=lambda v: f"zabbix{v.replace('.', '')}")
def world(request: pytest.FixtureRequest, stack: t.Any, netbox_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[World]:
    version = request.param
    world = World(stack, version, netbox_env, tmp_path_factory.mktemp(f"identity-{version}"))
    stack.reset_zabbix(version)
    env = {k: v for k, v in {**os.environ, **world.zabbix_env}.items() if k not in ("ZABBIX_USER", "ZABBIX_PASSWORD")}
    fixtures = subprocess.run([str(VENV_BIN / "python"), "stack/zabbix_fixtures.py", "--env-file", str(STACK_DIR / f"zabbix-{version}.env")],
                              capture_output=True, text=True, env=env, cwd=REPO, timeout=300, check=True)
    (world.tmp / "fixtures.json").write_text(fixtures.stdout)

    def seed(*args: str) -> None:
        done = subprocess.run([str(REPO / "stack" / "netbox.sh"), "seed", "--prefix", PREFIX, *args],
                              capture_output=True, text=True, cwd=REPO, timeout=600, check=False)
        assert done.returncode == 0, done.stderr[-3000:]

    seed("--reset", "--count", str(COUNT), "--zabbix-fixtures", str(world.tmp / "fixtures.json"))
    try:
        yield world
    finally:
        seed("--reset", "--count", "0")


def by_hostid(world: World) -> dict[int, dict]:
    return {int(h["hostid"]): h for h in world.zabbix_hosts().values()}


def owned(world: World) -> dict[str, tuple[dict, list[dict]]]:
    """HostConfig name -> (HostConfig, its interface rows)."""
    rows = world.netbox.interface_rows()
    return {name: (hc, [r for r in rows if r["host_config"] == hc["id"]]) for name, hc in world.netbox.hostconfigs().items()}


def test_first_sync_writes_back_every_id_and_a_rerun_writes_nothing(world: World) -> None:
    first = world.run()
    assert first.returncode == 0, first.explain()
    assert (first.summary["created"], first.summary["failed"]) == (COUNT, 0), first.summary
    hosts = world.zabbix_hosts()
    assert len(hosts) == COUNT, sorted(hosts)
    for name, (hc, rows) in owned(world).items():
        zhost = hosts[name.removeprefix("z-")]
        assert hc["hostid"] == int(zhost["hostid"]) and hc["in_sync"] is True, hc
        by_id = {int(z["interfaceid"]): z for z in zhost["interfaces"]}
        assert len(rows) == len(by_id) >= 1, (name, rows, zhost["interfaces"])
        for row in rows:
            assert row["hostid"] == int(zhost["hostid"]), row
            zif = by_id[row["interfaceid"]]  # the row names the Zabbix interface it owns
            assert zif["type"] == ("1" if row["kind"] == "agent" else "2") and zif["port"] == str(row["port"]), (row, zif)
    written = first.summary["writeback"]["patched"]
    assert written == COUNT + sum(len(rows) for _hc, rows in owned(world).values()), first.summary["writeback"]

    before = world.netbox.snapshot()
    again = world.run()
    assert again.returncode == 0, again.explain()
    assert (again.summary["unchanged"], again.summary["writeback"]["patched"]) == (COUNT, 0), again.summary
    assert changes(before, world.netbox.snapshot()) == []  # a steady state writes nothing to NetBox


def full_hosts(world: World) -> dict[str, dict]:
    """Everything of our hosts that the plugin's update sends, flattened to paths."""
    is7 = world.version.startswith("7")
    monitoring = ["monitored_by", "proxyid", "proxy_groupid"] if is7 else ["proxy_hostid"]
    hosts = world.zabbix.call("host.get", {
        "output": ["hostid", "host", "name", "status", "description", "inventory_mode", *monitoring],
        "search": {"host": PREFIX}, "startSearch": True, "selectInterfaces": "extend", "selectItems": ["itemid", "interfaceid"],
        "selectParentTemplates": ["templateid"], "selectHostGroups" if is7 else "selectGroups": ["groupid"],
    })
    flat: dict[str, t.Any] = {}

    def walk(prefix: str, value: t.Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}", item)
        elif isinstance(value, list):
            for item in value:
                key = item.get("interfaceid") if "ip" in item else item.get("itemid") or item.get("templateid") or item.get("groupid")
                walk(f"{prefix}[{key}]", item)
        else:
            flat[prefix] = value

    for host in hosts:
        walk(host["hostid"], host)
    return flat


# The plugin's own faults (../shared/spec/hostconfig-api.md, "Known faults of the plugin's own
# sync"): it sends a null SNMP contextname as the string "None". Not ours to prevent.
PLUGIN_FAULTS = ((".details.contextname", "", "None"),)


def test_the_plugins_own_update_changes_nothing_after_a_sync(world: World) -> None:
    # The plugin itself supports 7.0+; on 6.0 its payload less the 7.0-only monitoring fields
    # is a valid host.update too, and the same identity rules hold.
    before = world.zabbix_hosts()
    assert before and any(h["items"] for h in before.values()), "no host has items bound to an interface: the check would prove nothing"
    full_before = full_hosts(world)
    refused = []
    for hc in world.netbox.hostconfigs().values():
        params = plugin_update.payload(world.netbox, hc["id"], zabbix7=world.version.startswith("7"))
        assert all("interfaceid" in entry for entry in params["interfaces"]), params  # every row holds its id
        try:
            world.zabbix.call("host.update", params)
        except RuntimeError as exc:  # the plugin's own payload, refused by Zabbix: report, never hide
            refused.append(f"{hc['name']}: {exc}")
    assert world.zabbix_hosts() == before, "the plugin's update changed interfaces or item bindings"
    assert not refused, refused
    full_after = full_hosts(world)
    changed = {path: (full_before.get(path), full_after.get(path)) for path in set(full_before) | set(full_after)
               if full_before.get(path) != full_after.get(path)}
    ours = {path: change for path, change in changed.items()
            if not any(path.endswith(suffix) and change == (old, new) for suffix, old, new in PLUGIN_FAULTS)}
    assert not ours, f"the plugin's update changed what the sync wrote: {ours}"
    if changed:  # leave the hosts as the sync made them for the next tests
        assert world.run().returncode == 0


def test_renames_keep_the_host_and_orphan_delete_takes_nothing(world: World) -> None:
    hosts = world.zabbix_hosts()
    device = next(name for name in hosts if "-dev-" in name)
    vm = next(name for name in hosts if "-vm-" in name)
    old = {name: hosts[name] for name in (device, vm)}
    for name in (device, vm):
        path, obj = world.device(name)
        world.netbox.request("PATCH", f"{path}/{obj['id']}", json={"name": f"{name}-renamed"})
    # unfiltered: the orphan step runs, and must not take the renamed hosts
    assert set(world.netbox.hostconfigs()) == {hc["name"] for hc in world.netbox.all(f"{PLUGIN_API}/host-config")}, (
        "NetBox holds HostConfigs of another test: the orphan step would judge them")
    result = world.run(filters=False, sync_hosts_orphan_policy="delete")
    assert result.returncode == 0, result.explain()
    assert (result.summary["updated"], result.summary["created"], result.summary["orphans"]) == (2, 0, []), result.summary
    after = world.zabbix_hosts()
    assert len(after) == COUNT
    for name in (device, vm):
        renamed = after[f"{name}-renamed"]
        assert renamed["hostid"] == old[name]["hostid"]
        assert renamed["interfaces"] == old[name]["interfaces"] and renamed["items"] == old[name]["items"]
        assert name not in after


def test_a_rename_by_hand_in_zabbix_is_reverted(world: World) -> None:
    name, zhost = sorted(world.zabbix_hosts().items())[0]
    world.zabbix.call("host.update", {"hostid": zhost["hostid"], "host": f"{name}-by-hand"})
    result = world.run()
    assert result.returncode == 0 and result.summary["updated"] == 1, result.explain()
    assert world.zabbix_hosts()[name]["hostid"] == zhost["hostid"]
    assert f"{name}-by-hand" not in world.zabbix_hosts()


def test_main_swap_keeps_items_on_their_interface(world: World) -> None:
    hosts = by_hostid(world)
    configs = owned(world)
    # an agent-only host whose template binds items to the agent interface
    name = next(n for n, (hc, rows) in configs.items() if [r["kind"] for r in rows] == ["agent"] and hosts[hc["hostid"]]["items"])
    hc, (row,) = configs[name]
    ip = world.netbox.request("POST", "ipam/ip-addresses", json={"address": "198.51.100.77/24", "status": "active"})
    second = world.netbox.request("POST", f"{PLUGIN_API}/agent-interface", json={
        "name": f"{name}-agent2", "host_config": hc["id"], "interface_type": row["interface_type"],
        "interface_id": row["interface_id"], "ip_address": ip["id"], "main": 0, "useip": 1, "port": 10050,
    })
    try:
        added = world.run()
        assert added.returncode == 0 and added.summary["updated"] == 1, added.explain()
        zhost = by_hostid(world)[hc["hostid"]]
        items_before = {item["itemid"]: item["interfaceid"] for item in zhost["items"]}
        first_id, second_id = row["interfaceid"], world.netbox.request("GET", f"{PLUGIN_API}/agent-interface/{second['id']}")["interfaceid"]
        assert second_id and first_id != second_id

        world.netbox.request("PATCH", f"{PLUGIN_API}/agent-interface/{row['id']}", json={"main": 0})
        world.netbox.request("PATCH", f"{PLUGIN_API}/agent-interface/{second['id']}", json={"main": 1})
        swapped = world.run()
        assert swapped.returncode == 0 and swapped.summary["updated"] == 1, swapped.explain()
        zhost = by_hostid(world)[hc["hostid"]]
        interfaces = {int(z["interfaceid"]): z for z in zhost["interfaces"]}
        assert set(interfaces) == {first_id, second_id}  # the same two interfaces, updated in place
        assert interfaces[second_id]["main"] == "1" and interfaces[second_id]["ip"] == "198.51.100.77"
        assert interfaces[first_id]["main"] == "0"
        assert {item["itemid"]: item["interfaceid"] for item in zhost["items"]} == items_before
    finally:
        world.netbox.request("DELETE", f"{PLUGIN_API}/agent-interface/{second['id']}")
        world.netbox.request("DELETE", f"ipam/ip-addresses/{ip['id']}")
        world.netbox.request("PATCH", f"{PLUGIN_API}/agent-interface/{row['id']}", json={"main": 1})


def test_a_second_hostconfig_for_a_synced_name_fails_alone(world: World) -> None:
    hosts = world.zabbix_hosts()
    device = next(name for name in hosts if "-dev-" in name)
    cluster = world.netbox.all("virtualization/clusters")[0]
    vm = world.netbox.request("POST", "virtualization/virtual-machines", json={"name": device, "cluster": cluster["id"], "status": "active"})
    types = {(r["app_label"], r["model"]): r["id"] for r in world.netbox.all("core/object-types")}
    group = world.netbox.all(f"{PLUGIN_API}/host-group")[0]
    hc = world.netbox.request("POST", f"{PLUGIN_API}/host-config", json={
        "name": f"z-{PREFIX}-dup", "content_type": types[("virtualization", "virtualmachine")], "object_id": vm["id"],
        "status": 0, "monitored_by": 0, "host_groups": [group["id"]], "templates": [],
    })
    try:
        result = world.run()
        assert result.returncode == 2, result.explain()
        failed = {item["host"]: item["error"] for item in result.summary["failed_hosts"]}
        assert list(failed) == [f"z-{PREFIX}-dup"], result.summary
        message = failed[f"z-{PREFIX}-dup"]
        assert message.startswith(f"z-{PREFIX}-dup: ") and message.count(f"z-{PREFIX}-dup") == 1, message
        owner = next(h for h in world.netbox.hostconfigs().values() if h["hostid"] == int(hosts[device]["hostid"]))
        assert f"HostConfig #{owner['id']}" in message, message
        assert (result.summary["total"], result.summary["failed"], result.summary["created"]) == (COUNT + 1, 1, 0)  # the others synced
        assert world.zabbix_hosts()[device]["hostid"] == hosts[device]["hostid"]  # not taken over
    finally:
        world.netbox.request("DELETE", f"{PLUGIN_API}/host-config/{hc['id']}")
        world.netbox.request("DELETE", f"virtualization/virtual-machines/{vm['id']}")


@pytest.mark.parametrize("formatting", ["upper", "lower"])
def test_orphan_marker_follows_tag_name_formatting(world: World, formatting: str) -> None:
    setting = world.netbox.setting()
    world.netbox.request("PATCH", f"{PLUGIN_API}/setting/{setting['id']}", json={"tag_name_formatting": formatting})
    victim = sorted(world.netbox.hostconfigs().values(), key=lambda hc: hc["id"])[-1]
    try:
        tagged = world.run()  # re-tags every host in the new spelling
        assert tagged.returncode == 0, tagged.explain()
        marker = f"{setting['tag_prefix']}{setting['default_tag']}"
        marker = marker.upper() if formatting == "upper" else marker.lower()
        zhost = world.zabbix.call("host.get", {"output": ["hostid"], "hostids": [victim["hostid"]], "selectTags": ["tag"]})[0]
        assert marker in {tag["tag"] for tag in zhost["tags"]}
        world.netbox.request("DELETE", f"{PLUGIN_API}/host-config/{victim['id']}")
        report = world.run(filters=False)
        assert report.returncode == 0, report.explain()
        assert [orphan["hostid"] for orphan in report.summary["orphans"]] == [str(victim["hostid"])], report.summary
    finally:
        world.netbox.request("PATCH", f"{PLUGIN_API}/setting/{setting['id']}", json={"tag_name_formatting": setting["tag_name_formatting"]})
        if world.zabbix.call("host.get", {"output": ["hostid"], "hostids": [victim["hostid"]]}):
            world.zabbix.call("host.delete", [str(victim["hostid"])])  # the next case judges only its own orphan
