# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_core_internals: the private path and the public path give the same answers, on real
ansible-core objects (InventoryManager, VariableManager, a Play, HostVars as an action
gets them); and no other file of plugins/ touches a private ansible-core attribute."""

from __future__ import annotations

import ast
import json
import typing as t
from pathlib import Path

import pytest
import yaml
from ansible import context
from ansible.inventory.manager import InventoryManager
from ansible.module_utils.common.collections import ImmutableDict
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play import Play
from ansible.utils.vars import load_extra_vars
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils import _core_internals as core
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._hostvars import HostVarReader, RegisteredReader, read_host_states

REPO = Path(__file__).resolve().parents[4]
STATE = {"host": "web01", "host_groups": ["NB Core"], "macros": [{"macro": "{$A}", "value": "{$B}"}]}
UNSET = object()


@pytest.fixture(autouse=True)
def fresh_extra_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    """ansible-core reads the extra vars once per process (load_extra_vars.extra_vars)."""
    monkeypatch.setattr(load_extra_vars, "extra_vars", None, raising=False)


class World:
    """A real inventory source (with optional host_vars/group_vars folders), play vars and
    extra vars, and the hostvars an action's task_vars carry."""

    def __init__(self, root: Path, hosts: dict[str, dict], *, groups: dict[str, dict] | None = None,
                 host_vars_dir: dict[str, dict] | None = None, group_vars_dir: dict[str, dict] | None = None,
                 playbook_host_vars: dict[str, dict] | None = None, play_vars: dict | None = None,
                 extra_vars: dict | None = None) -> None:
        inventory_dir = root / "inventory"
        playbook_dir = root / "playbook"
        inventory_dir.mkdir(parents=True)
        playbook_dir.mkdir(parents=True)
        children = {name: {"hosts": {host: None for host in members["hosts"]}, "vars": members.get("vars", {})}
                    for name, members in (groups or {}).items()}
        source = inventory_dir / "hosts.yml"
        source.write_text(yaml.safe_dump({"all": {"hosts": hosts, "children": children}}))
        for folder, content in ((inventory_dir / "host_vars", host_vars_dir), (inventory_dir / "group_vars", group_vars_dir),
                                (playbook_dir / "host_vars", playbook_host_vars)):
            if content:
                folder.mkdir()
                for name, variables in content.items():
                    (folder / f"{name}.yml").write_text(yaml.safe_dump(variables))
        context.CLIARGS = ImmutableDict({"extra_vars": [json.dumps(extra_vars)] if extra_vars else [],
                                         "inventory": [str(source)]})
        load_extra_vars.extra_vars = None
        self.loader = DataLoader()
        self.loader.set_basedir(str(playbook_dir))
        self.inventory = InventoryManager(loader=self.loader, sources=[str(source)])
        self.manager = VariableManager(loader=self.loader, inventory=self.inventory)
        self.play = Play.load({"name": "p", "hosts": "all", "gather_facts": False, "vars": play_vars or {}, "tasks": []},
                              variable_manager=self.manager, loader=self.loader)
        HostVars(inventory=self.inventory, variable_manager=self.manager, loader=self.loader)  # as the TQM does
        first = self.inventory.get_hosts("all")[0]
        self.task_vars = self.manager.get_vars(play=self.play, host=first, include_hostvars=True)
        self.hostvars = self.task_vars["hostvars"]


def read(world: World, host: str, var: str, default: t.Any = UNSET) -> tuple[t.Any, HostVarReader]:
    reader = HostVarReader(world.hostvars)
    try:
        value = reader.get(host, var) if default is UNSET else reader.get(host, var, default)
    except KeyError as exc:
        value = ("KeyError", str(exc))
    return value, reader


def both_paths(monkeypatch: pytest.MonkeyPatch, world: World, host: str, var: str, default: t.Any = UNSET) -> tuple[t.Any, int]:
    """The answer of the private (fast) path and of the public path: must be the same.
    Returns it with the number of fast reads the private path made."""
    monkeypatch.delenv(core.PUBLIC_API_ONLY_ENV, raising=False)
    private, private_reader = read(world, host, var, default)
    monkeypatch.setenv(core.PUBLIC_API_ONLY_ENV, "1")
    public, public_reader = read(world, host, var, default)
    monkeypatch.delenv(core.PUBLIC_API_ONLY_ENV)
    assert public_reader.fast == 0  # the switch really turns the private path off
    assert private == public
    assert private.__class__ is public.__class__
    return private, private_reader.fast


