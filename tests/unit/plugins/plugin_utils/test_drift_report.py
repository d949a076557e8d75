# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The drift report's grouping and rendering, on plans recorded from real Zabbix 6.0 and 7.0
(tests/tools/record_drift_plans.py)."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from ansible.plugins.loader import init_plugin_loader

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    init_plugin_loader()

from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._drift_report import (  # noqa: E402
    build_report,
    change_labels,
    counts_for_stats,
    render_html,
    render_json,
    render_markdown,
    render_terminal,
)
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._sync_report import records_from_batch  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "drift"
ARROW = "\u2192"

# What the recorder drifted (tests/tools/record_drift_plans.py), grouped: key -> (hosts, {value: hosts}).
EXPECTED = {
    "create": (1, {}),
    "field:host": (1, {f"recdrift-17 {ARROW} recdrift-17-renamed": 1}),
    "field:status": (1, {f"enabled {ARROW} disabled": 1}),
    "field:templates": (4, {"+ ICMP Ping": 4, "- Linux by Zabbix agent": 1}),
    "field:host_groups": (1, {"+ NB Core": 1}),
    "field:interfaces": (5, {f"agent port: 10050 {ARROW} 10051": 4, "- snmp 10.99.0.16:161": 1,
                             f"snmp details.community: public {ARROW} private": 1}),
    "field:monitored_by": (1, {f"server {ARROW} proxy": 1}),
    "field:proxy": (1, {f"(none) {ARROW} nb-proxy-1": 1}),
    "field:tags": (1, {"+ role=db": 1, "- role=web": 1}),
    "field:macros": (2, {f"~ {{$SITE}} value: dc1 {ARROW} dc2": 1, f"~ {{$TOKEN}} value: ******** {ARROW} ******** (new value)": 1}),
    "field:inventory": (1, {f"location: dc1 {ARROW} dc2": 1, f"serialno_a: SN0013 {ARROW} SN9999": 1}),
    "field:description": (1, {f"base {ARROW} moved to rack 7": 1}),
    "field:tls_psk_identity": (1, {f"(write-only) {ARROW} id-12": 1}),
    "field:tls_psk": (1, {f"******** {ARROW} ******** (new value)": 1}),
    "delete": (1, {}),
    "failed": (1, {}),
}


def recorded(version: str) -> list[dict]:
    batch = json.loads((FIXTURES / f"plan-{version}.json").read_text())
    return records_from_batch(batch, keep_drift=True)


def groups(report: dict) -> dict:
    return {g["key"]: (g["count"], {v["label"]: v["count"] for v in g["values"]}) for g in report["groups"]}


@pytest.mark.parametrize("version", ["6.0", "7.0"])
def test_recorded_plan_groups_by_field_and_value(version: str) -> None:
    report = build_report(recorded(version), check_mode=True)
    assert groups(report) == EXPECTED
    assert [g["key"] for g in report["groups"]] == list(EXPECTED)  # creates first, then fields, deletes, failures
    assert report["totals"] == {"hosts": 21, "create": 1, "update": 17, "delete": 1, "unchanged": 1, "failed": 1,
                                "skipped": 0, "changing": 19}
    interfaces = next(g for g in report["groups"] if g["key"] == "field:interfaces")
    assert interfaces["values"][0]["hosts"] == ["recdrift-01", "recdrift-02", "recdrift-03", "recdrift-04"]
    failed = report["groups"][-1]
    assert failed["errors"] == [{"host": "recdrift-18", "error": "recdrift-18: templates[0]: template 'No Such Template' not found"}]


def test_counts_for_stats_are_small_and_per_field() -> None:
    stats = counts_for_stats(build_report(recorded("7.0"), check_mode=False, orphans=[{"host": "old-1"}], orphan_policy="disable"))
    assert stats["changing"] == 19 and stats["orphans"] == 1
    assert stats["fields"]["templates"] == 4 and stats["fields"]["interfaces"] == 5
    assert "groups" not in stats and "hosts" in stats


