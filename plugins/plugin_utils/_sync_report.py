# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""Pure reporting logic shared by the sync_log callback and the zabbix_sync_summary action.

Turns the sync modules' results into one flat record per host, counts them, builds the
run summary (the SyncHostsNow job's ``{total, updated, failed, message}`` and more),
renders the end-of-run table and masks anything that looks like a secret. No I/O.
"""

from __future__ import annotations

import os
import typing as t
from collections.abc import Iterable, Mapping

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import mask_text

ACTIONS = ("created", "updated", "unchanged", "deleted", "failed", "skipped")
CHANGING_ACTIONS = ("created", "updated", "deleted")

# The sync_log callback publishes its run id in this environment variable for the actions
# of the same ansible-playbook process (zabbix_sync_summary puts it in the summary).
RUN_ID_ENV = "NETBOX_ZABBIX_SYNC_RUN_ID"

# Environment variables whose values are secrets wherever they show up in a message.
SECRET_ENV_VARS = ("NETBOX_TOKEN", "ZABBIX_TOKEN", "ZABBIX_PASSWORD", "NETBOX_TOKEN_V1")


def secret_values_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    """The literal secret values to scrub (long enough not to mangle ordinary text)."""
    env = os.environ if environ is None else environ
    return [env[name] for name in SECRET_ENV_VARS if len(env.get(name) or "") >= 6]


def with_host(host: str, text: str) -> str:
    """``"<host>: <text>"``, naming the host once even when the text already starts with it."""
    return text if text.startswith(f"{host}: ") else f"{host}: {text}"


def host_record(host: str, result: Mapping[str, t.Any] | None, keep_drift: bool = False) -> dict[str, t.Any]:
    """One flat, diff-free record for one host's sync result.

    The diff is dropped on purpose: it may carry secret values (masked or not) and is
    already shown by ``--diff``; the record keeps only what a log needs. ``keep_drift``
    keeps the changed fields' before/after (masked as ``--diff``) for the drift report.
    """
    if result is None:
        return {"host": host, "action": "skipped", "changed_fields": [], "error": "no result for this host", "hostid": None}
    action = result.get("action")
    if action not in ACTIONS:
        if result.get("failed"):
            action = "failed"
        elif result.get("skipped"):
            action = "skipped"
        elif result.get("changed"):
            action = "updated"
        else:
            action = "unchanged"
    error = None
    if action == "failed":
        error = str(result.get("msg") or result.get("error") or "failed without a message")
    elif action == "skipped" and result.get("skip_reason"):
        error = str(result["skip_reason"])
    hostid = result.get("hostid")
    record: dict[str, t.Any] = {
        "host": host,
        "action": action,
        "changed_fields": [str(field) for field in (result.get("changed_fields") or [])],
        "error": error,
        "hostid": str(hostid) if hostid not in (None, "") else None,
    }
    if isinstance(result.get("interfaceids"), list):
        record["interfaceids"] = list(result["interfaceids"])  # for the write-back of the interface rows
    if isinstance(result.get("duration"), (int, float)):
        record["duration"] = round(float(result["duration"]), 4)
    if keep_drift and isinstance(result.get("drift"), Mapping):
        record["drift"] = result["drift"]
    return record


def records_from_batch(
    batch: Mapping[str, t.Any], hosts: Iterable[str] | None = None, keep_drift: bool = False
) -> list[dict[str, t.Any]]:
    """Records from a zabbix_host_sync_batch result, one per host of ``hosts``.

    A batch that failed as a whole (no ``results``, e.g. Zabbix unreachable) fails every
    host with the task's message; a host missing from ``results`` is counted as skipped.
    """
    results = batch.get("results")
    if not isinstance(results, Mapping):
        results = {}
    host_list = list(hosts) if hosts is not None else list(results)
    if not results and batch.get("failed"):
        message = str(batch.get("msg") or "the batch sync task failed")
        return [host_record(host, {"failed": True, "msg": message}) for host in host_list]
    return [host_record(host, results.get(host), keep_drift) for host in host_list]


def count(records: Iterable[Mapping[str, t.Any]]) -> dict[str, int]:
    counts = dict.fromkeys(ACTIONS, 0)
    total = 0
    for record in records:
        counts[record["action"]] += 1
        total += 1
    return {"total": total, **counts}


def summary_message(counts: Mapping[str, int], check_mode: bool) -> str:
    """The seed's words: "Sync complete: U/T hosts updated, F failed."

    U counts every host changed in Zabbix (created, updated or deleted).
    """
    changed = sum(counts.get(action, 0) for action in CHANGING_ACTIONS)
    total, failed = counts.get("total", 0), counts.get("failed", 0)
    if check_mode:
        return f"Sync complete (check mode, nothing written): {changed}/{total} hosts would be updated, {failed} failed."
    return f"Sync complete: {changed}/{total} hosts updated, {failed} failed."


def build_summary(
    records: list[dict[str, t.Any]],
    *,
    check_mode: bool,
    duration: float | None,
    run_id: str | None = None,
    secrets: Iterable[str] = (),
) -> dict[str, t.Any]:
    """The ``zabbix_sync_summary`` fact (without orphans and write-back, added by the action)."""
    counts = count(records)
    secrets = tuple(secrets)
    failed_hosts = [
        {"host": record["host"], "error": mask_text(record["error"] or "", secrets)}
        for record in records
        if record["action"] == "failed"
    ]
    summary: dict[str, t.Any] = {
        **counts,
        "changed": sum(counts[action] for action in CHANGING_ACTIONS),
        "failed_hosts": failed_hosts,
        "duration": round(duration, 3) if duration is not None else None,
        "check_mode": bool(check_mode),
        "message": summary_message(counts, check_mode),
    }
    if run_id:
        summary["run_id"] = run_id
    return summary


def progress_line(done: int, total: int | None, failed: int) -> str:
    """"2,000/10,000 hosts, 3 failed" (total unknown: "2,000 hosts, 3 failed")."""
    done_text = f"{done:,}/{total:,}" if total else f"{done:,}"
    return f"{done_text} hosts, {failed:,} failed"


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()


def render_table(
    counts: Mapping[str, int],
    records: Iterable[Mapping[str, t.Any]],
    max_rows: int = 20,
    secrets: Iterable[str] = (),
) -> list[str]:
    """End-of-run table: the counters, then failed and changed hosts (failed first)."""
    secrets = tuple(secrets)
    header = ["total", *ACTIONS]
    values = [f"{counts.get(name, 0):,}" for name in header]
    widths = [max(len(a), len(b)) for a, b in zip(header, values)]
    lines = [_row(header, widths), _row(values, widths)]

    interesting = [record for record in records if record["action"] not in ("unchanged",)]
    interesting.sort(key=lambda record: (record["action"] != "failed", record["action"], record["host"]))
    if not interesting or max_rows <= 0:
        return lines
    shown = interesting[:max_rows]
    rows = []
    for record in shown:
        detail = record.get("error") if record["action"] in ("failed", "skipped") else ", ".join(record["changed_fields"])
        detail = mask_text(str(detail or ""), secrets)
        if len(detail) > 120:
            detail = detail[:117] + "..."
        rows.append([str(record["host"]), record["action"], detail])
    widths = [max(len(row[i]) for row in rows + [["host", "action", "changed fields / error"]]) for i in range(3)]
    lines.append("")
    lines.append(_row(["host", "action", "changed fields / error"], widths))
    lines.extend(_row(row, widths) for row in rows)
    if len(interesting) > len(shown):
        lines.append(f"... and {len(interesting) - len(shown):,} more")
    return lines
