# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Names and IDs of the objects hosts refer to (host groups, templates, proxies, proxy groups).

The engine keeps one Catalog for a run: what it looked up and what host.get answers told.
``needed_lookups`` says what must still be looked up before a host can be planned; an
Index applies the name/ID precedence rule of docs/desired-state.md.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_model import Desired, Ref


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
