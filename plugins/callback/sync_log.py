# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: sync_log
type: notification
short_description: JSON-lines event log, progress lines and an end table for the Zabbix host sync
version_added: 0.1.0
description:
  - Watches the C(netbox_zabbix.sync.zabbix_host_sync) (per host) and C(netbox_zabbix.sync.zabbix_host_sync_batch)
    (all hosts in one task) tasks and writes one JSON object per line to a log file, one per host
    (host, action, changed fields, error, duration, run id, check mode) and one run summary at the end.
  - In batch mode the per-host events come from the batch task's C(results). In per-host mode the lines reach the file
    at least once a second (one write per second, not one per host) and all of them by the end of the run.
  - Prints a progress line every O(progress_hosts) hosts or O(progress_seconds) seconds on long per-host runs
    (for example V(2,000/10,000 hosts, 3 failed)) and a table of counters, failed and changed hosts at the end.
  - At the end it also prints the drift report of C(netbox_zabbix.sync.zabbix_sync_summary) (what would change or
    changed, grouped by field and value, with a few hosts per group) and where its Markdown, HTML and JSON files are.
  - In batch mode the progress lines during the sync task come from the task itself (its C(progress_seconds) option).
  - Diffs are never logged. Error messages are scrubbed of anything that looks like a token or password, and of the
    values of E(NETBOX_TOKEN), E(ZABBIX_TOKEN) and E(ZABBIX_PASSWORD).
  - A notification callback, so it works beside any stdout callback, including AWX's. It never fails a job; when its log
    file cannot be written it warns once and carries on without it.
  - Does nothing in playbooks that run none of the collection's sync tasks.
requirements:
  - Enable it with C(callbacks_enabled = netbox_zabbix.sync.sync_log) in C(ansible.cfg), or E(ANSIBLE_CALLBACKS_ENABLED).
options:
  log_path:
    description:
      - The JSON-lines file events are appended to. Its directory is created when missing.
      - An empty string disables the file (progress and table still show).
    type: str
    default: ~/.ansible/netbox_zabbix_sync/sync_log.jsonl
    env:
      - name: NETBOX_ZABBIX_SYNC_LOG_PATH
      - name: ANSIBLE_SYNC_LOG_PATH
    ini:
      - section: callback_sync_log
        key: log_path
  progress_hosts:
    description: Print a progress line every this many hosts (V(0) disables counting by hosts).
    type: int
    default: 1000
    env:
      - name: NETBOX_ZABBIX_SYNC_LOG_PROGRESS_HOSTS
    ini:
      - section: callback_sync_log
        key: progress_hosts
  progress_seconds:
    description: Print a progress line when this many seconds passed since the last one (V(0) disables it).
    type: float
    default: 30
    env:
      - name: NETBOX_ZABBIX_SYNC_LOG_PROGRESS_SECONDS
    ini:
      - section: callback_sync_log
        key: progress_seconds
  table:
    description: Print the summary table at the end of the run.
    type: bool
    default: true
    env:
      - name: NETBOX_ZABBIX_SYNC_LOG_TABLE
    ini:
      - section: callback_sync_log
        key: table
  table_max_rows:
    description: At most this many failed or changed hosts are listed in the table.
    type: int
    default: 20
    env:
      - name: NETBOX_ZABBIX_SYNC_LOG_TABLE_MAX_ROWS
    ini:
      - section: callback_sync_log
        key: table_max_rows
"""

EXAMPLES = r"""
# ansible.cfg
# [defaults]
# callbacks_enabled = netbox_zabbix.sync.sync_log
#
# [callback_sync_log]
# log_path = /var/log/netbox_zabbix_sync/sync_log.jsonl
# progress_hosts = 2000
# progress_seconds = 15
# table = true

