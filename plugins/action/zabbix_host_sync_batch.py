# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs netbox_zabbix.sync.zabbix_host_sync_batch on the controller: many hosts, one task.

One host.get for all hosts, name/ID lookups once per run, bulk host.create/host.update
with a per-host fallback; a host that fails never fails the task or the other hosts.
"""

from __future__ import annotations

import os
import time
import typing as t

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import (
    SyncEngine,
    batch_argument_spec,
    parse_max_changes,
)
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import (
    ZabbixClient,
    ZabbixError,
    ZabbixOptions,
)

_MISSING = object()

display = Display()
PROGRESS_PREFIX = "netbox_zabbix.sync"


class _Template(Exception):
    """The value holds template syntax: read it through hostvars instead."""


def _plain(value: t.Any, refuse_templates: bool = False) -> t.Any:
    """Host variable data -> plain dict/list/str (tagged strings slow the engine down)."""
    if isinstance(value, str):
        if refuse_templates and ("{{" in value or "{%" in value or "{#" in value):
            raise _Template()
        return str(value)
    if isinstance(value, dict) or isinstance(value, t.Mapping):
        return {_plain(k, refuse_templates): _plain(v, refuse_templates) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, refuse_templates) for v in value]
    return value


class HostVarReader:
    """Reads one variable of many hosts, fast where that is provably the same as hostvars.

    ``hostvars[h][var]`` computes all of h's variables and templates the value: about
    2.6 ms per host (2.6 s for 1,000 hosts). When the variable is an inventory host
    variable (what the hostconfig inventory plugin sets), nothing of higher precedence can
    define it (no extra var, fact, set_fact or include_vars of that name, no host_vars
    directory next to the inventory or playbook, no vars plugin but host_group_vars),
    and the value holds nothing to template, the inventory's own value is what hostvars
    would return; reading it costs microseconds. Anything else takes the hostvars path.
    """

    _PLAIN_VARS_PLUGINS = {"host_group_vars", "ansible.builtin.host_group_vars"}

    def __init__(self, hostvars: t.Any) -> None:
        self.hostvars = hostvars
        self.fast = 0
        self.slow = 0
        self._inventory = getattr(hostvars, "_inventory", None)
        self._manager = getattr(hostvars, "_variable_manager", None)
        self._fast_possible = self._check_fast_possible()

    def _check_fast_possible(self) -> bool:
        if self._inventory is None or self._manager is None:
            return False
        try:
            from ansible import constants as C

            if not set(C.VARIABLE_PLUGINS_ENABLED) <= self._PLAIN_VARS_PLUGINS:
                return False
            dirs = [self._manager._loader.get_basedir()]
            for source in self._inventory._sources or []:
                dirs.append(source if os.path.isdir(source) else os.path.dirname(source))
            return not any(os.path.isdir(os.path.join(d, "host_vars")) for d in dirs if d)
        except Exception:  # private attributes moved: stay correct, take the slow path
            return False

    def get(self, host_name: str, var: str, default: t.Any = _MISSING) -> t.Any:
        value = self._fast_get(host_name, var)
        if value is not _MISSING:
            self.fast += 1
            return value
        self.slow += 1
        if self._inventory is not None and self._inventory.get_host(host_name) is None:
            raise KeyError(host_name)  # hostvars would answer an undefined marker instead
        try:
            host = self.hostvars[host_name]
        except KeyError:
            raise KeyError(host_name) from None
        if not hasattr(host, "get"):
            raise KeyError(host_name)
        value = host.get(var, _MISSING)
        return default if value is _MISSING else _plain(value)

    def _fast_get(self, host_name: str, var: str) -> t.Any:
        if not self._fast_possible:
            return _MISSING
        try:
            manager = self._manager
            if var in manager.extra_vars:
                return _MISSING
            host = self._inventory.get_host(host_name)
            if host is None or var not in host.vars:
                return _MISSING
            for cache in (manager._nonpersistent_fact_cache, manager._vars_cache):
                if var in cache.get(host_name, {}):
                    return _MISSING
            try:
                facts = manager._fact_cache.get(host_name) or {}
            except KeyError:
                facts = {}
            if var in facts:
                return _MISSING
            value = host.vars[var]
        except Exception:
            return _MISSING
        try:
            return _plain(value, refuse_templates=True)
        except _Template:
            return _MISSING


def read_host_states(
    hostvars: t.Any, hosts: list[str], host_var: str, valid_var: str, errors_var: str
) -> tuple[list[tuple[str, t.Any, list[str] | None]], HostVarReader]:
    """(inventory host, desired state, errors) for each host, as hostvars would give them."""
    reader = HostVarReader(hostvars)
    items: list[tuple[str, t.Any, list[str] | None]] = []
    for name in hosts:
        try:
            desired = reader.get(name, host_var, None)
        except KeyError:
            items.append((name, None, [f"{name} is not in the inventory"]))
            continue
        if desired is None:
            items.append((name, None, [f"host variable '{host_var}' is not set"]))
            continue
        if reader.get(name, valid_var, True) is False:
            errors = reader.get(name, errors_var, None) or ["the desired state is marked invalid"]
            if isinstance(errors, str):
                errors = [errors]
            items.append((name, desired, [str(e) for e in errors]))
            continue
        items.append((name, desired, None))
    return items, reader


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}

        validation = ArgumentSpecValidator(batch_argument_spec()).validate(dict(self._task.args))
        if validation.error_messages:
            result.update(failed=True, msg="; ".join(str(e) for e in validation.error_messages))
            return result
        params = validation.validated_parameters
        hosts = params["hosts"]
        if hosts is None:
            hosts = list(task_vars.get("ansible_play_batch") or [])
        started = time.monotonic()
        items, reader = read_host_states(
            task_vars.get("hostvars") or {}, list(hosts), params["host_var"], params["valid_var"], params["errors_var"]
        )
        read_seconds = time.monotonic() - started

        defaults = {k: params[k] for k in ("update_secrets", "create_missing_host_groups", "clear_removed_templates")}
        diff_mode = bool(self._task.diff)
        check_mode = bool(self._task.check_mode)
        try:
            max_changes = parse_max_changes(params["max_changes"], len(items))
        except ValueError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        try:
            client = ZabbixClient(ZabbixOptions.from_params(params))
            try:
                engine = SyncEngine(
                    client, check_mode=check_mode, diff_mode=diff_mode, defaults=defaults, max_changes=max_changes,
                    # Printed through the display: a worker sends it to the controller's
                    # terminal (and to AWX's job output) while the task still runs.
                    progress=(lambda line: display.display(f"{PROGRESS_PREFIX}: {line}")) if params["progress_seconds"] > 0 else None,
                    progress_seconds=params["progress_seconds"],
                )
                results = engine.sync(items) if items else {}
            finally:
                client.close()
        except ZabbixError as exc:
            result.update(failed=True, msg=f"Zabbix host sync: {exc}")
            return result
        except Exception as exc:  # a bug must not hide which task failed
            raise AnsibleError(f"Zabbix host sync failed unexpectedly: {exc}") from exc

        counts = {"total": len(results), "created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 0}
        for host_result in results.values():
            counts[host_result["action"]] = counts.get(host_result["action"], 0) + 1
        result.update(
            changed=any(r["changed"] for r in results.values()),
            results=results,
            counts=counts,
            api_calls=client.calls,
            seconds={"read_hostvars": round(read_seconds, 3), "total": round(time.monotonic() - started, 3)},
            hostvars_reads={"fast": reader.fast, "templated": reader.slow},
        )
        if diff_mode:
            result["diff"] = [
                {
                    "before_header": name,
                    "after_header": name,
                    "before": r["diff"]["before"],
                    "after": r["diff"]["after"],
                }
                for name, r in results.items()
                if r["changed"] and "diff" in r
            ]
        if max_changes is not None:
            result["guard"] = engine.guard or {"tripped": False, "would_change": 0, "limit": max_changes, "refused": False}
            if result["guard"]["refused"]:
                guard = result["guard"]
                result.update(
                    failed=True,
                    msg=(
                        f"Refused: {guard['would_change']:,} of {len(results):,} hosts would change, more than max_changes allows "
                        f"({params['max_changes']} = {guard['limit']:,}); nothing was written. "
                        "Read the drift report of this run, then raise max_changes or sync a smaller --limit."
                    ),
                )
        return result
