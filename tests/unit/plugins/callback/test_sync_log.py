# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import re
import sys
import types
import typing as t
import uuid
import warnings
from pathlib import Path

import pytest
from ansible.plugins.loader import callback_loader, init_plugin_loader

# The collection finder makes ansible_collections.* importable (collections_path in ansible.cfg);
# a second test module calling it again only gets a harmless "already configured" warning.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    init_plugin_loader()

from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils import _sync_report as report  # noqa: E402

ZABBIX_TOKEN = "0123456789abcdef" * 4


class FakeDisplay:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.warnings: list[str] = []

    def display(self, msg: str, *args: t.Any, **kwargs: t.Any) -> None:
        self.lines.append(msg)

    def warning(self, msg: str, *args: t.Any, **kwargs: t.Any) -> None:
        self.warnings.append(msg)

    def __getattr__(self, name: str) -> t.Callable[..., None]:  # vvv, debug, ...
        return lambda *args, **kwargs: None


class FakeHost:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_name(self) -> str:
        return self.name


class FakeTask:
    def __init__(self, action: str, name: str = "sync") -> None:
        self.action = action
        self.resolved_action = action if "." in action else f"netbox_zabbix.sync.{action}"
        self._uuid = uuid.uuid4().hex
        self.name = name

    def get_name(self) -> str:
        return self.name


class FakeResult:
    def __init__(self, host: str, task: FakeTask, result: dict[str, t.Any]) -> None:
        self.host = FakeHost(host)
        self.task = task
        self.result = result


@pytest.fixture()
def make_callback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> t.Callable[..., t.Any]:
    monkeypatch.setenv("ZABBIX_TOKEN", ZABBIX_TOKEN)
    monkeypatch.delenv("NETBOX_ZABBIX_SYNC_RUN_ID", raising=False)
    monkeypatch.delenv("JOB_ID", raising=False)

    def make(**options: t.Any) -> t.Any:
        callback = callback_loader.get("netbox_zabbix.sync.sync_log")
        display = FakeDisplay()
        callback._display = display
        options.setdefault("log_path", str(tmp_path / "log" / "sync.jsonl"))
        callback.set_options(direct=options)
        return callback

    return make


