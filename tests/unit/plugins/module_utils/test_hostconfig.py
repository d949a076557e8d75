# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure HostConfig -> zabbix_host mapping, on the recorded payloads of the spec."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from ansible.plugins.loader import init_plugin_loader

init_plugin_loader()

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _hostconfig as hcmap  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[3] / "unit" / "fixtures" / "hostconfig"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def rows(name: str) -> list[dict]:
    return load(name)["results"]


def make_data(**changes) -> hcmap.HostConfigData:
    """Index the recorded payloads the way the inventory plugin does."""
    core = load("core-objects")
    data = hcmap.HostConfigData(
        setting=hcmap.lowest_id(rows("setting")),
        host_groups=hcmap.index_by_id(rows("host-group")),
        templates=hcmap.index_by_id(rows("templates")),
        proxies=hcmap.index_by_id(rows("proxy")),
        proxy_groups=hcmap.index_by_id(rows("proxy-group")),
        tag_mappings=hcmap.first_by_object_type(rows("tag-mapping")),
        inventory_mappings=hcmap.first_by_object_type(rows("inventory-mapping")),
        content_types={9: "device", 10: "virtualmachine"},
        agent_interfaces=hcmap.group_by(rows("agent-interface"), "host_config"),
        snmp_interfaces=hcmap.group_by(rows("snmp-interface"), "host_config"),
        ip_addresses=hcmap.index_by_id(core["ip_addresses"]),
        related={"site": hcmap.index_by_id(core["sites"]), "location": hcmap.index_by_id(core["locations"])},
    )
    for row in core["devices"]:
        data.objects[("device", row["id"])] = row
    for row in core["virtual_machines"]:
        data.objects[("virtualmachine", row["id"])] = row
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def hostconfig(pk: int) -> dict:
    return copy.deepcopy(next(row for row in rows("host-config") if row["id"] == pk))


@pytest.fixture
def data() -> hcmap.HostConfigData:
    return make_data()


# --- a whole host, field by field --------------------------------------------------------


def test_device_with_agent_and_snmp_interfaces(data):
    host = hcmap.build_host(hostconfig(92), data)  # z-ho-dev-01 -> device 1075
    assert host.name == "ho-dev-01"
    assert host.valid, host.errors
    assert host.zabbix_host == {
        "host": "ho-dev-01",
        "name": "ho-dev-01",
        "description": "held-out ho-dev-01",
        "status": "enabled",
        "host_groups": [{"name": "HO Core", "groupid": "31"}, {"name": "HO Edge", "groupid": "32"}],
        "templates": [{"name": "Linux by Zabbix agent", "templateid": "10001"}],
        "interfaces": [
            {"type": "agent", "main": True, "useip": True, "ip": "10.0.4.58", "dns": "host1082.example.net",
             "port": "10050"},
            {"type": "snmp", "main": True, "useip": True, "ip": "10.0.4.58", "dns": "host1082.example.net",
             "port": "161",
             "details": {"version": 3, "bulk": True, "max_repetitions": 10, "contextname": "",
                         "securityname": "{$SNMPV3_USER}", "securitylevel": "authpriv", "authprotocol": "sha1",
                         "privprotocol": "aes128", "authpassphrase": "{$SNMPV3_AUTHPASS}",
                         "privpassphrase": "{$SNMPV3_PRIVPASS}"}},
        ],
        "monitored_by": "server",
        "tags": [
            {"tag": "nb_netbox_id", "value": "1075"},
            {"tag": "nb_Site", "value": "Frankfurt 2"},
            {"tag": "nb_Role", "value": "Switch"},
            {"tag": "nb_Platform", "value": "Junos"},
        ],
        "inventory_mode": "manual",
        "inventory": {"name": "ho-dev-01", "os": "Junos", "location": "Frankfurt 2"},
    }
    assert host.netbox_hostconfig == {"id": 92, "name": "z-ho-dev-01", "hostid": None, "in_sync": False,
                                      "object_type": "device", "object_id": 1075,
                                      "interfaces": [{"kind": "agent", "id": 62, "hostid": None, "interfaceid": None},
                                                     {"kind": "snmp", "id": 41, "hostid": None, "interfaceid": None}]}


