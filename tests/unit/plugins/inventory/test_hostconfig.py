# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory plugin on a FakeClient with the recorded payloads and a real InventoryData."""

from __future__ import annotations

import json
import re
import typing as t
from pathlib import Path
from unittest import mock

import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.plugins.loader import init_plugin_loader

init_plugin_loader()

from ansible_collections.netbox_zabbix.sync.plugins.inventory import hostconfig as plugin_module  # noqa: E402
from ansible_collections.netbox_zabbix.sync.plugins.inventory.hostconfig import InventoryModule  # noqa: E402
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils import _hostconfig_loader as loader_module  # noqa: E402
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import NetBoxError  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[3] / "unit" / "fixtures" / "hostconfig"


def load(name: str) -> t.Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


class FakeClient:
    """Answers like NetBoxClient from the recorded payloads; records every call."""

    def __init__(self, error: NetBoxError | None = None) -> None:
        core = load("core-objects")
        self.lists = {
            "core/object-types?device": load("core-object-types-device")["results"],
            "core/object-types?virtualmachine": load("core-object-types-virtualmachine")["results"],
            "dcim/devices": core["devices"],
            "virtualization/virtual-machines": core["virtual_machines"],
            "ipam/ip-addresses": core["ip_addresses"],
            "dcim/sites": core["sites"],
            "dcim/locations": core["locations"],
        }
        for endpoint in ("setting", "host-group", "templates", "proxy", "proxy-group", "tag-mapping",
                         "inventory-mapping", "agent-interface", "snmp-interface", "host-config"):
            self.lists[endpoint] = load(endpoint)["results"]
        self.error = error
        self.pages = 1
        self.options = mock.Mock(page_size=1000, max_workers=4)
        self.calls: list[tuple] = []
        self.request_count = 0

    def check_plugin(self) -> None:
        self.calls.append(("check_plugin",))
        self.request_count += 1
        if self.error:
            raise self.error

    def plugin_list(self, endpoint: str, params=None) -> list[dict]:
        self.calls.append(("plugin_list", endpoint))
        self.request_count += 1
        return json.loads(json.dumps(self.lists[endpoint]))

    def plugin_pages(self, endpoint: str, on_page, lanes=None, count=None) -> list[dict]:
        """The list in ``self.pages`` pages, each handed to ``on_page`` as NetBoxClient does."""
        self.calls.append(("plugin_pages", endpoint, lanes))
        rows = json.loads(json.dumps(self.lists[endpoint]))
        size = -(-len(rows) // self.pages)
        chunks = [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]
        self.request_count += (count is None) + len(chunks)  # the count unless given, then the pages
        for chunk in chunks:
            on_page(chunk, len(chunks))
        return rows

    def count(self, path: str) -> int:
        self.calls.append(("count", path))
        self.request_count += 1
        return len(self.lists[path.removeprefix("plugins/netbox_zabbix/")])

    def list_all(self, path: str, params=None, count=None) -> list[dict]:
        self.calls.append(("list_all", path, dict(params or {})))
        self.request_count += 1
        if path == "core/object-types":
            return self.lists[f"core/object-types?{params['model']}"]
        if path == "extras/tags":
            return self.tag_rows()
        if params and "tag" in params:  # membership of one tag, ids only
            return [{"id": row["id"]} for row in self.lists[path]
                    if params["tag"] in [tag["slug"] for tag in row.get("tags") or []]]
        return self.lists[path]

    def tag_rows(self) -> list[dict]:
        tags: dict[int, dict] = {}
        for path in ("dcim/devices", "virtualization/virtual-machines"):
            for row in self.lists[path]:
                for tag in row.get("tags") or []:
                    entry = tags.setdefault(tag["id"], {"id": tag["id"], "name": tag["name"], "slug": tag["slug"],
                                                        "color": tag.get("color"), "tagged_items": 0})
                    entry["tagged_items"] += 1
        return [tags[pk] for pk in sorted(tags)]

    def fetch_many(self, path: str, ids, params=None) -> list[dict]:
        return self._by_ids("fetch_many", path, ids, params)

    def get_by_ids(self, path: str, ids, params=None) -> list[dict]:
        return self._by_ids("get_by_ids", path, ids, params)

    def _by_ids(self, how: str, path: str, ids, params=None) -> list[dict]:
        self.calls.append((how, path, sorted(ids), dict(params or {})))
        self.request_count += 1
        wanted = set(ids)
        return [json.loads(json.dumps(row)) for row in self.lists[path] if row["id"] in wanted]


def create_get_option(options: dict[str, t.Any]) -> t.Callable[[str], t.Any]:
    defaults = {
        "netbox_url": "http://netbox.invalid", "netbox_token": "nbt_abc.def", "netbox_validate_certs": True,
        "netbox_timeout": 30, "filters": {}, "tag_mapping_tags": [], "max_workers": 4, "page_size": 1000,
        "compose": {}, "groups": {}, "keyed_groups": [], "strict": False, "cache": False,
        "leading_separator": True, "use_extra_vars": False,
    }

    def get_option(name: str) -> t.Any:
        return options.get(name, defaults.get(name))

    return get_option


@pytest.fixture
def inventory():
    plugin = InventoryModule()
    plugin.inventory = InventoryData()
    plugin.templar = mock.MagicMock()
    return plugin


def populate(plugin: InventoryModule, client: FakeClient, **options: t.Any) -> None:
    plugin.get_option = mock.MagicMock(side_effect=create_get_option(options))
    plugin._client = lambda _options: client
    filters = loader_module.HostConfigFilters(plugin.get_option("filters"))
    entries = plugin._load(plugin_module.NetBoxOptions.from_plugin(plugin), filters)
    plugin._populate(entries, filters.active)


def hostvars(plugin: InventoryModule, name: str) -> dict[str, t.Any]:
    return plugin.inventory.get_host(name).get_vars()


def members(plugin: InventoryModule, group: str) -> set[str]:
    return {host.name for host in plugin.inventory.groups[group].get_hosts()}


def test_every_hostconfig_becomes_a_host(inventory):
    client = FakeClient()
    populate(inventory, client)
    assert len(inventory.inventory.hosts) == 23
    assert members(inventory, "netbox_hostconfig") == set(inventory.inventory.hosts)
    host = hostvars(inventory, "ho-dev-03")
    assert host["ansible_connection"] == "local"
    assert host["zabbix_host_valid"] is True
    assert host["netbox_inventory_filtered"] is False
    assert host["zabbix_host"]["proxy"] == {"name": "ho-proxy", "proxyid": "1"}
    assert host["netbox_hostconfig"] == {"id": 94, "name": "z-ho-dev-03", "hostid": None, "in_sync": False,
                                         "object_type": "device", "object_id": 1077,
                                         "interfaces": [{"kind": "agent", "id": 63, "hostid": None, "interfaceid": None}]}


def test_requests_grow_with_lists_not_hosts(inventory):
    client = FakeClient()
    populate(inventory, client)
    fetched = [call for call in client.calls if call[0] == "fetch_many"]
    # one bulk read each for devices, VMs, IPs - never one per host; sites (for site.region), a
    # list of one page, read whole beside the host-config pages
    assert sorted(call[1] for call in fetched) == ["dcim/devices", "ipam/ip-addresses",
                                                   "virtualization/virtual-machines"]
    assert ("list_all", "dcim/sites", {}) in client.calls
    devices = next(call for call in fetched if call[1] == "dcim/devices")
    assert 1091 in devices[2]  # asked for, absent in the answer: the deleted device
    fields = set(devices[3]["fields"].split(","))
    assert {"id", "name", "site", "tenant", "role", "platform", "status", "location"} <= fields
    vm_fields = set(next(call for call in fetched if call[1].startswith("virtualization"))[3]["fields"].split(","))
    assert "cluster" in vm_fields
    assert "tags" not in fields  # read per tag instead (cheaper for NetBox)
    tag_lists = [call for call in client.calls if call[0] == "list_all" and "tag" in call[2]]
    assert sorted((call[1], call[2]["tag"]) for call in tag_lists) == [
        ("dcim/devices", "production"), ("dcim/devices", "zabbix"),
        ("virtualization/virtual-machines", "production"), ("virtualization/virtual-machines", "zabbix")]
    # check, counts (host-config, devices, VMs, IPs), plugin lists, object types, tags, bulk reads
    # (devices, VMs, IPs), sites (count, list), one list per tag and object type
    assert client.request_count == 1 + 4 + 10 + 2 + 1 + 3 + 2 + 4


def test_builtin_groups(inventory):
    populate(inventory, FakeClient())
    groups = inventory.inventory.groups
    assert len(members(inventory, "zabbix_device")) == 19
    assert members(inventory, "zabbix_virtualmachine") == {"ho-vm-00", "ho-vm-01", "ho-vm-02", "ho-vm-03"}
    assert members(inventory, "zabbix_disabled") == {"ho-dev-06", "ho-dev-13"}
    assert len(members(inventory, "zabbix_enabled")) == 21
    assert members(inventory, "zabbix_invalid") == {"z-ho-deleted", "ho-dev-11", "ho-vm-03"}
    assert members(inventory, "zabbix_hostgroup_linux_servers") == {"it-dev-1"}
    assert "ho-dev-01" in members(inventory, "zabbix_hostgroup_ho_edge")
    assert len(members(inventory, "zabbix_hostgroup_ho_core")) == 22
    assert members(inventory, "netbox_site_fra2") >= {"it-dev-1", "ho-dev-01"}
    assert "ho-dev-00" in members(inventory, "netbox_site_ams1")
    assert "z-ho-deleted" not in members(inventory, "netbox_site_ams1")
    assert "ungrouped" in groups


def test_tags_read_per_tag_equal_the_nested_tags(inventory):
    populate(inventory, FakeClient())
    assert hostvars(inventory, "ho-dev-00")["netbox_object"]["tags"] == ["production", "zabbix"]
    assert hostvars(inventory, "ho-dev-04")["netbox_object"]["tags"] == ["production"]
    assert hostvars(inventory, "ho-vm-01")["netbox_object"]["tags"] == ["production"]
    assert hostvars(inventory, "ho-dev-01")["netbox_object"]["tags"] == []


def test_many_tags_are_read_with_the_rows(inventory, monkeypatch):
    monkeypatch.setattr(loader_module, "MAX_TAGS_BY_MEMBERSHIP", 1)
    client = FakeClient()
    populate(inventory, client)
    devices = next(call for call in client.calls if call[0] == "fetch_many" and call[1] == "dcim/devices")
    assert "tags" in devices[3]["fields"].split(",")
    assert not [call for call in client.calls if call[0] == "list_all" and "tag" in call[2]]
    assert hostvars(inventory, "ho-dev-00")["netbox_object"]["tags"] == ["production", "zabbix"]


def test_few_objects_read_their_tags_with_the_rows(inventory):
    client = FakeClient()
    rows = client.tag_rows()
    for row in rows:
        row["tagged_items"] += 100  # objects without a HostConfig carry the tags too
    client.tag_rows = lambda: rows
    populate(inventory, client, filters={"object_types": ["virtualmachine"]})
    vms = next(call for call in client.calls if call[0] == "fetch_many" and call[1].startswith("virtualization"))
    assert "tags" in vms[3]["fields"].split(",")
    assert hostvars(inventory, "ho-vm-01")["netbox_object"]["tags"] == ["production"]


def test_ignored_tag_filter_falls_back_to_nested_tags(inventory):
    client = FakeClient()
    original = client.list_all

    def ignoring_tag_filter(path, params=None, count=None):
        if params and "tag" in params:
            client.calls.append(("list_all", path, dict(params)))
            return [{"id": row["id"]} for row in client.lists[path]]  # the whole list, as NetBox does
        return original(path, params)

    client.list_all = ignoring_tag_filter
    populate(inventory, client)
    assert hostvars(inventory, "ho-dev-01")["netbox_object"]["tags"] == []
    assert hostvars(inventory, "ho-dev-00")["netbox_object"]["tags"] == ["production", "zabbix"]


def test_broken_hosts_are_listed_with_reasons(inventory):
    populate(inventory, FakeClient())
    deleted = hostvars(inventory, "z-ho-deleted")
    assert deleted["zabbix_host_valid"] is False
    assert deleted["zabbix_host_errors"] == ["object_id: device #1091 not found in NetBox (deleted?)"]
    assert deleted["netbox_hostconfig"]["object_type"] == "device"
    assert hostvars(inventory, "ho-vm-03")["zabbix_host_errors"] == [
        "interfaces[0]: agent interface 'ho-vm-03-agent' points to IP address #1100, which is not in NetBox"]


def test_netbox_error_is_one_parser_error(inventory):
    client = FakeClient(error=NetBoxError("NetBox at http://netbox.invalid refused the token (HTTP 403)", 403))
    with pytest.raises(AnsibleParserError, match=r"^NetBox at .* refused the token"):
        populate(inventory, client)


def test_duplicate_names_keep_both_hosts(inventory):
    client = FakeClient()
    client.lists["virtualization/virtual-machines"][0]["name"] = "ho-dev-00"  # a VM named like a device
    populate(inventory, client)
    assert hostvars(inventory, "ho-dev-00")["zabbix_host_valid"] is True
    renamed = hostvars(inventory, "z-ho-vm-00")
    assert renamed["zabbix_host_valid"] is False
    assert renamed["zabbix_host_errors"] == ["host: 'ho-dev-00' is already the host of HostConfig #91"]
    assert "z-ho-vm-00" in members(inventory, "zabbix_invalid")


# --- filters ---------------------------------------------------------------------------


@pytest.mark.parametrize("filters, expected", [
    ({"status": ["disabled"]}, {"ho-dev-06", "ho-dev-13"}),
    ({"object_types": ["virtualmachine"]}, {"ho-vm-00", "ho-vm-01", "ho-vm-02", "ho-vm-03"}),
    ({"names": ["ho-vm-0[12]"]}, {"ho-vm-01", "ho-vm-02"}),
    ({"names": ["~ho-dev-1[45]$"]}, {"ho-dev-14", "ho-dev-15"}),
    ({"names": ["it-*", "~.*noiface"]}, {"it-dev-1", "ho-noiface"}),
    ({"sites": ["fra2"], "object_types": ["device"], "status": ["disabled"]}, {"ho-dev-13"}),
    ({"sites": ["Amsterdam 1"], "names": ["ho-dev-0*"]}, {"ho-dev-00", "ho-dev-02", "ho-dev-04", "ho-dev-06",
                                                          "ho-dev-08"}),
    ({"tenants": ["ops"], "names": ["ho-dev-0[0-3]"]}, {"ho-dev-00", "ho-dev-01", "ho-dev-02", "ho-dev-03"}),
    ({"roles": ["server"]}, {"it-dev-1", "ho-vm-00", "ho-vm-01", "ho-vm-02", "ho-vm-03"}),
    ({"tags": ["zabbix"]}, {"ho-dev-00"}),
    ({"tags": ["production"], "object_types": ["virtualmachine"]}, {"ho-vm-01"}),
])
def test_filters(inventory, filters, expected):
    populate(inventory, FakeClient(), filters=filters)
    assert set(inventory.inventory.hosts) == expected
    assert all(hostvars(inventory, name)["netbox_inventory_filtered"] is True for name in expected)


def test_status_filter_keeps_orphans_object_filters_drop_them(inventory):
    populate(inventory, FakeClient(), filters={"status": ["enabled"]})
    assert "z-ho-deleted" in inventory.inventory.hosts


def test_filters_skip_ip_reads_of_filtered_hosts(inventory):
    client = FakeClient()
    populate(inventory, client, filters={"names": ["ho-vm-01"]})
    ips = next(call for call in client.calls if call[0] == "fetch_many" and call[1] == "ipam/ip-addresses")
    assert ips[2] == [1098]


@pytest.mark.parametrize("filters, message", [
    ({"colour": ["red"]}, "filters: unknown key"),
    ({"status": ["up"]}, "filters.status: up not one of enabled, disabled"),
    ({"object_types": ["device", "vm"]}, "filters.object_types: vm"),
    ({"names": ["~("]}, "filters.names: bad regular expression"),
])
def test_bad_filters(filters, message):
    with pytest.raises(AnsibleParserError, match=message):
        loader_module.HostConfigFilters(filters)


# --- constructed -----------------------------------------------------------------------


def test_constructed_options_are_applied(inventory):
    """compose, groups and keyed_groups (the EXAMPLES' three) with a real Templar: their effect per host."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template

    plugin = inventory
    plugin.templar = Templar(loader=DataLoader())
    # expressions from a configuration file are trusted (the plugin's _read_config_data does it)
    populate(plugin, FakeClient(),
             compose={"zabbix_visible_name": trust_as_template("netbox_hostconfig.name")},
             groups={"behind_proxy": trust_as_template("zabbix_host.monitored_by == 'proxy'")},
             keyed_groups=[{"key": trust_as_template("netbox_object.role"), "prefix": "role"}])
    names = set(plugin.inventory.hosts)
    assert len(names) == 23
    for name in names:
        vars_ = hostvars(plugin, name)
        assert vars_["zabbix_visible_name"] == vars_["netbox_hostconfig"]["name"], name
    proxied = {name for name in names if hostvars(plugin, name)["zabbix_host"].get("monitored_by") == "proxy"}
    assert proxied and proxied != names  # the fixtures have both kinds
    assert members(plugin, "behind_proxy") == proxied
    roles = {hostvars(plugin, name)["netbox_object"]["role"] for name in names} - {None}
    assert roles
    for role in roles:
        group = "role_" + re.sub(r"[^A-Za-z0-9_]", "_", role)
        assert members(plugin, group) == {n for n in names if hostvars(plugin, n)["netbox_object"]["role"] == role}


# --- the outcome record read by the sync playbook ----------------------------------------


def test_parse_records_the_source_outcome(inventory, tmp_path):
    parse_with_cache(inventory, FakeClient(), {}, tmp_path, cache_option=False)
    sources = inventory.inventory.groups["all"].get_vars()["netbox_hostconfig_sources"]
    assert sources == {str(tmp_path / "x.netbox_hostconfig.yml"): {"ok": True, "hosts": 23}}


def test_parse_records_a_failed_source_and_still_raises(inventory, tmp_path):
    ok_dir = tmp_path / "ok"
    ok_dir.mkdir()
    parse_with_cache(inventory, FakeClient(), {}, ok_dir, cache_option=False)
    data = inventory.inventory
    error = NetBoxError("NetBox at http://netbox.invalid refused the token (HTTP 403)", 403)
    config = tmp_path / "x.netbox_hostconfig.yml"
    config.write_text("plugin: netbox_zabbix.sync.hostconfig\n")
    inventory._client = lambda _options: FakeClient(error=error)
    with pytest.raises(AnsibleParserError, match="refused the token"):
        inventory.parse(data, mock.MagicMock(), str(config), cache=False)
    sources = data.groups["all"].get_vars()["netbox_hostconfig_sources"]
    assert sources == {
        str(ok_dir / "x.netbox_hostconfig.yml"): {"ok": True, "hosts": 23},
        str(config): {"ok": False, "error": "NetBox at http://netbox.invalid refused the token (HTTP 403)"},
    }


# --- cache -----------------------------------------------------------------------------


def parse_with_cache(plugin: InventoryModule, client: FakeClient, cache_store: dict, tmp_path: Path,
                     cache: bool = True, cache_option: bool = True, **options: t.Any) -> None:
    """``cache`` is parse()'s argument (False = --flush-cache), ``cache_option`` the plugin option."""
    config = tmp_path / "x.netbox_hostconfig.yml"
    config.write_text("plugin: netbox_zabbix.sync.hostconfig\n")
    plugin.get_option = mock.MagicMock(side_effect=create_get_option({"cache": cache_option, **options}))
    plugin._read_config_data = lambda path: None
    plugin._cache = cache_store
    plugin._client = lambda _options: client
    plugin.inventory = InventoryData()
    plugin.parse(plugin.inventory, mock.MagicMock(), str(config), cache=cache)


def test_cache_is_used_and_refreshed(inventory, tmp_path):
    store: dict = {}
    first = FakeClient()
    parse_with_cache(inventory, first, store, tmp_path)
    assert len(store) == 1 and first.calls
    second = FakeClient()
    parse_with_cache(inventory, second, store, tmp_path)
    assert second.calls == []  # served from the cache
    assert len(inventory.inventory.hosts) == 23
    third = FakeClient()
    parse_with_cache(inventory, third, store, tmp_path, cache=False)  # --flush-cache
    assert third.calls
    fourth = FakeClient()
    parse_with_cache(inventory, fourth, store, tmp_path, filters={"status": ["disabled"]})
    assert fourth.calls and len(store) == 2  # another subset is another cache entry
    assert set(inventory.inventory.hosts) == {"ho-dev-06", "ho-dev-13"}


def test_cache_off_never_writes(inventory, tmp_path):
    store: dict = {}
    client = FakeClient()
    parse_with_cache(inventory, client, store, tmp_path, cache_option=False)
    parse_with_cache(inventory, client, store, tmp_path, cache_option=False)
    assert store == {}
    assert [call[0] for call in client.calls].count("check_plugin") == 2


# --- files -----------------------------------------------------------------------------


@pytest.mark.parametrize("name, ok", [
    ("prod.netbox_hostconfig.yml", True), ("prod.netbox_hostconfig.yaml", True),
    ("netbox_hostconfig.yml", False), ("prod.yml", False), ("prod.netbox.yml", False),
])
def test_verify_file(tmp_path, name, ok):
    path = tmp_path / name
    path.write_text("plugin: netbox_zabbix.sync.hostconfig\n")
    assert InventoryModule().verify_file(str(path)) is ok


def test_api_strings_are_never_trusted_templates(inventory):
    from ansible.template import is_trusted_as_template

    client = FakeClient()
    client.lists["host-config"][0]["description"] = "{{ lookup('pipe', 'id') }}"
    populate(inventory, client)
    description = hostvars(inventory, "it-dev-1")["zabbix_host"]["description"]
    assert description == "{{ lookup('pipe', 'id') }}"
    assert not is_trusted_as_template(description)


def test_host_config_pages_are_read_first_on_all_lanes_but_one(inventory):
    client = FakeClient()
    populate(inventory, client, max_workers=1)
    # right after the plugin check and the counts that plan the reads, before every other list
    assert [call[0] for call in client.calls[:6]] == ["check_plugin", "count", "count", "count", "count", "plugin_pages"]
    client = FakeClient()
    populate(inventory, client, max_workers=4)
    assert ("plugin_pages", "host-config", 3) in client.calls


def test_each_page_reads_its_own_devices_and_the_hosts_are_the_same(inventory):
    single = FakeClient()
    populate(inventory, single)
    expected = {name: hostvars(inventory, name) for name in inventory.inventory.hosts}

    paged = FakeClient()
    paged.pages = 3
    other = InventoryModule()
    other.inventory = InventoryData()
    other.templar = mock.MagicMock()
    populate(other, paged)
    assert {name: hostvars(other, name) for name in other.inventory.hosts} == expected
    devices = [call for call in paged.calls if call[0] in ("fetch_many", "get_by_ids") and call[1] == "dcim/devices"]
    # by id chunks, page by page: a whole-list read per page would read every device three times
    assert {call[0] for call in devices} == {"get_by_ids"} and len(devices) == 3
    assert sum(len(call[2]) for call in devices) == len({i for call in devices for i in call[2]})
    ips = [call for call in paged.calls if call[0] in ("fetch_many", "get_by_ids") and call[1] == "ipam/ip-addresses"]
    assert ips and {call[0] for call in ips} == {"get_by_ids"}
    # the per-tag membership lists are read once per endpoint, not once per page
    tag_lists = [call for call in paged.calls if call[0] == "list_all" and "tag" in call[2]]
    assert len(tag_lists) == 4


def test_whole_lists_start_with_the_host_config_pages_where_they_take_fewer_requests(inventory, monkeypatch):
    single = FakeClient()
    populate(inventory, single)
    expected = {name: hostvars(inventory, name) for name in inventory.inventory.hosts}

    monkeypatch.setattr(loader_module, "IDS_PER_REQUEST", 1)  # reading by id would take one request per id
    paged = FakeClient()
    paged.pages = 3
    other = InventoryModule()
    other.inventory = InventoryData()
    other.templar = mock.MagicMock()
    populate(other, paged)
    assert {name: hostvars(other, name) for name in other.inventory.hosts} == expected
    whole = {call[1] for call in paged.calls if call[0] == "list_all" and "tag" not in call[2]}
    assert {"dcim/devices", "virtualization/virtual-machines", "ipam/ip-addresses"} <= whole
    assert not [call for call in paged.calls if call[0] in ("fetch_many", "get_by_ids")
                and call[1] in ("dcim/devices", "virtualization/virtual-machines", "ipam/ip-addresses")]


def test_related_rows_read_beforehand_are_followed_like_the_others():
    client = FakeClient()
    loader = loader_module.HostConfigLoader(client, loader_module.HostConfigFilters({}))
    locations = plugin_module.hcmap.index_by_id(client.lists["dcim/locations"])  # read whole beforehand
    related = loader._fetch_related({"location", "site"}, [{"id": 7, "location": {"id": 1}}], {"location": locations})
    assert related["location"] == locations
    assert set(related["site"]) == {1}  # the location's site, read by id because it was not known
    assert [call[:3] for call in client.calls] == [("fetch_many", "dcim/sites", [1])]


def test_a_filter_on_devices_does_not_hold_back_a_whole_ip_list(inventory, monkeypatch):
    monkeypatch.setattr(loader_module, "IDS_PER_REQUEST", 1)
    client = FakeClient()
    populate(inventory, client, filters={"sites": ["ams1"]})
    assert loader_module.HostConfigFilters({"sites": ["ams1"]}).needs_object
    assert ("list_all", "ipam/ip-addresses", {"fields": "id,address,dns_name"}) in client.calls
    assert not [call for call in client.calls if call[0] in ("fetch_many", "get_by_ids") and call[1] == "ipam/ip-addresses"]
    by_hand = FakeClient()
    other = InventoryModule()
    other.inventory = InventoryData()
    other.templar = mock.MagicMock()
    monkeypatch.setattr(loader_module, "IDS_PER_REQUEST", 400)
    populate(other, by_hand, filters={"sites": ["ams1"]})
    assert {n: hostvars(inventory, n) for n in inventory.inventory.hosts} == {n: hostvars(other, n) for n in other.inventory.hosts}


def test_real_inventory_manager_gives_the_same_inventory_on_both_core_paths(tmp_path, monkeypatch):
    """Parsed by ansible-core's own InventoryManager (through its InventoryData proxy): the
    private path (_core_internals.inventory_data unwraps the proxy) and the public-API path
    (NETBOX_ZABBIX_SYNC_PUBLIC_API_ONLY) give the same hosts, groups and variables."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader

    from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils import _core_internals as core

    source = tmp_path / "nb.netbox_hostconfig.yml"
    source.write_text("plugin: netbox_zabbix.sync.hostconfig\nnetbox_url: http://netbox.invalid\n"
                      "netbox_token: nbt_abc.def\ngroups:\n  behind_proxy: zabbix_host.monitored_by == 'proxy'\n")
    monkeypatch.setattr(InventoryModule, "_client", lambda self, options: FakeClient())

    def parse() -> tuple[dict, dict]:
        inventory = InventoryManager(loader=DataLoader(), sources=[str(source)])
        hosts = {name: inventory.get_host(name).get_vars() for name in inventory.hosts}
        groups = {name: (sorted(h.name for h in group.get_hosts()), group.get_vars())
                  for name, group in inventory.groups.items()}
        return hosts, groups

    monkeypatch.delenv(core.PUBLIC_API_ONLY_ENV, raising=False)
    private = parse()
    monkeypatch.setenv(core.PUBLIC_API_ONLY_ENV, "1")
    public = parse()
    assert private == public
    hosts, groups = private
    assert len(hosts) == 23 and groups["zabbix_invalid"][0] == ["ho-dev-11", "ho-vm-03", "z-ho-deleted"]
    assert "ho-dev-03" in groups["behind_proxy"][0]
    assert groups["all"][1]["netbox_hostconfig_sources"] == {str(source): {"ok": True, "hosts": 23}}
