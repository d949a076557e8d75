#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: zabbix_host_sync
short_description: Make one Zabbix host match its desired state
version_added: 0.1.0
description:
  - Reads the host once (C(host.get), or its share of one read for all the hosts of the task, see O(shared_read)),
    compares only the fields given, and sends at most one C(host.create),
    C(host.update) or C(host.delete) carrying only what changed. Fields that are not given (or V(null)) are left alone;
    an empty list is managed and means "none".
  - Works with Zabbix 6.0 and 7.0; the differences (proxy fields, proxy groups, group selects, SNMP
    C(max_repetitions)) are handled by the collection.
  - Host groups, templates, proxies and proxy groups are given by name, or by name and ID. An ID that exists in
    Zabbix is used when no name is given or the object's name matches; a stale ID from another Zabbix loses to an
    existing object with the given name; a renamed object still matches by ID. Nothing found fails the host with a
    message naming the option entry, for example C(templates[1]) and V(template 'Foo' not found) (entries count from 0).
  - The options are the desired state of one host as described in the collection's C(docs/desired-state.md);
    the inventory plugin C(netbox_zabbix.sync.hostconfig) produces exactly this structure in the host variable
    C(zabbix_host).
  - This module runs on the controller as an action plugin (no module subprocess per host). To sync many hosts
    at once use M(netbox_zabbix.sync.zabbix_host_sync_batch), which reads and writes in bulk.
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
      - Nothing is written, not even a missing host group; the result says what would change.
  diff_mode:
    support: full
    details:
      - Before and after of the managed fields only; secrets are shown as C(********).
  idempotent:
    support: partial
    details:
      - With O(update_secrets=always) and write-only secrets, every run reports a change.
