# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure core: normalise the desired state and Zabbix's answer, plan (diff, host.create/host.update parameters)."""

from __future__ import annotations

import json
import sys
import typing as t
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._codes import SNMP_AUTH_PROTOCOL, SNMP_PRIV_PROTOCOL
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_model import Desired, HostError, Ref
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_spec import host_argument_spec
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._lookups import Catalog, Index, needed_lookups
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import MASK_NEW
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._normalise import normalise_current, normalise_desired
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._plan import plan_host
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import validate_host_options
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import VersionProfile

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from plan_corpus import stored_host  # noqa: E402  pylint: disable=wrong-import-position

P60 = VersionProfile("6.0.14")  # family "6.0"
P70 = VersionProfile("7.0.22")
PSK = "00112233445566778899aabbccddeeff"


def desired(profile: VersionProfile = P70, **options: t.Any) -> Desired:
    options.setdefault("host", "web01")
    params, errors = validate_host_options(options)
    assert not errors, errors
    return normalise_desired(params, profile)


TEMPLATES = {"10564": ("ICMP Ping", "ICMP Ping"), "10700": ("tpl_web", "Web server")}


def catalog() -> Catalog:
    cat = Catalog()
    for gid, name in {"2": "Linux servers", "21": "NB Core", "22": "NB Edge"}.items():
        cat.groups.add(gid, name)
    for tid, (host, name) in TEMPLATES.items():
        cat.templates.add(tid, host, name)
    cat.proxies.add("101", "nb-proxy-1")
    cat.proxies.add("102", "nb-proxy-2")
    cat.proxy_groups.add("201", "nb-pg-1")
    for index in (cat.groups, cat.templates, cat.proxies, cat.proxy_groups):
        index.searched_names.update(index.by_name)
    return cat


def render(state: Desired, profile: VersionProfile, cat: Catalog, hostid: str = "10500") -> dict[str, t.Any]:
    """What host.get would return after Zabbix stored this desired state (test oracle)."""
    return stored_host(state, plan_host(state, None, cat, profile), profile, hostid, cat.groups.by_id.__getitem__,
                       lambda tid: TEMPLATES.get(tid) or (cat.templates.by_id[tid],) * 2)


FULL = dict(
    name="Web 01",
    description="front end",
    status="enabled",
    host_groups=["NB Core", {"name": "NB Edge", "groupid": "22"}],
    templates=["ICMP Ping", {"name": "Web server"}],
    interfaces=[
        {"type": "agent", "ip": "192.0.2.10"},
        {"type": "agent", "ip": "192.0.2.11", "main": True},
        {"type": "snmp", "ip": "2001:db8::1",
         "details": {"version": 3, "securityname": "mon", "securitylevel": "authpriv", "authpassphrase": "authpass-1", "privpassphrase": "privpass-1"}},
        {"type": "jmx", "useip": False, "dns": "web01.example.com"},
    ],
    monitored_by="proxy",
    proxy="nb-proxy-1",
    tags=[{"tag": "site", "value": "dc1"}, {"tag": "role"}],
    macros=[{"macro": "{$PASS}", "value": "macro-secret-1", "type": "secret"}, {"macro": "{$text}", "value": "t"}],
    inventory_mode="manual",
    inventory={"location": "dc1", "os": "linux"},
    tls_connect="psk",
    tls_accept=["psk", "no_encryption"],
    tls_psk_identity="web01-id",
    tls_psk=PSK,
)


@pytest.mark.parametrize("profile", [P60, P70], ids=["60", "70"])
def test_create_then_noop(profile: VersionProfile) -> None:
    state = desired(profile, **FULL)
    cat = catalog()
    plan = plan_host(state, None, cat, profile)
    assert plan.action == "create"
    assert plan.params["host"] == "web01"
    assert plan.params["groups"] == [{"groupid": "21"}, {"groupid": "22"}]
    assert plan.params["templates"] == [{"templateid": "10564"}, {"templateid": "10700"}]
    assert plan.params["tls_psk"] == PSK and plan.params["tls_psk_identity"] == "web01-id"
    if profile.is_7:
        assert plan.params["monitored_by"] == "1" and plan.params["proxyid"] == "101"
    else:
        assert plan.params["proxy_hostid"] == "101" and "monitored_by" not in plan.params
    # the explicitly main agent comes first; the snmp one is promoted
    agents = [i for i in plan.params["interfaces"] if i["type"] == "1"]
    assert [a["ip"] for a in agents] == ["192.0.2.11", "192.0.2.10"] and [a["main"] for a in agents] == ["1", "0"]
    assert ("max_repetitions" in plan.params["interfaces"][2]["details"]) is profile.is_7

    again = plan_host(state, render(state, profile, cat), cat, profile)
    assert again.action == "unchanged", again.changed_fields
    assert again.params == {}


