"""`make bench`: ours vs the floor, community.zabbix zabbix_host and netbox-zabbix-sync.

Per-host mode (``--tools per_host``, N <= --per-host-max): ours with sync_hosts_batch=false
and a plain user playbook (one zabbix_host_sync task per host), each against Ansible's own
per-host floor (set_fact over the same hosts) measured in the same run.

For every size N: reset Zabbix, seed NetBox with N HostConfigs, read our inventory once
(its cost, and the desired state the floor and zabbix_host get), then for every tool on a
pristine Zabbix: create, no-op, 10 % drift, check mode. Every tool talks to Zabbix and
NetBox through a counting proxy. Results go to bench/results/latest.{json,md,png}.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

from . import report, zbx
from .measure import Measured, tail
from .proxies import Proxy, start_proxy, summarise_netbox, summarise_zabbix
from .tools import (CACHE, PER_HOST_SCENARIOS, PER_HOST_TOOLS, REPO, SCENARIOS, Context, Tool, ZabbixHost, make_tools,
                    run_hostconfig_floor, run_ours_inventory)

sys.path.insert(0, os.path.join(REPO, "stack"))
from envfile import read_env_file  # noqa: E402  pylint: disable=wrong-import-position

RESULTS_DIR = os.path.join(REPO, "bench", "results")
FORK_CANDIDATES = (2, 5, 10, 20)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def sh(argv: list[str], timeout: float = 3600, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=REPO, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({out.returncode}): {out.stderr[-3000:]}")
    return out.stdout


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated N (default 100,1000,10000)")
    parser.add_argument("--tools", default="ours,floor,zabbix_host,nzs,per_host",
                        help="ours,floor,zabbix_host,nzs,per_host (per_host = set_fact_floor,ours_per_host,user_playbook,user_playbook_host_var)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of every scenario for ours/floor at every N (the report shows medians); competitors run once")
    parser.add_argument("--zabbix", default="7.0", choices=("6.0", "7.0"))
    parser.add_argument("--quick", action="store_true", help="one run, zabbix_host with 5 forks only, competitors N <= 200")
    parser.add_argument("--competitor-max", type=int, default=1000, help="largest N the competitors run at")
    parser.add_argument("--zabbix-host-max", type=int, help="largest N for zabbix_host alone (default: --competitor-max)")
    parser.add_argument("--nzs-max", type=int, help="largest N for netbox-zabbix-sync alone (default: --competitor-max)")
    parser.add_argument("--zabbix-host-forks", default="5,best", help="fork counts for zabbix_host; 'best' probes 2/5/10/20")
    parser.add_argument("--probe-hosts", type=int, default=20, help="hosts the zabbix_host fork probe runs on")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--per-host-max", type=int, default=1000, help="largest N per-host mode runs at")
    parser.add_argument("--per-host-scenarios", default=",".join(PER_HOST_SCENARIOS),
                        help="scenarios of the per-host tools (their hosts are created untimed in batch mode)")
    parser.add_argument("--output", default=RESULTS_DIR, help="directory for latest.{json,md,png}")
    parser.add_argument("--stack-dir", default=os.environ.get("STACK_DIR", os.path.join(REPO, ".stack")))
    parser.add_argument("--seed-prefix", default="nb", help="name prefix of the seeded NetBox objects (stack/seed.py --prefix)")
    parser.add_argument("--profile", action="store_true", help="py-spy profile of ours in the largest no-op and create")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 1
        args.zabbix_host_forks = "5"
        args.competitor_max = min(args.competitor_max, 200)
    return args


# --------------------------------------------------------------------------- stack
class Stack:
    def __init__(self, stack_dir: str, version: str) -> None:
        self.dir, self.version = stack_dir, version
        self.zabbix_env = read_env_file(os.path.join(stack_dir, f"zabbix-{version}.env"))
        netbox_env = os.path.join(stack_dir, "netbox.env")
        self.netbox_env = read_env_file(netbox_env) if os.path.exists(netbox_env) else {}
        self.py = os.path.join(REPO, ".venv", "bin", "python")

    def reset_zabbix(self) -> None:
        sh([os.path.join(REPO, "stack", "zabbix.sh"), "reset", self.version], timeout=300)
        self.clear_netbox_hostids()

    def clear_netbox_hostids(self) -> None:
        """Zabbix is empty now: no HostConfig may keep pointing at a host it had."""
        if not self.netbox_env.get("NETBOX_VENV"):
            return
        # the fixture plugin is on NetBox's PYTHONPATH (stack/netbox.sh), not in its venv
        env = dict(os.environ, NETBOX_ROOT=self.netbox_env["NETBOX_ROOT"], DISABLE_NETBOX_ZABBIX_SIGNALS="1",
                   PYTHONPATH=os.path.join(REPO, "tests", "netbox_plugin"))
        sh([os.path.join(self.netbox_env["NETBOX_VENV"], "bin", "python"), os.path.join(REPO, "bench", "clear_hostids.py")],
           timeout=600, env=env)

    def remove_seed(self, prefix: str) -> None:
        """Leave the stack as the tests expect it: no benchmark HostConfigs, a pristine Zabbix."""
        sh([os.path.join(REPO, "stack", "netbox.sh"), "seed", "--count", "0", "--reset", "--prefix", prefix], timeout=3600)
        self.reset_zabbix()

    def fixtures(self, path: str) -> dict[str, Any]:
        out = sh([self.py, os.path.join(REPO, "stack", "zabbix_fixtures.py"), "--env-file",
                  os.path.join(self.dir, f"zabbix-{self.version}.env")])
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(out)
        return json.loads(out)

    def seed(self, size: int, fixtures_file: str, prefix: str) -> dict[str, Any]:
        out = sh([os.path.join(REPO, "stack", "netbox.sh"), "seed", "--count", str(size), "--zabbix-fixtures",
                  fixtures_file, "--reset", "--prefix", prefix], timeout=3600)
        start = out.find("\n{") + 1 if not out.startswith("{") else 0
        try:
            return json.loads(out[start:]) if "{" in out else {}
        except ValueError:
            return {"output": out[-500:]}


# --------------------------------------------------------------------------- proxy overhead
def measure_proxy_overhead(direct_url: str, proxied_url: str, token: str, calls: int = 50) -> dict[str, Any]:
    """Mean time of a small JSON-RPC call (apiinfo.version) direct vs through the proxy."""
    import requests

    body = {"jsonrpc": "2.0", "method": "apiinfo.version", "params": {}, "id": 1}

    def timed(url: str) -> float:
        session = requests.Session()
        session.post(f"{url}/api_jsonrpc.php", json=body, timeout=30)  # warm the connection
        started = time.perf_counter()
        for _ in range(calls):
            session.post(f"{url}/api_jsonrpc.php", json=body, timeout=30)
        return (time.perf_counter() - started) / calls

    timed(direct_url)
    direct = statistics.median(timed(direct_url) for _ in range(3))
    proxied = statistics.median(timed(proxied_url) for _ in range(3))
    return {"calls": calls, "direct_ms": round(direct * 1000, 2), "proxied_ms": round(proxied * 1000, 2),
            "overhead_ms": round((proxied - direct) * 1000, 2)}


# --------------------------------------------------------------------------- one scenario
class Recorder:
    def __init__(self, path: str, meta: dict[str, Any]) -> None:
        self.path = path
        self.data: dict[str, Any] = {"meta": meta, "results": [], "inventory": [], "notes": []}

    def add(self, entry: dict[str, Any]) -> None:
        self.data["results"].append(entry)
        self.save()

    def save(self) -> None:
        tmp = f"{self.path}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(self.data, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.path)


def run_scenario(ctx: Context, tool: Tool, scenario: str, tag: str, api: Any) -> dict[str, Any]:
    ctx.zabbix_proxy.reset()
    ctx.netbox_proxy.reset()
    load_before = os.getloadavg()[0]
    measured: Measured = tool.run(ctx, scenario, tag)
    zstats = summarise_zabbix(ctx.zabbix_proxy.stats())
    nstats = summarise_netbox(ctx.netbox_proxy.stats())
    entry = {
        "tool": tool.name, "label": tool.label, "size": ctx.size, "scenario": scenario, "tag": tag,
        **measured.as_dict(), "zabbix": zstats, "netbox": nstats, "ok": measured.returncode == 0,
        # The 1-minute load average before and after: other work on the machine skews the numbers.
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if measured.returncode != 0:
        entry["error_tail"] = tail(measured.log)
        log(f"  !! {tool.name} {scenario} exited {measured.returncode}; log {measured.log}")
    entry["zabbix_hosts_after"] = zbx.count_hosts(api) - ctx.pristine_hosts
    log(f"  {tool.name:16} {scenario:6} N={ctx.size:<6} {measured.seconds:8.2f}s  rss {measured.peak_tree_rss / 2**20:7.0f} MiB"
        f"  zbx {zstats['requests']:>6} req ({zstats['writes']} writes)  nb {nstats['requests']:>6} req")
    return entry


def run_tool(ctx: Context, tool: Tool, scenarios: list[str], runs: int, api: Any, stack: Stack,
             rec: Recorder) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    stack.reset_zabbix()
    pristine = set(zbx.snapshot(api, ctx.zabbix_major))  # e.g. "Zabbix server": not the tool's
    ctx.pristine_hosts = len(pristine)
    tool.prepare(ctx)
    names = [d["host"] for d in ctx.desired]

    def record(entry: dict[str, Any]) -> None:
        entries.append(entry)
        rec.add(entry)

    # Every scenario `runs` times (the report's rows are medians, 10,000 hosts included). A repeated
    # first sync starts again from an empty Zabbix and HostConfigs without host IDs.
    if "create" in scenarios:
        for r in range(runs):
            if r:
                stack.reset_zabbix()
            entry = run_scenario(ctx, tool, "create", f"r{r}", api)
            entry["expected_hosts"] = len(names)
            record(entry)
    baseline = {k: v for k, v in zbx.snapshot(api, ctx.zabbix_major).items() if k not in pristine}
    if "noop" in scenarios:
        for r in range(runs):
            # ours: the host-config pages alone right before, under the same load (its floor)
            floor = run_hostconfig_floor(ctx) if tool.name == "ours" else None
            entry = run_scenario(ctx, tool, "noop", f"r{r}", api)
            if floor:
                entry["hostconfig_floor"] = floor["seconds"]
                log(f"  {'':16} host-config pages alone {floor['seconds']:.2f}s: no-op is "
                    f"{entry['seconds'] / floor['seconds']:.2f}x that")
            record(entry)
    if "drift" in scenarios:
        for r in range(runs):
            targets = zbx.drift_targets(list(baseline))
            kinds = zbx.apply_drift(api, ctx.zabbix_major, targets, round_no=r + 1)
            entry = run_scenario(ctx, tool, "drift", f"r{r}", api)
            after = {k: v for k, v in zbx.snapshot(api, ctx.zabbix_major).items() if k not in pristine}
            entry.update({"drifted_hosts": len(targets), "drift_kinds": kinds,
                          "residual_drift": len(zbx.differing_hosts(baseline, after))})
            record(entry)
    if "check" in scenarios and tool.supports_check:
        for r in range(runs):
            targets = zbx.drift_targets(list(baseline))
            zbx.apply_drift(api, ctx.zabbix_major, targets, round_no=100 + r)
            before = zbx.snapshot(api, ctx.zabbix_major)
            entry = run_scenario(ctx, tool, "check", f"r{r}", api)
            after = zbx.snapshot(api, ctx.zabbix_major)
            entry.update({"drifted_hosts": len(targets), "changed_by_check": len(zbx.differing_hosts(before, after))})
            record(entry)
    return entries


def probe_forks(ctx: Context, api: Any, rec: Recorder, limit: int) -> int:
    """No-op runs of zabbix_host with several fork counts on the first `limit` hosts (they
    exist): the fastest wins."""
    timings = {}
    repair = ZabbixHost(max(FORK_CANDIDATES), limit=limit)
    repair.prepare(ctx)
    repair.run(ctx, "noop", "probe-repair")  # undo the check scenario's drift first, unrecorded
    for forks in FORK_CANDIDATES:
        tool = ZabbixHost(forks, limit=limit)
        tool.prepare(ctx)
        entry = run_scenario(ctx, tool, "noop", f"probe-f{forks}", api)
        entry["scenario"] = "forks-probe"
        entry["forks"] = forks
        rec.add(entry)
        if entry["ok"]:
            timings[forks] = entry["seconds"]
    best = min(timings, key=timings.get) if timings else 5
    log(f"  zabbix_host fork probe at N={ctx.size}: {timings} -> best {best}")
    rec.data["meta"]["zabbix_host_best_forks"] = best
    rec.data["meta"]["zabbix_host_fork_probe"] = {"size": ctx.size, "hosts": min(limit, len(ctx.desired)), "seconds": timings}
    return best


# --------------------------------------------------------------------------- main
def stop_on_sigterm() -> None:
    """SIGTERM ends the run like Ctrl-C: the proxies stop and the partial results are written."""
    import signal

    def handler(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    tool_names = []
    for name in (t for t in args.tools.split(",") if t):
        tool_names.extend(PER_HOST_TOOLS if name == "per_host" else [name])
    scenarios = [s for s in args.scenarios.split(",") if s]
    forks_spec = [f for f in args.zabbix_host_forks.split(",") if f]
    want_best = "best" in forks_spec
    fixed_forks = sorted({int(f) for f in forks_spec if f != "best"})

    stack = Stack(args.stack_dir, args.zabbix)
    os.makedirs(args.output, exist_ok=True)
    run_id = time.strftime("%Y%m%d-%H%M%S")
    rundir = os.path.join(CACHE, "runs", run_id)
    os.makedirs(rundir, exist_ok=True)
    meta = {"run_id": run_id, "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "sizes": sizes,
            "tools": tool_names, "runs": args.runs, "zabbix": args.zabbix, "quick": args.quick,
            "competitor_max": args.competitor_max, "zabbix_host_max": args.zabbix_host_max or args.competitor_max,
            "nzs_max": args.nzs_max or args.competitor_max, "machine": machine_info(), "workdir": rundir,
            "argv": list(argv)}  # the report prints the command that reproduces the run
    rec = Recorder(os.path.join(args.output, "latest.json"), meta)
    log(f"run {run_id}: sizes {sizes}, tools {tool_names}, Zabbix {args.zabbix}; logs in {rundir}")

    zproxy = start_proxy("zabbix", stack.zabbix_env["ZABBIX_URL"].rstrip("/"), rundir)
    nproxy = start_proxy("netbox", stack.netbox_env["NETBOX_API"].rstrip("/").removesuffix("/api"), rundir)
    try:
        api, major = zbx.connect(stack.zabbix_env["ZABBIX_URL"], stack.zabbix_env["ZABBIX_TOKEN"])
        meta["zabbix_version"] = str(api.version)
        meta["proxy_overhead"] = measure_proxy_overhead(stack.zabbix_env["ZABBIX_URL"].rstrip("/"), zproxy.url,
                                                        stack.zabbix_env["ZABBIX_TOKEN"])
        log(f"proxy overhead: {meta['proxy_overhead']}")
        for size in sizes:
            run_size(size, args, stack, api, major, zproxy, nproxy, rundir, rec, tool_names, scenarios, fixed_forks,
                     want_best)
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc}): writing the partial results")
        rec.data["notes"].append(f"run interrupted ({exc}); partial results")
    finally:
        zproxy.stop()
        nproxy.stop()
    rec.data["meta"]["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    rec.save()
    report.write_all(rec.data, args.output)
    log(f"removing the benchmark's data (prefix {args.seed_prefix}) and resetting Zabbix {args.zabbix}")
    stack.remove_seed(args.seed_prefix)
    log(f"results: {args.output}/latest.md, latest.png, latest.json")
    return 0


def run_size(size: int, args: argparse.Namespace, stack: Stack, api: Any, major: float, zproxy: Proxy, nproxy: Proxy,
             rundir: str, rec: Recorder, tool_names: list[str], scenarios: list[str], fixed_forks: list[int],
             want_best: bool) -> None:
    workdir = os.path.join(rundir, f"n{size}")
    os.makedirs(os.path.join(workdir, "logs"), exist_ok=True)
    log(f"N={size}: reset Zabbix, seed NetBox")
    stack.reset_zabbix()
    fixtures_file = os.path.join(workdir, "fixtures.json")
    stack.fixtures(fixtures_file)
    started = time.perf_counter()
    seed = stack.seed(size, fixtures_file, args.seed_prefix)
    log(f"  seeded in {time.perf_counter() - started:.1f}s: {seed}")
    ctx = Context(size=size, workdir=workdir, zabbix_url=stack.zabbix_env["ZABBIX_URL"],
                  zabbix_token=stack.zabbix_env["ZABBIX_TOKEN"], netbox_api=stack.netbox_env["NETBOX_API"],
                  netbox_token=stack.netbox_env["NETBOX_TOKEN"], zabbix_proxy=zproxy, netbox_proxy=nproxy,
                  zabbix_major=major, netbox_env=stack.netbox_env, seed_prefix=args.seed_prefix)

    # Our inventory, read alone: its cost (--graph), and the desired state everyone else gets (--list).
    inventory: dict[str, Any] = {}
    for r, mode in [(r, "graph") for r in range(args.runs)] + [(0, "list")]:
        # The floor of the inventory: its host-config pages alone, right before, under the same load.
        floor = run_hostconfig_floor(ctx) if mode == "graph" else None
        zproxy.reset()
        nproxy.reset()
        load_before = os.getloadavg()[0]
        measured, data = run_ours_inventory(ctx, f"r{r}", mode)
        entry = {"size": size, "tag": f"r{r}", "mode": mode, **measured.as_dict(),
                 "netbox": summarise_netbox(nproxy.stats()), "zabbix": summarise_zabbix(zproxy.stats()),
                 "ok": measured.returncode == 0, "load": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
        if floor:
            entry["hostconfig_floor"] = floor["seconds"]
            log(f"  host-config pages alone N={size}: {floor['seconds']:.2f}s ({floor['requests']} requests)")
        rec.data["inventory"].append(entry)
        rec.save()
        log(f"  inventory --{mode} N={size}: {measured.seconds:.2f}s, NetBox {entry['netbox']['requests']} requests")
        if measured.returncode != 0:
            raise RuntimeError(f"ansible-inventory failed: {tail(measured.log)}")
        if mode == "list":
            inventory = zbx.unwrap_unsafe(data)
    hostvars = inventory.get("_meta", {}).get("hostvars", {})
    ctx.desired = zbx.desired_from_inventory(inventory)
    ctx.desired_file = os.path.join(workdir, "desired.json")
    with open(ctx.desired_file, "w", encoding="utf-8") as handle:
        json.dump(ctx.desired, handle)
    ctx.hosts_file = os.path.join(workdir, "hosts.json")
    with open(ctx.hosts_file, "w", encoding="utf-8") as handle:
        json.dump([{"object_type": hv["netbox_hostconfig"]["object_type"], "object_id": hv["netbox_hostconfig"]["object_id"],
                    "zabbix_host": hv["zabbix_host"]} for hv in hostvars.values()
                   if hv.get("zabbix_host_valid", True) and hv.get("netbox_hostconfig")], handle)
    log(f"  desired state: {len(ctx.desired)} valid hosts of {len(hostvars)}")

    caps = {"zabbix_host": args.zabbix_host_max or args.competitor_max, "nzs": args.nzs_max or args.competitor_max}
    order = [n for n in ("ours", "floor", "zabbix_host", "nzs") if n in tool_names]
    per_host = [n for n in PER_HOST_TOOLS if n in tool_names]
    for name in order:
        if name in caps and size > caps[name]:
            log(f"  {name}: skipped at N={size} (largest N for it: {caps[name]}; extrapolated in the report)")
            continue
        runs = args.runs if name in ("ours", "floor") else 1
        if name == "zabbix_host":
            forks = list(fixed_forks) or [5]
            for fork in forks:
                run_tool(ctx, ZabbixHost(fork), scenarios, runs, api, stack, rec)
            if want_best:
                # The hosts exist now (from the last run): probe on them once, at the first size.
                best = rec.data["meta"].get("zabbix_host_best_forks") or probe_forks(ctx, api, rec, args.probe_hosts)
                if best not in forks:
                    run_tool(ctx, ZabbixHost(best), scenarios, runs, api, stack, rec)
            continue
        for tool in make_tools([name], []):
            try:
                run_tool(ctx, tool, scenarios, runs, api, stack, rec)
            except Exception as exc:  # one broken tool must not lose the others' numbers
                log(f"  !! {tool.name} failed at N={size}: {exc}")
                rec.data["notes"].append(f"{tool.name} N={size}: {exc}")
                rec.save()
            if getattr(tool, "prepare_summary", None):
                rec.data["meta"].setdefault("nzs_prepare", {})[str(size)] = tool.prepare_summary
            if name == "ours" and args.profile and size == max(int(x) for x in args.sizes.split(",")):
                from .profile import profile_ours

                rec.data["profile"] = profile_ours(ctx, stack, api)
                rec.save()
    if per_host and size > args.per_host_max:
        log(f"  per-host mode: skipped at N={size} (largest N for it: {args.per_host_max})")
    elif per_host:
        run_per_host(ctx, per_host, args, api, stack, rec)


def run_per_host(ctx: Context, names: list[str], args: argparse.Namespace, api: Any, stack: Stack, rec: Recorder) -> None:
    """Per-host mode against Ansible's floor. The floor runs right before each per-host tool,
    so that both see the same load on this shared machine; the report takes the median of all
    its runs."""
    runs = args.runs  # per-host mode runs only up to --per-host-max
    scenarios = [s for s in args.per_host_scenarios.split(",") if s]
    floor = make_tools(["set_fact_floor"], [])[0] if "set_fact_floor" in names else None
    tools = make_tools([n for n in names if n != "set_fact_floor"], [])
    for tool in tools or [None]:
        if floor is not None:
            for r in range(runs):
                rec.add(run_scenario(ctx, floor, "floor", f"{tool.name if tool else 'alone'}-r{r}", api))
        if tool is None:
            continue
        try:
            run_tool(ctx, tool, scenarios, runs, api, stack, rec)
        except Exception as exc:  # one broken tool must not lose the others' numbers
            log(f"  !! {tool.name} failed at N={ctx.size}: {exc}")
            rec.data["notes"].append(f"{tool.name} N={ctx.size}: {exc}")
            rec.save()


def machine_info() -> dict[str, Any]:
    import platform

    import psutil

    return {"cpus": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "kernel": platform.release()}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
