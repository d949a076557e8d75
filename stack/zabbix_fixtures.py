#!/usr/bin/env python3
"""Ensure the Zabbix objects that the demo, the tests and the benchmark use exist.

Idempotent: objects that exist are left alone, missing ones are created. Prints their IDs
as JSON on stdout:

    {"version": "7.0.22", "host_groups": {"NB Core": "22", ...},
     "templates": {"ICMP Ping": "10564", ...}, "proxies": {"nb-proxy-1": "1", ...},
     "proxy_groups": {"nb-pg-1": "1"}}

Usage: zabbix_fixtures.py --env-file .stack/zabbix-7.0.env
       zabbix_fixtures.py --url URL --token TOKEN
       (or ZABBIX_URL / ZABBIX_TOKEN in the environment; prefer it or the env file to
       --token, which other users can read in `ps`)

stack/zabbix.sh runs it before saving the pristine database, so resets keep the fixtures.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from typing import Any

from zabbix_utils import APIRequestError, ZabbixAPI

HOST_GROUPS = ("NB Core", "NB Edge", "NB Servers")
# Technical names; all three ship with both 6.0 and 7.0.
TEMPLATES = ("ICMP Ping", "Linux by Zabbix agent", "Generic by SNMP")
PROXIES = ("nb-proxy-1", "nb-proxy-2")
PROXY_GROUP = "nb-pg-1"  # Zabbix 7.0+ only
PROXY_GROUP_MEMBER = "nb-proxy-1"
# 7.0 requires an address for active agents on a proxy that belongs to a group.
PROXY_LOCAL_ADDRESS = "127.0.0.1"


def read_env_file(path: str) -> dict[str, str]:
    """Read `export NAME=value` lines (as written by stack/zabbix.sh)."""
    values: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            words = shlex.split(line, comments=True)
            if words and words[0] == "export":
                words = words[1:]
            for word in words:
                name, sep, value = word.partition("=")
                if sep:
                    values[name] = value
    return values


def by_name(objects: list[dict[str, Any]], name_key: str, id_key: str) -> dict[str, str]:
    return {obj[name_key]: obj[id_key] for obj in objects}


def ensure_host_groups(api: ZabbixAPI) -> dict[str, str]:
    existing = by_name(api.hostgroup.get(output=["groupid", "name"], filter={"name": list(HOST_GROUPS)}), "name", "groupid")
    for name in HOST_GROUPS:
        if name not in existing:
            existing[name] = api.hostgroup.create(name=name)["groupids"][0]
    return {name: existing[name] for name in HOST_GROUPS}


def find_templates(api: ZabbixAPI) -> dict[str, str]:
    found = by_name(api.template.get(output=["templateid", "host"], filter={"host": list(TEMPLATES)}), "host", "templateid")
    missing = [name for name in TEMPLATES if name not in found]
    if missing:
        raise SystemExit(f"templates not found in this Zabbix: {', '.join(missing)}")
    return {name: found[name] for name in TEMPLATES}


def ensure_proxies(api: ZabbixAPI, major: float) -> dict[str, str]:
    # 6.0 names a proxy with `host` and marks it active with status=5; 7.0 uses `name`
    # and operating_mode=0. Each version silently ignores the other's fields.
    name_key = "name" if major >= 7.0 else "host"
    existing = by_name(api.proxy.get(output=["proxyid", name_key], filter={name_key: list(PROXIES)}), name_key, "proxyid")
    for name in PROXIES:
        if name in existing:
            continue
        params: dict[str, Any] = {"name": name, "operating_mode": 0} if major >= 7.0 else {"host": name, "status": 5}
        existing[name] = api.proxy.create(**params)["proxyids"][0]
    return {name: existing[name] for name in PROXIES}


def ensure_proxy_group(api: ZabbixAPI, proxies: dict[str, str]) -> dict[str, str]:
    """Create nb-pg-1 with nb-proxy-1 as its only member (7.0+).

    nb-proxy-2 stays outside any group, so tests have both kinds of proxy; stack/seed.py
    mirrors this (the first proxy belongs to the first proxy group)."""
    groups = api.proxygroup.get(output=["proxy_groupid", "name"], filter={"name": PROXY_GROUP})
    if groups:
        group_id = groups[0]["proxy_groupid"]
    else:
        group_id = api.proxygroup.create(name=PROXY_GROUP, failover_delay="1m", min_online="1")["proxy_groupids"][0]
    wanted = {proxies[name]: (group_id if name == PROXY_GROUP_MEMBER else "0") for name in PROXIES}
    for proxy in api.proxy.get(output=["proxyid", "proxy_groupid"], proxyids=list(wanted)):
        group = wanted[proxy["proxyid"]]
        if proxy["proxy_groupid"] == group:
            continue
        params: dict[str, Any] = {"proxyid": proxy["proxyid"], "proxy_groupid": group}
        if group != "0":
            params.update(local_address=PROXY_LOCAL_ADDRESS, local_port="10051")
        api.proxy.update(**params)
    return {PROXY_GROUP: group_id}


def ensure_fixtures(api: ZabbixAPI) -> dict[str, Any]:
    version = str(api.api_version())
    major = float(".".join(version.split(".")[:2]))
    proxies = ensure_proxies(api, major)
    return {
        "version": version,
        "host_groups": ensure_host_groups(api),
        "templates": find_templates(api),
        "proxies": proxies,
        "proxy_groups": ensure_proxy_group(api, proxies) if major >= 7.0 else {},
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="Zabbix frontend URL, e.g. http://127.0.0.1:18070")
    parser.add_argument("--token", help="API token")
    parser.add_argument("--env-file", help="a $STACK_DIR/zabbix-<ver>.env file")
    args = parser.parse_args(argv)
    env = read_env_file(args.env_file) if args.env_file else {}
    args.url = args.url or env.get("ZABBIX_URL") or os.environ.get("ZABBIX_URL")
    args.token = args.token or env.get("ZABBIX_TOKEN") or os.environ.get("ZABBIX_TOKEN")
    if not args.url or not args.token:
        parser.error("give --url and --token, --env-file, or ZABBIX_URL and ZABBIX_TOKEN")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # zabbix-utils also reads ZABBIX_USER/ZABBIX_PASSWORD from the environment (a sourced
    # stack env file sets them) and refuses a token together with them.
    for name in ("ZABBIX_USER", "ZABBIX_PASSWORD"):
        os.environ.pop(name, None)
    api = ZabbixAPI(url=args.url, token=args.token)
    try:
        fixtures = ensure_fixtures(api)
    except APIRequestError as err:
        print(f"zabbix_fixtures: {err}", file=sys.stderr)
        return 1
    json.dump(fixtures, sys.stdout, indent=2, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
