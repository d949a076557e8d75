# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller-side action for netbox_zabbix.sync.netbox_hostconfig_writeback (documentation in plugins/modules)."""

from __future__ import annotations

import typing as t
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._sync_job_specs import writeback_argument_spec
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._sync_job import (
    NetBoxError,
    SyncJobAction,
    hostvar,
    hostvar_reader,
    netbox_client,
    play_hosts,
    registered,
    results_by_host,
)
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._sync_report import (
    host_record,
    records_from_batch,
)

SYNCED = ("created", "updated", "unchanged")
INTERFACE_ENDPOINTS = {"agent": "agent-interface", "snmp": "snmp-interface"}


def _int_or_none(value: t.Any) -> int | None:
    try:
        return int(value) if value not in (None, "", "0", 0) else None
    except (TypeError, ValueError):
        return None


def fields_to_write(
    record: Mapping[str, t.Any],
    hostconfig: Mapping[str, t.Any],
    write_in_sync: bool,
    write_last_sync_update: bool,
    now: str,
) -> dict[str, t.Any]:
    """The HostConfig fields whose value changed, and only those.

    Every PATCH makes the netbox_zabbix plugin queue its own Zabbix update for that host,
    so an unchanged host must cost no write at all.
    """
    fields: dict[str, t.Any] = {}
    action = record["action"]
    current_hostid = _int_or_none(hostconfig.get("hostid"))
    new_hostid = _int_or_none(record.get("hostid"))
    if action in SYNCED and new_hostid is not None and new_hostid != current_hostid:
        fields["hostid"] = new_hostid
    elif action == "deleted" and current_hostid is not None:
        fields["hostid"] = None
    if write_in_sync and action != "skipped":
        in_sync = action in SYNCED
        if hostconfig.get("in_sync") is not in_sync:
            fields["in_sync"] = in_sync
    if write_last_sync_update and fields:
        fields["last_sync_update"] = now
    return fields


