# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""zabbix_host_sync and zabbix_host_sync_batch against the real Zabbix 6.0 and 7.0.

Every version-specific path is asserted by reading Zabbix back. Each module starts from a
pristine database (stack/zabbix.sh reset)."""

from __future__ import annotations

import copy
import json
import re
import time
import typing as t

import pytest

pytestmark = pytest.mark.integration

PSK = "7f3a9c1e5b2d4f608a1c3e5f7b9d0a2c"
MACRO_SECRET = "macro-secret-Zq81"
AUTH_PASS = "snmp-auth-Pw77x"
PRIV_PASS = "snmp-priv-Pw99y"
SECRETS = (PSK, MACRO_SECRET, AUTH_PASS, PRIV_PASS)
MODULE = "netbox_zabbix.sync.zabbix_host_sync"
BATCH = "netbox_zabbix.sync.zabbix_host_sync_batch"


def full_state(name: str) -> dict[str, t.Any]:
    return {
        "host": name,
        "name": f"{name} visible",
        "description": "created by the integration test",
        "status": "enabled",
        "host_groups": ["NB Core", "NB Edge"],
        "templates": ["ICMP Ping"],
        "interfaces": [
            {"type": "agent", "ip": "192.0.2.10"},
            {
                "type": "snmp",
                "ip": "192.0.2.10",
                "details": {
                    "version": 3,
                    "securityname": "monitor",
                    "securitylevel": "authpriv",
                    "authprotocol": "sha256",
                    "authpassphrase": AUTH_PASS,
                    "privprotocol": "aes256",
                    "privpassphrase": PRIV_PASS,
                    "max_repetitions": 20,
                },
            },
        ],
        "monitored_by": "proxy",
        "proxy": "nb-proxy-1",
        "tags": [{"tag": "site", "value": "dc1"}, {"tag": "role", "value": "web"}],
        "macros": [
            {"macro": "{$SECRET_PASS}", "value": MACRO_SECRET, "type": "secret"},
            {"macro": "{$TEXT}", "value": "plain", "description": "a text macro"},
        ],
        "inventory_mode": "manual",
        "inventory": {"location": "DC1 rack 4", "os": "Debian"},
        "tls_connect": "psk",
        "tls_accept": ["psk"],
        "tls_psk_identity": f"psk-{name}",
        "tls_psk": PSK,
    }


def task(state: dict[str, t.Any], register: str, **extra: t.Any) -> dict[str, t.Any]:
    return {"name": register, MODULE: state, "register": register, **extra}


@pytest.fixture
def env(zabbix) -> dict[str, str]:
    return {"ZABBIX_URL": zabbix.env["ZABBIX_URL"], "ZABBIX_TOKEN": zabbix.env["ZABBIX_TOKEN"]}


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_create_noop_and_read_back(zabbix, run_playbook, env) -> None:
    state = full_state("it-full")
    run = run_playbook([task(state, "create"), task(state, "again")], env=env, args=["--diff"])
    create, again = run.results["create"], run.results["again"]
    assert create["action"] == "created" and create["changed"], run.stdout[-3000:]
    assert again["action"] == "unchanged" and not again["changed"], again
    assert_no_secrets(run.stdout, run.stderr)

    h = zabbix.host("it-full")
    assert h["hostid"] == create["hostid"]
    assert h["name"] == "it-full visible" and h["status"] == "0"
    assert sorted(g["name"] for g in h["groups"]) == ["NB Core", "NB Edge"]
    assert [tp["host"] for tp in h["parentTemplates"]] == ["ICMP Ping"]
    assert sorted((tg["tag"], tg["value"]) for tg in h["tags"]) == [("role", "web"), ("site", "dc1")]
    macros = {m["macro"]: m for m in h["macros"]}
    assert macros["{$SECRET_PASS}"]["type"] == "1" and "value" not in macros["{$SECRET_PASS}"]
    assert macros["{$TEXT}"]["value"] == "plain" and macros["{$TEXT}"]["description"] == "a text macro"
    assert h["inventory_mode"] == "0" and h["inventory"]["location"] == "DC1 rack 4" and h["inventory"]["os"] == "Debian"
    assert h["tls_connect"] == "2" and h["tls_accept"] == "2"
    snmp = next(i for i in h["interfaces"] if i["type"] == "2")
    assert snmp["details"]["version"] == "3" and snmp["details"]["securitylevel"] == "2"
    assert snmp["details"]["authprotocol"] == "3" and snmp["details"]["privprotocol"] == "3"
    if zabbix.is7:
        assert (h["monitored_by"], h["proxyid"]) == ("1", "1")
        assert snmp["details"]["max_repetitions"] == "20"
    else:
        assert h["proxy_hostid"] != "0"
        proxy = zabbix.call("proxy.get", {"output": ["host"], "proxyids": [h["proxy_hostid"]]})
        assert proxy[0]["host"] == "nb-proxy-1"


def test_change_each_field_keeps_interface_ids(zabbix, run_playbook, env) -> None:
    name = "it-change"
    state = full_state(name)
    run_playbook([task(state, "create")], env=env)
    before = zabbix.host(name)
    agent_before = next(i for i in before["interfaces"] if i["type"] == "1")
    items_before = zabbix.call("item.get", {"output": ["itemid", "interfaceid"], "hostids": [before["hostid"]]})

    changed = copy.deepcopy(state)
    changed.update(
        name="renamed visible",
        description="changed",
        status="disabled",
        host_groups=["NB Core", "NB Servers"],
        templates=["ICMP Ping", "Linux by Zabbix agent"],
        proxy="nb-proxy-2",
        tags=[{"tag": "site", "value": "dc2"}],
        macros=[{"macro": "{$SECRET_PASS}", "value": MACRO_SECRET, "type": "secret"}, {"macro": "{$TEXT}", "value": "changed"}],
        inventory={"location": "DC2"},
        tls_accept=["psk", "certificate"],
        tls_issuer="CN=ca",
        tls_subject="CN=it-change",
    )
    changed["interfaces"][0]["ip"] = "192.0.2.99"
    changed["interfaces"][1]["details"]["securityname"] = "monitor2"
    run = run_playbook([task(changed, "update"), task(changed, "again")], env=env, args=["--diff"])
    update, again = run.results["update"], run.results["again"]
    assert update["action"] == "updated", run.stdout[-3000:]
    assert set(update["changed_fields"]) == {
        "name", "description", "status", "host_groups", "templates", "interfaces", "proxy", "tags", "macros", "inventory",
        "tls_accept", "tls_issuer", "tls_subject",
    }
    assert again["action"] == "unchanged", again
    assert_no_secrets(run.stdout)

    h = zabbix.host(name)
    assert h["name"] == "renamed visible" and h["description"] == "changed" and h["status"] == "1"
    assert sorted(g["name"] for g in h["groups"]) == ["NB Core", "NB Servers"]
    assert sorted(tp["host"] for tp in h["parentTemplates"]) == ["ICMP Ping", "Linux by Zabbix agent"]
    assert [(tg["tag"], tg["value"]) for tg in h["tags"]] == [("site", "dc2")]
    assert {m["macro"]: m.get("value") for m in h["macros"]}["{$TEXT}"] == "changed"
    assert h["inventory"]["location"] == "DC2" and h["inventory"]["os"] == "Debian"  # unmanaged key kept
    assert (h["tls_accept"], h["tls_issuer"], h["tls_subject"]) == ("6", "CN=ca", "CN=it-change")
    agent = next(i for i in h["interfaces"] if i["type"] == "1")
    assert agent["interfaceid"] == agent_before["interfaceid"] and agent["ip"] == "192.0.2.99"
    snmp = next(i for i in h["interfaces"] if i["type"] == "2")
    assert snmp["details"]["securityname"] == "monitor2"
    items_after = {i["itemid"]: i["interfaceid"] for i in zabbix.call("item.get", {"output": ["itemid", "interfaceid"], "hostids": [h["hostid"]]})}
    for item in items_before:  # items bound to the interface survive with it
        assert items_after[item["itemid"]] == item["interfaceid"]
    if zabbix.is7:
        assert (h["monitored_by"], h["proxyid"]) == ("1", "2")
    else:
        assert zabbix.call("proxy.get", {"output": ["host"], "proxyids": [h["proxy_hostid"]]})[0]["host"] == "nb-proxy-2"

    # unlink by default: the template's items stay; clear_removed_templates removes them
    def snmp_items():
        return [i for i in zabbix.call("item.get", {"output": ["key_"], "hostids": [h["hostid"]]}) if i["key_"].startswith("system.")]

    assert snmp_items()
    run = run_playbook([task(dict(changed, templates=["ICMP Ping"]), "unlink")], env=env)
    assert run.results["unlink"]["changed_fields"] == ["templates"]
    assert [tp["host"] for tp in zabbix.host(name)["parentTemplates"]] == ["ICMP Ping"] and snmp_items()
    run_playbook([task(changed, "relink")], env=env)
    run = run_playbook([task(dict(changed, templates=["ICMP Ping"], clear_removed_templates=True), "clear")], env=env)
    assert run.results["clear"]["action"] == "updated" and not snmp_items()


def test_secret_rewrites_only_when_asked(zabbix, run_playbook, env) -> None:
    state = full_state("it-secret")
    run_playbook([task(state, "create")], env=env)
    other_psk = "0123456789abcdef0123456789abcdef"
    run = run_playbook(
        [task(dict(state, tls_psk=other_psk), "on_create"), task(dict(state, tls_psk=other_psk, update_secrets="always"), "always")],
        env=env,
        args=["--diff", "-vvv"],
    )
    assert run.results["on_create"]["action"] == "unchanged"
    assert run.results["always"]["action"] == "updated" and "tls_psk" in run.results["always"]["changed_fields"]
    assert other_psk not in run.stdout and PSK not in run.stdout
    assert_no_secrets(run.stdout, run.stderr)


def test_check_mode_writes_nothing(zabbix, run_playbook, env) -> None:
    name = "it-check"
    state = full_state(name)
    run_playbook([task(state, "create")], env=env)
    before = zabbix.host(name)
    changed = dict(state, status="disabled", host_groups=["NB Core", "NB Brand New"], create_missing_host_groups=True)
    new_host = dict(full_state("it-check-new"), host_groups=["NB Never Created"], create_missing_host_groups=True)
    bad_template = dict(full_state("it-check-bad"), templates=["No Such Template"])
    run = run_playbook(
        [task(changed, "update"), task(new_host, "create_new"), task(bad_template, "bad")],
        env=env,
        args=["--check", "--diff"],
    )
    assert run.results["update"]["action"] == "updated" and run.results["update"]["created_host_groups"] == ["NB Brand New"]
    assert run.results["update"]["diff"]["after"]["host_groups"] == ["NB Brand New", "NB Core"]
    assert run.results["create_new"]["action"] == "created" and run.results["create_new"]["changed"]
    assert run.results["bad"]["failed"] and "templates[0]: template 'No Such Template' not found" in run.results["bad"]["msg"]
    assert zabbix.host(name) == before
    assert zabbix.host("it-check-new") is None
    assert not zabbix.call("hostgroup.get", {"output": ["name"], "filter": {"name": ["NB Brand New", "NB Never Created"]}})


def test_diff_shows_managed_fields_masked(zabbix, run_playbook, env) -> None:
    state = full_state("it-diff")
    run_playbook([task(state, "create")], env=env)
    run = run_playbook([task(dict(state, status="disabled", update_secrets="always"), "update")], env=env, args=["--diff"])
    diff = run.results["update"]["diff"]
    assert diff["before"]["status"] == "enabled" and diff["after"]["status"] == "disabled"
    assert diff["after"]["tls_psk"].startswith("********")
    assert set(diff["before"]) <= set(state) - {"host"}
    # the diff Ansible prints: the status line removed and added, the PSK masked on both sides
    assert re.search(r'^-\s+"status": "enabled",?$', run.stdout, re.M), run.stdout[-3000:]
    assert re.search(r'^\+\s+"status": "disabled",?$', run.stdout, re.M), run.stdout[-3000:]
    assert_no_secrets(run.stdout, json.dumps(run.results))


def test_absent(zabbix, run_playbook, env) -> None:
    run_playbook([task(full_state("it-gone"), "create")], env=env)
    run = run_playbook([task({"host": "it-gone", "state": "absent"}, "gone"), task({"host": "it-gone", "state": "absent"}, "again")], env=env)
    assert run.results["gone"]["action"] == "deleted" and run.results["again"]["action"] == "unchanged"
    assert zabbix.host("it-gone") is None


def test_proxy_group(zabbix, run_playbook, env) -> None:
    state = dict(full_state("it-pg"), monitored_by="proxy_group", proxy_group="nb-pg-1")
    run = run_playbook([task(state, "pg")], env=env)
    result = run.results["pg"]
    if zabbix.is7:
        assert result["action"] == "created"
        h = zabbix.host("it-pg")
        assert (h["monitored_by"], h["proxy_groupid"], h["proxyid"]) == ("2", "1", "0")
        back = run_playbook([task(dict(state, monitored_by="server"), "server")], env=env).results["server"]
        assert back["changed_fields"] == ["monitored_by", "proxy_group"]
        h = zabbix.host("it-pg")
        assert (h["monitored_by"], h["proxy_groupid"]) == ("0", "0")
    else:
        assert result["failed"] and result["msg"] == "it-pg: proxy_group: proxy groups need Zabbix 7.0 or later (this Zabbix is 6.0)"
        assert zabbix.host("it-pg") is None


@pytest.mark.parametrize(
    "change, field",
    [
        ({"interfaces": [{"type": "agent", "ip": "10.0.0.300"}]}, "interfaces[0].ip"),
        ({"interfaces": [{"type": "snmp", "ip": "10.0.0.3", "details": {"version": 3}}]}, "interfaces[0].details.securityname"),
        ({"templates": ["ICMP Ping", "Foo"]}, "templates[1]: template 'Foo' not found"),
        ({"status": "sometimes"}, "status"),
    ],
)
def test_bad_input_fails_the_host_without_writing(zabbix, run_playbook, env, change, field) -> None:
    state = dict(full_state("it-bad"), **change)
    run = run_playbook([task(state, "bad")], env=env)
    result = run.results["bad"]
    assert result["failed"] and "it-bad" in result["msg"] and field in result["msg"]
    assert "Traceback" not in run.stdout + run.stderr
    assert zabbix.host("it-bad") is None


def test_global_errors_are_clear(zabbix, run_playbook, env) -> None:
    run = run_playbook(
        [task(full_state("it-x"), "token"), task(dict(full_state("it-x"), zabbix_url="http://127.0.0.1:9"), "down")],
        env=dict(env, ZABBIX_TOKEN="0" * 64),
    )
    assert "rejected the API token" in run.results["token"]["msg"]
    assert re.search(r"cannot reach http://127\.0\.0\.1:9/api_jsonrpc\.php: ", run.results["down"]["msg"]), run.results["down"]
    assert run.results["token"]["failed"] and run.results["down"]["failed"]


def test_user_password_and_module_defaults(zabbix, run_playbook) -> None:
    tasks = [
        {
            "name": "with module_defaults",
            MODULE: {"host": "it-login", "host_groups": ["NB Core"]},
            "register": "login",
            "module_defaults": {
                "group/netbox_zabbix.sync.zabbix": {"zabbix_url": zabbix.env["ZABBIX_URL"], "zabbix_user": "Admin", "zabbix_password": "zabbix"},
            },
        }
    ]
    run = run_playbook(tasks)
    assert run.results["login"]["action"] == "created", run.stdout[-2000:]


def test_only_the_collections_options_choose_the_credentials(zabbix, run_playbook, env) -> None:
    """zabbix-utils reads ZABBIX_USER/ZABBIX_PASSWORD by itself and refuses them beside a token:
    the collection's own option resolution (token first) must decide, in both sync modules."""
    inventory = {"all": {"hosts": {"inv-env": {"zabbix_host": full_state("it-envb")}}, "vars": {"ansible_connection": "local"}}}
    mixed = dict(env, ZABBIX_USER="nobody", ZABBIX_PASSWORD="wrong")
    run = run_playbook([task(full_state("it-env"), "single")], env=mixed)
    assert run.results["single"]["action"] == "created", run.results["single"]
    run = run_playbook([{"name": "batch", BATCH: {}, "run_once": True, "register": "batch"}], inventory=inventory, hosts="all", env=mixed)
    assert run.results["batch"]["counts"]["created"] == 1, run.results["batch"]


