#!/usr/bin/env python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Record the engine's per-host results of a check-mode run with known drift, from a real Zabbix.

    source $STACK_DIR/zabbix-7.0.env; PYTHONPATH=.cache/collections python tests/tools/record_drift_plans.py > tests/unit/fixtures/drift/plan-7.0.json

Creates hosts ``recdrift-*`` (deleted again afterwards), drifts them in many ways (ports,
SNMP details, templates, groups, status, tags, macros incl. a rewritten secret, inventory,
proxy, description, TLS PSK, rename) and prints the check-mode results (with ``drift``) as JSON.
The unit tests of the drift report group these recorded plans.
"""

from __future__ import annotations

import copy
import json
import os
import sys

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import SyncEngine
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import ZabbixClient, ZabbixOptions

PREFIX = "recdrift-"
SECRET = "recorded-secret-macro-value"
PSK = "00112233445566778899aabbccddeeff"


def base(n: int) -> dict:
    return {
        "host": f"{PREFIX}{n:02d}",
        "host_groups": ["NB Servers"],
        "templates": ["Linux by Zabbix agent"],
        "interfaces": [
            {"type": "agent", "main": True, "useip": True, "ip": f"10.99.0.{n}", "port": "10050"},
            {"type": "snmp", "main": True, "useip": True, "ip": f"10.99.0.{n}", "port": "161",
             "details": {"version": 2, "community": "public"}},
        ],
        "tags": [{"tag": "role", "value": "web"}, {"tag": "site", "value": "dc1"}],
        "macros": [{"macro": "{$SITE}", "value": "dc1"}, {"macro": "{$TOKEN}", "value": SECRET, "type": "secret"}],
        "description": "base",
        "status": "enabled",
        "inventory_mode": "manual",
        "inventory": {"location": "dc1", "serialno_a": f"SN{n:04d}"},
        "tls_connect": "psk", "tls_accept": ["psk"], "tls_psk_identity": f"id-{n}", "tls_psk": PSK,
    }


def drift(hosts: dict) -> dict:
    hosts = copy.deepcopy(hosts)

    def h(n: int) -> dict:
        return hosts[f"{PREFIX}{n:02d}"]

    for n in (1, 2, 3, 4):
        h(n)["interfaces"][0]["port"] = "10051"
    h(2)["interfaces"][1]["details"]["community"] = "private"
    for n in (1, 5, 6):
        h(n)["templates"] = ["Linux by Zabbix agent", "ICMP Ping"]
    h(7)["templates"] = ["ICMP Ping"]
    h(8)["status"] = "disabled"
    h(9)["host_groups"] = ["NB Servers", "NB Core"]
    h(10)["tags"] = [{"tag": "role", "value": "db"}, {"tag": "site", "value": "dc1"}]
    h(11)["macros"][0]["value"] = "dc2"
    h(12).update(update_secrets="always")  # the secret macro and the PSK are rewritten: masked
    h(13)["inventory"] = {"location": "dc2", "serialno_a": "SN9999"}
    h(14)["proxy"] = "nb-proxy-1"
    h(15)["description"] = "moved to rack 7"
    h(16)["interfaces"].pop(1)  # the SNMP interface goes
    h(17)["host"] = f"{PREFIX}17-renamed"
    h(18)["templates"] = ["No Such Template"]
    h(19)["state"] = "absent"
    hosts[f"{PREFIX}30"] = base(30)
    return hosts


def main() -> None:
    client = ZabbixClient(ZabbixOptions.from_params({
        "zabbix_url": os.environ["ZABBIX_URL"], "zabbix_token": os.environ["ZABBIX_TOKEN"], "zabbix_validate_certs": False,
    }))
    hosts = {f"{PREFIX}{n:02d}": base(n) for n in range(1, 21)}
    created = SyncEngine(client).sync([(k, v, None) for k, v in hosts.items()])
    for key, state in hosts.items():
        state["hostid"] = created[key]["hostid"]  # own the host by id: a rename is a rename
    try:
        results = SyncEngine(client, check_mode=True).sync([(k, v, None) for k, v in drift(hosts).items()])
    finally:
        ids = [r["hostid"] for r in created.values() if r.get("hostid")]
        client.write("host.delete", ids)
        client.close()
    text = json.dumps({"zabbix_version": os.environ.get("ZABBIX_VERSION"), "results": results}, indent=1, sort_keys=True)
    for secret in (SECRET, PSK):
        if secret in text:
            sys.exit("a secret reached the results: not recording")
    print(text)


if __name__ == "__main__":
    main()
