# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""Every use of a private ansible-core attribute, in one place, behind one switch.

The collection reads a few of ansible-core's private attributes where the public API costs
seconds at 10,000 hosts (or has no answer at all). Nothing else in ``plugins/`` may touch a
private attribute of an ansible-core object (``tests/unit/plugins/plugin_utils/
test_core_internals.py`` fails on any other); each function here has a public-API path that
gives the same answer, and the tests compare both on real ansible-core objects.

The switch (module_utils/_public_api.py): with the environment variable
``NETBOX_ZABBIX_SYNC_PUBLIC_API_ONLY`` set to a true value (``1``, ``true``, ``yes``, ``on``),
every function here takes its public path.
Use it when a new ansible-core release changes its internals before the collection catches
up: slower, never different (see docs/architecture.md, "Private ansible-core internals").
"""

from __future__ import annotations

import os
import typing as t

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._public_api import (  # noqa: F401 pylint: disable=unused-import
    PUBLIC_API_ONLY_ENV,
    public_api_only,
)

# "no answer here: take the public path"
MISSING = object()


def private_api_allowed() -> bool:
    """False when the switch asks for the public API only."""
    return not public_api_only()


def _variable_manager_of(hostvars: t.Any) -> t.Any:
    """The VariableManager behind a HostVars object; None when the switch is off or it has none."""
    return getattr(hostvars, "_variable_manager", None) if private_api_allowed() else None


class InventoryVarReader:
    """A host's own inventory variable, read without computing and templating all its variables.

    ``hostvars[h][var]`` runs the variable manager for h (every vars plugin, group and
    cache) and templates the value: about 2.6 ms per host. When the variable is an
    inventory host variable, nothing of higher precedence can define it (no extra var, fact,
    set_fact or include_vars of that name, no ``host_vars`` directory next to the inventory
    or playbook, no vars plugin but host_group_vars), and the value holds nothing to
    template, the inventory's own value is what hostvars would return; reading it costs
    microseconds. ``get`` answers MISSING for anything else; the caller then reads hostvars.
    """

    _PLAIN_VARS_PLUGINS = {"host_group_vars", "ansible.builtin.host_group_vars"}

    def __init__(self, inventory: t.Any, manager: t.Any) -> None:
        self._inventory = inventory
        self._manager = manager

    @classmethod
    def for_hostvars(cls, hostvars: t.Any) -> InventoryVarReader | None:
        """The reader behind a HostVars object; None when the switch is off or it cannot be sure."""
        manager = _variable_manager_of(hostvars)
        if manager is None:
            return None
        inventory = getattr(hostvars, "_inventory", None)
        if inventory is None:
            return None
        reader = cls(inventory, manager)
        return reader if reader._only_inventory_host_vars() else None

    def _only_inventory_host_vars(self) -> bool:
        """No vars plugin or host_vars directory can give a host variable of higher precedence."""
        try:
            from ansible import constants as C

            if not set(C.VARIABLE_PLUGINS_ENABLED) <= self._PLAIN_VARS_PLUGINS:
                return False
            dirs = [self._manager._loader.get_basedir()]
            for source in self._inventory._sources or []:
                dirs.append(source if os.path.isdir(source) else os.path.dirname(source))
            return not any(os.path.isdir(os.path.join(d, "host_vars")) for d in dirs if d)
        except Exception:  # private attributes moved: stay correct, take the public path
            return False

    def get(self, host_name: str, var: str) -> t.Any:
        """The inventory's raw value of var for host_name, or MISSING (not provably hostvars' answer)."""
        try:
            manager = self._manager
            if var in manager.extra_vars:
                return MISSING
            host = self._inventory.get_host(host_name)
            if host is None or var not in host.vars:
                return MISSING
            for cache in (manager._nonpersistent_fact_cache, manager._vars_cache):
                if var in cache.get(host_name, {}):
                    return MISSING
            try:
                facts = manager._fact_cache.get(host_name) or {}
            except KeyError:
                facts = {}
            if var in facts:
                return MISSING
            return host.vars[var]
        except Exception:  # pylint: disable=broad-exception-caught
            return MISSING


class RegisteredVarReader:
    """Another host's registered result (or set_fact), read without computing all its variables.

    Per-host mode registers one result per host; the run_once steps after it (write-back,
    summary) read all of them. ``hostvars[h][var]`` computes every variable of h for each
    read (about 2.6 ms a host). A registered result is kept in the variable manager's
    non-persistent fact cache, and in ``hostvars`` only an extra var of the same name ranks
    above it (hostvars carries no task, role or include params); a task result holds nothing
    that templating would change, which ``get`` still checks. It answers MISSING for anything
    else, and the caller reads hostvars.
    """

    def __init__(self, manager: t.Any) -> None:
        self._manager = manager

    @classmethod
    def for_hostvars(cls, hostvars: t.Any) -> RegisteredVarReader | None:
        """The reader behind a HostVars object; None when the switch is off or it has no manager."""
        manager = _variable_manager_of(hostvars)
        return None if manager is None else cls(manager)

    def get(self, host_name: str, var: str) -> t.Any:
        """The registered value of var for host_name as stored, or MISSING."""
        try:
            if var in self._manager.extra_vars:
                return MISSING
            return self._manager._nonpersistent_fact_cache.get(host_name, {}).get(var, MISSING)
        except Exception:  # pylint: disable=broad-exception-caught
            return MISSING


def inventory_data(inventory: t.Any) -> t.Any:
    """What an inventory plugin should call ``add_host``/``set_variable`` on.

    ansible-core (2.19+) hands inventory plugins a proxy of InventoryData whose
    ``set_variable`` deep-copies every value to tag each string with its origin (and trust,
    for plugins that want it). The hostconfig plugin wants no trust, and at 10,000 hosts
    those ~700,000 tagged copies cost about 10 s of CPU, and again when the output is
    serialised; untagged strings are untrusted alike. The public path is the proxy itself:
    the same values, tagged with their origin.
    """
    if private_api_allowed():
        return getattr(inventory, "__wrapped__", inventory)
    return inventory


def play_inventory(play: t.Any) -> t.Any:
    """The InventoryManager of a play (for a callback's "N/T hosts"), or None.

    A callback gets no public handle on the inventory; the public path answers None and
    the progress lines show the hosts done without the total."""
    if not private_api_allowed():
        return None
    return getattr(play.get_variable_manager(), "_inventory", None)


def task_key(task: t.Any) -> str:
    """A key of a task that its start and its result share (a callback's per-host duration).

    Private: the task's uuid. Public: its path (file:line) and name; a host runs one task
    at a time, so start and result still pair up."""
    if private_api_allowed():
        uuid = getattr(task, "_uuid", None)
        if uuid is not None:
            return str(uuid)
    return f"{task.get_path() or ''}:{task.get_name()}"
