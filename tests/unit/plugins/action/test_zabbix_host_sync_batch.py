# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The controller-side actions: hostvars reading (fast path == hostvars), results shape."""

from __future__ import annotations

import typing as t
from pathlib import Path
from unittest import mock

import pytest
import yaml
from ansible import context
from ansible.inventory.manager import InventoryManager
from ansible.module_utils.common.collections import ImmutableDict
from ansible.parsing.dataloader import DataLoader
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

from ansible_collections.netbox_zabbix.sync.plugins.action import zabbix_host_sync as single_action
from ansible_collections.netbox_zabbix.sync.plugins.action import zabbix_host_sync_batch as batch_action
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils import _hostvars as hostvars_utils

STATE = {
    "host": "web01",
    "host_groups": ["NB Core"],
    "interfaces": [{"type": "agent", "ip": "192.0.2.1"}],
    "macros": [{"macro": "{$A}", "value": "{$B}"}],  # Zabbix macros are not Jinja
}


def hostvars_for(tmp_path: Path, hosts: dict[str, t.Any], extra_vars: dict[str, t.Any] | None = None) -> tuple[HostVars, VariableManager]:
    context.CLIARGS = ImmutableDict({"extra_vars": [], "inventory": []})
    source = tmp_path / "inventory.yml"
    source.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    loader = DataLoader()
    loader.set_basedir(str(tmp_path))
    inventory = InventoryManager(loader=loader, sources=[str(source)])
    manager = VariableManager(loader=loader, inventory=inventory)
    if extra_vars:
        manager._extra_vars = extra_vars
    return HostVars(inventory, manager, loader), manager


def plain(value: t.Any) -> t.Any:
    return hostvars_utils._plain(value)


def test_fast_path_equals_hostvars(tmp_path: Path) -> None:
    hosts = {f"h{i}": {"zabbix_host": dict(STATE, host=f"web{i}"), "zabbix_host_valid": True} for i in range(5)}
    hostvars, _manager = hostvars_for(tmp_path, hosts)
    items, reader = hostvars_utils.read_host_states(hostvars, list(hosts), "zabbix_host", "zabbix_host_valid", "zabbix_host_errors")
    assert reader.fast == 10 and reader.slow == 0
    for name, desired, errors in items:
        assert errors is None
        assert desired == plain(hostvars[name]["zabbix_host"])
        assert desired["host"].__class__ is str  # exactly str, no subclass: the engine is faster on plain strings


def test_templates_extra_vars_facts_and_host_vars_dirs_take_the_slow_path(tmp_path: Path) -> None:
    hosts = {
        "templated": {"zabbix_host": dict(STATE, description="{{ 'x' ~ 'y' }}")},
        "facted": {"zabbix_host": dict(STATE, host="from-inventory")},
        "plain": {"zabbix_host": STATE},
    }
    hostvars, manager = hostvars_for(tmp_path, hosts)
    manager.set_nonpersistent_facts("facted", {"zabbix_host": dict(STATE, host="from-set-fact")})
    items, reader = hostvars_utils.read_host_states(hostvars, list(hosts), "zabbix_host", "zabbix_host_valid", "zabbix_host_errors")
    got = {name: desired for name, desired, _errors in items}
    assert got["templated"]["description"] == "xy"
    assert got["facted"]["host"] == "from-set-fact"
    assert got["plain"] == plain(STATE)
    assert reader.slow >= 2

    hostvars, _manager = hostvars_for(tmp_path, hosts, extra_vars={"zabbix_host": dict(STATE, host="from-extra-vars")})
    items, _reader = hostvars_utils.read_host_states(hostvars, ["plain"], "zabbix_host", "zabbix_host_valid", "zabbix_host_errors")
    assert items[0][1]["host"] == "from-extra-vars"

    fresh = tmp_path / "with_host_vars"  # host_group_vars caches what it found per folder
    (fresh / "host_vars").mkdir(parents=True)
    (fresh / "host_vars" / "plain.yml").write_text(yaml.safe_dump({"zabbix_host": dict(STATE, host="from-host-vars")}))
    hostvars, _manager = hostvars_for(fresh, hosts)
    items, reader = hostvars_utils.read_host_states(hostvars, ["plain"], "zabbix_host", "zabbix_host_valid", "zabbix_host_errors")
    assert items[0][1]["host"] == "from-host-vars" and reader.fast == 0


