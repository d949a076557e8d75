# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""One option's value in the canonical form, from either side.

Desired side: a validated option value, checked and made canonical; bad input raises
HostError naming the option (``interfaces[1].port``). Zabbix side: the same value read from
a host.get answer; values Zabbix does not return are WRITE_ONLY. The field table
(_host_fields) says which of these each field uses.
"""

from __future__ import annotations

import ipaddress
import typing as t

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._codes import (
    DEFAULT_SNMP_COMMUNITY,
    INTERFACE_TYPE,
    MACRO_TYPE,
    SNMP_AUTH_PROTOCOL,
    SNMP_PRIV_PROTOCOL,
    SNMP_SECURITY_LEVEL,
    TLS_BITS,
    name_of,
)
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_model import WRITE_ONLY, HostError, Ref

INTERFACE_TYPE_ORDER = ("agent", "snmp", "ipmi", "jmx")
DEFAULT_PORT = {"agent": "10050", "snmp": "161", "ipmi": "623", "jmx": "12345"}
DEFAULT_MAX_REPETITIONS = 10
SNMP_PASSPHRASES = ("authpassphrase", "privpassphrase")


# -- desired side ----------------------------------------------------------------------
def _is_macro(value: str) -> bool:
    return value.startswith("{") and value.endswith("}")


def zabbix_id(value: t.Any, path: str) -> str:
    """A Zabbix object ID as its canonical string; "" for none (null, "", 0)."""
    if value in (None, "", 0, "0"):
        return ""
    text = str(value).strip()
    if not text.isdigit():
        raise HostError(path, f"'{text}' is not a Zabbix ID (digits)")
    return str(int(text))


def ref(entry: t.Any, path: str, id_key: str) -> Ref:
    """A name, or a mapping with a name and/or ``id_key``."""
    if isinstance(entry, (str, int)) and not isinstance(entry, bool):
        name = str(entry).strip()
        if not name:
            raise HostError(path, "must not be empty")
        return Ref(name, None, path)
    if isinstance(entry, t.Mapping):
        name = entry.get("name")
        ident = entry.get(id_key)
        name = str(name).strip() if name not in (None, "") else None
        ident = str(ident).strip() if ident not in (None, "") else None
        if name is None and ident is None:
            raise HostError(path, f"needs a name or a {id_key}")
        return Ref(name, ident, path)
    raise HostError(path, f"must be a name or a mapping with name/{id_key}, got {type(entry).__name__}")


def refs(entries: t.Iterable[t.Any], option: str, id_key: str) -> list[Ref]:
    return [ref(entry, f"{option}[{i}]", id_key) for i, entry in enumerate(entries)]


def _port(value: t.Any, path: str, default: str) -> str:
    if value is None or value == "":
        return default
    text = str(value).strip()
    if _is_macro(text):
        return text
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise HostError(path, f"'{text}' is not a port number (0-65535) or a user macro")
    return str(int(text))


def _ip(value: str, path: str) -> str:
    text = value.strip()
    if _is_macro(text):
        return text
    try:
        ipaddress.ip_address(text)
    except ValueError:
        raise HostError(path, f"'{text}' is not a valid IPv4 or IPv6 address") from None
    return text


def _snmp_details(raw: t.Mapping[str, t.Any] | None, path: str, profile: t.Any) -> dict[str, t.Any]:
    raw = raw or {}
    version = int(raw.get("version") or 2)
    if version not in (1, 2, 3):
        raise HostError(f"{path}.version", f"must be 1, 2 or 3, got {version}")
    bulk = raw.get("bulk")
    details: dict[str, t.Any] = {"version": version, "bulk": True if bulk is None else bool(bulk)}
    if version in (1, 2):
        community = raw.get("community")
        details["community"] = DEFAULT_SNMP_COMMUNITY if community in (None, "") else str(community)
    else:
        securityname = raw.get("securityname")
        if securityname in (None, ""):
            raise HostError(f"{path}.securityname", "is required for SNMPv3")
        level = raw.get("securitylevel") or "noauthnopriv"
        if level not in SNMP_SECURITY_LEVEL:
            raise HostError(f"{path}.securitylevel", f"must be one of {', '.join(SNMP_SECURITY_LEVEL)}")
        details.update(contextname=str(raw.get("contextname") or ""), securityname=str(securityname), securitylevel=level)
        if level in ("authnopriv", "authpriv"):
            proto = raw.get("authprotocol") or "md5"
            if proto not in SNMP_AUTH_PROTOCOL:
                raise HostError(f"{path}.authprotocol", f"must be one of {', '.join(SNMP_AUTH_PROTOCOL)}")
            details.update(authprotocol=proto, authpassphrase=str(raw.get("authpassphrase") or ""))
        if level == "authpriv":
            proto = raw.get("privprotocol") or "des"
            if proto not in SNMP_PRIV_PROTOCOL:
                raise HostError(f"{path}.privprotocol", f"must be one of {', '.join(SNMP_PRIV_PROTOCOL)}")
            details.update(privprotocol=proto, privpassphrase=str(raw.get("privpassphrase") or ""))
    # max_repetitions exists from 7.0 on (v2c and v3); on 6.0 it is ignored (the NetBox
    # plugin always sends its default, so refusing it would fail every SNMP host).
    if profile.snmp_max_repetitions and version in (2, 3):
        reps = raw.get("max_repetitions")
        details["max_repetitions"] = DEFAULT_MAX_REPETITIONS if reps in (None, "") else int(reps)
    return details


def interfaces(entries: list[t.Any], profile: t.Any) -> list[dict[str, t.Any]]:
    """Canonical interfaces, grouped by type, main one first within each type."""
    by_type: dict[str, list[tuple[int, dict[str, t.Any]]]] = {kind: [] for kind in INTERFACE_TYPE_ORDER}
    for index, raw in enumerate(entries):
        path = f"interfaces[{index}]"
        if not isinstance(raw, t.Mapping):
            raise HostError(path, "must be a mapping")
        kind = raw.get("type")
        if kind not in INTERFACE_TYPE:
            raise HostError(f"{path}.type", f"must be one of {', '.join(INTERFACE_TYPE_ORDER)}")
        useip = True if raw.get("useip") is None else bool(raw.get("useip"))
        ip = raw.get("ip") or ""
        dns = str(raw.get("dns") or "").strip()
        if useip and not ip:
            raise HostError(f"{path}.ip", "is required when useip is true")
        if not useip and not dns:
            raise HostError(f"{path}.dns", "is required when useip is false")
        iface: dict[str, t.Any] = {
            "type": kind,
            "main": bool(raw.get("main")),
            "useip": useip,
            "ip": _ip(str(ip), f"{path}.ip") if ip else "",
            "dns": dns,
            "port": _port(raw.get("port"), f"{path}.port", DEFAULT_PORT[kind]),
            # identity, never compared or shown: the Zabbix interface owned, the input position
            "interfaceid": zabbix_id(raw.get("interfaceid"), f"{path}.interfaceid"),
            "index": index,
        }
        if kind == "snmp":
            iface["details"] = _snmp_details(raw.get("details"), f"{path}.details", profile)
        elif raw.get("details"):
            raise HostError(f"{path}.details", "only SNMP interfaces have details")
        by_type[kind].append((index, iface))
    result = []
    for kind in INTERFACE_TYPE_ORDER:
        group = by_type[kind]
        mains = [index for index, iface in group if iface["main"]]
        if len(mains) > 1:
            raise HostError(f"interfaces[{mains[1]}].main", f"only one {kind} interface can be main")
        if group and not mains:
            group[0][1]["main"] = True  # documented: the first of each type is promoted
        group.sort(key=lambda pair: not pair[1]["main"])
        result.extend(iface for _index, iface in group)
    return result


def tags(entries: list[t.Any]) -> list[dict[str, str]]:
    found = set()
    for index, raw in enumerate(entries):
        if not isinstance(raw, t.Mapping) or raw.get("tag") in (None, ""):
            raise HostError(f"tags[{index}]", "needs a non-empty 'tag'")
        found.add((str(raw["tag"]), str(raw.get("value") or "")))
    return [{"tag": tag, "value": value} for tag, value in sorted(found)]


def macros(entries: list[t.Any]) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for index, raw in enumerate(entries):
        path = f"macros[{index}]"
        if not isinstance(raw, t.Mapping) or not raw.get("macro"):
            raise HostError(path, "needs a 'macro' name like {$NAME}")
        name = str(raw["macro"]).strip()
        if not (name.startswith("{$") and name.endswith("}")):
            raise HostError(f"{path}.macro", f"'{name}' is not a user macro like {{$NAME}}")
        kind = raw.get("type") or "text"
        if kind not in MACRO_TYPE:
            raise HostError(f"{path}.type", "must be text, secret or vault")
        # Macro names are upper case in Zabbix; a context (after ':') keeps its case.
        head, sep, context = name[:-1].partition(":")
        key = f"{head.upper()}{sep}{context}}}"
        if key in seen:
            raise HostError(f"{path}.macro", f"{name} is given twice")
        seen[key] = {
            "macro": key,
            "type": kind,
            "value": str(raw.get("value") if raw.get("value") is not None else ""),
            "description": str(raw.get("description") or ""),
        }
    return [seen[key] for key in sorted(seen)]


def tls_connect(value: t.Any) -> str:
    if value not in TLS_BITS:
        raise HostError("tls_connect", f"must be one of {', '.join(TLS_BITS)}")
    return value


def tls_accept(values: t.Any, path: str = "tls_accept") -> list[str]:
    if isinstance(values, str):
        values = [values]
    result = set()
    for index, value in enumerate(values or []):
        if value not in TLS_BITS:
            raise HostError(f"{path}[{index}]", f"must be one of {', '.join(TLS_BITS)}")
        result.add(value)
    if not result:
        raise HostError(path, "must not be empty")
    return sorted(result, key=list(TLS_BITS).index)


def tls_psk(value: str) -> str:
    if len(value) < 32 or len(value) % 2 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise HostError("tls_psk", "must be at least 32 hexadecimal digits (an even number)")
    return value


# -- Zabbix side -----------------------------------------------------------------------
def current_interface(zif: t.Mapping[str, t.Any], profile: t.Any) -> dict[str, t.Any]:
    kind = name_of(INTERFACE_TYPE, zif.get("type"))
    iface: dict[str, t.Any] = {
        "type": kind,
        "main": str(zif.get("main")) == "1",
        "useip": str(zif.get("useip")) == "1",
        "ip": str(zif.get("ip") or ""),
        "dns": str(zif.get("dns") or ""),
        "port": str(zif.get("port") or ""),
        "interfaceid": str(zif.get("interfaceid") or ""),
    }
    if kind == "snmp":
        raw = zif.get("details") or {}
        raw = raw if isinstance(raw, t.Mapping) else {}
        version = int(raw.get("version") or 2)
        details: dict[str, t.Any] = {"version": version, "bulk": str(raw.get("bulk", "1")) == "1"}
        if version in (1, 2):
            details["community"] = str(raw.get("community", ""))
        else:
            level = name_of(SNMP_SECURITY_LEVEL, raw.get("securitylevel", "0"))
            details.update(contextname=str(raw.get("contextname", "")), securityname=str(raw.get("securityname", "")), securitylevel=level)
            if level in ("authnopriv", "authpriv"):
                details["authprotocol"] = name_of(SNMP_AUTH_PROTOCOL, raw.get("authprotocol", "0"))
                details["authpassphrase"] = str(raw["authpassphrase"]) if "authpassphrase" in raw else WRITE_ONLY
            if level == "authpriv":
                details["privprotocol"] = name_of(SNMP_PRIV_PROTOCOL, raw.get("privprotocol", "0"))
                details["privpassphrase"] = str(raw["privpassphrase"]) if "privpassphrase" in raw else WRITE_ONLY
        if profile.snmp_max_repetitions and version in (2, 3):
            details["max_repetitions"] = int(raw.get("max_repetitions") or DEFAULT_MAX_REPETITIONS)
        iface["details"] = details
    return iface


def _interface_sort_key(iface: t.Mapping[str, t.Any]) -> tuple[int, bool, int]:
    kind = iface["type"]
    order = INTERFACE_TYPE_ORDER.index(kind) if kind in INTERFACE_TYPE_ORDER else 99
    ident = iface.get("interfaceid") or "0"
    return order, not iface["main"], int(ident) if ident.isdigit() else 0


def current_interfaces(zhost: t.Mapping[str, t.Any], profile: t.Any) -> list[dict[str, t.Any]]:
    """Sorted like the desired ones: by type, main first."""
    return sorted((current_interface(z, profile) for z in zhost.get("interfaces") or []), key=_interface_sort_key)


def tls_from_bits(bits: t.Any) -> list[str]:
    value = int(bits or 1)
    return [name for name, bit in TLS_BITS.items() if value & bit]


def current_tags(zhost: t.Mapping[str, t.Any]) -> list[dict[str, str]]:
    return sorted(
        ({"tag": str(tg["tag"]), "value": str(tg.get("value") or "")} for tg in zhost.get("tags") or [] if str(tg.get("automatic", "0")) != "1"),
        key=lambda tg: (tg["tag"], tg["value"]),
    )


def current_macros(zhost: t.Mapping[str, t.Any]) -> list[dict[str, t.Any]]:
    found = []
    for zm in zhost.get("macros") or []:
        if str(zm.get("automatic", "0")) == "1":
            continue  # discovered macros are not ours to manage
        kind = name_of(MACRO_TYPE, zm.get("type", "0"))
        value: t.Any = str(zm["value"]) if "value" in zm and kind != "secret" else WRITE_ONLY
        found.append(
            {
                "macro": str(zm["macro"]),
                "type": kind,
                "value": value,
                "description": str(zm.get("description") or ""),
                "hostmacroid": str(zm.get("hostmacroid") or ""),
            }
        )
    return sorted(found, key=lambda m: m["macro"])


def write_only(zhost: t.Mapping[str, t.Any], key: str) -> t.Any:
    """A value Zabbix returns only to some users and versions (PSK): WRITE_ONLY when absent."""
    return str(zhost[key]) if key in zhost else WRITE_ONLY
