# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""The drift report: what a run would change (check mode) or changed, grouped by field and value.

Pure: per-host records in (``host``, ``action``, ``error`` and the engine's ``drift``:
``{field: {before, after}}`` of the changed fields, with secrets already masked as ``--diff``
shows them), report data out; then the renderers (terminal lines, Markdown, one
self-contained HTML page, JSON). No I/O.
"""

from __future__ import annotations

import html
import json
import typing as t
from collections.abc import Iterable, Mapping

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import mask_data, mask_text

# Field order of the report (the order a reviewer cares about), and their titles.
FIELD_TITLES = {
    "host": "host name (renamed)",
    "status": "status",
    "templates": "templates",
    "host_groups": "host groups",
    "interfaces": "interfaces",
    "monitored_by": "monitored by",
    "proxy": "proxy",
    "proxy_group": "proxy group",
    "tags": "tags",
    "macros": "macros",
    "inventory_mode": "inventory mode",
    "inventory": "inventory",
    "name": "visible name",
    "description": "description",
    "tls_connect": "TLS connect",
    "tls_accept": "TLS accept",
    "tls_issuer": "TLS issuer",
    "tls_subject": "TLS subject",
    "tls_psk_identity": "TLS PSK identity",
    "tls_psk": "TLS PSK",
}
LABEL_WIDTH = 80
NO_DETAIL = "changed (no before/after in the result)"


def _text(value: t.Any) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, default=str)
    text = str(value)
    return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 3] + "..."


def _arrow(before: t.Any, after: t.Any) -> str:
    return f"{_text(before)} \u2192 {_text(after)}"


def _set_changes(before: t.Any, after: t.Any, key: t.Callable[[t.Any], str]) -> list[str]:
    have = {key(v) for v in before or []}
    want = {key(v) for v in after or []}
    return [f"+ {v}" for v in sorted(want - have)] + [f"- {v}" for v in sorted(have - want)]


def _tag(tag: t.Mapping[str, t.Any]) -> str:
    return f"{tag.get('tag')}={tag.get('value')}" if tag.get("value") not in (None, "") else str(tag.get("tag"))


def _interface_name(iface: t.Mapping[str, t.Any]) -> str:
    address = iface.get("ip") if iface.get("useip", True) else iface.get("dns")
    return f"{iface.get('type')} {address or '(no address)'}:{iface.get('port')}"


def _interface_changes(before: t.Any, after: t.Any) -> list[str]:
    """Paired by type and position (both lists are canonical: by type, main first): key changes;
    the rest are interfaces added or removed."""
    labels: list[str] = []
    have = list(before or [])
    for want in after or []:
        match = next((h for h in have if h.get("type") == want.get("type")), None)
        if match is None:
            labels.append(f"+ {_interface_name(want)}")
            continue
        have.remove(match)
        for key in sorted(set(want) | set(match)):
            if key == "details":
                wd, hd = want.get(key) or {}, match.get(key) or {}
                labels.extend(
                    f"{want.get('type')} {key}.{sub}: {_arrow(hd.get(sub), wd.get(sub))}"
                    for sub in sorted(set(wd) | set(hd))
                    if wd.get(sub) != hd.get(sub)
                )
            elif want.get(key) != match.get(key):
                labels.append(f"{want.get('type')} {key}: {_arrow(match.get(key), want.get(key))}")
    labels.extend(f"- {_interface_name(h)}" for h in have)
    return labels


def _macro_changes(before: t.Any, after: t.Any) -> list[str]:
    have = {m.get("macro"): m for m in before or []}
    want = {m.get("macro"): m for m in after or []}
    labels = [f"+ {name}" for name in sorted(set(want) - set(have))]
    labels += [f"- {name}" for name in sorted(set(have) - set(want))]
    for name in sorted(set(want) & set(have)):
        w, h = want[name], have[name]
        for key in ("value", "type", "description"):
            if w.get(key) != h.get(key):
                labels.append(f"~ {name} {key}: {_arrow(h.get(key), w.get(key))}")
    return labels


def _inventory_changes(before: t.Any, after: t.Any) -> list[str]:
    have, want = dict(before or {}), dict(after or {})
    return [f"{key}: {_arrow(have.get(key), want.get(key))}" for key in sorted(set(have) | set(want)) if have.get(key) != want.get(key)]


def change_labels(field_name: str, before: t.Any, after: t.Any) -> list[str]:
    """What changed in one field of one host, as short labels that group well across hosts."""
    if field_name in ("templates", "host_groups"):
        labels = _set_changes(before, after, str)
    elif field_name == "tags":
        labels = _set_changes(before, after, _tag)
    elif field_name == "interfaces":
        labels = _interface_changes(before, after)
    elif field_name == "macros":
        labels = _macro_changes(before, after)
    elif field_name == "inventory":
        labels = _inventory_changes(before, after)
    else:
        labels = [_arrow(before, after)]
    return labels or [_arrow(before, after)]


def _group(key: str, title: str, hosts: list[str], values: dict[str, list[str]] | None = None) -> dict[str, t.Any]:
    ordered = sorted((values or {}).items(), key=lambda item: (-len(item[1]), item[0]))
    return {
        "key": key,
        "title": title,
        "count": len(hosts),
        "hosts": sorted(hosts),
        "values": [{"label": label, "count": len(members), "hosts": sorted(members)} for label, members in ordered],
    }


def build_report(
    records: Iterable[Mapping[str, t.Any]],
    *,
    check_mode: bool,
    refused: Mapping[str, t.Any] | None = None,
    orphans: Iterable[Mapping[str, t.Any]] = (),
    orphan_policy: str | None = None,
    secrets: Iterable[str] = (),
    run_id: str | None = None,
) -> dict[str, t.Any]:
    """Group the hosts of one run by what changes: hosts to create/delete, each field (by
    value), orphans, failed hosts. ``refused``: the guard's verdict when it stopped the run."""
    secrets = tuple(secrets)
    created: list[str] = []
    deleted: list[str] = []
    failed: list[dict[str, str]] = []
    fields: dict[str, dict[str, list[str]]] = {}
    field_hosts: dict[str, list[str]] = {}
    totals = {"hosts": 0, "create": 0, "update": 0, "delete": 0, "unchanged": 0, "failed": 0, "skipped": 0}
    for record in records:
        totals["hosts"] += 1
        host, action = str(record["host"]), record.get("action")
        if action == "created":
            totals["create"] += 1
            created.append(host)
        elif action == "deleted":
            totals["delete"] += 1
            deleted.append(host)
        elif action == "failed":
            totals["failed"] += 1
            failed.append({"host": host, "error": mask_text(str(record.get("error") or ""), secrets)})
        elif action == "updated":
            totals["update"] += 1
            drift = record.get("drift")
            for name in drift if isinstance(drift, Mapping) else record.get("changed_fields") or []:
                field_hosts.setdefault(name, []).append(host)
                by_value = fields.setdefault(name, {})
                if isinstance(drift, Mapping):
                    labels = change_labels(name, drift[name].get("before"), drift[name].get("after"))
                else:  # a result from before the engine recorded drift: the field, without values
                    labels = [NO_DETAIL]
                for label in dict.fromkeys(labels):
                    by_value.setdefault(label, []).append(host)
        elif action == "skipped":
            totals["skipped"] += 1
        else:
            totals["unchanged"] += 1
    totals["changing"] = totals["create"] + totals["update"] + totals["delete"]

    groups = []
    if created:
        groups.append(_group("create", "hosts to create", created))
    order = list(FIELD_TITLES) + sorted(set(fields) - set(FIELD_TITLES))
    for name in order:
        if name in fields:
            groups.append(_group(f"field:{name}", FIELD_TITLES.get(name, name), field_hosts[name], fields[name]))
    if deleted:
        groups.append(_group("delete", "hosts to delete (state: absent)", deleted))
    orphan_list = [dict(o) for o in orphans]
    if orphan_list:
        verb = {"delete": "orphans to delete", "disable": "orphans to disable"}.get(orphan_policy or "", "orphans (reported only)")
        groups.append(_group("orphans", verb, [str(o.get("host")) for o in orphan_list]))
    if failed:
        group = _group("failed", "failed hosts", [f["host"] for f in failed])
        group["errors"] = sorted(failed, key=lambda f: f["host"])
        groups.append(group)

    report = {
        "check_mode": bool(check_mode),
        "refused": dict(refused) if refused else None,
        "run_id": run_id,
        "totals": totals,
        "field_counts": {name: len(field_hosts[name]) for name in order if name in field_hosts},
        "orphans": len(orphan_list),
        "groups": groups,
    }
    return mask_data(report, secrets)


