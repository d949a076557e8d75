# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""The one way the collection keeps secrets out of messages, diffs, logs and event logs.

A diff knows where its secrets are (PSK, SNMPv3 passphrases, secret macro values) and shows
``masked(rewritten)`` in their place. Text does not: ``mask_text`` replaces the known secret values it is given (longest first, so a secret that
contains another is masked whole) and then anything that looks like a credential whatever
its source: NetBox v2 tokens, ``Bearer``/``Token`` headers, ``password=...``-style pairs and
long hex strings (Zabbix API tokens, NetBox v1 tokens, session ids).
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Iterable, Mapping

MASK = "********"
MASK_NEW = f"{MASK} (new value)"

_SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # NetBox v2 tokens: nbt_<key>.<secret>
    (re.compile(r"nbt_[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)?"), f"nbt_{MASK}"),
    # "Authorization: Bearer xyz", "Token xyz"
    (re.compile(r"(?i)\b(bearer|token)(\s+)(?!\*)[A-Za-z0-9._~+/=-]{8,}"), rf"\1\2{MASK}"),
    # key=value / "key": "value" for secret-looking keys
    (
        re.compile(
            r"(?i)((?:password|passwd|secret|token|psk|passphrase|api_key|apikey|auth)[A-Za-z_]*"
            r"[\"']?\s*[:=]\s*[\"']?)(?!\*)([^\s\"',;}&]+)"
        ),
        rf"\1{MASK}",
    ),
    # Zabbix API tokens (64 hex), NetBox v1 tokens (40 hex), session ids (32 hex)
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), MASK),
)


def masked(rewritten: bool = False) -> str:
    """What a diff shows for a secret value: the mask, marked when this run writes a new one."""
    return MASK_NEW if rewritten else MASK


def _longest_first(secrets: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({secret for secret in secrets if secret}, key=len, reverse=True))


def _mask_ordered(text: str, ordered: tuple[str, ...]) -> str:
    for secret in ordered:
        text = text.replace(secret, MASK)
    if text.isdigit() and len(text) < 32:
        return text  # ids and counts: no pattern can match digits shorter than a 32-hex token
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def mask_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace known secret values (longest first) and anything token-shaped with a mask."""
    return _mask_ordered(text, _longest_first(secrets))


def mask_data(value: t.Any, secrets: Iterable[str] = ()) -> t.Any:
    """mask_text applied to every string inside a JSON-like structure (keys untouched)."""
    return _mask_data_ordered(value, _longest_first(secrets))


def _mask_data_ordered(value: t.Any, ordered: tuple[str, ...]) -> t.Any:
    if isinstance(value, str):
        return _mask_ordered(value, ordered)
    if isinstance(value, Mapping):
        return {key: _mask_data_ordered(item, ordered) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_data_ordered(item, ordered) for item in value]
    return value
