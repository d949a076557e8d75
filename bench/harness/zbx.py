"""Zabbix-side helpers shared by the harness and the floor: read, compare, drift, create.

Everything here speaks plain JSON-RPC through zabbix-utils and knows only the fields the
benchmark data uses (visible name, description, status, groups, templates, tags,
interfaces, proxy). It is not the collection's sync engine: it is the yardstick.
"""
from __future__ import annotations

import os
from typing import Any

from zabbix_utils import ZabbixAPI

INTERFACE_TYPES = {"agent": 1, "snmp": 2, "ipmi": 3, "jmx": 4}
DEFAULT_PORTS = {"agent": "10050", "snmp": "161", "ipmi": "623", "jmx": "12345"}
SNMP_SECURITY_LEVELS = {"noauthnopriv": 0, "authnopriv": 1, "authpriv": 2}
SNMP_AUTH = {"md5": 0, "sha1": 1, "sha224": 2, "sha256": 3, "sha384": 4, "sha512": 5}
SNMP_PRIV = {"des": 0, "aes128": 1, "aes192": 2, "aes256": 3, "aes192c": 4, "aes256c": 5}
DRIFT_KINDS = ("name", "description", "tags", "status")
INVENTORY_MODES = {"disabled": -1, "manual": 0, "automatic": 1}


def connect(url: str, token: str) -> tuple[ZabbixAPI, float]:
    # zabbix-utils also reads ZABBIX_USER/ZABBIX_PASSWORD from the environment and refuses a
    # token next to them: this process uses the token only.
    for name in ("ZABBIX_USER", "ZABBIX_PASSWORD"):
        os.environ.pop(name, None)
    api = ZabbixAPI(url=url, token=token)
    major = float(".".join(str(api.version).split(".")[:2]))
    return api, major


def host_get_params(major: float, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "output": ["hostid", "host", "name", "description", "status", "proxyid", "proxy_hostid", "monitored_by",
                   "proxy_groupid"],
        "selectInterfaces": ["interfaceid", "type", "main", "useip", "ip", "dns", "port", "details"],
        "selectParentTemplates": ["templateid", "host"],
        "selectTags": ["tag", "value"],
    }
    params["selectHostGroups" if major >= 7.0 else "selectGroups"] = ["groupid", "name"]
    params.update(extra)
    return params