def test_update_carries_only_what_changed() -> None:
    cat = catalog()
    state = desired(**FULL)
    zhost = render(state, P70, cat)
    changed = desired(**{**FULL, "status": "disabled", "tags": [{"tag": "site", "value": "dc2"}]})
    plan = plan_host(changed, zhost, cat, P70)
    assert plan.action == "update"
    assert plan.changed_fields == ["status", "tags"]
    assert plan.params == {"hostid": "10500", "status": "1", "tags": [{"tag": "site", "value": "dc2"}]}
    assert plan.before["status"] == "enabled" and plan.after["status"] == "disabled"


def test_unmanaged_fields_are_left_alone() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    plan = plan_host(desired(host="web01", description="new"), zhost, cat, P70)
    assert plan.params == {"hostid": "10500", "description": "new"}
    assert set(plan.before) == {"description"}


def test_interfaces_updated_in_place_keep_ids() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    ifaces = [dict(i) for i in FULL["interfaces"]]
    ifaces[1] = dict(ifaces[1], ip="192.0.2.99")
    plan = plan_host(desired(**{**FULL, "interfaces": ifaces}), zhost, cat, P70)
    assert plan.changed_fields == ["interfaces"]
    ids = [i.get("interfaceid") for i in plan.params["interfaces"]]
    assert ids == ["900", "901", "902", "903"]
    assert plan.params["interfaces"][0]["ip"] == "192.0.2.99"


def test_removed_interface_is_dropped_new_one_has_no_id() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    ifaces = [FULL["interfaces"][1], {"type": "ipmi", "ip": "192.0.2.50"}]
    plan = plan_host(desired(**{**FULL, "interfaces": ifaces}), zhost, cat, P70)
    assert [i.get("interfaceid") for i in plan.params["interfaces"]] == ["900", None]


def test_templates_unlink_by_default_clear_on_request() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    plan = plan_host(desired(**{**FULL, "templates": ["ICMP Ping"]}), zhost, cat, P70)
    assert plan.params == {"hostid": "10500", "templates": [{"templateid": "10564"}]}
    plan = plan_host(desired(**{**FULL, "templates": ["ICMP Ping"], "clear_removed_templates": True}), zhost, cat, P70)
    assert plan.params["templates_clear"] == [{"templateid": "10700"}]


def test_write_only_secrets_on_create_only() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    # another PSK value and another secret macro value: not detectable, not written
    other = {**FULL, "tls_psk": "ff" * 16, "macros": [{"macro": "{$PASS}", "value": "other", "type": "secret"}, {"macro": "{$TEXT}", "value": "t"}]}
    assert plan_host(desired(**other), zhost, cat, P70).action == "unchanged"
    plan = plan_host(desired(**{**other, "update_secrets": "always"}), zhost, cat, P70)
    assert plan.action == "update"
    assert {"macros", "tls_psk"} <= set(plan.changed_fields)
    assert plan.params["tls_psk"] == "ff" * 16 and plan.params["tls_psk_identity"] == "web01-id"
    assert plan.after["tls_psk"] == MASK_NEW


def test_new_secret_macro_is_written() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    macros = FULL["macros"] + [{"macro": "{$NEW}", "value": "brand-new-secret", "type": "secret"}]
    plan = plan_host(desired(**{**FULL, "macros": macros}), zhost, cat, P70)
    assert plan.changed_fields == ["macros"]
    sent = {m["macro"]: m for m in plan.params["macros"]}
    assert sent["{$NEW}"]["value"] == "brand-new-secret" and "hostmacroid" not in sent["{$NEW}"]
    assert sent["{$PASS}"]["hostmacroid"] == "800" and "value" not in sent["{$PASS}"]  # kept by Zabbix


def test_tls_change_does_not_resend_the_psk() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    plan = plan_host(desired(**{**FULL, "tls_accept": ["psk", "certificate"]}), zhost, cat, P70)
    assert plan.params == {"hostid": "10500", "tls_accept": 6}


