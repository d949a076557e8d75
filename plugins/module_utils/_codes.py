# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""Zabbix's integer codes and the option values that name them, one table per mapping.

The HostConfig API uses Zabbix's own codes (as integers), the Zabbix API sends them as
strings, and the desired state (docs/desired-state.md) uses the names. ``_hostconfig``
reads codes into names with ``names_by_code``; ``_sync`` turns names back into codes.
"""

from __future__ import annotations

STATUS = {"enabled": "0", "disabled": "1"}
MONITORED_BY = {"server": "0", "proxy": "1", "proxy_group": "2"}
INVENTORY_MODE = {"disabled": "-1", "manual": "0", "automatic": "1"}
SNMP_SECURITY_LEVEL = {"noauthnopriv": "0", "authnopriv": "1", "authpriv": "2"}
SNMP_AUTH_PROTOCOL = {"md5": "0", "sha1": "1", "sha224": "2", "sha256": "3", "sha384": "4", "sha512": "5"}
SNMP_PRIV_PROTOCOL = {"des": "0", "aes128": "1", "aes192": "2", "aes256": "3", "aes192c": "4", "aes256c": "5"}

# Zabbix has no community field in the HostConfig API; v1/v2c need one, so we send the
# macro Zabbix itself uses as the default in its SNMP templates (documented decision).
DEFAULT_SNMP_COMMUNITY = "{$SNMP_COMMUNITY}"


def names_by_code(table: dict[str, str]) -> dict[int, str]:
    """``{name: "code"}`` read the other way, with integer codes (as the HostConfig API sends them)."""
    return {int(code): name for name, code in table.items()}
