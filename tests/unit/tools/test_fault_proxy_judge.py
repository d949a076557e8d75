# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The integration tests' "never half-applied" judge (tests/tools/fault_proxy.host_mismatches)
notices every field it claims to judge: one changed read-back field at a time."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from fault_proxy import host_mismatches  # noqa: E402  pylint: disable=wrong-import-position

DESIRED = {
    "host": "sw-1", "name": "Switch 1", "description": "core", "status": "enabled",
    "host_groups": ["NB Core"], "templates": ["ICMP Ping"],
    "interfaces": [
        {"type": "agent", "ip": "192.0.2.1"},
        {"type": "snmp", "ip": "192.0.2.1", "details": {
            "version": 3, "bulk": True, "securityname": "mon", "securitylevel": "authpriv", "authprotocol": "sha256",
            "authpassphrase": "SEKRITauth", "privprotocol": "aes256", "privpassphrase": "SEKRITpriv", "contextname": "c1"}},
    ],
    "tags": [{"tag": "role", "value": "core"}],
    "macros": [{"macro": "{$A}", "value": "1"}, {"macro": "{$S}", "value": "SEKRIT", "type": "secret"}],
    "inventory": {"location": "rack 1"},
    "tls_connect": "psk", "tls_accept": ["no_encryption", "psk"],
    "monitored_by": "proxy", "proxy": {"name": "px-1", "proxyid": "7"},
}
ZHOST = {
    "host": "sw-1", "name": "Switch 1", "description": "core", "status": "0",
    "groups": [{"groupid": "21", "name": "NB Core"}], "parentTemplates": [{"templateid": "10564", "host": "ICMP Ping", "name": "ICMP Ping"}],
    "interfaces": [
        {"type": "1", "ip": "192.0.2.1", "dns": "", "useip": "1", "port": "10050", "details": []},
        {"type": "2", "ip": "192.0.2.1", "dns": "", "useip": "1", "port": "161", "details": {
            "version": "3", "bulk": "1", "securityname": "mon", "securitylevel": "2", "authprotocol": "3", "privprotocol": "3",
            "contextname": "c1", "community": "", "max_repetitions": "10"}},
    ],
    "tags": [{"tag": "role", "value": "core"}],
    "macros": [{"macro": "{$A}", "value": "1", "type": "0", "description": ""}, {"macro": "{$S}", "type": "1", "description": ""}],
    "inventory": {"location": "rack 1"},
    "tls_connect": "2", "tls_accept": "3", "monitored_by": "1", "proxyid": "7",
}
PROXIES = {"7": "px-1", "8": "px-2"}


def test_a_fully_applied_host_has_no_mismatch() -> None:
    assert host_mismatches(DESIRED, ZHOST, PROXIES) == []


@pytest.mark.parametrize("path, value, field", [
    (("macros", 0, "value"), "2", "macros"),
    (("macros", 1, "type"), "0", "macros"),
    (("interfaces", 1, "details", "securitylevel"), "1", "interfaces.details"),
    (("interfaces", 1, "details", "authprotocol"), "0", "interfaces.details"),
    (("interfaces", 1, "details", "contextname"), "other", "interfaces.details"),
    (("interfaces", 1, "details", "bulk"), "0", "interfaces.details"),
    (("tls_connect",), "1", "tls_connect"),
    (("tls_accept",), "2", "tls_accept"),
    (("proxyid",), "8", "proxy"),
    (("monitored_by",), "0", "monitored_by"),
    (("tags", 0, "value"), "edge", "tags"),
    (("inventory", "location"), "rack 2", "inventory"),
])
def test_each_judged_field_is_noticed(path: tuple, value: str, field: str) -> None:
    zhost = copy.deepcopy(ZHOST)
    target = zhost
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    assert field in host_mismatches(DESIRED, zhost, PROXIES)


def test_a_proxy_cannot_be_judged_without_the_names() -> None:
    with pytest.raises(ValueError, match="proxy_names"):
        host_mismatches(DESIRED, ZHOST)