def test_psk_newly_enabled_is_written() -> None:
    cat = catalog()
    base = {k: v for k, v in FULL.items() if not k.startswith("tls")}
    zhost = render(desired(**base), P70, cat)
    plan = plan_host(desired(**dict(base, tls_connect="psk", tls_accept=["psk"], tls_psk_identity="id", tls_psk=PSK)), zhost, cat, P70)
    assert plan.params["tls_psk"] == PSK and plan.params["tls_connect"] == 2


@pytest.mark.parametrize(
    "options, field, text",
    [
        (dict(templates=["ICMP Ping", "Foo"]), "templates[1]", "template 'Foo' not found"),
        (dict(host_groups=["Nope"]), "host_groups[0]", "host group 'Nope' not found"),
        (dict(proxy="ghost"), "proxy", "proxy 'ghost' not found"),
        (dict(monitored_by="proxy_group", proxy_group="ghost"), "proxy_group", "proxy group 'ghost' not found"),
    ],
)
def test_unresolvable_references_name_the_field(options: dict[str, t.Any], field: str, text: str) -> None:
    options.setdefault("host_groups", ["NB Core"])
    with pytest.raises(HostError) as err:
        plan_host(desired(**options), None, catalog(), P70)
    assert err.value.field == field and text in str(err.value)


@pytest.mark.parametrize(
    "options, field",
    [
        (dict(interfaces=[{"type": "agent", "ip": "300.1.1.1"}]), "interfaces[0].ip"),
        (dict(interfaces=[{"type": "agent", "ip": "192.0.2.1", "port": "http"}]), "interfaces[0].port"),
        (dict(interfaces=[{"type": "snmp", "ip": "192.0.2.1", "details": {"version": 3}}]), "interfaces[0].details.securityname"),
        (dict(interfaces=[{"type": "agent", "useip": False}]), "interfaces[0].dns"),
        (dict(interfaces=[{"type": "agent", "ip": "192.0.2.1", "main": True}, {"type": "agent", "ip": "192.0.2.2", "main": True}]), "interfaces[1].main"),
        (dict(macros=[{"macro": "NOTAMACRO"}]), "macros[0].macro"),
        (dict(tls_psk="short"), "tls_psk"),
        (dict(monitored_by="proxy"), "proxy"),
        (dict(inventory_mode="disabled", inventory={"os": "x"}), "inventory"),
        (dict(host_groups=[{"description": "no name"}]), "host_groups[0]"),
    ],
)
def test_bad_input_names_the_field(options: dict[str, t.Any], field: str) -> None:
    with pytest.raises(HostError) as err:
        desired(**options)
    assert err.value.field == field


def test_proxy_group_on_60_is_a_clear_error() -> None:
    with pytest.raises(HostError, match="proxy_group: proxy groups need Zabbix 7.0"):
        desired(P60, monitored_by="proxy_group", proxy_group="nb-pg-1")


def test_wrong_types_are_reported_by_the_spec() -> None:
    _params, errors = validate_host_options({"host": "x", "interfaces": "not-a-list-of-dicts", "status": "maybe"})
    assert any("status" in e for e in errors) and any("interfaces" in e for e in errors)


@pytest.mark.parametrize(
    "given_ref, expected",
    [
        (Ref("NB Core", "21", "p"), "21"),  # both agree
        (Ref("NB Core", None, "p"), "21"),  # name only
        (Ref(None, "22", "p"), "22"),  # id only
        (Ref("NB Core", "22", "p"), "21"),  # id of another object, name exists: stale id -> name
        (Ref("Core renamed", "21", "p"), "21"),  # no object with that name: renamed -> id
        (Ref("NB Core", "999", "p"), "21"),  # id from another Zabbix
        (Ref("ghost", "999", "p"), None),
    ],
)
def test_id_name_precedence(given_ref: Ref, expected: str | None) -> None:
    assert catalog().groups.resolve(given_ref) == expected


def test_partial_index_asks_for_a_lookup_only_when_needed() -> None:
    index = Index("host group")
    index.add("21", "NB Core")  # what a host.get told
    assert not index.needs_lookup(Ref("NB Core", "99", "p"))
    assert index.needs_lookup(Ref("Other", "21", "p"))  # might exist elsewhere under that name
    index.searched_names.add("Other")
    assert not index.needs_lookup(Ref("Other", "21", "p"))


