# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A user's own playbook, not the role: one zabbix_host_sync task per host, ``zabbix_host``
as its arguments, over 50 hosts (plus one broken one), against the real Zabbix 6.0 and 7.0.

Asserts what Zabbix holds afterwards, that each host is its own task result (the broken
host fails alone, the others go on), that check mode writes nothing and that each changed
host carries its own diff. How fast this is, is measured by `make bench` (bench/)."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "tools"))
from fault_proxy import FaultProxy  # noqa: E402  (a test tool, not a package)

pytestmark = pytest.mark.integration

COUNT = 50
PREFIX = "ph"
BROKEN = f"{PREFIX}-broken"

# What the docs tell a user to write (the module's examples); MODULE_CALL is one of MODULE_CALLS.
PLAYBOOK = """
- name: Sync hosts to Zabbix, one task per host
  hosts: all
  gather_facts: false
  tasks:
    - name: Zabbix host matches its desired state
      MODULE_CALL
      register: sync

- name: Save every host's result
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Save
      check_mode: false
      diff: false
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ dict(groups['all'] | zip(groups['all'] | map('extract', hostvars, 'sync'))) | to_json }}"
"""


def desired(i: int) -> dict[str, t.Any]:
    return {
        "host": f"{PREFIX}-{i:03d}",
        "name": f"Per-host {i}",
        "description": "",
        "status": "enabled" if i % 10 else "disabled",
        "host_groups": ["NB Core"] if i % 2 else ["NB Core", "NB Edge"],
        "templates": ["ICMP Ping"],
        "interfaces": [{"type": "agent", "ip": f"192.0.2.{i + 1}"}],
        "tags": [{"tag": "site", "value": "dc1"}, {"tag": "n", "value": str(i)}],
        "macros": [{"macro": "{$ROLE}", "value": "web"}],
        "inventory_mode": "manual",
        "inventory": {"location": f"rack {i}"},
    }


# The two forms the module documents: the desired state as the arguments, or read by host_var
MODULE_CALLS = {
    "arguments": 'netbox_zabbix.sync.zabbix_host_sync: "{{ zabbix_host }}"',
    "host_var": "netbox_zabbix.sync.zabbix_host_sync:\n        host_var: zabbix_host",
}
INVALID = f"{PREFIX}-invalid"


def write_inventory(path: Path, python: str, form: str = "arguments") -> Path:
    hosts: dict[str, t.Any] = {f"inv-{i:03d}": {"zabbix_host": desired(i)} for i in range(COUNT)}
    hosts["inv-broken"] = {"zabbix_host": dict(desired(200), host=BROKEN, templates=["No such template"])}
    if form == "host_var":  # a HostConfig the inventory marked invalid: host_var fails it with the inventory's reasons
        hosts["inv-invalid"] = {"zabbix_host": dict(desired(201), host=INVALID), "zabbix_host_valid": False,
                                "zabbix_host_errors": ["interfaces[0].ip: the agent interface has no IP address"]}
    return inventory_file(path, python, hosts)


def inventory_file(path: Path, python: str, hosts: dict[str, t.Any], name: str = "inventory") -> Path:
    """A YAML inventory of these hosts, run on the controller with ``python``."""
    target = path / f"{name}.yml"
    target.write_text(yaml.safe_dump({"all": {"hosts": hosts, "vars": {
        "ansible_connection": "local", "ansible_python_interpreter": python}}}))
    return target


def run_playbook(stack: t.Any, tmp_path: Path, env: dict[str, str], inventory: Path, module_call: str,
                 args: t.Sequence[str], name: str = "play") -> tuple[subprocess.CompletedProcess, dict[str, t.Any]]:
    """PLAYBOOK with ``module_call`` over ``inventory``: the run and every host's registered result."""
    playbook, out = tmp_path / f"{name}.yml", tmp_path / f"{name}-results.json"
    playbook.write_text(PLAYBOOK.replace("MODULE_CALL", module_call))
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [str(stack.VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), "-e", f"out={out}", *args],
        capture_output=True, text=True, env=stack.ansible_env(env), cwd=stack.REPO, timeout=900, check=False,
    )
    results = json.loads(out.read_text()) if out.exists() else {}
    assert results, done.stdout[-3000:] + done.stderr[-3000:]
    return done, results


