# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-inventory with netbox_zabbix.sync.hostconfig against the real local NetBox 4.7.

Seeds its own objects (prefix ``itinv``) with stack/seed.py, then checks the inventory field
by field against what NetBox's REST API says, read independently here (full detail rows, no
``fields=``, no shared code with the plugin). Needs ``stack/netbox.sh up``; skips otherwise.
"""

from __future__ import annotations

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
from ansible_json import unwrap_unsafe  # noqa: E402
STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
ENV_FILE = STACK_DIR / "netbox.env"
VENV_BIN = REPO / ".venv" / "bin"
PREFIX = "itinv"
PLUGIN_API = "plugins/netbox_zabbix"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not ENV_FILE.exists(), reason=f"no NetBox stack: {ENV_FILE} missing (run stack/netbox.sh up)"),
]

SECURITYLEVEL = {0: "noauthnopriv", 1: "authnopriv", 2: "authpriv"}
AUTHPROTOCOL = {0: "md5", 1: "sha1", 2: "sha224", 3: "sha256", 4: "sha384", 5: "sha512"}
PRIVPROTOCOL = {0: "des", 1: "aes128", 2: "aes192", 3: "aes256", 4: "aes192c", 5: "aes256c"}


@pytest.fixture(scope="module")
def netbox() -> dict[str, str]:
    return read_env_file(ENV_FILE)


class Rest:
    """A tiny independent REST reader (requests only) for the expected values."""

    def __init__(self, netbox: dict[str, str]) -> None:
        import requests

        self.base = netbox["NETBOX_API"].rstrip("/")
        if self.base.endswith("/api"):
            self.base = self.base[:-4]
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {netbox['NETBOX_TOKEN']}"

    def get(self, path: str, **params: t.Any) -> t.Any:
        response = self.session.get(f"{self.base}/api/{path.strip('/')}/", params=params, timeout=60)
        response.raise_for_status()
        return response.json()

    def all(self, path: str, **params: t.Any) -> list[dict]:
        rows: list[dict] = []
        offset = 0
        while True:
            page = self.get(path, ordering="id", limit=1000, offset=offset, **params)
            rows.extend(page["results"])
            offset += len(page["results"])
            if not page["next"]:
                return rows


@pytest.fixture(scope="module")
def rest(netbox) -> Rest:
    return Rest(netbox)


@pytest.fixture(scope="module")
def seeded(netbox) -> dict[str, t.Any]:
    """40 hosts and 3 broken HostConfigs of our own, removed afterwards."""
    command = [str(REPO / "stack" / "netbox.sh"), "seed", "--prefix", PREFIX, "--count", "40", "--broken", "3",
               "--reset"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    yield summary
    subprocess.run([str(REPO / "stack" / "netbox.sh"), "seed", "--prefix", PREFIX, "--count", "0", "--reset"],
                   capture_output=True, text=True, timeout=600, check=False)


def inventory_file(tmp_path: Path, name: str = "it", **options: t.Any) -> Path:
    path = tmp_path / f"{name}.netbox_hostconfig.yml"
    path.write_text(json.dumps({"plugin": "netbox_zabbix.sync.hostconfig", **options}))  # JSON is YAML
    return path


def run_inventory(path: Path, netbox: dict[str, str], *args: str, token: str | None = None,
                  url: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".cache" / "collections"),
        "NETBOX_API": url or netbox["NETBOX_API"],
        "NETBOX_TOKEN": token or netbox["NETBOX_TOKEN"],
        "ANSIBLE_NOCOLOR": "1",
    }
    output = path.with_suffix(".out.json")
    output.unlink(missing_ok=True)
    result = subprocess.run(
        [str(VENV_BIN / "ansible-inventory"), "-i", str(path), "--list", "--output", str(output), *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=600, check=False)
    if check:
        # default ansible-core settings: a source that failed is only a warning, so look for it
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Unable to parse" not in result.stderr and "Failed to parse" not in result.stderr, result.stderr[-3000:]
    result.listing = output.read_text() if output.exists() else ""  # type: ignore[attr-defined]
    return result


def parse_list(result: subprocess.CompletedProcess) -> tuple[dict[str, dict], dict[str, set[str]]]:
    data = unwrap_unsafe(json.loads(result.listing))  # type: ignore[attr-defined]
    hostvars = data["_meta"]["hostvars"]
    groups = {name: set(group.get("hosts", [])) for name, group in data.items() if name != "_meta"}
    return hostvars, groups


# --- the independent expectation --------------------------------------------------------


def display(value: t.Any) -> str:
    if isinstance(value, dict):
        for key in ("display", "name", "value"):
            if value.get(key) is not None:
                return str(value[key])
    return str(value)


def resolve(rest: Rest, obj: dict, path: str) -> t.Any:
    """Walk a path on a full detail row, fetching the detail of a nested object when needed."""
    current: t.Any = obj
    for step in path.split("."):
        if not isinstance(current, dict):
            return None
        if step not in current and "url" in current:
            current = rest.session.get(current["url"], timeout=60).json()
        current = current.get(step)
        if current is None:
            return None
    return current


def expected_host(rest: Rest, hc: dict, cache: dict) -> dict[str, t.Any]:
    setting = cache["setting"]
    object_type = cache["content_types"][hc["content_type"]]
    endpoint = "dcim/devices" if object_type == "device" else "virtualization/virtual-machines"
    obj = rest.get(f"{endpoint}/{hc['object_id']}")
    prefix = setting.get("tag_prefix") or ""
    interfaces = []
    for kind, rows in (("agent", cache["agent"].get(hc["id"], [])), ("snmp", cache["snmp"].get(hc["id"], []))):
        for n, row in enumerate(rows):
            ip = rest.get(f"ipam/ip-addresses/{row['ip_address']}")
            interface = {"type": kind, "main": n == 0, "useip": row["useip"] == 1,
                         "ip": ip["address"].split("/")[0], "dns": ip["dns_name"] or "", "port": str(row["port"])}
            if kind == "snmp":
                details: dict[str, t.Any] = {"version": row["version"], "bulk": row["bulk"] == 1}
                if row["version"] in (1, 2):
                    details["community"] = "{$SNMP_COMMUNITY}"
                if row["version"] in (2, 3):
                    details["max_repetitions"] = row["max_repetitions"]
                if row["version"] == 3:
                    details.update({
                        "contextname": row["contextname"] or "", "securityname": row["securityname"] or "",
                        "securitylevel": SECURITYLEVEL[row["securitylevel"]],
                        "authprotocol": AUTHPROTOCOL[row["authprotocol"]],
                        "privprotocol": PRIVPROTOCOL[row["privprotocol"]],
                        "authpassphrase": row["authpassphrase"] or "", "privpassphrase": row["privpassphrase"] or "",
                    })
                interface["details"] = details
            interfaces.append(interface)

    tags = []
    if setting.get("default_tag"):
        tags.append({"tag": prefix + setting["default_tag"], "value": str(obj["id"])})
    for entry in cache["tag_mappings"][object_type]["selection"]:
        if not entry["enabled"]:
            continue
        value = resolve(rest, obj, entry["value"])
        if value is None:
            continue
        if isinstance(value, list):
            tags.extend({"tag": prefix + display(e), "value": display(e)} for e in value)
        elif isinstance(value, float):
            tags.append({"tag": prefix + entry["name"], "value": f"{value:.6f}"})
        else:
            tags.append({"tag": prefix + entry["name"], "value": display(value)})
    unique = []
    for tag in tags:
        if tag not in unique:
            unique.append(tag)

    inventory = {}
    for entry in cache["inventory_mappings"][object_type]["selection"]:
        if not entry["enabled"]:
            continue
        for path in entry["paths"]:
            value = resolve(rest, obj, path)
            if value is not None:
                inventory[entry["invkey"]] = f"{value:.6f}" if isinstance(value, float) else display(value)
                break

    def reference(row: dict, id_key: str) -> dict[str, str]:
        ref = {"name": row["name"]}
        if row.get(id_key) not in (None, "", "0"):
            ref[id_key] = row[id_key]
        return ref

    host: dict[str, t.Any] = {
        "host": obj["name"], "name": obj["name"], "description": hc["description"] or "",
        "status": {0: "enabled", 1: "disabled"}[hc["status"]],
        "host_groups": [reference(cache["host_groups"][pk], "groupid") for pk in hc["host_groups"]],
        "templates": [reference(cache["templates"][pk], "templateid") for pk in hc["templates"]],
        "interfaces": interfaces,
        "monitored_by": {0: "server", 1: "proxy", 2: "proxy_group"}[hc["monitored_by"]],
        "tags": unique,
        "inventory_mode": {-1: "disabled", 0: "manual", 1: "automatic"}[setting.get("inventory_mode", 0)],
    }
    if hc["monitored_by"] == 1:
        host["proxy"] = reference(cache["proxies"][hc["proxy"]], "proxyid")
    if hc["monitored_by"] == 2:
        host["proxy_group"] = reference(cache["proxy_groups"][hc["proxy_group"]], "proxy_groupid")
    if host["inventory_mode"] == "manual":
        host["inventory"] = inventory
    return host


@pytest.fixture(scope="module")
def reference_data(rest, seeded) -> dict[str, t.Any]:
    def by_id(rows):
        return {row["id"]: row for row in rows}

    def grouped(rows):
        result: dict[int, list] = {}
        for row in rows:
            result.setdefault(row["host_config"], []).append(row)
        return result

    content_types = {}
    for app_label, model, name in (("dcim", "device", "device"),
                                   ("virtualization", "virtualmachine", "virtualmachine")):
        for row in rest.get("core/object-types", app_label=app_label, model=model)["results"]:
            content_types[row["id"]] = name
    hostconfigs = [hc for hc in rest.all(f"{PLUGIN_API}/host-config", q=f"z-{PREFIX}-")
                   if hc["name"].startswith(f"z-{PREFIX}-")]
    return {
        "setting": min(rest.all(f"{PLUGIN_API}/setting"), key=lambda row: row["id"]),
        "content_types": content_types,
        "hostconfigs": hostconfigs,
        "host_groups": by_id(rest.all(f"{PLUGIN_API}/host-group")),
        "templates": by_id(rest.all(f"{PLUGIN_API}/templates")),
        "proxies": by_id(rest.all(f"{PLUGIN_API}/proxy")),
        "proxy_groups": by_id(rest.all(f"{PLUGIN_API}/proxy-group")),
        "tag_mappings": {row["object_type"]: row for row in rest.all(f"{PLUGIN_API}/tag-mapping")},
        "inventory_mappings": {row["object_type"]: row for row in rest.all(f"{PLUGIN_API}/inventory-mapping")},
        "agent": grouped(rest.all(f"{PLUGIN_API}/agent-interface")),
        "snmp": grouped(rest.all(f"{PLUGIN_API}/snmp-interface")),
    }


@pytest.fixture(scope="module")
def listed(tmp_path_factory, netbox, seeded) -> tuple[dict, dict, str]:
    path = inventory_file(tmp_path_factory.mktemp("inv"), filters={"names": [f"{PREFIX}-*"]})
    result = run_inventory(path, netbox, "-v")
    hostvars, groups = parse_list(result)
    return hostvars, groups, result.stdout + result.stderr


# --- the tests --------------------------------------------------------------------------


def test_every_seeded_hostconfig_is_listed(listed, seeded, reference_data):
    hostvars, groups, _output = listed
    healthy = [hc for hc in reference_data["hostconfigs"] if "broken" not in hc["name"]]
    assert len(healthy) == seeded["host_configs"] - 3
    names = {name for name in hostvars if name.startswith(f"{PREFIX}-") and "broken" not in name}
    assert names == {hc["name"][2:] for hc in healthy}  # HostConfig "z-<name>" -> host "<name>"
    assert groups["netbox_hostconfig"] >= names


# Sets in Zabbix, many-to-many rows in NetBox: the plugin's list has no ORDER BY for them (nor a
# prefetch), so two reads may give the same groups in another order.
UNORDERED = ("host_groups", "templates")


def as_set(items: t.Any) -> list[str]:
    return sorted(json.dumps(item, sort_keys=True) for item in items or [])


def test_field_by_field(listed, rest, reference_data):
    hostvars, _groups, _output = listed
    healthy = [hc for hc in reference_data["hostconfigs"] if "broken" not in hc["name"]]
    # a spread of devices and VMs, agent/SNMPv2/SNMPv3, proxies
    sample = healthy[::4]
    for hc in sample:
        name = hc["name"][2:]
        host = hostvars[name]
        expected = expected_host(rest, hc, reference_data)
        for key, value in expected.items():
            got = host["zabbix_host"][key]
            if key in UNORDERED:
                got, value = as_set(got), as_set(value)
            assert got == value, f"{name}: zabbix_host.{key}"
        assert set(host["zabbix_host"]) == set(expected), name
        assert host["zabbix_host_valid"] is True, host["zabbix_host_errors"]
        assert host["zabbix_host_errors"] == []
        object_type = reference_data["content_types"][hc["content_type"]]
        rows = [(kind, row) for kind in ("agent", "snmp") for row in reference_data[kind].get(hc["id"], [])]
        assert host["netbox_hostconfig"] == {"id": hc["id"], "name": hc["name"], "hostid": hc["hostid"],
                                             "in_sync": hc["in_sync"], "object_type": object_type,
                                             "object_id": hc["object_id"],
                                             "interfaces": [{"kind": kind, "id": row["id"], "hostid": row["hostid"],
                                                             "interfaceid": row["interfaceid"]} for kind, row in rows]}
        endpoint = "dcim/devices" if object_type == "device" else "virtualization/virtual-machines"
        obj = rest.get(f"{endpoint}/{hc['object_id']}")
        assert host["netbox_object"] == {
            "name": obj["name"],
            "site": (obj["site"] or {}).get("name"),
            "tenant": (obj["tenant"] or {}).get("name"),
            "role": (obj["role"] or {}).get("name"),
            "platform": (obj["platform"] or {}).get("name"),
            "tags": [tag["name"] for tag in obj["tags"]],
            "status": obj["status"]["value"],
        }, name
        assert host["ansible_connection"] == "local"
        assert host["netbox_inventory_filtered"] is True


def test_groups(listed, reference_data):
    hostvars, groups, _output = listed
    ours = {name for name in hostvars if name.startswith(f"{PREFIX}-")}
    by_type = {"device": set(), "virtualmachine": set()}
    for hc in reference_data["hostconfigs"]:
        if hc["name"][2:] in ours:
            by_type[reference_data["content_types"][hc["content_type"]]].add(hc["name"][2:])
    assert groups["zabbix_device"] & ours == by_type["device"]
    assert groups["zabbix_virtualmachine"] & ours == by_type["virtualmachine"]
    disabled = {name for name in ours if hostvars[name]["zabbix_host"]["status"] == "disabled"}
    assert groups.get("zabbix_disabled", set()) & ours == disabled
    assert groups["zabbix_enabled"] & ours == ours - disabled
    for name in ours:
        for group in hostvars[name]["zabbix_host"]["host_groups"]:
            safe = re.sub(r"[^a-z0-9_]", "_", group["name"].lower())
            assert name in groups[f"zabbix_hostgroup_{safe}"]
        site = hostvars[name]["netbox_object"]["site"]
        assert any(name in members for group, members in groups.items() if group.startswith("netbox_site_")), site


def test_requests_counted_at_v(listed, seeded, rest):
    _hostvars, _groups, output = listed
    match = re.search(r"(\d+) HostConfigs read from \S+ in [\d.]+ s with (\d+) HTTP requests", output)
    assert match, output[-2000:]
    assert int(match.group(1)) == seeded["host_configs"] - 1  # the name filter drops the orphan (no name)
    # Pages, not hosts: about 25 requests, plus a few for every 1,000-row page of the lists
    # (other data in this NetBox, e.g. a benchmark's 10,000 HostConfigs, adds pages).
    pages = -(-rest.get("plugins/netbox_zabbix/host-config", ordering="id", limit=1)["count"] // 1000)
    assert int(match.group(2)) < 35 + 5 * pages


def test_both_token_formats_give_the_same_inventory(tmp_path, netbox, seeded):
    if not netbox.get("NETBOX_TOKEN_V1"):
        pytest.skip("no v1 token in netbox.env")
    path = inventory_file(tmp_path, filters={"names": [f"{PREFIX}-*"]})
    v2 = run_inventory(path, netbox, token=netbox["NETBOX_TOKEN"])
    v1 = run_inventory(path, netbox, token=netbox["NETBOX_TOKEN_V1"])
    assert netbox["NETBOX_TOKEN"].startswith("nbt_") and not netbox["NETBOX_TOKEN_V1"].startswith("nbt_")
    assert json.loads(v1.listing) == json.loads(v2.listing)


def test_broken_hostconfigs_are_listed_invalid(tmp_path, netbox, seeded):
    path = inventory_file(tmp_path, filters={"status": ["enabled", "disabled"]})  # orphans pass status filters
    hostvars, groups = parse_list(run_inventory(path, netbox))
    broken = {name: vars_ for name, vars_ in hostvars.items() if "broken" in name and PREFIX in name}
    assert len(broken) == 3
    errors = {name: vars_["zabbix_host_errors"] for name, vars_ in broken.items()}
    assert all(not vars_["zabbix_host_valid"] for vars_ in broken.values())
    assert groups["zabbix_invalid"] >= set(broken)
    deleted = [name for name in broken if name.startswith("z-")]  # named after the HostConfig
    assert len(deleted) == 1
    assert re.fullmatch(r"object_id: device #\d+ not found in NetBox \(deleted\?\)", errors[deleted[0]][0])
    flat = [error for errs in errors.values() for error in errs]
    assert any(re.fullmatch(r"interfaces\[0\]: agent interface '.*' has no IP address", e) for e in flat), flat
    assert "proxy: monitored_by is proxy but no proxy is set" in flat


@pytest.mark.parametrize("filters, check", [
    ({"status": ["disabled"]}, lambda v: v["zabbix_host"]["status"] == "disabled"),
    ({"object_types": ["virtualmachine"]}, lambda v: v["netbox_hostconfig"]["object_type"] == "virtualmachine"),
    ({"tags": [f"{PREFIX}-prod"]}, lambda v: f"{PREFIX}-prod" in v["netbox_object"]["tags"]),
    ({"roles": [f"{PREFIX}-server"]}, lambda v: v["netbox_object"]["role"] == f"{PREFIX}-server"),
    ({"sites": [f"{PREFIX}-site-ams"]}, lambda v: v["netbox_object"]["site"] == f"{PREFIX}-site-ams"),
    ({"tenants": [f"{PREFIX}-ops"]}, lambda v: v["netbox_object"]["tenant"] == f"{PREFIX}-ops"),
])
def test_filters(tmp_path, netbox, listed, filters, check):
    everything, _groups, _output = listed
    path = inventory_file(tmp_path, filters={"names": [f"~{PREFIX}-(dev|vm)-"], **filters})
    hostvars, _groups = parse_list(run_inventory(path, netbox))
    assert hostvars, "the filter selected nothing"
    assert all(check(vars_) for vars_ in hostvars.values())
    assert all(vars_["netbox_inventory_filtered"] for vars_ in hostvars.values())
    expected = {name for name, vars_ in everything.items() if check(vars_) and "broken" not in name}
    assert set(hostvars) == expected


def test_no_filter_is_not_filtered(tmp_path, netbox, seeded):
    hostvars, _groups = parse_list(run_inventory(inventory_file(tmp_path), netbox))
    assert hostvars and not any(vars_["netbox_inventory_filtered"] for vars_ in hostvars.values())


def test_cache_and_refresh(tmp_path, netbox, reference_data):

    sys.path.insert(0, str(REPO / ".cache" / "collections"))
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import NetBoxClient, NetBoxOptions

    hc = next(hc for hc in reference_data["hostconfigs"] if "broken" not in hc["name"])
    name = hc["name"][2:]
    path = inventory_file(tmp_path, filters={"names": [name]}, cache=True, cache_plugin="ansible.builtin.jsonfile",
                          cache_connection=str(tmp_path / "cache"), cache_timeout=600)
    client = NetBoxClient(NetBoxOptions(url=netbox["NETBOX_API"], token=netbox["NETBOX_TOKEN"]))
    before = parse_list(run_inventory(path, netbox))[0][name]["zabbix_host"]["description"]
    assert list((tmp_path / "cache").iterdir()), "nothing cached"
    try:
        client.patch_hostconfig(hc["id"], {"description": "changed by the cache test"})
        cached = parse_list(run_inventory(path, netbox))[0][name]["zabbix_host"]["description"]
        assert cached == before
        fresh = parse_list(run_inventory(path, netbox, "--flush-cache"))[0][name]["zabbix_host"]["description"]
        assert fresh == "changed by the cache test"
        again = parse_list(run_inventory(path, netbox))[0][name]["zabbix_host"]["description"]
        assert again == "changed by the cache test"  # the refresh rewrote the cache
    finally:
        client.patch_hostconfig(hc["id"], {"description": hc["description"]})
    assert client.request_count == 2


def test_event_log_write(netbox):

    sys.path.insert(0, str(REPO / ".cache" / "collections"))
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import NetBoxClient, NetBoxOptions

    client = NetBoxClient(NetBoxOptions(url=netbox["NETBOX_API"], token=netbox["NETBOX_TOKEN"]))
    row = client.post_event_log("itinv event", "total=1 updated=1 failed=0", {"total": 1, "updated": 1, "failed": 0})
    assert row["name"] == "itinv event" and row["data"] == {"total": 1, "updated": 1, "failed": 0}
    assert client.request_count == 1


# --- connection errors: one clear message, no traceback, no token ------------------------


def assert_one_clear_error(result: subprocess.CompletedProcess, pattern: str, token: str) -> None:
    """Default ansible-core settings: the source fails with a warning, and the plugin records why
    (``netbox_hostconfig_sources``, what the sync playbook fails the run with)."""
    output = result.stdout + result.stderr
    assert re.search(pattern, output), output
    assert "Traceback" not in output
    assert token not in output
    # ansible-core prints the one AnsibleParserError as a summary line plus its "caused by" detail
    assert len(set(re.findall(pattern + ".*", output))) == 1, output
    exported = unwrap_unsafe(json.loads(result.listing))  # type: ignore[attr-defined]
    sources = exported["all"]["vars"]["netbox_hostconfig_sources"]
    assert len(sources) == 1 and list(sources.values())[0]["ok"] is False, sources
    assert re.search(pattern, list(sources.values())[0]["error"]), sources


def test_bad_token(tmp_path, netbox):
    token = "nbt_AAAAAAAAAAAA.0000000000000000000000000000000000000000"
    result = run_inventory(inventory_file(tmp_path), netbox, "--export", token=token, check=False)
    assert_one_clear_error(result, r"refused the token \(HTTP 40[13]\)", token)


def test_bad_v1_token(tmp_path, netbox):
    token = "0" * 40
    result = run_inventory(inventory_file(tmp_path), netbox, "--export", token=token, check=False)
    assert_one_clear_error(result, r"refused the token \(HTTP 40[13]\)", token)


def test_wrong_url(tmp_path, netbox):
    result = run_inventory(inventory_file(tmp_path), netbox, "--export", url="http://127.0.0.1:1", check=False)
    assert_one_clear_error(result, r"cannot reach NetBox at http://127\.0\.0\.1:1", netbox["NETBOX_TOKEN"])


def test_not_a_netbox(tmp_path, netbox):
    zabbix_env = STACK_DIR / "zabbix-7.0.env"
    if not zabbix_env.exists():
        pytest.skip("no other HTTP service to point at")
    url = read_env_file(zabbix_env)["ZABBIX_URL"]
    result = run_inventory(inventory_file(tmp_path), netbox, "--export", url=url, check=False)
    assert_one_clear_error(result, r"does not look like a NetBox API|not JSON", netbox["NETBOX_TOKEN"])
