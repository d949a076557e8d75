# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import time
import typing as t
import warnings
from unittest.mock import MagicMock

import pytest
from ansible.plugins.loader import action_loader, init_plugin_loader

# The collection finder makes ansible_collections.* importable (collections_path in ansible.cfg);
# a second test module calling it again only gets a harmless "already configured" warning.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    init_plugin_loader()

from ansible_collections.netbox_zabbix.sync.plugins.action import zabbix_sync_summary as summary_action  # noqa: E402

TOKEN = "nbt_abcdef123456.0123456789abcdefghij0123456789abcdefghij"

BATCH = {
    "changed": True,
    "results": {
        "web-01": {"changed": True, "action": "created", "hostid": "10700", "changed_fields": ["host"]},
        "web-02": {"changed": True, "action": "updated", "hostid": "10701", "changed_fields": ["templates"]},
        "web-03": {"changed": False, "action": "unchanged", "hostid": "10702"},
        "db-01": {"changed": False, "failed": True, "action": "failed", "msg": f"db-01: proxy 'p9' not found {TOKEN}"},
    },
    "counts": {"total": 4, "created": 1, "updated": 1, "unchanged": 1, "deleted": 0, "failed": 1},
}


class FakeNetBox:
    def __init__(self, event_log_enabled: bool = True, fail: bool = False) -> None:
        self.setting = {"id": 1, "event_log_enabled": event_log_enabled}
        self.events: list[tuple[str, str, t.Any]] = []
        self.fail = fail

    def plugin_list(self, endpoint: str, params: t.Any = None) -> list[dict[str, t.Any]]:
        assert endpoint == "setting"
        return [self.setting]

    def post_event_log(self, name: str, message: str = "", data: t.Any = None) -> dict[str, t.Any]:
        if self.fail:
            raise summary_action.NetBoxError("writing the NetBox event log: HTTP 403: no permission")
        self.events.append((name, message, data))
        return {"id": len(self.events)}


def run_action(args: dict[str, t.Any], task_vars: dict[str, t.Any] | None = None, check_mode: bool = False) -> dict[str, t.Any]:
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
    return action.run(task_vars=task_vars or {"ansible_play_hosts_all": list(BATCH["results"])})


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NETBOX_API", "NETBOX_TOKEN", "NETBOX_ZABBIX_SYNC_RUN_ID"):
        monkeypatch.delenv(name, raising=False)


def test_batch_summary_counts_and_message() -> None:
    result = run_action({"results": BATCH, "started": time.time() - 2})
    summary = result["ansible_facts"]["zabbix_sync_summary"]
    assert (summary["total"], summary["created"], summary["updated"], summary["unchanged"], summary["failed"]) == (4, 1, 1, 1, 1)
    assert summary["skipped"] == 0 and summary["changed"] == 2
    assert summary["message"] == "Sync complete: 2/4 hosts updated, 1 failed."
    assert summary["failed_hosts"] == [{"host": "db-01", "error": "db-01: proxy 'p9' not found nbt_********"}]
    assert 1.5 < summary["duration"] < 10
    assert summary["check_mode"] is False and summary["ok"] is False
    assert result["ansible_stats"] == {"data": {"zabbix_sync_summary": summary}, "per_host": False, "aggregate": True}
    assert result["changed"] is False and "failed" not in result
    assert summary["event_log"]["posted"] == 0  # no NetBox configured


def test_check_mode_message_and_no_event_log(monkeypatch: pytest.MonkeyPatch) -> None:
    netbox = FakeNetBox()
    monkeypatch.setattr(summary_action, "netbox_client", lambda params: netbox)
    result = run_action({"results": BATCH, "event_log": True, "netbox_url": "http://nb", "netbox_token": TOKEN}, check_mode=True)
    summary = result["summary"]
    assert summary["check_mode"] is True
    assert summary["message"] == "Sync complete (check mode, nothing written): 2/4 hosts would be updated, 1 failed."
    assert netbox.events == []


def test_a_host_missing_from_the_batch_is_skipped() -> None:
    hosts = [*BATCH["results"], "new-host"]
    summary = run_action({"results": BATCH, "hosts": hosts})["summary"]
    assert summary["total"] == 5 and summary["skipped"] == 1


def test_a_batch_that_failed_as_a_whole_fails_every_host() -> None:
    batch = {"failed": True, "msg": "host.get: cannot reach http://zabbix/api_jsonrpc.php"}
    summary = run_action({"results": batch, "hosts": ["a", "b", "c"]})["summary"]
    assert summary["failed"] == 3 and summary["total"] == 3
    assert summary["failed_hosts"][0]["error"].startswith("host.get: cannot reach")


def test_per_host_mode_reads_registered_results() -> None:
    hostvars = {
        "a": {"sync_result": {"changed": True, "action": "updated", "changed_fields": ["tags"]}},
        "b": {"sync_result": {"failed": True, "msg": "b: templates[0]: template 'X' not found"}},
        "c": {"sync_result": {"skipped": True, "changed": False}},
    }
    task_vars = {"ansible_play_hosts_all": ["a", "b", "c"], "hostvars": hostvars}
    summary = run_action({"result_var": ["invalid_result", "sync_result"]}, task_vars)["summary"]
    assert (summary["updated"], summary["failed"], summary["skipped"], summary["total"]) == (1, 1, 1, 3)
    assert summary["message"] == "Sync complete: 1/3 hosts updated, 1 failed."


