# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""zabbix_host_sync in per-host mode: what one task for one host costs and answers.

Ansible runs every host of a per-host task in a fresh worker process, so each task here
gets a new action and a new client, as a worker would."""

from __future__ import annotations

import copy
import functools
import typing as t
from pathlib import Path
from unittest import mock

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.netbox_zabbix.sync.plugins.action import zabbix_host_sync as single_action
from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _engine
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import module_argument_spec


def state(name: str, **extra: t.Any) -> dict[str, t.Any]:
    """A desired state like the inventory's: groups, template, interfaces, tags, macros, inventory."""
    desired = {
        "host": name,
        "name": f"{name} visible",
        "description": "",
        "status": "enabled",
        "host_groups": ["NB Core"],
        "templates": ["ICMP Ping"],
        "interfaces": [{"type": "agent", "ip": "192.0.2.1"},
                       {"type": "snmp", "ip": "192.0.2.1", "details": {"version": 2, "community": "{$SNMP_COMMUNITY}"}}],
        "tags": [{"tag": "site", "value": "dc1"}],
        "macros": [{"macro": "{$ROLE}", "value": "web"}],
        "inventory_mode": "manual",
        "inventory": {"location": "dc1"},
    }
    desired.update(extra)
    return desired


def make_action(args: dict[str, t.Any], check: bool = False, diff: bool = False, loop: t.Any = None) -> t.Any:
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check
    task.diff = diff
    task.loop = loop
    task._uuid = "task-1"
    loader = DataLoader()
    return single_action.ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader=loader, templar=Templar(loader=loader),
                                      shared_loader_obj=None)


