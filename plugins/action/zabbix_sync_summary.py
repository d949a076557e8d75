# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller-side action for netbox_zabbix.sync.zabbix_sync_summary (documentation in plugins/modules)."""

from __future__ import annotations

import os
import time
import typing as t
from collections.abc import Mapping

from ansible.utils.display import Display

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import mask_data, mask_text
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._sync_job_specs import summary_argument_spec
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._sync_job import (
    NetBoxError,
    SyncJobAction,
    netbox_client,
    netbox_configured,
    play_hosts,
    read_setting,
    registered,
    results_by_host,
    run_id,
    run_started_epoch,
)
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._drift_report import (
    build_report,
    counts_for_stats,
    render_html,
    render_json,
    render_markdown,
    render_terminal,
)
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._sync_report import (
    build_summary,
    host_record,
    records_from_batch,
    with_host,
)

display = Display()

FACT_NAME = "zabbix_sync_summary"


def collect_records(
    task_vars: Mapping[str, t.Any], hosts: list[str], results: t.Any, result_var: str | None
) -> list[dict[str, t.Any]]:
    """One record per host of the run, from a batch result or from per-host registered results."""
    if isinstance(results, Mapping) and ("results" in results or results.get("failed")):
        return records_from_batch(results, hosts or None, keep_drift=True)
    by_host = results_by_host(task_vars, hosts, results, result_var)
    return [host_record(host, by_host.get(host), keep_drift=True) for host in (hosts or list(by_host))]


LOG_PATH_ENV = ("NETBOX_ZABBIX_SYNC_LOG_PATH", "ANSIBLE_SYNC_LOG_PATH")
REPORT_NAME = "drift_report"


def default_report_path() -> str:
    """Beside the sync_log callback's event log (its default, or the file its environment names)."""
    log_path = next((os.environ[name] for name in LOG_PATH_ENV if os.environ.get(name)), "~/.ansible/netbox_zabbix_sync/sync_log.jsonl")
    return os.path.join(os.path.dirname(os.path.expanduser(log_path)) or ".", REPORT_NAME)


def write_report(report: Mapping[str, t.Any], base: str) -> dict[str, str]:
    """Write the .md, .html and .json files (each replaced atomically); their paths."""
    base = os.path.expanduser(base)
    directory = os.path.dirname(base)
    if directory:
        os.makedirs(directory, exist_ok=True)
    paths = {"markdown": f"{base}.md", "html": f"{base}.html", "json": f"{base}.json"}
    contents = {"markdown": render_markdown(report, paths), "html": render_html(report), "json": render_json(report)}
    for kind, path in paths.items():
        partial = f"{path}.{os.getpid()}.tmp"
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(contents[kind])
        os.replace(partial, path)
    return paths