def test_unchanged_existing_host_needs_no_lookup() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    fresh = Catalog()
    state = desired(**{k: v for k, v in FULL.items() if k not in ("proxy", "monitored_by")})
    current = normalise_current(zhost, P70)
    fresh.learn_host(current)
    assert not needed_lookups(state, current, fresh)


def test_diff_masks_secrets_and_names_fields() -> None:
    cat = catalog()
    plan = plan_host(desired(**FULL), None, cat, P70)
    text = json.dumps([plan.before, plan.after, plan.params and "params-not-shown"])
    for secret in (PSK, "macro-secret-1", "authpass-1", "privpass-1"):
        assert secret not in text
    assert plan.after["host_groups"] == ["NB Core", "NB Edge"]
    assert plan.after["proxy"] == "nb-proxy-1"


def test_absent() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    gone = desired(host="web01", state="absent")
    assert plan_host(gone, zhost, cat, P70).action == "delete"
    assert plan_host(gone, None, cat, P70).action == "unchanged"


def test_create_needs_groups() -> None:
    with pytest.raises(HostError, match="host_groups"):
        plan_host(desired(name="x"), None, catalog(), P70)


def test_missing_groups_created_when_allowed() -> None:
    plan = plan_host(desired(host_groups=["NB Core", "NB New"], create_missing_host_groups=True), None, catalog(), P70)
    assert plan.groups_to_create == ["NB New"]


def test_monitoring_from_proxy_to_server_60_and_70() -> None:
    cat = catalog()
    for profile in (P60, P70):
        zhost = render(desired(profile, **FULL), profile, cat)
        plan = plan_host(desired(profile, **{**FULL, "monitored_by": "server"}), zhost, cat, profile)
        assert plan.changed_fields == ["monitored_by", "proxy"]
        expected = {"monitored_by": "0", "proxyid": "0", "proxy_groupid": "0"} if profile.is_7 else {"proxy_hostid": "0"}
        assert {k: plan.params[k] for k in expected} == expected


def test_proxy_group_on_70() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    plan = plan_host(desired(**{**FULL, "monitored_by": "proxy_group", "proxy_group": {"name": "nb-pg-1"}}), zhost, cat, P70)
    assert plan.params["monitored_by"] == "2" and plan.params["proxy_groupid"] == "201" and plan.params["proxyid"] == "0"


# -- property tests --------------------------------------------------------------------
names = st.text(alphabet="abcdefghij-_ 0123456789", min_size=1, max_size=12).map(str.strip).filter(bool)
# Secrets are 13+ capital letters, which no plain value can hold (names are lower case, macro
# names have at most 12 letters): so a secret found in the output is a leak, never a
# plain value that happens to be equal.
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters=UPPER), max_size=20)
ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t4: ".".join(map(str, t4)))
secret = st.text(alphabet=UPPER, min_size=13, max_size=24)
macro_type = st.sampled_from(["text", "secret", "vault"])


@st.composite
def interface(draw: st.DrawFn) -> dict[str, t.Any]:
    kind = draw(st.sampled_from(["agent", "snmp", "ipmi", "jmx"]))
    iface: dict[str, t.Any] = {"type": kind, "ip": draw(ipv4), "port": draw(st.one_of(st.none(), st.integers(1, 65535).map(str)))}
    if kind == "snmp":
        version = draw(st.sampled_from([1, 2, 3]))
        details: dict[str, t.Any] = {"version": version, "bulk": draw(st.booleans())}
        if version == 3:
            details.update(securityname=draw(names), securitylevel=draw(st.sampled_from(["noauthnopriv", "authnopriv", "authpriv"])),
                           authprotocol=draw(st.sampled_from(sorted(SNMP_AUTH_PROTOCOL))), authpassphrase=draw(secret),
                           privprotocol=draw(st.sampled_from(sorted(SNMP_PRIV_PROTOCOL))), privpassphrase=draw(secret))
        else:
            details["community"] = draw(values)
        iface["details"] = details
    return iface


