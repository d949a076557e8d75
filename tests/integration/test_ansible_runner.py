# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sync playbook run the way AWX runs it: through ansible-runner, with its awx_display
stdout callback, the credential as environment variables, and the sync_log callback beside it.

Checks the ``set_stats`` artifacts (what AWX stores as the job's artifacts and hands to the
next workflow node), the JSON-lines event log file and that the callback's table reaches the
job output. Real NetBox and Zabbix 7.0 (or 6.0); skips without the stack.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing as t
from pathlib import Path

import ansible_runner
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "stack"))
from envfile import read_env_file  # noqa: E402  pylint: disable=wrong-import-position
STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
NETBOX_ENV = STACK_DIR / "netbox.env"
VENV_BIN = REPO / ".venv" / "bin"
PREFIX = "itrunner"
COUNT = 8
BROKEN = 1
VERSION = next((v for v in ("7.0", "6.0") if (STACK_DIR / f"zabbix-{v}.env").exists()), None)


pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not NETBOX_ENV.exists(), reason=f"no NetBox stack: {NETBOX_ENV} missing (stack/netbox.sh up)"),
    pytest.mark.skipif(VERSION is None, reason="no Zabbix stack (stack/zabbix.sh up)"),
]


def run(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, env=env or os.environ.copy(), cwd=REPO, timeout=900,
                            check=False)
    assert result.returncode == 0, f"{cmd}: {result.stdout[-2000:]} {result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[dict[str, str]]:
    assert VERSION is not None
    zabbix_env = read_env_file(STACK_DIR / f"zabbix-{VERSION}.env")
    run([str(REPO / "stack" / "zabbix.sh"), "reset", VERSION], {**os.environ, **zabbix_env})
    fixture_env = {key: value for key, value in os.environ.items() if key not in ("ZABBIX_USER", "ZABBIX_PASSWORD")}
    fixtures = run([str(VENV_BIN / "python"), "stack/zabbix_fixtures.py", "--env-file",
                    str(STACK_DIR / f"zabbix-{VERSION}.env")], fixture_env)
    path = tmp_path_factory.mktemp("runner-fixtures") / "fixtures.json"
    path.write_text(fixtures.stdout)
    run([str(REPO / "stack" / "netbox.sh"), "seed", "--reset", "--prefix", PREFIX, "--count", str(COUNT),
         "--broken", str(BROKEN), "--zabbix-fixtures", str(path)])
    yield {**read_env_file(NETBOX_ENV), **zabbix_env}
    subprocess.run([str(REPO / "stack" / "netbox.sh"), "seed", "--reset", "--prefix", PREFIX, "--count", "0"],
                   capture_output=True, text=True, timeout=600, check=False)