def test_provisioned_rows_carry_their_zabbix_ids(data):
    """A provisioned HostConfig owns its host by hostid and each row its interface by interfaceid."""
    hc = dict(hostconfig(92), hostid=10650)
    for row in data.agent_interfaces[92] + data.snmp_interfaces[92]:
        row.update(hostid=10650, interfaceid=50 + row["id"])
    host = hcmap.build_host(hc, data)
    assert host.valid, host.errors
    assert host.zabbix_host["hostid"] == "10650"
    assert [i["interfaceid"] for i in host.zabbix_host["interfaces"]] == ["112", str(50 + 41)]
    assert host.netbox_hostconfig["hostid"] == 10650
    assert [(i["kind"], i["interfaceid"]) for i in host.netbox_hostconfig["interfaces"]] == [("agent", 112), ("snmp", 50 + 41)]


def test_null_snmp_fields_take_zabbix_defaults(data):
    """The plugin's model lets every SNMP field be null: version 2 and bulk on, never an error."""
    row = data.snmp_interfaces[92][0]
    for key in ("version", "bulk", "max_repetitions", "securitylevel", "authprotocol", "privprotocol",
                "authpassphrase", "privpassphrase", "contextname"):
        row[key] = None
    host = hcmap.build_host(hostconfig(92), data)
    assert host.valid, host.errors
    snmp = host.zabbix_host["interfaces"][1]
    assert snmp["details"] == {"version": 2, "bulk": True, "community": "{$SNMP_COMMUNITY}"}
    assert host.netbox_object == {"name": "ho-dev-01", "site": "Frankfurt 2", "tenant": "Ops", "role": "Switch",
                                  "platform": "Junos", "tags": [], "status": "active"}
    assert host.object_type == "device"
    assert host.site_slug == "fra2"


def test_hostvars_shape(data):
    hostvars = hcmap.build_host(hostconfig(91), data).hostvars(filtered=True)
    assert set(hostvars) == {"zabbix_host", "zabbix_host_valid", "zabbix_host_errors", "netbox_hostconfig",
                             "netbox_object", "netbox_inventory_filtered", "ansible_connection"}
    assert hostvars["ansible_connection"] == "local"
    assert hostvars["netbox_inventory_filtered"] is True
    assert hostvars["zabbix_host_valid"] is True
    assert hostvars["zabbix_host_errors"] == []


def test_virtual_machine(data):
    host = hcmap.build_host(hostconfig(108), data)  # z-ho-vm-01 -> VM 19
    assert host.name == "ho-vm-01"
    assert host.object_type == "virtualmachine"
    assert host.valid, host.errors
    assert host.zabbix_host["tags"] == [
        {"tag": "nb_netbox_id", "value": "19"},
        {"tag": "nb_Site", "value": "Amsterdam 1"},
        {"tag": "nb_Cluster", "value": "kvm-ams"},
    ]
    assert host.netbox_hostconfig["object_type"] == "virtualmachine"


def test_null_description_is_empty_string_and_disabled_status(data):
    host = hcmap.build_host(hostconfig(97), data)  # z-ho-dev-06: status 1, description null
    assert host.zabbix_host["description"] == ""
    assert host.zabbix_host["status"] == "disabled"
    assert host.netbox_object["status"] == "offline"


def test_no_hostid_means_match_by_name_only(data):
    data.host_groups[10]["groupid"] = None
    data.templates[1]["templateid"] = None
    host = hcmap.build_host(hostconfig(91), data)
    assert host.zabbix_host["host_groups"] == [{"name": "HO Core"}]
    assert host.zabbix_host["templates"] == [{"name": "ICMP Ping"}]


# --- monitored_by ----------------------------------------------------------------------


def test_monitored_by_proxy(data):
    host = hcmap.build_host(hostconfig(94), data)
    assert host.zabbix_host["monitored_by"] == "proxy"
    assert host.zabbix_host["proxy"] == {"name": "ho-proxy", "proxyid": "1"}
    assert "proxy_group" not in host.zabbix_host


def test_monitored_by_proxy_group(data):
    host = hcmap.build_host(hostconfig(95), data)
    assert host.zabbix_host["monitored_by"] == "proxy_group"
    assert host.zabbix_host["proxy_group"] == {"name": "ho-pg", "proxy_groupid": "1"}
    assert "proxy" not in host.zabbix_host


