# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Pure core of the host sync: no I/O.

desired options --normalise_desired--> Desired (option names, canonical values)
Zabbix host.get --normalise_current--> the same canonical form
plan_host(desired, current, catalog, profile) --> Plan: action, changed fields,
the host.create/host.update parameters (only what changed) and a masked before/after.

The canonical form uses the option names and values of docs/desired-state.md
(``status: enabled``, ``interfaces[].type: snmp``...), so a diff reads like the input.
"""

from __future__ import annotations

import ipaddress
import typing as t
from dataclasses import dataclass, field

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _codes
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import MASK

MASK_NEW = "******** (new value)"

# --------------------------------------------------------------------------------------
# Option spec (the one definition: the modules' DOCUMENTATION mirrors it, the action
# plugins validate with ArgumentSpecValidator, main() hands it to AnsibleModule).
# --------------------------------------------------------------------------------------
SNMP_DETAILS_SPEC: dict[str, dict[str, t.Any]] = {
    "version": {"type": "int", "choices": [1, 2, 3]},
    "bulk": {"type": "bool"},
    "community": {"type": "str"},
    "max_repetitions": {"type": "int"},
    "contextname": {"type": "str"},
    "securityname": {"type": "str"},
    "securitylevel": {"type": "str", "choices": ["noauthnopriv", "authnopriv", "authpriv"]},
    "authprotocol": {"type": "str", "choices": ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"]},
    "authpassphrase": {"type": "str", "no_log": True},
    "privprotocol": {"type": "str", "choices": ["des", "aes128", "aes192", "aes256", "aes192c", "aes256c"]},
    "privpassphrase": {"type": "str", "no_log": True},
}

INTERFACE_SPEC: dict[str, dict[str, t.Any]] = {
    "type": {"type": "str", "required": True, "choices": ["agent", "snmp", "ipmi", "jmx"]},
    "main": {"type": "bool"},
    "useip": {"type": "bool", "default": True},
    "ip": {"type": "str"},
    "dns": {"type": "str"},
    "port": {"type": "str"},
    "details": {"type": "dict", "options": SNMP_DETAILS_SPEC},
    # The Zabbix interface this entry owns (the NetBox interface row's interfaceid).
    "interfaceid": {"type": "str"},
}

TLS_CHOICES = ["no_encryption", "psk", "certificate"]

# Options that tune how the sync runs rather than what the host holds; the batch module
# supplies run-wide defaults for them, so the per-host spec must not default them.
BEHAVIOUR_DEFAULTS: dict[str, t.Any] = {
    "state": "present",
    "create_missing_host_groups": False,
    "clear_removed_templates": False,
    "update_secrets": "on_create",
}

HOST_ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "host": {"type": "str", "required": True, "aliases": ["host_name"]},
    # The Zabbix host this desired state owns (HostConfig.hostid); the name is the fallback.
    "hostid": {"type": "str"},
    "name": {"type": "str", "aliases": ["visible_name"]},
    "description": {"type": "str"},
    "status": {"type": "str", "choices": ["enabled", "disabled"]},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "host_groups": {"type": "list", "elements": "raw"},
    "create_missing_host_groups": {"type": "bool", "default": False},
    "templates": {"type": "list", "elements": "raw", "aliases": ["link_templates"]},
    "clear_removed_templates": {"type": "bool", "default": False},
    "interfaces": {"type": "list", "elements": "dict", "options": INTERFACE_SPEC},
    "monitored_by": {"type": "str", "choices": ["server", "proxy", "proxy_group"]},
    "proxy": {"type": "raw"},
    "proxy_group": {"type": "raw"},
    "tags": {
        "type": "list",
        "elements": "dict",
        "options": {"tag": {"type": "str", "required": True}, "value": {"type": "str", "default": ""}},
    },
    "macros": {
        "type": "list",
        "elements": "dict",
        "options": {
            "macro": {"type": "str", "required": True},
            "value": {"type": "str"},
            "type": {"type": "str", "choices": ["text", "secret", "vault"], "default": "text"},
            "description": {"type": "str", "default": ""},
        },
    },
    "inventory_mode": {"type": "str", "choices": ["disabled", "manual", "automatic"]},
    "inventory": {"type": "dict", "aliases": ["inventory_zabbix"]},
    "tls_connect": {"type": "str", "choices": TLS_CHOICES},
    "tls_accept": {"type": "list", "elements": "str", "choices": TLS_CHOICES},
    "tls_psk_identity": {"type": "str"},
    "tls_psk": {"type": "str", "no_log": True},
    "tls_issuer": {"type": "str"},
    "tls_subject": {"type": "str"},
    "update_secrets": {"type": "str", "choices": ["on_create", "always"], "default": "on_create", "no_log": False},
}


def host_argument_spec(with_defaults: bool = True) -> dict[str, dict[str, t.Any]]:
    """A copy of the host spec; ``with_defaults=False`` leaves behaviour options unset (batch)."""
    spec = {name: dict(opts) for name, opts in HOST_ARGUMENT_SPEC.items()}
    if not with_defaults:
        for name in BEHAVIOUR_DEFAULTS:
            spec[name].pop("default", None)
    return spec


# Managed fields in the order they are compared and reported.
FIELD_ORDER = (
    "host",
    "name",
    "description",
    "status",
    "host_groups",
    "templates",
    "interfaces",
    "monitored_by",
    "proxy",
    "proxy_group",
    "tags",
    "macros",
    "inventory_mode",
    "inventory",
    "tls_connect",
    "tls_accept",
    "tls_issuer",
    "tls_subject",
    "tls_psk_identity",
    "tls_psk",
)

# --------------------------------------------------------------------------------------
# Zabbix codes <-> option values
# --------------------------------------------------------------------------------------
STATUS = _codes.STATUS
INTERFACE_TYPE = {"agent": "1", "snmp": "2", "ipmi": "3", "jmx": "4"}
INTERFACE_TYPE_ORDER = ("agent", "snmp", "ipmi", "jmx")
DEFAULT_PORT = {"agent": "10050", "snmp": "161", "ipmi": "623", "jmx": "12345"}
INVENTORY_MODE = _codes.INVENTORY_MODE
TLS_BITS = {"no_encryption": 1, "psk": 2, "certificate": 4}
MACRO_TYPE = {"text": "0", "secret": "1", "vault": "2"}
SECURITY_LEVEL = _codes.SNMP_SECURITY_LEVEL
AUTH_PROTOCOL = _codes.SNMP_AUTH_PROTOCOL
PRIV_PROTOCOL = _codes.SNMP_PRIV_PROTOCOL
DEFAULT_COMMUNITY = _codes.DEFAULT_SNMP_COMMUNITY
DEFAULT_MAX_REPETITIONS = 10


def _reverse(mapping: dict[str, str]) -> dict[str, str]:
    return {code: name for name, code in mapping.items()}


_REVERSED: dict[int, dict[str, str]] = {}


def _from_code(mapping: dict[str, str], code: t.Any) -> str:
    """Zabbix code -> option value; an unknown code stays visible as itself."""
    reverse = _REVERSED.get(id(mapping))
    if reverse is None:
        reverse = _REVERSED[id(mapping)] = _reverse(mapping)
    return reverse.get(str(code), str(code))


class HostError(Exception):
    """Invalid input or an unresolvable reference for one host; ``field`` names the option."""

    def __init__(self, field_path: str, reason: str) -> None:
        self.field = field_path
        self.reason = reason
        super().__init__(f"{field_path}: {reason}")


class WriteOnly:
    """Stands for a value Zabbix does not return (PSK, secret macro value...)."""

    _instance: WriteOnly | None = None

    def __new__(cls) -> WriteOnly:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "WRITE_ONLY"


WRITE_ONLY = WriteOnly()


@dataclass(frozen=True)
class Ref:
    """A reference to a Zabbix object by name and/or ID (``path`` names the option entry)."""

    name: str | None
    id: str | None
    path: str

    def label(self) -> str:
        return self.name if self.name is not None else f"id {self.id}"


@dataclass
class Desired:
    host: str
    state: str
    fields: dict[str, t.Any]
    hostid: str | None = None
    update_secrets: str = "on_create"
    create_missing_host_groups: bool = False
    clear_removed_templates: bool = False
    secrets: frozenset[str] = frozenset()


# --------------------------------------------------------------------------------------
# Normalising the desired state
# --------------------------------------------------------------------------------------
def _is_macro(value: str) -> bool:
    return value.startswith("{") and value.endswith("}")


def _ref(entry: t.Any, path: str, id_key: str) -> Ref:
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
        details["community"] = DEFAULT_COMMUNITY if community in (None, "") else str(community)
    else:
        securityname = raw.get("securityname")
        if securityname in (None, ""):
            raise HostError(f"{path}.securityname", "is required for SNMPv3")
        level = raw.get("securitylevel") or "noauthnopriv"
        if level not in SECURITY_LEVEL:
            raise HostError(f"{path}.securitylevel", f"must be one of {', '.join(SECURITY_LEVEL)}")
        details.update(contextname=str(raw.get("contextname") or ""), securityname=str(securityname), securitylevel=level)
        if level in ("authnopriv", "authpriv"):
            proto = raw.get("authprotocol") or "md5"
            if proto not in AUTH_PROTOCOL:
                raise HostError(f"{path}.authprotocol", f"must be one of {', '.join(AUTH_PROTOCOL)}")
            details.update(authprotocol=proto, authpassphrase=str(raw.get("authpassphrase") or ""))
        if level == "authpriv":
            proto = raw.get("privprotocol") or "des"
            if proto not in PRIV_PROTOCOL:
                raise HostError(f"{path}.privprotocol", f"must be one of {', '.join(PRIV_PROTOCOL)}")
            details.update(privprotocol=proto, privpassphrase=str(raw.get("privpassphrase") or ""))
    # max_repetitions exists from 7.0 on (v2c and v3); on 6.0 it is ignored (the NetBox
    # plugin always sends its default, so refusing it would fail every SNMP host).
    if profile.snmp_max_repetitions and version in (2, 3):
        reps = raw.get("max_repetitions")
        details["max_repetitions"] = DEFAULT_MAX_REPETITIONS if reps in (None, "") else int(reps)
    return details


def _interfaces(entries: list[t.Any], profile: t.Any) -> list[dict[str, t.Any]]:
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


def zabbix_id(value: t.Any, path: str) -> str:
    """A Zabbix object ID as its canonical string; "" for none (null, "", 0)."""
    if value in (None, "", 0, "0"):
        return ""
    text = str(value).strip()
    if not text.isdigit():
        raise HostError(path, f"'{text}' is not a Zabbix ID (digits)")
    return str(int(text))


def _tags(entries: list[t.Any]) -> list[dict[str, str]]:
    tags = set()
    for index, raw in enumerate(entries):
        if not isinstance(raw, t.Mapping) or raw.get("tag") in (None, ""):
            raise HostError(f"tags[{index}]", "needs a non-empty 'tag'")
        tags.add((str(raw["tag"]), str(raw.get("value") or "")))
    return [{"tag": tag, "value": value} for tag, value in sorted(tags)]


def _macros(entries: list[t.Any]) -> list[dict[str, str]]:
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


def _tls_list(values: t.Any, path: str) -> list[str]:
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


def normalise_desired(params: t.Mapping[str, t.Any], profile: t.Any, defaults: t.Mapping[str, t.Any] | None = None) -> Desired:
    """Validated options -> Desired; raises HostError naming the field on bad input."""
    behaviour = dict(BEHAVIOUR_DEFAULTS)
    behaviour.update({k: v for k, v in (defaults or {}).items() if v is not None})
    behaviour.update({k: params[k] for k in BEHAVIOUR_DEFAULTS if params.get(k) is not None})

    host = str(params.get("host") or "").strip()
    if not host:
        raise HostError("host", "is required")
    desired = Desired(
        host=host,
        state=behaviour["state"],
        fields={},
        hostid=zabbix_id(params.get("hostid"), "hostid") or None,
        update_secrets=behaviour["update_secrets"],
        create_missing_host_groups=bool(behaviour["create_missing_host_groups"]),
        clear_removed_templates=bool(behaviour["clear_removed_templates"]),
    )
    if desired.state == "absent":
        return desired

    fields = desired.fields
    secrets: set[str] = set()
    if params.get("name") is not None:
        fields["name"] = str(params["name"]).strip() or host  # Zabbix shows the host name then
    if params.get("description") is not None:
        fields["description"] = str(params["description"])
    if params.get("status") is not None:
        fields["status"] = params["status"]
    if params.get("host_groups") is not None:
        refs = [_ref(entry, f"host_groups[{i}]", "groupid") for i, entry in enumerate(params["host_groups"])]
        fields["host_groups"] = refs
    if params.get("templates") is not None:
        fields["templates"] = [_ref(entry, f"templates[{i}]", "templateid") for i, entry in enumerate(params["templates"])]
    if params.get("interfaces") is not None:
        fields["interfaces"] = _interfaces(list(params["interfaces"]), profile)
        for iface in fields["interfaces"]:
            details = iface.get("details") or {}
            secrets.update(details[k] for k in ("authpassphrase", "privpassphrase") if details.get(k))

    monitored_by = params.get("monitored_by")
    if monitored_by is None and params.get("proxy") is not None:
        monitored_by = "proxy"
    if monitored_by is None and params.get("proxy_group") is not None:
        monitored_by = "proxy_group"
    if monitored_by is not None:
        fields["monitored_by"] = monitored_by
        if monitored_by == "proxy":
            if params.get("proxy") in (None, ""):
                raise HostError("proxy", "is required when monitored_by is proxy")
            fields["proxy"] = _ref(params["proxy"], "proxy", "proxyid")
        if monitored_by == "proxy_group":
            if not profile.supports_proxy_groups:
                raise HostError("proxy_group", f"proxy groups need Zabbix 7.0 or later (this Zabbix is {profile.family})")
            if params.get("proxy_group") in (None, ""):
                raise HostError("proxy_group", "is required when monitored_by is proxy_group")
            fields["proxy_group"] = _ref(params["proxy_group"], "proxy_group", "proxy_groupid")

    if params.get("tags") is not None:
        fields["tags"] = _tags(list(params["tags"]))
    if params.get("macros") is not None:
        fields["macros"] = _macros(list(params["macros"]))
        secrets.update(m["value"] for m in fields["macros"] if m["type"] == "secret" and m["value"])
    if params.get("inventory_mode") is not None:
        fields["inventory_mode"] = params["inventory_mode"]
    if params.get("inventory") is not None:
        inventory = params["inventory"]
        if not isinstance(inventory, t.Mapping):
            raise HostError("inventory", "must be a mapping of inventory field to value")
        if inventory and fields.get("inventory_mode") == "disabled":
            raise HostError("inventory", "cannot set inventory fields while inventory_mode is disabled")
        fields["inventory"] = {str(k): "" if v is None else str(v) for k, v in inventory.items()}
    if params.get("tls_connect") is not None:
        fields["tls_connect"] = params["tls_connect"]
        if params["tls_connect"] not in TLS_BITS:
            raise HostError("tls_connect", f"must be one of {', '.join(TLS_BITS)}")
    if params.get("tls_accept") is not None:
        fields["tls_accept"] = _tls_list(params["tls_accept"], "tls_accept")
    for key in ("tls_issuer", "tls_subject", "tls_psk_identity", "tls_psk"):
        if params.get(key) is not None:
            fields[key] = str(params[key])
    if fields.get("tls_psk"):
        secrets.add(fields["tls_psk"])
        psk = fields["tls_psk"]
        if len(psk) < 32 or len(psk) % 2 or any(c not in "0123456789abcdefABCDEF" for c in psk):
            raise HostError("tls_psk", "must be at least 32 hexadecimal digits (an even number)")
    desired.secrets = frozenset(s for s in secrets if s)
    return desired


# --------------------------------------------------------------------------------------
# Normalising what Zabbix holds
# --------------------------------------------------------------------------------------
def _current_interface(zif: t.Mapping[str, t.Any], profile: t.Any) -> dict[str, t.Any]:
    kind = _from_code(INTERFACE_TYPE, zif.get("type"))
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
            level = _from_code(SECURITY_LEVEL, raw.get("securitylevel", "0"))
            details.update(contextname=str(raw.get("contextname", "")), securityname=str(raw.get("securityname", "")), securitylevel=level)
            if level in ("authnopriv", "authpriv"):
                details["authprotocol"] = _from_code(AUTH_PROTOCOL, raw.get("authprotocol", "0"))
                details["authpassphrase"] = str(raw["authpassphrase"]) if "authpassphrase" in raw else WRITE_ONLY
            if level == "authpriv":
                details["privprotocol"] = _from_code(PRIV_PROTOCOL, raw.get("privprotocol", "0"))
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


def _tls_from_bits(bits: t.Any) -> list[str]:
    value = int(bits or 1)
    return [name for name, bit in TLS_BITS.items() if value & bit]


def normalise_current(zhost: t.Mapping[str, t.Any], profile: t.Any) -> dict[str, t.Any]:
    """A host.get object -> canonical fields (refs carry both name and ID)."""
    mode, proxyid, proxy_groupid = profile.read_monitoring(zhost)
    macros = []
    for zm in zhost.get("macros") or []:
        if str(zm.get("automatic", "0")) == "1":
            continue  # discovered macros are not ours to manage
        kind = _from_code(MACRO_TYPE, zm.get("type", "0"))
        value: t.Any = str(zm["value"]) if "value" in zm and kind != "secret" else WRITE_ONLY
        macros.append(
            {
                "macro": str(zm["macro"]),
                "type": kind,
                "value": value,
                "description": str(zm.get("description") or ""),
                "hostmacroid": str(zm.get("hostmacroid") or ""),
            }
        )
    inventory = zhost.get("inventory")
    current = {
        "hostid": str(zhost["hostid"]),
        "host": str(zhost.get("host") or ""),
        "name": str(zhost.get("name") or zhost.get("host") or ""),
        "description": str(zhost.get("description") or ""),
        "status": _from_code(STATUS, zhost.get("status", "0")),
        "host_groups": [Ref(str(g["name"]), str(g["groupid"]), "host_groups") for g in profile.host_groups(zhost)],
        "templates": [Ref(str(tp.get("host") or tp.get("name")), str(tp["templateid"]), "templates") for tp in zhost.get("parentTemplates") or []],
        "template_names": {str(tp["templateid"]): [str(tp.get("host") or ""), str(tp.get("name") or "")] for tp in zhost.get("parentTemplates") or []},
        "interfaces": sorted((_current_interface(z, profile) for z in zhost.get("interfaces") or []), key=_interface_sort_key),
        "monitored_by": mode,
        "proxy": Ref(None, proxyid, "proxy") if proxyid else None,
        "proxy_group": Ref(None, proxy_groupid, "proxy_group") if proxy_groupid else None,
        "tags": sorted(
            ({"tag": str(tg["tag"]), "value": str(tg.get("value") or "")} for tg in zhost.get("tags") or [] if str(tg.get("automatic", "0")) != "1"),
            key=lambda tg: (tg["tag"], tg["value"]),
        ),
        "macros": sorted(macros, key=lambda m: m["macro"]),
        "inventory_mode": _from_code(INVENTORY_MODE, zhost.get("inventory_mode", "-1")),
        "inventory": {str(k): str(v) for k, v in inventory.items()} if isinstance(inventory, t.Mapping) else {},
        "tls_connect": _tls_from_bits(zhost.get("tls_connect"))[0] if _tls_from_bits(zhost.get("tls_connect")) else "no_encryption",
        "tls_accept": _tls_from_bits(zhost.get("tls_accept")),
        "tls_issuer": str(zhost.get("tls_issuer") or ""),
        "tls_subject": str(zhost.get("tls_subject") or ""),
        "tls_psk_identity": str(zhost["tls_psk_identity"]) if "tls_psk_identity" in zhost else WRITE_ONLY,
        "tls_psk": str(zhost["tls_psk"]) if "tls_psk" in zhost else WRITE_ONLY,
    }
    return current


# --------------------------------------------------------------------------------------
# Name/ID resolution
# --------------------------------------------------------------------------------------
class Index:
    """Known objects of one kind (host groups, templates, proxies, proxy groups)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.by_id: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        self.searched_names: set[str] = set()
        self.searched_ids: set[str] = set()

    def add(self, ident: str, *names: str) -> None:
        ident = str(ident)
        names = tuple(str(n) for n in names if n)
        if names:
            self.by_id.setdefault(ident, names[0])
        for name in names:
            self.by_name.setdefault(name, ident)

    def needs_lookup(self, ref: Ref) -> bool:
        """True when this index cannot yet apply the precedence rule to ``ref``."""
        if ref.name is not None:
            if ref.name in self.by_name:
                return False  # names are unique: whatever the ID says, this object wins
            if ref.name not in self.searched_names:
                return True
            return ref.id is not None and ref.id not in self.by_id and ref.id not in self.searched_ids
        return ref.id not in self.by_id and ref.id not in self.searched_ids

    def resolve(self, ref: Ref) -> str | None:
        """The precedence rule of docs/desired-state.md; None when nothing matches."""
        if ref.name is not None and ref.name in self.by_name:
            # Covers: ID and name agree; a stale ID from another Zabbix (the name wins).
            return self.by_name[ref.name]
        if ref.id is not None and ref.id in self.by_id:
            return ref.id  # no object has the name: renamed in Zabbix, the ID wins
        return None

    def name_of(self, ident: str | None) -> str | None:
        return None if ident is None else self.by_id.get(str(ident))


