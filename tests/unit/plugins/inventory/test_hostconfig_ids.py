# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory's hostconfig_ids option (event-driven runs): only the named HostConfigs, read per ID."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from ansible.errors import AnsibleParserError

from ansible_collections.netbox_zabbix.sync.plugins.inventory import hostconfig as plugin_module
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils import _hostconfig_loader as loader_module
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import NetBoxError

from .test_hostconfig import FakeClient, create_get_option, hostvars, inventory  # noqa: F401 pylint: disable=unused-import


class DetailClient(FakeClient):
    """FakeClient plus detail GETs and the interfaces' host_config_id filter."""

    def __init__(self, interface_filter_works: bool = True) -> None:
        super().__init__()
        self.interface_filter_works = interface_filter_works

    def get(self, path: str, params=None):
        self.calls.append(("get", path))
        self.request_count += 1
        hostconfig_id = int(path.rstrip("/").rsplit("/", 1)[1])
        for row in self.lists["host-config"]:
            if row["id"] == hostconfig_id:
                return json.loads(json.dumps(row))
        raise NetBoxError(f"GET {path}: HTTP 404", status=404)

    def plugin_list(self, endpoint: str, params=None) -> list[dict]:
        rows = super().plugin_list(endpoint, params)
        self.calls[-1] = ("plugin_list", endpoint, dict(params or {}))
        if params and "host_config_id" in params and self.interface_filter_works:
            rows = [row for row in rows if row["host_config"] == params["host_config_id"]]
        return rows


def populate_ids(plugin, client, ids, **options):
    plugin.get_option = mock.MagicMock(side_effect=create_get_option(options))
    plugin._client = lambda _options: client
    plugin._hostconfig_ids = ids
    options_ = plugin_module.NetBoxOptions.from_plugin(plugin)
    filters = loader_module.HostConfigFilters({})
    with mock.patch.object(plugin, "get_option", side_effect=create_get_option(
            {"hostconfig_ids_detail_max": 50, **options})):
        entries = plugin._load(options_, filters)
    plugin._populate(entries, bool(ids))


def test_only_the_named_hostconfigs_are_read(inventory):  # noqa: F811
    client = DetailClient()
    populate_ids(inventory, client, [94, 999])
    assert list(inventory.inventory.hosts) == ["ho-dev-03"]
    host = hostvars(inventory, "ho-dev-03")
    assert host["netbox_inventory_filtered"] is True  # the orphan step must skip a partial run
    assert host["zabbix_host"]["interfaces"]  # its interfaces were found through host_config_id
    # never the whole host-config or interface lists: per ID detail and filtered interface lists
    assert ("plugin_list", "host-config") not in [call[:2] for call in client.calls]
    assert sorted(call[1] for call in client.calls if call[0] == "get") == [
        "plugins/netbox_zabbix/host-config/94", "plugins/netbox_zabbix/host-config/999"]
    interface_calls = [call for call in client.calls if call[0] == "plugin_list" and "interface" in call[1]]
    assert {call[2]["host_config_id"] for call in interface_calls} == {94, 999}


def test_an_ignored_interface_filter_never_leaks_other_hosts_interfaces(inventory):  # noqa: F811
    full = DetailClient()
    populate_ids(inventory, full, None)
    expected = hostvars(inventory, "ho-dev-03")["zabbix_host"]["interfaces"]
    inventory.inventory = type(inventory.inventory)()
    populate_ids(inventory, DetailClient(interface_filter_works=False), [94])
    assert hostvars(inventory, "ho-dev-03")["zabbix_host"]["interfaces"] == expected


def test_many_ids_read_whole_lists(inventory):  # noqa: F811
    client = DetailClient()
    ids = [row["id"] for row in client.lists["host-config"]][:5]
    populate_ids(inventory, client, ids, hostconfig_ids_detail_max=2)
    assert not [call for call in client.calls if call[0] == "get"]
    assert len(inventory.inventory.hosts) == 5


@pytest.mark.parametrize("value, expected", [
    (None, None), ("", None), ([], None), ("3, 17,3", [3, 17]), ("[17, 3]", [3, 17]), ([5, "6"], [5, 6]), (7, [7]),
])
def test_parse_hostconfig_ids(value, expected):
    assert loader_module.parse_hostconfig_ids(value, "x") == expected


@pytest.mark.parametrize("value", ["a,b", "[1, ", {"id": 1}])
def test_parse_hostconfig_ids_refuses_garbage(value):
    with pytest.raises(AnsibleParserError, match="^x: "):
        loader_module.parse_hostconfig_ids(value, "x")


def test_extra_variable_wins_over_the_option(inventory):  # noqa: F811
    inventory.get_option = mock.MagicMock(side_effect=create_get_option(
        {"hostconfig_ids": [1], "hostconfig_ids_var": "netbox_hostconfig_ids"}))
    with mock.patch.object(plugin_module, "load_extra_vars", return_value={"netbox_hostconfig_ids": "[4, 2]"}):
        assert inventory._selected_ids(loader=None) == [2, 4]
    with mock.patch.object(plugin_module, "load_extra_vars", return_value={}):
        assert inventory._selected_ids(loader=None) == [1]