def test_monitored_by_proxy_without_proxy_is_invalid(data):
    hc = hostconfig(94)
    hc["proxy"] = None
    host = hcmap.build_host(hc, data)
    assert not host.valid
    assert host.errors == ["proxy: monitored_by is proxy but no proxy is set"]
    assert host.zabbix_host["monitored_by"] == "proxy"


def test_monitored_by_proxy_group_without_group_is_invalid(data):
    hc = hostconfig(95)
    hc["proxy_group"] = None
    host = hcmap.build_host(hc, data)
    assert host.errors == ["proxy_group: monitored_by is proxy_group but no proxy group is set"]


def test_unknown_proxy_is_invalid(data):
    hc = hostconfig(94)
    hc["proxy"] = 77
    assert hcmap.build_host(hc, data).errors == ["proxy: proxy #77 not found in NetBox"]


# --- references ------------------------------------------------------------------------


def test_unknown_template_and_group_are_invalid(data):
    hc = hostconfig(92)
    hc["templates"] = [6, 99]
    hc["host_groups"] = [42, 10]
    host = hcmap.build_host(hc, data)
    assert host.errors == ["host_groups[0]: host group #42 not found in NetBox",
                           "templates[1]: template #99 not found in NetBox"]
    assert host.zabbix_host["templates"] == [{"name": "Linux by Zabbix agent", "templateid": "10001"}]
    assert host.zabbix_host["host_groups"] == [{"name": "HO Core", "groupid": "31"}]


def test_no_host_group_is_invalid(data):
    hc = hostconfig(92)
    hc["host_groups"] = []
    assert hcmap.build_host(hc, data).errors == ["host_groups: at least one host group is required"]


def test_empty_templates_is_managed_as_none(data):
    host = hcmap.build_host(hostconfig(111), data)  # z-ho-noiface: templates []
    assert host.zabbix_host["templates"] == []
    assert host.zabbix_host["interfaces"] == []
    assert host.valid


# --- broken objects --------------------------------------------------------------------


def test_deleted_device_is_named_after_the_hostconfig(data):
    host = hcmap.build_host(hostconfig(112), data)  # object 1091 is gone
    assert host.name == "z-ho-deleted"
    assert host.zabbix_host["host"] == "z-ho-deleted"
    assert not host.valid
    assert host.errors == ["object_id: device #1091 not found in NetBox (deleted?)"]
    assert host.zabbix_host["tags"] == []
    assert host.zabbix_host["inventory"] == {}
    assert host.netbox_object == {"name": None, "site": None, "tenant": None, "role": None, "platform": None,
                                  "tags": [], "status": None}


def test_unknown_content_type_is_invalid(data):
    hc = hostconfig(91)
    hc["content_type"] = 77
    host = hcmap.build_host(hc, data)
    assert host.name == "z-ho-dev-00"
    assert host.errors == ["content_type: #77 is neither a Device nor a Virtual Machine"]


def test_unnamed_device_is_invalid(data):
    data.objects[("device", 1074)] = dict(data.objects[("device", 1074)], name=None)
    host = hcmap.build_host(hostconfig(91), data)
    assert host.name == "z-ho-dev-00"
    assert host.errors == ["host: device #1074 has no name"]


def test_unknown_enums_are_invalid(data):
    hc = hostconfig(91)
    hc["status"] = 7
    hc["monitored_by"] = 9
    host = hcmap.build_host(hc, data)
    assert host.errors == ["status: unknown value 7", "monitored_by: unknown value 9"]
    assert "status" not in host.zabbix_host


# --- interfaces ------------------------------------------------------------------------


def test_dns_interface(data):
    host = hcmap.build_host(hostconfig(96), data)  # agent useip 0 + SNMP
    agent = host.zabbix_host["interfaces"][0]
    assert agent["useip"] is False
    assert agent["dns"] == "host1086.example.net"
    assert agent["ip"] == "10.0.4.62"
    assert host.valid


