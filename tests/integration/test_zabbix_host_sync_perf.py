# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Speed budgets of zabbix_host_sync_batch, end to end through ansible-playbook.

1,000 creates with the ICMP Ping template <= 60 s, 1,000 unchanged <= 15 s (and, with
NZS_PERF_10K=1, 10,000 unchanged <= 90 s). Runs on Zabbix 7.0 by default
(NZS_PERF_VERSIONS="6.0 7.0" for both). The inventory is a JSON script so that the
numbers measure the sync, not the YAML inventory parser."""

from __future__ import annotations

import json
import os
import subprocess
import time
import typing as t
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PERF_VERSIONS = os.environ.get("NZS_PERF_VERSIONS", "7.0").split()
PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - name: sync
      netbox_zabbix.sync.zabbix_host_sync_batch:
      run_once: true
      register: sync
    - name: save
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ sync | dict2items | rejectattr('key', 'in', ['results', 'diff']) | items2dict | to_json }}"
      run_once: true
"""


def desired(i: int, prefix: str) -> dict[str, t.Any]:
    return {
        "host": f"{prefix}-{i:05d}",
        "name": f"{prefix.upper()} {i}",
        "description": "",
        "status": "enabled",
        "host_groups": ["NB Core"],
        "templates": ["ICMP Ping"],
        "interfaces": [{"type": "agent", "ip": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}"}],
        "tags": [{"tag": "site", "value": "dc1"}],
        "macros": [{"macro": "{$ROLE}", "value": "web"}],
        "inventory_mode": "manual",
        "inventory": {"location": "dc1"},
    }


def write_inventory(stack: t.Any, path: Path, count: int, prefix: str) -> Path:
    hostvars = {f"inv-{i:05d}": {"zabbix_host": desired(i, prefix), "zabbix_host_valid": True} for i in range(count)}
    data = {
        "all": {"hosts": list(hostvars), "vars": {"ansible_connection": "local", "ansible_python_interpreter": str(stack.VENV_BIN / "python")}},
        "_meta": {"hostvars": hostvars},
    }
    (path / "inventory.json").write_text(json.dumps(data))
    script = path / "inventory.sh"
    script.write_text(f"#!/bin/sh\ncat {path / 'inventory.json'}\n")
    script.chmod(0o755)
    return script


def sync(stack: t.Any, tmp_path: Path, inventory: Path, env: dict[str, str]) -> tuple[float, dict[str, t.Any]]:
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY)
    out = tmp_path / "out.json"
    extra = dict(env, ANSIBLE_INVENTORY_ENABLED="ansible.builtin.script")
    started = time.perf_counter()
    done = subprocess.run(
        [str(stack.VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), "-e", f"out={out}"],
        capture_output=True, text=True, env=stack.ansible_env(extra), cwd=stack.REPO, timeout=1800, check=False,
    )
    wall = time.perf_counter() - started
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return wall, json.loads(out.read_text())


@pytest.fixture(scope="module", params=PERF_VERSIONS)
def perf_zabbix(request: pytest.FixtureRequest, stack: t.Any) -> t.Iterator[t.Any]:
    env = stack.env_or_skip(f"zabbix-{request.param}.env", f"stack/zabbix.sh up {request.param}")
    stack.reset_zabbix(request.param)
    api = stack.ZabbixAPI(env)
    yield api
    # leave no thousands of hosts behind for whoever uses this Zabbix next
    for prefix in ("pf-", "tk-"):
        api.delete_hosts(prefix)


def report(stack: t.Any, label: str, zabbix: t.Any, wall: float, result: dict[str, t.Any]) -> None:
    line = (f"[{zabbix.version}] {label}: {wall:.1f} s end to end, action {result['seconds']['total']:.2f} s, "
            f"{result['api_calls']} API calls, counts {result['counts']}")
    print("\n" + line)
    results = stack.REPO / "tests" / "output"
    results.mkdir(exist_ok=True)
    with open(results / "zabbix_host_sync_perf.txt", "a") as fh:
        fh.write(line + "\n")


def test_1000_create_then_unchanged(perf_zabbix: t.Any, tmp_path: Path, stack: t.Any) -> None:
    env = {"ZABBIX_URL": perf_zabbix.env["ZABBIX_URL"], "ZABBIX_TOKEN": perf_zabbix.env["ZABBIX_TOKEN"]}
    inventory = write_inventory(stack, tmp_path, 1000, "pf")
    wall, created = sync(stack, tmp_path, inventory, env)
    report(stack, "1,000 creates with ICMP Ping", perf_zabbix, wall, created)
    assert created["counts"]["created"] == 1000, created
    assert wall <= 60

    wall, unchanged = sync(stack, tmp_path, inventory, env)
    report(stack, "1,000 unchanged", perf_zabbix, wall, unchanged)
    assert unchanged["counts"]["unchanged"] == 1000 and unchanged["api_calls"] == 2
    assert unchanged["hostvars_reads"]["templated"] == 0
    assert wall <= 15
    linked = perf_zabbix.call("host.get", {"output": ["hostid"], "templateids": ["10564"], "search": {"host": "pf-"}, "startSearch": True})
    assert len(linked) == 1000


@pytest.mark.skipif(os.environ.get("NZS_PERF_10K") != "1", reason="set NZS_PERF_10K=1 to run the 10,000-host budget (several minutes)")
def test_10000_unchanged(perf_zabbix: t.Any, tmp_path: Path, stack: t.Any) -> None:
    env = {"ZABBIX_URL": perf_zabbix.env["ZABBIX_URL"], "ZABBIX_TOKEN": perf_zabbix.env["ZABBIX_TOKEN"]}
    inventory = write_inventory(stack, tmp_path, 10000, "tk")
    wall, created = sync(stack, tmp_path, inventory, env)
    report(stack, "10,000 creates with ICMP Ping", perf_zabbix, wall, created)
    assert created["counts"]["created"] == 10000
    wall, unchanged = sync(stack, tmp_path, inventory, env)
    report(stack, "10,000 unchanged", perf_zabbix, wall, unchanged)
    assert unchanged["counts"]["unchanged"] == 10000
    assert wall <= 90
