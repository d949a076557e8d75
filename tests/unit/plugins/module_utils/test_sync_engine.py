# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine against a fake Zabbix: call counts, bulk writes, fallbacks, retries, check mode."""

from __future__ import annotations

import copy
import json
import typing as t

import pytest

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import SyncEngine, sync_one
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import (
    ZabbixAPIError,
    ZabbixAuthError,
    ZabbixTransientError,
)

if t.TYPE_CHECKING:
    from conftest import FakeClient, FakeZabbix

PSK = "00112233445566778899aabbccddeeff"


def host(name: str, **extra: t.Any) -> dict[str, t.Any]:
    state = {
        "host": name,
        "name": f"Visible {name}",
        "host_groups": ["NB Core"],
        "templates": ["ICMP Ping"],
        "interfaces": [{"type": "agent", "ip": "192.0.2.1"}],
        "tags": [{"tag": "site", "value": "dc1"}],
        "macros": [{"macro": "{$SECRET}", "value": "macro-secret-xyz", "type": "secret"}],
        "tls_connect": "psk",
        "tls_accept": ["psk"],
        "tls_psk_identity": f"id-{name}",
        "tls_psk": PSK,
        "inventory_mode": "manual",
        "inventory": {"location": "dc1"},
    }
    state.update(extra)
    return state


def run(client: t.Any, *states: dict[str, t.Any], check: bool = False, diff: bool = False, **defaults: t.Any) -> dict[str, dict[str, t.Any]]:
    engine = SyncEngine(client, check_mode=check, diff_mode=diff, defaults=defaults)
    return engine.sync([(s["host"], s, None) for s in states])


