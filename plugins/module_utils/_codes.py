# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""Zabbix's codes and the option values that name them, one table per mapping.

The desired state (docs/desired-state.md) uses the names, the Zabbix API sends codes as
strings and the HostConfig API as integers. Each mapping is written once, ``{name: code}``;
both directions come from it: ``table[name]`` (the code to write), ``name_of(table, code)``
(what Zabbix returned, as a name) and ``names_by_code(table)`` (HostConfig's integers).
"""

from __future__ import annotations

import typing as t

STATUS = {"enabled": "0", "disabled": "1"}
MONITORED_BY = {"server": "0", "proxy": "1", "proxy_group": "2"}
INVENTORY_MODE = {"disabled": "-1", "manual": "0", "automatic": "1"}
INTERFACE_TYPE = {"agent": "1", "snmp": "2", "ipmi": "3", "jmx": "4"}
MACRO_TYPE = {"text": "0", "secret": "1", "vault": "2"}
SNMP_SECURITY_LEVEL = {"noauthnopriv": "0", "authnopriv": "1", "authpriv": "2"}
SNMP_AUTH_PROTOCOL = {"md5": "0", "sha1": "1", "sha224": "2", "sha256": "3", "sha384": "4", "sha512": "5"}
SNMP_PRIV_PROTOCOL = {"des": "0", "aes128": "1", "aes192": "2", "aes256": "3", "aes192c": "4", "aes256c": "5"}
# tls_connect is one of these bits, tls_accept their sum (a bit field).
TLS_BITS = {"no_encryption": 1, "psk": 2, "certificate": 4}

# Zabbix has no community field in the HostConfig API; v1/v2c need one, so we send the
# macro Zabbix itself uses as the default in its SNMP templates (documented decision).
DEFAULT_SNMP_COMMUNITY = "{$SNMP_COMMUNITY}"

_NAMES: dict[int, dict[str, str]] = {}


def name_of(table: dict[str, str], code: t.Any) -> str:
    """The name of a code Zabbix returned; an unknown code stays visible as itself."""
    names = _NAMES.get(id(table))
    if names is None:
        names = _NAMES[id(table)] = {str(value): name for name, value in table.items()}
    return names.get(str(code), str(code))


def names_by_code(table: dict[str, str]) -> dict[int, str]:
    """``{name: "code"}`` read the other way, with integer codes (as the HostConfig API sends them)."""
    return {int(code): name for name, code in table.items()}