def test_plain_inventory_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(tmp_path, {"a": {"zabbix_host": STATE, "zabbix_host_valid": True}})
    value, fast = both_paths(monkeypatch, world, "a", "zabbix_host")
    assert value == STATE and fast == 1
    assert value["host"].__class__ is str  # plain str: the engine is faster on it
    assert both_paths(monkeypatch, world, "a", "zabbix_host_valid") == (True, 1)


def test_extra_var_overrides_the_inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(tmp_path, {"a": {"zabbix_host": STATE}}, extra_vars={"zabbix_host": dict(STATE, host="from-extra")})
    value, fast = both_paths(monkeypatch, world, "a", "zabbix_host")
    assert value["host"] == "from-extra" and fast == 0


@pytest.mark.parametrize("how", ["set_fact", "include_vars", "gathered_fact"])
def test_facts_and_task_vars_override_the_inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    world = World(tmp_path, {"a": {"zabbix_host": STATE}, "b": {"zabbix_host": STATE}})
    override = {"zabbix_host": dict(STATE, host=f"from-{how}")}
    if how == "set_fact":
        world.manager.set_nonpersistent_facts("a", override)
    elif how == "include_vars":
        world.manager.set_host_variable("a", "zabbix_host", override["zabbix_host"])
    else:
        world.manager.set_host_facts("a", override)
    value, fast = both_paths(monkeypatch, world, "a", "zabbix_host")
    assert value["host"] == f"from-{how}" and fast == 0
    assert both_paths(monkeypatch, world, "b", "zabbix_host") == (STATE, 1)  # another host keeps the fast path


@pytest.mark.parametrize("where", ["inventory", "playbook"])
def test_host_vars_directory_overrides_the_inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    files = {"a": {"zabbix_host": dict(STATE, host=f"from-{where}-host-vars")}}
    world = World(tmp_path, {"a": {"zabbix_host": STATE}, "b": {"zabbix_host": STATE}},
                  **({"host_vars_dir": files} if where == "inventory" else {"playbook_host_vars": files}))
    value, fast = both_paths(monkeypatch, world, "a", "zabbix_host")
    assert value["host"] == f"from-{where}-host-vars" and fast == 0
    assert both_paths(monkeypatch, world, "b", "zabbix_host") == (STATE, 0)  # any host_vars folder: public path