def test_single_host_create_then_noop_is_one_call(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    first = run(client_for(fake_zabbix), host("a"))["a"]
    assert first["action"] == "created" and first["changed"] and first["hostid"]
    fake_zabbix.calls.clear()
    client = client_for(fake_zabbix)
    second = run(client, host("a"))["a"]
    assert second == {
        "changed": False, "failed": False, "action": "unchanged", "hostid": first["hostid"], "changed_fields": [],
        "interfaceids": first["interfaceids"],
    }
    assert first["interfaceids"] == [fake_zabbix.host("a")["interfaces"][0]["interfaceid"]]
    assert fake_zabbix.methods() == ["host.get"]  # the version comes from the host itself
    assert client.calls == 1


def test_user_password_adds_login_and_logout(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    run(client_for(fake_zabbix), host("a"))
    fake_zabbix.calls.clear()
    params = dict(host("a"), zabbix_url="http://zabbix.invalid", zabbix_user="Admin", zabbix_password="pw")
    result, calls = sync_one(params, False, False, client_factory=lambda opts: client_for(fake_zabbix, token=False))
    assert result["action"] == "unchanged"
    assert fake_zabbix.methods() == ["user.login", "host.get", "user.logout"] and calls == 3


def test_batch_noop_is_version_plus_one_host_get(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    states = [host(f"h{i}") for i in range(30)]
    run(client_for(fake_zabbix), *states)
    fake_zabbix.calls.clear()
    results = run(client_for(fake_zabbix), *states)
    assert {r["action"] for r in results.values()} == {"unchanged"}
    assert fake_zabbix.methods() == ["apiinfo.version", "host.get"]


def test_batch_creates_in_one_bulk_call(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    results = run(client_for(fake_zabbix), *[host(f"h{i}") for i in range(10)])
    assert [r["action"] for r in results.values()] == ["created"] * 10
    creates = [p for m, p in fake_zabbix.calls if m == "host.create"]
    assert len(creates) == 1 and len(creates[0]) == 10
    assert sorted(r["hostid"] for r in results.values()) == sorted(fake_zabbix.hosts)


def test_one_bad_host_never_fails_the_others(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    states = [host(f"h{i}") for i in range(5)]
    states[2]["tls_psk"] = PSK  # valid for us ...
    fake_zabbix.fail("host.create", ZabbixAPIError("host.create", "Invalid params.", "boom"), when=lambda p: any(h["host"] == "h2" for h in p))
    fake_zabbix.fail("host.create", ZabbixAPIError("host.create", "Invalid params.", f"bad value {PSK}"), when=lambda p: any(h["host"] == "h2" for h in p))
    results = run(client_for(fake_zabbix), *states)
    assert [results[f"h{i}"]["action"] for i in range(5)] == ["created", "created", "failed", "created", "created"]
    assert results["h2"]["msg"].startswith("h2: host.create failed")
    assert PSK not in results["h2"]["msg"]  # secrets scrubbed from Zabbix's message


def test_invalid_host_fails_alone_and_writes_nothing(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    bad = host("bad", templates=["ICMP Ping", "Nope"])
    worse = host("worse", interfaces=[{"type": "agent", "ip": "999.1.1.1"}])
    typed = {"host": "typed", "status": "sometimes"}
    results = run(client_for(fake_zabbix), bad, worse, typed, host("good"))
    assert results["bad"]["msg"] == "bad: templates[1]: template 'Nope' not found"
    assert results["worse"]["msg"].startswith("worse: interfaces[0].ip:")
    assert results["typed"]["failed"] and "status" in results["typed"]["msg"]
    assert results["good"]["action"] == "created"
    assert [h["host"] for h in fake_zabbix.hosts.values()] == ["good"]


def test_upstream_errors_fail_the_host(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    engine = SyncEngine(client_for(fake_zabbix))
    results = engine.sync([("inv1", host("x"), ["interfaces[0].ip: no primary IP"])])
    assert results["inv1"]["failed"] and "no primary IP" in results["inv1"]["msg"]
    assert not fake_zabbix.hosts


def test_duplicate_host_names_in_one_batch(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    engine = SyncEngine(client_for(fake_zabbix))
    results = engine.sync([("inv1", host("x"), None), ("inv2", host("x"), None)])
    assert results["inv1"]["action"] == "created"
    assert results["inv2"]["failed"] and "inv1" in results["inv2"]["msg"]


def test_bulk_update_and_fallback(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    states = [host(f"h{i}") for i in range(4)]
    run(client_for(fake_zabbix), *states)
    changed = [dict(s, description="new") for s in states]
    fake_zabbix.calls.clear()
    results = run(client_for(fake_zabbix), *changed)
    assert all(r["action"] == "updated" and r["changed_fields"] == ["description"] for r in results.values())
    updates = [p for m, p in fake_zabbix.calls if m == "host.update"]
    assert len(updates) == 1 and updates[0][0] == {"hostid": results["h0"]["hostid"], "description": "new"}


def test_transient_write_is_retried_after_a_reread(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    fake_zabbix.fail("host.create", ZabbixTransientError("host.create: HTTP 502"))
    results = run(client_for(fake_zabbix), host("a"), host("b"))
    assert {r["action"] for r in results.values()} == {"created"}
    methods = fake_zabbix.methods()
    first_create = methods.index("host.create")
    assert "host.get" in methods[first_create + 1:]  # read again before writing again
    assert methods.count("host.create") == 2


def test_lost_response_after_a_successful_write_reports_the_write(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    original = fake_zabbix.api_host_update

    def update_then_drop(params: t.Any) -> t.Any:
        fake_zabbix.api_host_update = original
        original(params)
        raise ZabbixTransientError("host.update: timed out")

    run(client_for(fake_zabbix), host("a"))
    fake_zabbix.api_host_update = update_then_drop
    result = run(client_for(fake_zabbix), host("a", description="x"))["a"]
    assert result["action"] == "updated" and result["changed"]
    assert fake_zabbix.methods().count("host.update") == 1


def test_already_exists_on_create_becomes_an_update(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    client = client_for(fake_zabbix)

    def sneak_in(params: t.Any) -> bool:  # a concurrent sync creates the host first
        fake_zabbix.api_host_create([{"host": "a", "groups": [{"groupid": "21"}]}])
        return True

    fake_zabbix.fail("host.create", ZabbixAPIError("host.create", "Invalid params.", 'Host with the same name "a" already exists.'), when=sneak_in)
    result = run(client, host("a"))["a"]
    assert result["action"] == "updated"
    assert fake_zabbix.host("a")["name"] == "Visible a"


def test_read_retries_transient_errors(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    fake_zabbix.fail("host.get", ZabbixTransientError("host.get: HTTP 503"))
    assert run(client_for(fake_zabbix), host("a"))["a"]["action"] == "created"
    assert fake_zabbix.methods()[:2] == ["host.get", "host.get"]


def test_auth_error_is_global(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    fake_zabbix.fail("host.get", ZabbixAuthError("Zabbix rejected the API token on host.get: Not authorised."))
    with pytest.raises(ZabbixAuthError, match="Not authorised"):
        run(client_for(fake_zabbix), host("a"))


def test_check_mode_writes_nothing_but_reports(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    results = run(client_for(fake_zabbix), host("a", host_groups=["NB Core", "NB Brand New"]), host("b", templates=["Missing"]),
                  check=True, diff=True, create_missing_host_groups=True)
    assert results["a"]["action"] == "created" and results["a"]["created_host_groups"] == ["NB Brand New"]
    assert results["a"]["diff"]["after"]["host_groups"] == ["NB Brand New", "NB Core"]
    assert results["b"]["failed"] and "template 'Missing' not found" in results["b"]["msg"]
    assert not any(m.endswith((".create", ".update", ".delete")) for m in fake_zabbix.methods())


def test_missing_groups_created_once_for_all_hosts(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    states = [host(f"h{i}", host_groups=["NB New"]) for i in range(3)]
    results = run(client_for(fake_zabbix), *states, create_missing_host_groups=True)
    assert {r["action"] for r in results.values()} == {"created"}
    assert fake_zabbix.methods().count("hostgroup.create") == 1


def test_missing_group_is_an_error_by_default(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    result = run(client_for(fake_zabbix), host("a", host_groups=["NB New"]))["a"]
    assert result["msg"] == "a: host_groups[0]: host group 'NB New' not found"


def test_delete(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    run(client_for(fake_zabbix), host("a"), host("b"))
    results = run(client_for(fake_zabbix), {"host": "a", "state": "absent"}, {"host": "b", "state": "absent"}, {"host": "c", "state": "absent"})
    assert [r["action"] for r in results.values()] == ["deleted", "deleted", "unchanged"]
    assert not fake_zabbix.hosts


def test_proxy_versions(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    result = run(client_for(fake_zabbix), host("a", proxy="nb-proxy-2"))["a"]
    stored = fake_zabbix.host("a")
    if fake_zabbix.is7:
        assert (stored["monitored_by"], stored["proxyid"]) == ("1", "102")
    else:
        assert stored["proxy_hostid"] == "102"
    assert run(client_for(fake_zabbix), host("a", proxy={"name": "nb-proxy-2", "proxyid": "101"}))["a"]["action"] == "unchanged"
    pg = run(client_for(fake_zabbix), host("a", monitored_by="proxy_group", proxy_group="nb-pg-1"))["a"]
    if fake_zabbix.is7:
        assert pg["action"] == "updated" and fake_zabbix.host("a")["proxy_groupid"] == "201"
    else:
        assert pg["failed"] and "proxy groups need Zabbix 7.0" in pg["msg"]
    assert result["action"] == "created"


def test_diff_and_results_never_show_secrets(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    snmp = {"type": "snmp", "ip": "192.0.2.1", "details": {"version": 3, "securityname": "u", "securitylevel": "authpriv",
                                                           "authpassphrase": "auth-pass-secret", "privpassphrase": "priv-pass-secret"}}
    state = host("a", interfaces=[snmp])
    outputs = [run(client_for(fake_zabbix), state, diff=True), run(client_for(fake_zabbix), dict(state, update_secrets="always"), diff=True)]
    text = json.dumps(outputs)
    for secret in (PSK, "macro-secret-xyz", "auth-pass-secret", "priv-pass-secret"):
        assert secret not in text
    assert outputs[1]["a"]["action"] == "updated"


def test_body_auth_refused_falls_back_to_the_version(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    fake_zabbix.fail("host.get", ZabbixAPIError("host.get", "Invalid params.", 'Invalid parameter "/": unexpected parameter "auth".'))
    client = client_for(fake_zabbix)
    assert run(client, host("a"))["a"]["action"] == "created"
    assert fake_zabbix.methods()[:3] == ["host.get", "apiinfo.version", "host.get"]


def duplicate_during_create(fake: FakeZabbix, name: str, hostid: str) -> None:
    """The next host.create first lets a concurrent sync commit the same host with ``hostid``:
    Zabbix's "already exists" check is no constraint, so both creates land."""
    original = fake.api_host_create

    def create(params: t.Any) -> t.Any:
        fake.api_host_create = original
        ours = original(params)  # both passed the name check before either committed
        theirs = fake.hosts.pop(original([{"host": f"{name} (theirs)", "groups": [{"groupid": "21"}]}])["hostids"][0])
        fake.hosts[hostid] = {**theirs, "hostid": hostid, "host": name}
        return ours

    fake.api_host_create = create


def test_concurrent_duplicate_with_a_lower_id_wins_and_ours_goes(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    duplicate_during_create(fake_zabbix, "a", "100")
    results = run(client_for(fake_zabbix), host("a"), host("b"))
    assert [h["hostid"] for h in fake_zabbix.hosts.values() if h["host"] == "a"] == ["100"]
    assert results["a"]["action"] == "updated" and results["a"]["hostid"] == "100"  # ours was deleted, theirs repaired
    assert results["b"]["action"] == "created"
    assert fake_zabbix.host("a")["name"] == "Visible a"


def test_concurrent_duplicate_with_a_higher_id_goes_and_ours_stays(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    duplicate_during_create(fake_zabbix, "a", "99999")
    result = run(client_for(fake_zabbix), host("a"))["a"]
    remaining = [h["hostid"] for h in fake_zabbix.hosts.values() if h["host"] == "a"]
    assert remaining == [result["hostid"]] and remaining != ["99999"]
    assert result["action"] == "created"


def test_refused_create_of_a_host_that_needs_nothing_more_is_unchanged(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    """Two runs with the same desired state: the one whose create is refused reports unchanged."""
    def sneak_in(params: t.Any) -> bool:
        pending, fake_zabbix.failures = fake_zabbix.failures, []
        run(client_for(fake_zabbix), host("a"))
        fake_zabbix.failures = pending
        return True

    fake_zabbix.fail("host.create", ZabbixAPIError("host.create", "Invalid params.", 'Host with the same name "a" already exists.'), when=sneak_in)
    assert run(client_for(fake_zabbix), host("a"))["a"]["action"] == "unchanged"


def test_zabbix_gone_after_a_lost_write_fails_only_the_hosts_in_doubt(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    run(client_for(fake_zabbix), host("old"))

    def update_lost(params: t.Any) -> t.Any:
        def down(params: t.Any) -> t.Any:
            raise ZabbixTransientError("host.get: connection refused")
        fake_zabbix.api_host_get = down
        raise ZabbixTransientError("host.update: connection reset")

    fake_zabbix.api_host_update = update_lost
    results = run(client_for(fake_zabbix), host("new"), host("old", description="changed"))
    assert results["new"]["action"] == "created"
    assert results["old"]["failed"] and results["old"]["msg"].startswith("old: ") and "re-read" in results["old"]["msg"]


def test_group_created_by_a_concurrent_sync_despite_an_sql_error_is_used(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    """Overlapping hostgroup.create calls: one fails with a duplicate-key SQL error, not "already exists"."""
    def sneak_in(params: t.Any) -> bool:
        fake_zabbix.groups["99"] = params["name"]
        return True

    fake_zabbix.fail("hostgroup.create", ZabbixAPIError("hostgroup.create", "Application error.", "SQL statement execution has failed"),
                     when=sneak_in)
    results = run(client_for(fake_zabbix), host("a", host_groups=["Raced"]), host("b", host_groups=["Raced"]), create_missing_host_groups=True)
    assert {r["action"] for r in results.values()} == {"created"}
    assert fake_zabbix.host("a")["groups"] == ["99"]


def test_refused_create_after_our_own_create_was_lost_in_transit_is_still_created(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    """Our first create timed out but landed late, the retry is refused: the host was created by us."""
    original = fake_zabbix.api_host_create
    late: list[t.Any] = []

    def lost(params: t.Any) -> t.Any:
        fake_zabbix.api_host_create = land_late_then_refuse
        late.append(params)
        raise ZabbixTransientError("host.create: timed out")

    def land_late_then_refuse(params: t.Any) -> t.Any:
        fake_zabbix.api_host_create = original
        original(late[0])
        return original(params)

    fake_zabbix.api_host_create = lost
    assert run(client_for(fake_zabbix), host("a"))["a"]["action"] == "created"
    assert len([h for h in fake_zabbix.hosts.values() if h["host"] == "a"]) == 1


def test_a_name_left_twice_by_a_past_race_is_synced_on_its_lowest_hostid(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    run(client_for(fake_zabbix), host("a"))
    first = fake_zabbix.host("a")
    fake_zabbix.hosts["99999"] = {**first, "hostid": "99999", "description": "the later copy"}
    result = run(client_for(fake_zabbix), host("a", description="wanted"))["a"]
    assert result["hostid"] == first["hostid"] and result["action"] == "updated"
    assert fake_zabbix.hosts[first["hostid"]]["description"] == "wanted"
    assert fake_zabbix.hosts["99999"]["description"] == "the later copy"


def _race_with_a_concurrent_sync(fake_zabbix: FakeZabbix, their_cleanup_first: bool) -> None:
    """Our host.create commits while another run commits the same name with a lower hostid;
    that run's clean-up either deletes our copy before our read-back, or leaves it to us."""
    original = fake_zabbix.api_host_create

    def both_commit(params: t.Any) -> t.Any:
        answer = original(params)
        ours = answer["hostids"][0]
        theirs = {**copy.deepcopy(fake_zabbix.hosts[ours]), "hostid": "100"}
        fake_zabbix.hosts["100"] = theirs
        if their_cleanup_first:
            del fake_zabbix.hosts[ours]
        return answer

    fake_zabbix.api_host_create = both_commit


@pytest.mark.parametrize("their_cleanup_first", [False, True], ids=["we-delete-our-copy", "they-deleted-our-copy"])
def test_a_create_whose_copy_lost_the_race_reports_what_the_survivor_needed(
    fake_zabbix: FakeZabbix, client_for: type[FakeClient], their_cleanup_first: bool
) -> None:
    """Two syncs create one name at once: the one whose copy goes must not also say "created"
    (seen on CI: the other run had already deleted our copy, so the read-back saw no duplicate)."""
    _race_with_a_concurrent_sync(fake_zabbix, their_cleanup_first)
    result = run(client_for(fake_zabbix), host("a"))["a"]
    assert [h["hostid"] for h in fake_zabbix.hosts.values() if h["host"] == "a"] == ["100"]
    assert (result["action"], result["hostid"]) == ("unchanged", "100")


def test_a_create_rolled_back_by_a_collision_with_a_concurrent_create_is_not_reported_created(
    fake_zabbix: FakeZabbix, client_for: type[FakeClient]
) -> None:
    """Zabbix 7.0 answers "Database error occurred." when overlapping host.create calls collide
    on its ID table: ours was rolled back, the other sync's host is the one there now (seen on CI:
    both runs reported every host created)."""
    def other_sync_wins(params: t.Any) -> bool:
        fake_zabbix.api_host_create(copy.deepcopy(params))
        return True

    fake_zabbix.fail("host.create", ZabbixTransientError("host.create: Application error. Database error occurred.", may_have_landed=False),
                     when=other_sync_wins)
    result = run(client_for(fake_zabbix), host("a"))["a"]
    assert result["action"] == "unchanged" and not result["failed"]
    assert len([h for h in fake_zabbix.hosts.values() if h["host"] == "a"]) == 1