def counts_for_stats(report: Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The small part of the report for the summary fact and set_stats (AWX workflows branch on it)."""
    return {**report["totals"], "orphans": report["orphans"], "fields": dict(report["field_counts"])}


def headline(report: Mapping[str, t.Any]) -> str:
    totals = report["totals"]
    if report.get("refused"):
        mode = "REFUSED, nothing written"
    elif report["check_mode"]:
        mode = "check mode: would change"
    else:
        mode = "changed"
    return (
        f"Drift report ({mode}): {totals['changing']:,} of {totals['hosts']:,} hosts "
        f"({totals['create']:,} to create, {totals['update']:,} to update, {totals['delete']:,} to delete), "
        f"{totals['failed']:,} failed, {report['orphans']:,} orphans"
    )


def _hosts_text(hosts: list[str], limit: int) -> str:
    shown = ", ".join(hosts[:limit])
    return shown + (f" (+{len(hosts) - limit:,} more)" if len(hosts) > limit else "")


def render_terminal(report: Mapping[str, t.Any], max_values: int = 4, max_hosts: int = 6) -> list[str]:
    """A compact table for a terminal and AWX's job output: one row per group, its top values, a few hosts."""
    lines = [headline(report)]
    if report.get("refused"):
        refused = report["refused"]
        lines.append(f"  the guard stopped the run: {refused.get('would_change'):,} hosts would change, the limit is {refused.get('limit'):,}")
    groups = report["groups"]
    if not groups:
        lines.append("  nothing to change")
        return lines
    width = max(len(g["title"]) for g in groups)
    lines.append(f"  {'change'.ljust(width)}  {'hosts':>6}  values")
    for group in groups:
        values = group["values"][:max_values]
        detail = ", ".join(f"{v['label']}: {v['count']:,}" for v in values)
        if len(group["values"]) > max_values:
            detail += f", ... (+{len(group['values']) - max_values:,} more values)"
        lines.append(f"  {group['title'].ljust(width)}  {group['count']:>6,}  {detail}".rstrip())
        lines.append(f"  {''.ljust(width)}          hosts: {_hosts_text(group['hosts'], max_hosts)}")
    return lines


def render_markdown(report: Mapping[str, t.Any], paths: Mapping[str, str] | None = None) -> str:
    def cell(text: t.Any) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    out = ["# Zabbix host sync: drift report", "", headline(report), ""]
    if report.get("run_id"):
        out += [f"Run id: `{report['run_id']}`", ""]
    if report.get("refused"):
        out += [f"**Refused by the guard:** {report['refused'].get('would_change')} hosts would change, "
                f"the limit is {report['refused'].get('limit')}. Nothing was written.", ""]
    out += ["| change | hosts |", "|---|---:|"]
    out += [f"| {cell(g['title'])} | {g['count']:,} |" for g in report["groups"]]
    for group in report["groups"]:
        out += ["", f"## {group['title']} ({group['count']:,} hosts)", ""]
        if group["values"]:
            out += ["| value | hosts | host names |", "|---|---:|---|"]
            out += [f"| {cell(v['label'])} | {v['count']:,} | {cell(', '.join(v['hosts']))} |" for v in group["values"]]
        elif group.get("errors"):
            out += ["| host | error |", "|---|---|"]
            out += [f"| {cell(e['host'])} | {cell(e['error'])} |" for e in group["errors"]]
        else:
            out.append(", ".join(group["hosts"]))
    if paths:
        out += ["", "Files: " + ", ".join(f"{kind}: `{path}`" for kind, path in paths.items())]
    return "\n".join(out) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:1.5rem;color:#1d1d1f}
h1{font-size:1.4rem} .headline{font-size:1.05rem;margin:.5rem 0 1rem}
.refused{background:#fde2e1;border:1px solid #e0a0a0;padding:.6rem;border-radius:4px}
table{border-collapse:collapse;margin:.4rem 0} th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0;cursor:pointer;user-select:none} td.n{text-align:right;font-variant-numeric:tabular-nums}
details{margin:.6rem 0;border:1px solid #ddd;border-radius:4px;padding:.3rem .6rem}
summary{font-weight:600;cursor:pointer} .hosts{font-family:ui-monospace,monospace;font-size:.85rem;word-break:break-word}
"""

# Click a header to sort its table (numbers numerically); no network, no library.
_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var tbody = th.closest('table').tBodies[0], rows = Array.from(tbody.rows);
    var dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    rows.sort(function(a, b){
      var x = a.cells[col].dataset.v || a.cells[col].textContent, y = b.cells[col].dataset.v || b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      return dir * ((isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny);
    });
    rows.forEach(function(r){ tbody.appendChild(r); });
  });
});
"""


def render_html(report: Mapping[str, t.Any]) -> str:
    """One self-contained page: inline CSS and script, no network resource."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Zabbix host sync: drift report</title>',
        f"<style>{_CSS}</style></head><body>",
        "<h1>Zabbix host sync: drift report</h1>",
        f'<p class="headline" id="headline">{e(headline(report))}</p>',
    ]
    if report.get("run_id"):
        out.append(f"<p>Run id: <code>{e(str(report['run_id']))}</code></p>")
    if report.get("refused"):
        refused = report["refused"]
        out.append(
            f'<p class="refused">Refused by the guard: {e(str(refused.get("would_change")))} hosts would change, '
            f'the limit is {e(str(refused.get("limit")))}. Nothing was written.</p>'
        )
    out.append('<table class="sortable" id="summary"><thead><tr><th>change</th><th>hosts</th></tr></thead><tbody>')
    for group in report["groups"]:
        out.append(
            f'<tr data-group="{e(group["key"])}"><td><a href="#{e(group["key"])}">{e(group["title"])}</a></td>'
            f'<td class="n" data-v="{group["count"]}">{group["count"]:,}</td></tr>'
        )
    out.append("</tbody></table>")
    if not report["groups"]:
        out.append("<p>Nothing to change.</p>")
    for group in report["groups"]:
        out.append(f'<details open id="{e(group["key"])}"><summary>{e(group["title"])}: {group["count"]:,} hosts</summary>')
        if group["values"]:
            out.append('<table class="sortable"><thead><tr><th>value</th><th>hosts</th><th>host names</th></tr></thead><tbody>')
            for value in group["values"]:
                out.append(
                    f'<tr><td>{e(value["label"])}</td><td class="n" data-v="{value["count"]}">{value["count"]:,}</td>'
                    f'<td class="hosts">{e(", ".join(value["hosts"]))}</td></tr>'
                )
            out.append("</tbody></table>")
        elif group.get("errors"):
            out.append('<table class="sortable"><thead><tr><th>host</th><th>error</th></tr></thead><tbody>')
            out.extend(f'<tr><td>{e(f["host"])}</td><td>{e(f["error"])}</td></tr>' for f in group["errors"])
            out.append("</tbody></table>")
        else:
            out.append(f'<p class="hosts">{e(", ".join(group["hosts"]))}</p>')
        out.append("</details>")
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out) + "\n"


def render_json(report: Mapping[str, t.Any]) -> str:
    return json.dumps(report, indent=1, sort_keys=True, default=str) + "\n"
