# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The NetBox connection options, shared by every module and plugin of the collection."""

    # Modules read NETBOX_API / NETBOX_TOKEN through env_fallback in their argument spec.
    DOCUMENTATION = r"""
options:
  netbox_url:
    description:
      - URL of NetBox, for example V(https://netbox.example.com).
      - A trailing V(/) or V(/api) is ignored.
      - When not given, the E(NETBOX_API) environment variable is used.
      - Needed wherever NetBox is read or written - always by the inventory plugin, by the write-back when it has
        something to write, by M(netbox_zabbix.sync.zabbix_orphans) to read the Setting (unless O(ignore:marker_tag) is
        given), by M(netbox_zabbix.sync.zabbix_sync_summary) for the event log. Not declared required because the
        environment variable can give it.
    type: str
  netbox_token:
    description:
      - NetBox API token. Both formats work; the header is chosen from the format.
      - A v2 token (NetBox 4.5+) looks like V(nbt_<key>.<secret>) and is sent with the C(Bearer) keyword.
      - A v1 token (40 hexadecimal characters) is sent with the C(Token) keyword.
      - The token needs read access to the C(netbox_zabbix) plugin and to devices, virtual machines,
        IP addresses and sites; write access to HostConfigs and the event log where the sync writes back.
      - When not given, the E(NETBOX_TOKEN) environment variable is used.
      - Needed wherever NetBox is read or written - always by the inventory plugin, by the write-back when it has
        something to write, by M(netbox_zabbix.sync.zabbix_orphans) to read the Setting (unless O(ignore:marker_tag) is
        given), by M(netbox_zabbix.sync.zabbix_sync_summary) for the event log. Not declared required because the
        environment variable can give it.
    type: str
  netbox_validate_certs:
    description:
      - Verify NetBox's TLS certificate. Set to V(false) only for a NetBox with a self-signed certificate.
      - O(validate_certs) is an alias kept for existing playbooks; the prefixed name cannot be mistaken for the Zabbix
        connection's C(zabbix_validate_certs).
    type: bool
    default: true
    aliases: [validate_certs]
  netbox_timeout:
    description:
      - Seconds to wait for one NetBox HTTP answer.
      - O(timeout) is an alias kept for existing playbooks.
    type: float
    default: 30
    aliases: [timeout]
"""

    # Plugins (inventory, callback) only see environment variables and ansible.cfg keys
    # that their documentation declares.
    PLUGINS = r"""
options:
  netbox_url:
    env:
      - name: NETBOX_API
    ini:
      - section: netbox_zabbix_sync
        key: netbox_url
  netbox_token:
    env:
      - name: NETBOX_TOKEN
    ini:
      - section: netbox_zabbix_sync
        key: netbox_token
  netbox_validate_certs:
    env:
      - name: NETBOX_VALIDATE_CERTS
    ini:
      - section: netbox_zabbix_sync
        key: netbox_validate_certs
  netbox_timeout:
    env:
      - name: NETBOX_TIMEOUT
    ini:
      - section: netbox_zabbix_sync
        key: netbox_timeout
"""