def test_dns_interface_without_dns_name_is_invalid(data):
    host = hcmap.build_host(hostconfig(102), data)  # IP 1092 has no dns_name
    assert host.errors == ["interfaces[0]: agent interface 'ho-dev-11-agent' uses DNS but IP address #1092 has "
                           "no DNS name"]


def test_interface_without_ip_is_invalid(data):
    data.agent_interfaces[91][0] = dict(data.agent_interfaces[91][0], ip_address=None)
    host = hcmap.build_host(hostconfig(91), data)
    assert host.errors == ["interfaces[0]: agent interface 'ho-dev-00-agent' has no IP address"]
    assert host.zabbix_host["interfaces"][0]["ip"] == ""


def test_interface_with_deleted_ip_is_invalid(data):
    host = hcmap.build_host(hostconfig(110), data)  # IP 1100 is gone
    assert host.errors == ["interfaces[0]: agent interface 'ho-vm-03-agent' points to IP address #1100, "
                           "which is not in NetBox"]


def test_snmp_only_host(data):
    host = hcmap.build_host(hostconfig(93), data)
    assert [i["type"] for i in host.zabbix_host["interfaces"]] == ["snmp"]
    assert host.zabbix_host["interfaces"][0]["main"] is True


def test_no_main_interface_promotes_the_first(data):
    first = dict(data.agent_interfaces[92][0], main=0)
    second = dict(first, id=999, name="second", main=0, ip_address=1083)
    data.agent_interfaces[92] = [first, second]
    host = hcmap.build_host(hostconfig(92), data)
    agents = [i for i in host.zabbix_host["interfaces"] if i["type"] == "agent"]
    assert [i["main"] for i in agents] == [True, False]
    assert host.valid
    assert host.warnings == ["interfaces: no main agent interface, the first one was promoted"]


def test_two_main_interfaces_keep_the_first(data):
    first = data.agent_interfaces[92][0]
    data.agent_interfaces[92] = [first, dict(first, id=999, name="second", ip_address=1083)]
    host = hcmap.build_host(hostconfig(92), data)
    agents = [i for i in host.zabbix_host["interfaces"] if i["type"] == "agent"]
    assert [i["main"] for i in agents] == [True, False]
    assert host.warnings == ["interfaces: 2 main agent interfaces, only the first stays main"]


@pytest.mark.parametrize("version, expected", [
    (1, {"version": 1, "bulk": False, "community": "{$SNMP_COMMUNITY}"}),
    (2, {"version": 2, "bulk": False, "community": "{$SNMP_COMMUNITY}", "max_repetitions": 10}),
])
def test_snmp_v1_v2_details(data, version, expected):
    data.snmp_interfaces[92] = [dict(data.snmp_interfaces[92][0], version=version, bulk=0)]
    host = hcmap.build_host(hostconfig(92), data)
    assert host.zabbix_host["interfaces"][1]["details"] == expected


@pytest.mark.parametrize("level, auth, priv, names", [
    (0, 0, 0, ("noauthnopriv", "md5", "des")),
    (1, 3, 2, ("authnopriv", "sha256", "aes192")),
    (2, 5, 5, ("authpriv", "sha512", "aes256c")),
    (2, 4, 4, ("authpriv", "sha384", "aes192c")),
    (2, 2, 3, ("authpriv", "sha224", "aes256")),
])
def test_snmp_v3_enums(data, level, auth, priv, names):
    data.snmp_interfaces[92] = [dict(data.snmp_interfaces[92][0], securitylevel=level, authprotocol=auth,
                                     privprotocol=priv, contextname="ctx")]
    details = hcmap.build_host(hostconfig(92), data).zabbix_host["interfaces"][1]["details"]
    assert (details["securitylevel"], details["authprotocol"], details["privprotocol"]) == names
    assert details["contextname"] == "ctx"


def test_snmp_null_contextname_is_never_the_string_none(data):
    details = hcmap.build_host(hostconfig(92), data).zabbix_host["interfaces"][1]["details"]
    assert details["contextname"] == ""
    assert "None" not in json.dumps(details)


def test_snmp_unknown_enum_is_invalid(data):
    data.snmp_interfaces[92] = [dict(data.snmp_interfaces[92][0], authprotocol=9, version=3)]
    assert hcmap.build_host(hostconfig(92), data).errors == ["interfaces[1].details.authprotocol: unknown value 9"]


