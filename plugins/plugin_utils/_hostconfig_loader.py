# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""Reading the HostConfigs from NetBox for the hostconfig inventory plugin: the ``filters``
and ``hostconfig_ids`` options and the loader that reads every list the mapping needs, with
as few and as parallel requests as the API allows. The plugin (plugins/inventory/hostconfig.py)
turns what ``HostConfigLoader.load`` returns into inventory hosts and groups."""

from __future__ import annotations

import fnmatch
import json
import math
import re
import threading
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleParserError

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _codes
from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _hostconfig as hcmap
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import NetBoxError

FILTER_KEYS = ("status", "object_types", "names", "sites", "tenants", "roles", "tags")
OBJECT_ENDPOINTS = {"device": "dcim/devices", "virtualmachine": "virtualization/virtual-machines"}
OBJECT_CONTENT_TYPES = {"device": ("dcim", "device"), "virtualmachine": ("virtualization", "virtualmachine")}
# fields of a Device/VM every run needs (netbox_object, groups, filters, default tag)
OBJECT_FIELDS = ("id", "name", "status", "site", "tenant", "role", "platform", "tags")
# relation name -> endpoint, to read full rows where a mapping path goes past a brief object
RELATION_ENDPOINTS = {
    "site": "dcim/sites",
    "location": "dcim/locations",
    "region": "dcim/regions",
    "rack": "dcim/racks",
    "tenant": "tenancy/tenants",
    "platform": "dcim/platforms",
    "role": "dcim/device-roles",
    "device_type": "dcim/device-types",
    "manufacturer": "dcim/manufacturers",
    "cluster": "virtualization/clusters",
    "device": "dcim/devices",
    "primary_ip": "ipam/ip-addresses",
    "primary_ip4": "ipam/ip-addresses",
    "primary_ip6": "ipam/ip-addresses",
    "oob_ip": "ipam/ip-addresses",
}
# HostConfig.status is an integer in the plugin's API; the names and codes are Zabbix's (one table)
STATUS_VALUES = {name: int(code) for name, code in _codes.STATUS.items()}
# Nested tags are the most expensive field of a Device/VM row for NetBox to serialise (about
# 40 % of its CPU for the row); with few tags, one id-only list per tag is about half the cost.
MAX_TAGS_BY_MEMBERSHIP = 30
PLUGIN_PATH = "plugins/netbox_zabbix"
# ids per ?id=..&id=.. request under the URL limit (3,800 bytes), roughly, to plan whole-list reads
IDS_PER_REQUEST = 400


class HostConfigFilters:
    """The ``filters`` option, checked once and applied per HostConfig / Device / VM."""

    def __init__(self, raw: t.Mapping[str, t.Any] | None) -> None:
        raw = dict(raw or {})
        unknown = sorted(set(raw) - set(FILTER_KEYS))
        if unknown:
            raise AnsibleParserError(f"filters: unknown key(s) {', '.join(unknown)}; known: {', '.join(FILTER_KEYS)}")
        self.values: dict[str, list[str]] = {}
        for key in FILTER_KEYS:
            value = raw.get(key)
            if value in (None, [], ""):
                continue
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                raise AnsibleParserError(f"filters.{key}: expected a list of strings")
            self.values[key] = [str(item) for item in value]
        for key, allowed in (("status", STATUS_VALUES), ("object_types", hcmap.OBJECT_TYPES)):
            bad = [item for item in self.values.get(key, []) if item not in allowed]
            if bad:
                raise AnsibleParserError(f"filters.{key}: {', '.join(bad)} not one of {', '.join(allowed)}")
        self.name_matchers = [self._name_matcher(pattern) for pattern in self.values.get("names", [])]

    @staticmethod
    def _name_matcher(pattern: str) -> t.Callable[[str], bool]:
        if pattern.startswith("~"):
            try:
                regex = re.compile(pattern[1:])
            except re.error as exc:
                raise AnsibleParserError(f"filters.names: bad regular expression {pattern!r}: {exc}") from None
            return lambda name: regex.match(name) is not None
        return lambda name: fnmatch.fnmatchcase(name, pattern)

    @property
    def active(self) -> bool:
        return bool(self.values)

    @property
    def needs_object(self) -> bool:
        return any(key in self.values for key in ("names", "sites", "tenants", "roles", "tags"))

    def digest(self) -> dict[str, list[str]]:
        return self.values

    def hostconfig_passes(self, hc: dict) -> bool:
        status = self.values.get("status")
        return not status or hc.get("status") in {STATUS_VALUES[s] for s in status}

    def object_passes(self, obj: dict | None) -> bool:
        if not self.needs_object:
            return True
        if obj is None:
            return False
        if self.name_matchers and not any(match(obj.get("name") or "") for match in self.name_matchers):
            return False
        for key, relation in (("sites", "site"), ("tenants", "tenant"), ("roles", "role")):
            wanted = self.values.get(key)
            if wanted and not _related_matches(obj.get(relation), wanted):
                return False
        wanted_tags = self.values.get("tags")
        if wanted_tags and not any(_related_matches(tag, wanted_tags) for tag in obj.get("tags") or []):
            return False
        return True


def _related_matches(related: t.Any, wanted: list[str]) -> bool:
    return isinstance(related, dict) and (related.get("slug") in wanted or related.get("name") in wanted)


def parse_hostconfig_ids(value: t.Any, source: str) -> list[int] | None:
    """IDs from a list, or a string like ``3,17`` or ``[3, 17]``; None when not set."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise AnsibleParserError(f"{source}: not a list of HostConfig IDs: {text[:80]!r}") from None
        else:
            value = [item for item in text.split(",") if item.strip()]
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise AnsibleParserError(f"{source}: expected a list of HostConfig IDs, got {type(value).__name__}")
    ids: list[int] = []
    for item in value:
        try:
            ids.append(int(str(item).strip()))
        except ValueError:
            raise AnsibleParserError(f"{source}: {item!r} is not a HostConfig ID") from None
    return sorted(set(ids)) or None


