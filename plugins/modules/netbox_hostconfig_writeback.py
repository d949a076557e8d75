#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: netbox_hostconfig_writeback
short_description: Write Zabbix host IDs (and optionally the sync status) back to NetBox HostConfigs
version_added: 0.1.0
description:
  - After a sync, writes the Zabbix C(hostid) of each newly created host back to its HostConfig, clears it for a host
    deleted from Zabbix, and optionally sets C(in_sync) and C(last_sync_update).
  - Only rows whose value changed are written, one C(PATCH) per row (the plugin's API has no bulk update). Every
    PATCH makes the C(netbox_zabbix) plugin queue its own Zabbix update for that host, so an unchanged host costs no
    write at all; C(last_sync_update) is only sent along with another change.
  - The current values come from the inventory host variable C(netbox_hostconfig) (C(id), C(hostid), C(in_sync)) set by
    the C(netbox_zabbix.sync.hostconfig) inventory plugin; the new ones from the sync results.
  - Never writes in check mode; RV(would_patch) lists what it would write.
  - A row NetBox refuses (for example a C(hostid) another HostConfig already holds) is reported in RV(failures) and does
    not stop the others.
extends_documentation_fragment:
  - netbox_zabbix.sync._netbox
options:
  results:
    description:
      - The registered result of M(netbox_zabbix.sync.zabbix_host_sync_batch), or a mapping of inventory host name to
        per-host result.
    type: raw
  results_var:
    description:
      - The name of the variable that registered the M(netbox_zabbix.sync.zabbix_host_sync_batch) result, read from the
        task variables without templating (cheaper than O(results) for 10,000 hosts). O(results) wins when both are set.
    type: str
  result_var:
    description:
      - Per-host mode; the variables each host registered from M(netbox_zabbix.sync.zabbix_host_sync) (and from the
        task that fails broken HostConfigs). The first result that is not skipped wins.
    type: list
    elements: str
    aliases: [result_vars]
  hostconfig_var:
    description: The host variable holding C({id, hostid, in_sync}) of the host's HostConfig.
    type: str
    default: netbox_hostconfig
  hosts:
    description: The hosts to write back; default every host of the play.
    type: list
    elements: str
  in_sync:
    description:
      - Also keep C(in_sync) right - V(true) after a successful sync, V(false) after a failed one - writing it only when
        it changes.
    type: bool
    default: false
  last_sync_update:
    description: Send C(last_sync_update) (now, UTC) with every row that is written anyway.
    type: bool
    default: false
  workers:
    description: PATCH requests in flight at once (a first run may create thousands of hosts).
    type: int
    default: 4
attributes:
  check_mode:
    support: full
    description: Nothing is written; RV(would_patch) shows what would be.
  diff_mode:
    support: none
    description: The write-back is listed in RV(patched) / RV(would_patch).
  action:
    support: full
    description: Runs on the controller.
author:
  - netbox_zabbix.sync maintainers (@netbox-zabbix)
"""

EXAMPLES = r"""
- name: Write new Zabbix host IDs back to NetBox
  netbox_zabbix.sync.netbox_hostconfig_writeback:
    results: "{{ sync_batch }}"
    in_sync: true
  run_once: true
"""

RETURN = r"""
patched:
  description: The rows written, C({host, id, fields}).
  returned: always
  type: list
  elements: dict
  sample: [{host: web-01, id: 17, fields: {hostid: 10650}}]
would_patch:
  description: In check mode, the rows that would be written.
  returned: always
  type: list
  elements: dict
failures:
  description: Rows NetBox refused, C({host, id, error}).
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._sync_job_specs import writeback_argument_spec


def main() -> None:
    # The work needs the controller's host variables and task results: the action plugin does it.
    module = AnsibleModule(argument_spec=writeback_argument_spec(), supports_check_mode=True)
    module.fail_json(msg="netbox_hostconfig_writeback runs as an action plugin on the controller; it cannot run as a module")


if __name__ == "__main__":
    main()
