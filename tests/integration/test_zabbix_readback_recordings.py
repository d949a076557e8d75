# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real Zabbix read-backs for the unit tests' round trip (tests/unit/fixtures/zabbix/).

The unit round-trip test needs what ``host.get`` returns for a host created from
``readback-state.json``. Built by the code under test, that answer could only agree with it;
recorded from the real Zabbix 6.0 and 7.0 here, it is Zabbix's own. This test creates the host
through the engine, reads it back with the selects the engine uses and compares the answer
(ids replaced by placeholders) with the recording: a difference means Zabbix (or the engine's
writes) changed, and the recording must be renewed with ``NETBOX_ZABBIX_SYNC_RECORD=1``.
"""

from __future__ import annotations

import json
import os
import typing as t

import pytest

pytestmark = pytest.mark.integration


def normalised(zhost: dict[str, t.Any]) -> dict[str, t.Any]:
    """The read-back without its volatile ids; lists in a stable order."""
    host = json.loads(json.dumps(zhost))
    host["hostid"] = "<hostid>"
    for interface in host.get("interfaces") or []:
        interface["interfaceid"] = "<interfaceid>"
        interface.pop("hostid", None)
    for macro in host.get("macros") or []:
        macro["hostmacroid"] = "<hostmacroid>"
        macro["hostid"] = "<hostid>"
    if isinstance(host.get("inventory"), dict):
        host["inventory"].pop("hostid", None)
    host["interfaces"] = sorted(host.get("interfaces") or [], key=lambda i: (i["type"], i["ip"], i["dns"], i["port"]))
    host["macros"] = sorted(host.get("macros") or [], key=lambda m: m["macro"])
    host["tags"] = sorted(host.get("tags") or [], key=lambda tg: (tg["tag"], tg["value"]))
    return host


def test_readback_matches_the_recording(zabbix: t.Any, stack: t.Any, collection_importable: None) -> None:
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import SyncEngine
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import (
        VersionProfile,
        ZabbixClient,
        ZabbixOptions,
    )

    fixtures = stack.REPO / "tests" / "unit" / "fixtures" / "zabbix"
    state = json.loads((fixtures / "readback-state.json").read_text())
    client = ZabbixClient(ZabbixOptions(url=zabbix.env["ZABBIX_URL"], token=zabbix.env["ZABBIX_TOKEN"]))
    result = SyncEngine(client).sync([(state["host"], state, None)])[state["host"]]
    assert result["action"] == "created", result

    profile = VersionProfile(zabbix.version)
    selects = profile.host_get_selects(state["inventory"])
    found = zabbix.call("host.get", {"output": "extend", "filter": {"host": [state["host"]]}, **selects})
    assert len(found) == 1
    proxies = zabbix.call("proxy.get", {"output": "extend"})
    recording = {
        "zabbix_version": zabbix.version[:3],
        "proxies": {str(p["proxyid"]): p.get("name") or p.get("host") for p in proxies},
        "host": normalised(found[0]),
    }
    path = fixtures / f"readback-{zabbix.version[:3]}.json"
    if os.environ.get("NETBOX_ZABBIX_SYNC_RECORD") == "1":
        path.write_text(json.dumps(recording, indent=1, sort_keys=True) + "\n")
    recorded = json.loads(path.read_text())
    assert recording == recorded, f"Zabbix {zabbix.version} answers differently from {path.name}; renew it with NETBOX_ZABBIX_SYNC_RECORD=1"

    again = SyncEngine(ZabbixClient(ZabbixOptions(url=zabbix.env["ZABBIX_URL"], token=zabbix.env["ZABBIX_TOKEN"]))).sync(
        [(state["host"], state, None)])[state["host"]]
    assert again["action"] == "unchanged", again
