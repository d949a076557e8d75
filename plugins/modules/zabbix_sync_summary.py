#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: zabbix_sync_summary
short_description: Summarise a NetBox to Zabbix host sync run, export it and log it to NetBox
version_added: 0.1.0
description:
  - Builds the run summary of the SyncHostsNow job from the result of
    M(netbox_zabbix.sync.zabbix_host_sync_batch) or from the per-host results of M(netbox_zabbix.sync.zabbix_host_sync)
    (total, created, updated, unchanged, deleted, failed, skipped, failed hosts, duration, check mode and
    the seed's message, V(Sync complete - U/T hosts updated, F failed.) with a colon after V(complete)).
  - Sets it as the fact C(zabbix_sync_summary) and exports it with C(set_stats) semantics (aggregate), so AWX stores it in
    the job's artifacts and a workflow hands it to the next node.
  - When the NetBox plugin's Setting C(event_log_enabled) is on (or O(event_log=true)), POSTs the run summary and one
    entry per failed host to the plugin's event log. Never in check mode.
  - Runs on the controller, once (C(run_once)); it never fails because hosts failed. The role fails the run after it
    (C(sync_hosts_fail_on_error)), because Ansible drops the facts and stats of a failed task.
extends_documentation_fragment:
  - netbox_zabbix.sync._netbox
options:
  results:
    description:
      - The registered result of M(netbox_zabbix.sync.zabbix_host_sync_batch) (its C(results) are used),
        or a mapping of inventory host name to per-host result.
      - A batch result that failed as a whole (for example Zabbix unreachable) fails every host of O(hosts) with its
        message.
    type: raw
  results_var:
    description:
      - The name of the variable that registered the M(netbox_zabbix.sync.zabbix_host_sync_batch) result, read from the
        task variables without templating (cheaper than O(results) for 10,000 hosts). O(results) wins when both are set.
    type: str
  result_var:
    description:
      - Per-host mode. The names of the variables each host registered from M(netbox_zabbix.sync.zabbix_host_sync)
        (and from the task that fails broken HostConfigs); they are read from C(hostvars) of each host of O(hosts), and
        the first result that is not skipped wins.
    type: list
    elements: str
    aliases: [result_vars]
  hosts:
    description:
      - The hosts of the run. A host without a result counts as skipped.
      - Default is every host of the play (C(ansible_play_hosts_all)).
    type: list
    elements: str
  started:
    description:
      - Epoch seconds when the run started; gives C(duration).
      - Not set - when the C(ansible-playbook) process started (read from C(/proc); without it C(duration) is V(null)).
    type: float
  source_error:
    description:
      - Why the hosts of the run could not be read (the HostConfig inventory source failed).
      - "The run is then a failure whatever the host results say; the message becomes
        V(Sync failed: the HostConfigs could not be read:) followed by this text, and it is the first of C(errors)."
    type: str
  writeback:
    description:
      - The registered result of M(netbox_zabbix.sync.netbox_hostconfig_writeback). A host whose hostid could not be
        written back counts as failed.
    type: dict
  orphans:
    description: The registered result of M(netbox_zabbix.sync.zabbix_orphans); reported as C(orphans).
    type: dict
  export_stats:
    description: Export the summary with C(set_stats) (aggregate) under the name C(zabbix_sync_summary).
    type: bool
    default: true
  event_log:
    description:
      - Write the run summary and the failed hosts to NetBox's event log.
      - When not set, the plugin's Setting C(event_log_enabled) decides (one GET); without NetBox connection options
        nothing is written.
    type: bool
  event_log_name:
    description: C(name) of the run summary's event-log entry; a failed host's entry is named after it, V(<name>) colon V(<host>).
    type: str
    default: SyncHostsNow
  event_log_max_hosts:
    description: At most this many failed hosts get an event-log entry of their own (one POST each).
    type: int
    default: 100
  report_path:
    description:
      - Where the drift report goes, without extension; V(.md), V(.html) (one self-contained page) and V(.json) are
        written (and replaced) there. The report groups the hosts of the run by what changes (hosts to create, each
        field by value, hosts to delete, orphans, failed hosts); secrets are masked as in C(--diff).
      - Not set - V(drift_report) in the directory of the C(netbox_zabbix.sync.sync_log) callback's event log
        (E(NETBOX_ZABBIX_SYNC_LOG_PATH), else V(~/.ansible/netbox_zabbix_sync/)).
      - An empty string writes no files; the report's counts are still in RV(summary.drift).
    type: path
attributes:
  check_mode:
    support: full
    description: Reports what the run would do; never writes to NetBox in check mode.
  diff_mode:
    support: none
    description: The sync modules show the diffs.
  action:
    support: full
    description: Runs on the controller.
author:
  - netbox_zabbix.sync maintainers (@netbox-zabbix)
"""

EXAMPLES = r"""
- name: Sync every host in one task
  netbox_zabbix.sync.zabbix_host_sync_batch:
    hosts: "{{ ansible_play_hosts_all }}"
  register: sync_batch
  run_once: true
  ignore_errors: true

- name: Summarise, export for AWX and write the NetBox event log when enabled
  netbox_zabbix.sync.zabbix_sync_summary:
    results: "{{ sync_batch }}"
  run_once: true

- name: Fail the run when hosts failed
  ansible.builtin.fail:
    msg: "{{ zabbix_sync_summary.message }}"
  when: not zabbix_sync_summary.ok
  run_once: true
"""

RETURN = r"""
drift_table:
  description: The drift report as a compact table, one string per line (what the sync_log callback prints).
  returned: always
  type: list
  elements: str
summary:
  description: The run summary, also set as the fact C(zabbix_sync_summary).
  returned: always
  type: dict
  contains:
    total:
      description: "Hosts in the run."
      type: int
    created:
      description: "Hosts created in Zabbix."
      type: int
    updated:
      description: "Hosts updated in Zabbix."
      type: int
    unchanged:
      description: "Hosts already in sync."
      type: int
    deleted:
      description: "Hosts deleted from Zabbix (C(state=absent))."
      type: int
    failed:
      description: "Hosts that failed (sync or write-back)."
      type: int
    skipped:
      description: "Hosts of the run without a result (skipped by a condition or missing from the batch)."
      type: int
    changed:
      description: "created + updated + deleted."
      type: int
    failed_hosts:
      description: One C({host, error}) per failed host; errors are scrubbed of secrets.
      type: list
      elements: dict
    duration:
      description: "Seconds since O(started) (by default since C(ansible-playbook) started), or null where that is unknown."
      type: float
    check_mode:
      description: "Whether this was a dry run."
      type: bool
    message:
      description: The seed's message, or why the run failed before any host was read (O(source_error)).
      type: str
      sample: "Sync complete: 3/1000 hosts updated, 1 failed."
    orphans:
      description: Zabbix hosts carrying the managed marker tag without a HostConfig (see M(netbox_zabbix.sync.zabbix_orphans)).
      type: list
      elements: dict
    orphans_step:
      description: "What the orphan step did (C(status) done/skipped/failed/not run, policy, counts)."
      type: dict
    writeback:
      description: "Write-back counters (patched, would_patch, failed)."
      type: dict
    errors:
      description: "Errors of the run that are not a host's (O(source_error), the orphan step)."
      type: list
      elements: str
    ok:
      description: "False when a host failed, a step failed or the hosts could not be read: the role then fails the run."
      type: bool
    event_log:
      description: "What was written to NetBox's event log (enabled, posted, error)."
      type: dict
    run_id:
      description: "The run id shared with the C(netbox_zabbix.sync.sync_log) callback, when it is enabled."
      type: str
    drift:
      description:
        - "The drift report's counts: C(hosts), C(changing), C(create), C(update), C(delete), C(unchanged), C(failed),
          C(skipped), C(orphans) and C(fields) (hosts per changed field, for example C({templates: 98, interfaces: 18}))."
        - In a refused run (the guard tripped) these are what would have changed.
      type: dict
    guard:
      description: "The blast-radius guard's verdict (C(tripped), C(would_change), C(limit), C(refused)), when it was on."
      type: dict
    report:
      description: "The drift report files written (C(markdown), C(html), C(json)), or C(error) when they could not be."
      type: dict
  sample:
    total: 1000
    created: 2
    updated: 1
    unchanged: 996
    deleted: 0
    failed: 1
    skipped: 0
    changed: 3
    failed_hosts: [{host: db-07, error: "db-07: templates[1]: template 'Foo' not found"}]
    duration: 11.8
    check_mode: false
    message: "Sync complete: 3/1000 hosts updated, 1 failed."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._sync_job_specs import summary_argument_spec


def main() -> None:
    # The work needs the controller's host variables and task results: the action plugin does it.
    module = AnsibleModule(argument_spec=summary_argument_spec(), supports_check_mode=True)
    module.fail_json(msg="zabbix_sync_summary runs as an action plugin on the controller; it cannot run as a module")


if __name__ == "__main__":
    main()