@st.composite
def host_options(draw: st.DrawFn) -> dict[str, t.Any]:
    options: dict[str, t.Any] = {
        "host": "h-" + draw(names).replace(" ", "_"),
        "host_groups": draw(st.lists(st.sampled_from(["NB Core", "NB Edge", "Linux servers"]), min_size=1, max_size=3)),
    }
    optional = {
        "name": names,
        "description": values,
        "status": st.sampled_from(["enabled", "disabled"]),
        "templates": st.lists(st.sampled_from(["ICMP Ping", "Web server", "tpl_web"]), max_size=3),
        "interfaces": st.lists(interface(), max_size=5),
        "tags": st.lists(st.fixed_dictionaries({"tag": names, "value": values}), max_size=4),
        "macros": st.lists(
            st.tuples(names.map(lambda n: "{$" + n.upper().replace(" ", "_").replace("-", "_") + "}"), macro_type).flatmap(
                lambda pair: st.fixed_dictionaries({"macro": st.just(pair[0]), "type": st.just(pair[1]),
                                                    "value": secret if pair[1] == "secret" else values})),
            max_size=4, unique_by=lambda m: m["macro"],
        ),
        "inventory_mode": st.sampled_from(["manual", "automatic"]),
        "inventory": st.dictionaries(st.sampled_from(["os", "location", "notes"]), values, max_size=3),
        "proxy": st.sampled_from(["nb-proxy-1", "nb-proxy-2"]),
        "tls_accept": st.lists(st.sampled_from(["no_encryption", "certificate"]), min_size=1, max_size=2),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            options[key] = draw(strategy)
    if options.get("interfaces"):
        for kind in ("agent", "snmp", "ipmi", "jmx"):  # at most one main per type
            for iface in [i for i in options["interfaces"] if i["type"] == kind][1:]:
                iface["main"] = False
    return options


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=host_options(), profile=st.sampled_from([P60, P70]))
def test_property_render_then_diff_is_empty(options: dict[str, t.Any], profile: VersionProfile) -> None:
    """diff(x, normalise(render(x))) is empty, on both versions."""
    cat = catalog()
    state = desired(profile, **options)
    plan = plan_host(state, render(state, profile, cat), cat, profile)
    assert plan.action == "unchanged", (plan.changed_fields, plan.before, plan.after)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=host_options(), other=host_options())
def test_property_masking_never_leaks_a_secret(options: dict[str, t.Any], other: dict[str, t.Any]) -> None:
    cat = catalog()
    state = desired(P70, **options)
    changed = desired(P70, **dict(other, host=options["host"], update_secrets="always"))
    for plan in (plan_host(state, None, cat, P70), plan_host(changed, render(state, P70, cat), cat, P70)):
        shown = json.dumps([plan.before, plan.after])
        for value in state.secrets | changed.secrets:
            assert value not in shown


def test_changed_readable_passphrase_shows_as_new_value() -> None:
    cat = catalog()
    zhost = render(desired(**FULL), P70, cat)
    ifaces = [dict(i) for i in FULL["interfaces"]]
    ifaces[2] = dict(ifaces[2], details=dict(ifaces[2]["details"], authpassphrase="another-pass"))
    plan = plan_host(desired(**{**FULL, "interfaces": ifaces}), zhost, cat, P70)
    assert plan.changed_fields == ["interfaces"]
    snmp_after = next(i for i in plan.after["interfaces"] if i["type"] == "snmp")
    assert snmp_after["details"]["authpassphrase"] == MASK_NEW
    assert "another-pass" not in json.dumps([plan.before, plan.after])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=host_options(), with_defaults=st.booleans())
def test_property_fast_validation_equals_the_argument_spec(options: dict[str, t.Any], with_defaults: bool) -> None:
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _engine

    spec = host_argument_spec(with_defaults)
    fast = _engine._fast_validate(spec, options)
    assert fast is not None
    assert fast == ArgumentSpecValidator(spec).validate(dict(options)).validated_parameters


@pytest.mark.parametrize(
    "options",
    [
        {"host_name": "aliased"},
        {"host": "x", "interfaces": [{"type": "agent", "ip": "192.0.2.1", "port": 10050}]},
        {"host": "x", "status": "sometimes"},
        {"host": "x", "unknown": 1},
        {"host": "x", "interfaces": [{"type": "snmp", "ip": "192.0.2.1", "details": {"version": "3"}}]},
        {"host": "x", "tls_accept": ["psk", "bogus"]},
        {"name": "no host"},
    ],
)
def test_unusual_input_takes_the_full_validator(options: dict[str, t.Any]) -> None:
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _engine

    assert _engine._fast_validate(host_argument_spec(False), options) is None


# -- the round trip against what the real Zabbix answered --------------------------------
REAL = Path(__file__).resolve().parents[2] / "fixtures" / "zabbix"