def test_runner_artifacts_and_event_log(seeded: dict[str, str], tmp_path: Path) -> None:
    private = tmp_path / "runner"
    (private / "project").mkdir(parents=True)
    (private / "inventory").mkdir()
    inventory = private / "inventory" / "netbox.netbox_hostconfig.yml"
    inventory.write_text(json.dumps({"plugin": "netbox_zabbix.sync.hostconfig", "validate_certs": False}))
    log_path = tmp_path / "sync_log.jsonl"
    envvars = {
        # what the AWX credential type injects
        "NETBOX_API": seeded["NETBOX_API"],
        "NETBOX_TOKEN": seeded["NETBOX_TOKEN"],
        "ZABBIX_URL": seeded["ZABBIX_URL"],
        "ZABBIX_TOKEN": seeded["ZABBIX_TOKEN"],
        # what the project's ansible.cfg sets
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".cache" / "collections"),
        "ANSIBLE_CALLBACKS_ENABLED": "netbox_zabbix.sync.sync_log",
        "ANSIBLE_INVENTORY_ENABLED": "netbox_zabbix.sync.hostconfig",
        "NETBOX_ZABBIX_SYNC_LOG_PATH": str(log_path),
        "JOB_ID": "4242",  # AWX sets it; the event log carries it
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
    }
    runner = ansible_runner.run(
        private_data_dir=str(private),
        playbook=str(REPO / "playbooks" / "sync_hosts.yml"),
        inventory=str(inventory),
        envvars=envvars,
        # progress lines as often as possible: this short run must show them in the job output
        extravars={"sync_hosts_fail_on_error": True, "sync_hosts_progress_seconds": 0.001,
                   "sync_hosts_report_path": str(tmp_path / "drift_report")},
        quiet=True,
        timeout=900,
    )
    stdout = runner.stdout.read()
    # a broken HostConfig fails its host: the job fails, like an AWX job would
    assert runner.status == "failed" and runner.rc == 2, stdout[-4000:]

    stats = [event for event in runner.events if event.get("event") == "playbook_on_stats"]
    assert stats, "no playbook_on_stats event"
    artifacts = stats[-1]["event_data"].get("artifact_data") or {}
    summary = artifacts.get("zabbix_sync_summary")
    assert summary, stats[-1]["event_data"]
    assert (summary["total"], summary["created"], summary["failed"]) == (COUNT + BROKEN, COUNT, BROKEN), summary
    assert summary["message"] == f"Sync complete: {COUNT}/{COUNT + BROKEN} hosts updated, {BROKEN} failed."
    assert [item["host"] for item in summary["failed_hosts"]][0].count("broken") == 1

    # the notification callback works beside AWX's stdout callback
    assert "netbox_zabbix.sync.sync_log: Sync complete" in stdout
    # the drift report's table and counts, and progress from inside the batch task, reach the job
    assert f"netbox_zabbix.sync.sync_log: Drift report (changed): {COUNT} of {COUNT + BROKEN} hosts" in stdout, stdout[-4000:]
    assert f"drift report (html): {tmp_path / 'drift_report.html'}" in stdout
    assert f"netbox_zabbix.sync: planning: {COUNT}/{COUNT} hosts planned" in stdout, stdout[-4000:]  # the broken one never reaches the plan
    assert (summary["drift"]["create"], summary["drift"]["failed"]) == (COUNT, BROKEN)

    events = [json.loads(line) for line in log_path.read_text().splitlines()]
    hosts = [event for event in events if event["event"] == "host"]
    assert len(hosts) == COUNT + BROKEN
    assert events[-1]["event"] == "run_summary" and events[-1]["failed"] == BROKEN
    assert all(event["awx_job_id"] == "4242" for event in events)
    assert summary["run_id"] == events[-1]["run_id"]  # the artifacts and the log file tell the same run
    text = log_path.read_text()
    assert seeded["ZABBIX_TOKEN"] not in text and seeded["NETBOX_TOKEN"] not in text

    # a second job: nothing to change, the job succeeds when told to ignore failed hosts
    second = ansible_runner.run(
        private_data_dir=str(private), playbook=str(REPO / "playbooks" / "sync_hosts.yml"), inventory=str(inventory),
        envvars=envvars, extravars={"sync_hosts_fail_on_error": False}, quiet=True, timeout=900,
    )
    assert second.status == "successful", second.stdout.read()[-4000:]
    summary = [e for e in second.events if e.get("event") == "playbook_on_stats"][-1]["event_data"]["artifact_data"][
        "zabbix_sync_summary"]
    assert (summary["changed"], summary["unchanged"]) == (0, COUNT)


def test_runner_job_fails_when_the_hostconfigs_cannot_be_read(seeded: dict[str, str], tmp_path: Path) -> None:
    """AWX's shape with a NetBox that does not answer: the job fails, its artifacts and event log say why."""
    private = tmp_path / "runner"
    (private / "project").mkdir(parents=True)
    (private / "inventory").mkdir()
    inventory = private / "inventory" / "netbox.netbox_hostconfig.yml"
    inventory.write_text(json.dumps({"plugin": "netbox_zabbix.sync.hostconfig", "validate_certs": False, "timeout": 5}))
    log_path = tmp_path / "sync_log.jsonl"
    envvars = {
        "NETBOX_API": "http://127.0.0.1:1",
        "NETBOX_TOKEN": seeded["NETBOX_TOKEN"],
        "ZABBIX_URL": seeded["ZABBIX_URL"],
        "ZABBIX_TOKEN": seeded["ZABBIX_TOKEN"],
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".cache" / "collections"),
        "ANSIBLE_CALLBACKS_ENABLED": "netbox_zabbix.sync.sync_log",
        "NETBOX_ZABBIX_SYNC_LOG_PATH": str(log_path),
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
    }
    runner = ansible_runner.run(private_data_dir=str(private), playbook=str(REPO / "playbooks" / "sync_hosts.yml"),
                                inventory=str(inventory), envvars=envvars, quiet=True, timeout=900)
    stdout = runner.stdout.read()
    assert runner.status == "failed" and runner.rc != 0, stdout[-4000:]
    stats = [event for event in runner.events if event.get("event") == "playbook_on_stats"]
    summary = (stats[-1]["event_data"].get("artifact_data") or {}).get("zabbix_sync_summary")
    assert summary and summary["ok"] is False and summary["total"] == 0, stats[-1]["event_data"]
    assert summary["message"].startswith(f"Sync failed: the HostConfigs could not be read: {inventory}: ")
    assert "cannot reach NetBox at http://127.0.0.1:1" in summary["message"]
    events = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert events[-1]["event"] == "run_summary" and events[-1]["message"] == summary["message"]
    assert seeded["NETBOX_TOKEN"] not in stdout + log_path.read_text()
