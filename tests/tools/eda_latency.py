# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measure event-driven sync on the running local stack (stack/eda.sh up): how long from a
change made through NetBox's API until Zabbix's API shows it, and how many runs a burst takes.

    python tests/tools/eda_latency.py --changes 20 --burst 200 [--out result.json]

Changes rotate: PATCH a HostConfig (status), rename a Device, change an agent interface
port. Each waits until Zabbix shows it before the next starts. The burst renames --burst
Devices with one PATCH each, as fast as one client can, then waits until Zabbix holds every
new name; runs are counted from the source's "emitting" log lines. Needs --burst synced
Device HostConfigs (seed them with stack/netbox.sh seed, sync once with the playbook).
Env: NETBOX_API, NETBOX_TOKEN, ZABBIX_URL, ZABBIX_TOKEN, EDA_LOG (from the stack env files).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

import requests
from zabbix_utils import ZabbixAPI

PLUGIN_API = "plugins/netbox_zabbix"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--out")
    args = parser.parse_args()

    netbox = requests.Session()
    token = os.environ["NETBOX_TOKEN"]
    netbox.headers["Authorization"] = f"Bearer {token}" if token.startswith("nbt_") else f"Token {token}"
    api = os.environ["NETBOX_API"].rstrip("/") + "/api"
    for name in ("ZABBIX_USER", "ZABBIX_PASSWORD"):  # zabbix-utils would read them beside the token
        os.environ.pop(name, None)
    zabbix = ZabbixAPI(url=os.environ["ZABBIX_URL"], token=os.environ["ZABBIX_TOKEN"])
    log = Path(os.environ["EDA_LOG"])

    def nb(method: str, path: str, **kwargs):
        response = netbox.request(method, f"{api}/{path.strip('/')}/", timeout=60, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def nb_list(path: str, **params):
        return nb("GET", path, params={"ordering": "id", "limit": 1000, **params})["results"]

    def runs() -> int:
        return len(re.findall(r"netbox_webhook: emitting", log.read_text(errors="replace")))

    def wait(check) -> float:
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            if check():
                return time.monotonic()
            time.sleep(0.1)
        raise SystemExit("timed out: Zabbix did not follow (see the ansible-rulebook log)")

    device_ct = nb_list("core/object-types", app_label="dcim", model="device")[0]["id"]
    hostconfigs = [hc for hc in nb_list(f"{PLUGIN_API}/host-config") if hc["hostid"] and hc["content_type"] == device_ct]
    agent_rows = {}
    for row in nb_list(f"{PLUGIN_API}/agent-interface"):
        agent_rows.setdefault(row["host_config"], row)
    if len(hostconfigs) < args.burst + args.changes:
        raise SystemExit(f"need {args.burst + args.changes} synced Device HostConfigs, NetBox has {len(hostconfigs)}")

    def zhost(hostid):
        return zabbix.host.get(hostids=[str(hostid)], output=["host", "status"],
                               selectInterfaces=["interfaceid", "port"])[0]

    latencies = []
    kinds = []
    pool = [hc for hc in hostconfigs if hc["id"] in agent_rows][: args.changes]
    runs_before = runs()
    for number in range(args.changes):
        hc = pool[number]
        kind = ("hostconfig", "device", "interface")[number % 3]
        if kind == "hostconfig":
            status = 1 - hc["status"]
            started = time.monotonic()
            nb("PATCH", f"{PLUGIN_API}/host-config/{hc['id']}", json={"status": status})
            done = wait(lambda: zhost(hc["hostid"])["status"] == str(status))
        elif kind == "device":
            # keep the seed's prefix (stack/netbox.sh seed --reset finds its objects by it)
            name = f"{hc['name'].removeprefix('z-').split('-lat')[0][:40]}-lat{number}-{int(time.time()) % 100000}"
            started = time.monotonic()
            nb("PATCH", f"dcim/devices/{hc['object_id']}", json={"name": name})
            done = wait(lambda: zabbix.host.get(filter={"host": [name]}, output=["hostid"]))
        else:
            row = agent_rows[hc["id"]]
            current = {i["port"] for i in zhost(hc["hostid"])["interfaces"]}
            port = next(p for p in range(20000 + number * 100, 20100 + number * 100) if str(p) not in current)
            started = time.monotonic()
            nb("PATCH", f"{PLUGIN_API}/agent-interface/{row['id']}", json={"port": port})
            done = wait(lambda: any(i["port"] == str(port) for i in zhost(hc["hostid"])["interfaces"]))
        latencies.append(done - started)
        kinds.append(kind)
        print(f"change {number + 1:2d} {kind:10s} {done - started:5.2f} s", flush=True)
        time.sleep(0.5)
    single_runs = runs() - runs_before

    burst = hostconfigs[args.changes: args.changes + args.burst] if args.burst else []
    burst_result = None
    if burst:
        time.sleep(3)
        stamp = int(time.time())
        expected = {str(hc["hostid"]): f"{hc['name'].removeprefix('z-').split('-')[0]}-burst-{stamp % 100000}-{hc['id']}"
                    for hc in burst}
        runs_before = runs()
        started = time.monotonic()
        for hc in burst:
            nb("PATCH", f"dcim/devices/{hc['object_id']}", json={"name": expected[str(hc['hostid'])]})
        sent = time.monotonic()

        def converged() -> bool:
            names = set(expected.values())
            return {h["host"] for h in zabbix.host.get(filter={"host": sorted(names)}, output=["host"])} == names

        done = wait(converged)
        time.sleep(3)
        burst_result = {"changes": len(burst), "runs": runs() - runs_before, "send_seconds": round(sent - started, 2),
                        "converged_seconds_after_first_change": round(done - started, 2),
                        "converged_seconds_after_last_change": round(done - sent, 2)}
        print(f"burst: {json.dumps(burst_result)}")

    result = {
        "changes": len(latencies), "runs_for_changes": single_runs,
        "median_seconds": round(statistics.median(latencies), 2), "worst_seconds": round(max(latencies), 2),
        "best_seconds": round(min(latencies), 2), "latencies": [round(v, 2) for v in latencies], "kinds": kinds,
        "burst": burst_result,
    }
    print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
