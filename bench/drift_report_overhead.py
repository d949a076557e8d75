#!/usr/bin/env python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the drift report (and the progress lines) add to a check-mode run (issue 13).

Two measurements, printed as Markdown:

``offline N``: everything the report adds, without Zabbix, for N hosts with 10 % drift (the
recorded plans of tests/unit/fixtures/drift, repeated): the engine's per-host ``drift`` dicts,
the bigger task result crossing from the worker to the controller (pickle), the grouping, the
four renderings and writing the three files. Cheap enough for N = 10,000 on a shared machine.

``ab N BASE``: a real ``--check`` run of playbooks/sync_hosts.yml on the local Zabbix
(``$STACK_DIR/zabbix-7.0.env``), N hosts from a static inventory with 10 % drift, alternating
this checkout and BASE (a collection root without the report, e.g. ``git archive`` of the
commit before it), ``--runs`` times each; medians. Creates hosts ``benchdrift-*`` and deletes
them afterwards.

    PYTHONPATH=.cache/collections python bench/drift_report_overhead.py offline 10000
    python bench/drift_report_overhead.py ab 1000 /tmp/nzs-base --runs 3
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import pickle
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "unit" / "fixtures" / "drift" / "plan-7.0.json"


def load_avg() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def offline(hosts: int) -> None:
    from ansible_collections.netbox_zabbix.sync.plugins.action.zabbix_sync_summary import write_report
    from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._drift_report import (
        build_report, render_terminal,
    )
    from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._sync_report import records_from_batch

    recorded = json.loads(FIXTURE.read_text())["results"]
    updated = [r for r in recorded.values() if r.get("drift")]
    unchanged = {k: v for k, v in next((r for r in recorded.values() if r["action"] == "unchanged")).items()}
    results: dict[str, dict[str, t.Any]] = {}
    for i in range(hosts):
        if i % 10 == 0:
            results[f"host-{i:05d}"] = copy.deepcopy(updated[(i // 10) % len(updated)])
        else:
            results[f"host-{i:05d}"] = dict(unchanged)
    without = {k: {f: v for f, v in r.items() if f != "drift"} for k, r in results.items()}

    timings: dict[str, float] = {}
    started = time.perf_counter()
    for r in results.values():  # the engine's work: one small dict per changed field
        if "drift" in r:
            r["drift"] = {f: {"before": c["before"], "after": c["after"]} for f, c in r["drift"].items()}
    timings["engine: drift dicts"] = time.perf_counter() - started
    started = time.perf_counter()
    with_size = len(pickle.dumps({"results": results}, protocol=pickle.HIGHEST_PROTOCOL))
    timings["result pickle, with drift"] = time.perf_counter() - started
    started = time.perf_counter()
    without_size = len(pickle.dumps({"results": without}, protocol=pickle.HIGHEST_PROTOCOL))
    timings["result pickle, without drift (subtracted)"] = -(time.perf_counter() - started)
    started = time.perf_counter()
    records = records_from_batch({"results": results}, keep_drift=True)
    report = build_report(records, check_mode=True)
    timings["grouping (records + build_report)"] = time.perf_counter() - started
    started = time.perf_counter()
    render_terminal(report)
    with tempfile.TemporaryDirectory() as directory:
        write_report(report, os.path.join(directory, "drift_report"))
        sizes = {p.suffix: p.stat().st_size for p in Path(directory).iterdir()}
    timings["rendering + writing .md/.html/.json"] = time.perf_counter() - started
    total = sum(timings.values())
    print(f"### Drift report overhead, offline, {hosts:,} hosts with 10 % drift ({load_avg()})\n")
    print("| step | seconds |\n|---|---:|")
    for name, seconds in timings.items():
        print(f"| {name} | {seconds:.3f} |")
    print(f"| **total added** | **{total:.3f}** |\n")
    print(f"Task result: {without_size / 1e6:.1f} MB without drift, {with_size / 1e6:.1f} MB with. "
          f"Files: " + ", ".join(f"{k} {v / 1e3:.0f} kB" for k, v in sorted(sizes.items())))


def _state(n: int, drift: bool) -> dict[str, t.Any]:
    state = {
        "host": f"benchdrift-{n:05d}",
        "host_groups": ["NB Servers"],
        "templates": ["Linux by Zabbix agent"],
        "interfaces": [{"type": "agent", "main": True, "useip": True, "ip": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", "port": "10050"}],
        "tags": [{"tag": "role", "value": "web"}],
        "description": "bench",
    }
    if drift:
        kind = n % 4
        if kind == 0:
            state["interfaces"][0]["port"] = "10051"
        elif kind == 1:
            state["templates"] = ["Linux by Zabbix agent", "ICMP Ping"]
        elif kind == 2:
            state["tags"] = [{"tag": "role", "value": "db"}]
        else:
            state["description"] = f"moved {n}"
    return state


def ab(hosts: int, base: Path, runs: int) -> None:
    stack = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
    env_file = stack / "zabbix-7.0.env"
    zenv: dict[str, str] = {}
    for line in env_file.read_text().splitlines():
        line = line.removeprefix("export ").strip()
        if "=" in line:
            key, value = line.split("=", 1)
            zenv[key] = shlex.split(value)[0] if value else ""
    tmp = Path(tempfile.mkdtemp(prefix="drift-bench-"))
    venv = REPO / ".venv" / "bin"

    def inventory(drifted: bool) -> Path:
        path = tmp / f"inventory-{drifted}.json"
        hostvars = {f"benchdrift-{n:05d}": {"zabbix_host": _state(n, drifted and n % 10 == 0), "ansible_connection": "local"}
                    for n in range(hosts)}
        path.write_text(json.dumps({"all": {"hosts": hostvars}}))
        return path

    def play(collections: Path, inv: Path, *args: str) -> tuple[float, float]:
        """(wall seconds, CPU seconds of ansible-playbook and its workers)."""
        env = {**os.environ, "ZABBIX_URL": zenv["ZABBIX_URL"], "ANSIBLE_COLLECTIONS_PATH": str(collections),
               "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "NETBOX_ZABBIX_SYNC_LOG_PATH": str(tmp / "log.jsonl")}
        extra = {"sync_hosts_zabbix_token": zenv["ZABBIX_TOKEN"], "sync_hosts_orphans": False, "sync_hosts_event_log": False,
                 "sync_hosts_writeback": False, "sync_hosts_require_source": False, "sync_hosts_fail_on_error": False}
        playbook = collections / "ansible_collections" / "netbox_zabbix" / "sync" / "playbooks" / "sync_hosts.yml"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([str(venv / "ansible-playbook"), "-i", str(inv), str(playbook), "-e", json.dumps(extra), *args],
                              capture_output=True, text=True, env=env, cwd=tmp, check=False)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(done.stdout[-3000:] + done.stderr[-3000:])
        return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    ours = REPO / ".cache" / "collections"
    create = play(ours, inventory(False))[0]
    drifted = inventory(True)
    times: dict[str, list[tuple[float, float]]] = {"with the drift report (this branch)": [], "before (base)": []}
    loads = [os.getloadavg()[0]]
    for _ in range(runs):
        times["before (base)"].append(play(base, drifted, "--check"))
        times["with the drift report (this branch)"].append(play(ours, drifted, "--check"))
        loads.append(os.getloadavg()[0])
    # clean up: delete the bench hosts
    import urllib.request

    def call(method: str, params: t.Any) -> t.Any:
        body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": 1}).encode()
        request = urllib.request.Request(zenv["ZABBIX_URL"].rstrip("/") + "/api_jsonrpc.php", body,
                                         {"Content-Type": "application/json-rpc", "Authorization": f"Bearer {zenv['ZABBIX_TOKEN']}"})
        with urllib.request.urlopen(request, timeout=300) as answer:
            return json.loads(answer.read())["result"]

    ids = [h["hostid"] for h in call("host.get", {"output": ["hostid"], "search": {"host": "benchdrift-"}, "startSearch": True})]
    for start in range(0, len(ids), 500):
        call("host.delete", ids[start:start + 500])
    def median(name: str, index: int) -> float:
        return statistics.median(v[index] for v in times[name])

    print(f"### Check mode, {hosts:,} hosts, 10 % drift, real Zabbix 7.0: A/B ({runs} runs each, alternating)\n")
    print(f"Create (untimed for the comparison): {create:.1f} s. 1-minute load average during the runs: "
          f"{min(loads):.1f} to {max(loads):.1f} (2 cores, shared).\n")
    print("| code | wall s (runs) | median wall s | CPU s (runs) | median CPU s |\n|---|---|---:|---|---:|")
    for name, values in times.items():
        print(f"| {name} | {', '.join(f'{v[0]:.2f}' for v in values)} | {median(name, 0):.2f} "
              f"| {', '.join(f'{v[1]:.2f}' for v in values)} | {median(name, 1):.2f} |")
    for index, unit in ((0, "wall"), (1, "CPU")):
        base_value, ours_value = median("before (base)", index), median("with the drift report (this branch)", index)
        print(f"\nDifference of the medians ({unit}): {ours_value - base_value:+.2f} s ({(ours_value / base_value - 1) * 100:+.1f} %).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    off = sub.add_parser("offline")
    off.add_argument("hosts", type=int)
    real = sub.add_parser("ab")
    real.add_argument("hosts", type=int)
    real.add_argument("base", type=Path, help="collections root holding ansible_collections/netbox_zabbix/sync of the base")
    real.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.mode == "offline":
        offline(args.hosts)
    else:
        ab(args.hosts, args.base, args.runs)


if __name__ == "__main__":
    main()
