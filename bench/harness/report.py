"""bench/results/latest.md (tables, targets) and latest.png (time vs N) from latest.json."""
from __future__ import annotations

import os
import shlex
import statistics
from collections import defaultdict
from typing import Any

SCENARIO_TITLES = {"create": "first sync (create)", "noop": "no-op sync", "drift": "10 % drift repaired",
                   "check": "check mode (dry run) on 10 % drift"}
GIB = 2**30
MIB = 2**20


# --------------------------------------------------------------------------- aggregation
def medians(results: list[dict[str, Any]]) -> dict[tuple[str, str, int], dict[str, Any]]:
    """(tool, scenario, size) -> median seconds and the run entries behind it."""
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = defaultdict(list)
    for entry in results:
        if entry.get("ok") and entry["scenario"] in SCENARIO_TITLES:
            groups[(entry["tool"], entry["scenario"], entry["size"])].append(entry)
    out = {}
    for key, entries in groups.items():
        # Every create is a first sync: before each one the harness resets Zabbix and clears the
        # host IDs and interface IDs written back to NetBox (Stack.reset_zabbix).
        out[key] = {
            "seconds": statistics.median(e["seconds"] for e in entries),
            "runs": len(entries),
            "label": entries[0]["label"],
            "zabbix_requests": statistics.median(e["zabbix"]["requests"] for e in entries),
            "zabbix_writes": statistics.median(e["zabbix"]["writes"] for e in entries),
            "netbox_requests": statistics.median(e["netbox"]["requests"] for e in entries),
            "netbox_writes": statistics.median(e["netbox"]["writes"] for e in entries),
            "cpu_seconds": statistics.median(e["cpu_seconds"] for e in entries) if all("cpu_seconds" in e for e in entries) else None,
            "peak_tree_rss": max(e["peak_tree_rss"] for e in entries),
            "peak_single_rss": max(e["peak_single_rss"] for e in entries),
            "residual_drift": max((e.get("residual_drift", 0) for e in entries), default=0),
            "changed_by_check": max((e.get("changed_by_check", 0) for e in entries), default=0),
            "hosts_after": entries[-1].get("zabbix_hosts_after"),
            "expected_hosts": entries[-1].get("expected_hosts"),
        }
    return out


def inventory_medians(entries: list[dict[str, Any]], mode: str = "graph") -> dict[int, dict[str, Any]]:
    """Per N: `ansible-inventory --graph` runs (older results only have --list ones)."""
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in entries:
        if e.get("ok"):
            groups[e["size"]].append(e)
    for size, es in groups.items():
        chosen = [e for e in es if e.get("mode", "list") == mode]
        groups[size] = chosen or es
    return {size: {"seconds": statistics.median(e["seconds"] for e in es),
                   "netbox_requests": statistics.median(e["netbox"]["requests"] for e in es),
                   "peak_tree_rss": max(e["peak_tree_rss"] for e in es), "runs": len(es)}
            for size, es in groups.items()}


HOSTCONFIG_FLOOR_FACTOR = 1.3  # issue 16: --graph and the no-op within 1.3x of the host-config pages alone


def hostconfig_floor_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Per run of --graph and of ours' no-op: its seconds beside the host-config pages alone, measured right before."""
    rows = []
    for e in data.get("inventory", []):
        if e.get("ok") and e.get("hostconfig_floor"):
            rows.append({"what": "inventory --graph", "size": e["size"], "seconds": e["seconds"],
                         "floor": e["hostconfig_floor"], "load": (e.get("load") or [None])[0]})
    for e in data.get("results", []):
        if e.get("ok") and e.get("hostconfig_floor") and e.get("scenario") == "noop":
            rows.append({"what": "no-op sync", "size": e["size"], "seconds": e["seconds"],
                         "floor": e["hostconfig_floor"], "load": (e.get("load") or [None])[0]})
    return sorted(rows, key=lambda r: (r["size"], r["what"]))