def test_group_vars_rank_below_inventory_host_vars(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(tmp_path, {"a": {"zabbix_host": STATE}, "b": {}},
                  groups={"g": {"hosts": ["a", "b"], "vars": {"flag": "from-inventory-group"}}},
                  group_vars_dir={"g": {"zabbix_host": dict(STATE, host="from-group-vars"), "only_group": "x"}})
    assert both_paths(monkeypatch, world, "a", "zabbix_host") == (STATE, 1)
    value, fast = both_paths(monkeypatch, world, "b", "zabbix_host")
    assert value["host"] == "from-group-vars" and fast == 0
    assert both_paths(monkeypatch, world, "a", "only_group") == ("x", 0)
    assert both_paths(monkeypatch, world, "a", "flag") == ("from-inventory-group", 0)


def test_play_vars_are_not_host_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(tmp_path, {"a": {"zabbix_host": STATE}, "b": {}},
                  play_vars={"zabbix_host": dict(STATE, host="from-play"), "play_only": 1})
    assert world.task_vars["play_only"] == 1  # the play's own vars are there for its tasks ...
    assert both_paths(monkeypatch, world, "a", "zabbix_host") == (STATE, 1)  # ... hostvars[...] has none of them
    assert both_paths(monkeypatch, world, "b", "zabbix_host", None) == (None, 0)
    assert both_paths(monkeypatch, world, "a", "play_only", "unset") == ("unset", 0)


def test_templated_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(tmp_path, {"a": {"zabbix_host": dict(STATE, description="{{ 'x' ~ site }}"), "site": "ams1"},
                             "b": {"zabbix_host": dict(STATE, description="{$NOT_JINJA}")}})
    value, fast = both_paths(monkeypatch, world, "a", "zabbix_host")
    assert value["description"] == "xams1" and fast == 0
    value, fast = both_paths(monkeypatch, world, "b", "zabbix_host")
    assert value["description"] == "{$NOT_JINJA}" and fast == 1


def test_missing_host_and_missing_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(tmp_path, {"a": {"zabbix_host": STATE}})
    assert both_paths(monkeypatch, world, "ghost", "zabbix_host") == (("KeyError", "'ghost'"), 0)
    assert both_paths(monkeypatch, world, "a", "nothing", "dflt") == ("dflt", 0)
    assert both_paths(monkeypatch, world, "a", "nothing", None) == (None, 0)


def test_read_host_states_is_the_same_on_both_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hosts = {
        "ok": {"zabbix_host": STATE, "zabbix_host_valid": True},
        "broken": {"zabbix_host": STATE, "zabbix_host_valid": False, "zabbix_host_errors": ["interfaces[0].ip: no IP"]},
        "templated": {"zabbix_host": dict(STATE, host="{{ inventory_hostname }}")},
        "novar": {"x": 1},
    }
    world = World(tmp_path, hosts, extra_vars={"unrelated": 1})
    names = [*hosts, "ghost"]
    monkeypatch.delenv(core.PUBLIC_API_ONLY_ENV, raising=False)
    private, reader = read_host_states(world.hostvars, names, "zabbix_host", "zabbix_host_valid", "zabbix_host_errors")
    monkeypatch.setenv(core.PUBLIC_API_ONLY_ENV, "true")
    public, public_reader = read_host_states(world.hostvars, names, "zabbix_host", "zabbix_host_valid", "zabbix_host_errors")
    assert private == public
    assert reader.fast > 0 and public_reader.fast == 0
    got = {name: (desired, errors) for name, desired, errors in private}
    assert got["templated"][0]["host"] == "templated"
    assert got["broken"][1] == ["interfaces[0].ip: no IP"]
    assert got["novar"] == (None, ["host variable 'zabbix_host' is not set"])
    assert "not in the inventory" in got["ghost"][1][0]


RESULT = {"changed": True, "action": "update", "hostid": "10501", "diff": {"before": "a\n", "after": "b\n"}}


def registered_both_paths(monkeypatch: pytest.MonkeyPatch, world: World, host: str, var: str) -> tuple[t.Any, int]:
    """A registered result as the private path reads it and as hostvars does: the same."""
    monkeypatch.delenv(core.PUBLIC_API_ONLY_ENV, raising=False)
    private_reader = RegisteredReader(world.hostvars)
    private = private_reader.get(host, var, "unset")
    monkeypatch.setenv(core.PUBLIC_API_ONLY_ENV, "1")
    public_reader = RegisteredReader(world.hostvars)
    public = public_reader.get(host, var, "unset")
    monkeypatch.delenv(core.PUBLIC_API_ONLY_ENV)
    assert public_reader.fast == 0
    assert private == public
    return private, private_reader.fast


def test_registered_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(tmp_path, {"a": {"zabbix_host": STATE}, "b": {}, "c": {}}, extra_vars={"_overridden": "from-extra"})
    world.manager.set_nonpersistent_facts("a", {"_result": RESULT, "_overridden": RESULT})  # what `register:` does
    world.manager.set_nonpersistent_facts("b", {"_result": dict(RESULT, msg="{{ 'templated' }}")})
    assert registered_both_paths(monkeypatch, world, "a", "_result") == (RESULT, 1)
    assert registered_both_paths(monkeypatch, world, "a", "_overridden") == ("from-extra", 0)  # an extra var ranks above
    value, fast = registered_both_paths(monkeypatch, world, "b", "_result")  # template syntax: the public path decides
    assert fast == 0 and value["hostid"] == "10501"
    assert registered_both_paths(monkeypatch, world, "c", "_result") == ("unset", 0)  # not registered on that host


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_the_switch(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(core.PUBLIC_API_ONLY_ENV, value)
    assert not core.private_api_allowed()
    sentinel = object()
    wrapper = type("Proxy", (), {"__wrapped__": sentinel})()
    assert core.inventory_data(wrapper) is wrapper
    monkeypatch.setenv(core.PUBLIC_API_ONLY_ENV, "0")
    assert core.private_api_allowed()
    assert core.inventory_data(wrapper) is sentinel


def test_callback_helpers_on_a_real_play(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(tmp_path, {"a": {}, "b": {}})
    monkeypatch.delenv(core.PUBLIC_API_ONLY_ENV, raising=False)
    inventory = core.play_inventory(world.play)
    assert [host.name for host in inventory.get_hosts(world.play.hosts)] == ["a", "b"]
    task = world.play.compile()[0].block[0]  # a real task (the play's meta flush)
    private_key = core.task_key(task)
    monkeypatch.setenv(core.PUBLIC_API_ONLY_ENV, "1")
    assert core.play_inventory(world.play) is None
    public_key = core.task_key(task)
    assert public_key != private_key and public_key.endswith(task.get_name())


# --- no private ansible-core attribute outside _core_internals.py --------------------------

# Attributes of the plugin base classes that ansible-core documents for plugin authors (the
# developer guide's ActionBase/CallbackBase/inventory plugin examples use them).
PLUGIN_API = {
    "_task", "_play_context", "_templar", "_loader", "_display", "_connection", "_shared_loader_obj",
    "_execute_module", "_supports_check_mode", "_supports_async", "_cache", "_read_config_data",
    "_set_composite_vars", "_add_host_to_composed_groups", "_add_host_to_keyed_groups", "_options",
    "_load_name",
}
# ``AnsibleModule._diff`` is how the module developer guide tells a module that --diff is on.
ALLOWED = {("module", "_diff")}


def _owned_attributes(tree: ast.AST) -> set[str]:
    """Private names the file's own classes define (self._x = ..., def _x, class attributes)."""
    owned: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name.startswith("_"):
            owned.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and node.attr.startswith("_"):
            owned.add(node.attr)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            owned.update(target.id for target in targets if isinstance(target, ast.Name) and target.id.startswith("_"))
    return owned


def private_core_uses(path: Path) -> list[str]:
    """``x._name`` where x is not self/cls (or a name the file owns), and any ``__wrapped__``.

    A private attribute of our own objects is fine, but ansible-core hands plugins many objects
    (hostvars, tasks, plays, inventories, results): whatever the file did not define itself is
    treated as theirs."""
    tree = ast.parse(path.read_text(), str(path))
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
    owned = _owned_attributes(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            name = node.attr
            base = node.value
            base_name = base.id if isinstance(base, ast.Name) else None
            if name == "__wrapped__":
                found.append(f"{shown}:{node.lineno}: {ast.unparse(node)}")
                continue
            if not name.startswith("_") or name.startswith("__"):
                continue
            if base_name in ("self", "cls") and (name in owned or name in PLUGIN_API):
                continue
            if (base_name, name) in ALLOWED:
                continue
            if base_name not in ("self", "cls") and name in owned and isinstance(base, ast.Name) and base_name[:1].isupper():
                continue  # a class of this file (Cls._attr)
            found.append(f"{shown}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr", "setattr"):
            if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                name = node.args[1].value
                on_self = isinstance(node.args[0], ast.Name) and node.args[0].id in ("self", "cls")
                if name == "__wrapped__" or (name.startswith("_") and not name.startswith("__")
                                             and not (on_self and (name in owned or name in PLUGIN_API))):
                    found.append(f"{shown}:{node.lineno}: {ast.unparse(node)}")
    return found


def plugin_files() -> list[Path]:
    files = sorted((REPO / "plugins").rglob("*.py")) + sorted((REPO / "extensions").rglob("*.py"))
    return [path for path in files if path.name != "_core_internals.py"]


def test_no_private_core_attribute_outside_core_internals() -> None:
    found = [use for path in plugin_files() for use in private_core_uses(path)]
    assert found == [], "private ansible-core attributes belong in plugin_utils/_core_internals.py:\n" + "\n".join(found)


def test_the_check_finds_what_it_must(tmp_path: Path) -> None:
    """The check above cannot pass by finding nothing: each pattern it must refuse."""
    probe = tmp_path / "probe.py"
    samples = {
        "hostvars._inventory": True,
        "manager._nonpersistent_fact_cache.get(h)": True,
        "self.inventory.__wrapped__": True,
        "getattr(self.inventory, '__wrapped__', None)": True,
        "getattr(hostvars, '_variable_manager', None)": True,
        "getattr(hostvars, '_owned', None)": True,  # owned by this file, but asked of another object
        "getattr(self, '_owned', None)": False,
        "result.task._uuid": True,
        "play.get_variable_manager()._inventory": True,
        "self._task.args": False,
        "module._diff": False,
        "self.__class__": False,
    }
    for code, refused in samples.items():
        probe.write_text(f"def f(self, hostvars, manager, result, play, module):\n    self._owned = 1\n    return {code}\n")
        assert bool(private_core_uses(probe)) is refused, code