def apply_writeback(records: list[dict[str, t.Any]], writeback: Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    """Fold the write-back step into the records: a host whose hostid could not be written back fails.

    Zabbix holds the host, but NetBox does not know its hostid; the next run finds it by name
    and tries again, so the host is reported rather than lost.
    """
    if not writeback:
        return {}
    by_host = {record["host"]: record for record in records}
    for failure in writeback.get("failures") or []:
        record = by_host.get(failure.get("host"))
        if record is None or record["action"] == "failed":
            continue  # the host's first failure says it; the others follow from it
        record["error"] = with_host(
            record["host"],
            f"{record['action']} in Zabbix (hostid {record.get('hostid')}) but writing back to NetBox failed: {failure.get('error')}",
        )
        record["action"] = "failed"
    return {
        "patched": len(writeback.get("patched") or []),
        "would_patch": len(writeback.get("would_patch") or []),
        "failed": len(writeback.get("failures") or []),
    }


def orphan_report(orphans: Mapping[str, t.Any] | None) -> tuple[list[dict[str, t.Any]], dict[str, t.Any], list[str]]:
    """(orphan list, orphan step status, errors) from the zabbix_orphans result."""
    if not orphans:
        return [], {"status": "not run"}, []
    if orphans.get("skipped") and not orphans.get("orphans"):
        reason = orphans.get("skip_reason") or orphans.get("msg") or "skipped"
        return [], {"status": "skipped", "reason": str(reason)}, []
    status = {
        key: orphans[key]
        for key in ("policy", "deleted", "disabled", "refused", "subset", "marker_tag")
        if key in orphans
    }
    for key in ("would_delete", "would_disable"):
        if key in orphans:
            status[key] = len(orphans[key])
    status["status"] = "failed" if orphans.get("failed") else "done"
    errors = [f"orphans: {orphans.get('msg')}"] if orphans.get("failed") else []
    return list(orphans.get("orphans") or []), status, errors


class ActionModule(SyncJobAction):
    ARGUMENT_SPEC = summary_argument_spec()

    def run_job(self, result: dict[str, t.Any], params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        check_mode = bool(self._play_context.check_mode)
        secrets = self.secrets

        hosts = play_hosts(task_vars, params.get("hosts"))
        results = params.get("results") if params.get("results") is not None else registered(task_vars, params.get("results_var"))
        records = collect_records(task_vars, hosts, results, params.get("result_var"))
        writeback = apply_writeback(records, params.get("writeback"))
        started = params.get("started") or run_started_epoch()
        duration = time.time() - started if started else None
        summary = build_summary(records, check_mode=check_mode, duration=duration, run_id=run_id(), secrets=secrets)
        orphans, orphan_status, errors = orphan_report(params.get("orphans"))
        summary["orphans"] = mask_data(orphans, secrets)
        summary["orphans_step"] = orphan_status
        if writeback:
            summary["writeback"] = writeback
        if params.get("source_error"):
            errors.insert(0, f"the HostConfigs could not be read: {params['source_error']}")
            summary["message"] = f"Sync failed: {errors[0]}"
        summary["errors"] = [mask_text(error, secrets) for error in errors]
        summary["message"] = mask_text(summary["message"], secrets)
        guard = results.get("guard") if isinstance(results, Mapping) and isinstance(results.get("guard"), Mapping) else None
        refused = dict(guard) if guard and guard.get("refused") else None
        report = build_report(
            records, check_mode=check_mode, refused=refused, orphans=orphans,
            orphan_policy=orphan_status.get("policy"), secrets=secrets, run_id=run_id(),
        )
        summary["drift"] = counts_for_stats(report)
        if guard:
            summary["guard"] = dict(guard)
        summary["report"] = self._write_report(params, report)
        if refused:
            where = summary["report"].get("html") or summary["report"].get("markdown") or "the summary's drift counts"
            errors.insert(0, f"refused by the guard: {refused['would_change']:,} hosts would change, the limit is {refused['limit']:,}")
            summary["message"] = (
                f"Sync refused, nothing written: {refused['would_change']:,}/{summary['total']:,} hosts would change, "
                f"more than the {refused['limit']:,} allowed (sync_hosts_max_changes). See the drift report: {where}"
            )
            summary["errors"] = [mask_text(error, secrets) for error in errors]
        elif check_mode and guard and guard.get("tripped"):
            summary["message"] += (
                f" The guard would refuse a real run: {guard['would_change']:,} hosts would change, the limit is {guard['limit']:,}."
            )
        summary["ok"] = summary["failed"] == 0 and not errors
        summary["event_log"] = self._event_log(params, summary, records, check_mode, secrets)

        # The table travels in the task result (for the sync_log callback), not in the fact
        # or set_stats, which carry only the counts.
        result.update(changed=False, summary=summary, msg=summary["message"], drift_table=render_terminal(report))
        self._set_fact(result, FACT_NAME, summary)
        if params["export_stats"]:
            # set_stats semantics (aggregate): AWX stores it as the job's artifacts, and a
            # workflow passes it on to the next node as extra vars.
            result["ansible_stats"] = {"data": {FACT_NAME: summary}, "per_host": False, "aggregate": True}
        return result

    @staticmethod
    def _write_report(params: Mapping[str, t.Any], report: Mapping[str, t.Any]) -> dict[str, str]:
        base = params.get("report_path")
        if base is None:
            base = default_report_path()
        if not base:
            return {}
        try:
            return write_report(report, base)
        except OSError as exc:
            display.warning(f"zabbix_sync_summary: cannot write the drift report {base!r}: {exc.strerror or exc}")
            return {"error": f"cannot write {base}: {exc.strerror or exc}"}

    def _set_fact(self, result: dict[str, t.Any], name: str, value: t.Any) -> None:
        """Set ``name`` as set_fact does: a plain variable, not an injected ``ansible_facts`` entry.

        ansible-core 2.21 deprecates reading ``ansible_facts`` keys as top-level variables;
        set_fact's layer has no such deprecation. Older cores take the ``ansible_facts`` path.
        """
        result["ansible_facts"] = {name: value}
        register = getattr(self, "register_host_variables", None)
        if register is None:
            return
        try:
            from ansible.plugins.action import VariableLayer  # ansible-core 2.21+

            register({}, VariableLayer.CACHEABLE_FACT)
            register({name: value}, VariableLayer.EPHEMERAL_FACT)
        except (ImportError, RuntimeError, LookupError, ReferenceError, AttributeError):
            pass  # no task context (unit tests) or an older core: ansible_facts applies

    # -- NetBox EventLog ------------------------------------------------------------------

    def _event_log(
        self,
        params: Mapping[str, t.Any],
        summary: dict[str, t.Any],
        records: list[dict[str, t.Any]],
        check_mode: bool,
        secrets: tuple[str, ...] | list[str],
    ) -> dict[str, t.Any]:
        """POST the run summary and each failed host to the plugin's event-log, when enabled.

        Never in check mode. A NetBox failure here is a warning: the sync itself is done.
        """
        wanted = params.get("event_log")
        if check_mode:
            return {"enabled": wanted, "posted": 0, "reason": "check mode: nothing written"}
        if wanted is False:
            return {"enabled": False, "posted": 0}
        if not netbox_configured(params):
            if wanted:
                display.warning("zabbix_sync_summary: event_log is on but no NetBox URL/token is set; nothing posted")
            return {"enabled": wanted, "posted": 0, "reason": "NetBox not configured"}
        posted = 0
        try:
            client = netbox_client(params)
            if wanted is None:
                wanted = bool(read_setting(client).get("event_log_enabled"))
                if not wanted:
                    return {"enabled": False, "posted": 0, "reason": "Setting.event_log_enabled is off"}
            name = params["event_log_name"]
            data = {key: value for key, value in summary.items() if key != "event_log"}
            data["failed_hosts"] = data["failed_hosts"][: params["event_log_max_hosts"]]
            data["orphans"] = data["orphans"][: params["event_log_max_hosts"]]
            client.post_event_log(name, summary["message"], mask_data(data, secrets))
            posted += 1
            failed = [record for record in records if record["action"] == "failed"]
            for record in failed[: params["event_log_max_hosts"]]:
                error = mask_text(record.get("error") or "", secrets)
                client.post_event_log(
                    f"{name}: {record['host']}",
                    with_host(record["host"], error)[:4000],
                    {"host": record["host"], "error": error, "hostid": record.get("hostid"), "run_id": summary.get("run_id")},
                )
                posted += 1
            left_out = len(failed) - params["event_log_max_hosts"]
            return {"enabled": True, "posted": posted, **({"left_out": left_out} if left_out > 0 else {})}
        except NetBoxError as exc:
            message = mask_text(str(exc), secrets)
            display.warning(f"zabbix_sync_summary: could not write the NetBox event log: {message}")
            return {"enabled": wanted, "posted": posted, "error": message}
