# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The managed Zabbix host fields: one entry each, saying how the field is handled.

Each entry of ``FIELDS`` (in the order docs/desired-state.md lists the options, which is
the order changes are reported in) declares, as community.docker's options do:

* ``desired``: how the option's validated value is normalised (_option_values);
* ``current``: how the same field is read from a host.get answer;
* ``plan``: how the two are compared, what the diff shows (secrets masked) and what
  host.create/host.update get.

Fields that travel together are one entry with several ``options`` (the monitoring mode and
its proxy or proxy group; the PSK identity and key). Adding a plain field is one
``Scalar`` entry. _normalise and _plan run the table; nothing else lists the fields.
"""

from __future__ import annotations

import typing as t

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _option_values as values
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._codes import (
    INTERFACE_TYPE,
    INVENTORY_MODE,
    MACRO_TYPE,
    SNMP_AUTH_PROTOCOL,
    SNMP_PRIV_PROTOCOL,
    SNMP_SECURITY_LEVEL,
    STATUS,
    TLS_BITS,
    name_of,
)
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_model import WRITE_ONLY, Desired, HostError, Ref
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._lookups import Catalog, Index
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import MASK, masked


class Normalising:
    """One desired state being normalised: the host name, the Zabbix version, secrets found."""

    __slots__ = ("host", "profile", "secrets")

    def __init__(self, host: str, profile: t.Any) -> None:
        self.host = host
        self.profile = profile
        self.secrets: set[str] = set()


class Planning:
    """One host being planned; collects the diff (before/after), changed fields and params."""

    # slots: planning runs for every host of a run, and reads these many times
    __slots__ = ("desired", "fields", "current", "catalog", "profile", "creating", "always", "before", "after", "changed",
                 "params", "groups_to_create", "interfaceids")

    def __init__(self, desired: Desired, current: dict[str, t.Any] | None, catalog: Catalog, profile: t.Any) -> None:
        self.desired = desired
        self.fields = desired.fields
        self.current = current
        self.catalog = catalog
        self.profile = profile
        self.creating = current is None
        self.always = desired.update_secrets == "always"
        self.before: dict[str, t.Any] = {}
        self.after: dict[str, t.Any] = {}
        self.changed: list[str] = []
        self.params: dict[str, t.Any] = {}
        self.groups_to_create: list[str] = []
        self.interfaceids: list[str | None] = []

    def cur(self, option: str, empty: t.Any = None) -> t.Any:
        """The current value of an option; ``empty`` when the host is to be created."""
        return empty if self.current is None else self.current[option]

    def show(self, option: str, before: t.Any, after: t.Any, changed: bool) -> None:
        self.before[option] = before
        self.after[option] = after
        if changed and option not in self.changed:
            self.changed.append(option)


class Field:
    """A managed field (or fields that travel together), named by its options."""

    options: tuple[str, ...] = ()
    # Plain values are compared first, so the diff lists them before the structured ones.
    compared_first = False

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        raise NotImplementedError

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        raise NotImplementedError

    def plan(self, run: Planning) -> None:
        raise NotImplementedError


class HostName(Field):
    """The technical name: the host's identity, so only a rename (found by hostid) changes it."""

    options = ("host",)
    compared_first = True

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        pass  # Desired.host, checked before any field

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        current["host"] = str(zhost.get("host") or "")

    def plan(self, run: Planning) -> None:
        if run.current is not None and run.current["host"] != run.desired.host:
            # found by hostid under another name: renamed in NetBox, or by hand in Zabbix
            run.show("host", run.current["host"], run.desired.host, True)
            run.params["host"] = run.desired.host


def _coded_reader(option: str, codes: dict[str, str], default: str) -> t.Callable[[t.Mapping[str, t.Any]], str]:
    return lambda zhost: name_of(codes, zhost.get(option, default))


def _text_reader(option: str) -> t.Callable[[t.Mapping[str, t.Any]], str]:
    return lambda zhost: str(zhost.get(option) or "")


