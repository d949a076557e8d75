# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for reading what ansible-inventory and ansible-playbook write as JSON."""

from __future__ import annotations

import typing as t


def unwrap_unsafe(value: t.Any) -> t.Any:
    """ansible-inventory --list writes untrusted strings (all NetBox data) as
    {"__ansible_unsafe": "..."}: give back the plain values."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: unwrap_unsafe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap_unsafe(item) for item in value]
    return value