@dataclass
class Catalog:
    groups: Index = field(default_factory=lambda: Index("host group"))
    templates: Index = field(default_factory=lambda: Index("template"))
    proxies: Index = field(default_factory=lambda: Index("proxy"))
    proxy_groups: Index = field(default_factory=lambda: Index("proxy group"))

    def learn_host(self, current: t.Mapping[str, t.Any]) -> None:
        """What a host.get answer already tells (groups and templates with names)."""
        for ref in current["host_groups"]:
            self.groups.add(ref.id, ref.name)
        for ident, names in current["template_names"].items():
            self.templates.add(ident, *names)


@dataclass
class Lookups:
    """Names and IDs still to resolve, per kind."""

    names: dict[str, set[str]] = field(default_factory=lambda: {"groups": set(), "templates": set(), "proxies": set(), "proxy_groups": set()})
    ids: dict[str, set[str]] = field(default_factory=lambda: {"groups": set(), "templates": set(), "proxies": set(), "proxy_groups": set()})

    def __bool__(self) -> bool:
        return any(self.names.values()) or any(self.ids.values())

    def add(self, kind: str, ref: Ref) -> None:
        if ref.name is not None:
            self.names[kind].add(ref.name)
        if ref.id is not None:
            self.ids[kind].add(ref.id)