def test_invalid_missing_and_unknown_hosts(tmp_path: Path) -> None:
    hosts = {
        "broken": {"zabbix_host": STATE, "zabbix_host_valid": False, "zabbix_host_errors": ["interfaces[0].ip: no primary IP"]},
        "novar": {"something": 1},
    }
    hostvars, _manager = hostvars_for(tmp_path, hosts)
    items, _reader = hostvars_utils.read_host_states(hostvars, ["broken", "novar", "ghost"], "zabbix_host", "zabbix_host_valid", "zabbix_host_errors")
    errors = {name: errs for name, _desired, errs in items}
    assert errors["broken"] == ["interfaces[0].ip: no primary IP"]
    assert errors["novar"] == ["host variable 'zabbix_host' is not set"]
    assert errors["ghost"] and "not in the inventory" in errors["ghost"][0]


def make_action(module: t.Any, args: dict[str, t.Any], check: bool = False, diff: bool = False) -> t.Any:
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check
    task.diff = diff
    return module.ActionModule(task, mock.MagicMock(), mock.MagicMock(), loader=None, templar=None, shared_loader_obj=None)


@pytest.fixture
def fake_engine_client(fake_zabbix: t.Any, client_for: t.Any) -> t.Iterator[t.Any]:
    with mock.patch.object(batch_action, "ZabbixClient", lambda options: client_for(fake_zabbix)):
        yield fake_zabbix


def test_batch_action_results_counts_and_list_diff(tmp_path: Path, fake_engine_client: t.Any) -> None:
    hosts = {
        "inv-a": {"zabbix_host": dict(STATE, host="a")},
        "inv-b": {"zabbix_host": dict(STATE, host="b", templates=["Nope"])},
        "inv-c": {"zabbix_host": dict(STATE, host="c"), "zabbix_host_valid": False, "zabbix_host_errors": "broken"},
    }
    hostvars, _manager = hostvars_for(tmp_path, hosts)
    action = make_action(batch_action, {"zabbix_url": "http://z", "zabbix_token": "t"}, diff=True)
    result = action.run(task_vars={"hostvars": hostvars, "ansible_play_batch": list(hosts)})
    assert not result.get("failed") and result["changed"]
    assert result["counts"] == {"total": 3, "created": 1, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 2}
    assert result["results"]["inv-b"]["msg"] == "inv-b: templates[0]: template 'Nope' not found"  # the inventory host, once
    assert result["results"]["inv-c"]["msg"] == "inv-c: broken"
    assert [(d["before_header"], d["after_header"]) for d in result["diff"]] == [("inv-a", "inv-a")]


def test_batch_action_global_error(tmp_path: Path, fake_zabbix: t.Any, client_for: t.Any) -> None:
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import ZabbixAuthError

    fake_zabbix.fail("apiinfo.version", ZabbixAuthError("Zabbix rejected the API token on host.get: Not authorised."))
    hostvars, _manager = hostvars_for(tmp_path, {"inv-a": {"zabbix_host": STATE}})
    with mock.patch.object(batch_action, "ZabbixClient", lambda options: client_for(fake_zabbix)):
        action = make_action(batch_action, {"zabbix_url": "http://z", "zabbix_token": "t"})
        result = action.run(task_vars={"hostvars": hostvars, "ansible_play_batch": ["inv-a"]})
    assert result["failed"] and "rejected the API token" in result["msg"]


def test_batch_action_bad_args() -> None:
    result = make_action(batch_action, {"zabbix_url": "http://z", "update_secrets": "sometimes"}).run(task_vars={})
    assert result["failed"] and "update_secrets" in result["msg"]


def test_single_action(fake_zabbix: t.Any, client_for: t.Any) -> None:
    args = dict(STATE, zabbix_url="http://z", zabbix_token="t", tls_psk="ab" * 16, tls_connect="psk", tls_accept=["psk"], tls_psk_identity="i")
    factory = mock.patch("ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine.ZabbixClient", lambda options: client_for(fake_zabbix))
    with factory:
        # sync_one's default client_factory was bound at import: patch the call instead
        with mock.patch.object(single_action, "sync_one", wraps=lambda p, c, d, **kw: __import__(
            "ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine", fromlist=["sync_one"]
        ).sync_one(p, c, d, client_factory=lambda o: client_for(fake_zabbix), **kw)):
            created = make_action(single_action, args, diff=True).run(task_vars={})
            again = make_action(single_action, args, check=True).run(task_vars={})
    assert created["action"] == "created" and created["diff"]["after"]["tls_psk"].startswith("********")
    assert "ab" * 16 not in str(created)
    assert again["action"] == "unchanged" and not again["changed"]
    bad = make_action(single_action, dict(args, tls_psk="short", interfaces="x")).run(task_vars={})
    assert bad["failed"] and "web01" in bad["msg"] and "short" not in bad["msg"]
