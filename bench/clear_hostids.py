#!/usr/bin/env python3
"""After a Zabbix reset no NetBox row may still claim a Zabbix host: clear every
HostConfig's `hostid` (and the interfaces' Zabbix IDs), whatever its prefix. Otherwise a
stale ID that a new host happens to get again makes the write-back fail with HTTP 400
("Host Config with this hostid already exists").

Run inside NetBox's venv with NETBOX_ROOT set (bench/harness does). Prints a JSON count.
"""
from __future__ import annotations

import json
import os
import sys


def main() -> int:
    if not os.environ.get("NETBOX_ROOT"):
        sys.exit("clear_hostids.py: NETBOX_ROOT is not set")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netbox.settings")
    import django

    django.setup()
    from netbox_zabbix import models

    counts = {"host_configs": models.HostConfig.objects.exclude(hostid=None).update(hostid=None)}
    for name in ("AgentInterface", "SNMPInterface"):
        model = getattr(models, name, None)
        fields = {f.name for f in model._meta.get_fields()} if model else set()
        if {"hostid", "interfaceid"} <= fields:
            counts[name] = model.objects.exclude(hostid=None, interfaceid=None).update(hostid=None, interfaceid=None)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