PER_HOST_TARGETS = {"noop": 30.0, "drift": 35.0}  # seconds at N = 1,000 (issue 15)
PER_HOST_FLOOR_FACTOR = 2.0


def floor_medians(results: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Per N: Ansible's per-host floor (set_fact over the same hosts), median of its runs."""
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in results:
        if entry.get("ok") and entry["tool"] == "set_fact_floor" and entry["scenario"] == "floor":
            groups[entry["size"]].append(entry)
    out = {}
    for size, entries in groups.items():
        seconds = [e["seconds"] for e in entries]
        cpu = [e["cpu_seconds"] for e in entries if "cpu_seconds" in e]
        out[size] = {"seconds": statistics.median(seconds), "runs": len(seconds), "min": min(seconds), "max": max(seconds),
                     "cpu_seconds": statistics.median(cpu) if cpu else None}
    return out


def per_host_rows(med: dict, floors: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for (tool, scenario, size), value in sorted(med.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
        if tool not in ("ours_per_host", "user_playbook", "user_playbook_host_var"):
            continue
        floor = floors.get(size, {}).get("seconds")
        floor_cpu = floors.get(size, {}).get("cpu_seconds")
        cpu = value.get("cpu_seconds")
        rows.append({"tool": tool, "label": value["label"], "scenario": scenario, "size": size, "seconds": value["seconds"],
                     "runs": value["runs"], "floor": floor, "ratio": value["seconds"] / floor if floor else None,
                     "cpu": cpu, "floor_cpu": floor_cpu, "cpu_ratio": cpu / floor_cpu if (cpu and floor_cpu) else None,
                     "batch": med.get(("ours", scenario, size), {}).get("seconds")})
    return rows


def estimate(med: dict, tool: str, scenario: str, size: int) -> tuple[float | None, bool]:
    """Measured median, or a linear extrapolation from the largest measured N (flag True)."""
    if (tool, scenario, size) in med:
        return med[(tool, scenario, size)]["seconds"], False
    measured = sorted(s for (t, sc, s) in med if t == tool and sc == scenario)
    if not measured or measured[-1] > size:
        return None, False
    base = measured[-1]
    return med[(tool, scenario, base)]["seconds"] * size / base, True


def competitor_tools(med: dict, prefix: str) -> list[str]:
    return sorted({t for (t, _, _) in med if t.startswith(prefix)}, key=lambda t: int(t.rsplit("f", 1)[-1]) if t[-1].isdigit() else 0)


def fastest_variant(med: dict, prefix: str, scenario: str, size: int) -> tuple[str | None, float | None, bool]:
    best: tuple[str | None, float | None, bool] = (None, None, False)
    for tool in competitor_tools(med, prefix):
        value, extrapolated = estimate(med, tool, scenario, size)
        if value is not None and (best[1] is None or value < best[1]):
            best = (tool, value, extrapolated)
    return best


# --------------------------------------------------------------------------- formatting
def fmt_s(value: float | None, extrapolated: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:.1f}" if value >= 10 else f"{value:.2f}"
    return f"~{text}\\*" if extrapolated else text


def fmt_ratio(ours: float | None, theirs: float | None, extrapolated: bool = False) -> str:
    if not ours or not theirs:
        return "–"
    mark = "\\*" if extrapolated else ""
    return f"{ours / theirs:.3f} ({theirs / ours:.0f}× faster){mark}" if theirs > ours else f"{ours / theirs:.2f}{mark}"


def fmt_mib(value: float | None) -> str:
    return "–" if not value else f"{value / MIB:,.0f}"


def targets(med: dict, data: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    rows: list[tuple[str, str, bool | None]] = []

    def simple(label: str, scenario: str, size: int, limit: float) -> None:
        value = med.get(("ours", scenario, size))
        rows.append((label, fmt_s(value["seconds"]) + " s" if value else "not measured",
                     (value["seconds"] <= limit) if value else None))

    simple("no-op sync of 1,000 hosts ≤ 15 s", "noop", 1000, 15)
    simple("create 1,000 hosts with a template ≤ 60 s", "create", 1000, 60)
    simple("10 % drift on 1,000 hosts ≤ 20 s", "drift", 1000, 20)
    for scenario in ("noop", "create", "drift", "check"):
        simple(f"10,000 hosts, {SCENARIO_TITLES[scenario]} ≤ 90 s", scenario, 10000, 90)
    big = [v for (t, _, s), v in med.items() if t == "ours" and s == 10000]
    if big:
        peak = max(v["peak_tree_rss"] for v in big)
        rows.append(("10,000 hosts: peak RSS (process tree) ≤ 1.5 GiB", f"{peak / GIB:.2f} GiB", peak <= 1.5 * GIB))
    else:
        rows.append(("10,000 hosts: peak RSS (process tree) ≤ 1.5 GiB", "not measured", None))
    floors = floor_medians(data["results"])
    for row in per_host_rows(med, floors):
        limit = PER_HOST_TARGETS.get(row["scenario"])
        if limit is None or row["size"] != 1000:
            continue
        ratio = row["ratio"]
        rows.append((f"per-host, {row['label']}: {SCENARIO_TITLES[row['scenario']]} of 1,000 hosts ≤ {limit:.0f} s "
                     f"and ≤ {PER_HOST_FLOOR_FACTOR:.0f}× the set_fact floor of the same run",
                     f"{fmt_s(row['seconds'])} s, {ratio:.2f}× the floor ({fmt_s(row['floor'])} s)" if ratio else
                     f"{fmt_s(row['seconds'])} s, floor not measured",
                     row["seconds"] <= limit and ratio is not None and ratio <= PER_HOST_FLOOR_FACTOR))
    ours_sizes = sorted({s for (t, _, s) in med if t == "ours"})
    for prefix, factor, name in (("zabbix_host", 50, "community.zabbix zabbix_host"), ("nzs", 5, "netbox-zabbix-sync")):
        measured_sizes = sorted({s for (t, _, s) in med if t.startswith(prefix)} & set(ours_sizes))
        if not measured_sizes:
            rows.append((f"≥ {factor}× faster than {name}", "not measured", None))
            continue
        checks = [(measured_sizes[-1], "measured")]
        if ours_sizes[-1] > measured_sizes[-1]:
            checks.append((ours_sizes[-1], f"{name} extrapolated from N={measured_sizes[-1]:,}"))
        for size, how in checks:
            speedups = []
            for scenario in ("create", "noop", "drift", "check"):
                if ("ours", scenario, size) not in med:
                    continue
                _tool, theirs, _ = fastest_variant(med, prefix, scenario, size)
                if theirs:
                    speedups.append((theirs / med[("ours", scenario, size)]["seconds"], scenario))
            if not speedups:
                continue
            worst = min(speedups)
            detail = ", ".join(f"{sc} {x:.1f}×" for x, sc in speedups)
            rows.append((f"≥ {factor}× faster than {name} (its fastest variant), N={size:,}, {how}",
                         f"worst {worst[0]:.1f}× ({detail})", worst[0] >= factor))
    return rows


def reproduce_command(meta: dict[str, Any]) -> str:
    """The exact bench/run.sh command of this run: its own argv, or (older results) every option
    that shaped the numbers, the competitors' caps included."""
    if meta.get("parts"):  # merged from separate runs: each run's command
        return " ; ".join(reproduce_command(part) for part in meta["parts"])
    if meta.get("argv") is not None:
        # --stack-dir (added by run.sh) and --output are where this machine keeps things, not what was measured
        argv, skip = [], False
        for arg in meta["argv"]:
            if skip:
                skip = False
            elif arg in ("--stack-dir", "--output"):
                skip = True
            elif not arg.startswith(("--stack-dir=", "--output=")):
                argv.append(arg)
        return shlex.join(["bench/run.sh", *argv])
    words = ["bench/run.sh", "--sizes", ",".join(map(str, meta["sizes"])), "--tools", ",".join(meta["tools"]),
             "--runs", str(meta["runs"]), "--zabbix", str(meta["zabbix"])]
    if meta.get("quick"):
        words.append("--quick")
    for option, key in (("--competitor-max", "competitor_max"), ("--zabbix-host-max", "zabbix_host_max"),
                        ("--nzs-max", "nzs_max")):
        if meta.get(key) is not None:
            words += [option, str(meta[key])]
    return shlex.join(words)


def write_markdown(data: dict[str, Any], path: str) -> None:
    meta = data["meta"]
    med = medians(data["results"])
    inv = inventory_medians(data.get("inventory", []))
    sizes = sorted({s for (_, _, s) in med} | set(inv))
    zh_tools = competitor_tools(med, "zabbix_host")
    lines: list[str] = []
    add = lines.append
    add("# Benchmark: netbox_zabbix.sync against the tools users would pick instead")
    add("")
    add(f"Run `{meta.get('run_id')}` ({meta.get('started')} – {meta.get('finished', 'unfinished')}), "
        f"Zabbix {meta.get('zabbix_version', meta.get('zabbix'))} and NetBox 4.7 on the same machine "
        f"({meta['machine']['cpus']} CPUs, {meta['machine']['memory_gib']} GiB), all on loopback. "
        f"Command that reproduces it: `{reproduce_command(meta)}`. "
        "How it is measured: [docs/benchmark.md](../../docs/benchmark.md).")
    add("")
    add("## Targets")
    add("")
    add("| target | measured | result |")
    add("|---|---|---|")
    for label, value, ok in targets(med, data):
        add(f"| {label} | {value} | {'PASS' if ok else ('FAIL' if ok is False else 'n/a')} |")
    add("")
    add("## Wall time of the whole run (seconds; median of the runs in brackets)")
    add("")
    header = ["scenario", "N", "ours", "inventory alone", "floor"] + [f"zabbix_host f{t.rsplit('f', 1)[-1]}" for t in zh_tools] + \
             ["netbox-zabbix-sync", "ours/floor", "ours/zabbix_host (best)", "ours/nzs"]
    add("| " + " | ".join(header) + " |")
    add("|" + "---|" * len(header))
    any_extrapolated = False
    for scenario in SCENARIO_TITLES:
        for size in sizes:
            ours = med.get(("ours", scenario, size))
            floor = med.get(("floor", scenario, size))
            if not ours and not floor and not any((t, scenario, size) in med for t in zh_tools) and ("nzs", scenario, size) not in med:
                continue
            inv_s = inv.get(size, {}).get("seconds")
            row = [SCENARIO_TITLES[scenario], f"{size:,}",
                   f"{fmt_s(ours['seconds'])} ({ours['runs']})" if ours else "–",
                   f"{fmt_s(inv_s)} ({100 * inv_s / ours['seconds']:.0f} %)" if (inv_s and ours) else fmt_s(inv_s),
                   f"{fmt_s(floor['seconds'])} ({floor['runs']})" if floor else "–"]
            for tool in zh_tools:
                value, ex = estimate(med, tool, scenario, size)
                any_extrapolated |= ex
                row.append(fmt_s(value, ex))
            nzs, nzs_ex = estimate(med, "nzs", scenario, size)
            any_extrapolated |= nzs_ex
            row.append(fmt_s(nzs, nzs_ex) if scenario != "check" else "no dry run")
            ours_s = ours["seconds"] if ours else None
            row.append(fmt_ratio(ours_s, floor["seconds"] if floor else None))
            _t, best_zh, best_ex = fastest_variant(med, "zabbix_host", scenario, size)
            row.append(fmt_ratio(ours_s, best_zh, best_ex))
            row.append(fmt_ratio(ours_s, nzs, nzs_ex) if scenario != "check" else "–")
            add("| " + " | ".join(row) + " |")
    add("")
    if any_extrapolated:
        add("\\* **Extrapolated**, not measured: linear in N from the largest N that tool ran at. "
            "Their cost is per host, so linear is the kind reading.")
        add("")
    add("ours/X below 1 means ours is faster. \"inventory alone\" is `ansible-inventory --graph` with our plugin, timed "
        "separately (its share of the ours run in brackets; older runs timed `--list`, which also serialises every "
        "host variable and can take longer than the whole playbook); the floor gets the desired state precomputed "
        "and does not read NetBox.")
    add("")
    hc_rows = hostconfig_floor_rows(data)
    if hc_rows:
        add("## Against the host-config floor (every run)")
        add("")
        add("The plugin's host-config list is the slow call (about 2 SQL queries a row; no prefetch in the plugin). "
            "\"host-config pages alone\" is bench/hostconfig_floor.py: the same pages read with the collection's "
            "NetBox client and nothing else, right before the run beside it. Target: within "
            f"{HOSTCONFIG_FLOOR_FACTOR}× of it.")
        add("")
        add("| run | N | seconds | host-config pages alone | × floor | load before |")
        add("|---|---|---|---|---|---|")
        for row in hc_rows:
            add(f"| {row['what']} | {row['size']:,} | {fmt_s(row['seconds'])} | {fmt_s(row['floor'])} | "
                f"{row['seconds'] / row['floor']:.2f} | {row['load'] if row['load'] is not None else '–'} |")
        add("")
    floors = floor_medians(data["results"])
    ph_rows = per_host_rows(med, floors)
    if ph_rows or floors:
        add("## Per-host mode (one task per host) against Ansible's own floor")
        add("")
        add("The floor is `set_fact` over the same hosts with the same inventory, forks and callbacks "
            "(bench/per_host/set_fact_floor.yml), measured in the same run right before each per-host tool: "
            "no per-host mode can be faster. Hosts exist beforehand (created untimed in batch mode).")
        add("")
        add("| tool | scenario | N | seconds | set_fact floor | × floor | CPU s | floor CPU s | × floor CPU | batch mode (ours) |")
        add("|---|---|---|---|---|---|---|---|---|---|")
        for row in ph_rows:
            ratio = f"{row['ratio']:.2f}" if row["ratio"] else "–"
            cpu_ratio = f"{row['cpu_ratio']:.2f}" if row["cpu_ratio"] else "–"
            add(f"| {row['label']} | {SCENARIO_TITLES[row['scenario']]} | {row['size']:,} | {fmt_s(row['seconds'])} ({row['runs']}) | "
                f"{fmt_s(row['floor'])} | {ratio} | {fmt_s(row['cpu'])} | {fmt_s(row['floor_cpu'])} | {cpu_ratio} | {fmt_s(row['batch'])} |")
        add("")
        add("CPU s: user + system seconds of ansible-playbook and its workers (not Zabbix's or NetBox's); it moves far "
            "less than wall time when other work competes for the CPUs.")
        add("")
        add("set_fact floor per N: " + "; ".join(f"N={size:,}: median {fmt_s(v['seconds'])} s of {v['runs']} runs "
                                                 f"({fmt_s(v['min'])}–{fmt_s(v['max'])} s)" for size, v in sorted(floors.items())) + ".")
        add("")
    add("## API requests and memory per run (medians)")
    add("")
    add("| tool | scenario | N | seconds | CPU s | Zabbix requests (writes) | NetBox requests (writes) | peak RSS tree / biggest process (MiB) | check |")
    add("|---|---|---|---|---|---|---|---|---|")
    for (tool, scenario, size), v in sorted(med.items(), key=lambda kv: (kv[0][0] != "ours", kv[0][0], list(SCENARIO_TITLES).index(kv[0][1]), kv[0][2])):
        check = ""
        if scenario == "create" and v.get("expected_hosts") is not None:
            check = f"{v['hosts_after']}/{v['expected_hosts']} hosts"
        elif scenario == "drift":
            check = f"{v['residual_drift']} hosts still drifted"
        elif scenario == "check":
            check = f"{v['changed_by_check']} hosts changed"
        elif scenario == "noop":
            check = "no writes" if not v["zabbix_writes"] else f"{v['zabbix_writes']:.0f} Zabbix writes!"
        add(f"| {tool} | {scenario} | {size:,} | {fmt_s(v['seconds'])} | {fmt_s(v.get('cpu_seconds'))} | {v['zabbix_requests']:,.0f} ({v['zabbix_writes']:,.0f}) | "
            f"{v['netbox_requests']:,.0f} ({v['netbox_writes']:,.0f}) | {fmt_mib(v['peak_tree_rss'])} / {fmt_mib(v['peak_single_rss'])} | {check} |")
    add("")
    if inv:
        add("Inventory alone (`ansible-inventory`): " + "; ".join(
            f"N={s:,}: {fmt_s(v['seconds'])} s, {v['netbox_requests']:.0f} NetBox requests, {fmt_mib(v['peak_tree_rss'])} MiB"
            for s, v in sorted(inv.items())) + ".")
        add("")
    extra = []
    if meta.get("proxy_overhead"):
        po = meta["proxy_overhead"]
        verdict = "below the run-to-run noise" if po["overhead_ms"] < 1 else f"{po['overhead_ms']} ms per request"
        extra.append(f"Counting proxy overhead: {verdict} ({po['direct_ms']} ms direct vs "
                     f"{po['proxied_ms']} ms through it, {po['calls']} × `apiinfo.version`, median of 3); every tool pays it "
                     "per request, so it favours the tools that send few requests by at most requests × that.")
    if meta.get("zabbix_host_fork_probe"):
        probe = meta["zabbix_host_fork_probe"]
        extra.append(f"zabbix_host fork probe (no-op on {probe.get('hosts', probe['size'])} of the N={probe['size']} hosts): " + ", ".join(
            f"forks {f}: {s:.1f} s" for f, s in sorted(probe["seconds"].items(), key=lambda kv: int(kv[0]))) +
            f" → best {meta.get('zabbix_host_best_forks')}.")
    if meta.get("nzs_prepare"):
        for size, summary in sorted(meta["nzs_prepare"].items(), key=lambda kv: int(kv[0])):
            gaps = ", ".join(f"{k}: {v}" for k, v in sorted(summary.get("gaps", {}).items())) or "none"
            extra.append(f"netbox-zabbix-sync at N={int(size):,}: HostConfig features it cannot express (hosts): {gaps}.")
    loads = [e["load"][0] for e in data["results"] if e.get("load")]
    if loads:
        extra.append(f"1-minute load average at the start of the runs: median {statistics.median(loads):.1f}, "
                     f"max {max(loads):.1f} on {meta['machine']['cpus']} CPUs (anything above the CPU count means "
                     "other work competed for the CPUs and every time above is inflated).")
    for note in data.get("notes", []):
        extra.append(f"Note: {note}")
    for item in extra:
        add(f"- {item}")
    if data.get("profile"):
        add("")
        add(f"## Where ours spends its time (py-spy, N={data['profile']['size']:,})")
        for scenario in ("create", "repair", "noop"):
            prof = data["profile"].get(scenario) or {}
            if not prof.get("self"):
                continue
            add("")
            add(f"{scenario}: {prof['seconds']} s under py-spy, {prof['samples']} samples. Top self time:")
            add("")
            for item in prof["self"][:10]:
                add(f"- {item['percent']} % `{item['function']}`")
    add("")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


def write_chart(data: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    med = medians(data["results"])
    tools = sorted({t for (t, _, _) in med}, key=lambda t: (t != "ours", t != "floor", t))
    sizes = sorted({s for (_, _, s) in med})
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.8), sharey=True)
    for ax, scenario in zip(axes, SCENARIO_TITLES):
        for tool in tools:
            measured = [(s, med[(tool, scenario, s)]["seconds"]) for s in sizes if (tool, scenario, s) in med]
            if not measured:
                continue
            label = med[(tool, scenario, measured[0][0])]["label"]
            (line,) = ax.plot(*zip(*measured), marker="o", label=label)
            extra = [(s, estimate(med, tool, scenario, s)[0]) for s in sizes if s > measured[-1][0]]
            extra = [(s, v) for s, v in extra if v is not None]
            if extra:
                ax.plot(*zip(measured[-1], *extra), linestyle=":", color=line.get_color(), marker="x")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(SCENARIO_TITLES[scenario])
        ax.set_xlabel("hosts (N)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("wall time, s (log)")
    handles, labels = [], []
    for ax in axes:  # a tool may be missing from the first panel (no check mode)
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if labels:
        fig.legend(handles, labels, loc="lower center", ncol=min(6, len(labels)), frameon=False)
    fig.suptitle(f"netbox_zabbix.sync benchmark, run {data['meta'].get('run_id')} (dotted: extrapolated)")
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_all(data: dict[str, Any], out_dir: str) -> None:
    write_markdown(data, os.path.join(out_dir, "latest.md"))
    try:
        write_chart(data, os.path.join(out_dir, "latest.png"))
    except Exception as exc:  # noqa: BLE001 - the table matters more than the picture
        print(f"no chart: {exc!r}")


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs' latest.json as one (e.g. N = 10,000 measured in a separate run)."""
    merged: dict[str, Any] = {"meta": dict(parts[0]["meta"]), "results": [], "inventory": [], "notes": []}
    for part in parts:
        merged["results"] += part.get("results", [])
        merged["inventory"] += part.get("inventory", [])
        merged["notes"] += part.get("notes", [])
        if part.get("profile"):
            merged["profile"] = part["profile"]
        for key in ("zabbix_host_best_forks", "zabbix_host_fork_probe", "nzs_prepare"):
            if key in part["meta"] and key not in merged["meta"]:
                merged["meta"][key] = part["meta"][key]
    merged["meta"]["sizes"] = sorted({s for p in parts for s in p["meta"]["sizes"]})
    merged["meta"]["tools"] = sorted({t for p in parts for t in p["meta"]["tools"]}, key=lambda t: ["ours", "floor", "zabbix_host", "nzs", "set_fact_floor", "ours_per_host", "user_playbook", "user_playbook_host_var"].index(t)
                                    if t in ("ours", "floor", "zabbix_host", "nzs", "set_fact_floor", "ours_per_host", "user_playbook", "user_playbook_host_var") else 99)
    if len(parts) > 1:
        merged["meta"]["parts"] = [
            {key: p["meta"][key] for key in ("argv", "sizes", "tools", "runs", "zabbix", "quick", "competitor_max",
                                              "zabbix_host_max", "nzs_max") if key in p["meta"]}
            for p in parts]
        merged["meta"]["run_id"] = " + ".join(p["meta"]["run_id"] for p in parts)
        merged["meta"]["finished"] = max(p["meta"].get("finished", "") for p in parts)
        merged["notes"].append("Merged from separate runs: " + "; ".join(
            f"{p['meta']['run_id']} (N={','.join(map(str, p['meta']['sizes']))}, tools {','.join(p['meta']['tools'])})" for p in parts))
    return merged


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Write latest.md/png from one or more latest.json files.")
    parser.add_argument("inputs", nargs="*", help="latest.json files (default: <output>/latest.json)")
    parser.add_argument("--output", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results"))
    args = parser.parse_args()
    inputs = args.inputs or [os.path.join(args.output, "latest.json")]
    parts = []
    for path in inputs:
        with open(path, encoding="utf-8") as handle:
            parts.append(json.load(handle))
    data = merge(parts)
    os.makedirs(args.output, exist_ok=True)
    if len(parts) > 1 or os.path.abspath(inputs[0]) != os.path.abspath(os.path.join(args.output, "latest.json")):
        with open(os.path.join(args.output, "latest.json"), "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
    write_all(data, args.output)
