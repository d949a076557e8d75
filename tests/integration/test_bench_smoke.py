"""`make bench` keeps working: a small smoke of bench/run.sh (not a timed test).

N = 20 HostConfigs, our playbook and the floor only, one run each of create / no-op /
drift / check, on the running stack. It asserts that the result files are written and
that the counts are sane (a no-op makes no Zabbix writes, create makes every host, check
mode changes nothing), not how fast anything is.

It seeds its own objects (prefix `bsmk`) and removes them afterwards; Zabbix is reset to
its pristine database before and after (stack/zabbix.sh reset).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
STACK_DIR = Path(os.environ.get("STACK_DIR") or REPO / ".stack")
ZABBIX_VERSION = "7.0"
ENV_FILES = (STACK_DIR / f"zabbix-{ZABBIX_VERSION}.env", STACK_DIR / "netbox.env")
PREFIX = "bsmk"
SIZE = 20

pytestmark = pytest.mark.integration

missing = [str(f) for f in ENV_FILES if not f.is_file()]
if missing:
    pytest.skip(f"the stack is not running: {', '.join(missing)} missing (stack/stack.sh up)", allow_module_level=True)


def run(argv: list[str], timeout: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, STACK_DIR=str(STACK_DIR))
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    proc = run(["bench/run.sh", "--no-stack-up", "--sizes", str(SIZE), "--tools", "ours,floor", "--runs", "1",
                "--zabbix", ZABBIX_VERSION, "--seed-prefix", PREFIX, "--output", str(out)], timeout=1500)
    try:
        assert proc.returncode == 0, f"bench/run.sh failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        data = json.loads((out / "latest.json").read_text(encoding="utf-8"))
        data["_out"] = out
        yield data
    finally:
        run(["stack/netbox.sh", "seed", "--reset", "--count", "0", "--prefix", PREFIX], timeout=600)
        run(["stack/zabbix.sh", "reset", ZABBIX_VERSION], timeout=300)


def entry(data: dict[str, Any], tool: str, scenario: str) -> dict[str, Any]:
    found = [e for e in data["results"] if e["tool"] == tool and e["scenario"] == scenario]
    assert found, f"no {tool} {scenario} result"
    return found[0]


def test_result_files_are_written(results: dict[str, Any]) -> None:
    out: Path = results["_out"]
    table = (out / "latest.md").read_text(encoding="utf-8")
    assert "## Targets" in table and "| no-op sync |" in table
    assert (out / "latest.png").stat().st_size > 10_000


@pytest.mark.parametrize("tool", ["ours", "floor"])
def test_every_scenario_ran_cleanly(results: dict[str, Any], tool: str) -> None:
    for scenario in ("create", "noop", "drift", "check"):
        e = entry(results, tool, scenario)
        assert e["ok"], e.get("error_tail")
        assert e["zabbix"]["requests"] > 0
        assert e["peak_tree_rss"] > 0


@pytest.mark.parametrize("tool", ["ours", "floor"])
def test_counts_are_sane(results: dict[str, Any], tool: str) -> None:
    create = entry(results, tool, "create")
    assert create["expected_hosts"] > 0
    assert create["zabbix_hosts_after"] == create["expected_hosts"]
    assert create["zabbix"]["writes"] >= 1

    noop = entry(results, tool, "noop")
    assert noop["zabbix"]["writes"] == 0, noop["zabbix"]["write_methods"]

    drift = entry(results, tool, "drift")
    assert drift["drifted_hosts"] >= 1
    assert drift["zabbix"]["writes"] >= 1
    assert drift["residual_drift"] == 0

    check = entry(results, tool, "check")
    assert check["zabbix"]["writes"] == 0, check["zabbix"]["write_methods"]
    assert check["changed_by_check"] == 0


def test_ours_reads_netbox_through_the_proxy(results: dict[str, Any]) -> None:
    assert entry(results, "ours", "noop")["netbox"]["requests"] > 0
    inventory = [e for e in results["inventory"] if e["ok"]]
    assert inventory and inventory[0]["netbox"]["requests"] > 0
    overhead = results["meta"]["proxy_overhead"]
    assert overhead["proxied_ms"] > 0


def test_the_host_config_floor_is_printed_beside_graph_and_noop(results: dict[str, Any]) -> None:
    graph = [e for e in results["inventory"] if e["ok"] and e.get("mode") == "graph"]
    assert graph and all(e["hostconfig_floor"] > 0 for e in graph)
    assert entry(results, "ours", "noop")["hostconfig_floor"] > 0
    table = (results["_out"] / "latest.md").read_text(encoding="utf-8")
    assert "## Against the host-config floor" in table
    assert "| inventory --graph |" in table and "| no-op sync |" in table.split("## Against the host-config floor")[1]
