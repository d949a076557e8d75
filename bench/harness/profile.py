"""Where ours spends its time: py-spy over the whole ansible-playbook process tree.

`py-spy record --subprocesses --format raw` writes collapsed stacks (``a;b;c 12``); from
them we count, per function, the samples where it is on top (self) and anywhere on the
stack (inclusive). A flame graph (SVG) is written next to it for people.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any

from . import zbx
from .measure import run_measured
from .tools import BENCH_VENV, OURS_PLAYBOOK, PROJECT_VENV, REPO, Context, ours_env, write_ours_inventory

LINE_NUMBER = re.compile(r":\d+\)$")


def top_costs(raw_path: str, limit: int = 15) -> dict[str, Any]:
    self_counts: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    with open(raw_path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack or not count.isdigit():
                continue
            n = int(count)
            total += n
            # Drop line numbers so one function is one entry.
            frames = [LINE_NUMBER.sub(")", f) for f in stack.split(";") if " (" in f and not f.startswith("process ")]
            if not frames:
                continue
            self_counts[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n
    share = lambda n: round(100 * n / total, 1) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "self": [{"function": f, "percent": share(n)} for f, n in self_counts.most_common(limit)],
        "inclusive": [{"function": f, "percent": share(n)} for f, n in inclusive.most_common(limit * 2)],
    }


def profile_ours(ctx: Context, stack: Any, api: Any, scenarios: tuple[str, ...] = ("create", "noop"),
                 reset: bool = True) -> dict[str, Any]:
    """Profile ours at this size: by default a create on a pristine Zabbix, then a no-op.
    With reset=False it starts from whatever Zabbix holds (the first run repairs, the second
    is a no-op)."""
    out: dict[str, Any] = {"size": ctx.size}
    py_spy = os.path.join(BENCH_VENV, "bin", "py-spy")
    inventory = write_ours_inventory(ctx)
    if reset:
        stack.reset_zabbix()
    for scenario in scenarios:
        base = os.path.join(ctx.workdir, f"profile-ours-{scenario}")
        argv = [py_spy, "record", "--subprocesses", "--rate", "50", "--format", "raw", "-o", f"{base}.txt", "--",
                f"{PROJECT_VENV}/bin/ansible-playbook", "-i", inventory, OURS_PLAYBOOK]
        measured = run_measured(argv, f"{base}.log", env=ours_env(ctx), cwd=REPO)
        entry: dict[str, Any] = {"seconds": round(measured.seconds, 2), "returncode": measured.returncode,
                                 "raw": f"{base}.txt"}
        if os.path.exists(f"{base}.txt"):
            entry.update(top_costs(f"{base}.txt"))
        out[scenario] = entry
    out["hosts_after"] = zbx.count_hosts(api)
    return out


def main(argv: list[str]) -> int:
    """Profile ours on the data the stack holds now (after a bench run): no reseeding.

    python -m harness.profile --size 1000 --output profile.json   (from bench/, bench venv)
    """
    import argparse
    import json
    import time

    from .main import Stack
    from .proxies import start_proxy
    from .tools import CACHE

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True, help="N the stack was seeded with (for the label)")
    parser.add_argument("--zabbix", default="7.0")
    parser.add_argument("--stack-dir", default=os.environ.get("STACK_DIR", os.path.join(REPO, ".stack")))
    parser.add_argument("--seed-prefix", default="nb")
    parser.add_argument("--output", required=True, help="JSON file ({'meta', 'results': [], 'profile'})")
    args = parser.parse_args(argv)
    stack = Stack(args.stack_dir, args.zabbix)
    workdir = os.path.join(CACHE, "runs", f"profile-{time.strftime('%Y%m%d-%H%M%S')}")
    os.makedirs(workdir, exist_ok=True)
    zproxy = start_proxy("zabbix", stack.zabbix_env["ZABBIX_URL"].rstrip("/"), workdir)
    nproxy = start_proxy("netbox", stack.netbox_env["NETBOX_API"].rstrip("/").removesuffix("/api"), workdir)
    try:
        api, major = zbx.connect(stack.zabbix_env["ZABBIX_URL"], stack.zabbix_env["ZABBIX_TOKEN"])
        ctx = Context(size=args.size, workdir=workdir, zabbix_url=stack.zabbix_env["ZABBIX_URL"],
                      zabbix_token=stack.zabbix_env["ZABBIX_TOKEN"], netbox_api=stack.netbox_env["NETBOX_API"],
                      netbox_token=stack.netbox_env["NETBOX_TOKEN"], zabbix_proxy=zproxy, netbox_proxy=nproxy,
                      zabbix_major=major, netbox_env=stack.netbox_env, seed_prefix=args.seed_prefix)
        result = profile_ours(ctx, stack, api, scenarios=("repair", "noop"), reset=False)
    finally:
        zproxy.stop()
        nproxy.stop()
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump({"meta": {"run_id": os.path.basename(workdir), "sizes": [], "tools": ["ours"]}, "results": [],
                   "inventory": [], "notes": [], "profile": result}, handle, indent=1)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
