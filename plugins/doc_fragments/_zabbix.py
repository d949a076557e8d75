# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Zabbix connection options (one definition: plugins/module_utils/_zabbix.py)."""

    # Modules and action plugins: values from task args, else from the environment.
    DOCUMENTATION = r"""
options:
  zabbix_url:
    description:
      - URL of the Zabbix frontend, for example V(https://zabbix.example.com) (C(/api_jsonrpc.php) is appended
        when missing).
      - If not set, the environment variable E(ZABBIX_URL) is used.
    type: str
  zabbix_token:
    description:
      - Zabbix API token (Zabbix 5.4 and later). Preferred over O(zabbix_user)/O(zabbix_password) (no login call).
      - If not set, the environment variable E(ZABBIX_TOKEN) is used.
    type: str
  zabbix_user:
    description:
      - Zabbix user name, used with O(zabbix_password) when no O(zabbix_token) is given.
      - If not set, the environment variable E(ZABBIX_USER) is used.
    type: str
  zabbix_password:
    description:
      - Password of O(zabbix_user).
      - If not set, the environment variable E(ZABBIX_PASSWORD) is used.
    type: str
  zabbix_validate_certs:
    description:
      - Whether to validate the TLS certificate of O(zabbix_url).
    type: bool
    default: true
  zabbix_timeout:
    description:
      - Timeout in seconds of one API request.
    type: float
    default: 30.0
  zabbix_http_headers:
    description:
      - Extra HTTP headers sent with every API request (for example for a reverse proxy).
    type: dict
  zabbix_http_user:
    description:
      - User name for HTTP basic authentication in front of the Zabbix frontend.
    type: str
  zabbix_http_password:
    description:
      - Password for HTTP basic authentication.
    type: str
notes:
  - Connection options can be set once for all modules of this collection with
    C(module_defaults) and the action group C(group/netbox_zabbix.sync.zabbix).
  - Requests are retried with backoff after transient errors (HTTP 5xx, timeouts, refused or reset connections).
    A write is never blindly repeated; the host is read again first.
"""

    # Controller plugins (inventory, lookups): environment variables are declared per option.
    PLUGINS = r"""
options:
  zabbix_url:
    description:
      - URL of the Zabbix frontend (C(/api_jsonrpc.php) is appended when missing).
    type: str
    env:
      - name: ZABBIX_URL
  zabbix_token:
    description:
      - Zabbix API token.
    type: str
    env:
      - name: ZABBIX_TOKEN
  zabbix_user:
    description:
      - Zabbix user name, used with O(zabbix_password) when no O(zabbix_token) is given.
    type: str
    env:
      - name: ZABBIX_USER
  zabbix_password:
    description:
      - Password of O(zabbix_user).
    type: str
    env:
      - name: ZABBIX_PASSWORD
  zabbix_validate_certs:
    description:
      - Whether to validate the TLS certificate of O(zabbix_url).
    type: bool
    default: true
  zabbix_timeout:
    description:
      - Timeout in seconds of one API request.
    type: float
    default: 30.0
  zabbix_http_headers:
    description:
      - Extra HTTP headers sent with every API request.
    type: dict
  zabbix_http_user:
    description:
      - User name for HTTP basic authentication in front of the Zabbix frontend.
    type: str
  zabbix_http_password:
    description:
      - Password for HTTP basic authentication.
    type: str
"""