@pytest.fixture
def per_host_task(fake_zabbix: t.Any, client_for: t.Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> t.Callable[..., dict[str, t.Any]]:
    """Runs one per-host task (a new action and a new client) against the fake Zabbix; ``batch``
    is the play batch (``ansible_play_batch``) that the host's task runs in."""
    monkeypatch.setattr(single_action.C, "DEFAULT_LOCAL_TMP", str(tmp_path))
    monkeypatch.setenv("ZABBIX_URL", "http://zabbix.invalid")
    monkeypatch.setenv("ZABBIX_TOKEN", "tok")
    seen_options = []

    def client_factory(options: t.Any) -> t.Any:
        seen_options.append(options)
        return client_for(fake_zabbix)

    monkeypatch.setattr(single_action, "sync_one", functools.partial(_engine.sync_one, client_factory=client_factory))
    monkeypatch.setattr(single_action, "read_for_sharing", functools.partial(_engine.read_for_sharing, client_factory=client_factory))

    def run(args: dict[str, t.Any], host_vars: dict[str, t.Any] | None = None, batch: list[str] | None = None,
            **kwargs: t.Any) -> dict[str, t.Any]:
        task_vars = {"inventory_hostname": "inv-" + str(args.get("host")), **copy.deepcopy(host_vars or {})}
        if batch is not None:
            task_vars["ansible_play_batch"] = batch
        result = make_action(copy.deepcopy(args), **kwargs).run(task_vars=task_vars)
        result["_options"] = seen_options[-1] if seen_options else None
        return result

    return run


def test_an_unchanged_host_costs_one_host_get(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    hosts = [state(f"web{i}") for i in range(3)]
    for desired in hosts:
        assert per_host_task(desired)["action"] == "created"
    fake_zabbix.calls.clear()
    for desired in hosts:
        result = per_host_task(desired)
        assert result["action"] == "unchanged" and not result["changed"] and not result.get("failed"), result
    # No version probe, no name lookups: the version and the names come from the host itself.
    assert fake_zabbix.methods() == ["host.get"] * len(hosts)
    assert result["_options"].url == "http://zabbix.invalid" and result["_options"].token == "tok"  # from the environment


def test_a_drifted_host_costs_one_read_and_one_update(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    per_host_task(state("web1"))
    fake_zabbix.calls.clear()
    result = per_host_task(state("web1", description="changed"), diff=True)
    assert result["action"] == "updated" and result["changed_fields"] == ["description"]
    assert (result["diff"]["before"]["description"], result["diff"]["after"]["description"]) == ("", "changed")
    assert fake_zabbix.methods() == ["host.get", "host.update"]


# --- the shared read: the hosts of one task read together -----------------------------------


def created_with_hostids(per_host_task: t.Any, names: list[str], **extra: t.Any) -> list[dict[str, t.Any]]:
    """Each host created, then its desired state with the hostid its HostConfig would hold."""
    hosts = []
    for name in names:
        result = per_host_task(state(name, **extra))
        assert result["action"] == "created", result
        hosts.append(state(name, hostid=result["hostid"], **extra))
    return hosts


def test_unchanged_hosts_of_one_task_cost_one_host_get_together(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    names = ["web0", "web1", "web2"]
    hosts = created_with_hostids(per_host_task, names)
    fake_zabbix.calls.clear()
    for desired in hosts:
        result = per_host_task(desired, batch=names)
        assert result["action"] == "unchanged" and not result["changed"] and not result.get("failed"), result
    # The first host's worker reads the whole batch by name; the others ask Zabbix nothing.
    assert fake_zabbix.methods() == ["host.get"]
    assert sorted(fake_zabbix.calls[0][1]["filter"]["host"]) == names


def test_without_the_shared_read_each_host_reads_its_own(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    names = ["web0", "web1", "web2"]
    hosts = created_with_hostids(per_host_task, names)
    fake_zabbix.calls.clear()
    for desired in hosts:
        assert per_host_task(dict(desired, shared_read=False), batch=names)["action"] == "unchanged"
    assert fake_zabbix.methods() == ["host.get"] * 3


def test_a_task_with_a_loop_reads_its_own(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    # a loop runs the task several times in one host's worker: one read per item, nothing filed
    names = ["web0", "web1", "web2"]
    hosts = created_with_hostids(per_host_task, names)
    fake_zabbix.calls.clear()
    for desired in hosts:
        assert per_host_task(desired, batch=names, loop="{{ items }}")["action"] == "unchanged"
    assert fake_zabbix.methods() == ["host.get"] * 3


def test_a_host_without_hostid_or_alone_in_its_batch_reads_its_own(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    hosts = created_with_hostids(per_host_task, ["web0", "web1"])
    fake_zabbix.calls.clear()
    assert per_host_task(state("web0"), batch=["web0", "web1"])["action"] == "unchanged"  # no hostid yet
    assert per_host_task(hosts[1], batch=["web1"])["action"] == "unchanged"  # nothing to share
    assert fake_zabbix.methods() == ["host.get", "host.get"]
    assert all("filter" not in params or params["filter"]["host"] == ["web0"] for _m, params in fake_zabbix.calls)


@pytest.mark.parametrize("check, diff", [(False, False), (True, True), (False, True)])
def test_a_result_from_the_shared_read_is_the_result_of_its_own_read(
        fake_zabbix: t.Any, per_host_task: t.Any, check: bool, diff: bool) -> None:
    details = {"version": 3, "securityname": "mon", "securitylevel": "authpriv",
               "authprotocol": "sha256", "authpassphrase": "auth-secret-1",
               "privprotocol": "aes256", "privpassphrase": "priv-secret-1"}
    snmp = [{"type": "snmp", "ip": "192.0.2.9", "details": details}]
    names = ["web0", "web1"]
    hosts = created_with_hostids(per_host_task, names, interfaces=snmp, inventory={"location": "dc1", "os": "linux"})
    own = [per_host_task(dict(h, shared_read=False), batch=names, check=check, diff=diff) for h in hosts]
    shared = [per_host_task(h, batch=names, check=check, diff=diff) for h in hosts]
    for result in own + shared:
        del result["_options"]
    assert shared == own and own[0]["action"] == "unchanged"
    assert "auth-secret-1" not in str(shared)


def test_a_host_the_shared_read_shows_changed_is_read_again_before_its_write(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    names = ["web0", "web1", "web2"]
    hosts = created_with_hostids(per_host_task, names)
    fake_zabbix.calls.clear()
    results = [per_host_task(dict(h, description="new") if h["host"] == "web1" else h, batch=names, diff=True) for h in hosts]
    assert [r["action"] for r in results] == ["unchanged", "updated", "unchanged"]
    assert results[1]["diff"]["before"]["description"] == "" and results[1]["diff"]["after"]["description"] == "new"
    assert fake_zabbix.methods() == ["host.get", "host.get", "host.update"]  # the batch; web1 on its own, then its write
    assert fake_zabbix.calls[1][1]["hostids"] == [hosts[1]["hostid"]]


def test_what_is_written_is_planned_from_a_read_made_right_before(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    """The batch was read before someone else changed web1: web1 plans from its own read."""
    names = ["web0", "web1"]
    hosts = created_with_hostids(per_host_task, names)
    assert per_host_task(hosts[0], batch=names)["action"] == "unchanged"  # the batch is read here
    fake_zabbix.hosts[hosts[1]["hostid"]]["description"] = "set by the plugin"
    fake_zabbix.calls.clear()
    result = per_host_task(dict(hosts[1], description="set by the plugin"), batch=names)
    assert result["action"] == "unchanged", result
    assert fake_zabbix.methods() == ["host.get"]  # read again; no write from the older read


def test_a_renamed_host_is_not_proved_unchanged_by_a_read_under_its_old_name(fake_zabbix: t.Any, client_for: t.Any) -> None:
    options = {"zabbix_url": "http://zabbix.invalid", "zabbix_token": "tok"}
    params = _validated(state("web1", **options))
    created = _engine.sync_one(params, False, False, client_factory=lambda _o: client_for(fake_zabbix))[0]
    seen = _engine.read_for_sharing(None, ["web1"], client_factory=lambda _o: client_for(fake_zabbix))["hosts"][0]
    renamed = _validated(state("web1-new", hostid=created["hostid"], **options))
    result, calls = _engine.sync_one(renamed, False, False, client_factory=lambda _o: client_for(fake_zabbix), seen=seen)
    assert result["action"] == "updated" and "host" in result["changed_fields"] and calls >= 2


def _validated(args: dict[str, t.Any]) -> dict[str, t.Any]:
    params, errors = single_action.validate_args(args)
    assert not errors, errors
    return params


def test_hosts_behind_proxies_share_the_proxy_names_too(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    names = ["web0", "web1", "web2"]
    monitoring = {"monitored_by": "proxy", "proxy": "nb-proxy-1"}
    hosts = created_with_hostids(per_host_task, names, **monitoring)
    fake_zabbix.calls.clear()
    results = [per_host_task(desired, batch=names, diff=True) for desired in hosts]
    assert [r["action"] for r in results] == ["unchanged"] * 3
    # the batch and its proxies' names, once; without the shared read each host asks both
    assert fake_zabbix.methods() == ["host.get", "proxy.get"]
    own = [per_host_task(dict(desired, shared_read=False), batch=names, diff=True) for desired in hosts]
    for result in results + own:
        del result["_options"]
    assert results == own


def test_a_host_behind_a_proxy_adds_one_proxy_lookup(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    desired = state("web1", monitored_by="proxy", proxy="nb-proxy-1")
    per_host_task(desired)
    fake_zabbix.calls.clear()
    assert per_host_task(desired)["action"] == "unchanged"
    assert fake_zabbix.methods() == ["host.get", "proxy.get"]  # host.get gives the proxy's ID, not its name


def test_check_mode_writes_nothing(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    result = per_host_task(state("web1"), check=True)
    assert result["action"] == "created" and result["changed"]
    assert not fake_zabbix.hosts and "host.create" not in fake_zabbix.methods()


def test_errors_fail_the_host_without_asking_zabbix(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    result = per_host_task({"host": "web1", "errors": ["interfaces[0]: no IP address"]})
    assert result["failed"] and result["action"] == "failed"
    assert result["msg"] == "web1: interfaces[0]: no IP address"
    assert fake_zabbix.calls == []


def test_bad_options_fail_the_host_naming_it(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    result = per_host_task(state("web1", status="sleeping", tls_psk="ab" * 16))
    assert result["failed"] and result["msg"].startswith("web1: ") and "status" in result["msg"]
    assert "ab" * 16 not in str(result) and fake_zabbix.calls == []


def test_null_means_not_managed_as_in_batch_mode() -> None:
    params, errors = single_action.validate_args(state("web1", status=None, zabbix_url="http://z", zabbix_token="t"))
    assert errors == [] and params["status"] is None


@pytest.mark.parametrize("args", [
    state("web1"),
    state("web1", zabbix_url="http://other", zabbix_timeout=5),  # an int for a float: the full validator converts it
    dict({k: v for k, v in state("web1").items() if k != "host"}, host_name="web1"),  # an alias
    state("web1", templates=[], tags=[]),
    {"host": "web1", "errors": ["broken"]},
])
def test_validation_matches_the_argument_spec_validator(args: dict[str, t.Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZABBIX_URL", "http://zabbix.invalid")
    monkeypatch.setenv("ZABBIX_TOKEN", "tok")
    params, errors = single_action.validate_args(copy.deepcopy(args))
    expected = ArgumentSpecValidator(module_argument_spec()).validate(copy.deepcopy(args))
    assert errors == [str(e) for e in expected.error_messages]
    assert params == expected.validated_parameters


# --- host_var: the desired state from the inventory's host variables ---------------------


def test_host_var_reads_the_desired_state_and_lays_the_task_options_over_it(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    inventory_vars = {"zabbix_host": state("web1"), "zabbix_host_valid": True, "zabbix_host_errors": []}
    assert per_host_task({"host_var": "zabbix_host"}, inventory_vars)["action"] == "created"
    assert [stored["host"] for stored in fake_zabbix.hosts.values()] == ["web1"]
    fake_zabbix.calls.clear()
    result = per_host_task({"host_var": "zabbix_host", "zabbix_url": "http://from-the-task", "description": "over it"},
                           inventory_vars, diff=True)
    assert result["action"] == "updated" and result["changed_fields"] == ["description"]
    assert result["_options"].url == "http://from-the-task" and result["_options"].token == "tok"
    fake_zabbix.calls.clear()
    assert per_host_task({"host_var": "zabbix_host"}, dict(inventory_vars, zabbix_host=state("web1", description="over it")))[
        "action"] == "unchanged"
    assert fake_zabbix.methods() == ["host.get"]  # the same one read as with the state as arguments


@pytest.mark.parametrize("inventory_vars, message", [
    ({"zabbix_host": state("web1"), "zabbix_host_valid": False, "zabbix_host_errors": ["interfaces[0].ip: no IP address"]},
     "web1: interfaces[0].ip: no IP address"),
    ({"zabbix_host": state("web1"), "zabbix_host_valid": "false"}, "web1: zabbix_host_valid is false"),
    ({}, "inv-None: host variable 'zabbix_host' is not set"),
    ({"zabbix_host": "web1"}, "inv-None: host variable 'zabbix_host' is not a mapping (a str)"),
])
def test_host_var_fails_an_invalid_or_missing_state_without_asking_zabbix(
        fake_zabbix: t.Any, per_host_task: t.Any, inventory_vars: dict[str, t.Any], message: str) -> None:
    result = per_host_task({"host_var": "zabbix_host"}, inventory_vars)
    assert result["failed"] and result["action"] == "failed" and result["msg"] == message
    assert fake_zabbix.calls == []


def test_host_var_keeps_secrets_out_of_the_message(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    psk = "ab" * 16
    result = per_host_task({"host_var": "zabbix_host"}, {"zabbix_host": state("web1", status="sleeping", tls_psk=psk)})
    assert result["failed"] and "status" in result["msg"] and psk not in str(result)


# --- connection_vars_prefix: the connection from variables, no template per host ---------


def test_connection_vars_prefix_reads_the_connection_from_variables(fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    inventory_vars = {"zabbix_host": state("web1"), "sync_hosts_zabbix_url": "http://from-the-vars",
                      "sync_hosts_zabbix_token": trust_as_template("{{ 'templated-' ~ 'token' }}"), "sync_hosts_zabbix_validate_certs": False,
                      "sync_hosts_zabbix_user": "", "sync_hosts_zabbix_password": None}
    result = per_host_task({"host_var": "zabbix_host", "connection_vars_prefix": "sync_hosts_"}, inventory_vars)
    assert result["action"] == "created", result
    options = result["_options"]
    assert (options.url, options.token, options.validate_certs) == ("http://from-the-vars", "templated-token", False)
    assert [stored["host"] for stored in fake_zabbix.hosts.values()] == ["web1"]


def test_connection_vars_prefix_leaves_what_the_task_sets_and_what_is_empty_to_its_usual_source(
        fake_zabbix: t.Any, per_host_task: t.Any) -> None:
    # The task's own option wins; an empty or undefined variable sets nothing, so ZABBIX_TOKEN
    # (the option's environment fallback, "tok" here) still applies: default(omit, true) as before.
    inventory_vars = {"zabbix_host": state("web1"), "sync_hosts_zabbix_url": "http://from-the-vars", "sync_hosts_zabbix_token": ""}
    result = per_host_task({"host_var": "zabbix_host", "connection_vars_prefix": "sync_hosts_", "zabbix_url": "http://from-the-task"},
                           inventory_vars)
    assert result["action"] == "created", result
    assert (result["_options"].url, result["_options"].token) == ("http://from-the-task", "tok")
