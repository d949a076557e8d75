# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""Argument specs of the SyncHostsNow job's controller-side steps.

One definition for the action plugins (which do the work) and the module files (which
only document and validate them): zabbix_sync_summary, netbox_hostconfig_writeback,
zabbix_orphans.
"""

from __future__ import annotations

import typing as t

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import connection_argument_spec


def netbox_argument_spec() -> dict[str, dict[str, t.Any]]:
    """The ``_netbox`` doc fragment's options, with NETBOX_API / NETBOX_TOKEN fallbacks."""
    return {
        "netbox_url": {"type": "str", "fallback": (env_fallback, ["NETBOX_API"])},
        "netbox_token": {"type": "str", "no_log": True, "fallback": (env_fallback, ["NETBOX_TOKEN"])},
        # Prefixed like the Zabbix options; the bare names are kept as aliases (0.1.0 had them).
        "netbox_validate_certs": {"type": "bool", "default": True, "aliases": ["validate_certs"]},
        "netbox_timeout": {"type": "float", "default": 30.0, "aliases": ["timeout"]},
    }


def _results_spec() -> dict[str, dict[str, t.Any]]:
    return {
        "results": {"type": "raw"},
        "results_var": {"type": "str"},
        "result_var": {"type": "list", "elements": "str", "aliases": ["result_vars"]},
        "hosts": {"type": "list", "elements": "str"},
    }


def summary_argument_spec() -> dict[str, dict[str, t.Any]]:
    return {
        **_results_spec(),
        "started": {"type": "float"},
        "source_error": {"type": "str"},
        "writeback": {"type": "dict"},
        "orphans": {"type": "dict"},
        "export_stats": {"type": "bool", "default": True},
        "event_log": {"type": "bool"},
        "event_log_name": {"type": "str", "default": "SyncHostsNow"},
        "event_log_max_hosts": {"type": "int", "default": 100},
        "report_path": {"type": "path"},
        **netbox_argument_spec(),
    }


def writeback_argument_spec() -> dict[str, dict[str, t.Any]]:
    return {
        **_results_spec(),
        "hostconfig_var": {"type": "str", "default": "netbox_hostconfig"},
        "in_sync": {"type": "bool", "default": False},
        "last_sync_update": {"type": "bool", "default": False},
        "workers": {"type": "int", "default": 4},
        **netbox_argument_spec(),
    }


def orphans_argument_spec() -> dict[str, dict[str, t.Any]]:
    spec = _results_spec()
    del spec["result_var"]
    return {
        **spec,
        "policy": {"type": "str", "choices": ["none", "disable", "delete"], "default": "none"},
        "max_deletions": {"type": "int"},
        "marker_tag": {"type": "str"},
        "host_var": {"type": "str", "default": "zabbix_host"},
        "hostconfig_var": {"type": "str", "default": "netbox_hostconfig"},
        "filtered_var": {"type": "str", "default": "netbox_inventory_filtered"},
        **connection_argument_spec(),
        **netbox_argument_spec(),
    }
