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


def profile_ours(ctx: Context, stack: Any, api: Any) -> dict[str, Any]:
    """Profile a create (on a pristine Zabbix) and then a no-op of ours at this size."""
    out: dict[str, Any] = {"size": ctx.size}
    py_spy = os.path.join(BENCH_VENV, "bin", "py-spy")
    inventory = write_ours_inventory(ctx)
    stack.reset_zabbix()
    for scenario in ("create", "noop"):
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
