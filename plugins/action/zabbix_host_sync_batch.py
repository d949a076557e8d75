# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs netbox_zabbix.sync.zabbix_host_sync_batch on the controller: many hosts, one task.

One host.get for all hosts, name/ID lookups once per run, bulk host.create/host.update
with a per-host fallback; a host that fails never fails the task or the other hosts.
"""

from __future__ import annotations

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
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._hostvars import read_host_states

display = Display()
PROGRESS_PREFIX = "netbox_zabbix.sync"


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