class Scalar(Field):
    """A plain value, compared as it is; ``codes`` turns the name into what Zabbix stores."""

    compared_first = True

    def __init__(
        self,
        option: str,
        codes: dict[str, str] | None = None,
        zabbix_default: str = "",
        normalise: t.Callable[[t.Any, Normalising], t.Any] | None = None,
        read: t.Callable[[t.Mapping[str, t.Any]], t.Any] | None = None,
    ) -> None:
        self.option = option
        self.options = (option,)
        self.codes = codes
        self.normalise = normalise
        if read is None:
            read = _coded_reader(option, codes, zabbix_default) if codes is not None else _text_reader(option)
        self.read = read

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        value = params.get(self.option)
        if value is None:
            return
        if self.normalise is not None:
            value = self.normalise(value, run)
        elif self.codes is None:
            value = str(value)  # a coded value is one of the spec's choices already
        fields[self.option] = value

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        current[self.option] = self.read(zhost)

    def plan(self, run: Planning) -> None:
        option = self.option
        fields = run.fields
        if option not in fields:
            return
        want = fields[option]
        have = None if run.current is None else run.current[option]
        changed = want != have
        run.show(option, have, want, changed)
        if changed:
            run.params[option] = self.codes.get(want, want) if self.codes else want


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


def _dedupe(items: list[t.Any]) -> list[t.Any]:
    seen: list[t.Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


class HostGroups(Field):
    """The complete list of groups (a new host needs one); missing ones may be created."""

    options = ("host_groups",)

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        if params.get("host_groups") is not None:
            fields["host_groups"] = values.refs(params["host_groups"], "host_groups", "groupid")

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        current["host_groups"] = [Ref(str(g["name"]), str(g["groupid"]), "host_groups") for g in profile.host_groups(zhost)]

    def plan(self, run: Planning) -> None:
        if "host_groups" not in run.fields:
            if run.creating:
                raise HostError("host_groups", "is required to create a host")
            return
        catalog = run.catalog
        refs = run.fields["host_groups"]
        ids, missing = _resolve_refs(refs, catalog.groups, run.desired.create_missing_host_groups)
        run.groups_to_create.extend(m for m in _dedupe(missing) if m not in run.groups_to_create)
        have = run.cur("host_groups", [])
        have_ids = {r.id for r in have}
        want_names = sorted({catalog.groups.name_of(i) or ref.label() if i else ref.name for i, ref in zip(ids, refs)})
        have_names = sorted(r.name for r in have)
        changed = bool(missing) or set(ids) != have_ids
        run.show("host_groups", have_names if run.current else None, want_names, changed)
        if changed:
            run.params["groups"] = [{"groupid": i} for i in _dedupe([i for i in ids if i])]
        if not refs and run.creating:
            raise HostError("host_groups", "a new host needs at least one host group")


class Templates(Field):
    """The complete list of linked templates; unlinked ones are cleared on request."""

    options = ("templates",)

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        if params.get("templates") is not None:
            fields["templates"] = values.refs(params["templates"], "templates", "templateid")

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        parents = zhost.get("parentTemplates") or []
        current["templates"] = [Ref(str(tp.get("host") or tp.get("name")), str(tp["templateid"]), "templates") for tp in parents]
        # both names a template answers to, for the catalog
        current["template_names"] = {str(tp["templateid"]): [str(tp.get("host") or ""), str(tp.get("name") or "")] for tp in parents}

    def plan(self, run: Planning) -> None:
        if "templates" not in run.fields:
            return
        catalog = run.catalog
        ids, _none_created = _resolve_refs(run.fields["templates"], catalog.templates, False)
        want_ids = _dedupe(t.cast("list[str]", ids))
        have = run.cur("templates", [])
        have_ids = [r.id for r in have]
        changed = set(want_ids) != set(have_ids)
        run.show(
            "templates",
            sorted(r.name for r in have) if run.current else None,
            sorted(catalog.templates.name_of(i) or i for i in want_ids),
            changed,
        )
        if changed:
            run.params["templates"] = [{"templateid": i} for i in want_ids]
            removed = [i for i in have_ids if i not in want_ids]
            if removed and run.desired.clear_removed_templates:
                run.params["templates_clear"] = [{"templateid": i} for i in removed]


# Keys of a canonical interface that say which one it is, not what it holds.
_INTERFACE_IDENTITY = ("interfaceid", "index")


def _interface_content(iface: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    return {k: v for k, v in iface.items() if k not in _INTERFACE_IDENTITY}


def _shown_interface(iface: t.Mapping[str, t.Any], rewritten: bool = False) -> dict[str, t.Any]:
    shown = _interface_content(iface)
    if "details" in shown:
        details = dict(shown["details"])
        for key in values.SNMP_PASSPHRASES:
            if key in details:
                details[key] = masked(rewritten)
        shown["details"] = details
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
            details.update(contextname=d["contextname"], securityname=d["securityname"], securitylevel=SNMP_SECURITY_LEVEL[d["securitylevel"]])
            if "authprotocol" in d:
                details.update(authprotocol=SNMP_AUTH_PROTOCOL[d["authprotocol"]], authpassphrase=d["authpassphrase"])
            if "privprotocol" in d:
                details.update(privprotocol=SNMP_PRIV_PROTOCOL[d["privprotocol"]], privpassphrase=d["privpassphrase"])
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
        for key in values.SNMP_PASSPHRASES:
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
    for kind in values.INTERFACE_TYPE_ORDER:
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
            rewritten = rewritten or "details" in iface and any(k in iface["details"] for k in values.SNMP_PASSPHRASES)
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


class Interfaces(Field):
    """The complete list; each entry keeps the Zabbix interface it owns (its interfaceid)."""

    options = ("interfaces",)

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        if params.get("interfaces") is not None:
            fields["interfaces"] = values.interfaces(list(params["interfaces"]), run.profile)
            for iface in fields["interfaces"]:
                details = iface.get("details") or {}
                run.secrets.update(details[k] for k in values.SNMP_PASSPHRASES if details.get(k))

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        current["interfaces"] = values.current_interfaces(zhost, profile)

    def plan(self, run: Planning) -> None:
        if "interfaces" not in run.fields:
            return
        want = run.fields["interfaces"]
        have = run.cur("interfaces", [])
        if run.creating:
            changed, rendered, rewritten = True, [_render_interface(i) for i in want], True
            ids_found: list[str | None] = [None] * len(want)
        else:
            changed, rendered, rewritten, ids_found = _plan_interfaces(want, have, run.always)
        run.interfaceids = _in_input_order(want, ids_found)
        run.show(
            "interfaces",
            [_shown_interface(i) for i in have] if run.current else None,
            [_shown_interface(i, rewritten) for i in want],
            changed,
        )
        if changed:
            run.params["interfaces"] = rendered


class Monitoring(Field):
    """Who monitors the host: the server, a proxy or a proxy group (7.0), written together."""

    options = ("monitored_by", "proxy", "proxy_group")

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        monitored_by = params.get("monitored_by")
        if monitored_by is None and params.get("proxy") is not None:
            monitored_by = "proxy"
        if monitored_by is None and params.get("proxy_group") is not None:
            monitored_by = "proxy_group"
        if monitored_by is None:
            return
        fields["monitored_by"] = monitored_by
        if monitored_by == "proxy":
            if params.get("proxy") in (None, ""):
                raise HostError("proxy", "is required when monitored_by is proxy")
            fields["proxy"] = values.ref(params["proxy"], "proxy", "proxyid")
        if monitored_by == "proxy_group":
            if not run.profile.supports_proxy_groups:
                raise HostError("proxy_group", f"proxy groups need Zabbix 7.0 or later (this Zabbix is {run.profile.family})")
            if params.get("proxy_group") in (None, ""):
                raise HostError("proxy_group", "is required when monitored_by is proxy_group")
            fields["proxy_group"] = values.ref(params["proxy_group"], "proxy_group", "proxy_groupid")

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        mode, proxyid, proxy_groupid = profile.read_monitoring(zhost)
        current["monitored_by"] = mode
        current["proxy"] = Ref(None, proxyid, "proxy") if proxyid else None
        current["proxy_group"] = Ref(None, proxy_groupid, "proxy_group") if proxy_groupid else None

    def plan(self, run: Planning) -> None:
        fields = run.fields
        if "monitored_by" not in fields:
            return
        catalog = run.catalog
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
        have_mode = run.cur("monitored_by", "server")
        have_proxy = run.cur("proxy")
        have_pg = run.cur("proxy_group")
        have_proxyid = have_proxy.id if have_proxy else None
        have_pgid = have_pg.id if have_pg else None
        any_change = mode != have_mode or (mode == "proxy" and proxyid != have_proxyid) or (mode == "proxy_group" and proxy_groupid != have_pgid)
        run.show("monitored_by", have_mode if run.current else None, mode, mode != have_mode)
        if mode == "proxy" or have_proxyid:
            run.show(
                "proxy",
                (catalog.proxies.name_of(have_proxyid) or f"proxyid {have_proxyid}") if have_proxyid else None,
                catalog.proxies.name_of(proxyid) or fields["proxy"].label() if mode == "proxy" else None,
                proxyid != have_proxyid,
            )
        if mode == "proxy_group" or have_pgid:
            run.show(
                "proxy_group",
                (catalog.proxy_groups.name_of(have_pgid) or f"proxy_groupid {have_pgid}") if have_pgid else None,
                catalog.proxy_groups.name_of(proxy_groupid) or fields["proxy_group"].label() if mode == "proxy_group" else None,
                proxy_groupid != have_pgid,
            )
        if any_change or run.creating:
            run.params.update(run.profile.render_monitoring(mode, proxyid, proxy_groupid))


class Tags(Field):
    """The complete set of tags (discovered ones are not ours)."""

    options = ("tags",)

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        if params.get("tags") is not None:
            fields["tags"] = values.tags(list(params["tags"]))

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        current["tags"] = values.current_tags(zhost)

    def plan(self, run: Planning) -> None:
        if "tags" not in run.fields:
            return
        want, have = run.fields["tags"], run.cur("tags", [])
        run.show("tags", have if run.current else None, want, want != have)
        if want != have:
            run.params["tags"] = [dict(tg) for tg in want]


def _shown_macro(macro: t.Mapping[str, t.Any], rewritten: bool = False) -> dict[str, t.Any]:
    shown = {k: v for k, v in macro.items() if k != "hostmacroid"}
    if shown["type"] == "secret":
        shown["value"] = masked(rewritten)
    return shown


class Macros(Field):
    """The complete list of user macros; a secret macro's value is written on create or always."""

    options = ("macros",)

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        if params.get("macros") is not None:
            fields["macros"] = values.macros(list(params["macros"]))
            run.secrets.update(m["value"] for m in fields["macros"] if m["type"] == "secret" and m["value"])

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        current["macros"] = values.current_macros(zhost)

    def plan(self, run: Planning) -> None:
        if "macros" not in run.fields:
            return
        want_macros = run.fields["macros"]
        have_by_name = {m["macro"]: m for m in run.cur("macros", [])}
        changed = set(have_by_name) != {m["macro"] for m in want_macros}
        rewritten_names = set()
        for macro in want_macros:
            have = have_by_name.get(macro["macro"])
            if have is None or have["type"] != macro["type"] or have["description"] != macro["description"]:
                changed = True
                if macro["type"] == "secret":
                    rewritten_names.add(macro["macro"])
            elif have["value"] is WRITE_ONLY:
                if run.always:
                    changed = True
                    rewritten_names.add(macro["macro"])
            elif have["value"] != macro["value"]:
                changed = True
        run.show(
            "macros",
            [_shown_macro(m) for m in run.cur("macros", [])] if run.current else None,
            [_shown_macro(m, m["macro"] in rewritten_names or run.creating) for m in want_macros],
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
            run.params["macros"] = rendered_macros


class Inventory(Field):
    """The inventory fields given (others are left alone); only changed ones are written."""

    options = ("inventory",)

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        if params.get("inventory") is None:
            return
        inventory = params["inventory"]
        if not isinstance(inventory, t.Mapping):
            raise HostError("inventory", "must be a mapping of inventory field to value")
        if inventory and fields.get("inventory_mode") == "disabled":
            raise HostError("inventory", "cannot set inventory fields while inventory_mode is disabled")
        fields["inventory"] = {str(k): "" if v is None else str(v) for k, v in inventory.items()}

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        inventory = zhost.get("inventory")
        current["inventory"] = {str(k): str(v) for k, v in inventory.items()} if isinstance(inventory, t.Mapping) else {}

    def plan(self, run: Planning) -> None:
        if "inventory" not in run.fields:
            return
        want = run.fields["inventory"]
        have_inventory = run.cur("inventory", {})
        have = {k: have_inventory.get(k, "") for k in want}
        run.show("inventory", have if run.current else None, want, want != have)
        if want != have:
            run.params["inventory"] = {k: v for k, v in want.items() if have.get(k) != v or run.creating}


class TlsMode(Field):
    """tls_connect (one mode) or tls_accept (a set of modes), written as Zabbix's bits."""

    def __init__(self, option: str) -> None:
        self.option = option
        self.options = (option,)

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        if params.get(self.option) is not None:
            read = values.tls_connect if self.option == "tls_connect" else values.tls_accept
            fields[self.option] = read(params[self.option])

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        modes = values.tls_from_bits(zhost.get(self.option))
        if self.option == "tls_connect":
            current[self.option] = modes[0] if modes else "no_encryption"
        else:
            current[self.option] = modes

    def plan(self, run: Planning) -> None:
        option = self.option
        if option not in run.fields:
            return
        want = run.fields[option]
        have = run.current[option] if run.current else None
        run.show(option, have, want, want != have)
        if want != have:
            run.params[option] = TLS_BITS[want] if option == "tls_connect" else sum(TLS_BITS[v] for v in want)


def _psk_active(connect: t.Any, accept: t.Any) -> bool:
    return connect == "psk" or "psk" in (accept or [])


class Psk(Field):
    """The PSK identity and key: write-only in Zabbix, so written together and only when needed."""

    options = ("tls_psk_identity", "tls_psk")

    def desired(self, params: t.Mapping[str, t.Any], fields: dict[str, t.Any], run: Normalising) -> None:
        for option in self.options:
            if params.get(option) is not None:
                fields[option] = str(params[option])
        if fields.get("tls_psk"):
            run.secrets.add(fields["tls_psk"])
            values.tls_psk(fields["tls_psk"])

    def current(self, zhost: t.Mapping[str, t.Any], profile: t.Any, current: dict[str, t.Any]) -> None:
        for option in self.options:
            current[option] = values.write_only(zhost, option)

    def plan(self, run: Planning) -> None:
        fields, current = run.fields, run.current
        want_connect = fields.get("tls_connect", current["tls_connect"] if current else "no_encryption")
        want_accept = fields.get("tls_accept", current["tls_accept"] if current else ["no_encryption"])
        psk_now = _psk_active(want_connect, want_accept)
        psk_before = bool(current) and _psk_active(current["tls_connect"], current["tls_accept"])
        # Write-only values are written on create, when PSK is newly enabled, or always.
        force_psk = run.creating or run.always or (psk_now and not psk_before)
        write_psk = False
        for option in self.options:
            if option not in fields:
                continue
            want = fields[option]
            have = current[option] if current else None
            secret = option == "tls_psk"
            if have is WRITE_ONLY or have is None:
                changed = force_psk and psk_now
                shown_before = (MASK if secret else "(write-only)") if have is WRITE_ONLY else None
            else:
                changed = want != have or (run.always and secret and psk_now)
                shown_before = MASK if secret else have
            if secret:
                shown_after = masked(changed)
            else:
                shown_after = want if changed or have is not WRITE_ONLY else shown_before
            run.show(option, shown_before, shown_after, changed)
            write_psk = write_psk or changed
        # Written together (a new identity goes with its key); Zabbix keeps the stored pair
        # when only tls_connect/tls_accept change, so on_create does not resend them.
        if write_psk and psk_now:
            for option in self.options:
                if option in fields:
                    run.params[option] = fields[option]


FIELDS: tuple[Field, ...] = (
    HostName(),
    # an empty visible name is the host name, as Zabbix shows it
    Scalar("name", normalise=lambda value, run: str(value).strip() or run.host, read=lambda z: str(z.get("name") or z.get("host") or "")),
    Scalar("description"),
    Scalar("status", codes=STATUS, zabbix_default="0"),
    HostGroups(),
    Templates(),
    Interfaces(),
    Monitoring(),
    Tags(),
    Macros(),
    Scalar("inventory_mode", codes=INVENTORY_MODE, zabbix_default="-1"),
    Inventory(),
    TlsMode("tls_connect"),
    TlsMode("tls_accept"),
    Scalar("tls_issuer"),
    Scalar("tls_subject"),
    Psk(),
)

# The managed options in the order changes are reported.
FIELD_ORDER = tuple(option for entry in FIELDS for option in entry.options)
# The order fields are compared in, which is the order of the diff and of the parameters.
COMPARED = tuple(entry for entry in FIELDS if entry.compared_first) + tuple(entry for entry in FIELDS if not entry.compared_first)
