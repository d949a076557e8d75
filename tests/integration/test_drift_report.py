# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The drift report and the blast-radius guard, through playbooks/sync_hosts.yml on real Zabbix 6.0 and 7.0.

For each Zabbix version: create 12 hosts (static inventory of ``zabbix_host`` variables), then
drift them in known ways (ports, templates, status, tags, a macro, a description, two new
hosts, one broken host) and check:

- a ``--check`` run with the guard on writes nothing (table checksums), its report holds
  exactly the expected groups and counts, the summary says a real run would be refused,
  the sync_log callback prints the grouped table and where the files are, and the batch
  task printed progress lines while it ran;
- a real run with ``sync_hosts_max_changes`` below the drift refuses and writes nothing;
- the real run without the guard writes, and its report has the dry run's groups;
- the HTML page, rendered by a real headless Chromium (Debian's ``chromium``), shows the
  groups and counts (screenshot saved beside the test's files and printed).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import typing as t
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PREFIX = "itdrift-"
SECRET = "drift-secret-value-1234"

pytestmark = [pytest.mark.integration]


def _host(number: int) -> dict[str, t.Any]:
    return {
        "host": f"{PREFIX}{number:02d}",
        "host_groups": [{"name": "NB Servers"}],
        "templates": [{"name": "Linux by Zabbix agent"}],
        "interfaces": [{"type": "agent", "main": True, "useip": True, "ip": f"10.13.0.{number}", "port": "10050"}],
        "tags": [{"tag": "role", "value": "web"}],
        "macros": [{"macro": "{$SITE}", "value": "dc1"}, {"macro": "{$DRIFT_SECRET}", "value": SECRET, "type": "secret"}],
        "description": "base",
        "status": "enabled",
    }


BASE = {f"{PREFIX}{n:02d}": _host(n) for n in range(1, 13)}


def _drifted() -> dict[str, dict[str, t.Any]]:
    hosts = copy.deepcopy(BASE)
    for n in (1, 2, 3):
        hosts[f"{PREFIX}{n:02d}"]["interfaces"][0]["port"] = "10051"
    for n in (1, 4):
        hosts[f"{PREFIX}{n:02d}"]["templates"].append({"name": "ICMP Ping"})
    hosts[f"{PREFIX}05"]["status"] = "disabled"
    for n in (6, 7):
        hosts[f"{PREFIX}{n:02d}"]["tags"] = [{"tag": "role", "value": "db"}]
    hosts[f"{PREFIX}08"]["macros"][0]["value"] = "dc2"
    hosts[f"{PREFIX}09"]["description"] = "moved to rack 7"
    hosts[f"{PREFIX}10"]["templates"] = [{"name": "No Such Template"}]  # fails, naming the field
    for n in (21, 22):
        hosts[f"{PREFIX}{n}"] = _host(n)
    return hosts


# What the dry run must report: group key -> (host count, {value label: hosts}).
EXPECTED = {
    "create": (2, {}),
    "field:status": (1, {"enabled \u2192 disabled": 1}),
    "field:templates": (2, {"+ ICMP Ping": 2}),
    "field:interfaces": (3, {"agent port: 10050 \u2192 10051": 3}),
    "field:tags": (2, {"+ role=db": 2, "- role=web": 2}),
    "field:macros": (1, {"~ {$SITE} value: dc1 \u2192 dc2": 1}),
    "field:description": (1, {"base \u2192 moved to rack 7": 1}),
    "failed": (1, {}),
}
CHANGING = 2 + 9  # created + updated hosts


def _inventory(hosts: dict[str, dict[str, t.Any]]) -> dict[str, t.Any]:
    return {"all": {"hosts": {name: {"zabbix_host": state, "ansible_connection": "local"} for name, state in hosts.items()}}}


def _groups(report: dict[str, t.Any]) -> dict[str, tuple[int, dict[str, int]]]:
    return {g["key"]: (g["count"], {v["label"]: v["count"] for v in g["values"]}) for g in report["groups"]}


class Run(t.NamedTuple):
    returncode: int
    text: str
    report: dict[str, t.Any]
    report_base: Path


@pytest.fixture(scope="module")
def drift(zabbix_env: dict[str, str], stack: t.Any, tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[dict[str, t.Any]]:
    zabbix = stack.ZabbixAPI(zabbix_env)
    zabbix.delete_hosts(PREFIX)
    tmp = tmp_path_factory.mktemp("drift")
    version = zabbix_env["ZABBIX_VERSION"][:3]

    def play(name: str, hosts: dict[str, dict[str, t.Any]], *args: str, **extra_vars: t.Any) -> Run:
        inventory = tmp / f"{name}.inventory.yml"
        inventory.write_text(yaml.safe_dump(_inventory(hosts)))
        base = tmp / name / "drift_report"
        env = stack.ansible_env({
            "ZABBIX_URL": zabbix_env["ZABBIX_URL"],
            "NETBOX_ZABBIX_SYNC_LOG_PATH": str(tmp / f"{name}.jsonl"),
            "ANSIBLE_CALLBACKS_ENABLED": "netbox_zabbix.sync.sync_log",
        })
        env.pop("NETBOX_API", None)
        variables = {"sync_hosts_zabbix_token": zabbix_env["ZABBIX_TOKEN"], "sync_hosts_orphans": False,
                     "sync_hosts_event_log": False, "sync_hosts_writeback": False, "sync_hosts_require_source": False,
                     "sync_hosts_report_path": str(base), "sync_hosts_progress_seconds": 0.001, **extra_vars}
        command = [str(stack.VENV_BIN / "ansible-playbook"), "-i", str(inventory), "playbooks/sync_hosts.yml",
                   "-e", json.dumps(variables), *args]
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=600, check=False)
        json_file = base.with_suffix(".json")
        report = json.loads(json_file.read_text()) if json_file.exists() else {}
        return Run(done.returncode, done.stdout + done.stderr, report, base)

    def checksum() -> str:
        return stack_checksum(stack, zabbix_env, version)

    created = play("create", BASE)
    assert created.returncode == 0, created.text[-3000:]
    drifted = _drifted()
    before = checksum()
    runs = {"create": created, "check": play("check", drifted, "--check", sync_hosts_max_changes="3")}
    after_check = checksum()
    runs["refused"] = play("refused", drifted, sync_hosts_max_changes="50%")
    after_refused = checksum()
    runs["real"] = play("real", drifted)
    yield {"runs": runs, "zabbix": zabbix, "checksums": (before, after_check, after_refused, checksum()), "tmp": tmp,
           "version": version}
    zabbix.delete_hosts(PREFIX)


def stack_checksum(stack: t.Any, zabbix_env: dict[str, str], version: str) -> str:
    """md5 of the host-related tables, straight from PostgreSQL."""
    tables = ["hosts", "interface", "host_tag", "hosts_groups", "hosts_templates", "host_inventory", "hostmacro", "hstgrp"]
    sql = " || ".join(f"(SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM {table} t)" for table in tables)
    env = {**os.environ, **zabbix_env}
    done = subprocess.run([str(REPO / "stack" / "zabbix.sh"), "psql", version, "-At", "-c", f"SELECT md5({sql})"],
                          capture_output=True, text=True, env=env, timeout=120, check=True)
    return done.stdout.strip()


def test_dry_run_reports_exactly_the_drift(drift: dict[str, t.Any]) -> None:
    run = drift["runs"]["check"]
    assert run.report, run.text[-4000:]
    assert _groups(run.report) == EXPECTED, json.dumps(run.report["groups"], indent=1)[:4000]
    assert run.report["totals"]["changing"] == CHANGING and run.report["totals"]["unchanged"] == 2
    assert run.report["check_mode"] is True and not run.report["refused"]
    assert run.report["groups"][-1]["errors"][0]["host"] == f"{PREFIX}10"
    assert "templates" in run.report["groups"][-1]["errors"][0]["error"]
    before, after_check = drift["checksums"][:2]
    assert before == after_check, "the dry run wrote to Zabbix"


def test_dry_run_output_table_progress_and_guard_verdict(drift: dict[str, t.Any]) -> None:
    run = drift["runs"]["check"]
    text = run.text
    assert "Traceback" not in text
    assert "netbox_zabbix.sync.sync_log: Drift report (check mode: would change): 11 of 14 hosts" in text, text[-4000:]
    assert "+ ICMP Ping: 2" in text and "agent port: 10050 \u2192 10051: 3" in text
    assert f"drift report (html): {run.report_base}.html" in text
    assert "The guard would refuse a real run: 11 hosts would change, the limit is 3." in text
    # progress from inside the batch task (the sync_log callback prints none for a batch)
    assert "netbox_zabbix.sync: planning: 14/14 hosts planned, 1 failed" in text, text[-4000:]
    for path in (f"{run.report_base}.md", f"{run.report_base}.html", f"{run.report_base}.json"):
        body = Path(path).read_text()
        assert SECRET not in body
        assert "ICMP Ping" in body


def test_guard_refuses_and_writes_nothing(drift: dict[str, t.Any]) -> None:
    run = drift["runs"]["refused"]
    after_check, after_refused = drift["checksums"][1:3]
    assert after_check == after_refused, "the refused run wrote to Zabbix"
    assert run.returncode != 0
    assert "Sync refused, nothing written: 11/14 hosts would change, more than the 7 allowed" in run.text, run.text[-4000:]
    assert f"See the drift report: {run.report_base}.html" in run.text
    assert run.report["refused"]["would_change"] == CHANGING and run.report["refused"]["limit"] == 7
    assert _groups(run.report) == EXPECTED


def test_real_run_report_matches_the_dry_run(drift: dict[str, t.Any]) -> None:
    runs = drift["runs"]
    real, check = runs["real"], runs["check"]
    assert real.report and real.report["check_mode"] is False, real.text[-4000:]
    assert real.report["groups"] == check.report["groups"]
    assert "Drift report (changed): 11 of 14 hosts" in real.text
    zabbix = drift["zabbix"]
    host = zabbix.host(f"{PREFIX}01")
    assert host is not None and host["interfaces"][0]["port"] == "10051"
    assert zabbix.host(f"{PREFIX}05")["status"] == "1"
    assert zabbix.hosts([f"{PREFIX}21", f"{PREFIX}22"]) and drift["checksums"][3] != drift["checksums"][2]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_html_report_in_headless_chromium(drift: dict[str, t.Any], stack: t.Any) -> None:
    browser = _chromium()
    if browser is None:
        if stack.REQUIRE_STACK:
            pytest.fail("chromium is not installed (tests/run-all.sh installs it: apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    page = Path(f"{drift['runs']['check'].report_base}.html")
    shot = drift["tmp"] / f"drift_report_zabbix{drift['version']}.png"
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
              f"--user-data-dir={drift['tmp'] / 'chromium-profile'}"]
    subprocess.run([*common, f"--screenshot={shot}", "--window-size=1280,1600", page.as_uri()],
                   capture_output=True, text=True, timeout=180, check=False)
    assert shot.exists() and shot.stat().st_size > 10_000, "no screenshot"
    print(f"\nscreenshot of the rendered drift report: {shot}")
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180, check=True).stdout
    assert "Drift report (check mode: would change): 11 of 14 hosts" in dom
    for key, (count, values) in EXPECTED.items():
        assert f'data-group="{key}"' in dom and f'data-v="{count}"' in dom, key
        for label, hosts in values.items():
            escaped = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert escaped in dom and f'data-v="{hosts}"' in dom, label
