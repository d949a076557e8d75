# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Mapping recorded NetBox 4.7.3 webhook deliveries to HostConfigs, and their signatures.

The fixtures (tests/unit/fixtures/netbox_webhooks/) are real deliveries of NetBox's worker,
recorded by tests/tools/capture_webhook_fixtures.py on the local stack; index.json is what
NetBox's API listed just before (6 seeded HostConfigs: Devices 1-5 and VM 1)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def index(source, index_rows):
    rows = index_rows
    built = source.HostConfigIndex()
    built.load({int(pk): kind for pk, kind in rows["content_types"].items()}, rows["hostconfigs"],
               {"agentinterface": rows["agentinterface"], "snmpinterface": rows["snmpinterface"]})
    return built


def bodies(deliveries, name, object_type=None):
    found = [json.loads(d["body"]) for d in deliveries[name]["deliveries"]]
    return [b for b in found if object_type is None or b["object_type"] == object_type]


def test_every_recorded_delivery_is_correctly_signed(source, deliveries):
    count = 0
    for name, recorded in deliveries.items():
        for delivery in recorded["deliveries"]:
            body = delivery["body"].encode()
            header = delivery["headers"]["X-Hook-Signature"]
            assert source.signature_valid(recorded["secret"].encode(), body, header), name
            assert not source.signature_valid(b"another secret", body, header)
            assert not source.signature_valid(recorded["secret"].encode(), body + b" ", header)
            assert not source.signature_valid(recorded["secret"].encode(), body, None)
            count += 1
    assert count >= 15


@pytest.mark.parametrize("name, object_type, expected", [
    ("hostconfig_updated", "netbox_zabbix.hostconfig", {1}),
    ("device_renamed", "dcim.device", {1}),
    ("virtualmachine_updated", "virtualization.virtualmachine", {6}),
    ("agentinterface_updated", "netbox_zabbix.agentinterface", {2}),
    ("snmpinterface_updated", "netbox_zabbix.snmpinterface", {1}),
    ("ipaddress_updated", "ipam.ipaddress", {2}),
    ("hostconfig_created", "netbox_zabbix.hostconfig", {7}),
])
def test_changes_map_to_their_hostconfigs(source, deliveries, index, name, object_type, expected):
    (body,) = bodies(deliveries, name, object_type)
    change = source.map_webhook(body, index)
    assert change.hostconfig_ids == expected
    assert not change.ignored and not change.full_sync and not change.unresolved


def test_bulk_edit_maps_each_device(source, deliveries, index):
    changes = [source.map_webhook(body, index) for body in bodies(deliveries, "device_bulk_edit", "dcim.device")]
    assert [sorted(change.hostconfig_ids) for change in changes] == [[1], [2], [3]]


@pytest.mark.parametrize("name, object_type, why", [
    ("hostconfig_writeback", "netbox_zabbix.hostconfig", "only hostid changed"),
    ("device_saved_unchanged", "dcim.device", "nothing changed"),
])
def test_writeback_and_noop_saves_are_ignored(source, deliveries, index, name, object_type, why):
    (body,) = bodies(deliveries, name, object_type)
    change = source.map_webhook(body, index)
    assert change.ignored and why in change.ignored
    assert not change.hostconfig_ids


def test_deleted_hostconfig_is_a_full_sync_with_its_identity(source, deliveries, index):
    (created,) = bodies(deliveries, "hostconfig_created", "netbox_zabbix.hostconfig")
    source.map_webhook(created, index)
    assert index.object_of[7] == ("device", 6)
    (body,) = bodies(deliveries, "hostconfig_deleted")
    change = source.map_webhook(body, index)
    assert change.full_sync
    assert change.deleted == [{"id": 7, "name": "z-fx-spare", "hostid": None}]
    assert 7 not in index.object_of and ("device", 6) not in index.by_object


def test_hostconfig_webhooks_keep_the_index_current(source, deliveries, index):
    """A Device whose HostConfig was created after the index was read resolves without NetBox."""
    device_created, hostconfig_created = bodies(deliveries, "hostconfig_created")
    assert source.map_webhook(device_created, index).unresolved == [("device", 6)]  # no HostConfig yet
    source.map_webhook(hostconfig_created, index)
    assert index.hostconfigs_of_object("device", 6) == {7}
    (interface,) = bodies(deliveries, "agentinterface_created")
    assert source.map_webhook(interface, index).hostconfig_ids == {7}
    (deleted,) = bodies(deliveries, "agentinterface_deleted")
    assert source.map_webhook(deleted, index).hostconfig_ids == {7}
    assert ("agentinterface", deleted["data"]["id"]) not in index.interface_owner


def test_unknown_ip_is_unresolved_then_resolved_after_a_refresh(source, deliveries, index):
    created, updated = bodies(deliveries, "ipaddress_unrelated_updated")
    for body in (created, updated):
        change = source.map_webhook(body, index)
        assert change.unresolved == [("ipaddress", body["data"]["id"])]
        assert not change.hostconfig_ids
    assert source.resolve([("ipaddress", updated["data"]["id"])], index) == set()
    index.set_interface("agentinterface", {"id": 999, "host_config": 4, "ip_address": updated["data"]["id"]})
    assert source.resolve([("ipaddress", updated["data"]["id"])], index) == {4}


def test_a_recorded_burst_coalesces_to_one_event(source, deliveries, index):
    batch = source.Coalescer(quiet=1.0, max_delay=5.0)
    now = 0.0
    for name in ("hostconfig_updated", "hostconfig_writeback", "device_renamed", "device_saved_unchanged",
                 "agentinterface_updated", "snmpinterface_updated", "ipaddress_updated", "device_bulk_edit"):
        for body in bodies(deliveries, name):
            batch.add(source.map_webhook(body, index), now)
            now += 0.05
    assert not batch.due(now) and batch.due(now + 1.0)
    event = batch.take(source.resolve(batch.unresolved, index))
    assert event["scope"] == "hosts"
    assert event["hostconfig_ids"] == [1, 2, 3]
    assert event["ignored"] == 2
    assert event["changes"] == 9


@pytest.mark.parametrize("body", [
    {}, {"event": "updated"}, {"event": "updated", "object_type": "dcim.device", "data": {}},
    {"event": "job_started", "object_type": "core.job", "data": {"id": 3}},
    {"event": "updated", "object_type": "dcim.site", "data": {"id": 3}},
])
def test_other_bodies_are_ignored(source, index, body):
    change = source.map_webhook(body, index)
    assert change.ignored and not change.hostconfig_ids and not change.full_sync