class SelectedHostConfigs:
    """The HostConfigs named by ``hostconfig_ids`` and their interfaces, read per ID.

    The API has no ``id`` filter on host-config (an unknown filter returns the whole list),
    so each HostConfig is one detail GET; interfaces have a working ``host_config_id``
    filter, which is checked on every row anyway (a filter that stops working must not
    turn into another host's interfaces)."""

    def __init__(self, client: t.Any, ids: t.Sequence[int], detail_max: int) -> None:
        self.client = client
        self.ids = list(ids)
        self.per_id = len(self.ids) <= max(0, detail_max)
        self.missing: list[int] = []

    def hostconfigs(self) -> list[dict]:
        if not self.per_id:
            wanted = set(self.ids)
            rows = [row for row in self.client.plugin_list("host-config") if row.get("id") in wanted]
            self.missing = sorted(wanted - {row["id"] for row in rows})
            return rows
        rows = []
        for hostconfig_id in self.ids:
            try:
                rows.append(self.client.get(f"plugins/netbox_zabbix/host-config/{hostconfig_id}"))
            except NetBoxError as exc:
                if exc.status != 404:
                    raise
                self.missing.append(hostconfig_id)
        return rows

    def interfaces(self, endpoint: str) -> list[dict]:
        wanted = set(self.ids)
        if not self.per_id:
            return [row for row in self.client.plugin_list(endpoint) if row.get("host_config") in wanted]
        return [
            row
            for hostconfig_id in self.ids
            for row in self.client.plugin_list(endpoint, {"host_config_id": hostconfig_id})
            if row.get("host_config") == hostconfig_id
        ]


