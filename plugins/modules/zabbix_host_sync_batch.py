#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: zabbix_host_sync_batch
short_description: Make many Zabbix hosts match their desired states in one task
version_added: 0.1.0
description:
  - Syncs the desired state of every host in O(hosts) (by default the hosts of the current play batch) from the
    host variable O(host_var), which the inventory plugin C(netbox_zabbix.sync.hostconfig) fills.
  - Runs once on the controller (use C(run_once=true)). It reads all hosts with one C(host.get), looks up host
    groups, templates, proxies and proxy groups once per run, creates new hosts with one bulk C(host.create) and
    updates hosts with bulk C(host.update), falling back to one call per host so that one bad host never fails the
    others.
  - Each host is compared and written exactly as M(netbox_zabbix.sync.zabbix_host_sync) does it (same engine).
  - The task does not fail because some hosts failed; it returns per-host results and counters and lets the play
    decide. It fails only on a global error (Zabbix unreachable, credentials rejected).
author:
  - netbox_zabbix.sync maintainers (@netbox-zabbix)
extends_documentation_fragment:
  - netbox_zabbix.sync._zabbix
  - netbox_zabbix.sync._attributes
  - netbox_zabbix.sync._attributes.ACTION
  - netbox_zabbix.sync._attributes.ACTIONGROUP_ZABBIX
attributes:
  check_mode:
    support: full
    details:
      - Nothing is written, not even missing host groups; the results say what would change.
  diff_mode:
    support: full
    details:
      - Returns a list-form C(diff) (one entry per changed host) so that C(--diff) shows every host.
  idempotent:
    support: partial
    details:
      - With O(update_secrets=always) and write-only secrets, every run reports a change.
