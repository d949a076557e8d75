# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""The one switch that turns off every shortcut past ansible-core's public API.

With ``NETBOX_ZABBIX_SYNC_PUBLIC_API_ONLY`` set to ``1``/``true``/``yes``/``on``, the
controller reads host variables through ``hostvars`` only and hands inventory values to
ansible-core's inventory proxy (plugin_utils/_core_internals.py), and the sync engine checks
every desired state with ArgumentSpecValidator instead of its fast check (_engine.py). The
answers are the same (the unit tests compare both paths); only the CPU time differs. See
docs/architecture.md, "ansible-core internals and the public-API switch".
"""

from __future__ import annotations

import os

PUBLIC_API_ONLY_ENV = "NETBOX_ZABBIX_SYNC_PUBLIC_API_ONLY"
_TRUE = frozenset(("1", "true", "yes", "on"))


def public_api_only() -> bool:
    """True when the switch asks for ansible-core's public API only."""
    return os.environ.get(PUBLIC_API_ONLY_ENV, "").strip().lower() in _TRUE