options:
  host:
    description:
      - Technical host name. The host is found by O(hostid) when given, else by this name.
      - A host found by O(hostid) under another name is renamed to this one (same host, items and history).
      - Required, unless O(host_var) gives the desired state.
    type: str
    aliases: [host_name]
  host_var:
    description:
      - Take this host's desired state from the host variable of this name, as the inventory plugin
        C(netbox_zabbix.sync.hostconfig) sets it in C(zabbix_host), instead of from the task's arguments.
      - The host variables C(<host_var>_valid) and C(<host_var>_errors) (the inventory's C(zabbix_host_valid) and
        C(zabbix_host_errors)) say whether the HostConfig is valid; an invalid one fails with the inventory's reasons,
        without a request to Zabbix, as with O(errors). A missing variable fails the host and names the variable.
      - Options given in the task beside O(host_var) (the connection, for example) are laid over the variable's.
      - Costs the least per host in a playbook of one task per host (no template of the desired state in each
        host's worker; see "Which mode when" in the notes). Needs the collection's action plugin, which runs the sync on the
        controller; it is always used, unless the module is called by its file path.
    type: str
  connection_vars_prefix:
    description:
      - Take the connection options the task does not set from variables with this prefix, for example
        C(sync_hosts_) reads O(zabbix_url) from C(sync_hosts_zabbix_url) and O(zabbix_token) from
        C(sync_hosts_zabbix_token); every C(zabbix_*) option can be read so.
      - An undefined, null or empty variable sets nothing, so the option's environment variable still applies
        (as C({{ var | default(omit, true) }}) in the task would).
      - For a task that runs once per host; each templated task argument is compiled again in every host's
        worker, and a variable is templated only when it holds a template. The role's per-host mode uses
        C(sync_hosts_) (measured in the notes). Needs the collection's action plugin, as O(host_var) does.
    type: str
  shared_read:
    description:
      - When the task runs on several hosts, one task per host, the first host's worker reads the Zabbix hosts of
        the whole play batch in one C(host.get) (by inventory hostname) and every other host takes its own from that
        read instead of asking Zabbix, so an unchanged host then costs no API call at all.
      - That read may be a few seconds old by a host's turn, so it is only trusted to show a host unchanged. A host it
        shows changed, renamed or missing is read again on its own right before its write is planned, exactly as with
        V(false); check mode, diffs and failures are the same either way.
      - Used only for a host with a O(hostid) whose inventory hostname is its Zabbix technical name (the inventory
        plugin names hosts so); other hosts, tasks with a loop and a batch of one read their own.
      - The read is kept in Ansible's local temporary directory of the run (private to the user, removed at the end
        of the run), one file per host, each deleted once taken.
      - Needs the collection's action plugin; the module alone always reads its own host.
    type: bool
    default: true
  hostid:
    description:
      - The Zabbix host this desired state owns (the HostConfig's C(hostid)). The host is read, diffed and updated by
        this ID, so a rename in NetBox renames the Zabbix host in place and a rename by hand in Zabbix is reverted.
      - When it is not given, or Zabbix no longer has that host, the host is found by O(host). A name that another
        host holds (one owned by another desired state of the same run by its ID, or any other host when renaming)
        fails this host; it is never taken over.
    type: str
  name:
    description:
      - Visible name. An empty string means "same as O(host)".
    type: str
    aliases: [visible_name]
  description:
    description:
      - Host description.
    type: str
  status:
    description:
      - Monitoring status.
    type: str
    choices: [enabled, disabled]
  state:
    description:
      - V(present) creates or updates the host, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  host_groups:
    description:
      - The complete list of host groups. Each entry is a name, or a mapping with C(name) and/or C(groupid).
      - Required to create a host.
    type: list
    elements: raw
  create_missing_host_groups:
    description:
      - Create host groups that do not exist. When V(false) a missing group fails the host.
    type: bool
    default: false
  templates:
    description:
      - The complete list of directly linked templates. Each entry is a name (technical or visible), or a mapping
        with C(name) and/or C(templateid).
    type: list
    elements: raw
    aliases: [link_templates]
  clear_removed_templates:
    description:
      - V(false) unlinks templates that are no longer wanted, keeping their items and history on the host.
      - V(true) unlinks and clears them (items, triggers and history of those templates are deleted).
    type: bool
    default: false
  interfaces:
    description:
      - The complete list of interfaces.
      - An entry with O(interfaces[].interfaceid) owns that Zabbix interface and updates it in place, so a swap of
        O(interfaces[].main) or a reorder keeps each interface's ID and the items bound to it. Entries without one (or
        whose ID is gone) take the host's other interfaces by type and position within the type (main first).
      - Zabbix interfaces that no entry owns are removed.
      - Exactly one interface per type is main; when none is marked, the first of each type is made main.
    type: list
    elements: dict
    suboptions:
      type:
        description: Interface type.
        type: str
        required: true
        choices: [agent, snmp, ipmi, jmx]
      main:
        description: Whether this is the default interface of its type.
        type: bool
      useip:
        description: Connect by IP (V(true)) or by DNS name (V(false)).
        type: bool
        default: true
      ip:
        description: IP address (IPv4 or IPv6) or a user macro; required when O(interfaces[].useip=true).
        type: str
      dns:
        description: DNS name; required when O(interfaces[].useip=false).
        type: str
      port:
        description:
          - Port number or user macro. Defaults to 10050 (agent), 161 (SNMP), 623 (IPMI) or 12345 (JMX).
        type: str
      interfaceid:
        description: The Zabbix interface this entry owns (the NetBox interface row's C(interfaceid)).
        type: str
      details:
        description: SNMP settings (SNMP interfaces only).
        type: dict
        suboptions:
          version:
            description: SNMP version (V(2) means SNMPv2c). Defaults to V(2).
            type: int
            choices: [1, 2, 3]
          bulk:
            description: Use bulk requests. Defaults to V(true).
            type: bool
          community:
            description: SNMPv1/v2c community. Defaults to C({$SNMP_COMMUNITY}).
            type: str
          max_repetitions:
            description:
              - Max repetition count for bulk requests (SNMPv2c and v3, Zabbix 7.0 and later; ignored on 6.0).
                Defaults to V(10).
            type: int
          contextname:
            description: SNMPv3 context name.
            type: str
          securityname:
            description: SNMPv3 security name; required for SNMPv3.
            type: str
          securitylevel:
            description: SNMPv3 security level. Defaults to V(noauthnopriv).
            type: str
            choices: [noauthnopriv, authnopriv, authpriv]
          authprotocol:
            description: SNMPv3 authentication protocol. Defaults to V(md5).
            type: str
            choices: [md5, sha1, sha224, sha256, sha384, sha512]
          authpassphrase:
            description: SNMPv3 authentication passphrase.
            type: str
          privprotocol:
            description: SNMPv3 privacy protocol. Defaults to V(des).
            type: str
            choices: [des, aes128, aes192, aes256, aes192c, aes256c]
          privpassphrase:
            description: SNMPv3 privacy passphrase.
            type: str
  monitored_by:
    description:
      - Who monitors the host. V(proxy_group) needs Zabbix 7.0 or later; on 6.0 it fails the host with a clear message.
      - When not given but O(proxy) (or O(proxy_group)) is, V(proxy) (or V(proxy_group)) is implied.
      - On Zabbix 6.0 the proxy is set with C(proxy_hostid); on 7.0 with C(monitored_by) and C(proxyid) or
        C(proxy_groupid).
    type: str
    choices: [server, proxy, proxy_group]
  proxy:
    description:
      - The proxy, as a name or a mapping with C(name) and/or C(proxyid). Required when O(monitored_by=proxy).
    type: raw
  proxy_group:
    description:
      - The proxy group (Zabbix 7.0+), as a name or a mapping with C(name) and/or C(proxy_groupid).
        Required when O(monitored_by=proxy_group).
    type: raw
  tags:
    description:
      - The complete set of host tags (tags added by discovery are left alone).
    type: list
    elements: dict
    suboptions:
      tag:
        description: Tag name.
        type: str
        required: true
      value:
        description: Tag value.
        type: str
        default: ''
  macros:
    description:
      - The complete set of host user macros.
      - Values of C(secret) macros are write-only in Zabbix; see O(update_secrets).
    type: list
    elements: dict
    suboptions:
      macro:
        description: Macro name, for example C({$SNMP_COMMUNITY}); the name part is upper-cased.
        type: str
        required: true
      value:
        description: Macro value (for C(vault) macros the vault path).
        type: str
      type:
        description: Macro type.
        type: str
        choices: [text, secret, vault]
        default: text
      description:
        description: Macro description.
        type: str
        default: ''
  inventory_mode:
    description:
      - Host inventory mode.
    type: str
    choices: [disabled, manual, automatic]
  inventory:
    description:
      - Inventory field name to value. Only the fields given are managed.
    type: dict
    aliases: [inventory_zabbix]
  tls_connect:
    description:
      - How the server or proxy connects to the agent.
    type: str
    choices: [no_encryption, psk, certificate]
  tls_accept:
    description:
      - Connections accepted from the agent.
    type: list
    elements: str
    choices: [no_encryption, psk, certificate]
  tls_psk_identity:
    description:
      - PSK identity. Write-only in Zabbix; see O(update_secrets).
    type: str
  tls_psk:
    description:
      - Pre-shared key, at least 32 hexadecimal digits. Write-only in Zabbix; see O(update_secrets).
    type: str
  tls_issuer:
    description:
      - Certificate issuer.
    type: str
  tls_subject:
    description:
      - Certificate subject.
    type: str
  errors:
    description:
      - Problems already found with this host's desired state, for example the C(zabbix_host_errors) the inventory
        plugin sets on a HostConfig it marked invalid (C(zabbix_host_valid=false)).
      - When the list is not empty the host fails with these messages, prefixed with O(host), and nothing is read from
        or written to Zabbix; the other options are not checked.
      - Lets one task per host both sync the valid hosts and report the invalid ones, without a second task per host.
    type: list
    elements: str
  update_secrets:
    description:
      - Zabbix does not return some values (PSK, secret macro values, and SNMPv3 passphrases where it hides them), so
        they cannot be compared.
      - V(on_create) writes them when the host is created and for new entries (a new secret macro, a macro that
        becomes secret, a new SNMP interface, PSK newly enabled). An unchanged host then reports no change.
        Whenever a host update carries the TLS settings, interfaces or macros anyway, the given values are sent along.
      - V(always) writes them on every run; the host then always reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
notes:
  - On its own (a single host, a loop, O(shared_read=false)) an unchanged host costs exactly one API request with a
    token (two with a user and password, plus the logout), plus one C(proxy.get) when a proxy or proxy group is
    managed. With the shared read, the unchanged hosts of a play batch cost one C(host.get) together (plus one
    C(proxy.get) or C(proxygroup.get) for the proxies they use).
  - A C(host already exists) answer to a create (a concurrent sync) is handled by reading the host again and
    updating it.
  - "Which mode when. This module is per-host mode: one task per host, in your own playbook or in the
    C(netbox_zabbix.sync.sync_hosts) role with C(sync_hosts_batch=false). Every host is its own task result with its
    own diff, a failed host fails alone, and it fits plays that already work host by host (C(--limit), C(serial),
    handlers, C(failed_when)). Its cost is mostly Ansible's own work for one task per host, which no module can go
    below. Measured at 1,000 hosts on a 2-core machine with the real Zabbix 7.0 and NetBox, against C(set_fact)
    over the same hosts in the same run (18.4 s): a plain playbook with this one task and O(host_var=zabbix_host)
    took 19.6 s for a no-op (1.06 times) and 24.4 s with 100 hosts drifted; the same with the template
    C({{ zabbix_host }}) as the arguments 24.2 s and 26.1 s (the template is compiled again in every host's worker);
    the role's per-host mode 24.6 s and 25.5 s. Batch mode syncs the same 1,000 hosts, the whole SyncHostsNow job,
    in 5-6 s. See docs/benchmark.md."
  - For whole inventories use M(netbox_zabbix.sync.zabbix_host_sync_batch) (the role's default), with one task, one
    C(host.get) for all hosts, bulk writes and per-host results in one task result.
  - Ansible runs every host of a task in a fresh worker process, which shares no memory with the others. So the
    hosts of a task share their Zabbix read through files (O(shared_read)), one C(host.get) for the play batch, and
    none for an unchanged host; a changed host reads itself again before its write (one more C(host.get)), and a
    host monitored through a proxy or proxy group adds one C(proxy.get) or C(proxygroup.get) for the name. What can
    be shared in memory (the argument validator, SSL contexts) is built once in the controller before Ansible forks
    the workers.
  - With the inventory plugin, use O(host_var=zabbix_host) (see the examples), or pass the host's O(errors) with its
    desired state, so that a HostConfig the inventory marked invalid fails with the inventory's reasons; or target
    C(all:!zabbix_invalid) to leave those hosts out.
seealso:
  - module: netbox_zabbix.sync.zabbix_host_sync_batch
  - plugin: netbox_zabbix.sync.hostconfig
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: Make web01 match its desired state
  netbox_zabbix.sync.zabbix_host_sync:
    zabbix_url: https://zabbix.example.com
    zabbix_token: "{{ vault_zabbix_token }}"
    host: web01
    name: Web server 01
    status: enabled
    host_groups:
      - Linux servers
      - name: Web
        groupid: "23"
    templates:
      - ICMP Ping
      - Linux by Zabbix agent
    interfaces:
      - type: agent
        ip: 192.0.2.10
      - type: snmp
        ip: 192.0.2.10
        details:
          version: 3
          securityname: monitor
          securitylevel: authpriv
          authprotocol: sha256
          authpassphrase: "{{ vault_snmp_auth }}"
          privprotocol: aes256
          privpassphrase: "{{ vault_snmp_priv }}"
    monitored_by: proxy
    proxy: proxy-dc1
    tags:
      - tag: site
        value: dc1
    macros:
      - macro: "{$API_PASSWORD}"
        value: "{{ vault_api_password }}"
        type: secret
    inventory_mode: manual
    inventory:
      location: DC1 rack 4

- name: Sync the desired state the inventory plugin put in zabbix_host
  netbox_zabbix.sync.zabbix_host_sync: "{{ zabbix_host }}"
  module_defaults:
    group/netbox_zabbix.sync.zabbix:
      zabbix_url: https://zabbix.example.com
      zabbix_token: "{{ vault_zabbix_token }}"

- name: One task per host in your own playbook; an invalid HostConfig fails with the inventory's reasons
  netbox_zabbix.sync.zabbix_host_sync: "{{ zabbix_host | combine({'errors': zabbix_host_errors}) }}"

- name: The same, cheapest per host - the desired state read from the inventory's host variables
  netbox_zabbix.sync.zabbix_host_sync:
    host_var: zabbix_host

- name: The same, with the connection from the variables my_zabbix_url and my_zabbix_token (no template per host)
  netbox_zabbix.sync.zabbix_host_sync:
    host_var: zabbix_host
    connection_vars_prefix: my_

- name: Remove a host
  netbox_zabbix.sync.zabbix_host_sync:
    host: old-host
    state: absent
"""

RETURN = r"""
action:
  description: What was done (or would be done in check mode).
  returned: always
  type: str
  sample: updated
  choices: [created, updated, unchanged, deleted, failed]
hostid:
  description: Zabbix ID of the host (V(null) when it does not exist, or in check mode before a create).
  returned: always
  type: str
  sample: "10642"
changed_fields:
  description: Options whose value changed (all given options on create); V(host) for a rename.
  returned: always
  type: list
  elements: str
  sample: [templates, interfaces]
interfaceids:
  description:
    - The Zabbix C(interfaceid) of each entry of O(interfaces), in the order given; V(null) for an interface that does
      not exist yet (check mode). The write-back stores them on the NetBox interface rows.
  returned: success
  type: list
  elements: str
  sample: ["51", "52"]
created_host_groups:
  description: Host groups created (or that would be created in check mode) for this host.
  returned: when O(create_missing_host_groups=true) and groups were missing
  type: list
  elements: str
  sample: [NB Lab]
diff:
  description: Before and after of the managed fields, with secrets masked.
  returned: in diff mode
  type: dict
  sample: {"before": {"status": "disabled"}, "after": {"status": "enabled"}}
drift:
  description:
    - For an updated host, the before and after of each changed field, with secrets masked as in RV(diff)
      (every run; the role's drift report groups them).
  returned: when the host was updated (or would be in check mode)
  type: dict
  sample: {"status": {"before": "enabled", "after": "disabled"}}
msg:
  description: Why the host failed, starting with the host (the inventory host in batch mode) and naming the option.
  returned: on failure
  type: str
  sample: "web01: templates[1]: template 'Foo' not found"
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import (
    MODULE_REQUIRED_ONE_OF,
    module_options_spec,
    secret_values,
    sync_one,
)
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import ZabbixError


def main() -> None:
    module = AnsibleModule(argument_spec=module_options_spec(), required_one_of=MODULE_REQUIRED_ONE_OF, supports_check_mode=True)
    for option in ("host_var", "connection_vars_prefix"):
        if module.params[option]:
            module.fail_json(msg=f"{option}: reading variables needs the collection's action plugin (the module ran without it)")
    # Secret macro values have no no_log flag of their own (text macros are not secret).
    module.no_log_values.update(secret_values(module.params))
    if module.params["errors"]:
        module.fail_json(msg=f"{module.params['host']}: {'; '.join(module.params['errors'])}", action="failed", hostid=None,
                         changed_fields=[])
    try:
        result, _calls = sync_one(module.params, module.check_mode, module._diff)
    except ZabbixError as exc:
        module.fail_json(msg=f"Zabbix host sync of {module.params['host']}: {exc}")
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