def recorded(version: str) -> dict[str, t.Any]:
    """host.get of readback-state.json's host as the real Zabbix answered it
    (tests/integration/test_zabbix_readback_recordings.py records and checks it)."""
    return json.loads((REAL / f"readback-{version}.json").read_text())


def catalog_of(recording: dict[str, t.Any], profile: VersionProfile) -> Catalog:
    """The catalog the engine would read from that Zabbix (ids as it answered them)."""
    host = recording["host"]
    cat = Catalog()
    for group in host["hostgroups" if profile.is_7 else "groups"]:
        cat.groups.add(group["groupid"], group["name"])
    for template in host["parentTemplates"]:
        cat.templates.add(template["templateid"], template["host"], template["name"])
    for proxyid, name in recording["proxies"].items():
        cat.proxies.add(proxyid, name)
    for index in (cat.groups, cat.templates, cat.proxies, cat.proxy_groups):
        index.searched_names.update(index.by_name)
    return cat


@pytest.mark.parametrize("version, profile", [("6.0", P60), ("7.0", P70)], ids=["60", "70"])
def test_real_readback_is_unchanged(version: str, profile: VersionProfile) -> None:
    """The desired state the real Zabbix stored reads back as unchanged: no phantom drift."""
    recording = recorded(version)
    state_options = json.loads((REAL / "readback-state.json").read_text())
    state = desired(profile, **state_options)
    plan = plan_host(state, recording["host"], catalog_of(recording, profile), profile)
    assert plan.action == "unchanged", (plan.changed_fields, plan.before, plan.after)


@pytest.mark.parametrize("version, profile", [("6.0", P60), ("7.0", P70)], ids=["60", "70"])
def test_real_readback_shows_each_drift(version: str, profile: VersionProfile) -> None:
    """Against the real answer, one changed desired field at a time is that field's update."""
    recording = recorded(version)
    base = json.loads((REAL / "readback-state.json").read_text())
    cat = catalog_of(recording, profile)
    changes = {
        "status": "disabled", "description": "other", "name": "Other name", "tags": [{"tag": "site", "value": "dc2"}],
        "inventory": {"location": "dc2", "os": "linux"}, "tls_accept": ["psk"],
        "macros": [base["macros"][0], {"macro": "{$text}", "value": "u", "description": "a text macro"}],
    }
    for field, value in changes.items():
        plan = plan_host(desired(profile, **{**base, field: value}), recording["host"], cat, profile)
        assert plan.action == "update" and field in plan.changed_fields, (field, plan.changed_fields)
    snmp = [dict(i) for i in base["interfaces"]]
    snmp[2] = dict(snmp[2], details=dict(snmp[2]["details"], securitylevel="authnopriv"))
    plan = plan_host(desired(profile, **{**base, "interfaces": snmp}), recording["host"], cat, profile)
    assert plan.changed_fields == ["interfaces"], plan.changed_fields


@pytest.mark.parametrize("version, profile", [("6.0", P60), ("7.0", P70)], ids=["60", "70"])
def test_render_oracle_agrees_with_the_real_readback(version: str, profile: VersionProfile) -> None:
    """The unit tests' render() (built from the code under test) answers what the real Zabbix answered."""
    recording = recorded(version)
    state_options = json.loads((REAL / "readback-state.json").read_text())
    cat = catalog_of(recording, profile)
    real, rendered = recording["host"], render(desired(profile, **state_options), profile, cat)
    for key in ("host", "name", "description", "status", "inventory_mode", "tls_connect", "tls_accept"):
        assert rendered[key] == real[key], key

    def interfaces(host: dict[str, t.Any]) -> list[tuple]:
        return sorted((i["type"], i["ip"], i["dns"], i["useip"], i["port"], i["main"],
                       json.dumps({k: v for k, v in (i.get("details") or {}).items()
                                   if k not in ("authpassphrase", "privpassphrase")}, sort_keys=True))
                      for i in host["interfaces"])

    assert interfaces(rendered) == interfaces(real)
    assert sorted((m["macro"], m["type"], m.get("value")) for m in rendered["macros"]) == sorted(
        (m["macro"], m["type"], m.get("value")) for m in real["macros"])
    assert sorted((tg["tag"], tg["value"]) for tg in rendered["tags"]) == sorted((tg["tag"], tg["value"]) for tg in real["tags"])
    assert {k: v for k, v in real["inventory"].items() if v} == rendered["inventory"]