# One line of the log (per host):
# {"event": "host", "ts": "2026-01-05T10:00:01.123456+00:00", "run_id": "3f2a...", "check_mode": false,
#  "host": "sw-core-01", "action": "updated", "changed_fields": ["templates", "tags"], "error": null,
#  "hostid": "10650", "duration": 0.021}
"""

import json
import os
import time
import typing as t
import uuid
from datetime import datetime, timezone

from ansible import context
from ansible.plugins.callback import CallbackBase

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import mask_data, mask_text
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._core_internals import play_inventory, task_key
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._sync_report import (
    RUN_ID_ENV,
    build_summary,
    count,
    host_record,
    progress_line,
    records_from_batch,
    render_table,
    secret_values_from_env,
)

SYNC_ONE = "zabbix_host_sync"
SYNC_BATCH = "zabbix_host_sync_batch"
SUMMARY = "zabbix_sync_summary"
COLLECTION = "netbox_zabbix.sync"
# A task carrying this task variable reports per-host sync failures too (the role's
# per-host mode fails broken HostConfigs with ansible.builtin.fail).
HOST_RESULT_MARKER = "netbox_zabbix_sync_host_result"
FLUSH_SECONDS = 1.0  # per-host lines reach the file at least this often (and all at the run's end)


def _short_action(task: t.Any, resolve: bool = False) -> str | None:
    """The collection module a task runs (short name), or None for anything else."""
    task_vars = getattr(task, "vars", None)
    if isinstance(task_vars, dict) and task_vars.get(HOST_RESULT_MARKER):
        return HOST_RESULT_MARKER
    names = [getattr(task, "action", None)]
    if resolve:
        names.insert(0, getattr(task, "resolved_action", None))
    for name in names:
        if not name:
            continue
        prefix, short = str(name).rpartition(".")[::2]
        if short in (SYNC_ONE, SYNC_BATCH, SUMMARY) and prefix in ("", COLLECTION):
            return short
    return None


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "netbox_zabbix.sync.sync_log"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display: t.Any = None) -> None:
        super().__init__(display=display)
        # One id shared with the zabbix_sync_summary action (workers inherit the environment)
        # so the log file and NetBox's EventLog rows of a run can be matched.
        self.run_id = os.environ.get(RUN_ID_ENV) or str(uuid.uuid4())
        os.environ.setdefault(RUN_ID_ENV, self.run_id)
        self.awx_job_id = os.environ.get("JOB_ID")
        self.check_mode = bool(context.CLIARGS.get("check", False))
        self.started = time.monotonic()
        self.secrets = tuple(secret_values_from_env())
        self.records: dict[str, dict[str, t.Any]] = {}
        self.summary: dict[str, t.Any] | None = None
        self.drift_table: list[str] = []
        self.play_host_count: int | None = None
        self.seen_sync = False
        self._task_starts: dict[tuple[str, str], float] = {}
        self._last_progress_count = 0
        self._last_progress_time = time.monotonic()
        self._log_file: t.IO[str] | None = None
        self._last_flush = time.monotonic()
        self._log_disabled = False
        self._warned = False
        self.log_path = ""
        self.progress_hosts = 1000
        self.progress_seconds = 30.0
        self.show_table = True
        self.table_max_rows = 20

    # ---- options ---------------------------------------------------------------------

    def set_options(self, task_keys: t.Any = None, var_options: t.Any = None, direct: t.Any = None) -> None:
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        self.log_path = os.path.expanduser(str(self.get_option("log_path") or ""))
        self.progress_hosts = int(self.get_option("progress_hosts") or 0)
        self.progress_seconds = float(self.get_option("progress_seconds") or 0)
        self.show_table = bool(self.get_option("table"))
        self.table_max_rows = int(self.get_option("table_max_rows") or 0)

    # ---- the sink: never fails the job -----------------------------------------------

    def _warn_once(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            self._display.warning(f"{self.CALLBACK_NAME}: {message}")

    def _open_log(self) -> t.IO[str] | None:
        if self._log_file is not None or self._log_disabled or not self.log_path:
            return self._log_file
        try:
            directory = os.path.dirname(self.log_path)
            if directory:
                os.makedirs(directory, exist_ok=True)
            self._log_file = open(self.log_path, "a", encoding="utf-8")
        except OSError as exc:
            self._log_disabled = True
            self._warn_once(f"cannot write the event log {self.log_path!r} ({exc.strerror or exc}); continuing without it")
        return self._log_file

    def _emit(self, event: dict[str, t.Any]) -> None:
        line = {"event": event.pop("event"), "ts": _now_iso(), "run_id": self.run_id, "check_mode": self.check_mode}
        if self.awx_job_id:
            line["awx_job_id"] = self.awx_job_id
        line.update(mask_data(event, self.secrets))
        handle = self._open_log()
        if handle is None:
            return
        try:
            handle.write(json.dumps(line, default=str) + "\n")
        except (OSError, ValueError, TypeError) as exc:
            self._log_disabled = True
            self._log_file = None
            self._warn_once(f"cannot write the event log {self.log_path!r} ({exc}); continuing without it")

    def _flush(self) -> None:
        if self._log_file is None:
            return
        try:
            self._log_file.flush()
        except OSError as exc:
            self._log_disabled = True
            self._log_file = None
            self._warn_once(f"cannot write the event log {self.log_path!r} ({exc}); continuing without it")

    def _flush_now_and_then(self) -> None:
        """Per-host mode ends a task per host: flushing each line is a write syscall per host in
        the one process that drives all forks. At most one flush a second keeps ``tail -f`` live;
        the run's end flushes the rest."""
        now = time.monotonic()
        if now - self._last_flush >= FLUSH_SECONDS:
            self._last_flush = now
            self._flush()

    def _safely(self, handler: t.Callable[..., None], *args: t.Any) -> None:
        """Run one handler; a bug or a broken sink becomes one warning, never a failed job."""
        try:
            handler(*args)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            self._warn_once(f"event log disabled after an internal error: {type(exc).__name__}: {exc}")
            self._log_disabled = True

    # ---- bookkeeping -----------------------------------------------------------------

    def _failed_count(self) -> int:
        return sum(1 for record in self.records.values() if record["action"] == "failed")

    def _record(self, record: dict[str, t.Any]) -> None:
        # A host that already has an outcome in this run keeps it over a later "skipped".
        if record["action"] == "skipped" and record["host"] in self.records:
            return
        self.records[record["host"]] = record
        self._emit({"event": "host", **record})

    def _maybe_progress(self, force: bool = False) -> None:
        done = len(self.records)
        now = time.monotonic()
        by_hosts = self.progress_hosts > 0 and done - self._last_progress_count >= self.progress_hosts
        by_time = self.progress_seconds > 0 and now - self._last_progress_time >= self.progress_seconds
        if not (force or by_hosts or by_time) or done == self._last_progress_count:
            return
        self._last_progress_count, self._last_progress_time = done, now
        self._display.display(f"{self.CALLBACK_NAME}: {progress_line(done, self.play_host_count, self._failed_count())}")

    @staticmethod
    def _play_host_count(play: t.Any) -> int | None:
        """How many hosts the play targets (after --limit), for "N/T hosts" progress."""
        try:
            inventory = play_inventory(play)
            if inventory is None:  # public-API-only mode: no total
                return None
            return len(inventory.get_hosts(play.hosts))
        except Exception:  # pylint: disable=broad-exception-caught
            return None

    def _per_host_result(self, result: t.Any, status: str) -> None:
        host = result.host.get_name()
        payload = dict(result.result)
        if status == "failed":
            payload["failed"] = True
            payload.setdefault("action", "failed")
        elif status == "skipped":
            payload = {"skipped": True, "skip_reason": payload.get("skip_reason") or "conditional result was False"}
        started = self._task_starts.pop((host, task_key(result.task)), None)
        if started is not None and "duration" not in payload:
            payload["duration"] = time.monotonic() - started
        self._record(host_record(host, payload))
        self._maybe_progress()

    def _batch_result(self, result: t.Any) -> None:
        payload = result.result
        results = payload.get("results") if isinstance(payload.get("results"), dict) else {}
        if not results and payload.get("failed"):
            self._emit({"event": "task_error", "task": result.task.get_name(), "error": str(payload.get("msg") or "")})
            return
        for record in records_from_batch(payload, list(results)):
            self._record(record)
        # The batch reports all its hosts at once: one progress line, not one per interval.
        self._maybe_progress(force=True)

    def _handle(self, result: t.Any, status: str) -> None:
        kind = _short_action(result.task, resolve=status in ("ok", "failed"))
        if kind is None or (kind == SUMMARY and status == "skipped"):
            return  # a skipped summary (the source check's) is no sync: a run stopped before it prints no table
        self.seen_sync = True
        if kind == SUMMARY:
            if status == "ok":
                facts = result.result.get("ansible_facts") or {}
                summary = facts.get("zabbix_sync_summary") or result.result.get("summary")
                if isinstance(summary, dict):
                    self.summary = summary
                drift_table = result.result.get("drift_table")
                if isinstance(drift_table, list):
                    self.drift_table = [str(line) for line in drift_table]
        elif kind == SYNC_BATCH:
            if status != "skipped":
                self._batch_result(result)
        elif kind == HOST_RESULT_MARKER:
            if status == "failed":
                self._per_host_result(result, status)
        else:
            self._per_host_result(result, status)
        if kind in (SUMMARY, SYNC_BATCH):
            self._flush()
        else:
            self._flush_now_and_then()

    # ---- v2 events -------------------------------------------------------------------

    def v2_playbook_on_play_start(self, play: t.Any) -> None:
        self.play_host_count = self._play_host_count(play)

    def v2_runner_on_start(self, host: t.Any, task: t.Any) -> None:
        if _short_action(task) in (SYNC_ONE, HOST_RESULT_MARKER):
            self._task_starts[(host.get_name(), task_key(task))] = time.monotonic()

    def v2_runner_on_ok(self, result: t.Any) -> None:
        self._safely(self._handle, result, "ok")

    def v2_runner_on_failed(self, result: t.Any, ignore_errors: bool = False) -> None:
        self._safely(self._handle, result, "failed")

    def v2_runner_on_skipped(self, result: t.Any) -> None:
        self._safely(self._handle, result, "skipped")

    def v2_runner_on_unreachable(self, result: t.Any) -> None:
        self._safely(self._handle, result, "failed")

    def v2_playbook_on_stats(self, stats: t.Any) -> None:
        self._safely(self._finish)

    def _finish(self) -> None:
        if not self.seen_sync:
            return
        records = list(self.records.values())
        duration = time.monotonic() - self.started
        summary = self.summary or build_summary(
            records, check_mode=self.check_mode, duration=duration, run_id=self.run_id, secrets=self.secrets
        )
        self._maybe_progress(force=True)
        event = {key: value for key, value in summary.items() if key not in ("run_id", "check_mode")}
        event.setdefault("callback_duration", round(duration, 3))
        self._emit({"event": "run_summary", **event})
        self._flush()
        if self._log_file is not None:
            try:
                self._log_file.close()
            except OSError:
                pass
            self._log_file = None
        if self.show_table:
            counts = {key: summary.get(key, 0) for key in count([]).keys()} if self.summary else count(records)
            title = f"{self.CALLBACK_NAME}: {summary.get('message', '')}"
            self._display.display(title)
            for line in render_table(counts, records, self.table_max_rows, self.secrets):
                self._display.display(f"  {line}" if line else "")
            if self.drift_table:
                # Grouped by field and value by the summary step (already masked); the files have every host.
                self._display.display("")
                for number, line in enumerate(self.drift_table):
                    line = mask_text(line, self.secrets)
                    self._display.display(f"{self.CALLBACK_NAME}: {line}" if number == 0 else line)
                report = (self.summary or {}).get("report") or {}
                for kind in ("html", "markdown", "json"):
                    if report.get(kind):
                        self._display.display(f"  drift report ({kind}): {report[kind]}")
