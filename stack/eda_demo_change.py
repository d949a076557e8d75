#!/usr/bin/env python3
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""make demo, last step: rename one synced Device in NetBox (its API, nothing else) and wait
until Zabbix has a host with the new name. NETBOX_API, NETBOX_TOKEN,
ZABBIX_URL, ZABBIX_TOKEN from the environment. Exit 1 when Zabbix did not follow in time."""

from __future__ import annotations

import os
import sys
import time

import requests
from zabbix_utils import ZabbixAPI

TIMEOUT = float(os.environ.get("EDA_DEMO_TIMEOUT", "60"))


def main() -> int:
    netbox = requests.Session()
    token = os.environ["NETBOX_TOKEN"]
    netbox.headers["Authorization"] = f"Bearer {token}" if token.startswith("nbt_") else f"Token {token}"
    api = os.environ["NETBOX_API"].rstrip("/") + "/api"
    for name in ("ZABBIX_USER", "ZABBIX_PASSWORD"):  # zabbix-utils would read them beside the token
        os.environ.pop(name, None)
    zabbix = ZabbixAPI(url=os.environ["ZABBIX_URL"], token=os.environ["ZABBIX_TOKEN"])

    hostconfigs = netbox.get(f"{api}/plugins/netbox_zabbix/host-config/", params={"ordering": "id", "limit": 200},
                             timeout=30).json()["results"]
    device_type = netbox.get(f"{api}/core/object-types/", params={"app_label": "dcim", "model": "device"},
                             timeout=30).json()["results"][0]["id"]
    hostconfig = next(hc for hc in hostconfigs if hc["hostid"] and hc["content_type"] == device_type)
    device = netbox.get(f"{api}/dcim/devices/{hostconfig['object_id']}/", timeout=30).json()
    # a name Zabbix has never seen, so that finding it there proves this change arrived
    new_name = f"{device['name'].split('-eda')[0][:40]}-eda{int(time.time()) % 100000}"
    print(f"  PATCH /api/dcim/devices/{device['id']}/ name: {device['name']} -> {new_name}  (Zabbix hostid {hostconfig['hostid']})")
    started = time.monotonic()
    response = netbox.patch(f"{api}/dcim/devices/{device['id']}/", json={"name": new_name}, timeout=30)
    response.raise_for_status()
    while time.monotonic() - started < TIMEOUT:
        hosts = zabbix.host.get(filter={"host": [new_name]}, output=["hostid", "host"])
        if hosts:
            print(f"  Zabbix has host '{new_name}' (hostid {hosts[0]['hostid']}) {time.monotonic() - started:.1f} s after "
                  "the change in NetBox; no playbook was run by hand")
            return 0
        time.sleep(0.2)
    print(f"  Zabbix did not show '{new_name}' within {TIMEOUT:.0f} s: see the ansible-rulebook log", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
