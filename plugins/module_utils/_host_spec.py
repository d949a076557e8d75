# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The options of one host's desired state: the one definition of them.

The modules' DOCUMENTATION mirrors it, the action plugins validate with it
(ArgumentSpecValidator), main() hands it to AnsibleModule. Choices that name Zabbix codes
come from the code tables (_codes), so a value is accepted exactly when it can be written.
"""

from __future__ import annotations

import typing as t

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _codes

SNMP_DETAILS_SPEC: dict[str, dict[str, t.Any]] = {
    "version": {"type": "int", "choices": [1, 2, 3]},
    "bulk": {"type": "bool"},
    "community": {"type": "str"},
    "max_repetitions": {"type": "int"},
    "contextname": {"type": "str"},
    "securityname": {"type": "str"},
    "securitylevel": {"type": "str", "choices": list(_codes.SNMP_SECURITY_LEVEL)},
    "authprotocol": {"type": "str", "choices": list(_codes.SNMP_AUTH_PROTOCOL)},
    "authpassphrase": {"type": "str", "no_log": True},
    "privprotocol": {"type": "str", "choices": list(_codes.SNMP_PRIV_PROTOCOL)},
    "privpassphrase": {"type": "str", "no_log": True},
}

INTERFACE_SPEC: dict[str, dict[str, t.Any]] = {
    "type": {"type": "str", "required": True, "choices": list(_codes.INTERFACE_TYPE)},
    "main": {"type": "bool"},
    "useip": {"type": "bool", "default": True},
    "ip": {"type": "str"},
    "dns": {"type": "str"},
    "port": {"type": "str"},
    "details": {"type": "dict", "options": SNMP_DETAILS_SPEC},
    # The Zabbix interface this entry owns (the NetBox interface row's interfaceid).
    "interfaceid": {"type": "str"},
}

TLS_CHOICES = list(_codes.TLS_BITS)

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
    "status": {"type": "str", "choices": list(_codes.STATUS)},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "host_groups": {"type": "list", "elements": "raw"},
    "create_missing_host_groups": {"type": "bool", "default": False},
    "templates": {"type": "list", "elements": "raw", "aliases": ["link_templates"]},
    "clear_removed_templates": {"type": "bool", "default": False},
    "interfaces": {"type": "list", "elements": "dict", "options": INTERFACE_SPEC},
    "monitored_by": {"type": "str", "choices": list(_codes.MONITORED_BY)},
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
            "type": {"type": "str", "choices": list(_codes.MACRO_TYPE), "default": "text"},
            "description": {"type": "str", "default": ""},
        },
    },
    "inventory_mode": {"type": "str", "choices": list(_codes.INVENTORY_MODE)},
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
