# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fuzzing the pure core and the engine with hypothesis-generated desired states.

The generated options mix valid values with every kind of wrong one (wrong types, unknown
choices, bad IPs/ports/macros/PSKs, unknown groups and templates, duplicates). Properties:

* the argument spec, ``normalise_desired`` and ``plan_host`` either succeed or raise our own
  ``HostError`` naming a field: no other exception, ever;
* the engine (on the fake Zabbix of tests/unit/conftest.py) never raises; a failed host's
  message starts with the host and names a field, and for such a host nothing was written;
* secret values (PSK, SNMPv3 passphrases, secret macro values) never appear in a message
  or a diff;
* a host the engine created reads back as unchanged on the next run (idempotence).

Every run is seeded (``derandomize``) so a failure reproduces; about 1,600 cases in total.
"""

from __future__ import annotations

import json
import re
import typing as t

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import SyncEngine, validate_host_options
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_model import HostError
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_spec import host_argument_spec
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._lookups import Catalog
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._normalise import normalise_desired
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._plan import plan_host
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import VersionProfile

if t.TYPE_CHECKING:
    from conftest import FakeClient, FakeZabbix

FUZZ = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
WRITES = {"host.create", "host.update", "host.delete", "hostgroup.create"}
OPTION_NAMES = set(host_argument_spec()) | {"host_name", "visible_name", "link_templates", "inventory_zabbix"}

# -- values ------------------------------------------------------------------------------
junk = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=False, allow_infinity=False),
                 st.text(max_size=8), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
secret = st.from_regex(r"\ASEKRIT[a-z]{8}\Z")
psk = st.one_of(st.from_regex(r"\A[0-9a-f]{32}\Z"), st.from_regex(r"\A[0-9a-f]{64}\Z"), st.from_regex(r"\ASEKRIT[0-9a-g]{20}\Z"))
name = st.one_of(st.from_regex(r"\Afz-[a-z0-9]{1,8}\Z"), st.text(max_size=10), st.just(" "), st.just("fz host/!"))


def maybe(strategy: st.SearchStrategy, junk_weight: bool = True) -> st.SearchStrategy:
    return st.one_of(strategy, junk) if junk_weight else strategy


group_ref = st.one_of(st.sampled_from(["NB Core", "NB Edge", "Linux servers", "No such group"]),
                      st.fixed_dictionaries({"name": st.sampled_from(["NB Core", "Gone"]), "groupid": st.sampled_from(["21", "999", "", None])}),
                      st.fixed_dictionaries({"groupid": st.sampled_from(["22", "12345"])}), junk)
template_ref = st.one_of(st.sampled_from(["ICMP Ping", "Web server", "tpl_web", "No such template"]),
                         st.fixed_dictionaries({"name": st.sampled_from(["ICMP Ping", "Gone"]), "templateid": st.sampled_from(["10564", "1", None])}),
                         junk)
ip = st.one_of(st.sampled_from(["192.0.2.7", "2001:db8::1", "{$HOST_IP}", "999.1.1.1", "", "not-an-ip", " 192.0.2.8 "]), junk)
port = st.one_of(st.sampled_from(["10050", "161", "{$PORT}", "-1", "70000", "abc", "", " 99 "]), st.integers(-1, 70000), junk)
snmp_details = st.fixed_dictionaries({}, optional={
    "version": maybe(st.sampled_from([1, 2, 3, "3"])),
    "bulk": maybe(st.booleans()),
    "community": maybe(st.sampled_from(["public", ""])),
    "max_repetitions": maybe(st.integers(0, 100)),
    "contextname": maybe(st.text(max_size=5)),
    "securityname": maybe(st.sampled_from(["user", ""])),
    "securitylevel": maybe(st.sampled_from(["noauthnopriv", "authnopriv", "authpriv"])),
    "authprotocol": maybe(st.sampled_from(["md5", "sha1", "sha256", "sha512"])),
    "authpassphrase": secret,
    "privprotocol": maybe(st.sampled_from(["des", "aes128", "aes256c"])),
    "privpassphrase": secret,
})
interface = st.fixed_dictionaries({"type": maybe(st.sampled_from(["agent", "snmp", "ipmi", "jmx"]))}, optional={
    "main": maybe(st.booleans()), "useip": maybe(st.booleans()), "ip": ip, "dns": maybe(st.sampled_from(["h.example.net", ""])),
    "port": port, "details": st.one_of(snmp_details, junk),
})
macro = st.fixed_dictionaries({"macro": maybe(st.sampled_from(["{$A}", "{$a:ctx}", "{$B}", "A", "{$}", "{$A}"]))}, optional={
    "value": st.one_of(secret, st.text(max_size=6)), "type": maybe(st.sampled_from(["text", "secret", "vault"])),
    "description": maybe(st.text(max_size=4)),
})
tag = st.one_of(st.fixed_dictionaries({"tag": maybe(st.sampled_from(["site", "role", ""]))}, optional={"value": maybe(st.text(max_size=4))}), junk)
tls = st.sampled_from(["no_encryption", "psk", "certificate", "bogus"])

desired_options = st.fixed_dictionaries({"host": name}, optional={
    "name": maybe(st.text(max_size=10)),
    "description": maybe(st.text(max_size=10)),
    "status": maybe(st.sampled_from(["enabled", "disabled", "Enabled"])),
    "state": st.sampled_from(["present", "absent", "gone"]),
    "host_groups": st.one_of(st.lists(group_ref, max_size=3), junk),
    "create_missing_host_groups": maybe(st.booleans()),
    "templates": st.one_of(st.lists(template_ref, max_size=3), junk),
    "clear_removed_templates": maybe(st.booleans()),
    "interfaces": st.one_of(st.lists(interface, max_size=3), junk),
    "monitored_by": maybe(st.sampled_from(["server", "proxy", "proxy_group"])),
    "proxy": maybe(st.sampled_from(["nb-proxy-1", "no-proxy"]) | st.fixed_dictionaries({"proxyid": st.sampled_from(["101", "9"])})),
    "proxy_group": maybe(st.sampled_from(["nb-pg-1", "no-pg"])),
    "tags": st.one_of(st.lists(tag, max_size=3), junk),
    "macros": st.one_of(st.lists(macro, max_size=3), junk),
    "inventory_mode": maybe(st.sampled_from(["disabled", "manual", "automatic"])),
    "inventory": st.one_of(st.dictionaries(st.sampled_from(["location", "os", "notes"]), maybe(st.text(max_size=5)), max_size=3), junk),
    "tls_connect": maybe(tls),
    "tls_accept": st.one_of(st.lists(tls, max_size=3), tls, junk),
    "tls_psk_identity": maybe(st.text(max_size=6)),
    "tls_psk": psk,
    "update_secrets": maybe(st.sampled_from(["on_create", "always"])),
})

# Mostly-valid states, so that creates, updates and idempotence get exercised too.
good_interface = st.one_of(
    st.fixed_dictionaries({"type": st.just("agent"), "ip": st.sampled_from(["192.0.2.7", "2001:db8::1"])},
                          optional={"port": st.sampled_from(["10050", "{$AGENT_PORT}", 10051]), "main": st.booleans()}),
    st.fixed_dictionaries({"type": st.just("agent"), "useip": st.just(False), "dns": st.just("h.example.net")}),
    st.fixed_dictionaries({"type": st.just("snmp"), "ip": st.just("192.0.2.9"), "details": st.one_of(
        st.fixed_dictionaries({"version": st.sampled_from([1, 2])},
                              optional={"community": st.sampled_from(["public", "{$C}"]), "bulk": st.booleans()}),
        st.fixed_dictionaries({"version": st.just(3), "securityname": st.just("user"),
                               "securitylevel": st.sampled_from(["noauthnopriv", "authnopriv", "authpriv"]),
                               "authpassphrase": secret, "privpassphrase": secret},
                              optional={"authprotocol": st.sampled_from(["md5", "sha256"]), "privprotocol": st.sampled_from(["des", "aes256"])}))}),
)
valid_options = st.fixed_dictionaries({"host": st.from_regex(r"\Afz-[a-z0-9]{1,8}\Z"), "host_groups": st.lists(
    st.sampled_from(["NB Core", "NB Edge", "Linux servers"]), min_size=1, max_size=2)}, optional={
    "name": st.text(max_size=10),
    "description": st.text(max_size=10),
    "status": st.sampled_from(["enabled", "disabled"]),
    "templates": st.lists(st.sampled_from(["ICMP Ping", "Web server", "tpl_web"]), max_size=2),
    "interfaces": st.lists(good_interface, max_size=3),
    "tags": st.lists(st.fixed_dictionaries({"tag": st.sampled_from(["site", "role"])}, optional={"value": st.text(max_size=4)}), max_size=3),
    "macros": st.lists(st.fixed_dictionaries({"macro": st.sampled_from(["{$A}", "{$B:ctx}", "{$c}"]), "value": st.one_of(secret, st.text(max_size=4))},
                                             optional={"type": st.sampled_from(["text", "secret"])}), max_size=2, unique_by=lambda m: m["macro"].upper()),
    "inventory_mode": st.sampled_from(["manual", "automatic"]),
    "inventory": st.dictionaries(st.sampled_from(["location", "os", "notes"]), st.text(max_size=5), max_size=2),
    "tls_connect": st.sampled_from(["no_encryption", "psk"]),
    "tls_accept": st.lists(st.sampled_from(["no_encryption", "psk"]), min_size=1, max_size=2),
    "tls_psk_identity": st.from_regex(r"\Aid-[a-z]{3}\Z"),
    "tls_psk": st.from_regex(r"\A[0-9a-f]{32}\Z"),
    "monitored_by": st.sampled_from(["server", "proxy"]),
    "proxy": st.just("nb-proxy-1"),
})
any_options = st.one_of(desired_options, valid_options)


def secrets_in(raw: t.Any) -> set[str]:
    """The secret values of a desired state: PSK, SNMPv3 passphrases, values of secret macros
    (minus any that also appear where they are not secret, e.g. as a text macro's value)."""
    if not isinstance(raw, dict):
        return set()
    found: set[str] = set()
    plain: set[str] = set()
    if isinstance(raw.get("tls_psk"), str) and raw["tls_psk"]:
        found.add(raw["tls_psk"])
    for iface in raw.get("interfaces") if isinstance(raw.get("interfaces"), list) else []:
        details = iface.get("details") if isinstance(iface, dict) else None
        if isinstance(details, dict):
            found.update(v for k, v in details.items() if k in ("authpassphrase", "privpassphrase") and isinstance(v, str) and v)
    for macro in raw.get("macros") if isinstance(raw.get("macros"), list) else []:
        if isinstance(macro, dict) and isinstance(macro.get("value"), str) and macro["value"]:
            (found if macro.get("type") == "secret" else plain).add(macro["value"])
    return {s for s in found - plain if len(s) >= 8}


_OPTION_PATH = (r"(?:" + "|".join(sorted((re.escape(o) for o in OPTION_NAMES), key=len, reverse=True))
                + r")(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*")
# the shapes a per-field reason takes: ours ("interfaces[1].port: ...") and ansible-core's validation
_FIELD_REASON = re.compile("|".join(f"(?:{form})" for form in (
    rf"{_OPTION_PATH}: \S", rf"{_OPTION_PATH} must be", rf"{_OPTION_PATH}[.,]", rf"argument '{_OPTION_PATH}'",
    rf"value of {_OPTION_PATH} must", rf"value of [a-z_]+ must be one (?:or more )?of: .* found in {_OPTION_PATH}",
    rf"argument '[a-z_]+' is of type .* found in '{_OPTION_PATH}",
    rf"missing required arguments: {_OPTION_PATH}", rf"parameters are mutually exclusive: {_OPTION_PATH}",
    # a missing sub-option: ansible-core names it, then the option it belongs to
    rf"missing required arguments: [a-z_]+(?:, [a-z_]+)* found in {_OPTION_PATH}$",
)), re.DOTALL)  # the validator quotes the bad value, which may hold a newline


def names_a_field(message: str) -> bool:
    """``<host>: <reason>[; <reason>...]``, every reason starting with the option (path) it is about.

    "host" and "name" are options too: a bare mention anywhere is not enough, the reason must
    lead with the field (``interfaces[1].port: ...``, ``argument 'tags' ...``).
    """
    _label, sep, body = message.partition(": ")
    reasons = [part for part in re.split(r"; (?=\S)", body) if part] if sep else []
    return bool(reasons) and all(_FIELD_REASON.match(reason) for reason in reasons)


def test_names_a_field_needs_the_field_first() -> None:
    assert names_a_field("sw-1: interfaces[1].port: must be 1-65535, got 0")
    # found by the fuzzer: {"host": " ", "tags": [{}]}
    assert names_a_field("inv-1: missing required arguments: tag found in tags")
    assert not names_a_field("inv-1: missing required arguments: tag found in somewhere")
    assert names_a_field("sw-1: argument 'tags' is of type str; value of status must be one of: enabled, got: x")
    assert names_a_field("sw-1: argument 'bulk' is of type float found in 'interfaces -> details'. and we were unable")
    assert not names_a_field("sw-1: the host name could not be written")
    assert not names_a_field("sw-1: Zabbix said: host already exists")
    assert not names_a_field("a message without any field or label")


# -- the pure core -------------------------------------------------------------------------
@FUZZ
@given(raw=any_options, version=st.sampled_from(["6.0.14", "7.0.22"]))
def test_core_raises_only_host_errors(raw: dict[str, t.Any], version: str) -> None:
    params, errors = validate_host_options(raw, with_defaults=True)
    assert all(isinstance(e, str) and e for e in errors)
    if errors:
        assert params is None
        return
    profile = VersionProfile(version)
    catalog = Catalog()
    for gid, group in (("21", "NB Core"), ("22", "NB Edge"), ("2", "Linux servers")):
        catalog.groups.add(gid, group)
    catalog.templates.add("10564", "ICMP Ping")
    catalog.proxies.add("101", "nb-proxy-1")
    for index in (catalog.groups, catalog.templates, catalog.proxies, catalog.proxy_groups):
        index.searched_names |= {"No such group", "Gone", "No such template", "no-proxy", "no-pg", "nb-pg-1"}
    try:
        desired = normalise_desired(params, profile)
        plan_host(desired, None, catalog, profile)
    except HostError as exc:
        assert exc.field and exc.reason and str(exc).startswith(exc.field)
        leaked = [s for s in secrets_in(raw) if s in str(exc)]
        assert not leaked, f"{leaked} in {exc}"


# -- the engine on the fake Zabbix ---------------------------------------------------------
def fresh_zabbix(fake_zabbix: FakeZabbix) -> FakeZabbix:
    """A new fake Zabbix of the same version, where host.create with inventory but without
    inventory_mode gives a manual inventory, as the real one does (checked on 7.0.22)."""
    base = type(fake_zabbix)

    class Fake(base):  # type: ignore[valid-type,misc]
        def api_host_create(self, params: list[dict[str, t.Any]]) -> dict[str, list[str]]:
            answer = super().api_host_create(params)
            for hostid, sent in zip(answer["hostids"], params):
                if sent.get("inventory") and "inventory_mode" not in sent:
                    self.hosts[hostid]["inventory_mode"] = "0"
            return answer

    return Fake(fake_zabbix.version)


@FUZZ
@given(raw=any_options)
def test_engine_fails_cleanly_writes_nothing_for_bad_input_and_is_idempotent(
    raw: dict[str, t.Any], fake_zabbix: FakeZabbix, client_for: type[FakeClient]
) -> None:
    fake = fresh_zabbix(fake_zabbix)  # a fresh Zabbix per example
    key = "inventory-host"
    result = SyncEngine(client_for(fake), diff_mode=True).sync([(key, raw, None)])[key]
    written = [m for m in fake.methods() if m in WRITES]
    event(result["action"])
    text = json.dumps(result, default=str)
    leaked = [s for s in secrets_in(raw) if s in text]
    assert not leaked, f"secret {leaked} in the result {text}"
    if result["failed"]:
        message = result["msg"]
        label = str(raw.get("host")).strip() if raw.get("host") else key
        assert message.startswith(f"{label}: ") or message.startswith(f"{key}: ") or message.startswith(f"{raw.get('host')}: "), message
        assert names_a_field(message), message
        assert written == [], f"{written} for a failed host: {message}"
        return
    if result["action"] in ("created", "updated"):
        again = SyncEngine(client_for(fake), diff_mode=True).sync([(key, raw, None)])[key]
        assert again["action"] == "unchanged", (again, raw)


@settings(FUZZ, max_examples=150)
@given(raws=st.lists(any_options, min_size=2, max_size=6))
def test_engine_batch_isolates_bad_hosts(raws: list[dict[str, t.Any]], fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    """Many hosts in one run: each result is its own; the good ones are written, once."""
    fake = fresh_zabbix(fake_zabbix)
    items = [(f"inv-{n}", raw, None) for n, raw in enumerate(raws)]
    results = SyncEngine(client_for(fake)).sync(items)
    assert set(results) == {key for key, _raw, _errors in items}
    created = {key for key, r in results.items() if r["action"] == "created"}
    names = [str(raws[int(key[4:])]["host"]).strip() for key in created]
    assert len(names) == len(set(names))  # one desired state per Zabbix host
    stored = sorted(h["host"] for h in fake.hosts.values())
    assert stored == sorted(names), (stored, results)
    for key, r in results.items():
        if r["failed"]:
            assert names_a_field(r["msg"]), r["msg"]


@FUZZ
@given(raw=desired_options)
def test_upstream_errors_fail_the_host_without_any_call(raw: dict[str, t.Any], fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    fake = fresh_zabbix(fake_zabbix)
    result = SyncEngine(client_for(fake)).sync([("h", raw, ["interfaces[0]: agent interface 'eth0' has no IP address"])])["h"]
    assert result["failed"] and "interfaces[0]" in result["msg"]
    assert fake.methods() == []


# -- regressions: crashes this fuzzing found (fixed in 0bdd850) -------------------------------
# A nested dict option given a non-mapping value (interfaces[].details: false) made ansible-core's
# ArgumentSpecValidator raise TypeError, which aborted the whole batch.
@pytest.mark.parametrize("details", [False, True, 0, 1.5, [0]], ids=["false", "true", "zero", "float", "list"])
def test_non_mapping_details_is_a_clean_error(details: t.Any) -> None:
    raw = {"host": "fz-x", "interfaces": [{"type": "agent", "ip": "192.0.2.1", "details": details}]}
    params, errors = validate_host_options(raw)
    assert params is None and any("details" in e for e in errors), errors


def test_non_mapping_details_fails_only_its_host(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    bad = {"host": "fz-bad", "host_groups": ["NB Core"], "interfaces": [{"type": "agent", "ip": "192.0.2.1", "details": False}]}
    good = {"host": "fz-good", "host_groups": ["NB Core"], "interfaces": [{"type": "agent", "ip": "192.0.2.2"}]}
    results = SyncEngine(client_for(fake_zabbix)).sync([("bad", bad, None), ("good", good, None)])
    assert results["bad"]["failed"] and "details" in results["bad"]["msg"]
    assert results["good"]["action"] == "created"


# secret_values() iterated macros/interfaces assuming lists: macros: true raised TypeError while
# building the error message of that invalid host, which aborted the whole batch.
@pytest.mark.parametrize("field,value", [("macros", True), ("interfaces", 1), ("macros", 2.5)])
def test_non_list_macros_or_interfaces_fail_only_their_host(
    field: str, value: t.Any, fake_zabbix: FakeZabbix, client_for: type[FakeClient]
) -> None:
    bad = {"host": "fz-bad", "host_groups": ["NB Core"], field: value}
    good = {"host": "fz-good", "host_groups": ["NB Core"], "interfaces": [{"type": "agent", "ip": "192.0.2.2"}]}
    results = SyncEngine(client_for(fake_zabbix)).sync([("bad", bad, None), ("good", good, None)])
    assert results["bad"]["failed"] and field in results["bad"]["msg"]
    assert results["good"]["action"] == "created"
