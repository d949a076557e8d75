# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The canonical host: what both sides are normalised into, and what planning gives.

The canonical form uses the option names and values of docs/desired-state.md
(``status: enabled``, ``interfaces[].type: snmp``...), so a diff reads like the input.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field


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
