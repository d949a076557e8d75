# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the real netbox_zabbix plugin's own update sends to Zabbix for one HostConfig.

The plugin's signals (on by default) run its update for a HostConfig on every save of it,
its interfaces or their IPs, including the saves of our write-back. Its update reads the
HostConfig and sends ``host.update`` with ``hostid = HostConfig.hostid`` and the full
payload its builder makes (../shared/spec/hostconfig-api.md, "Identity" and "How a
HostConfig becomes a Zabbix host"); interface rows travel with their ``interfaceid`` when
they have one, and a row without one makes Zabbix replace the host's interfaces.

This model follows that payload for the fields identity depends on: ``hostid``, ``host``
(the Device/VM name), ``status``, ``description``, groups and templates by their Zabbix ids,
``monitored_by``/``proxyid``/``proxy_groupid`` (Zabbix 7.0+ only, as the plugin), the
inventory mode, and the interfaces exactly as the plugin renders them (agent rows then
SNMP rows in id order, every value a string, SNMP details with ``str(None)`` for nulls
and no community). Tags, inventory values and TLS are left out: the plugin derives them
by the rules our inventory implements and the unit tests pin, and its TLS fields are
hidden from the API.
"""

from __future__ import annotations

import typing as t

PLUGIN_API = "plugins/netbox_zabbix"
SNMP_DETAIL_KEYS = ("version", "bulk", "max_repetitions", "contextname", "securityname", "securitylevel",
                    "authprotocol", "authpassphrase", "privprotocol", "privpassphrase")


class NetBoxReader(t.Protocol):
    def request(self, method: str, path: str, **kwargs: t.Any) -> t.Any: ...


def _rows(netbox: NetBoxReader, endpoint: str, hostconfig_id: int) -> list[dict]:
    page = netbox.request("GET", f"{PLUGIN_API}/{endpoint}", params={"host_config_id": hostconfig_id, "ordering": "id", "limit": 1000})
    return [row for row in page["results"] if row["host_config"] == hostconfig_id]


def _address(netbox: NetBoxReader, ip_id: int | None) -> tuple[str, str]:
    if ip_id is None:
        return "", ""
    ip = netbox.request("GET", f"ipam/ip-addresses/{ip_id}")
    return ip["address"].split("/", 1)[0], ip.get("dns_name") or ""


def payload(netbox: NetBoxReader, hostconfig_id: int, zabbix7: bool = True) -> dict[str, t.Any]:
    """host.update parameters as the plugin's update builds them for this HostConfig."""
    hc = netbox.request("GET", f"{PLUGIN_API}/host-config/{hostconfig_id}")
    object_types = {row["id"]: row for row in netbox.request("GET", "core/object-types", params={"limit": 1000})["results"]}
    object_type = object_types[hc["content_type"]]
    path = "dcim/devices" if object_type["model"] == "device" else "virtualization/virtual-machines"
    obj = netbox.request("GET", f"{path}/{hc['object_id']}")
    groups = [netbox.request("GET", f"{PLUGIN_API}/host-group/{pk}")["groupid"] for pk in hc["host_groups"]]
    templates = [netbox.request("GET", f"{PLUGIN_API}/templates/{pk}")["templateid"] for pk in hc["templates"]]
    settings = netbox.request("GET", f"{PLUGIN_API}/setting", params={"ordering": "id", "limit": 1})["results"]
    inventory_mode = settings[0].get("inventory_mode", 0) if settings else 0

    params: dict[str, t.Any] = {
        "hostid": str(hc["hostid"]),
        "host": obj["name"],
        "status": str(hc["status"]),
        "description": str(hc["description"]) if hc.get("description") else "",
        "groups": [{"groupid": groupid} for groupid in groups],
        "templates": [{"templateid": templateid} for templateid in templates],
        "inventory_mode": str(inventory_mode),
    }
    if zabbix7:
        params.update(monitored_by=str(hc["monitored_by"]), proxyid="0", proxy_groupid="0")
        if hc["monitored_by"] == 1 and hc.get("proxy"):
            params["proxyid"] = netbox.request("GET", f"{PLUGIN_API}/proxy/{hc['proxy']}")["proxyid"]
        if hc["monitored_by"] == 2 and hc.get("proxy_group"):
            params["proxy_groupid"] = netbox.request("GET", f"{PLUGIN_API}/proxy-group/{hc['proxy_group']}")["proxy_groupid"]

    interfaces = []
    for row in _rows(netbox, "agent-interface", hostconfig_id):
        ip, dns = _address(netbox, row.get("ip_address"))
        entry = {"type": "1", "main": str(row["main"]), "useip": str(row["useip"]), "ip": ip, "dns": dns, "port": str(row["port"])}
        if row.get("interfaceid"):
            entry["interfaceid"] = str(row["interfaceid"])
        interfaces.append(entry)
    for row in _rows(netbox, "snmp-interface", hostconfig_id):
        ip, dns = _address(netbox, row.get("ip_address"))
        entry = {"type": "2", "main": str(row["main"]), "useip": str(row["useip"]), "ip": ip, "dns": dns, "port": str(row["port"]),
                 "details": {key: str(row.get(key)) for key in SNMP_DETAIL_KEYS}}
        if row.get("interfaceid"):
            entry["interfaceid"] = str(row["interfaceid"])
        interfaces.append(entry)
    params["interfaces"] = interfaces
    return params