class HostConfigLoader:
    """Reads what the mapping needs, with as few and as parallel requests as the API allows."""

    def __init__(self, client: t.Any, filters: HostConfigFilters, tag_mapping_tags: t.Sequence[str] = (),
                 max_workers: int = 4, hostconfig_ids: t.Sequence[int] | None = None,
                 hostconfig_ids_detail_max: int = 50) -> None:
        self.client = client
        self.filters = filters
        self.tag_mapping_tags = tuple(tag_mapping_tags or ())
        self.max_workers = max(1, max_workers)
        self.timings: dict[str, float] = {}
        self._members: dict[str, dict[int, list[dict]] | None] = {}
        self._members_locks = {endpoint: threading.Lock() for endpoint in OBJECT_ENDPOINTS.values()}
        self.selected = (SelectedHostConfigs(client, hostconfig_ids, hostconfig_ids_detail_max)
                         if hostconfig_ids else None)

    def _parallel(self, calls: dict[str, t.Callable[[], t.Any]]) -> dict[str, t.Any]:
        if self.max_workers == 1:
            return {name: call() for name, call in calls.items()}
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(calls))) as pool:
            futures = {name: pool.submit(call) for name, call in calls.items()}
            return {name: future.result() for name, future in futures.items()}

    def _content_type(self, object_type: str) -> list[dict]:
        app_label, model = OBJECT_CONTENT_TYPES[object_type]
        return self.client.list_all("core/object-types", {"app_label": app_label, "model": model})

    def load(self) -> list[hcmap.HostEntry]:
        """Every read at once, the slow one first.

        The host-config list is the slow call (the plugin's viewset reads each row's host
        groups and templates one by one: about 2 SQL queries a row). Its pages start first,
        on all request lanes but one; every other list overlaps them on the remaining lane,
        and the Devices/VMs and IP addresses of each page are read as soon as that page
        arrives, so that little is left to do once the last page is in.
        """
        started = time.monotonic()
        self.client.check_plugin()
        plugin = self.client.plugin_list
        selected = self.selected
        small = {
            "setting": lambda: plugin("setting"),
            "host_groups": lambda: plugin("host-group"),
            "templates": lambda: plugin("templates"),
            "proxies": lambda: plugin("proxy"),
            "proxy_groups": lambda: plugin("proxy-group"),
            "tag_mappings": lambda: plugin("tag-mapping"),
            "inventory_mappings": lambda: plugin("inventory-mapping"),
            "ct_device": lambda: self._content_type("device"),
            "ct_virtualmachine": lambda: self._content_type("virtualmachine"),
            "agent": (lambda: selected.interfaces("agent-interface")) if selected else (lambda: plugin("agent-interface")),
            "snmp": (lambda: selected.interfaces("snmp-interface")) if selected else (lambda: plugin("snmp-interface")),
            "tags": self._tag_rows,
        }
        hc_count, whole = self._plan()
        if self.max_workers == 1:
            pages: list[tuple[list[dict], int]] = []
            rows = self._read_hostconfigs(lambda page, total: pages.append((page, total)), hc_count)
            base = {name: call() for name, call in small.items()}
            data = self._data(base)
            per_page = [self._page_objects(data, page, total, base["tags"], whole) for page, total in pages]
            wholes = {kind: self._whole(kind, count, data, base["tags"], hc_count) for kind, count in whole.items()}
            return self._finish(data, rows, per_page, wholes, started, self._small_related(data))
        # threads for every list at once; NetBoxClient bounds the requests in flight (max_workers)
        with ThreadPoolExecutor(max_workers=len(small) + len(whole) + 2) as lists_pool, \
                ThreadPoolExecutor(max_workers=self.max_workers) as pages_pool:
            page_futures: list[t.Any] = []
            futures: dict[str, t.Any] = {}
            submitted = threading.Event()
            ready: dict[str, t.Any] = {}
            ready_lock = threading.Lock()

            def data_when_ready() -> hcmap.HostConfigData:
                submitted.wait()
                with ready_lock:  # built once, by the first read that needs it
                    if "data" not in ready:
                        ready["base"] = {name: futures[name].result() for name in small}
                        ready["data"] = self._data(ready["base"])
                    return ready["data"]

            def on_page(page: list[dict], total: int) -> None:
                page_futures.append(pages_pool.submit(
                    lambda: self._page_objects(data_when_ready(), page, total, ready["base"]["tags"], whole)))

            # the slow list first; then the others, which overlap its pages
            hostconfigs = lists_pool.submit(self._read_hostconfigs, on_page, hc_count)
            futures.update({name: lists_pool.submit(call) for name, call in small.items()})
            whole_futures = {
                kind: lists_pool.submit(lambda kind=kind, count=count: self._whole(
                    kind, count, data_when_ready(), ready["base"]["tags"], hc_count))
                for kind, count in whole.items()
            }
            small_related = lists_pool.submit(lambda: self._small_related(data_when_ready()))
            submitted.set()
            rows = hostconfigs.result()
            data = data_when_ready()
            per_page = [future.result() for future in page_futures]
            wholes = {kind: future.result() for kind, future in whole_futures.items()}
            known = small_related.result()
        return self._finish(data, rows, per_page, wholes, started, known)

    def _plan(self) -> tuple[int | None, dict[str, int]]:
        """How many HostConfigs, and which of Devices, VMs and IP addresses to read whole from the start.

        A whole list (pages of 1,000) needs no HostConfig to be read first, so it overlaps the
        host-config pages; it is chosen where it takes fewer requests than reading by id (about
        400 ids per request), as ``fetch_many`` chooses."""
        if self.selected:
            return None, {}
        # IP addresses too, even with a filter on Devices/VMs (which decides the IPs wanted only
        # once the Devices are read): a whole list needs neither
        endpoints = {**{object_type: OBJECT_ENDPOINTS[object_type] for object_type in hcmap.OBJECT_TYPES},
                     "ips": "ipam/ip-addresses"}
        counts = self._parallel({"host-config": lambda: self.client.count(f"{PLUGIN_PATH}/host-config"),
                                 **{kind: (lambda e=endpoint: self.client.count(e)) for kind, endpoint in endpoints.items()}})
        hc_count = counts.pop("host-config")
        chunks = math.ceil(hc_count / IDS_PER_REQUEST)
        page_size = self.client.options.page_size
        return hc_count, {kind: count for kind, count in counts.items() if count and math.ceil(count / page_size) < chunks}

    def _whole(self, kind: str, count: int, data: hcmap.HostConfigData, tag_rows: list[dict] | None,
               hc_count: int | None) -> list[dict]:
        if kind == "ips":
            return self.client.list_all("ipam/ip-addresses", {"fields": "id,address,dns_name"}, count=count)
        return self._fetch_objects(kind, set(), hcmap.enabled_paths(data, kind), tag_rows, expected=hc_count,
                                   whole_count=count)

    def _read_hostconfigs(self, on_page: t.Callable[[list[dict], int], None], count: int | None = None) -> list[dict]:
        if self.selected:
            rows = self.selected.hostconfigs()
            on_page(rows, 1)
            return rows
        # all lanes but one: the other lists keep one, and overlap these pages instead of waiting
        return self.client.plugin_pages("host-config", on_page, lanes=self.max_workers - 1, count=count)

    def _data(self, base: dict[str, t.Any]) -> hcmap.HostConfigData:
        data = hcmap.HostConfigData(
            setting=hcmap.lowest_id(base["setting"]),
            host_groups=hcmap.index_by_id(base["host_groups"]),
            templates=hcmap.index_by_id(base["templates"]),
            proxies=hcmap.index_by_id(base["proxies"]),
            proxy_groups=hcmap.index_by_id(base["proxy_groups"]),
            tag_mappings=hcmap.first_by_object_type(base["tag_mappings"]),
            inventory_mappings=hcmap.first_by_object_type(base["inventory_mappings"]),
            agent_interfaces=hcmap.group_by(base["agent"], "host_config"),
            snmp_interfaces=hcmap.group_by(base["snmp"], "host_config"),
            tag_mapping_tags=self.tag_mapping_tags,
        )
        for object_type in hcmap.OBJECT_TYPES:
            for row in base[f"ct_{object_type}"]:
                data.content_types[row["id"]] = object_type
        return data

    def _wanted(self, data: hcmap.HostConfigData, rows: list[dict]) -> list[dict]:
        wanted_types = set(self.filters.values.get("object_types") or hcmap.OBJECT_TYPES)
        return [
            hc for hc in rows
            if self.filters.hostconfig_passes(hc)
            and (not self.filters.values.get("object_types")
                 or data.content_types.get(hc.get("content_type")) in wanted_types)
        ]

    def _page_objects(self, data: hcmap.HostConfigData, page: list[dict], pages: int,
                      tag_rows: list[dict] | None, whole: t.Container[str] = ()) -> dict[str, list[dict]]:
        """The Devices/VMs (and, without a filter on them, the IP addresses) of one host-config page.

        Only the fields the mappings use. One page: the cheaper of id chunks and whole lists;
        several pages: id chunks, since a whole list read per page would read it many times.
        """
        hostconfigs = self._wanted(data, page)
        object_ids: dict[str, set[int]] = {object_type: set() for object_type in hcmap.OBJECT_TYPES}
        for hc in hostconfigs:
            object_type = data.content_types.get(hc.get("content_type"))
            if object_type in object_ids and hc.get("object_id") is not None:
                object_ids[object_type].add(hc["object_id"])
        by_ids = pages > 1
        found: dict[str, list[dict]] = {
            object_type: self._fetch_objects(object_type, object_ids[object_type], hcmap.enabled_paths(data, object_type),
                                             tag_rows, by_ids=by_ids, expected=len(object_ids[object_type]) * pages)
            for object_type in hcmap.OBJECT_TYPES if object_type not in whole
        }
        if not self.filters.needs_object and "ips" not in whole:
            found["ips"] = self._fetch_ips(data, hostconfigs, by_ids=by_ids)
        return found

    def _finish(self, data: hcmap.HostConfigData, rows: list[dict], per_page: list[dict[str, list[dict]]],
                wholes: dict[str, list[dict]], started: float,
                known: t.Mapping[str, t.Mapping[int, dict]] | None = None) -> list[hcmap.HostEntry]:
        self.timings["lists, devices, VMs, IPs"] = time.monotonic() - started
        hostconfigs = self._wanted(data, rows)
        ips: list[dict] = list(wholes.get("ips") or ())
        for found in per_page:
            for object_type in hcmap.OBJECT_TYPES:
                for row in found.get(object_type) or ():
                    data.objects[(object_type, row["id"])] = row
            ips.extend(found.get("ips") or ())
        # whole lists: only the Devices/VMs a HostConfig names (the others would cost related reads)
        named = {(data.content_types.get(hc.get("content_type")), hc.get("object_id")) for hc in hostconfigs}
        for object_type in hcmap.OBJECT_TYPES:
            for row in wholes.get(object_type) or ():
                if (object_type, row["id"]) in named:
                    data.objects[(object_type, row["id"])] = row
        if self.filters.needs_object:
            hostconfigs = [
                hc for hc in hostconfigs
                if self.filters.object_passes(
                    data.objects.get((data.content_types.get(hc.get("content_type")), hc.get("object_id"))))
            ]

        # full rows of related objects where mapping paths need them (and the IPs of a subset)
        started = time.monotonic()
        paths = {object_type: hcmap.enabled_paths(data, object_type) for object_type in hcmap.OBJECT_TYPES}
        relations = hcmap.relations_to_expand(p for ot in hcmap.OBJECT_TYPES for p in paths[ot])
        calls = {"related": lambda: self._fetch_related(relations, data.objects.values(), known)}
        if self.filters.needs_object and "ips" not in wholes:
            calls["ips"] = lambda: self._fetch_ips(data, hostconfigs)
        results = self._parallel(calls)
        data.ip_addresses = hcmap.index_by_id(results["ips"] if "ips" in results else ips)
        data.related = results["related"]
        self.timings["related"] = time.monotonic() - started

        return [hcmap.build_host(hc, data) for hc in hostconfigs]

    def _fetch_ips(self, data: hcmap.HostConfigData, hostconfigs: list[dict], by_ids: bool = False) -> list[dict]:
        ip_ids = {
            row["ip_address"]
            for hc in hostconfigs
            for rows in (data.agent_interfaces.get(hc["id"], ()), data.snmp_interfaces.get(hc["id"], ()))
            for row in rows
            if row.get("ip_address") is not None
        }
        read = self.client.get_by_ids if by_ids else self.client.fetch_many
        return read("ipam/ip-addresses", ip_ids, {"fields": "id,address,dns_name"}) if ip_ids else []

    def _tag_rows(self) -> list[dict] | None:
        """All NetBox tags when there are few enough to read memberships per tag, else None."""
        tags = self.client.list_all("extras/tags", {"fields": "id,name,slug,color,tagged_items"})
        return tags if len(tags) <= MAX_TAGS_BY_MEMBERSHIP else None

    def _fetch_objects(self, object_type: str, ids: set[int], paths: list[str],
                       tag_rows: list[dict] | None = None, by_ids: bool = False,
                       expected: int | None = None, whole_count: int | None = None) -> list[dict]:
        """Devices or VMs by id, with the fields the mappings use.

        ``by_ids``: id chunks only (one page of several); ``whole_count``: the whole list
        instead (it has that many rows); ``expected``: how many ids the whole read asks for
        over all pages, to choose how the tags are read."""
        if not ids and not whole_count:
            return []
        fields = set(OBJECT_FIELDS) | hcmap.top_level_fields(paths)
        # per-tag lists cover every tagged object of NetBox: worth it only for a large share
        if tag_rows is not None and sum(tag.get("tagged_items") or 0 for tag in tag_rows) > 2 * (expected or len(ids)):
            tag_rows = None
        if tag_rows is not None:
            fields.discard("tags")
        endpoint = OBJECT_ENDPOINTS[object_type]
        if whole_count:
            def read(endpoint: str, ids: set[int], params: dict | None = None) -> list[dict]:
                return self.client.list_all(endpoint, params, count=whole_count)
        else:
            read = self.client.get_by_ids if by_ids else self.client.fetch_many
        try:
            rows = read(endpoint, ids, {"fields": ",".join(sorted(fields))})
        except NetBoxError as exc:
            if exc.status != 400:
                raise
            # a mapping path names a field this NetBox does not have: read whole rows instead
            return read(endpoint, ids)
        if tag_rows is not None:
            members = self._tag_members(endpoint, tag_rows)
            if members is None:  # the tag filter did not work: read the tags with the rows
                return read(endpoint, ids, {"fields": ",".join(sorted(fields | {"tags"}))})
            for row in rows:
                row["tags"] = members.get(row["id"], [])
        return rows

    def _tag_members(self, endpoint: str, tag_rows: list[dict]) -> dict[int, list[dict]] | None:
        """object id -> its tags (nested shape, sorted by name like NetBox's), one id-only list per tag.

        Read once per endpoint, whichever host-config page asks first."""
        with self._members_locks[endpoint]:
            if endpoint not in self._members:
                self._members[endpoint] = self._read_tag_members(endpoint, tag_rows)
            return self._members[endpoint]

    def _read_tag_members(self, endpoint: str, tag_rows: list[dict]) -> dict[int, list[dict]] | None:
        used = sorted((tag for tag in tag_rows if tag.get("tagged_items")), key=lambda tag: tag["name"])
        lists = self._parallel({
            str(tag["id"]): (lambda slug=tag["slug"]: self.client.list_all(endpoint, {"tag": slug, "fields": "id"}))
            for tag in used
        }) if used else {}
        members: dict[int, list[dict]] = {}
        for tag in used:
            rows = lists[str(tag["id"])]
            if len(rows) > tag["tagged_items"]:  # more members than the tag has: filter ignored
                return None
            nested = {"id": tag["id"], "display": tag["name"], "name": tag["name"], "slug": tag["slug"],
                      "color": tag.get("color")}
            for row in rows:
                members.setdefault(row["id"], []).append(nested)
        return members

    def _small_related(self, data: hcmap.HostConfigData) -> dict[str, dict[int, dict]]:
        """Whole lists of the related objects the mappings follow (sites, regions, ...) that fit in one page.

        They need no Device to be read first, so they overlap the host-config pages; the
        related objects of larger lists are read by id at the end (``_fetch_related``)."""
        paths = [p for object_type in hcmap.OBJECT_TYPES for p in hcmap.enabled_paths(data, object_type)]
        relations = sorted(r for r in hcmap.relations_to_expand(paths) if r in RELATION_ENDPOINTS)
        page_size = self.client.options.page_size
        known: dict[str, dict[int, dict]] = {}
        for relation in relations:
            endpoint = RELATION_ENDPOINTS[relation]
            count = self.client.count(endpoint)
            if 0 < count <= page_size:
                known[relation] = hcmap.index_by_id(self.client.list_all(endpoint, count=count))
        return known

    def _fetch_related(self, relations: set[str], objects: t.Iterable[dict],
                       known: t.Mapping[str, t.Mapping[int, dict]] | None = None) -> dict[str, dict[int, dict]]:
        """Full rows of related objects, following nested relations (location -> site) a few levels.

        ``known``: rows read beforehand (``_small_related``), followed like the ones read here."""
        related: dict[str, dict[int, dict]] = {relation: dict(rows) for relation, rows in (known or {}).items()}
        pending = list(objects)
        followed: set[tuple[str, int]] = set()
        for _depth in range(3):
            wanted: dict[str, set[int]] = {}
            next_pending: list[dict] = []
            for row in pending:
                for relation in relations:
                    nested = row.get(relation)
                    if relation in RELATION_ENDPOINTS and isinstance(nested, dict) and nested.get("id") is not None:
                        row_id = nested["id"]
                        if row_id not in related.get(relation, {}):
                            wanted.setdefault(relation, set()).add(row_id)
                        elif (relation, row_id) not in followed:
                            followed.add((relation, row_id))
                            next_pending.append(related[relation][row_id])
            for relation, ids in wanted.items():
                rows = self.client.fetch_many(RELATION_ENDPOINTS[relation], ids)
                related.setdefault(relation, {}).update(hcmap.index_by_id(rows))
                followed.update((relation, row["id"]) for row in rows)
                next_pending.extend(rows)
            if not next_pending:
                break
            pending = next_pending
        return related
