# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Record the unit tests' webhook fixtures from the real local NetBox (tests/unit/fixtures/netbox_webhooks/).

Needs the stack up with NetBox's worker (stack/netbox.sh worker-up) and a small seed with
prefix ``fx`` (stack/netbox.sh seed --reset --prefix fx --count 6). Points a Webhook +
Event Rule named ``fixture-capture`` at a local listener, makes each change through NetBox's
API, stores each delivery (signature header and raw body, exactly as sent) as one JSON file,
plus ``index.json``: the HostConfig/interface rows and content types the source indexes.
The secret is a test value, stored with the fixtures. Removes the two NetBox objects after.

    python tests/tools/capture_webhook_fixtures.py --port 18398
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import typing as t
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "unit" / "fixtures" / "netbox_webhooks"
SECRET = "fixture-secret-not-used-anywhere-else"
PLUGIN = "plugins/netbox_zabbix"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=18398)
    args = parser.parse_args()
    received: list[dict] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                received.append({"headers": {"Content-Type": self.headers.get("Content-Type"),
                                             "X-Hook-Signature": self.headers.get("X-Hook-Signature")},
                                 "body": body.decode("utf-8")})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    session = requests.Session()
    token = os.environ["NETBOX_TOKEN"]
    session.headers["Authorization"] = f"Bearer {token}" if token.startswith("nbt_") else f"Token {token}"
    api = os.environ["NETBOX_API"].rstrip("/") + "/api"

    def nb(method: str, path: str, body=None, **params):
        response = session.request(method, f"{api}/{path.strip('/')}/", json=body, params=params or None, timeout=60)
        if response.status_code >= 400:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def rows(path: str, **params):
        return nb("GET", path, ordering="id", limit=1000, **params)["results"]

    env = {**os.environ, "NETBOX_WEBHOOK_SECRET": SECRET}
    setup = [sys.executable, str(REPO / "stack" / "eda_netbox_setup.py"), "--name", "fixture-capture",
             "--url", f"http://127.0.0.1:{args.port}/netbox"]
    subprocess.run(setup, env=env, check=True)

    recorded: dict[str, list[dict]] = {}

    def change(name: str, expect: int, action) -> t.Any:
        before = len(received)
        result = action()
        deadline = time.monotonic() + 60
        while len(received) < before + expect and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        recorded[name] = received[before:]
        print(f"{name}: {len(recorded[name])} deliveries")
        return result

    try:
        device_ct = rows("core/object-types", app_label="dcim", model="device")[0]["id"]
        vm_ct = rows("core/object-types", app_label="virtualization", model="virtualmachine")[0]["id"]
        hostconfigs = [hc for hc in rows(f"{PLUGIN}/host-config") if (hc.get("name") or "").startswith("z-fx")]
        agent = [row for row in rows(f"{PLUGIN}/agent-interface") if row["host_config"] in {hc["id"] for hc in hostconfigs}]
        snmp = [row for row in rows(f"{PLUGIN}/snmp-interface") if row["host_config"] in {hc["id"] for hc in hostconfigs}]
        dev_hc = [hc for hc in hostconfigs if hc["content_type"] == device_ct]
        vm_hc = [hc for hc in hostconfigs if hc["content_type"] == vm_ct]
        index = {"content_types": {str(device_ct): "device", str(vm_ct): "virtualmachine"},
                 "hostconfigs": hostconfigs, "agentinterface": agent, "snmpinterface": snmp}

        hc = dev_hc[0]
        change("hostconfig_updated", 1, lambda: nb("PATCH", f"{PLUGIN}/host-config/{hc['id']}",
                                                   {"status": 1 - hc["status"]}))
        change("hostconfig_writeback", 1, lambda: nb("PATCH", f"{PLUGIN}/host-config/{hc['id']}",
                                                     {"hostid": 990000 + hc["id"]}))
        device = nb("GET", f"dcim/devices/{hc['object_id']}")
        change("device_renamed", 1, lambda: nb("PATCH", f"dcim/devices/{device['id']}", {"name": device["name"] + "-x"}))
        change("device_saved_unchanged", 1, lambda: nb("PATCH", f"dcim/devices/{device['id']}",
                                                       {"name": device["name"] + "-x"}))
        vm = nb("GET", f"virtualization/virtual-machines/{vm_hc[0]['object_id']}")
        change("virtualmachine_updated", 1, lambda: nb("PATCH", f"virtualization/virtual-machines/{vm['id']}",
                                                       {"comments": "changed"}))
        row = agent[0]
        change("agentinterface_updated", 1, lambda: nb("PATCH", f"{PLUGIN}/agent-interface/{row['id']}", {"port": 10051}))
        if snmp:
            change("snmpinterface_updated", 1, lambda: nb("PATCH", f"{PLUGIN}/snmp-interface/{snmp[0]['id']}",
                                                          {"port": 1161}))
        ip_row = next(row for row in agent if row.get("ip_address"))
        change("ipaddress_updated", 1, lambda: nb("PATCH", f"ipam/ip-addresses/{ip_row['ip_address']}",
                                                  {"dns_name": "fx-changed.example.com"}))
        unrelated_ip = nb("POST", "ipam/ip-addresses", {"address": "203.0.113.77/32"})
        change("ipaddress_unrelated_updated", 1, lambda: nb("PATCH", f"ipam/ip-addresses/{unrelated_ip['id']}",
                                                            {"description": "not used by any HostConfig"}))
        nb("DELETE", f"ipam/ip-addresses/{unrelated_ip['id']}")
        bulk = [{"id": h["object_id"], "comments": "bulk edit"} for h in dev_hc[:3]]
        change("device_bulk_edit", len(bulk), lambda: nb("PATCH", "dcim/devices", bulk))
        # a new HostConfig on a Device that had none, then its deletion
        spare = nb("POST", "dcim/devices", {"name": "fx-spare", "device_type": device["device_type"]["id"],
                                            "role": device["role"]["id"], "site": device["site"]["id"]})
        created = change("hostconfig_created", 1, lambda: nb("POST", f"{PLUGIN}/host-config", {
            "name": "z-fx-spare", "status": 0, "monitored_by": 0, "content_type": device_ct, "object_id": spare["id"],
            "host_groups": hc["host_groups"], "templates": []}))
        new_agent = change("agentinterface_created", 1, lambda: nb("POST", f"{PLUGIN}/agent-interface", {
            "name": "fx-spare-agent", "host_config": created["id"], "type": 1, "main": 1, "useip": 1, "port": 10050,
            "interface_type": row["interface_type"], "interface_id": row["interface_id"]}))
        change("agentinterface_deleted", 1, lambda: nb("DELETE", f"{PLUGIN}/agent-interface/{new_agent['id']}"))
        change("hostconfig_deleted", 1, lambda: nb("DELETE", f"{PLUGIN}/host-config/{created['id']}"))
        nb("DELETE", f"dcim/devices/{spare['id']}")
    finally:
        subprocess.run(setup + ["--delete"], env=env, check=False)
        server.shutdown()

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    for name, deliveries in recorded.items():
        (OUT / f"{name}.json").write_text(json.dumps({"secret": SECRET, "deliveries": deliveries}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