_REF_FIELDS = (("host_groups", "groups"), ("templates", "templates"))


def needed_lookups(desired: Desired, current: t.Mapping[str, t.Any] | None, catalog: Catalog, lookups: Lookups | None = None) -> Lookups:
    """What must be looked up before this host can be planned (empty when nothing)."""
    lookups = Lookups() if lookups is None else lookups
    fields = desired.fields
    for option, kind in _REF_FIELDS:
        index = getattr(catalog, kind)
        for ref in fields.get(option) or []:
            if index.needs_lookup(ref):
                lookups.add(kind, ref)
    for option, kind in (("proxy", "proxies"), ("proxy_group", "proxy_groups")):
        index = getattr(catalog, kind)
        ref = fields.get(option)
        if ref is not None and index.needs_lookup(ref):
            lookups.add(kind, ref)
        # the current proxy's name, for a readable diff
        cur = current.get(option) if current else None
        if option in fields and cur is not None and cur.id not in index.by_id and cur.id not in index.searched_ids:
            lookups.ids[kind].add(cur.id)
    return lookups


# --------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------
@dataclass
class Plan:
    host: str
    action: str  # create, update, unchanged, delete
    hostid: str | None = None
    changed_fields: list[str] = field(default_factory=list)
    params: dict[str, t.Any] = field(default_factory=dict)
    before: dict[str, t.Any] = field(default_factory=dict)
    after: dict[str, t.Any] = field(default_factory=dict)
    groups_to_create: list[str] = field(default_factory=list)
    # The Zabbix interfaceid of each desired interface, in input order; None until written.
    interfaceids: list[str | None] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.action != "unchanged"


