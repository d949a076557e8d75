# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""zabbix_sync_summary's drift report: files, counts for set_stats, the guard's refusal."""

from __future__ import annotations

import json
import os
import typing as t
import warnings
from pathlib import Path
from unittest.mock import MagicMock

import pytest
from ansible.plugins.loader import action_loader, init_plugin_loader

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    init_plugin_loader()

RESULTS = {
    "a": {"changed": True, "action": "updated", "hostid": "1", "changed_fields": ["status"],
          "drift": {"status": {"before": "enabled", "after": "disabled"}}},
    "b": {"changed": True, "action": "updated", "hostid": "2", "changed_fields": ["status"],
          "drift": {"status": {"before": "enabled", "after": "disabled"}}},
    "c": {"changed": True, "action": "created", "hostid": None, "changed_fields": ["host_groups"]},
    "d": {"changed": False, "action": "unchanged", "hostid": "4", "changed_fields": []},
}


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NETBOX_API", "NETBOX_TOKEN", "NETBOX_ZABBIX_SYNC_RUN_ID"):
        monkeypatch.delenv(name, raising=False)


def run_action(args: dict[str, t.Any], task_vars: dict[str, t.Any], check_mode: bool = False) -> dict[str, t.Any]:
    task = MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = False
    play_context = MagicMock()
    play_context.check_mode = check_mode
    action = action_loader.get(
        "netbox_zabbix.sync.zabbix_sync_summary",
        task=task, connection=MagicMock(), play_context=play_context, loader=MagicMock(), templar=MagicMock(),
        shared_loader_obj=None,
    )
    return action.run(task_vars=task_vars)


def run(batch: dict[str, t.Any], check_mode: bool = False, **args: t.Any) -> dict[str, t.Any]:
    return run_action({"results": batch, **args}, {"ansible_play_hosts_all": list(RESULTS)}, check_mode=check_mode)


def test_report_files_counts_and_table(tmp_path: Path) -> None:
    result = run({"changed": True, "results": RESULTS}, report_path=str(tmp_path / "out" / "report"))
    summary = result["ansible_facts"]["zabbix_sync_summary"]
    assert summary["drift"] == {"hosts": 4, "create": 1, "update": 2, "delete": 0, "unchanged": 1, "failed": 0, "skipped": 0,
                                "changing": 3, "orphans": 0, "fields": {"status": 2}}
    assert result["ansible_stats"]["data"]["zabbix_sync_summary"]["drift"]["fields"] == {"status": 2}
    assert summary["report"] == {kind: str(tmp_path / "out" / f"report.{ext}") for kind, ext in
                                 (("markdown", "md"), ("html", "html"), ("json", "json"))}
    report = json.loads(Path(summary["report"]["json"]).read_text())
    assert report["groups"][1]["values"] == [{"label": "enabled \u2192 disabled", "count": 2, "hosts": ["a", "b"]}]
    assert "drift_table" in result and result["drift_table"][0].startswith("Drift report (changed): 3 of 4 hosts")
    assert "groups" not in json.dumps(summary)  # the fact and set_stats stay small
    assert not [name for name in os.listdir(tmp_path / "out") if name.endswith(".tmp")]


def test_default_path_is_beside_the_event_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETBOX_ZABBIX_SYNC_LOG_PATH", str(tmp_path / "logs" / "sync.jsonl"))
    summary = run({"results": RESULTS})["ansible_facts"]["zabbix_sync_summary"]
    assert summary["report"]["html"] == str(tmp_path / "logs" / "drift_report.html")
    assert Path(summary["report"]["html"]).read_text().startswith("<!DOCTYPE html>")


def test_empty_path_writes_no_files() -> None:
    summary = run({"results": RESULTS}, report_path="")["ansible_facts"]["zabbix_sync_summary"]
    assert summary["report"] == {} and summary["drift"]["changing"] == 3


def test_unwritable_path_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = run({"results": RESULTS}, report_path=str(tmp_path / "file" / "report"))
    assert not result.get("failed") and "cannot write" in result["ansible_facts"]["zabbix_sync_summary"]["report"]["error"]


def test_refused_run_says_nothing_was_written_and_where_the_report_is(tmp_path: Path) -> None:
    guard = {"tripped": True, "would_change": 3, "limit": 1, "refused": True}
    batch = {"failed": True, "msg": "Refused: ...", "results": RESULTS, "guard": guard}
    summary = run(batch, report_path=str(tmp_path / "r"))["ansible_facts"]["zabbix_sync_summary"]
    assert summary["ok"] is False and summary["guard"] == guard
    assert summary["message"] == (
        "Sync refused, nothing written: 3/4 hosts would change, more than the 1 allowed (sync_hosts_max_changes). "
        f"See the drift report: {tmp_path / 'r.html'}"
    )
    assert json.loads((tmp_path / "r.json").read_text())["refused"]["limit"] == 1


def test_check_mode_tells_whether_the_guard_would_trip() -> None:
    guard = {"tripped": True, "would_change": 3, "limit": 1, "refused": False}
    summary = run({"results": RESULTS, "guard": guard}, check_mode=True, report_path="")["ansible_facts"]["zabbix_sync_summary"]
    assert summary["ok"] is True
    assert summary["message"].endswith("The guard would refuse a real run: 3 hosts would change, the limit is 1.")