def snapshot(api: ZabbixAPI, major: float, hostnames: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """host -> comparable state of every (or the named) Zabbix host(s), one host.get."""
    extra = {"filter": {"host": hostnames}} if hostnames else {}
    hosts = api.host.get(**host_get_params(major, **extra))
    return {h["host"]: comparable(h) for h in hosts}


def comparable(host: dict[str, Any]) -> dict[str, Any]:
    groups = host.get("hostgroups", host.get("groups", []))
    return {
        "hostid": host["hostid"],
        "name": host["name"],
        "description": host["description"],
        "status": "enabled" if str(host["status"]) == "0" else "disabled",
        "groups": sorted(g["name"] for g in groups),
        "templates": sorted(t["host"] for t in host.get("parentTemplates", [])),
        "tags": sorted((t["tag"], t["value"]) for t in host.get("tags", [])),
        "interfaces": sorted(
            (int(i["type"]), int(i["main"]), int(i["useip"]), i["ip"], i["dns"], str(i["port"]))
            for i in host.get("interfaces", [])
        ),
    }


def differing_hosts(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    """Hosts whose state differs between two snapshots (hostid ignored)."""
    names = set(before) | set(after)
    strip = lambda s: {k: v for k, v in (s or {}).items() if k != "hostid"}  # noqa: E731
    return sorted(n for n in names if strip(before.get(n)) != strip(after.get(n)))


def drift_targets(hostnames: list[str], share: float = 0.10) -> list[str]:
    """Every 10th host in name order: deterministic, spread over Devices and VMs."""
    step = max(1, round(1 / share))
    return sorted(hostnames)[::step]


def apply_drift(api: ZabbixAPI, major: float, hostnames: list[str], round_no: int = 0) -> dict[str, int]:
    """Change hosts by hand, as an operator in the Zabbix UI would: one field each, cycling
    through visible name, description, tags and status. One bulk host.update (not counted:
    it bypasses the counting proxy)."""
    current = snapshot(api, major, hostnames)
    updates, kinds = [], {k: 0 for k in DRIFT_KINDS}
    for n, name in enumerate(sorted(current)):
        host = current[name]
        kind = DRIFT_KINDS[n % len(DRIFT_KINDS)]
        change: dict[str, Any] = {"hostid": host["hostid"]}
        if kind == "name":
            change["name"] = f"{host['name']} (renamed by hand {round_no})"
        elif kind == "description":
            change["description"] = f"edited by hand {round_no}"
        elif kind == "tags":
            change["tags"] = [{"tag": "edited-by-hand", "value": str(round_no)}]
        else:
            change["status"] = 1 if host["status"] == "enabled" else 0
        kinds[kind] += 1
        updates.append(change)
    if updates:
        api.host.update(updates)
    return kinds


def count_hosts(api: ZabbixAPI) -> int:
    return int(api.host.get(countOutput=True))


# --------------------------------------------------------------------------- desired state → API
def interface_params(interface: dict[str, Any]) -> dict[str, Any]:
    kind = interface.get("type", "agent")
    useip = interface.get("useip", True) is not False
    params: dict[str, Any] = {
        "type": INTERFACE_TYPES[kind],
        "main": 1 if interface.get("main", True) else 0,
        "useip": 1 if useip else 0,
        "ip": interface.get("ip") or "",
        "dns": interface.get("dns") or "",
        "port": str(interface.get("port") or DEFAULT_PORTS[kind]),
    }
    if kind == "snmp":
        params["details"] = snmp_details(interface.get("details") or {})
    return params


def snmp_details(details: dict[str, Any]) -> dict[str, Any]:
    version = int(details.get("version", 2))
    out: dict[str, Any] = {"version": version, "bulk": 1 if details.get("bulk", True) else 0}
    if version in (1, 2):
        out["community"] = details.get("community") or "{$SNMP_COMMUNITY}"
    else:
        out["securityname"] = details.get("securityname") or ""
        out["contextname"] = details.get("contextname") or ""
        out["securitylevel"] = SNMP_SECURITY_LEVELS.get(str(details.get("securitylevel", "noauthnopriv")), 0)
        if details.get("authprotocol"):
            out["authprotocol"] = SNMP_AUTH.get(str(details["authprotocol"]), 0)
        if details.get("privprotocol"):
            out["privprotocol"] = SNMP_PRIV.get(str(details["privprotocol"]), 0)
        for secret in ("authpassphrase", "privpassphrase"):
            if details.get(secret):
                out[secret] = details[secret]
    if details.get("max_repetitions") is not None:
        out["max_repetitions"] = int(details["max_repetitions"])
    return out


def ref_name(entry: Any, key: str = "name") -> str:
    return entry if isinstance(entry, str) else entry[key]


def unwrap_unsafe(value: Any) -> Any:
    """ansible-core 2.19+ writes untrusted strings as {"__ansible_unsafe": "..."} in --list output."""
    if isinstance(value, dict):
        if len(value) == 1 and "__ansible_unsafe" in value:
            return value["__ansible_unsafe"]
        return {k: unwrap_unsafe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_unsafe(v) for v in value]
    return value


def desired_from_inventory(inventory: dict[str, Any]) -> list[dict[str, Any]]:
    """The valid `zabbix_host` dicts from (unwrapped) `ansible-inventory --list` output, in host order."""
    hostvars = inventory.get("_meta", {}).get("hostvars", {})
    out = []
    for _name, hv in sorted(hostvars.items()):
        desired = hv.get("zabbix_host")
        if desired and hv.get("zabbix_host_valid", True) and desired.get("state", "present") == "present":
            out.append(desired)
    return out


def comparable_desired(desired: dict[str, Any]) -> dict[str, Any]:
    """The desired state in `comparable()` form (for the floor's diff)."""
    return {
        "name": desired.get("name") or desired["host"],
        "description": desired.get("description") or "",
        "status": desired.get("status", "enabled"),
        "groups": sorted(ref_name(g) for g in desired.get("host_groups", [])),
        "templates": sorted(ref_name(t) for t in desired.get("templates", [])),
        "tags": sorted((t["tag"], t.get("value", "")) for t in desired.get("tags", [])),
        "interfaces": sorted(
            (p["type"], p["main"], p["useip"], p["ip"], p["dns"], p["port"])
            for p in (interface_params(i) for i in desired.get("interfaces", []))
        ),
    }