# Keys of a canonical interface that say which one it is, not what it holds.
_INTERFACE_IDENTITY = ("interfaceid", "index")


def _interface_content(iface: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    return {k: v for k, v in iface.items() if k not in _INTERFACE_IDENTITY}


def _mask_interface(iface: t.Mapping[str, t.Any], rewritten: bool = False) -> dict[str, t.Any]:
    shown = _interface_content(iface)
    if "details" in shown:
        details = dict(shown["details"])
        for key in ("authpassphrase", "privpassphrase"):
            if key in details:
                details[key] = MASK_NEW if rewritten else MASK
        shown["details"] = details
    return shown


def _mask_macro(macro: t.Mapping[str, t.Any], rewritten: bool = False) -> dict[str, t.Any]:
    shown = {k: v for k, v in macro.items() if k != "hostmacroid"}
    if shown["type"] == "secret":
        shown["value"] = MASK_NEW if rewritten else MASK
    return shown


def _render_interface(iface: t.Mapping[str, t.Any], interfaceid: str | None = None) -> dict[str, t.Any]:
    zif: dict[str, t.Any] = {
        "type": INTERFACE_TYPE[iface["type"]],
        "main": "1" if iface["main"] else "0",
        "useip": "1" if iface["useip"] else "0",
        "ip": iface["ip"],
        "dns": iface["dns"],
        "port": iface["port"],
    }
    if interfaceid:
        zif["interfaceid"] = interfaceid
    if iface["type"] == "snmp":
        d = iface["details"]
        details: dict[str, t.Any] = {"version": str(d["version"]), "bulk": "1" if d["bulk"] else "0"}
        if "community" in d:
            details["community"] = d["community"]
        if d["version"] == 3:
            details.update(contextname=d["contextname"], securityname=d["securityname"], securitylevel=SECURITY_LEVEL[d["securitylevel"]])
            if "authprotocol" in d:
                details.update(authprotocol=AUTH_PROTOCOL[d["authprotocol"]], authpassphrase=d["authpassphrase"])
            if "privprotocol" in d:
                details.update(privprotocol=PRIV_PROTOCOL[d["privprotocol"]], privpassphrase=d["privpassphrase"])
        if "max_repetitions" in d:
            details["max_repetitions"] = str(d["max_repetitions"])
        zif["details"] = details
    return zif


def _interfaces_equal(want: t.Mapping[str, t.Any], have: t.Mapping[str, t.Any], force_secrets: bool) -> tuple[bool, bool]:
    """(equal, secrets_written): write-only passphrases count as equal unless forced."""
    have_cmp = _interface_content(have)
    want_cmp = _interface_content(want)
    secrets_written = False
    if "details" in want_cmp and "details" in have_cmp:
        wd, hd = dict(want_cmp["details"]), dict(have_cmp["details"])
        for key in ("authpassphrase", "privpassphrase"):
            if key in wd and hd.get(key) is WRITE_ONLY:
                if force_secrets:
                    secrets_written = True
                hd[key] = wd[key]  # unknown: assume equal, the write happens when forced
            elif key in wd and hd.get(key) != wd[key]:
                secrets_written = True  # a readable passphrase changed: the diff says so
        want_cmp["details"], have_cmp["details"] = wd, hd
    return want_cmp == have_cmp and not secrets_written, secrets_written


def match_interfaces(want: list[dict[str, t.Any]], have: list[dict[str, t.Any]]) -> list[dict[str, t.Any] | None]:
    """The Zabbix interface each desired one owns (None: to be created), in ``want`` order.

    An entry owns the interface its ``interfaceid`` names (as the NetBox plugin does), so
    a swap of ``main`` or a reorder keeps each interface's id and the items bound to it.
    Entries without an id, or whose id is gone, take the remaining interfaces of their
    type by position (``have`` is sorted main first), as before ids were known.
    """
    matched: list[dict[str, t.Any] | None] = [None] * len(want)
    have_by_id = {h["interfaceid"]: index for index, h in enumerate(have) if h.get("interfaceid")}
    used: set[int] = set()  # positions in have
    for position, iface in enumerate(want):
        owned = have_by_id.get(iface.get("interfaceid") or "")
        if owned is not None and have[owned]["type"] == iface["type"] and owned not in used:
            matched[position] = have[owned]
            used.add(owned)
    for kind in INTERFACE_TYPE_ORDER:
        free = [index for index, h in enumerate(have) if h["type"] == kind and index not in used]
        for position, iface in enumerate(want):
            if matched[position] is None and iface["type"] == kind and free:
                index = free.pop(0)
                matched[position] = have[index]
                used.add(index)
    return matched


def _plan_interfaces(want: list[dict[str, t.Any]], have: list[dict[str, t.Any]], always: bool) -> tuple[bool, list[dict[str, t.Any]], bool, list[str | None]]:
    """(changed, host.update interfaces list keeping owned interfaceids, secrets_rewritten, interfaceids in want order)."""
    matched = match_interfaces(want, have)
    # Unowned Zabbix interfaces are removed: the list is complete.
    changed = len(want) != len(have) or any(m is None for m in matched)
    rendered = []
    rewritten = False
    for iface, match in zip(want, matched):
        if match is None:
            rendered.append(_render_interface(iface))
            rewritten = rewritten or "details" in iface and any(k in iface["details"] for k in ("authpassphrase", "privpassphrase"))
            continue
        equal, forced = _interfaces_equal(iface, match, always)
        rewritten = rewritten or forced
        changed = changed or not equal
        rendered.append(_render_interface(iface, match["interfaceid"]))
    return changed, rendered, rewritten, [m["interfaceid"] if m else None for m in matched]


def _in_input_order(want: list[dict[str, t.Any]], ids: list[str | None]) -> list[str | None]:
    """ids follow the canonical order (by type, main first); results follow the input."""
    ordered: list[str | None] = [None] * len(want)
    for iface, ident in zip(want, ids):
        ordered[iface.get("index", 0)] = ident
    return ordered


def _psk_active(connect: t.Any, accept: t.Any) -> bool:
    return connect == "psk" or "psk" in (accept or [])


class _Tracker:
    """Collects before/after/changed fields/params as fields are compared."""

    def __init__(self) -> None:
        self.before: dict[str, t.Any] = {}
        self.after: dict[str, t.Any] = {}
        self.changed: list[str] = []
        self.params: dict[str, t.Any] = {}

    def show(self, option: str, before: t.Any, after: t.Any, changed: bool) -> None:
        self.before[option] = before
        self.after[option] = after
        if changed and option not in self.changed:
            self.changed.append(option)


def _resolve_refs(refs: list[Ref], index: Index, allow_create: bool) -> tuple[list[str | None], list[str]]:
    """IDs for refs (None for groups that will be created) and the names to create."""
    ids: list[str | None] = []
    to_create: list[str] = []
    for ref in refs:
        ident = index.resolve(ref)
        if ident is None:
            if allow_create and ref.name is not None:
                ids.append(None)
                to_create.append(ref.name)
                continue
            extra = f" (id {ref.id} not found either)" if ref.id and ref.name else ""
            raise HostError(ref.path, f"{index.kind} '{ref.label()}' not found{extra}")
        ids.append(ident)
    return ids, to_create


def _dedupe(values: list[t.Any]) -> list[t.Any]:
    seen: list[t.Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def plan_host(
    desired: Desired, zhost: t.Mapping[str, t.Any] | None, catalog: Catalog, profile: t.Any, current: dict[str, t.Any] | None = None
) -> Plan:
    """Compare one host; raises HostError (naming the field) for unresolvable input.

    ``current`` is normalise_current(zhost) when the caller already has it."""
    if desired.state == "absent":
        if zhost is None:
            return Plan(desired.host, "unchanged", before={"state": "absent"}, after={"state": "absent"})
        return Plan(
            desired.host, "delete", hostid=str(zhost["hostid"]), changed_fields=["state"],
            before={"host": desired.host, "state": "present"}, after={"host": desired.host, "state": "absent"},
        )

    creating = zhost is None
    if current is None and not creating:
        current = normalise_current(t.cast(t.Mapping[str, t.Any], zhost), profile)
    if current is not None:
        catalog.learn_host(current)
    always = desired.update_secrets == "always"
    fields = desired.fields
    track = _Tracker()
    params = track.params
    groups_to_create: list[str] = []

    def cur(option: str, empty: t.Any = None) -> t.Any:
        return empty if current is None else current[option]

    if current is not None and current["host"] != desired.host:
        # found by hostid under another name: renamed in NetBox, or by hand in Zabbix
        track.show("host", current["host"], desired.host, True)
        params["host"] = desired.host

    for option in ("name", "description", "status", "inventory_mode", "tls_issuer", "tls_subject"):
        if option not in fields:
            continue
        want, have = fields[option], cur(option)
        track.show(option, have, want, want != have)
        if want != have:
            params[option] = {"status": STATUS, "inventory_mode": INVENTORY_MODE}.get(option, {}).get(want, want)

    if "host_groups" in fields:
        refs = fields["host_groups"]
        ids, missing = _resolve_refs(refs, catalog.groups, desired.create_missing_host_groups)
        groups_to_create.extend(m for m in _dedupe(missing) if m not in groups_to_create)
        have_ids = {r.id for r in cur("host_groups", [])}
        want_names = sorted({catalog.groups.name_of(i) or ref.label() if i else ref.name for i, ref in zip(ids, refs)})
        have_names = sorted(r.name for r in cur("host_groups", []))
        changed = bool(missing) or set(ids) != have_ids
        track.show("host_groups", have_names if current else None, want_names, changed)
        if changed:
            params["groups"] = [{"groupid": i} for i in _dedupe([i for i in ids if i])]
        if not refs and creating:
            raise HostError("host_groups", "a new host needs at least one host group")
    elif creating:
        raise HostError("host_groups", "is required to create a host")

    if "templates" in fields:
        ids, _none_created = _resolve_refs(fields["templates"], catalog.templates, False)
        want_ids = _dedupe(t.cast("list[str]", ids))
        have_ids = [r.id for r in cur("templates", [])]
        changed = set(want_ids) != set(have_ids)
        track.show(
            "templates",
            sorted(r.name for r in cur("templates", [])) if current else None,
            sorted(catalog.templates.name_of(i) or i for i in want_ids),
            changed,
        )
        if changed:
            params["templates"] = [{"templateid": i} for i in want_ids]
            removed = [i for i in have_ids if i not in want_ids]
            if removed and desired.clear_removed_templates:
                params["templates_clear"] = [{"templateid": i} for i in removed]

    interfaceids: list[str | None] = []
    if "interfaces" in fields:
        want_ifaces = fields["interfaces"]
        have_ifaces = cur("interfaces", [])
        if creating:
            changed, rendered, rewritten = True, [_render_interface(i) for i in want_ifaces], True
            ids_found: list[str | None] = [None] * len(want_ifaces)
        else:
            changed, rendered, rewritten, ids_found = _plan_interfaces(want_ifaces, have_ifaces, always)
        interfaceids = _in_input_order(want_ifaces, ids_found)
        track.show(
            "interfaces",
            [_mask_interface(i) for i in have_ifaces] if current else None,
            [_mask_interface(i, rewritten) for i in want_ifaces],
            changed,
        )
        if changed:
            params["interfaces"] = rendered

    if "monitored_by" in fields:
        mode = fields["monitored_by"]
        proxyid = proxy_groupid = None
        if mode == "proxy":
            proxyid = catalog.proxies.resolve(fields["proxy"])
            if proxyid is None:
                raise HostError("proxy", f"proxy '{fields['proxy'].label()}' not found")
        if mode == "proxy_group":
            proxy_groupid = catalog.proxy_groups.resolve(fields["proxy_group"])
            if proxy_groupid is None:
                raise HostError("proxy_group", f"proxy group '{fields['proxy_group'].label()}' not found")
        have_mode = cur("monitored_by", "server")
        have_proxy = cur("proxy")
        have_pg = cur("proxy_group")
        have_proxyid = have_proxy.id if have_proxy else None
        have_pgid = have_pg.id if have_pg else None
        any_change = mode != have_mode or (mode == "proxy" and proxyid != have_proxyid) or (mode == "proxy_group" and proxy_groupid != have_pgid)
        track.show("monitored_by", have_mode if current else None, mode, mode != have_mode)
        if mode == "proxy" or have_proxyid:
            track.show(
                "proxy",
                (catalog.proxies.name_of(have_proxyid) or f"proxyid {have_proxyid}") if have_proxyid else None,
                catalog.proxies.name_of(proxyid) or fields["proxy"].label() if mode == "proxy" else None,
                proxyid != have_proxyid,
            )
        if mode == "proxy_group" or have_pgid:
            track.show(
                "proxy_group",
                (catalog.proxy_groups.name_of(have_pgid) or f"proxy_groupid {have_pgid}") if have_pgid else None,
                catalog.proxy_groups.name_of(proxy_groupid) or fields["proxy_group"].label() if mode == "proxy_group" else None,
                proxy_groupid != have_pgid,
            )
        if any_change or creating:
            params.update(profile.render_monitoring(mode, proxyid, proxy_groupid))

    if "tags" in fields:
        want, have = fields["tags"], cur("tags", [])
        track.show("tags", have if current else None, want, want != have)
        if want != have:
            params["tags"] = [dict(tg) for tg in want]

    if "macros" in fields:
        want_macros = fields["macros"]
        have_by_name = {m["macro"]: m for m in cur("macros", [])}
        changed = set(have_by_name) != {m["macro"] for m in want_macros}
        rewritten_names = set()
        for macro in want_macros:
            have = have_by_name.get(macro["macro"])
            if have is None or have["type"] != macro["type"] or have["description"] != macro["description"]:
                changed = True
                if macro["type"] == "secret":
                    rewritten_names.add(macro["macro"])
            elif have["value"] is WRITE_ONLY:
                if always:
                    changed = True
                    rewritten_names.add(macro["macro"])
            elif have["value"] != macro["value"]:
                changed = True
        track.show(
            "macros",
            [_mask_macro(m) for m in cur("macros", [])] if current else None,
            [_mask_macro(m, m["macro"] in rewritten_names or creating) for m in want_macros],
            changed,
        )
        if changed:
            rendered_macros = []
            for macro in want_macros:
                zm = {"macro": macro["macro"], "value": macro["value"], "type": MACRO_TYPE[macro["type"]], "description": macro["description"]}
                have = have_by_name.get(macro["macro"])
                if have is not None and have.get("hostmacroid"):
                    # the hostmacroid keeps a secret value that is not sent (update_secrets: on_create)
                    zm["hostmacroid"] = have["hostmacroid"]
                    if macro["type"] == "secret" and macro["macro"] not in rewritten_names:
                        del zm["value"]
                rendered_macros.append(zm)
            params["macros"] = rendered_macros

    if "inventory" in fields:
        want = fields["inventory"]
        have_inventory = cur("inventory", {})
        have = {k: have_inventory.get(k, "") for k in want}
        track.show("inventory", have if current else None, want, want != have)
        if want != have:
            params["inventory"] = {k: v for k, v in want.items() if have.get(k) != v or creating}

    _plan_tls(fields, current, track, always, creating)

    if creating:
        create_params: dict[str, t.Any] = {"host": desired.host}
        create_params.update(params)
        create_params.pop("templates_clear", None)
        changed_fields = [f for f in FIELD_ORDER if f in fields]
        return Plan(
            desired.host, "create", changed_fields=changed_fields, params=create_params,
            before={}, after=track.after, groups_to_create=groups_to_create, interfaceids=interfaceids,
        )

    changed_fields = [f for f in FIELD_ORDER if f in track.changed]
    if not changed_fields:
        return Plan(desired.host, "unchanged", hostid=current["hostid"], before=track.before, after=track.after, interfaceids=interfaceids)
    update_params = {"hostid": current["hostid"]}
    update_params.update(params)
    return Plan(
        desired.host, "update", hostid=current["hostid"], changed_fields=changed_fields, params=update_params,
        before=dict(track.before), after=track.after, groups_to_create=groups_to_create, interfaceids=interfaceids,
    )


def _plan_tls(fields: dict[str, t.Any], current: t.Mapping[str, t.Any] | None, track: _Tracker, always: bool, creating: bool) -> None:
    """TLS: connect/accept compared; the PSK pair is write-only and travels together."""
    params = track.params
    for option in ("tls_connect", "tls_accept"):
        if option in fields:
            have = current[option] if current else None
            track.show(option, have, fields[option], fields[option] != have)
            if fields[option] != have:
                params[option] = TLS_BITS[fields[option]] if option == "tls_connect" else sum(TLS_BITS[v] for v in fields[option])
    want_connect = fields.get("tls_connect", current["tls_connect"] if current else "no_encryption")
    want_accept = fields.get("tls_accept", current["tls_accept"] if current else ["no_encryption"])
    psk_now = _psk_active(want_connect, want_accept)
    psk_before = bool(current) and _psk_active(current["tls_connect"], current["tls_accept"])
    # Write-only values are written on create, when PSK is newly enabled, or always.
    force_psk = creating or always or (psk_now and not psk_before)
    write_psk = False
    for option in ("tls_psk_identity", "tls_psk"):
        if option not in fields:
            continue
        want = fields[option]
        have = current[option] if current else None
        secret = option == "tls_psk"
        if have is WRITE_ONLY or have is None:
            changed = force_psk and psk_now
            shown_before = (MASK if secret else "(write-only)") if have is WRITE_ONLY else None
        else:
            changed = want != have or (always and secret and psk_now)
            shown_before = MASK if secret else have
        if secret:
            shown_after = MASK_NEW if changed else MASK
        else:
            shown_after = want if changed or have is not WRITE_ONLY else shown_before
        track.show(option, shown_before, shown_after, changed)
        write_psk = write_psk or changed
    # Written together (a new identity goes with its key); Zabbix keeps the stored pair
    # when only tls_connect/tls_accept change, so on_create does not resend them.
    if write_psk and psk_now:
        for option in ("tls_psk_identity", "tls_psk"):
            if option in fields:
                params[option] = fields[option]
