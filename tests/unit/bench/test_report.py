"""bench/harness/report.py: what the results table says about the runs behind it."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from harness import report  # noqa: E402  (bench/ is not a package of the collection)


def run(scenario: str, seconds: float, tag: str) -> dict:
    return {"ok": True, "tool": "ours", "scenario": scenario, "size": 10000, "seconds": seconds, "tag": tag,
            "label": "ours", "zabbix": {"requests": 75, "writes": 40}, "netbox": {"requests": 21069, "writes": 20994},
            "cpu_seconds": 190.0, "peak_tree_rss": 1, "peak_single_rss": 1}


def test_every_create_run_counts_towards_the_median() -> None:
    """Each create starts from a reset Zabbix and cleared host IDs: all of them are first syncs."""
    results = [run("create", 1200.0, "r0"), run("create", 1100.0, "r1"), run("create", 1150.0, "r2"),
               run("noop", 40.0, "r0"), run("noop", 38.0, "r1"), run("noop", 47.0, "r2")]
    medians = report.medians(results)
    assert (medians[("ours", "create", 10000)]["seconds"], medians[("ours", "create", 10000)]["runs"]) == (1150.0, 3)
    assert (medians[("ours", "noop", 10000)]["seconds"], medians[("ours", "noop", 10000)]["runs"]) == (40.0, 3)


def test_the_printed_command_leaves_out_where_this_machine_keeps_things() -> None:
    meta = {"argv": ["--stack-dir", "/work/x/.stack", "--sizes", "1000,10000", "--output=/tmp/out", "--runs", "3"]}
    assert report.reproduce_command(meta) == "bench/run.sh --sizes 1000,10000 --runs 3"
