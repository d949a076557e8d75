#!/usr/bin/env python3
"""Give the seeded Devices/VMs what netbox-zabbix-sync needs to build the same hosts.

netbox-zabbix-sync (4.1.0) has no HostConfig: it reads each Device/VM itself. This script
writes, through NetBox's ORM, the equivalent of every HostConfig into the places it reads:

* custom field ``zabbix_hostid`` (integer, Devices and VMs): where it stores the Zabbix host ID;
* custom fields ``zbx_hg1`` / ``zbx_hg2`` (text): the one or two host groups, used through
  ``hostgroup_format = ["zbx_hg1", "zbx_hg2"]``;
* local config context ``{"zabbix": {"templates": [...], "interface_type": "agent"|"snmp",
  "snmp": {...}, "interface_ip"/"interface_dns": ..., "proxy"/"proxy_group": ...}}``;
* the Device/VM status: ``offline`` where the HostConfig is disabled (netbox-zabbix-sync
  derives the Zabbix status from the NetBox status), ``active`` otherwise.

Run inside NetBox's venv with NETBOX_ROOT set (bench/harness does):
    NETBOX_ROOT=... $NETBOX_VENV/bin/python bench/nzs/prepare.py hosts.json
where hosts.json is a list of {"object_type", "object_id", "zabbix_host"}.
Prints a JSON summary (what could not be expressed is counted under "gaps").
"""
from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from typing import Any

CUSTOM_FIELDS = (("zabbix_hostid", "integer"), ("zbx_hg1", "text"), ("zbx_hg2", "text"))
BATCH = 2000


def setup_django() -> None:
    if not os.environ.get("NETBOX_ROOT"):
        sys.exit("prepare.py: NETBOX_ROOT is not set")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netbox.settings")
    import django

    django.setup()


def ensure_custom_fields() -> None:
    from core.models import ObjectType
    from extras.models import CustomField

    types = [ObjectType.objects.get(app_label="dcim", model="device"),
             ObjectType.objects.get(app_label="virtualization", model="virtualmachine")]
    for name, kind in CUSTOM_FIELDS:
        field, _ = CustomField.objects.get_or_create(name=name, defaults={"type": kind, "label": name})
        field.object_types.set(types)


def name_of(entry: Any) -> str:
    return entry if isinstance(entry, str) else entry["name"]


def context_for(desired: dict[str, Any], gaps: Counter) -> dict[str, Any]:
    interfaces = desired.get("interfaces") or []
    zabbix: dict[str, Any] = {"templates": [name_of(t) for t in desired.get("templates") or []]}
    if len({i.get("type") for i in interfaces}) > 1:
        gaps["more than one interface type (nzs: one interface per host)"] += 1
    if interfaces:
        first = interfaces[0]
        zabbix["interface_type"] = first.get("type", "agent")
        if first.get("port"):
            zabbix["interface_port"] = int(first["port"])
        if first.get("ip"):
            zabbix["interface_ip"] = first["ip"]
        if first.get("dns"):
            zabbix["interface_dns"] = first["dns"]
        if first.get("useip") is False:
            gaps["per-host use DNS instead of IP (nzs: global prefer_dns only)"] += 1
        if first.get("type") == "snmp":
            details = dict(first.get("details") or {})
            snmp: dict[str, Any] = {"version": int(details.get("version", 2)), "bulk": 1 if details.get("bulk", True) else 0}
            if snmp["version"] == 3:
                levels = {"noauthnopriv": 0, "authnopriv": 1, "authpriv": 2}
                snmp["securitylevel"] = levels.get(str(details.get("securitylevel", "noauthnopriv")), 0)
                for key in ("securityname", "contextname", "authpassphrase", "privpassphrase"):
                    if details.get(key):
                        snmp[key] = details[key]
                auth = {"md5": 0, "sha1": 1, "sha224": 2, "sha256": 3, "sha384": 4, "sha512": 5}
                priv = {"des": 0, "aes128": 1, "aes192": 2, "aes256": 3, "aes192c": 4, "aes256c": 5}
                if details.get("authprotocol"):
                    snmp["authprotocol"] = auth.get(str(details["authprotocol"]), 0)
                if details.get("privprotocol"):
                    snmp["privprotocol"] = priv.get(str(details["privprotocol"]), 0)
            elif details.get("community"):
                snmp["community"] = details["community"]
            zabbix["snmp"] = snmp
    if desired.get("monitored_by") == "proxy" and desired.get("proxy"):
        zabbix["proxy"] = name_of(desired["proxy"])
    elif desired.get("monitored_by") == "proxy_group" and desired.get("proxy_group"):
        zabbix["proxy_group"] = name_of(desired["proxy_group"])
    if desired.get("name") and desired.get("name") != desired.get("host"):
        gaps["visible name (nzs: not set)"] += 1
    if desired.get("description"):
        gaps["description (nzs: one static or templated text for all)"] += 1
    if desired.get("tags"):
        gaps["tags as given (nzs: NetBox tags + fixed field map)"] += 1
    if desired.get("inventory") and desired.get("inventory_mode") not in (None, "disabled"):
        gaps["inventory fields (nzs: its own field map, not enabled here)"] += 1
    if len(desired.get("host_groups") or []) > 2:
        gaps["more than two host groups"] += 1
    return {"zabbix": zabbix}


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    with open(argv[0], encoding="utf-8") as handle:
        hosts: list[dict[str, Any]] = json.load(handle)
    setup_django()
    from dcim.models import Device
    from virtualization.models import VirtualMachine

    ensure_custom_fields()
    gaps: Counter = Counter()
    by_kind: dict[str, dict[int, dict[str, Any]]] = {"device": {}, "virtualmachine": {}}
    for host in hosts:
        kind = str(host["object_type"]).split(".")[-1].replace("virtual_machine", "virtualmachine")
        by_kind.setdefault(kind, {})[int(host["object_id"])] = host["zabbix_host"]
    counts = {}
    for kind, model in (("device", Device), ("virtualmachine", VirtualMachine)):
        wanted = by_kind.get(kind, {})
        objs = list(model.objects.filter(pk__in=list(wanted)))
        for obj in objs:
            desired = wanted[obj.pk]
            groups = [name_of(g) for g in desired.get("host_groups") or []]
            obj.local_context_data = context_for(desired, gaps)
            data = dict(obj.custom_field_data or {})
            data.update({"zabbix_hostid": None, "zbx_hg1": groups[0] if groups else None,
                         "zbx_hg2": groups[1] if len(groups) > 1 else None})
            obj.custom_field_data = data
            obj.status = "offline" if desired.get("status") == "disabled" else "active"
        model.objects.bulk_update(objs, ["local_context_data", "custom_field_data", "status"], batch_size=BATCH)
        counts[kind] = len(objs)
    print(json.dumps({"objects": counts, "gaps": dict(gaps), "seconds": round(time.perf_counter() - started, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