def test_batch(zabbix, run_playbook, env) -> None:
    hosts = {
        f"inv-{i}": {"zabbix_host": dict(full_state(f"it-batch-{i}"), interfaces=[{"type": "agent", "ip": f"192.0.2.{i + 1}"}]), "zabbix_host_valid": True}
        for i in range(6)
    }
    hosts["inv-2"]["zabbix_host"]["templates"] = ["ICMP Ping", "Nope"]
    hosts["inv-3"]["zabbix_host_valid"] = False
    hosts["inv-3"]["zabbix_host_errors"] = ["interfaces[0].ip: no primary IP"]
    hosts["inv-4"]["zabbix_host"]["host_groups"] = ["NB Core", "NB Batch New"]
    inventory = {"all": {"hosts": hosts, "vars": {"ansible_connection": "local"}}}
    batch = {"name": "batch", BATCH: {"create_missing_host_groups": True}, "run_once": True, "register": "batch"}
    run = run_playbook([batch], inventory=inventory, hosts="all", env=env, args=["--diff"])
    result = run.results["batch"]
    results = result["results"]
    assert result["counts"] == {"total": 6, "created": 4, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 2}, results
    assert results["inv-2"]["msg"] == "inv-2: templates[1]: template 'Nope' not found"  # the inventory host, once
    assert results["inv-3"]["msg"] == "inv-3: interfaces[0].ip: no primary IP"
    assert not result.get("failed")
    assert [d["before_header"] for d in result["diff"]] == ["inv-0", "inv-1", "inv-4", "inv-5"]
    assert_no_secrets(run.stdout, json.dumps(result))
    assert zabbix.group_names("it-batch-4") == ["NB Batch New", "NB Core"]
    assert zabbix.host("it-batch-2") is None and zabbix.host("it-batch-3") is None

    hosts["inv-1"]["zabbix_host"]["status"] = "disabled"
    hosts["inv-5"]["zabbix_host"] = {"host": "it-batch-5", "state": "absent"}
    run = run_playbook([batch], inventory=inventory, hosts="all", env=env)
    again = run.results["batch"]
    assert again["counts"] == {"total": 6, "created": 0, "updated": 1, "unchanged": 2, "deleted": 1, "failed": 2}
    assert again["results"]["inv-1"]["changed_fields"] == ["status"]
    assert zabbix.host("it-batch-1")["status"] == "1" and zabbix.host("it-batch-5") is None

    run = run_playbook([batch], inventory=inventory, hosts="all", env=env)
    assert run.results["batch"]["counts"]["unchanged"] == 4 and not run.results["batch"]["changed"]
    # version + host.get + proxy.get (the proxy's name) + 2 template.get for the failing 'Nope'
    assert run.results["batch"]["api_calls"] == 5


