# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""1,000 hosts through one zabbix_host_sync_batch task, end to end through ansible-playbook:
every host created with its template, and the no-op run costs two API calls whatever the
number of hosts. How fast that is, is measured by `make bench` (bench/), not asserted here.
Runs on Zabbix 7.0 by default (NZS_SCALE_VERSIONS="6.0 7.0" for both). The inventory is a
JSON script so that the run exercises the sync, not the YAML inventory parser."""

from __future__ import annotations

import json
import os
import subprocess
import typing as t
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

SCALE_VERSIONS = os.environ.get("NZS_SCALE_VERSIONS", "7.0").split()
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


def sync(stack: t.Any, tmp_path: Path, inventory: Path, env: dict[str, str]) -> dict[str, t.Any]:
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY)
    out = tmp_path / "out.json"
    extra = dict(env, ANSIBLE_INVENTORY_ENABLED="ansible.builtin.script")
    done = subprocess.run(
        [str(stack.VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), "-e", f"out={out}"],
        capture_output=True, text=True, env=stack.ansible_env(extra), cwd=stack.REPO, timeout=1800, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="module", params=SCALE_VERSIONS)
def scale_zabbix(request: pytest.FixtureRequest, stack: t.Any) -> t.Iterator[t.Any]:
    env = stack.env_or_skip(f"zabbix-{request.param}.env", f"stack/zabbix.sh up {request.param}")
    stack.reset_zabbix(request.param)
    api = stack.ZabbixAPI(env)
    yield api
    # leave no thousands of hosts behind for whoever uses this Zabbix next
    for prefix in ("pf-",):
        api.delete_hosts(prefix)


def test_1000_create_then_unchanged(scale_zabbix: t.Any, tmp_path: Path, stack: t.Any) -> None:
    env = {"ZABBIX_URL": scale_zabbix.env["ZABBIX_URL"], "ZABBIX_TOKEN": scale_zabbix.env["ZABBIX_TOKEN"]}
    inventory = write_inventory(stack, tmp_path, 1000, "pf")
    created = sync(stack, tmp_path, inventory, env)
    assert created["counts"]["created"] == 1000, created
    linked = scale_zabbix.call("host.get", {"output": ["hostid"], "templateids": ["10564"], "search": {"host": "pf-"}, "startSearch": True})
    assert len(linked) == 1000

    unchanged = sync(stack, tmp_path, inventory, env)
    assert unchanged["counts"]["unchanged"] == 1000 and unchanged["api_calls"] == 2  # version + one host.get
    assert unchanged["hostvars_reads"]["templated"] == 0  # the fast hostvars path, no templating per host