def test_snmp_unknown_version_is_invalid(data):
    data.snmp_interfaces[92] = [dict(data.snmp_interfaces[92][0], version=4)]
    assert hcmap.build_host(hostconfig(92), data).errors == ["interfaces[1].details.version: unknown SNMP version 4"]


# --- tags ------------------------------------------------------------------------------


def device_tags(data, pk=1074, object_type="device"):
    return hcmap.build_tags(data.objects[(object_type, pk)], object_type, data)


def test_tags_of_ho_dev_00(data):
    # region resolves through the full site row (the nested site is brief) to its name
    assert device_tags(data) == [
        {"tag": "nb_netbox_id", "value": "1074"},
        {"tag": "nb_Site", "value": "Amsterdam 1"},
        {"tag": "nb_Region", "value": "Europe"},
        {"tag": "nb_Role", "value": "Switch"},
    ]


def test_null_prefix_is_empty_never_none(data):
    data.setting = dict(data.setting, tag_prefix=None)
    tags = device_tags(data)
    assert tags[0] == {"tag": "netbox_id", "value": "1074"}
    assert not any(tag["tag"].startswith("None") for tag in tags)


def test_null_default_tag_means_no_default_tag(data):
    data.setting = dict(data.setting, default_tag=None)
    assert device_tags(data)[0] == {"tag": "nb_Site", "value": "Amsterdam 1"}


def test_no_setting_row_uses_defaults(data):
    data.setting = None
    assert device_tags(data)[0] == {"tag": "Site", "value": "Amsterdam 1"}
    host = hcmap.build_host(hostconfig(91), data)
    assert host.zabbix_host["inventory_mode"] == "manual"


@pytest.mark.parametrize("formatting, first", [("upper", "NB_NETBOX_ID"), ("lower", "nb_netbox_id"),
                                               ("keep", "nb_netbox_id")])
def test_tag_name_formatting(data, formatting, first):
    data.setting = dict(data.setting, tag_name_formatting=formatting)
    tags = device_tags(data)
    assert tags[0] == {"tag": first, "value": "1074"}
    assert tags[1]["tag"] == {"upper": "NB_SITE", "lower": "nb_site", "keep": "nb_Site"}[formatting]
    assert tags[1]["value"] == "Amsterdam 1"  # values keep their case


def test_duplicates_dropped_keeping_the_first(data):
    mapping = data.tag_mappings["device"]
    mapping["selection"] = mapping["selection"] + [{"name": "Site", "value": "site.name", "enabled": True},
                                                   {"name": "SITE", "value": "site.name", "enabled": True}]
    data.setting = dict(data.setting, tag_name_formatting="lower")
    tags = device_tags(data)
    assert tags.count({"tag": "nb_site", "value": "Amsterdam 1"}) == 1
    assert tags[1] == {"tag": "nb_site", "value": "Amsterdam 1"}


def test_list_value_gives_one_tag_per_element(data):
    data.tag_mappings["device"]["selection"] = [{"name": "Tags", "value": "tags", "enabled": True}]
    assert device_tags(data) == [
        {"tag": "nb_netbox_id", "value": "1074"},
        {"tag": "nb_production", "value": "production"},
        {"tag": "nb_zabbix", "value": "zabbix"},
    ]


def test_disabled_and_missing_paths_give_no_tag(data):
    data.tag_mappings["device"]["selection"] = [
        {"name": "Latitude", "value": "site.latitude", "enabled": False},
        {"name": "Nope", "value": "site.nope", "enabled": True},
        {"name": "Tenant group", "value": "tenant.group.name", "enabled": True},
        {"name": "Platform", "value": "platform.name", "enabled": True},  # ho-dev-00 has no platform
    ]
    assert device_tags(data) == [{"tag": "nb_netbox_id", "value": "1074"}]


def test_coordinates_keep_six_decimals_like_the_plugin(data):
    data.tag_mappings["device"]["selection"] = [{"name": "Lat", "value": "site.latitude", "enabled": True},
                                                {"name": "Lon", "value": "site.longitude", "enabled": True}]
    assert device_tags(data)[1:] == [{"tag": "nb_Lat", "value": "52.367600"}, {"tag": "nb_Lon", "value": "4.904100"}]


