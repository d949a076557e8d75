#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: zabbix_orphans
short_description: Find, and optionally disable or delete, Zabbix hosts that no NetBox HostConfig describes
version_added: 0.1.0
description:
  - Lists the Zabbix hosts carrying the managed marker tag (the plugin Setting's C(tag_prefix) + C(default_tag), or
    O(marker_tag)) that match no HostConfig of the run, neither by Zabbix host ID nor by technical host name.
  - O(policy=none) only reports them; V(disable) disables them; V(delete) deletes them. When more hosts would be
    disabled or deleted than O(max_deletions), the step refuses as a whole, changes nothing and fails with a message.
  - Skipped (nothing read, nothing changed) when the run covers a subset of the HostConfigs - C(--limit)
    (C(ansible_limit)), inventory filters (C(netbox_inventory_filtered)), or fewer hosts in the play than NetBox has
    HostConfigs. The last one is how an AWX sliced job shows itself - AWX passes no slice variable, each slice simply
    gets a smaller inventory - and it also catches a narrower play pattern and hosts disabled in AWX.
  - Runs once on the controller (C(run_once)). Check mode reports what would be disabled or deleted.
extends_documentation_fragment:
  - netbox_zabbix.sync._zabbix
  - netbox_zabbix.sync._netbox
options:
  policy:
    description: What to do with the orphans.
    type: str
    choices: [none, disable, delete]
    default: none
  max_deletions:
    description:
      - The most hosts one run may disable or delete. Not set - the plugin Setting's C(max_deletions), else V(10).
    type: int
  marker_tag:
    description: The tag name marking hosts this collection manages. Not set - C(tag_prefix) + C(default_tag) of the Setting.
    type: str
  hosts:
    description: The hosts of the run; default every host of the play.
    type: list
    elements: str
  results:
    description: The registered batch sync result; host IDs of hosts created by this run count as known.
    type: raw
  results_var:
    description:
      - The name of the variable that registered the M(netbox_zabbix.sync.zabbix_host_sync_batch) result, read from the
        task variables without templating (cheaper than O(results) for 10,000 hosts). O(results) wins when both are set.
    type: str
  host_var:
    description: The host variable with the desired state (its C(host) is the technical name).
    type: str
    default: zabbix_host
  hostconfig_var:
    description: The host variable with the HostConfig's C(id) and C(hostid).
    type: str
    default: netbox_hostconfig
  filtered_var:
    description: The host variable that is V(true) when the inventory was filtered.
    type: str
    default: netbox_inventory_filtered
  netbox_url:
    required: false
  netbox_token:
    required: false
attributes:
  check_mode:
    support: full
    description: Reports the orphans and what would be done; nothing is changed.
  diff_mode:
    support: none
    description: The orphans are listed in RV(orphans).
  action:
    support: full
    description: Runs on the controller.
author:
  - netbox_zabbix.sync maintainers (@netbox-zabbix)
"""

EXAMPLES = r"""
- name: Report orphans (and disable at most 20 of them)
  netbox_zabbix.sync.zabbix_orphans:
    policy: disable
    max_deletions: 20
  run_once: true
  register: orphans
"""

RETURN = r"""
orphans:
  description: The orphaned hosts.
  returned: when not skipped
  type: list
  elements: dict
  sample: [{hostid: "10700", host: old-sw-01, name: old-sw-01, status: enabled}]
marker_tag:
  description: The tag that marks managed hosts.
  returned: when not skipped
  type: str
  sample: netbox-device
deleted:
  description: Number of hosts deleted.
  returned: when policy is delete and hosts were deleted
  type: int
disabled:
  description: Number of hosts disabled.
  returned: when policy is disable and hosts were disabled
  type: int
would_delete:
  description: In check mode, the host IDs that would be deleted.
  returned: check mode
  type: list
  elements: str
would_disable:
  description: In check mode, the host IDs that would be disabled.
  returned: check mode
  type: list
  elements: str
refused:
  description: True when more hosts than O(max_deletions) would have been changed, so nothing was.
  returned: when refused
  type: bool
skip_reason:
  description: Why the step was skipped (the run covers a subset, no marker tag).
  returned: when skipped
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._sync_job_specs import orphans_argument_spec


def main() -> None:
    # The work needs the controller's host variables and task results: the action plugin does it.
    module = AnsibleModule(argument_spec=orphans_argument_spec(), supports_check_mode=True)
    module.fail_json(msg="zabbix_orphans runs as an action plugin on the controller; it cannot run as a module")


if __name__ == "__main__":
    main()