def test_orphans_and_refusal_are_reported() -> None:
    report = build_report(recorded("7.0"), check_mode=False, refused={"would_change": 19, "limit": 5, "refused": True},
                          orphans=[{"host": "old-2"}, {"host": "old-1"}], orphan_policy="delete")
    orphans = next(g for g in report["groups"] if g["key"] == "orphans")
    assert (orphans["title"], orphans["hosts"]) == ("orphans to delete", ["old-1", "old-2"])
    lines = render_terminal(report)
    assert lines[0].startswith("Drift report (REFUSED, nothing written): 19 of 21 hosts")
    assert "19 hosts would change, the limit is 5" in lines[1]
    assert "Nothing was written" in render_markdown(report) and "Nothing was written" in render_html(report)


def test_terminal_table_collapses_long_groups() -> None:
    records = [{"host": f"h{i:04d}", "action": "updated",
                "drift": {"description": {"before": "old", "after": f"new {i % 9}"}}} for i in range(1000)]
    lines = render_terminal(build_report(records, check_mode=True), max_values=4, max_hosts=6)
    assert len(lines) == 4  # headline, header, one group row, its hosts
    assert "(+5 more values)" in lines[2] and "description" in lines[2]
    assert lines[3].strip() == "hosts: h0000, h0001, h0002, h0003, h0004, h0005 (+994 more)"


def test_secrets_are_masked_everywhere() -> None:
    token = "nbt_abcdef123456.0123456789abcdefghij0123456789abcdefghij"
    records = recorded("6.0") + [
        {"host": "x-1", "action": "failed", "error": f"x-1: NetBox said Authorization: Bearer {token}"},
        {"host": "x-2", "action": "updated", "drift": {"description": {"before": "a", "after": "password=hunter2hunter2"}}},
    ]
    report = build_report(records, check_mode=True, secrets=["hunter2hunter2"])
    for text in (render_json(report), render_markdown(report), render_html(report), "\n".join(render_terminal(report))):
        assert token not in text and "hunter2hunter2" not in text
        assert "recorded-secret-macro-value" not in text and "00112233445566778899aabbccddeeff" not in text


def test_html_is_self_contained_and_escapes_values() -> None:
    records = [{"host": "h<1>", "action": "updated",
                "drift": {"description": {"before": "a", "after": "<script>alert(1)</script>"}}}]
    page = render_html(build_report(records, check_mode=True))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "h&lt;1&gt;" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page) and "@import" not in page and "url(" not in page
    assert page.count("<script>") == 1  # the inline sorter only


def test_markdown_escapes_table_cells() -> None:
    records = [{"host": "h1", "action": "updated", "drift": {"description": {"before": "a|b", "after": "c"}}}]
    text = render_markdown(build_report(records, check_mode=True), {"html": "/tmp/r.html"})
    assert f"| a\\|b {ARROW} c | 1 | h1 |" in text
    assert "html: `/tmp/r.html`" in text


@pytest.mark.parametrize(
    ("field", "before", "after", "labels"),
    [
        ("templates", ["A", "B"], ["B", "C"], ["+ C", "- A"]),
        ("tags", [{"tag": "t", "value": ""}], [{"tag": "t", "value": "v"}], ["+ t=v", "- t"]),
        ("interfaces", [], [{"type": "agent", "useip": False, "dns": "a.example", "port": "10050"}], ["+ agent a.example:10050"]),
        ("macros", [{"macro": "{$A}", "value": "1", "type": "text"}], [], ["- {$A}"]),
        ("inventory", {"a": "1"}, {"a": "1", "b": "2"}, [f"b: (none) {ARROW} 2"]),
        ("status", "enabled", "disabled", [f"enabled {ARROW} disabled"]),
        ("description", "x" * 200, "", [f"{'x' * 77}... {ARROW} (none)"]),
    ],
)
def test_change_labels(field: str, before: object, after: object, labels: list[str]) -> None:
    assert change_labels(field, before, after) == labels


def test_records_without_drift_still_count_their_fields() -> None:
    report = build_report([{"host": "a", "action": "updated", "changed_fields": ["templates"]}], check_mode=False)
    assert groups(report) == {"field:templates": (1, {"changed (no before/after in the result)": 1})}