def play(stack: t.Any, tmp_path: Path, env: dict[str, str], *args: str, form: str = "arguments"
         ) -> tuple[subprocess.CompletedProcess, dict[str, t.Any]]:
    inventory = write_inventory(tmp_path, str(stack.VENV_BIN / "python"), form)
    return run_playbook(stack, tmp_path, env, inventory, MODULE_CALLS[form], args)


def managed(zabbix: t.Any) -> dict[str, dict[str, t.Any]]:
    hosts = zabbix.call("host.get", {
        "output": ["hostid", "host", "name", "status", "description", "inventory_mode"], "search": {"host": f"{PREFIX}-"},
        "startSearch": True, "selectParentTemplates": ["host"], "selectInterfaces": ["type", "ip", "port"],
        "selectTags": ["tag", "value"], "selectMacros": ["macro", "value"], "selectInventory": ["location"],
        "selectGroups" if not zabbix.is7 else "selectHostGroups": ["name"],
    })
    return {h["host"]: h for h in hosts}


def actions(results: dict[str, t.Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results.values():
        counts[result["action"]] = counts.get(result["action"], 0) + 1
    return counts


@pytest.mark.parametrize("form", list(MODULE_CALLS))
def test_user_playbook_one_task_per_host(zabbix: t.Any, stack: t.Any, tmp_path: Path, form: str) -> None:
    env = {"ZABBIX_URL": zabbix.env["ZABBIX_URL"], "ZABBIX_TOKEN": zabbix.env["ZABBIX_TOKEN"]}
    failing = 2 if form == "host_var" else 1
    run = functools.partial(play, stack, tmp_path, env, form=form)
    leftover = managed(zabbix)  # each form creates its hosts itself
    if leftover:
        zabbix.call("host.delete", [h["hostid"] for h in leftover.values()])

    done, results = run()
    assert done.returncode == 2, done.stdout[-3000:]  # the broken host fails the run, alone
    assert actions(results) == {"created": COUNT, "failed": failing}, results
    assert results["inv-broken"]["msg"] == f"{BROKEN}: templates[0]: template 'No such template' not found"
    if form == "host_var":
        assert results["inv-invalid"]["msg"] == f"{INVALID}: interfaces[0].ip: the agent interface has no IP address"
    # host_var: no template of the arguments, so no per-host "template for task args" warning
    assert ("Using a template for task args" in done.stdout + done.stderr) is (form == "arguments")
    assert "ok=1" in next(line for line in done.stdout.splitlines() if line.startswith("inv-049 "))

    held = managed(zabbix)
    assert sorted(held) == [f"{PREFIX}-{i:03d}" for i in range(COUNT)]  # nothing of the broken host
    for i in range(COUNT):
        h = held[f"{PREFIX}-{i:03d}"]
        want = desired(i)
        assert results[f"inv-{i:03d}"]["hostid"] == h["hostid"]
        assert (h["name"], h["status"], h["inventory_mode"]) == (want["name"], "0" if i % 10 else "1", "0")
        assert sorted(g["name"] for g in h["hostgroups" if zabbix.is7 else "groups"]) == want["host_groups"]
        assert [tp["host"] for tp in h["parentTemplates"]] == ["ICMP Ping"]
        assert [(x["type"], x["ip"], x["port"]) for x in h["interfaces"]] == [("1", f"192.0.2.{i + 1}", "10050")]
        assert sorted((x["tag"], x["value"]) for x in h["tags"]) == [("n", str(i)), ("site", "dc1")]
        assert [(m["macro"], m["value"]) for m in h["macros"]] == [("{$ROLE}", "web")]
        assert h["inventory"]["location"] == f"rack {i}"

    # Drift five hosts by hand; check mode reports them, each with its own diff, and writes nothing.
    drifted = [f"{PREFIX}-{i:03d}" for i in range(0, COUNT, 10)]
    zabbix.call("host.update", [{"hostid": held[name]["hostid"], "description": "changed by hand"} for name in drifted])
    before_check = managed(zabbix)
    done, results = run("--check", "--diff")
    assert actions(results) == {"updated": len(drifted), "unchanged": COUNT - len(drifted), "failed": failing}
    for name in drifted:
        result = results[f"inv-{name.rsplit('-', 1)[1]}"]
        assert result["changed"] and result["changed_fields"] == ["description"]
        assert (result["diff"]["before"]["description"], result["diff"]["after"]["description"]) == ("changed by hand", "")
    assert managed(zabbix) == before_check

    done, results = run()
    assert actions(results) == {"updated": len(drifted), "unchanged": COUNT - len(drifted), "failed": failing}
    assert {h["host"] for h in managed(zabbix).values() if h["description"]} == set()

    done, results = run()
    assert actions(results) == {"unchanged": COUNT, "failed": failing}


# The role imported in a user's own play, as docs/sync_hosts.md shows for per-host mode.
ROLE_PLAYBOOK = """
- name: Sync hosts to Zabbix with the role imported
  hosts: all
  gather_facts: false
  vars:
    sync_hosts_batch: "{{ batch | bool }}"
    sync_hosts_require_source: false
    sync_hosts_writeback: false
    sync_hosts_orphans: false
    sync_hosts_event_log: false
    sync_hosts_fail_on_error: false
  tasks:
    - ansible.builtin.import_role:
        name: netbox_zabbix.sync.sync_hosts
        rolespec_validate: false

- name: Save the summary
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Save
      check_mode: false
      diff: false
      ansible.builtin.copy:
        dest: "{{ out }}"
        content: "{{ hostvars[groups['all'][0]].zabbix_sync_summary | to_json }}"
"""


@pytest.mark.parametrize("batch", [False, True], ids=["per_host", "batch"])
def test_role_imported_in_a_user_play(zabbix: t.Any, stack: t.Any, tmp_path: Path, batch: bool) -> None:
    """Imported, the role's per-host task runs once per host in per-host mode and once in all
    in batch mode (its run_once follows sync_hosts_batch); both count the same."""
    zabbix.delete_hosts(f"{PREFIX}-")
    env = {"ZABBIX_URL": zabbix.env["ZABBIX_URL"], "ZABBIX_TOKEN": zabbix.env["ZABBIX_TOKEN"]}
    playbook = tmp_path / "role.yml"
    playbook.write_text(ROLE_PLAYBOOK)
    out = tmp_path / "summary.json"
    inventory = write_inventory(tmp_path, str(stack.VENV_BIN / "python"))
    done = subprocess.run(
        [str(stack.VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), "-e", f"out={out}", "-e", f"batch={batch}"],
        capture_output=True, text=True, env=stack.ansible_env(env), cwd=stack.REPO, timeout=900, check=False,
    )
    assert out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    summary = json.loads(out.read_text())
    assert (summary["total"], summary["created"], summary["failed"]) == (COUNT + 1, COUNT, 1), summary
    assert [h["host"] for h in summary["failed_hosts"]] == ["inv-broken"]
    assert sorted(managed(zabbix)) == [f"{PREFIX}-{i:03d}" for i in range(COUNT)]
    # per-host mode: each host is its own task result ("ok" for the 50, the broken one ignored)
    recap = {line.split()[0]: line for line in done.stdout.splitlines() if " : ok=" in line}
    assert ("ignored=1" in recap.get("inv-broken", "")) is (not batch), recap.get("inv-broken")
    zabbix.delete_hosts(f"{PREFIX}-")


# --- the shared read: the hosts of one task read together --------------------------------

SHARED = "sr"
SHARED_COUNT = 24
SHARED_CALL = ('netbox_zabbix.sync.zabbix_host_sync:\n        host_var: zabbix_host\n'
               '        shared_read: "{{ shared | default(true) }}"')


def varied(i: int, hostid: str | None) -> dict[str, t.Any]:
    """Hosts of every shape a read must give back alike: inventory disabled, automatic or
    manual, agent and SNMPv2/v3 interfaces (v3 with passphrases), tags and macros."""
    state = dict(desired(i), host=f"{SHARED}-{i:03d}", name=f"Shared read {i}")
    mode = ("disabled", "automatic", "manual")[i % 3]
    state["inventory_mode"] = mode
    state["inventory"] = {} if mode == "disabled" else {"location": f"rack {i}", "os": "linux"}
    if i % 4 == 1:
        state["interfaces"] = [{"type": "snmp", "ip": f"192.0.2.{i + 1}", "details": {"version": 2, "community": "{$SNMP_COMMUNITY}"}}]
    elif i % 4 == 2:
        state["interfaces"] = [
            {"type": "agent", "ip": f"192.0.2.{i + 1}"},
            {"type": "snmp", "ip": f"192.0.2.{i + 1}", "details": {
                "version": 3, "securityname": "mon", "securitylevel": "authpriv", "authprotocol": "sha256",
                "authpassphrase": f"auth-pass-{i}", "privprotocol": "aes256", "privpassphrase": f"priv-pass-{i}"}},
        ]
    if hostid:
        state["hostid"] = hostid
    return state


def shared_play(stack: t.Any, tmp_path: Path, env: dict[str, str], hostids: dict[str, str], *args: str
                ) -> tuple[subprocess.CompletedProcess, dict[str, t.Any]]:
    """The playbook over hosts named as in Zabbix (as the inventory plugin names them), each
    with the hostid its HostConfig holds once written back."""
    hosts = {f"{SHARED}-{i:03d}": {"zabbix_host": varied(i, hostids.get(f"{SHARED}-{i:03d}"))} for i in range(SHARED_COUNT)}
    inventory = inventory_file(tmp_path, str(stack.VENV_BIN / "python"), hosts, "shared-inventory")
    return run_playbook(stack, tmp_path, env, inventory, SHARED_CALL, args, "shared")


def test_hosts_of_one_task_share_one_read(zabbix: t.Any, stack: t.Any, tmp_path: Path) -> None:
    """An unchanged host costs no request of its own; a changed one is read again right before
    its write; what each host reports is what its own read would have given."""
    zabbix.delete_hosts(f"{SHARED}-")
    with FaultProxy(zabbix.env["ZABBIX_URL"]) as proxy:  # counts requests, disturbs nothing
        env = {"ZABBIX_URL": proxy.url, "ZABBIX_TOKEN": zabbix.env["ZABBIX_TOKEN"]}
        run = functools.partial(shared_play, stack, tmp_path, env)
        done, results = run({})
        assert done.returncode == 0 and actions(results) == {"created": SHARED_COUNT}, done.stdout[-3000:]
        hostids = {name: result["hostid"] for name, result in results.items()}

        proxy.server.stats.reset()
        done, results = run(hostids)
        assert done.returncode == 0 and actions(results) == {"unchanged": SHARED_COUNT}, done.stdout[-3000:]
        assert proxy.stats()["by_rpc_method"] == {"host.get": 1}  # the whole batch, once

        # Two hosts changed by hand, one renamed by hand (the batch, read by name, misses it).
        drifted, renamed = [f"{SHARED}-001", f"{SHARED}-002"], f"{SHARED}-003"
        zabbix.call("host.update", [{"hostid": hostids[name], "description": "changed by hand"} for name in drifted]
                    + [{"hostid": hostids[renamed], "host": "renamed-by-hand"}])
        for shared in ("false", "true"):  # a dry run: each host's own read, then the shared one
            proxy.server.stats.reset()
            done, results = run(hostids, "--check", "--diff", "-e", f"shared={shared}")
            assert done.returncode == 0, done.stdout[-3000:]
            if shared == "false":
                own = results
                assert proxy.stats()["by_rpc_method"] == {"host.get": SHARED_COUNT + 1}  # the renamed host: by id, by name
        assert results == own  # results, diffs and all
        assert actions(results) == {"updated": 3, "unchanged": SHARED_COUNT - 3}
        assert "host" in results[renamed]["changed_fields"] and results[drifted[0]]["changed_fields"] == ["description"]
        # the batch, then the three changed hosts read again (the renamed one by id and by name)
        assert proxy.stats()["by_rpc_method"] == {"host.get": 1 + 2 + 2}
        assert "auth-pass-2" not in json.dumps(results)

        proxy.server.stats.reset()
        done, results = run(hostids)
        assert actions(results) == {"updated": 3, "unchanged": SHARED_COUNT - 3}
        assert proxy.stats()["by_rpc_method"] == {"host.get": 5, "host.update": 3}

    held = {h["host"]: h for h in zabbix.call("host.get", {
        "output": ["hostid", "host", "description"], "search": {"host": f"{SHARED}-"}, "startSearch": True})}
    assert sorted(held) == sorted(hostids) and {h["hostid"] for h in held.values()} == set(hostids.values())
    assert all(h["description"] == "" for h in held.values())
    zabbix.delete_hosts(f"{SHARED}-")
