#!/usr/bin/env python3
"""Where the CPU of a run goes, and the shortest time it could take on this machine.

On a machine with few cores, the services (NetBox, PostgreSQL, Zabbix) and the client share
the same CPUs, so a run can overlap its reads as it likes and still not finish before the
machine has done all its work: ``wall >= busy CPU seconds / CPUs``. This runs the host-config
pages alone (bench/hostconfig_floor.py), ``ansible-inventory --graph`` and (optionally) a
no-op ``ansible-playbook`` sync alternately, and prints for each its wall time, the client's
CPU (the command's process tree), the rest of the machine's CPU (the services), and that
lower bound, beside the host-config pages alone of the same round.

``--lists`` instead reads each list the inventory reads, alone and one request at a time,
with the field sets it uses (and a few cheaper ones for comparison), and prints the machine's
CPU for each: what the rest of the read costs NetBox at the least.

Usage (the project venv's Python; NETBOX_API/NETBOX_TOKEN and, for the sync, ZABBIX_URL/
ZABBIX_TOKEN in the environment; the stack's env files give them):
  bench/cpu_split.py --inventory inv.netbox_hostconfig.yml [--playbook playbooks/sync_hosts.yml] [--rounds 3]
  bench/cpu_split.py --lists
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
import typing as t

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(REPO, ".venv", "bin")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    # guest time is already counted in user; leave it out of the sum
    busy = sum(fields[:8]) - idle
    return busy / CLOCK_TICKS, idle / CLOCK_TICKS


def measure(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before, _ = machine_cpu()
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    wall = time.perf_counter() - started
    busy_after, _ = machine_cpu()
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    client = (after_children.ru_utime - before_children.ru_utime) + (after_children.ru_stime - before_children.ru_stime)
    busy = busy_after - busy_before
    return {"wall": wall, "client": client, "services": max(busy - client, 0.0), "busy": busy}


def measure_lists() -> None:
    """Machine CPU of each list the inventory reads (bench/../plugins/plugin_utils/_hostconfig_loader.py), alone."""
    sys.path.insert(0, os.path.join(REPO, ".cache", "collections"))
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import NetBoxClient, NetBoxOptions
    client = NetBoxClient(NetBoxOptions.from_params({"netbox_url": os.environ["NETBOX_API"],
                                                     "netbox_token": os.environ["NETBOX_TOKEN"],
                                                     "netbox_timeout": 300, "max_workers": 1}))
    tags = [tag for tag in client.list_all("extras/tags", {"fields": "id,slug,tagged_items"}) if tag.get("tagged_items")]
    objects = "id,name,platform,role,site,status,tenant"  # OBJECT_FIELDS without tags (read by membership)
    lists: dict[str, t.Callable[[], t.Any]] = {
        "host-config (the floor, one request at a time)": lambda: client.plugin_list("host-config"),
        "agent-interface": lambda: client.plugin_list("agent-interface"),
        "snmp-interface": lambda: client.plugin_list("snmp-interface"),
        "ip-addresses (id,address,dns_name)": lambda: client.list_all("ipam/ip-addresses", {"fields": "id,address,dns_name"}),
        f"devices ({objects})": lambda: client.list_all("dcim/devices", {"fields": objects}),
        f"virtual-machines ({objects})": lambda: client.list_all("virtualization/virtual-machines", {"fields": objects}),
        "devices, tags by membership (id per tag)": lambda: [
            client.list_all("dcim/devices", {"tag": tag["slug"], "fields": "id"}) for tag in tags],
        "virtual-machines, tags by membership": lambda: [
            client.list_all("virtualization/virtual-machines", {"tag": tag["slug"], "fields": "id"}) for tag in tags],
        "for comparison: devices with nested tags": lambda: client.list_all("dcim/devices", {"fields": objects + ",tags"}),
        "for comparison: devices (id,name)": lambda: client.list_all("dcim/devices", {"fields": "id,name"}),
        "for comparison: devices (brief)": lambda: client.list_all("dcim/devices", {"brief": 1}),
    }
    print("| list | requests | wall s | machine CPU s |\n|---|---|---|---|")
    for name, read in lists.items():
        busy_before, _ = machine_cpu()
        requests_before = client.request_count
        started = time.perf_counter()
        read()
        wall = time.perf_counter() - started
        busy = machine_cpu()[0] - busy_before
        print(f"| {name} | {client.request_count - requests_before} | {wall:.2f} | {busy:.2f} |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--inventory", help="an inventory file of the hostconfig plugin")
    parser.add_argument("--lists", action="store_true", help="the CPU of each list the inventory reads, alone")
    parser.add_argument("--playbook", help="also time a sync with this playbook (run it once before: a no-op)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.lists:
        measure_lists()
        return 0
    if not args.inventory:
        parser.error("--inventory is needed (or --lists)")
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".cache", "collections"),
               ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))
    runs = {"host-config pages alone": [sys.executable, os.path.join(REPO, "bench", "hostconfig_floor.py")],
            "inventory --graph": [os.path.join(VENV_BIN, "ansible-inventory"), "-i", args.inventory, "--graph"]}
    if args.playbook:
        runs["no-op sync"] = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", args.inventory, args.playbook]
    cpus = os.cpu_count() or 1
    results: dict[str, list[dict[str, float]]] = {name: [] for name in runs}
    for round_number in range(args.rounds):
        for name, argv in runs.items():
            results[name].append(measure(argv, env))
            row = results[name][-1]
            print(f"round {round_number + 1} {name}: {row['wall']:.2f} s wall, client {row['client']:.2f} s CPU, "
                  f"services {row['services']:.2f} s CPU", file=sys.stderr)
    floor_wall = statistics.median(r["wall"] for r in results["host-config pages alone"])
    print(f"Medians of {args.rounds} rounds on {cpus} CPUs (load before: {os.getloadavg()[0]:.2f}).\n")
    print("| run | wall s | client CPU s | services CPU s | all CPU s / CPUs | × pages alone | lower bound × pages alone |")
    print("|---|---|---|---|---|---|---|")
    for name, rows in results.items():
        wall = statistics.median(r["wall"] for r in rows)
        client = statistics.median(r["client"] for r in rows)
        services = statistics.median(r["services"] for r in rows)
        bound = max(statistics.median(r["busy"] for r in rows) / cpus, floor_wall)
        print(f"| {name} | {wall:.2f} | {client:.2f} | {services:.2f} | {bound:.2f} | {wall / floor_wall:.2f} | "
              f"{bound / floor_wall:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
