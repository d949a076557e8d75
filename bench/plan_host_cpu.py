#!/usr/bin/env python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CPU time of planning N hosts in the pure core (no Zabbix, no Ansible): the engine's hot path.

For each host the engine normalises the desired state and the host.get answer, then calls
plan_host. This measures the three separately, as CPU time (``time.process_time``, so a busy
shared machine disturbs it less than wall time), for N hosts shaped like the inventory's
(two agent and one SNMPv3 interface, two groups, two templates, tags, a secret and a text
macro, inventory, PSK), 90 % unchanged and 10 % with drift. Best and median of ``--repeat``
rounds, in Markdown.

    PYTHONPATH=.cache/collections python bench/plan_host_cpu.py 10000
"""

from __future__ import annotations

import argparse
import copy
import gc
import statistics
import time
import typing as t

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._lookups import Catalog
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._normalise import normalise_current, normalise_desired
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._plan import plan_host
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import VersionProfile

PROFILE = VersionProfile("7.0.22")
PSK = "00112233445566778899aabbccddeeff"


def catalog() -> Catalog:
    cat = Catalog()
    for gid, name in {"2": "Linux servers", "21": "NB Core", "22": "NB Edge"}.items():
        cat.groups.add(gid, name)
    cat.templates.add("10564", "ICMP Ping", "ICMP Ping")
    cat.templates.add("10700", "tpl_web", "Web server")
    cat.proxies.add("101", "nb-proxy-1")
    for index in (cat.groups, cat.templates, cat.proxies, cat.proxy_groups):
        index.searched_names.update(index.by_name)
    return cat


def options(number: int) -> dict[str, t.Any]:
    """Validated options of host ``number`` (every key the argument spec gives)."""
    return {
        "host": f"bench-{number:05d}", "hostid": str(10500 + number), "name": f"Bench {number}", "description": "front end",
        "status": "enabled", "state": "present", "host_groups": ["NB Core", {"name": "NB Edge", "groupid": "22"}],
        "create_missing_host_groups": None, "templates": ["ICMP Ping", "Web server"], "clear_removed_templates": None,
        "interfaces": [
            {"type": "agent", "main": True, "useip": True, "ip": f"10.{number // 250 % 250}.{number % 250}.1", "dns": None, "port": None,
             "details": None, "interfaceid": str(90000 + 3 * number)},
            {"type": "agent", "main": False, "useip": False, "ip": None, "dns": f"bench-{number}.example.net", "port": "10051",
             "details": None, "interfaceid": str(90001 + 3 * number)},
            {"type": "snmp", "main": True, "useip": True, "ip": f"10.{number // 250 % 250}.{number % 250}.2", "dns": None, "port": None,
             "interfaceid": str(90002 + 3 * number),
             "details": {"version": 3, "bulk": True, "community": None, "max_repetitions": 10, "contextname": "ctx", "securityname": "mon",
                         "securitylevel": "authpriv", "authprotocol": "sha256", "authpassphrase": "authpass-1", "privprotocol": "aes256",
                         "privpassphrase": "privpass-1"}},
        ],
        "monitored_by": "proxy", "proxy": "nb-proxy-1", "proxy_group": None,
        "tags": [{"tag": "site", "value": f"dc{number % 3}"}, {"tag": "role", "value": "web"}],
        "macros": [{"macro": "{$PASS}", "value": "macro-secret-1", "type": "secret", "description": ""},
                   {"macro": "{$SITE}", "value": "dc1", "type": "text", "description": "where"}],
        "inventory_mode": "manual", "inventory": {"location": "dc1", "os": "linux"},
        "tls_connect": "psk", "tls_accept": ["psk"], "tls_psk_identity": f"id-{number}", "tls_psk": PSK,
        "tls_issuer": None, "tls_subject": None, "update_secrets": None,
    }


def zhost_of(params: dict[str, t.Any], cat: Catalog) -> dict[str, t.Any]:
    """host.get of the host Zabbix stored from these options (what 7.0 answers)."""
    desired = normalise_desired(params, PROFILE)
    made = plan_host(desired, None, cat, PROFILE).params
    zhost = {k: v for k, v in made.items() if k not in ("groups", "templates", "interfaces", "tls_psk", "tls_psk_identity")}
    zhost.update(hostid=params["hostid"], tls_connect=str(made["tls_connect"]), tls_accept=str(made["tls_accept"]), tls_issuer="", tls_subject="",
                 hostgroups=[{"groupid": g["groupid"], "name": cat.groups.by_id[g["groupid"]]} for g in made["groups"]],
                 parentTemplates=[{"templateid": x["templateid"], "host": cat.templates.by_id[x["templateid"]], "name": cat.templates.by_id[x["templateid"]]}
                                  for x in made["templates"]],
                 interfaces=[dict(zif, interfaceid=ident, details=zif.get("details", []))
                             for zif, ident in zip(made["interfaces"], (i["interfaceid"] for i in params["interfaces"]))],
                 macros=[{k: v for k, v in dict(m, hostmacroid=str(800 + i)).items() if not (k == "value" and m["type"] == "1")}
                         for i, m in enumerate(made["macros"])])
    for zif in zhost["interfaces"]:
        zif["details"] = {k: v for k, v in zif["details"].items() if k not in ("authpassphrase", "privpassphrase")} if zif["details"] else []
    return zhost


def workload(count: int) -> tuple[list[dict[str, t.Any]], list[dict[str, t.Any]]]:
    cat = catalog()
    params, zhosts = [], []
    template = zhost_of(options(0), cat)
    for number in range(count):
        wanted = options(number)
        zhost = copy.deepcopy(template)
        zhost.update(hostid=wanted["hostid"], host=wanted["host"], name=wanted["name"])
        for zif, want in zip(zhost["interfaces"], wanted["interfaces"]):
            zif.update(interfaceid=want["interfaceid"], ip=want["ip"] or "", dns=want["dns"] or "")
        zhost["tags"] = [{"tag": "role", "value": "web"}, {"tag": "site", "value": f"dc{number % 3}"}]
        if number % 10 == 0:  # drift: a tag, the status and an interface port changed by hand
            zhost.update(status="1", tags=[{"tag": "site", "value": "elsewhere"}])
            zhost["interfaces"][0]["port"] = "10055"
        params.append(wanted)
        zhosts.append(zhost)
    return params, zhosts


def measure(count: int) -> dict[str, float]:
    params, zhosts = workload(count)
    cat = catalog()
    gc.collect()
    start = time.process_time()
    desired = [normalise_desired(p, PROFILE) for p in params]
    normalised = time.process_time()
    currents = [normalise_current(z, PROFILE) for z in zhosts]
    read = time.process_time()
    plans = [plan_host(d, z, cat, PROFILE, c) for d, z, c in zip(desired, zhosts, currents)]
    planned = time.process_time()
    drifted = sum(plan.action == "update" for plan in plans)
    assert drifted == (count + 9) // 10 and all(plan.action in ("update", "unchanged") for plan in plans), drifted
    return {"normalise_desired": normalised - start, "normalise_current": read - normalised, "plan_host": planned - read}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("hosts", type=int, nargs="?", default=10000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rounds = [measure(args.hosts) for _ in range(args.repeat)]
    print(f"CPU time for {args.hosts:,} hosts (10 % drift), {args.repeat} rounds\n")
    print("| step | best (s) | median (s) | per host, best (µs) |\n|---|---:|---:|---:|")
    for step in rounds[0]:
        values = [r[step] for r in rounds]
        print(f"| {step} | {min(values):.3f} | {statistics.median(values):.3f} | {min(values) / args.hosts * 1e6:.0f} |")


if __name__ == "__main__":
    main()
