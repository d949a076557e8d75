# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Identity: a desired state owns its Zabbix host by hostid and each interface by interfaceid.

The engine against the fake Zabbix (tests/unit/conftest.py): renames in either system keep
the hostid, a name held by another host is an error, interfaces keep their ids (and so
their items) through a swap of ``main`` or a reorder, and the ids of new interfaces are
read back so that the write-back can store them on the NetBox rows.
"""

from __future__ import annotations

import typing as t

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import SyncEngine, assign_new_interfaceids
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_fields import match_interfaces

if t.TYPE_CHECKING:
    from conftest import FakeClient, FakeZabbix


def state(name: str, **extra: t.Any) -> dict[str, t.Any]:
    desired = {
        "host": name,
        "name": name,
        "host_groups": ["NB Core"],
        "interfaces": [{"type": "agent", "ip": "192.0.2.1", "main": True}, {"type": "agent", "ip": "192.0.2.2"}],
    }
    desired.update(extra)
    return desired


def run(client: t.Any, *items: tuple[str, dict[str, t.Any]], check: bool = False, diff: bool = False) -> dict[str, dict[str, t.Any]]:
    return SyncEngine(client, check_mode=check, diff_mode=diff).sync([(key, desired, None) for key, desired in items])


def created(fake: FakeZabbix, client_for: type[FakeClient], name: str = "sw-01") -> dict[str, t.Any]:
    result = run(client_for(fake), ("inv-" + name, state(name)))["inv-" + name]
    assert result["action"] == "created", result
    return result


def test_create_reports_the_new_interface_ids_in_input_order(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = created(fake_zabbix, client_for)
    stored = {z["ip"]: z["interfaceid"] for z in fake_zabbix.host("sw-01")["interfaces"]}
    assert first["interfaceids"] == [stored["192.0.2.1"], stored["192.0.2.2"]]
    assert "hostinterface.get" in fake_zabbix.methods()  # host.create answers hostids only


def test_netbox_rename_is_an_in_place_rename(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = created(fake_zabbix, client_for)
    ids = first["interfaceids"]
    renamed = state("sw-01-new", hostid=first["hostid"],
                    interfaces=[dict(i, interfaceid=x) for i, x in zip(state("x")["interfaces"], ids)])
    result = run(client_for(fake_zabbix), ("inv-sw-01-new", renamed), diff=True)["inv-sw-01-new"]
    assert (result["action"], result["hostid"]) == ("updated", first["hostid"])
    assert result["changed_fields"] == ["host", "name"]
    assert result["diff"]["before"]["host"] == "sw-01" and result["diff"]["after"]["host"] == "sw-01-new"
    assert [h["host"] for h in fake_zabbix.hosts.values()] == ["sw-01-new"]  # no second host
    assert result["interfaceids"] == ids
    again = run(client_for(fake_zabbix), ("inv-sw-01-new", renamed))["inv-sw-01-new"]
    assert again["action"] == "unchanged"


def test_zabbix_side_rename_is_reverted(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = created(fake_zabbix, client_for)
    fake_zabbix.hosts[first["hostid"]]["host"] = "renamed-by-hand"
    result = run(client_for(fake_zabbix), ("inv-sw-01", state("sw-01", hostid=first["hostid"])))["inv-sw-01"]
    assert (result["action"], result["hostid"], result["changed_fields"]) == ("updated", first["hostid"], ["host"])
    assert [h["host"] for h in fake_zabbix.hosts.values()] == ["sw-01"]


def test_without_a_hostid_the_name_finds_the_host(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = created(fake_zabbix, client_for)
    result = run(client_for(fake_zabbix), ("inv-sw-01", state("sw-01")))["inv-sw-01"]
    assert (result["action"], result["hostid"]) == ("unchanged", first["hostid"])


def test_a_hostid_zabbix_lost_falls_back_to_the_name(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = created(fake_zabbix, client_for)
    result = run(client_for(fake_zabbix), ("inv-sw-01", state("sw-01", hostid="99999")))["inv-sw-01"]
    assert (result["action"], result["hostid"]) == ("unchanged", first["hostid"])  # the write-back then corrects the hostid


def test_renaming_onto_a_name_another_host_holds_fails_that_host_alone(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = created(fake_zabbix, client_for, "sw-01")
    other = created(fake_zabbix, client_for, "sw-02")
    results = run(
        client_for(fake_zabbix),
        ("inv-sw-02-x", state("sw-02", hostid=first["hostid"])),  # sw-01 renamed to a name sw-02 holds
        ("inv-sw-03", state("sw-03")),
    )
    bad = results["inv-sw-02-x"]
    assert bad["failed"]
    assert bad["msg"] == (
        f"inv-sw-02-x: host: cannot rename Zabbix host {first['hostid']} from 'sw-01' to 'sw-02': "
        f"Zabbix host {other['hostid']} already has that name"
    )
    assert results["inv-sw-03"]["action"] == "created"
    assert {h["host"] for h in fake_zabbix.hosts.values()} == {"sw-01", "sw-02", "sw-03"}  # nothing taken over


def test_a_name_owned_by_another_state_is_never_taken_over(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = created(fake_zabbix, client_for, "sw-01")
    results = run(
        client_for(fake_zabbix),
        ("inv-a", state("sw-01", hostid=first["hostid"])),
        ("inv-b", state("sw-01")),  # a second HostConfig whose Device has the same name
    )
    assert results["inv-a"]["action"] == "unchanged"
    assert results["inv-b"]["failed"]
    assert results["inv-b"]["msg"].startswith("inv-b: ")
    assert results["inv-b"]["msg"].count("inv-b") == 1


def test_two_states_claiming_one_hostid_fail_the_second(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = created(fake_zabbix, client_for, "sw-01")
    results = run(
        client_for(fake_zabbix),
        ("inv-a", state("sw-01", hostid=first["hostid"])),
        ("inv-b", state("sw-09", hostid=first["hostid"])),
    )
    assert results["inv-a"]["action"] == "unchanged"
    assert results["inv-b"]["msg"] == f"inv-b: hostid: Zabbix host {first['hostid']} is also the host of inv-a"
    assert [h["host"] for h in fake_zabbix.hosts.values()] == ["sw-01"]


def test_main_swap_keeps_each_interface_id(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = created(fake_zabbix, client_for)
    a, b = first["interfaceids"]
    swapped = state("sw-01", hostid=first["hostid"], interfaces=[
        {"type": "agent", "ip": "192.0.2.1", "main": False, "interfaceid": a},
        {"type": "agent", "ip": "192.0.2.2", "main": True, "interfaceid": b},
    ])
    fake_zabbix.calls.clear()
    result = run(client_for(fake_zabbix), ("inv-sw-01", swapped))["inv-sw-01"]
    assert result["action"] == "updated" and result["changed_fields"] == ["interfaces"]
    stored = {z["interfaceid"]: z for z in fake_zabbix.host("sw-01")["interfaces"]}
    assert (stored[a]["ip"], stored[a]["main"]) == ("192.0.2.1", "0")
    assert (stored[b]["ip"], stored[b]["main"]) == ("192.0.2.2", "1")
    assert result["interfaceids"] == [a, b]
    assert fake_zabbix.methods() == ["host.get", "host.update"]  # every id was known: no read-back


def test_reorder_with_ids_is_no_change(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = created(fake_zabbix, client_for)
    a, b = first["interfaceids"]
    reordered = state("sw-01", hostid=first["hostid"], interfaces=[
        {"type": "agent", "ip": "192.0.2.2", "interfaceid": b},
        {"type": "agent", "ip": "192.0.2.1", "main": True, "interfaceid": a},
    ])
    result = run(client_for(fake_zabbix), ("inv-sw-01", reordered))["inv-sw-01"]
    assert result["action"] == "unchanged"
    assert result["interfaceids"] == [b, a]


def test_check_mode_reports_known_ids_and_writes_nothing(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    result = run(client_for(fake_zabbix), ("inv-sw-01", state("sw-01")), check=True)["inv-sw-01"]
    assert result["action"] == "created" and result["interfaceids"] == [None, None]
    assert fake_zabbix.hosts == {}


def test_match_interfaces_by_id_then_position() -> None:
    have = [
        {"type": "agent", "interfaceid": "1", "main": True},
        {"type": "agent", "interfaceid": "2", "main": False},
        {"type": "snmp", "interfaceid": "3", "main": True},
    ]
    want = [
        {"type": "agent", "interfaceid": "2"},
        {"type": "agent", "interfaceid": ""},
        {"type": "snmp", "interfaceid": "1"},  # names an agent interface: not its own, falls back
        {"type": "snmp", "interfaceid": ""},
    ]
    assert [m["interfaceid"] if m else None for m in match_interfaces(want, have)] == ["2", "1", "3", None]


def test_assign_new_interfaceids_by_address_then_type() -> None:
    want = [
        {"type": "agent", "useip": True, "ip": "192.0.2.1", "dns": "", "port": "10050", "index": 1},
        {"type": "agent", "useip": True, "ip": "192.0.2.2", "dns": "", "port": "10050", "index": 0},
        {"type": "snmp", "useip": True, "ip": "192.0.2.9", "dns": "", "port": "161", "index": 2},
    ]
    actual = [
        {"interfaceid": "11", "type": "1", "main": "1", "useip": "1", "ip": "192.0.2.1", "dns": "", "port": "10050"},
        {"interfaceid": "12", "type": "1", "main": "0", "useip": "1", "ip": "192.0.2.2", "dns": "", "port": "10050"},
        {"interfaceid": "13", "type": "2", "main": "1", "useip": "1", "ip": "192.0.2.8", "dns": "", "port": "161"},
    ]
    assert assign_new_interfaceids(want, [None, None, None], actual) == ["12", "11", "13"]
    assert assign_new_interfaceids(want, [None, "11", None], actual) == ["12", "11", "13"]
