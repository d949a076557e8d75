# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""No silent success: `ansible-playbook -i x.netbox_hostconfig.yml playbooks/sync_hosts.yml` with
default Ansible settings when the HostConfigs cannot be read.

NetBox unreachable, a refused token, a server that is not NetBox (the plugin missing), a bad
inventory option, a typo in the plugin line: each run ends non-zero with one message naming the
source and the reason, and the summary (set_stats), the sync_log JSON event log and, when NetBox
answers, its EventLog record the failed run. A NetBox (subset) without HostConfigs is a complete
run of 0 hosts with rc 0. Batch and per-host mode. Real NetBox and Zabbix 7.0.
"""

from __future__ import annotations

import json
import re
import subprocess
import typing as t
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

FAILED = "Sync failed: the HostConfigs could not be read: "


@pytest.fixture(scope="module")
def env(stack: t.Any, netbox_env: dict[str, str]) -> dict[str, str]:
    zabbix = stack.env_or_skip("zabbix-7.0.env", "stack/zabbix.sh up 7.0")
    return {"NETBOX_API": netbox_env["NETBOX_API"], "NETBOX_TOKEN": netbox_env["NETBOX_TOKEN"],
            "ZABBIX_URL": zabbix["ZABBIX_URL"], "ZABBIX_TOKEN": zabbix["ZABBIX_TOKEN"]}


class Run(t.NamedTuple):
    returncode: int
    output: str
    events: list[dict[str, t.Any]]
    summary: dict[str, t.Any] | None


def sync(stack: t.Any, tmp_path: Path, env: dict[str, str], inventory: dict[str, t.Any] | str,
         *args: str, name: str = "nb") -> Run:
    """The sync playbook with default ansible-core settings (no ANSIBLE_INVENTORY_* overrides)."""
    path = tmp_path / f"{name}.netbox_hostconfig.yml"
    path.write_text(inventory if isinstance(inventory, str) else json.dumps(inventory))
    log = tmp_path / "sync_log.jsonl"
    # no ansible.cfg: ansible-core's defaults (inventory plugins through `auto`), plus the callback
    (tmp_path / "empty.cfg").write_text("")
    extra = {"NETBOX_ZABBIX_SYNC_LOG_PATH": str(log), "ANSIBLE_CONFIG": str(tmp_path / "empty.cfg"),
             "ANSIBLE_CALLBACKS_ENABLED": "netbox_zabbix.sync.sync_log", **env}
    done = subprocess.run(
        [str(stack.VENV_BIN / "ansible-playbook"), "-i", str(path), "playbooks/sync_hosts.yml", *args],
        capture_output=True, text=True, cwd=stack.REPO, timeout=600, check=False,
        env=stack.ansible_env({**extra, "ANSIBLE_SHOW_CUSTOM_STATS": "1"}))
    events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    # the default callback prints the set_stats data (what AWX stores as artifacts) as "\tRUN: {json}"
    stats = [line.split("RUN: ", 1)[1] for line in done.stdout.splitlines() if line.startswith("\tRUN: ")]
    summary = json.loads(stats[-1])["zabbix_sync_summary"] if stats else None
    return Run(done.returncode, done.stdout + done.stderr, events, summary)


def assert_failed_run(run: Run, source: str, why: str, secrets: t.Iterable[str]) -> None:
    assert run.returncode != 0, run.output[-3000:]
    assert run.summary is not None, run.output[-3000:]
    assert run.summary["message"].startswith(FAILED + source), run.summary
    assert re.search(why, run.summary["message"]), run.summary["message"]
    assert run.summary["ok"] is False and run.summary["total"] == 0
    assert run.summary["errors"][0] == run.summary["message"][len("Sync failed: "):]
    final = run.events[-1]
    assert final["event"] == "run_summary" and final["message"] == run.summary["message"], run.events
    assert "Traceback" not in run.output
    for secret in secrets:
        assert secret not in run.output
    assert not any(event["event"] == "host" for event in run.events)


def test_netbox_unreachable(stack, tmp_path, env):
    run = sync(stack, tmp_path, {**env, "NETBOX_API": "http://127.0.0.1:1"},
               {"plugin": "netbox_zabbix.sync.hostconfig", "timeout": 5})
    assert_failed_run(run, str(tmp_path / "nb.netbox_hostconfig.yml"), r"cannot reach NetBox at http://127\.0\.0\.1:1",
                      [env["NETBOX_TOKEN"]])


@pytest.mark.parametrize("token", ["nbt_AAAAAAAAAAAA.0000000000000000000000000000000000000000", "0" * 40], ids=["v2", "v1"])
def test_token_refused(stack, tmp_path, env, token):
    run = sync(stack, tmp_path, {**env, "NETBOX_TOKEN": token}, {"plugin": "netbox_zabbix.sync.hostconfig"})
    assert_failed_run(run, str(tmp_path / "nb.netbox_hostconfig.yml"), r"refused the token \(HTTP 40[13]\)", [token])


def test_not_a_netbox_with_the_plugin(stack, tmp_path, env):
    # the Zabbix frontend answers HTTP but has no /api/plugins/netbox_zabbix/
    run = sync(stack, tmp_path, {**env, "NETBOX_API": env["ZABBIX_URL"]}, {"plugin": "netbox_zabbix.sync.hostconfig"})
    assert_failed_run(run, str(tmp_path / "nb.netbox_hostconfig.yml"), r"does not look like a NetBox API|not JSON|404",
                      [env["NETBOX_TOKEN"]])


def test_bad_inventory_option_is_recorded_in_the_netbox_event_log(stack, tmp_path, env):
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {env['NETBOX_TOKEN']}"
    url = f"{env['NETBOX_API'].rstrip('/')}/api/plugins/netbox_zabbix/event-log/"
    before = session.get(url, params={"limit": 1, "ordering": "id"}, timeout=60).json()["count"]
    run = sync(stack, tmp_path, env, {"plugin": "netbox_zabbix.sync.hostconfig", "filters": {"colour": ["red"]}},
               "-e", "sync_hosts_event_log=true")
    assert_failed_run(run, str(tmp_path / "nb.netbox_hostconfig.yml"), r"filters: unknown key\(s\) colour", [])
    rows = session.get(url, params={"limit": 1000, "ordering": "id", "offset": before}, timeout=60).json()["results"]
    assert [row["message"] for row in rows] == [run.summary["message"]]
    assert rows[0]["data"]["ok"] is False and rows[0]["data"]["errors"] == run.summary["errors"]


def test_typo_in_the_plugin_line(stack, tmp_path, env):
    # ansible-core's `auto` plugin cannot load the misspelt plugin: nothing of ours ran at all
    run = sync(stack, tmp_path, env, "plugin: netbox_zabbix.sync.hostconfg\n")
    assert run.returncode != 0
    assert run.summary is not None and run.summary["message"].startswith(
        FAILED + "no netbox_zabbix.sync.hostconfig inventory source was read"), run.output[-3000:]
    assert str(tmp_path / "nb.netbox_hostconfig.yml") in run.summary["message"]


def test_typo_in_the_plugin_line_with_the_plugin_enabled(stack, tmp_path, env):
    # the project's ansible.cfg enables the plugin by name: it reads the file and names the typo
    run = sync(stack, tmp_path, {**env, "ANSIBLE_INVENTORY_ENABLED": "netbox_zabbix.sync.hostconfig"},
               "plugin: netbox_zabbix.sync.hostconfg\n")
    assert_failed_run(run, str(tmp_path / "nb.netbox_hostconfig.yml"),
                      "Incorrect plugin name in file: netbox_zabbix.sync.hostconfg", [])


def test_a_missing_inventory_file(stack, tmp_path, env):
    done = subprocess.run(
        [str(stack.VENV_BIN / "ansible-playbook"), "-i", str(tmp_path / "gone.netbox_hostconfig.yml"),
         "playbooks/sync_hosts.yml"], capture_output=True, text=True, cwd=stack.REPO, timeout=600, check=False,
        env=stack.ansible_env(env))
    assert done.returncode != 0
    assert FAILED + "no netbox_zabbix.sync.hostconfig inventory source was read" in done.stdout, done.stdout[-3000:]


@pytest.mark.parametrize("batch,pattern", [(True, "all"), (False, "all"), (True, "itnone_*")], ids=["batch", "per_host", "pattern"])
def test_no_hostconfigs_is_a_complete_run(stack, tmp_path, env, batch, pattern):
    """The default pattern counts groups.all; another pattern asks the inventory_hostnames lookup."""
    run = sync(stack, tmp_path, env, {"plugin": "netbox_zabbix.sync.hostconfig", "filters": {"names": ["itnone-*"]}},
               "-e", f"sync_hosts_batch={batch}", "-e", f"sync_hosts_pattern={pattern}")
    assert run.returncode == 0, run.output[-3000:]
    assert run.summary is not None and run.summary["message"] == "Sync complete: 0/0 hosts updated, 0 failed."
    assert run.summary["ok"] is True
    assert run.events[-1]["event"] == "run_summary" and run.events[-1]["message"] == run.summary["message"]


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "per_host"])
def test_failed_source_fails_per_host_and_batch_mode(stack, tmp_path, env, batch):
    run = sync(stack, tmp_path, {**env, "NETBOX_API": "http://127.0.0.1:1"}, {"plugin": "netbox_zabbix.sync.hostconfig"},
               "-e", f"sync_hosts_batch={batch}")
    assert_failed_run(run, str(tmp_path / "nb.netbox_hostconfig.yml"), "cannot reach NetBox", [env["NETBOX_TOKEN"]])