def test_batch_global_error_fails_the_task(zabbix, run_playbook, env) -> None:
    inventory = {"all": {"hosts": {"inv-0": {"zabbix_host": full_state("it-g")}}, "vars": {"ansible_connection": "local"}}}
    run = run_playbook([{"name": "batch", BATCH: {}, "run_once": True, "register": "batch"}], inventory=inventory, hosts="all",
                       env=dict(env, ZABBIX_TOKEN="1" * 64))
    assert run.results["batch"]["failed"] and "rejected the API token" in run.results["batch"]["msg"]


def test_single_host_noop_cost(zabbix, env, collection_importable) -> None:
    """One unchanged host with a token costs one API request (measured in-process too)."""
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import sync_one

    state = {k: v for k, v in full_state("it-cost").items() if k not in ("proxy", "monitored_by")}
    params = dict(state, zabbix_url=env["ZABBIX_URL"], zabbix_token=env["ZABBIX_TOKEN"], zabbix_validate_certs=True, zabbix_timeout=30.0)
    for key in ("state", "update_secrets", "create_missing_host_groups", "clear_removed_templates"):
        params.setdefault(key, {"state": "present", "update_secrets": "on_create"}.get(key, False))
    created, _create_calls = sync_one(params, False, False)
    assert created["action"] == "created"
    started = time.perf_counter()
    result, calls = sync_one(params, False, False)
    elapsed = time.perf_counter() - started
    assert result["action"] == "unchanged" and calls == 1
    print(f"\n[{zabbix.version}] one unchanged host: {calls} API call, {elapsed * 1000:.1f} ms")