def interface_fields_to_write(record: Mapping[str, t.Any], hostconfig: Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    """[{endpoint, id, fields}] for the interface rows whose Zabbix hostid/interfaceid changed.

    The plugin's own update sends each row's ``interfaceid``; a row without one makes
    Zabbix replace the interface (and unbind its items). ``interfaceids`` of the sync
    result follow ``netbox_hostconfig.interfaces`` position by position.
    """
    action = record["action"]
    rows = hostconfig.get("interfaces") or []
    ids = record.get("interfaceids")
    if action == "deleted":
        new_hostid, ids = None, [None] * len(rows)
    elif action in SYNCED and isinstance(ids, list) and len(ids) == len(rows):
        new_hostid = _int_or_none(record.get("hostid"))
        if new_hostid is None:
            return []
    else:
        return []  # failed or skipped: what Zabbix holds is unknown, keep the rows as they are
    patches = []
    for row, interfaceid in zip(rows, ids):
        if not isinstance(row, Mapping) or row.get("id") is None or row.get("kind") not in INTERFACE_ENDPOINTS:
            continue
        fields: dict[str, t.Any] = {}
        if _int_or_none(row.get("hostid")) != new_hostid:
            fields["hostid"] = new_hostid
        new_interfaceid = _int_or_none(interfaceid)
        if (new_interfaceid is not None or action == "deleted") and _int_or_none(row.get("interfaceid")) != new_interfaceid:
            fields["interfaceid"] = new_interfaceid
        if fields:
            patches.append({"endpoint": INTERFACE_ENDPOINTS[row["kind"]], "id": int(row["id"]), "fields": fields})
    return patches


def plan(
    records: list[dict[str, t.Any]],
    hostconfigs: Mapping[str, Mapping[str, t.Any] | None],
    write_in_sync: bool,
    write_last_sync_update: bool,
    now: str,
) -> list[dict[str, t.Any]]:
    """[{host, endpoint, id, fields}] for every row that needs a PATCH.

    A host's interface rows come before its HostConfig: the plugin's update (queued by
    each PATCH) must never see a hostid whose interface rows still lack their ids.
    """
    patches = []
    for record in records:
        hostconfig = hostconfigs.get(record["host"])
        if not hostconfig or hostconfig.get("id") is None:
            continue
        for patch in interface_fields_to_write(record, hostconfig):
            patches.append({"host": record["host"], **patch})
        fields = fields_to_write(record, hostconfig, write_in_sync, write_last_sync_update, now)
        if fields:
            patches.append({"host": record["host"], "endpoint": "host-config", "id": int(hostconfig["id"]), "fields": fields})
    return patches


class ActionModule(SyncJobAction):
    ARGUMENT_SPEC = writeback_argument_spec()

    def run_job(self, result: dict[str, t.Any], params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        hosts = play_hosts(task_vars, params.get("hosts"))
        results = params.get("results") if params.get("results") is not None else registered(task_vars, params.get("results_var"))
        if isinstance(results, Mapping) and ("results" in results or results.get("failed")):
            records = records_from_batch(results, hosts or None)
        else:
            by_host = results_by_host(task_vars, hosts, results, params.get("result_var"))
            records = [host_record(host, by_host.get(host)) for host in (hosts or list(by_host))]
        reader = hostvar_reader(task_vars)
        hostconfigs = {record["host"]: hostvar(reader, record["host"], params["hostconfig_var"]) for record in records}
        now = datetime.now(timezone.utc).isoformat()
        patches = plan(records, hostconfigs, params["in_sync"], params["last_sync_update"], now)

        result.update(changed=False, patched=[], failures=[], would_patch=[])
        if self._play_context.check_mode:
            result["would_patch"] = patches
            result["msg"] = f"check mode: {len(patches)} HostConfig(s) would be written back, nothing written"
            return result
        if not patches:
            result["msg"] = "nothing to write back"
            return result

        try:
            client = netbox_client(params)
        except NetBoxError as exc:
            message = self.mask(exc)
            result["failures"] = [{"host": patch["host"], "id": patch["id"], "error": message} for patch in patches]
            result["msg"] = f"cannot write back {len(patches)} HostConfig(s): {message}"
            return result

        def write_host(host_patches: list[dict[str, t.Any]]) -> list[tuple[dict[str, t.Any], str | None]]:
            """One host's rows in order; after a refused row the rest of the host waits for the next run."""
            outcomes: list[tuple[dict[str, t.Any], str | None]] = []
            for patch in host_patches:
                if outcomes and outcomes[-1][1] is not None:
                    outcomes.append((patch, f"not written: an earlier row of this host was refused ({outcomes[-1][1]})"))
                    continue
                try:
                    client.patch_plugin_row(patch["endpoint"], patch["id"], patch["fields"])
                    outcomes.append((patch, None))
                except NetBoxError as exc:
                    outcomes.append((patch, self.mask(exc)))
            return outcomes

        by_host: dict[str, list[dict[str, t.Any]]] = {}
        for patch in patches:
            by_host.setdefault(patch["host"], []).append(patch)
        # One PATCH per row (the plugin has no bulk update): hosts in parallel, each host's
        # rows in order, for a first run that creates thousands of hosts.
        with ThreadPoolExecutor(max_workers=max(1, min(params["workers"], len(by_host)))) as pool:
            outcomes = [outcome for host_outcomes in pool.map(write_host, by_host.values()) for outcome in host_outcomes]
        for patch, error in outcomes:
            if error is None:
                result["patched"].append(patch)
            else:
                result["failures"].append({"host": patch["host"], "endpoint": patch["endpoint"], "id": patch["id"], "error": error})
        result["changed"] = bool(result["patched"])
        result["msg"] = f"wrote back {len(result['patched'])} HostConfig(s), {len(result['failures'])} failed"
        return result
