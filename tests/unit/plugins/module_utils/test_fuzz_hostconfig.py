# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fuzzing the HostConfig mapping (_hostconfig.build_host) with generated NetBox payloads.

Rows are shaped like the HostConfig API (spec/hostconfig-api.md) but every field may be
missing, null, of the wrong type, or point to a row that does not exist. Properties:

* ``build_host`` never raises: broken data gives errors, each ``"<field>: <reason>"``;
* a host it calls valid passes the modules' argument spec and the core's normalisation (or
  fails there with a HostError naming the field), and never crashes the engine;
* a host it calls invalid is failed by the engine without one call to Zabbix.
"""

from __future__ import annotations

import typing as t

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _hostconfig as hcmap
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import SyncEngine, validate_host_options
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_model import HostError
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._normalise import normalise_desired
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import VersionProfile

if t.TYPE_CHECKING:
    from conftest import FakeClient, FakeZabbix

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
FIELDS = ("content_type", "object_id", "host", "status", "host_groups", "templates", "interfaces", "monitored_by",
          "proxy", "proxy_group", "inventory_mode", "tags", "inventory")

junk = st.one_of(st.none(), st.booleans(), st.integers(-3, 5), st.text(max_size=4), st.floats(allow_nan=False, allow_infinity=False))
pk = st.one_of(st.integers(1, 4), junk)


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(strategy, junk)


interface_row = st.fixed_dictionaries({}, optional={
    "id": st.integers(1, 100), "name": maybe(st.text(max_size=5)), "useip": maybe(st.sampled_from([0, 1])),
    "main": maybe(st.sampled_from([0, 1])), "port": maybe(st.integers(0, 70000)), "ip_address": pk,
    "version": maybe(st.sampled_from([1, 2, 3])), "bulk": maybe(st.sampled_from([0, 1])),
    "max_repetitions": maybe(st.integers(0, 50)), "contextname": maybe(st.text(max_size=4)),
    "securityname": maybe(st.sampled_from(["user", ""])), "securitylevel": maybe(st.integers(0, 2)),
    "authprotocol": maybe(st.integers(0, 5)), "authpassphrase": maybe(st.text(max_size=6)),
    "privprotocol": maybe(st.integers(0, 5)), "privpassphrase": maybe(st.text(max_size=6)),
})
hostconfig = st.fixed_dictionaries({"id": st.integers(1, 10**6)}, optional={
    # strings are strings in the API (a serializer guarantees the type, not the content)
    "name": st.one_of(st.none(), st.text(max_size=8)), "content_type": st.one_of(st.sampled_from([101, 102]), junk),
    "object_id": pk, "status": maybe(st.sampled_from([0, 1])), "monitored_by": maybe(st.sampled_from([0, 1, 2])),
    "proxy": pk, "proxy_group": pk, "description": st.one_of(st.none(), st.text(max_size=8)),
    "host_groups": st.one_of(st.lists(pk, max_size=3), st.none()), "templates": st.one_of(st.lists(pk, max_size=3), st.none()),
    "hostid": maybe(st.integers(1, 10**5)), "in_sync": maybe(st.booleans()),
})
ip_row = st.fixed_dictionaries({"id": st.integers(1, 4)}, optional={
    "address": st.one_of(st.sampled_from(["192.0.2.1/24", "2001:db8::5/64", "10.0.0.1", "", "garbage/33"]), st.none()),
    "dns_name": st.one_of(st.sampled_from(["h.example.net", ""]), st.none()),
})
named = st.fixed_dictionaries({"id": st.integers(1, 4)}, optional={"name": maybe(st.sampled_from(["NB Core", "ICMP Ping", "nb-proxy-1"])),
                                                                   "groupid": maybe(st.sampled_from(["21", "0", ""])),
                                                                   "templateid": maybe(st.sampled_from(["10564", "0"])),
                                                                   "proxyid": maybe(st.sampled_from(["101"])),
                                                                   "proxy_groupid": maybe(st.sampled_from(["201", "0"]))})
device = st.fixed_dictionaries({"id": st.integers(1, 4)}, optional={
    "name": st.one_of(st.none(), st.sampled_from(["sw-1", "vm-2", "fz host", ""]), st.text(max_size=6)),
    "site": st.one_of(st.none(), st.fixed_dictionaries({"id": st.integers(1, 3), "name": maybe(st.text(max_size=4)),
                                                        "slug": maybe(st.text(max_size=4))})),
    "tags": st.one_of(st.none(), st.lists(st.one_of(st.fixed_dictionaries({"name": maybe(st.text(max_size=4))}), junk), max_size=2)),
    "platform": st.one_of(st.none(), st.fixed_dictionaries({"id": st.integers(1, 2), "name": maybe(st.text(max_size=4))})),
    "status": st.one_of(st.none(), st.fixed_dictionaries({"value": st.sampled_from(["active", "offline"])}), junk),
    "latitude": maybe(st.floats(-90, 90)),
})
setting = st.one_of(st.none(), st.fixed_dictionaries({"id": st.just(1)}, optional={
    "inventory_mode": maybe(st.sampled_from([-1, 0, 1])), "tag_prefix": maybe(st.text(max_size=3)),
    "default_tag": maybe(st.sampled_from(["netbox_id", ""])), "tag_name_formatting": maybe(st.sampled_from(["keep", "upper", "lower"])),
}))
mapping = st.fixed_dictionaries({"object_type": st.sampled_from(["device", "virtualmachine"]), "selection": st.lists(
    st.fixed_dictionaries({}, optional={"name": maybe(st.text(max_size=4)), "enabled": maybe(st.booleans()),
                                        "value": maybe(st.sampled_from(["site.name", "platform.name", "tags", "latitude", "site.region.name", "a..b"])),
                                        "paths": st.one_of(st.lists(st.sampled_from(["name", "site.name", "nope", "latitude"]), max_size=2), junk),
                                        "invkey": maybe(st.sampled_from(["location", "os", "name", "not_a_field"]))}), max_size=4)})


@st.composite
def payloads(draw: st.DrawFn) -> tuple[dict[str, t.Any], hcmap.HostConfigData]:
    hc = draw(hostconfig)
    data = hcmap.HostConfigData(
        setting=draw(setting),
        host_groups=hcmap.index_by_id(draw(st.lists(named, max_size=3, unique_by=lambda r: r["id"]))),
        templates=hcmap.index_by_id(draw(st.lists(named, max_size=3, unique_by=lambda r: r["id"]))),
        proxies=hcmap.index_by_id(draw(st.lists(named, max_size=2, unique_by=lambda r: r["id"]))),
        proxy_groups=hcmap.index_by_id(draw(st.lists(named, max_size=2, unique_by=lambda r: r["id"]))),
        tag_mappings=hcmap.first_by_object_type(draw(st.lists(mapping, max_size=2))),
        inventory_mappings=hcmap.first_by_object_type(draw(st.lists(mapping, max_size=2))),
        content_types={101: "device", 102: "virtualmachine"},
        agent_interfaces={hc["id"]: draw(st.lists(interface_row, max_size=2))},
        snmp_interfaces={hc["id"]: draw(st.lists(interface_row, max_size=2))},
        ip_addresses=hcmap.index_by_id(draw(st.lists(ip_row, max_size=4, unique_by=lambda r: r["id"]))),
        tag_mapping_tags=tuple(draw(st.lists(st.text(max_size=3), max_size=2))),
    )
    for row in draw(st.lists(device, max_size=3, unique_by=lambda r: r["id"])):
        data.objects[(draw(st.sampled_from(["device", "virtualmachine"])), row["id"])] = row
    return hc, data


def field_named(error: str) -> bool:
    head = error.split(":", 1)[0]
    return ":" in error and any(head.startswith(name) for name in FIELDS)


@FUZZ
@given(payload=payloads(), version=st.sampled_from(["6.0.14", "7.0.22"]))
def test_build_host_never_raises_and_valid_hosts_pass_the_core(payload: tuple[dict[str, t.Any], hcmap.HostConfigData], version: str) -> None:
    hc, data = payload
    entry = hcmap.build_host(hc, data)  # must not raise, whatever the rows hold
    event("valid" if entry.valid else "invalid")
    assert entry.name and isinstance(entry.name, str)
    for error in entry.errors:
        assert field_named(error), error
    hostvars = entry.hostvars(filtered=False)
    assert hostvars["zabbix_host_valid"] is entry.valid
    if not entry.valid:
        return
    params, errors = validate_host_options(entry.zabbix_host, with_defaults=True)
    assert errors == [], (errors, entry.zabbix_host)
    try:
        normalise_desired(params, VersionProfile(version))
    except HostError as exc:  # a gap between the mapping and the core, but a clean one
        event(f"core refused: {exc.field}")
        assert exc.field and exc.field.split("[")[0].split(".")[0] in FIELDS, exc


@FUZZ
@given(payload=payloads())
def test_engine_on_mapped_hosts_fails_invalid_ones_without_calls(
    payload: tuple[dict[str, t.Any], hcmap.HostConfigData], fake_zabbix: FakeZabbix, client_for: type[FakeClient]
) -> None:
    hc, data = payload
    entry = hcmap.build_host(hc, data)
    fake = type(fake_zabbix)(fake_zabbix.version)
    upstream = None if entry.valid else entry.errors
    result = SyncEngine(client_for(fake)).sync([(entry.name, entry.zabbix_host, upstream)])[entry.name]
    if not entry.valid:
        assert result["failed"] and result["msg"].startswith(f"{entry.name}: ") or result["msg"].startswith(f"{entry.zabbix_host['host']}: ")
        assert fake.methods() == []
    elif result["failed"]:
        assert not {"host.create", "host.update", "host.delete"} & set(fake.methods()), result