def test_choice_value_and_plain_value(data):
    data.tag_mappings["device"]["selection"] = [{"name": "Status", "value": "status", "enabled": True},
                                                {"name": "Id", "value": "id", "enabled": True}]
    assert device_tags(data)[1:] == [{"tag": "nb_Status", "value": "active"}, {"tag": "nb_Id", "value": "1074"}]


def test_tag_mapping_own_tags(data):
    data.tag_mapping_tags = ("zabbix", "not-on-device")
    tags = device_tags(data)
    assert tags[1] == {"tag": "nb_zabbix", "value": "zabbix"}
    assert {"tag": "nb_not-on-device", "value": "not-on-device"} not in tags


def test_tag_mapping_own_tags_need_a_mapping(data):
    data.tag_mapping_tags = ("zabbix",)
    data.tag_mappings = {}
    assert device_tags(data) == [{"tag": "nb_netbox_id", "value": "1074"}]


# --- inventory -------------------------------------------------------------------------


def test_inventory_first_resolving_path_wins(data):
    inventory, warnings = hcmap.build_inventory(data.objects[("device", 1074)], "device", data)
    assert inventory == {"name": "ho-dev-00", "location": "Room 1"}  # location.name before site.name
    assert warnings == []
    inventory, _warnings = hcmap.build_inventory(data.objects[("device", 1075)], "device", data)
    assert inventory == {"name": "ho-dev-01", "os": "Junos", "location": "Frankfurt 2"}


def test_inventory_nested_relations(data):
    data.inventory_mappings["device"]["selection"] = [
        {"name": "Lat", "invkey": "location_lat", "paths": ["location.site.latitude", "site.latitude"], "enabled": True},
    ]
    inventory, _warnings = hcmap.build_inventory(data.objects[("device", 1074)], "device", data)
    assert inventory == {"location_lat": "52.367600"}  # location -> full row -> site -> full row


def test_inventory_bad_invkey_is_skipped_with_a_warning(data):
    data.inventory_mappings["device"]["selection"].append(
        {"name": "Bogus", "invkey": "shoe_size", "paths": ["name"], "enabled": True})
    host = hcmap.build_host(hostconfig(91), data)
    assert "shoe_size" not in host.zabbix_host["inventory"]
    assert host.warnings == ["InventoryMapping (device) entry 'Bogus': 'shoe_size' is not a Zabbix inventory field, "
                             "skipped"]
    assert host.valid


@pytest.mark.parametrize("mode, name", [(-1, "disabled"), (1, "automatic")])
def test_inventory_only_in_manual_mode(data, mode, name):
    data.setting = dict(data.setting, inventory_mode=mode)
    host = hcmap.build_host(hostconfig(91), data)
    assert host.zabbix_host["inventory_mode"] == name
    assert "inventory" not in host.zabbix_host


def test_inventory_field_list_is_zabbix_s():
    assert len(hcmap.ZABBIX_INVENTORY_FIELDS) == 70
    assert {"os", "location", "location_lat", "location_lon", "name", "poc_2_notes"} <= hcmap.ZABBIX_INVENTORY_FIELDS


# --- paths and relations ---------------------------------------------------------------


def test_relations_to_expand():
    assert hcmap.relations_to_expand(["site.name", "role.name", "name"]) == set()
    assert hcmap.relations_to_expand(["site.region", "location.site.latitude"]) == {"site", "location"}
    assert hcmap.top_level_fields(["site.region", "cluster.name", "name"]) == {"site", "cluster", "name"}


def test_enabled_paths(data):
    assert hcmap.enabled_paths(data, "device") == [
        "site.name", "site.region", "role.name", "platform.name", "name", "platform.name", "location.name",
        "site.name"]


def test_every_sample_hostconfig_maps_without_exception(data):
    hosts = [hcmap.build_host(hc, data) for hc in rows("host-config")]
    assert len(hosts) == 23
    invalid = {host.name: host.errors for host in hosts if not host.valid}
    assert set(invalid) == {"z-ho-deleted", "ho-dev-11", "ho-vm-03"}
    for host in hosts:
        assert "None" not in json.dumps(host.zabbix_host)
