# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.
# See also: https://github.com/ansible/community/issues/539#issuecomment-780839686

"""Pure mapping: one HostConfig (+ the NetBox rows it points to) -> the desired Zabbix host.

No I/O here. The inventory plugin fetches every list once, indexes it into a
``HostConfigData`` and calls ``build_host`` per HostConfig. The output shape is the
contract in docs/desired-state.md; the rules are those of the HostConfig API contract
("Tags and inventory, exactly").
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _codes
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._codes import DEFAULT_SNMP_COMMUNITY

# --- enums of the HostConfig API (they equal Zabbix's own; the tables are in _codes) ------

STATUS = _codes.names_by_code(_codes.STATUS)
MONITORED_BY = _codes.names_by_code(_codes.MONITORED_BY)
INVENTORY_MODE = _codes.names_by_code(_codes.INVENTORY_MODE)
SNMP_SECURITYLEVEL = _codes.names_by_code(_codes.SNMP_SECURITY_LEVEL)
SNMP_AUTHPROTOCOL = _codes.names_by_code(_codes.SNMP_AUTH_PROTOCOL)
SNMP_PRIVPROTOCOL = _codes.names_by_code(_codes.SNMP_PRIV_PROTOCOL)
OBJECT_TYPES = ("device", "virtualmachine")
TAG_NAME_FORMATTING = ("keep", "upper", "lower")

# Host inventory fields of Zabbix 6.0 and 7.0 (host.inventory); an InventoryMapping
# invkey outside this set is skipped with a warning, as the contract asks.
ZABBIX_INVENTORY_FIELDS = frozenset(
    """
    type type_full name alias os os_full os_short serialno_a serialno_b tag asset_tag
    macaddress_a macaddress_b hardware hardware_full software software_full
    software_app_a software_app_b software_app_c software_app_d software_app_e
    contact location location_lat location_lon notes chassis model hw_arch vendor
    contract_number installer_name deployment_status url_a url_b url_c host_networks
    host_netmask host_router oob_ip oob_netmask oob_router date_hw_purchase
    date_hw_install date_hw_expiry date_hw_decomm site_address_a site_address_b
    site_address_c site_city site_state site_country site_zip site_rack site_notes
    poc_1_name poc_1_email poc_1_phone_a poc_1_phone_b poc_1_cell poc_1_screen poc_1_notes
    poc_2_name poc_2_email poc_2_phone_a poc_2_phone_b poc_2_cell poc_2_screen poc_2_notes
    """.split()
)

# Keys every nested ("brief") related object carries in NetBox's REST API. A path step
# past one of these on a nested object needs the full row of that relation.
BRIEF_KEYS = frozenset({"id", "url", "display", "display_url", "name", "slug", "description"})

# NetBox stores site/location/device coordinates as Decimal(8, 6); Django's str() of it,
# which the plugin writes, keeps six decimals while the REST API returns a float.
DECIMAL6_KEYS = frozenset({"latitude", "longitude"})


@dataclass
class HostConfigData:
    """Every NetBox row one inventory run needs, indexed by primary key."""

    setting: dict[str, t.Any] | None = None
    host_groups: dict[int, dict] = field(default_factory=dict)
    templates: dict[int, dict] = field(default_factory=dict)
    proxies: dict[int, dict] = field(default_factory=dict)
    proxy_groups: dict[int, dict] = field(default_factory=dict)
    tag_mappings: dict[str, dict] = field(default_factory=dict)  # object_type -> row
    inventory_mappings: dict[str, dict] = field(default_factory=dict)  # object_type -> row
    content_types: dict[int, str] = field(default_factory=dict)  # ContentType PK -> device/virtualmachine
    agent_interfaces: dict[int, list[dict]] = field(default_factory=dict)  # host_config id -> rows
    snmp_interfaces: dict[int, list[dict]] = field(default_factory=dict)
    objects: dict[tuple[str, int], dict] = field(default_factory=dict)  # (object_type, id) -> Device/VM
    ip_addresses: dict[int, dict] = field(default_factory=dict)
    # Full rows of related objects (relation name -> id -> row), used where a mapping path
    # goes past what the nested brief object carries (site.region, location.site.latitude).
    related: dict[str, dict[int, dict]] = field(default_factory=dict)
    # TagMapping's own NetBox tags: not readable over the API, so given as an option.
    tag_mapping_tags: tuple[str, ...] = ()


@dataclass
class HostEntry:
    """One inventory host built from one HostConfig."""

    name: str
    zabbix_host: dict[str, t.Any]
    errors: list[str]
    netbox_hostconfig: dict[str, t.Any]
    netbox_object: dict[str, t.Any]
    # facts used for the built-in groups and the filters, not host variables themselves
    object_type: str | None
    site_slug: str | None
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def hostvars(self, filtered: bool) -> dict[str, t.Any]:
        return {
            "zabbix_host": self.zabbix_host,
            "zabbix_host_valid": self.valid,
            "zabbix_host_errors": list(self.errors),
            "netbox_hostconfig": self.netbox_hostconfig,
            "netbox_object": self.netbox_object,
            "netbox_inventory_filtered": filtered,
            "ansible_connection": "local",
        }


# --- indexing helpers ------------------------------------------------------------------


def index_by_id(rows: t.Iterable[dict]) -> dict[int, dict]:
    return {row["id"]: row for row in rows}


def group_by(rows: t.Iterable[dict], key: str) -> dict[t.Any, list[dict]]:
    grouped: dict[t.Any, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.get(key), []).append(row)
    return grouped


def first_by_object_type(rows: t.Iterable[dict]) -> dict[str, dict]:
    """Mappings per object type; with duplicates, the lowest id wins (lists come ordered by id)."""
    mappings: dict[str, dict] = {}
    for row in rows:
        mappings.setdefault(row.get("object_type"), row)
    return mappings


def lowest_id(rows: t.Sequence[dict]) -> dict | None:
    """The Setting row to use: the API does not enforce a single one."""
    return min(rows, key=lambda row: row["id"]) if rows else None


# --- path resolution (TagMapping / InventoryMapping) -----------------------------------


def enabled_paths(data: HostConfigData, object_type: str) -> list[str]:
    """Every dotted path the mappings of this object type use."""
    paths: list[str] = []
    for entry in (data.tag_mappings.get(object_type) or {}).get("selection") or []:
        if entry.get("enabled") and entry.get("value"):
            paths.append(entry["value"])
    for entry in (data.inventory_mappings.get(object_type) or {}).get("selection") or []:
        if entry.get("enabled"):
            paths.extend(p for p in entry.get("paths") or [] if p)
    return paths


def relations_to_expand(paths: t.Iterable[str]) -> set[str]:
    """Relations whose full rows are needed: a step past the brief keys of a nested object.

    ``site.region`` needs the full Site (region is not in the brief site); ``location.site.latitude``
    needs the full Location (to reach its site) and then the full Site.
    """
    relations: set[str] = set()
    for path in paths:
        steps = path.split(".")
        for previous, step in zip(steps, steps[1:]):
            if step not in BRIEF_KEYS:
                relations.add(previous)
    return relations


def top_level_fields(paths: t.Iterable[str]) -> set[str]:
    return {path.split(".", 1)[0] for path in paths}


_MISSING = object()


def resolve_path(obj: dict, path: str, related: t.Mapping[str, t.Mapping[int, dict]]) -> t.Any:
    """Walk a dotted path on a Device/VM row; ``None`` when any step is missing or null."""
    current: t.Any = obj
    for step in path.split("."):
        if not isinstance(current, dict):
            return None
        value = current.get(step, _MISSING)
        if value is _MISSING:
            return None
        if isinstance(value, dict) and step in related and value.get("id") in related[step]:
            # a nested brief object: swap in the full row so deeper steps resolve
            value = related[step][value["id"]]
        current = value
        if current is None:
            return None
    return current


def display_string(value: t.Any, key: str = "") -> str:
    """How the plugin's str() renders a resolved value (a related object -> its display string)."""
    if isinstance(value, dict):
        for attribute in ("display", "name", "value", "label"):
            if value.get(attribute) is not None:
                return str(value[attribute])
        return str(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and key in DECIMAL6_KEYS:
        return f"{value:.6f}"
    return str(value)


# --- tags and inventory ----------------------------------------------------------------


def _setting(data: HostConfigData, key: str, default: t.Any = None) -> t.Any:
    value = (data.setting or {}).get(key)
    return default if value is None else value


def build_tags(obj: dict | None, object_type: str, data: HostConfigData) -> list[dict[str, str]]:
    """The complete tag set, exactly per the contract's "Tags and inventory" rules."""
    prefix = _setting(data, "tag_prefix", "")  # null prefix is "", never "None"
    default_tag = _setting(data, "default_tag")
    formatting = _setting(data, "tag_name_formatting", "keep")
    tags: list[dict[str, str]] = []
    if obj is None:
        return tags
    if default_tag:
        tags.append({"tag": f"{prefix}{default_tag}", "value": str(obj["id"])})

    mapping = data.tag_mappings.get(object_type)
    if mapping is not None:
        own_tags = set(data.tag_mapping_tags)
        for tag in obj.get("tags") or []:
            tag_name = tag.get("name") if isinstance(tag, dict) else str(tag)
            if tag_name in own_tags:
                tags.append({"tag": f"{prefix}{tag_name}", "value": tag_name})
        for entry in mapping.get("selection") or []:
            if not entry.get("enabled") or not entry.get("value"):
                continue
            value = resolve_path(obj, entry["value"], data.related)
            if value is None:
                continue
            if isinstance(value, list):
                for element in value:
                    if element is None:
                        continue
                    text = display_string(element)
                    tags.append({"tag": f"{prefix}{text}", "value": text})
            else:
                key = entry["value"].rsplit(".", 1)[-1]
                tags.append({"tag": f"{prefix}{entry.get('name', '')}", "value": display_string(value, key)})

    tags = [{"tag": format_tag_name(tag["tag"], formatting), "value": tag["value"]} for tag in tags]
    return dedupe_tags(tags)


def format_tag_name(name: str, formatting: str | None) -> str:
    """The Setting's ``tag_name_formatting`` (keep/upper/lower) applied to one tag name."""
    if formatting == "upper":
        return name.upper()
    if formatting == "lower":
        return name.lower()
    return name


def dedupe_tags(tags: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[tuple[str, str]] = set()
    unique: list[dict[str, str]] = []
    for tag in tags:
        key = (tag["tag"], tag["value"])
        if key not in seen:
            seen.add(key)
            unique.append(tag)
    return unique


def build_inventory(obj: dict | None, object_type: str, data: HostConfigData) -> tuple[dict[str, str], list[str]]:
    """inventory field -> value; the first path that resolves to a non-null value wins."""
    inventory: dict[str, str] = {}
    warnings: list[str] = []
    if obj is None:
        return inventory, warnings
    mapping = data.inventory_mappings.get(object_type) or {}
    for entry in mapping.get("selection") or []:
        if not entry.get("enabled"):
            continue
        invkey = entry.get("invkey")
        if invkey not in ZABBIX_INVENTORY_FIELDS:
            warnings.append(
                f"InventoryMapping ({object_type}) entry '{entry.get('name')}': "
                f"'{invkey}' is not a Zabbix inventory field, skipped"
            )
            continue
        for path in entry.get("paths") or []:
            value = resolve_path(obj, path, data.related)
            if value is not None:
                inventory[invkey] = display_string(value, path.rsplit(".", 1)[-1])
                break
    return inventory, warnings


# --- interfaces ------------------------------------------------------------------------


def _strip_prefix_length(address: str) -> str:
    return address.split("/", 1)[0]


def _snmp_details(row: dict, field_name: str, errors: list[str]) -> dict[str, t.Any]:
    # Every SNMP field is nullable in the plugin's model: null means Zabbix's default
    # (version 2, bulk on; the core defaults security level and protocols likewise).
    version = 2 if row.get("version") is None else row.get("version")
    details: dict[str, t.Any] = {"version": version, "bulk": True if row.get("bulk") is None else bool(row.get("bulk"))}
    if version not in (1, 2, 3):
        errors.append(f"{field_name}.details.version: unknown SNMP version {version!r}")
        return details
    if version in (1, 2):
        details["community"] = DEFAULT_SNMP_COMMUNITY
    if version in (2, 3) and row.get("max_repetitions") is not None:
        details["max_repetitions"] = row["max_repetitions"]
    if version == 3:
        details["contextname"] = row.get("contextname") or ""  # null -> "", never "None"
        details["securityname"] = row.get("securityname") or ""
        for key, names in (
            ("securitylevel", SNMP_SECURITYLEVEL),
            ("authprotocol", SNMP_AUTHPROTOCOL),
            ("privprotocol", SNMP_PRIVPROTOCOL),
        ):
            raw = row.get(key)
            if raw in names:
                details[key] = names[raw]
            elif raw is not None:
                errors.append(f"{field_name}.details.{key}: unknown value {raw!r}")
        details["authpassphrase"] = row.get("authpassphrase") or ""
        details["privpassphrase"] = row.get("privpassphrase") or ""
    return details


def _interface(row: dict, kind: str, field_name: str, data: HostConfigData, errors: list[str]) -> dict[str, t.Any]:
    interface: dict[str, t.Any] = {
        "type": kind,
        "main": bool(row.get("main")),
        "useip": bool(row.get("useip", 1)),
        "ip": "",
        "dns": "",
        "port": str(row.get("port") or (10050 if kind == "agent" else 161)),
    }
    if row.get("interfaceid"):
        interface["interfaceid"] = str(row["interfaceid"])  # the Zabbix interface this row owns
    label = f"{kind} interface '{row.get('name')}'"
    ip_id = row.get("ip_address")
    if ip_id is None:
        errors.append(f"{field_name}: {label} has no IP address")
    elif ip_id not in data.ip_addresses:
        errors.append(f"{field_name}: {label} points to IP address #{ip_id}, which is not in NetBox")
    else:
        ip_row = data.ip_addresses[ip_id]
        interface["ip"] = _strip_prefix_length(ip_row.get("address") or "")
        interface["dns"] = ip_row.get("dns_name") or ""
        if interface["useip"] and not interface["ip"]:
            errors.append(f"{field_name}: {label} uses the IP but IP address #{ip_id} has none")
        if not interface["useip"] and not interface["dns"]:
            errors.append(f"{field_name}: {label} uses DNS but IP address #{ip_id} has no DNS name")
    if kind == "snmp":
        interface["details"] = _snmp_details(row, field_name, errors)
    return interface


def _one_main_per_type(rows: list[dict], kind: str, warnings: list[str]) -> None:
    """Exactly one main interface per type (rows stay in id order).

    The plugin's UI can leave every agent interface with main 0 (saving an SNMP one
    demotes them): Zabbix needs one main per type, so the first is promoted. With more
    than one marked main, the first (lowest id) stays main.
    """
    if not rows:
        return
    mains = [index for index, row in enumerate(rows) if row["main"]]
    chosen = mains[0] if mains else 0
    if not mains:
        warnings.append(f"interfaces: no main {kind} interface, the first one was promoted")
    elif len(mains) > 1:
        warnings.append(f"interfaces: {len(mains)} main {kind} interfaces, only the first stays main")
    for index, row in enumerate(rows):
        row["main"] = index == chosen


def interface_rows(hostconfig_id: int, data: HostConfigData) -> list[tuple[str, dict]]:
    """(kind, row) of one HostConfig: agent rows then SNMP rows, each in id order.

    The order of ``zabbix_host.interfaces``, so that the sync's per-interface results
    (``interfaceids``) find their rows again for the write-back.
    """
    return [(kind, row) for kind, rows in (
        ("agent", data.agent_interfaces.get(hostconfig_id, [])),
        ("snmp", data.snmp_interfaces.get(hostconfig_id, [])),
    ) for row in rows]


def build_interfaces(hostconfig_id: int, data: HostConfigData, errors: list[str], warnings: list[str]) -> list[dict]:
    """Agent rows then SNMP rows, each in id order, exactly one main per type."""
    interfaces: list[dict] = []
    for kind in ("agent", "snmp"):
        rows = [row for row_kind, row in interface_rows(hostconfig_id, data) if row_kind == kind]
        built = [
            _interface(row, kind, f"interfaces[{len(interfaces) + offset}]", data, errors)
            for offset, row in enumerate(rows)
        ]
        _one_main_per_type(built, kind, warnings)
        interfaces.extend(built)
    return interfaces


def interface_identities(hostconfig_id: int, data: HostConfigData) -> list[dict[str, t.Any]]:
    """``netbox_hostconfig.interfaces``: which NetBox row each desired interface comes from."""
    return [
        {"kind": kind, "id": row.get("id"), "hostid": row.get("hostid"), "interfaceid": row.get("interfaceid")}
        for kind, row in interface_rows(hostconfig_id, data)
    ]


# --- references (groups, templates, proxies) --------------------------------------------


def _reference(row: dict, name_key: str, id_key: str) -> dict[str, str]:
    reference = {name_key: row.get("name")}
    zabbix_id = row.get(id_key)
    if zabbix_id not in (None, "", "0"):  # never provisioned in Zabbix: match by name only
        reference[id_key] = str(zabbix_id)
    return reference


def _references(ids: t.Iterable[int], rows: dict[int, dict], field_name: str, what: str, id_key: str,
                errors: list[str]) -> list[dict[str, str]]:
    references = []
    for index, pk in enumerate(ids or []):
        row = rows.get(pk)
        if row is None:
            errors.append(f"{field_name}[{index}]: {what} #{pk} not found in NetBox")
        else:
            references.append(_reference(row, "name", id_key))
    return references


def _monitoring(hc: dict, data: HostConfigData, errors: list[str]) -> dict[str, t.Any]:
    monitored_by = MONITORED_BY.get(hc.get("monitored_by"))
    if monitored_by is None:
        errors.append(f"monitored_by: unknown value {hc.get('monitored_by')!r}")
        return {}
    result: dict[str, t.Any] = {"monitored_by": monitored_by}
    if monitored_by == "proxy":
        proxy_id = hc.get("proxy")
        if proxy_id is None:
            errors.append("proxy: monitored_by is proxy but no proxy is set")
        elif proxy_id not in data.proxies:
            errors.append(f"proxy: proxy #{proxy_id} not found in NetBox")
        else:
            result["proxy"] = _reference(data.proxies[proxy_id], "name", "proxyid")
    elif monitored_by == "proxy_group":
        group_id = hc.get("proxy_group")
        if group_id is None:
            errors.append("proxy_group: monitored_by is proxy_group but no proxy group is set")
        elif group_id not in data.proxy_groups:
            errors.append(f"proxy_group: proxy group #{group_id} not found in NetBox")
        else:
            result["proxy_group"] = _reference(data.proxy_groups[group_id], "name", "proxy_groupid")
    return result


# --- Device/VM summary -----------------------------------------------------------------


def _related_name(value: t.Any) -> str | None:
    if isinstance(value, dict):
        return value.get("name") or value.get("display")
    return None


def object_summary(obj: dict | None) -> dict[str, t.Any]:
    """``netbox_object``: the Device/VM facts a playbook filters and groups on."""
    if obj is None:
        return {"name": None, "site": None, "tenant": None, "role": None, "platform": None, "tags": [], "status": None}
    status = obj.get("status")
    return {
        "name": obj.get("name"),
        "site": _related_name(obj.get("site")),
        "tenant": _related_name(obj.get("tenant")),
        "role": _related_name(obj.get("role")),
        "platform": _related_name(obj.get("platform")),
        "tags": [tag.get("name") for tag in obj.get("tags") or [] if isinstance(tag, dict)],
        "status": status.get("value") if isinstance(status, dict) else status,
    }


# --- the whole host --------------------------------------------------------------------


def build_host(hc: dict, data: HostConfigData) -> HostEntry:
    """Map one HostConfig to its inventory host; broken data gives errors, never an exception."""
    errors: list[str] = []
    warnings: list[str] = []
    object_type = data.content_types.get(hc.get("content_type"))
    obj = None
    if object_type is None:
        errors.append(f"content_type: #{hc.get('content_type')} is neither a Device nor a Virtual Machine")
    else:
        obj = data.objects.get((object_type, hc.get("object_id")))
        if obj is None:
            label = "device" if object_type == "device" else "virtual machine"
            errors.append(f"object_id: {label} #{hc.get('object_id')} not found in NetBox (deleted?)")
        elif not obj.get("name"):
            errors.append(f"host: {object_type} #{obj['id']} has no name")
    host_name = (obj or {}).get("name") or hc.get("name") or f"hostconfig-{hc['id']}"

    status = STATUS.get(hc.get("status"))
    if status is None:
        errors.append(f"status: unknown value {hc.get('status')!r}")

    host_groups = _references(hc.get("host_groups"), data.host_groups, "host_groups", "host group", "groupid", errors)
    if not hc.get("host_groups"):
        errors.append("host_groups: at least one host group is required")
    templates = _references(hc.get("templates"), data.templates, "templates", "template", "templateid", errors)

    zabbix_host: dict[str, t.Any] = {
        "host": host_name,
        **({"hostid": str(hc["hostid"])} if hc.get("hostid") else {}),
        "name": host_name,
        "description": hc.get("description") or "",
        "host_groups": host_groups,
        "templates": templates,
        "interfaces": build_interfaces(hc["id"], data, errors, warnings),
    }
    if status is not None:
        zabbix_host["status"] = status
    zabbix_host.update(_monitoring(hc, data, errors))
    zabbix_host["tags"] = build_tags(obj, object_type or "", data)

    inventory_mode = INVENTORY_MODE.get(_setting(data, "inventory_mode", 0))
    if inventory_mode is None:
        errors.append(f"inventory_mode: unknown Setting value {_setting(data, 'inventory_mode')!r}")
    else:
        zabbix_host["inventory_mode"] = inventory_mode
        if inventory_mode == "manual":
            zabbix_host["inventory"], inventory_warnings = build_inventory(obj, object_type or "", data)
            warnings.extend(inventory_warnings)

    site = (obj or {}).get("site")
    return HostEntry(
        name=host_name,
        zabbix_host=zabbix_host,
        errors=errors,
        netbox_hostconfig={
            "id": hc["id"],
            "name": hc.get("name"),
            "hostid": hc.get("hostid"),
            "in_sync": hc.get("in_sync"),
            "interfaces": interface_identities(hc["id"], data),
            "object_type": object_type,
            "object_id": hc.get("object_id"),
        },
        netbox_object=object_summary(obj),
        object_type=object_type,
        site_slug=(site.get("slug") or site.get("name")) if isinstance(site, dict) else None,
        warnings=warnings,
    )
