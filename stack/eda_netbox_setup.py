#!/usr/bin/env python3
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Create (or update) the two NetBox objects event-driven sync needs, through NetBox's API:

* a Webhook that POSTs NetBox's default body to the rulebook's netbox_webhook source,
  signed with the secret (X-Hook-Signature);
* an Event Rule that fires it on create/update/delete of HostConfigs, agent and SNMP
  interfaces, Devices, Virtual Machines and IP addresses.

Idempotent by name. NETBOX_API, NETBOX_TOKEN and NETBOX_WEBHOOK_SECRET come from the
environment (never the command line).
    stack/eda_netbox_setup.py --url http://127.0.0.1:18399/netbox [--name netbox-zabbix-sync] [--delete]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import requests

OBJECT_TYPES = [
    "netbox_zabbix.hostconfig",
    "netbox_zabbix.agentinterface",
    "netbox_zabbix.snmpinterface",
    "dcim.device",
    "virtualization.virtualmachine",
    "ipam.ipaddress",
]
EVENT_TYPES = ["object_created", "object_updated", "object_deleted"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="where the rulebook's netbox_webhook source listens")
    parser.add_argument("--name", default="netbox-zabbix-sync", help="name of the Webhook and the Event Rule")
    parser.add_argument("--delete", action="store_true", help="remove both objects")
    parser.add_argument("--disable", action="store_true", help="keep both, but disable the Event Rule")
    args = parser.parse_args()

    api = os.environ["NETBOX_API"].rstrip("/")
    token = os.environ["NETBOX_TOKEN"]
    secret = os.environ.get("NETBOX_WEBHOOK_SECRET", "")
    if not secret and not args.delete:
        print("NETBOX_WEBHOOK_SECRET is not set: the source refuses unsigned webhooks", file=sys.stderr)
        return 2
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}" if token.startswith("nbt_") else f"Token {token}"

    def call(method: str, path: str, body: dict | None = None) -> dict:
        response = session.request(method, f"{api}/api/{path}", json=body, timeout=30)
        if response.status_code >= 400:
            raise SystemExit(f"{method} /api/{path}: HTTP {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else {}

    def find(path: str) -> dict | None:
        rows = call("GET", f"{path}?name={args.name}&ordering=id").get("results") or []
        return next((row for row in rows if row.get("name") == args.name), None)

    webhook, rule = find("extras/webhooks/"), find("extras/event-rules/")
    if args.delete:
        for path, row in (("extras/event-rules/", rule), ("extras/webhooks/", webhook)):
            if row:
                call("DELETE", f"{path}{row['id']}/")
        print(json.dumps({"deleted": [row["id"] for row in (rule, webhook) if row]}))
        return 0

    webhook_body = {
        "name": args.name,
        "payload_url": args.url,
        "http_method": "POST",
        "http_content_type": "application/json",
        "secret": secret,
        "ssl_verification": True,
        "description": "netbox_zabbix.sync event-driven sync (ansible-rulebook, netbox_zabbix.sync.netbox_webhook)",
    }
    webhook = call("PATCH" if webhook else "POST",
                   f"extras/webhooks/{webhook['id']}/" if webhook else "extras/webhooks/", webhook_body)
    rule_body = {
        "name": args.name,
        "object_types": OBJECT_TYPES,
        "event_types": EVENT_TYPES,
        "enabled": not args.disable,
        "action_type": "webhook",
        "action_object_type": "extras.webhook",
        "action_object_id": webhook["id"],
        "description": "HostConfig-related changes to the event-driven Zabbix sync",
    }
    rule = call("PATCH" if rule else "POST",
                f"extras/event-rules/{rule['id']}/" if rule else "extras/event-rules/", rule_body)
    print(json.dumps({"webhook": webhook["id"], "event_rule": rule["id"], "url": args.url}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