def read_events(path: str) -> list[dict[str, t.Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def test_callback_metadata(make_callback: t.Callable[..., t.Any]) -> None:
    callback = make_callback()
    assert callback.CALLBACK_TYPE == "notification"
    assert callback.CALLBACK_NEEDS_ENABLED is True
    assert callback.CALLBACK_NAME == "netbox_zabbix.sync.sync_log"


def test_per_host_events_and_run_summary(make_callback: t.Callable[..., t.Any]) -> None:
    callback = make_callback()
    task = FakeTask("netbox_zabbix.sync.zabbix_host_sync")
    callback.v2_runner_on_start(FakeHost("web-01"), task)
    callback.v2_runner_on_ok(FakeResult("web-01", task, {
        "changed": True, "action": "updated", "hostid": "10650", "changed_fields": ["templates", "tags"],
        "diff": {"before": {"tls_psk": "SECRETPSK"}, "after": {"tls_psk": "OTHERPSK"}},
    }))
    callback.v2_runner_on_ok(FakeResult("web-02", task, {"changed": False, "action": "unchanged", "hostid": 10651}))
    callback.v2_runner_on_failed(FakeResult("db-01", task, {
        "failed": True, "msg": f"db-01: templates[1]: template 'Foo' not found (auth {ZABBIX_TOKEN})",
    }), ignore_errors=True)
    callback.v2_runner_on_skipped(FakeResult("db-02", task, {"skipped": True}))
    callback.v2_playbook_on_stats(None)

    events = read_events(callback.log_path)
    hosts = {event["host"]: event for event in events if event["event"] == "host"}
    assert set(hosts) == {"web-01", "web-02", "db-01", "db-02"}
    assert hosts["web-01"]["action"] == "updated"
    assert hosts["web-01"]["changed_fields"] == ["templates", "tags"]
    assert hosts["web-01"]["duration"] >= 0
    assert hosts["web-02"]["hostid"] == "10651"
    assert hosts["db-01"]["action"] == "failed"
    assert "template 'Foo' not found" in hosts["db-01"]["error"]
    assert hosts["db-02"]["action"] == "skipped"
    text = Path(callback.log_path).read_text(encoding="utf-8")
    assert ZABBIX_TOKEN not in text and "SECRETPSK" not in text and "diff" not in text
    for event in events:
        assert event["run_id"] == callback.run_id and event["check_mode"] is False

    summary = events[-1]
    assert summary["event"] == "run_summary"
    assert (summary["total"], summary["updated"], summary["unchanged"], summary["failed"], summary["skipped"]) == (4, 1, 1, 1, 1)
    assert summary["failed_hosts"][0]["host"] == "db-01"
    assert summary["message"] == "Sync complete: 1/4 hosts updated, 1 failed."
    # the table lists the failed host first
    table = "\n".join(callback._display.lines)
    assert "Sync complete: 1/4 hosts updated, 1 failed." in table
    assert table.index("db-01") < table.index("web-01")
    assert ZABBIX_TOKEN not in table


def test_per_host_lines_reach_the_file_within_a_second_and_all_by_the_end(
        make_callback: t.Callable[..., t.Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # Per-host mode: one flush a second at most (not one per host), so `tail -f` stays live.
    clock = [1000.0]
    callback = make_callback()
    monkeypatch.setattr(sys.modules[type(callback).__module__], "time", types.SimpleNamespace(monotonic=lambda: clock[0]))
    callback._last_flush = clock[0]
    task = FakeTask("netbox_zabbix.sync.zabbix_host_sync")

    def host_done(name: str) -> None:
        callback.v2_runner_on_ok(FakeResult(name, task, {"changed": False, "action": "unchanged", "hostid": "1"}))

    def on_disk() -> list[str]:
        path = Path(callback.log_path)
        return [event["host"] for event in read_events(str(path))] if path.exists() else []

    host_done("h1")
    clock[0] += 0.5
    host_done("h2")
    assert on_disk() == []  # buffered: not a flush per host
    clock[0] += 0.6
    host_done("h3")
    assert on_disk() == ["h1", "h2", "h3"]  # a second since the last flush
    host_done("h4")
    callback.v2_playbook_on_stats(None)
    events = read_events(callback.log_path)
    assert [event.get("host") for event in events] == ["h1", "h2", "h3", "h4", None] and events[-1]["event"] == "run_summary"


def test_batch_results_become_host_events(make_callback: t.Callable[..., t.Any]) -> None:
    callback = make_callback(progress_hosts=2)
    task = FakeTask("netbox_zabbix.sync.zabbix_host_sync_batch")
    results = {f"h{i:02d}": {"changed": False, "action": "unchanged", "hostid": str(10000 + i)} for i in range(5)}
    results["h03"] = {"changed": False, "failed": True, "action": "failed", "msg": "h03: proxy 'p1' not found"}
    results["h04"] = {"changed": True, "action": "created", "hostid": "10999", "changed_fields": ["host"]}
    callback.v2_runner_on_ok(FakeResult("h00", task, {"changed": True, "results": results, "counts": {}}))
    callback.v2_playbook_on_stats(None)

    events = read_events(callback.log_path)
    assert [event["host"] for event in events if event["event"] == "host"] == list(results)
    summary = events[-1]
    assert (summary["total"], summary["created"], summary["unchanged"], summary["failed"]) == (5, 1, 3, 1)
    # one progress line for the whole batch, not one per two hosts
    progress = [line for line in callback._display.lines
                if re.fullmatch(r"netbox_zabbix\.sync\.sync_log: [\d,]+(/[\d,]+)? hosts, [\d,]+ failed", line)]
    assert progress == ["netbox_zabbix.sync.sync_log: 5 hosts, 1 failed"], callback._display.lines


def test_failed_batch_logs_a_task_error(make_callback: t.Callable[..., t.Any]) -> None:
    callback = make_callback()
    task = FakeTask("zabbix_host_sync_batch")
    callback.v2_runner_on_failed(FakeResult("h00", task, {"failed": True, "msg": f"cannot log in: Bearer {ZABBIX_TOKEN}"}))
    callback.v2_playbook_on_stats(None)
    events = read_events(callback.log_path)
    assert events[0]["event"] == "task_error"
    assert ZABBIX_TOKEN not in json.dumps(events)


def test_summary_from_the_action_wins(make_callback: t.Callable[..., t.Any]) -> None:
    callback = make_callback(table=False)
    sync = FakeTask("netbox_zabbix.sync.zabbix_host_sync")
    callback.v2_runner_on_ok(FakeResult("a", sync, {"action": "unchanged"}))
    summary = {"total": 1, "created": 0, "updated": 0, "unchanged": 1, "deleted": 0, "failed": 0, "skipped": 0,
               "failed_hosts": [], "orphans": [{"host": "old", "hostid": "1"}], "message": "Sync complete: 0/1 hosts updated, 0 failed."}
    callback.v2_runner_on_ok(FakeResult("a", FakeTask("netbox_zabbix.sync.zabbix_sync_summary"),
                                        {"ansible_facts": {"zabbix_sync_summary": summary}}))
    callback.v2_playbook_on_stats(None)
    event = read_events(callback.log_path)[-1]
    assert event["event"] == "run_summary" and event["orphans"] == [{"host": "old", "hostid": "1"}]
    assert callback._display.lines == [] or all("total" not in line for line in callback._display.lines)


def test_progress_every_n_hosts(make_callback: t.Callable[..., t.Any]) -> None:
    callback = make_callback(progress_hosts=2, progress_seconds=0, table=False)
    callback.play_host_count = 5
    task = FakeTask("zabbix_host_sync")
    for index in range(5):
        callback.v2_runner_on_ok(FakeResult(f"h{index}", task, {"action": "unchanged"}))
    progress = [line for line in callback._display.lines if "hosts," in line]
    assert progress == ["netbox_zabbix.sync.sync_log: 2/5 hosts, 0 failed", "netbox_zabbix.sync.sync_log: 4/5 hosts, 0 failed"]


def test_unwritable_sink_warns_once_and_never_raises(make_callback: t.Callable[..., t.Any], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    callback = make_callback(log_path=str(blocker / "sub" / "log.jsonl"))
    task = FakeTask("zabbix_host_sync")
    for index in range(3):
        callback.v2_runner_on_ok(FakeResult(f"h{index}", task, {"action": "unchanged"}))
    callback.v2_playbook_on_stats(None)
    assert len(callback._display.warnings) == 1
    assert "continuing without it" in callback._display.warnings[0]
    assert any("Sync complete: 0/3 hosts updated, 0 failed." in line for line in callback._display.lines)


def test_other_playbooks_leave_no_trace(make_callback: t.Callable[..., t.Any]) -> None:
    callback = make_callback()
    callback.v2_runner_on_ok(FakeResult("h", FakeTask("ansible.builtin.debug"), {"msg": "hi"}))
    callback.v2_playbook_on_stats(None)
    assert not Path(callback.log_path).exists()
    assert callback._display.lines == []


def test_empty_log_path_disables_the_file(make_callback: t.Callable[..., t.Any]) -> None:
    callback = make_callback(log_path="")
    callback.v2_runner_on_ok(FakeResult("h", FakeTask("zabbix_host_sync"), {"action": "unchanged"}))
    callback.v2_playbook_on_stats(None)
    assert callback._display.warnings == []


@pytest.mark.parametrize("text", [
    f"Authorization: Bearer {ZABBIX_TOKEN}",
    "token nbt_AbCdEf123456.0123456789abcdefghij0123456789abcdefghij",
    "Token 0123456789012345678901234567890123456789",
    "password=hunter2hunter2",
    '{"tls_psk": "abcdef"}',
    "auth: s3cr3tvalue",
])
def test_masking_removes_secret_shapes(text: str) -> None:
    masked = report.mask_text(text)
    for secret in ("0123456789abcdef0123", "nbt_AbCdEf123456.", "0123456789012345678901234567890123456789",
                   "hunter2hunter2", "abcdef\"", "s3cr3tvalue"):
        assert secret not in masked


def test_masking_keeps_ordinary_messages() -> None:
    message = "sw-core-01: templates[1]: template 'Foo' not found (hostid 10650)"
    assert report.mask_text(message) == message


def test_masking_scrubs_known_env_values() -> None:
    secrets = report.secret_values_from_env({"ZABBIX_PASSWORD": "zabbix-pass-1"})
    assert report.mask_text("login as Admin/zabbix-pass-1 failed", secrets) == "login as Admin/******** failed"


def test_per_host_mode_broken_hostconfig_is_one_failed_event(make_callback: t.Callable[..., t.Any]) -> None:
    callback = make_callback(table=False)
    broken = FakeTask("ansible.builtin.fail", name="Fail broken HostConfigs")
    broken.vars = {"netbox_zabbix_sync_host_result": True}
    sync = FakeTask("netbox_zabbix.sync.zabbix_host_sync")
    callback.v2_runner_on_failed(FakeResult("bad", broken, {"failed": True, "msg": "bad: interfaces[0]: no IP address"}), ignore_errors=True)
    callback.v2_runner_on_skipped(FakeResult("good", broken, {"skipped": True}))
    callback.v2_runner_on_skipped(FakeResult("bad", sync, {"skipped": True}))
    callback.v2_runner_on_ok(FakeResult("good", sync, {"action": "unchanged"}))
    callback.v2_playbook_on_stats(None)
    events = [event for event in read_events(callback.log_path) if event["event"] == "host"]
    assert [(event["host"], event["action"]) for event in events] == [("bad", "failed"), ("good", "unchanged")]


def test_drift_table_of_the_summary_step_is_printed_at_the_end(make_callback: t.Callable[..., t.Any]) -> None:
    callback = make_callback()
    batch = FakeTask("netbox_zabbix.sync.zabbix_host_sync_batch")
    callback.v2_runner_on_ok(FakeResult("a", batch, {"results": {"a": {"action": "updated", "changed_fields": ["status"]}}}))
    summary = {"total": 1, "created": 0, "updated": 1, "unchanged": 0, "deleted": 0, "failed": 0, "skipped": 0, "failed_hosts": [],
               "message": "Sync complete: 1/1 hosts updated, 0 failed.",
               "report": {"html": "/r/drift_report.html", "markdown": "/r/drift_report.md", "json": "/r/drift_report.json"}}
    table = ["Drift report (changed): 1 of 1 hosts", "  change  hosts  values", f"  status       1  token {ZABBIX_TOKEN}"]
    callback.v2_runner_on_ok(FakeResult("a", FakeTask("netbox_zabbix.sync.zabbix_sync_summary"),
                                        {"ansible_facts": {"zabbix_sync_summary": summary}, "drift_table": table}))
    callback.v2_playbook_on_stats(None)
    lines = callback._display.lines
    start = lines.index("netbox_zabbix.sync.sync_log: Drift report (changed): 1 of 1 hosts")
    assert lines[start + 1] == "  change  hosts  values"
    assert ZABBIX_TOKEN not in "\n".join(lines)  # masked again on the way out
    assert lines[-3:] == ["  drift report (html): /r/drift_report.html", "  drift report (markdown): /r/drift_report.md",
                          "  drift report (json): /r/drift_report.json"]
