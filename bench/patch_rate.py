#!/usr/bin/env python3
"""How fast NetBox takes the write-back's PATCHes, with 1, 2, 4 and 8 in flight.

The plugin's API has no bulk update, so a first sync writes one PATCH per HostConfig and
one per interface row (the Zabbix hostid/interfaceid). This measures the sustainable rate
on the local stack, for the write-back's ``workers`` default to be picked by measurement:

    bench/patch_rate.py [--rows 400] [--workers 1,2,4,8]

It seeds ``--rows`` HostConfigs under the prefix ``prate`` (stack/netbox.sh seed), PATCHes
each HostConfig's ``description`` and each agent/SNMP row's ``hostid``/``interfaceid`` (as
the write-back does), prints a table (rows/s per kind and worker count) and removes the seed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "stack"))
from envfile import read_env_file  # noqa: E402  pylint: disable=wrong-import-position

PREFIX = "prate"
PLUGIN_API = "plugins/netbox_zabbix"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--workers", default="1,2,4,8")
    args = parser.parse_args()
    stack_dir = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
    env = read_env_file(stack_dir / "netbox.env")
    base = env["NETBOX_API"].rstrip("/") + "/api"
    token = env["NETBOX_TOKEN"]
    session = requests.Session()
    session.headers["Authorization"] = f"{'Bearer' if token.startswith('nbt_') else 'Token'} {token}"
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=16)
    session.mount("http://", adapter)

    seed = [str(REPO / "stack" / "netbox.sh"), "seed", "--prefix", PREFIX, "--reset"]
    subprocess.run([*seed, "--count", str(args.rows)], check=True, capture_output=True, cwd=REPO)
    try:
        def rows(endpoint: str) -> list[dict]:
            found: list[dict] = []
            while True:
                page = session.get(f"{base}/{PLUGIN_API}/{endpoint}/", params={"ordering": "id", "limit": 1000, "offset": len(found)},
                                   timeout=60).json()
                found.extend(page["results"])
                if not page["next"]:
                    return found

        hostconfigs = [hc for hc in rows("host-config") if hc["name"].startswith(f"z-{PREFIX}-")]
        ours = {hc["id"] for hc in hostconfigs}
        interfaces = [("agent-interface", r) for r in rows("agent-interface") if r["host_config"] in ours]
        interfaces += [("snmp-interface", r) for r in rows("snmp-interface") if r["host_config"] in ours]
        print(f"| in flight | HostConfig PATCH/s | interface row PATCH/s | ms per PATCH (median, HostConfig) |")
        print("|---|---|---|---|")
        for round_, workers in enumerate(int(w) for w in args.workers.split(",")):
            def patch_hc(hc: dict) -> float:
                started = time.perf_counter()
                response = session.patch(f"{base}/{PLUGIN_API}/host-config/{hc['id']}/", json={"description": f"rate {workers} {round_}"}, timeout=60)
                response.raise_for_status()
                return time.perf_counter() - started

            def patch_if(item: tuple[str, dict]) -> float:
                endpoint, row = item
                started = time.perf_counter()
                response = session.patch(f"{base}/{PLUGIN_API}/{endpoint}/{row['id']}/",
                                         json={"hostid": 900000 + round_, "interfaceid": 800000 + row["id"] * 10 + round_}, timeout=60)
                response.raise_for_status()
                return time.perf_counter() - started

            with ThreadPoolExecutor(max_workers=workers) as pool:
                started = time.perf_counter()
                hc_times = list(pool.map(patch_hc, hostconfigs))
                hc_rate = len(hostconfigs) / (time.perf_counter() - started)
                started = time.perf_counter()
                list(pool.map(patch_if, interfaces))
                if_rate = len(interfaces) / (time.perf_counter() - started)
            print(f"| {workers} | {hc_rate:.1f} | {if_rate:.1f} | {statistics.median(hc_times) * 1000:.0f} |", flush=True)
    finally:
        subprocess.run([*seed, "--count", "0"], check=False, capture_output=True, cwd=REPO)
    return 0


if __name__ == "__main__":
    sys.exit(main())
