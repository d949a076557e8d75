# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure logic of the steps around the summary: HostConfig write-back and orphans."""

from __future__ import annotations

import warnings

import pytest
from ansible.plugins.loader import init_plugin_loader

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    init_plugin_loader()

from ansible_collections.netbox_zabbix.sync.plugins.action import netbox_hostconfig_writeback as writeback  # noqa: E402
from ansible_collections.netbox_zabbix.sync.plugins.action import zabbix_orphans as orphans  # noqa: E402

NOW = "2026-01-05T10:00:00+00:00"


def record(host: str, action: str, hostid: str | None = None) -> dict:
    return {"host": host, "action": action, "hostid": hostid, "changed_fields": [], "error": None}


@pytest.mark.parametrize(
    ("rec", "hostconfig", "in_sync", "last", "expected"),
    [
        (record("a", "created", "10700"), {"id": 1, "hostid": None, "in_sync": False}, False, False, {"hostid": 10700}),
        (record("a", "unchanged", "10700"), {"id": 1, "hostid": 10700, "in_sync": True}, True, True, {}),
        (record("a", "updated", "10700"), {"id": 1, "hostid": 10700, "in_sync": False}, True, False, {"in_sync": True}),
        (record("a", "failed"), {"id": 1, "hostid": 10700, "in_sync": True}, True, True,
         {"in_sync": False, "last_sync_update": NOW}),
        (record("a", "failed"), {"id": 1, "hostid": 10700, "in_sync": True}, False, True, {}),
        (record("a", "deleted", "10700"), {"id": 1, "hostid": 10700, "in_sync": True}, False, False, {"hostid": None}),
        (record("a", "unchanged", "10701"), {"id": 1, "hostid": 10700}, False, True,
         {"hostid": 10701, "last_sync_update": NOW}),
        (record("a", "skipped"), {"id": 1, "hostid": None, "in_sync": True}, True, True, {}),
    ],
)
def test_only_changed_fields_are_written(rec: dict, hostconfig: dict, in_sync: bool, last: bool, expected: dict) -> None:
    assert writeback.fields_to_write(rec, hostconfig, in_sync, last, NOW) == expected


def test_plan_skips_hosts_without_a_hostconfig() -> None:
    records = [record("a", "created", "1"), record("b", "created", "2"), record("c", "unchanged", "3")]
    hostconfigs = {"a": {"id": 11, "hostid": None}, "b": None, "c": {"id": 13, "hostid": 3}}
    assert writeback.plan(records, hostconfigs, False, False, NOW) == [{"host": "a", "endpoint": "host-config", "id": 11, "fields": {"hostid": 1}}]


def test_interface_rows_get_their_zabbix_ids() -> None:
    """Each agent/SNMP row learns its Zabbix hostid and interfaceid; only changed rows are written."""
    hostconfig = {"id": 11, "hostid": None, "interfaces": [
        {"kind": "agent", "id": 5, "hostid": None, "interfaceid": None},
        {"kind": "agent", "id": 6, "hostid": 10700, "interfaceid": 901},
        {"kind": "snmp", "id": 7, "hostid": 10700, "interfaceid": 950},
    ]}
    rec = dict(record("a", "created", "10700"), interfaceids=["900", "901", "951"])
    assert writeback.plan([rec], {"a": hostconfig}, True, False, NOW) == [
        {"host": "a", "endpoint": "agent-interface", "id": 5, "fields": {"hostid": 10700, "interfaceid": 900}},
        {"host": "a", "endpoint": "snmp-interface", "id": 7, "fields": {"interfaceid": 951}},
        {"host": "a", "endpoint": "host-config", "id": 11, "fields": {"hostid": 10700, "in_sync": True}},
    ]  # the rows before the HostConfig: the plugin's update must never see a hostid without interface ids


@pytest.mark.parametrize(
    ("rec", "expected"),
    [
        (dict(record("a", "unchanged", "10700"), interfaceids=["901"]), []),  # steady state: nothing
        (dict(record("a", "failed"), interfaceids=[None]), []),  # unknown: keep the row as it is
        (dict(record("a", "updated", "10700"), interfaceids=["901", "902"]), []),  # shape mismatch: never guess
        (dict(record("a", "unchanged", "10700"), interfaceids=[None]), []),  # check mode: no id known yet
        (record("a", "deleted", "10700"), [{"endpoint": "agent-interface", "id": 6, "fields": {"hostid": None, "interfaceid": None}}]),
    ],
)
def test_interface_rows_written_only_when_known_and_changed(rec: dict, expected: list) -> None:
    hostconfig = {"id": 11, "hostid": 10700, "in_sync": True, "interfaces": [{"kind": "agent", "id": 6, "hostid": 10700, "interfaceid": 901}]}
    assert writeback.interface_fields_to_write(rec, hostconfig) == expected


def test_marker_tag_from_setting() -> None:
    assert orphans.marker_tag_from_setting({"tag_prefix": "nb_", "default_tag": "netbox_id", "tag_name_formatting": "upper"}) == "NB_NETBOX_ID"
    assert orphans.marker_tag_spellings("NB_NETBOX_ID") == ["NB_NETBOX_ID", "nb_netbox_id"]
    assert orphans.marker_tag_spellings("nb_Netbox_id") == ["nb_Netbox_id", "NB_NETBOX_ID", "nb_netbox_id"]
    assert orphans.marker_tag_from_setting({"tag_prefix": "nb_", "default_tag": "netbox_id"}) == "nb_netbox_id"
    assert orphans.marker_tag_from_setting({"tag_prefix": None, "default_tag": "netbox_id"}) == "netbox_id"
    assert orphans.marker_tag_from_setting({"tag_prefix": "nb_", "default_tag": None}) is None


@pytest.mark.parametrize(
    ("limit", "filtered", "play", "total", "fragment"),
    [
        ("sw-*", False, 10, 10, "--limit sw-*"),
        (None, True, 10, 10, "filters"),
        (None, False, 5, 10, "5 of 10 HostConfigs"),
        (None, False, 10, 10, None),
        (None, False, 10, None, None),
        ("", False, 12, 10, None),
    ],
)
def test_subset_detection(limit: str | None, filtered: bool, play: int, total: int | None, fragment: str | None) -> None:
    reason = orphans.subset_reason(limit, filtered, play, total)
    if fragment is None:
        assert reason is None
    else:
        assert reason is not None and fragment in reason


def test_find_orphans_by_hostid_and_name() -> None:
    zabbix = [
        {"hostid": "1", "host": "kept-by-id", "status": "0"},
        {"hostid": "2", "host": "kept-by-name", "status": "0"},
        {"hostid": "3", "host": "gone", "name": "Gone", "status": "1"},
        {"hostid": "4", "host": "also-gone", "status": "0"},
    ]
    found = orphans.find_orphans(zabbix, {"1"}, {"kept-by-name"})
    assert found == [
        {"hostid": "4", "host": "also-gone", "name": "also-gone", "status": "enabled"},
        {"hostid": "3", "host": "gone", "name": "Gone", "status": "disabled"},
    ]
    assert [o["hostid"] for o in orphans.targets_for("disable", found)] == ["4"]  # already disabled: nothing to do
    assert [o["hostid"] for o in orphans.targets_for("delete", found)] == ["4", "3"]
    assert orphans.targets_for("none", found) == []