options:
  hosts:
    description:
      - Inventory host names to sync.
      - Defaults to the hosts of the current play batch (C(ansible_play_batch)).
    type: list
    elements: str
  host_var:
    description:
      - The host variable holding each host's desired state (the options of M(netbox_zabbix.sync.zabbix_host_sync)
        without the connection options).
    type: str
    default: zabbix_host
  valid_var:
    description:
      - The host variable that is V(false) when the desired state is known to be broken; such a host fails with the
        errors from O(errors_var) and nothing is written for it.
    type: str
    default: zabbix_host_valid
  errors_var:
    description:
      - The host variable holding the list of errors (C(<field>) and C(<reason>) separated by a colon) of a broken desired state.
    type: str
    default: zabbix_host_errors
  update_secrets:
    description:
      - Default of O(netbox_zabbix.sync.zabbix_host_sync#module:update_secrets) for hosts that do not set it.
      - When neither sets it, V(on_create) is used.
    type: str
    choices: [on_create, always]
  create_missing_host_groups:
    description:
      - Default of O(netbox_zabbix.sync.zabbix_host_sync#module:create_missing_host_groups) for hosts that do not
        set it. When neither sets it, V(false) is used.
    type: bool
  clear_removed_templates:
    description:
      - Default of O(netbox_zabbix.sync.zabbix_host_sync#module:clear_removed_templates) for hosts that do not
        set it. When neither sets it, V(false) is used.
    type: bool
  max_changes:
    description:
      - Blast-radius guard. The most hosts this run may create, update or delete, as a count (V(50)) or a percentage
        of the hosts in the run (V(10%), rounded down).
      - The whole run is planned before the first write; when more hosts would change, nothing is written, every host
        reports its plan as in check mode (with RV(results.refused)), RV(guard) says why, and the task fails.
      - In check mode the guard writes nothing anyway; RV(guard) tells whether it would trip.
      - Not set, the guard is off.
    type: str
  progress_seconds:
    description:
      - "While the task runs longer than this, print a progress line (reading, planning, writing, for example
        V(host.update: 4,000/10,000 hosts written, 2 failed)) at most this often. V(0) turns progress lines off."
    type: float
    default: 5.0
notes:
  - Host variables are read through C(hostvars), so group and host variables, C(set_fact) and extra variables apply
    as usual; the read is lazy per variable and costs about 0.1 ms per host.
  - An unchanged run costs two API requests with a token (C(apiinfo.version) and one C(host.get) per 1,000 hosts),
    plus one lookup per object kind whose names are not already known from the hosts read.
seealso:
  - module: netbox_zabbix.sync.zabbix_host_sync
  - plugin: netbox_zabbix.sync.hostconfig
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: Sync every host of the play to Zabbix in one task
  hosts: all
  gather_facts: false
  tasks:
    - name: Sync
      netbox_zabbix.sync.zabbix_host_sync_batch:
        zabbix_url: https://zabbix.example.com
        zabbix_token: "{{ vault_zabbix_token }}"
        create_missing_host_groups: true
      run_once: true
      register: sync

    - name: Fail the hosts that could not be synced
      ansible.builtin.fail:
        msg: "{{ sync.results[inventory_hostname].msg }}"
      when: sync.results[inventory_hostname].failed
"""

RETURN = r"""
results:
  description: Per inventory host name, the result of that host.
  returned: always
  type: dict
  contains:
    changed:
      description: Whether the host changed (or would change in check mode).
      type: bool
    failed:
      description: Whether the host failed.
      type: bool
    action:
      description: What was done.
      type: str
      choices: [created, updated, unchanged, deleted, failed]
    hostid:
      description: Zabbix ID of the host.
      type: str
    changed_fields:
      description: Options whose value changed (V(host) for a rename).
      type: list
      elements: str
    interfaceids:
      description: The Zabbix C(interfaceid) of each desired interface in the order given; V(null) where none exists yet.
      type: list
      elements: str
    diff:
      description: Before and after of the managed fields, secrets masked (diff mode only).
      type: dict
    drift:
      description:
        - For an updated host, the before and after of each changed field, secrets masked as in RV(results.diff)
          (every run, for the drift report).
      type: dict
    refused:
      description: True when the blast-radius guard stopped the run; the result is the plan, nothing was written.
      type: bool
    msg:
      description: Why the host failed, starting with the inventory host and naming the option (failed hosts only).
      type: str
  sample:
    web01:
      changed: true
      failed: false
      action: updated
      hostid: "10642"
      changed_fields: [templates]
    web02:
      changed: false
      failed: true
      action: failed
      hostid: null
      changed_fields: []
      msg: "web02: templates[1]: template 'Foo' not found"
counts:
  description: Number of hosts per outcome.
  returned: always
  type: dict
  sample: {"total": 3, "created": 1, "updated": 1, "unchanged": 0, "deleted": 0, "failed": 1}
diff:
  description: One entry per changed host with C(before_header)/C(after_header) set to the host name.
  returned: in diff mode
  type: list
  elements: dict
guard:
  description:
    - The blast-radius guard's verdict (O(max_changes) set). C(tripped) is true when more than C(limit) hosts would
      change (C(would_change)); then nothing was written. In check mode it says whether a real run would trip.
  returned: when O(max_changes) is set
  type: dict
  sample: {"tripped": true, "would_change": 120, "limit": 100}
api_calls:
  description: Number of Zabbix API requests the task sent.
  returned: always
  type: int
  sample: 2
hostvars_reads:
  description:
    - How the host variables were read; V(fast) reads took the inventory's own value (provably what C(hostvars) gives),
      V(templated) reads went through C(hostvars).
  returned: always
  type: dict
  sample: {"fast": 2000, "templated": 0}
seconds:
  description: Time spent reading host variables and in total.
  returned: always
  type: dict
  sample: {"read_hostvars": 0.08, "total": 0.6}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import batch_argument_spec


def main() -> None:
    # Host variables only exist on the controller: the action plugin does the work.
    module = AnsibleModule(argument_spec=batch_argument_spec(), supports_check_mode=True)
    module.fail_json(msg="zabbix_host_sync_batch runs as an action plugin on the controller; it cannot run as a module")


if __name__ == "__main__":
    main()
