#!/usr/bin/env python3
"""The physical floor: the fewest Zabbix API calls that reach the desired state.

One `host.get` of every desired host (with its groups, templates, tags and interfaces),
name look-ups only for groups/templates/proxies that come without an ID, then at most one
bulk `host.create` and one bulk `host.update` (Zabbix takes a list for both). No Ansible,
no NetBox: the desired state is read from a JSON file that the harness wrote from our
inventory beforehand, so this measures the Zabbix side alone.

Usage: ZABBIX_URL=... ZABBIX_TOKEN=... floor.py --desired desired.json [--check]
Prints a JSON summary on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness.zbx import INVENTORY_MODES, comparable, comparable_desired, connect, host_get_params, interface_params  # noqa: E402


def resolve(api: Any, major: float, desired: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """name -> id for groups/templates/proxies the desired state names without an ID."""
    want: dict[str, set[str]] = {"groups": set(), "templates": set(), "proxies": set(), "proxy_groups": set()}
    ids: dict[str, dict[str, str]] = {k: {} for k in want}
    for d in desired:
        for key, id_key, bucket in (("host_groups", "groupid", "groups"), ("templates", "templateid", "templates")):
            for entry in d.get(key) or []:
                if isinstance(entry, dict) and entry.get(id_key):
                    ids[bucket][entry["name"]] = str(entry[id_key])
                else:
                    want[bucket].add(entry if isinstance(entry, str) else entry["name"])
        for key, id_key, bucket in (("proxy", "proxyid", "proxies"), ("proxy_group", "proxy_groupid", "proxy_groups")):
            entry = d.get(key)
            if isinstance(entry, dict) and entry.get(id_key):
                ids[bucket][entry["name"]] = str(entry[id_key])
            elif entry:
                want[bucket].add(entry if isinstance(entry, str) else entry["name"])
    for bucket in want:
        want[bucket] -= set(ids[bucket])
    if want["groups"]:
        ids["groups"].update({g["name"]: g["groupid"] for g in api.hostgroup.get(output=["groupid", "name"], filter={"name": sorted(want["groups"])})})
    if want["templates"]:
        ids["templates"].update({t["host"]: t["templateid"] for t in api.template.get(output=["templateid", "host"], filter={"host": sorted(want["templates"])})})
    if want["proxies"]:
        key = "name" if major >= 7.0 else "host"
        ids["proxies"].update({p[key]: p["proxyid"] for p in api.proxy.get(output=["proxyid", key], filter={key: sorted(want["proxies"])})})
    if want["proxy_groups"] and major >= 7.0:
        ids["proxy_groups"].update({p["name"]: p["proxy_groupid"] for p in api.proxygroup.get(output=["proxy_groupid", "name"], filter={"name": sorted(want["proxy_groups"])})})
    return ids


def name_of(entry: Any) -> str:
    return entry if isinstance(entry, str) else entry["name"]


def create_params(d: dict[str, Any], ids: dict[str, dict[str, str]], major: float) -> dict[str, Any]:
    params: dict[str, Any] = {
        "host": d["host"],
        "name": d.get("name") or d["host"],
        "description": d.get("description") or "",
        "status": 0 if d.get("status", "enabled") == "enabled" else 1,
        "groups": [{"groupid": ids["groups"][name_of(g)]} for g in d.get("host_groups", [])],
        "templates": [{"templateid": ids["templates"][name_of(t)]} for t in d.get("templates", [])],
        "tags": [{"tag": t["tag"], "value": t.get("value", "")} for t in d.get("tags", [])],
        "interfaces": [interface_params(i) for i in d.get("interfaces", [])],
    }
    if d.get("inventory_mode"):
        params["inventory_mode"] = INVENTORY_MODES[d["inventory_mode"]]
    if d.get("inventory") and d.get("inventory_mode") != "disabled":
        params["inventory"] = dict(d["inventory"])
    if d.get("monitored_by") == "proxy" and d.get("proxy"):
        proxyid = ids["proxies"][name_of(d["proxy"])]
        params.update({"monitored_by": 1, "proxyid": proxyid} if major >= 7.0 else {"proxy_hostid": proxyid})
    elif d.get("monitored_by") == "proxy_group" and d.get("proxy_group") and major >= 7.0:
        params.update({"monitored_by": 2, "proxy_groupid": ids["proxy_groups"][name_of(d["proxy_group"])]})
    return params


def update_params(d: dict[str, Any], have: dict[str, Any], want: dict[str, Any], ids: dict[str, dict[str, str]],
                  major: float) -> dict[str, Any]:
    """Only the fields that differ (interfaces are left alone: the drift does not touch them)."""
    full = create_params(d, ids, major)
    change: dict[str, Any] = {"hostid": have["hostid"]}
    for field in ("name", "description", "status"):
        if have[field] != want[field]:
            change[field] = full[field]
    if have["groups"] != want["groups"]:
        change["groups"] = full["groups"]
    if have["templates"] != want["templates"]:
        change["templates"] = full["templates"]
    if have["tags"] != want["tags"]:
        change["tags"] = full["tags"]
    return change


WRITE_CHUNK = 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--desired", required=True)
    parser.add_argument("--check", action="store_true", help="read and compare only")
    args = parser.parse_args()
    started = time.perf_counter()
    with open(args.desired, encoding="utf-8") as handle:
        desired: list[dict[str, Any]] = json.load(handle)

    api, major = connect(os.environ["ZABBIX_URL"], os.environ["ZABBIX_TOKEN"])
    ids = resolve(api, major, desired)
    current = {h["host"]: comparable(h) for h in api.host.get(**host_get_params(major, filter={"host": [d["host"] for d in desired]}))}

    creates, updates, unchanged = [], [], 0
    for d in desired:
        want = comparable_desired(d)
        have = current.get(d["host"])
        if have is None:
            creates.append(create_params(d, ids, major))
            continue
        change = update_params(d, have, want, ids, major)
        if len(change) > 1:
            updates.append(change)
        else:
            unchanged += 1
    if not args.check:
        # Chunks of 1,000: one host.create of 10,000 hosts fails inside Zabbix
        # ("Database error occurred"); 1,000 at a time is what one call handles here.
        for start in range(0, len(creates), WRITE_CHUNK):
            api.host.create(creates[start:start + WRITE_CHUNK])
        for start in range(0, len(updates), WRITE_CHUNK):
            api.host.update(updates[start:start + WRITE_CHUNK])
    print(json.dumps({"created": len(creates), "updated": len(updates), "unchanged": unchanged, "check": args.check,
                      "seconds": round(time.perf_counter() - started, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