def test_writeback_failure_fails_the_host() -> None:
    writeback = {"patched": [{"host": "web-02", "id": 2, "fields": {"hostid": 10701}}],
                 "failures": [{"host": "web-01", "error": "updating HostConfig #1: HTTP 400: hostid: already exists"}]}
    summary = run_action({"results": BATCH, "writeback": writeback})["summary"]
    assert summary["failed"] == 2 and summary["created"] == 0
    error = next(item["error"] for item in summary["failed_hosts"] if item["host"] == "web-01")
    assert error.startswith("web-01: created in Zabbix (hostid 10700) but writing back to NetBox failed")
    assert summary["writeback"] == {"patched": 1, "would_patch": 0, "failed": 1}


def test_orphans_reported_and_refusal_is_an_error() -> None:
    orphans = {"failed": True, "refused": True, "policy": "delete", "msg": "12 orphans exceed max_deletions 10: nothing deleted",
               "orphans": [{"hostid": "1", "host": "gone-01"}]}
    summary = run_action({"results": {"results": {"a": {"action": "unchanged"}}}, "hosts": ["a"], "orphans": orphans})["summary"]
    assert summary["orphans"] == [{"hostid": "1", "host": "gone-01"}]
    assert summary["errors"] == ["orphans: 12 orphans exceed max_deletions 10: nothing deleted"]
    assert summary["ok"] is False and summary["failed"] == 0
    skipped = run_action({"results": {"results": {"a": {"action": "unchanged"}}}, "hosts": ["a"],
                          "orphans": {"skipped": True, "skip_reason": "the run covers a subset (--limit)"}})["summary"]
    assert skipped["orphans_step"] == {"status": "skipped", "reason": "the run covers a subset (--limit)"}
    assert skipped["ok"] is True


def test_event_log_follows_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    netbox = FakeNetBox(event_log_enabled=True)
    monkeypatch.setattr(summary_action, "netbox_client", lambda params: netbox)
    monkeypatch.setenv("NETBOX_API", "http://netbox.example")
    monkeypatch.setenv("NETBOX_TOKEN", TOKEN)
    summary = run_action({"results": BATCH})["summary"]
    assert summary["event_log"] == {"enabled": True, "posted": 2}
    (name, message, data), (host_name, host_message, host_data) = netbox.events
    assert name == "SyncHostsNow" and message == "Sync complete: 2/4 hosts updated, 1 failed."
    assert data["failed"] == 1 and "event_log" not in data
    assert host_name == "SyncHostsNow: db-01" and host_data["host"] == "db-01"
    assert TOKEN not in repr(netbox.events) and "0123456789abcdefghij" not in repr(netbox.events)

    netbox_off = FakeNetBox(event_log_enabled=False)
    monkeypatch.setattr(summary_action, "netbox_client", lambda params: netbox_off)
    summary = run_action({"results": BATCH})["summary"]
    assert netbox_off.events == [] and summary["event_log"]["enabled"] is False


def test_event_log_failure_is_only_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary_action, "netbox_client", lambda params: FakeNetBox(fail=True))
    result = run_action({"results": BATCH, "event_log": True, "netbox_url": "http://nb", "netbox_token": TOKEN})
    assert "failed" not in result
    assert "HTTP 403" in result["summary"]["event_log"]["error"]


def test_stats_can_be_turned_off() -> None:
    assert "ansible_stats" not in run_action({"results": BATCH, "export_stats": False})


def test_a_source_error_fails_the_run_with_its_reason() -> None:
    error = f"/inv/x.netbox_hostconfig.yml: NetBox at http://nb refused the token (HTTP 403) {TOKEN}"
    result = run_action({"hosts": [], "results": {}, "source_error": error}, {"ansible_play_hosts_all": ["localhost"]})
    summary = result["ansible_facts"]["zabbix_sync_summary"]
    assert summary["ok"] is False and summary["total"] == 0
    assert summary["message"].startswith("Sync failed: the HostConfigs could not be read: /inv/x.netbox_hostconfig.yml: ")
    assert "refused the token (HTTP 403)" in summary["message"] and TOKEN not in summary["message"]
    assert summary["errors"] == [summary["message"][len("Sync failed: "):]]
    assert result["ansible_stats"]["data"]["zabbix_sync_summary"] is summary


def test_no_hosts_at_all_is_a_complete_run() -> None:
    result = run_action({"hosts": [], "results": {}}, {"ansible_play_hosts_all": ["localhost"]})
    summary = result["ansible_facts"]["zabbix_sync_summary"]
    assert summary["message"] == "Sync complete: 0/0 hosts updated, 0 failed."
    assert summary["ok"] is True and summary["total"] == 0 and summary["errors"] == []
