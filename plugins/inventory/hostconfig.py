# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: hostconfig
short_description: Zabbix hosts from the HostConfigs of NetBox's netbox_zabbix plugin
version_added: 0.1.0
description:
  - Reads every HostConfig of the C(netbox_zabbix) NetBox plugin (with its agent and SNMP interfaces, host groups,
    templates, proxies, Setting, TagMapping and InventoryMapping) and the Devices, Virtual Machines and IP addresses
    they point to, and makes one inventory host per HostConfig.
  - Each host is named after its Device or Virtual Machine and carries C(zabbix_host), the complete desired Zabbix
    state in the shape the modules M(netbox_zabbix.sync.zabbix_host_sync) and
    M(netbox_zabbix.sync.zabbix_host_sync_batch) take.
  - Lists are read with C(ordering=id) in pages of O(page_size); Devices, Virtual Machines and IP addresses are read in
    bulk. The number of HTTP requests grows with the number of pages, never with the number of hosts; it is shown
    with C(-v).
  - Broken data never fails the inventory. A HostConfig whose Device or VM is gone, an interface without an IP address,
    an unknown template, host group or proxy, or a proxy mode without a proxy, gives a host with
    C(zabbix_host_valid=false) and a reason per field in C(zabbix_host_errors), in the group C(zabbix_invalid).
  - The configuration file name must end with C(.netbox_hostconfig.yml) or C(.netbox_hostconfig.yaml).
author:
  - netbox_zabbix.sync maintainers (@netbox-zabbix)
requirements:
  - pynetbox >= 7.5
  - requests
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - netbox_zabbix.sync._netbox
  - netbox_zabbix.sync._netbox.plugins
options:
  plugin:
    description: Marks this file as a configuration of this plugin.
    type: str
    required: true
    choices: ['netbox_zabbix.sync.hostconfig']
  tag_mapping_tags:
    description:
      - Names of the NetBox tags that the TagMapping objects themselves carry.
      - For each of these that the Device or VM also carries, the host gets the tag C(<tag_prefix><name>) with the value
        C(<name>) (step 2 of the tag rules). Those tags cannot be read over the API (only set from NetBox's shell), hence this
        option. It applies to the device and the virtual machine TagMapping alike, and only where such a TagMapping
        exists.
    type: list
    elements: str
    default: []
  filters:
    description:
      - Sync a subset without C(--limit). Each key narrows the hosts; several values of one key mean any of them,
        several keys mean all of them.
      - Every host gets C(netbox_inventory_filtered=true) when any filter is set, so that a playbook skips work that
        needs the whole set (deleting orphans in Zabbix).
      - A HostConfig whose Device/VM is gone can only match the O(filters.status) and O(filters.object_types) filters.
    type: dict
    default: {}
    suboptions:
      status:
        description: HostConfig status.
        type: list
        elements: str
        choices: [enabled, disabled]
      object_types:
        description: Kind of NetBox object the HostConfig belongs to.
        type: list
        elements: str
        choices: [device, virtualmachine]
      names:
        description:
          - Device/VM (inventory host) names. Shell-style globs (V(sw-core-*), V(db-??)), matched on the whole name.
          - A pattern starting with V(~) is a Python regular expression matched from the start of the name, as in
            Ansible host patterns (V(~^(sw|rt\)-\\d+$)).
        type: list
        elements: str
      sites:
        description: NetBox site slug or name of the Device/VM.
        type: list
        elements: str
      tenants:
        description: NetBox tenant slug or name of the Device/VM.
        type: list
        elements: str
      roles:
        description: NetBox device role slug or name of the Device/VM.
        type: list
        elements: str
      tags:
        description: NetBox tag slug or name; the Device/VM must carry at least one of them.
        type: list
        elements: str
  hostconfig_ids:
    description:
      - Read only these HostConfigs (by NetBox ID), for event-driven runs of a few hosts (see the collection's
        C(docs/eda.md)). Each is read with its own detail request and its interfaces with C(?host_config_id=), so one
        host costs a handful of requests however many HostConfigs NetBox holds. Above O(hostconfig_ids_detail_max) IDs
        the lists are read whole and filtered here instead.
      - An ID whose HostConfig no longer exists is skipped (shown with C(-v)); deleted HostConfigs are a matter for
        a full run and its orphan policy.
      - Every host gets C(netbox_inventory_filtered=true), like with O(filters).
      - The extra variable named by O(hostconfig_ids_var), when given on the command line, sets this for one run.
    type: list
    elements: int
    env:
      - name: NETBOX_HOSTCONFIG_IDS
  hostconfig_ids_var:
    description:
      - Name of an extra variable (C(-e)) that sets O(hostconfig_ids) for one run, as ansible-rulebook's
        C(run_playbook) passes it (C(extra_vars)). A list of IDs, or a string of IDs separated by commas.
      - Inventory plugins see no other variables; only extra variables from the command line are read.
    type: str
    default: netbox_hostconfig_ids
  hostconfig_ids_detail_max:
    description: The most IDs of O(hostconfig_ids) read one by one; more are read as whole lists.
    type: int
    default: 50
  max_workers:
    description:
      - Parallel HTTP requests for the pages of one list and for independent lists.
      - The host-config list, the slow one, starts first on all of them but one; every other read overlaps it on the
        last one (and on any the host-config pages leave free).
      - V(1) reads everything one request at a time.
    type: int
    default: 4
  page_size:
    description:
      - Rows per page (C(limit)). NetBox caps it at its C(MAX_PAGE_SIZE) (default 1000); the plugin follows what the
        server returns.
    type: int
    default: 1000
notes:
  - Host variables set on every host are C(zabbix_host), C(zabbix_host_valid), C(zabbix_host_errors),
    C(netbox_hostconfig), C(netbox_object), C(netbox_inventory_filtered) and C(ansible_connection=local).
    See the collection's C(docs/inventory.md) for each field.
  - Built-in groups are C(netbox_hostconfig) (all hosts), C(zabbix_device), C(zabbix_virtualmachine),
    C(zabbix_enabled), C(zabbix_disabled), C(zabbix_invalid), C(zabbix_hostgroup_<name>) per Zabbix host group and
    C(netbox_site_<slug>) per NetBox site. Names are lower case with every character other than a-z, 0-9 and C(_)
    replaced by C(_).
  - Each configuration file records its outcome in the group C(all) variable C(netbox_hostconfig_sources), a mapping
    of the file's path to C(ok) (true) and the number of C(hosts), or to C(ok) (false) and the C(error). ansible-core only warns
    about an inventory source it cannot parse and goes on without its hosts; the collection's playbook
    C(netbox_zabbix.sync.sync_hosts) reads this variable to fail such a run with the reason instead of syncing nothing.
  - When a HostConfig has no interface marked main for a type, the first interface of that type (lowest id) becomes
    main, as Zabbix needs exactly one per type.
  - All data from NetBox is untrusted for templating (ansible-core 2.19+ data tagging); a C({{ }}) in NetBox stays text.
"""

EXAMPLES = r"""
# inventory/netbox.netbox_hostconfig.yml - URL and token from NETBOX_API and NETBOX_TOKEN
plugin: netbox_zabbix.sync.hostconfig

---
# Everything spelled out, a subset, and extra groups
plugin: netbox_zabbix.sync.hostconfig
netbox_url: https://netbox.example.com
netbox_token: "{{ lookup('ansible.builtin.env', 'NETBOX_TOKEN') }}"
netbox_validate_certs: true
netbox_timeout: 60
tag_mapping_tags: [zabbix]
filters:
  status: [enabled]
  object_types: [device]
  names: ["sw-*", "~^rt-\\d+$"]
  sites: [ams1, fra2]
  tags: [production]
keyed_groups:
  - key: netbox_object.role
    prefix: role
groups:
  behind_proxy: zabbix_host.monitored_by == 'proxy'
compose:
  zabbix_visible_name: netbox_hostconfig.name

---
# Event-driven runs: only the HostConfigs named by the extra variable netbox_hostconfig_ids
#   ansible-playbook -i eda.netbox_hostconfig.yml netbox_zabbix.sync.sync_hosts -e '{"netbox_hostconfig_ids": [3, 17]}'
plugin: netbox_zabbix.sync.hostconfig
hostconfig_ids_var: netbox_hostconfig_ids

---
# Cache the inventory for 10 minutes (ansible-inventory --flush-cache refreshes it)
plugin: netbox_zabbix.sync.hostconfig
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/netbox_zabbix_inventory
cache_timeout: 600
"""

import hashlib
import json
import re
import time
import typing as t

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.vars import load_extra_vars

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _hostconfig as hcmap
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import (
    NetBoxClient,
    NetBoxError,
    NetBoxOptions,
)
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._core_internals import inventory_data
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._hostconfig_loader import (
    HostConfigFilters,
    HostConfigLoader,
    parse_hostconfig_ids,
)

try:
    # ansible-core 2.19+ (data tagging): a string is templated only when it carries the
    # TrustedAsTemplate tag, which JSON from an HTTP answer never has. NetBox data is thus
    # already unsafe, and walking 10,000 hosts once more would only cost time.
    from ansible.template import trust_as_template  # noqa: F401 pylint: disable=unused-import

    def _make_unsafe(value: t.Any) -> t.Any:
        return value

except ImportError:  # pragma: no cover - ansible-core before 2.19
    from ansible.utils.unsafe_proxy import wrap_var as _make_unsafe

SUFFIXES = (".netbox_hostconfig.yml", ".netbox_hostconfig.yaml")
# group ``all`` variable: configuration file -> {ok, hosts} or {ok: false, error}
SOURCES_VAR = "netbox_hostconfig_sources"


def safe_group_name(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", str(name).lower())


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "netbox_zabbix.sync.hostconfig"
    # hostconfig_ids of this parse (set in parse(); None: every HostConfig)
    _hostconfig_ids: list[int] | None = None

    def verify_file(self, path: str) -> bool:
        return super().verify_file(path) and path.endswith(SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        try:
            count = self._parse(path, cache)
        except Exception as exc:
            # ansible-core only warns about a source it could not parse and goes on with an
            # empty inventory; the record lets the sync playbook fail the run with the reason.
            self._record_source(path, {"ok": False, "error": str(exc) or type(exc).__name__})
            raise
        self._record_source(path, {"ok": True, "hosts": count})

    def _record_source(self, path: str, outcome: dict[str, t.Any]) -> None:
        """Note this source's outcome in the group ``all`` variable SOURCES_VAR, keyed by path."""
        inventory = inventory_data(self.inventory)
        all_group = inventory.groups.get("all")
        sources = dict((all_group.get_vars() if all_group else {}).get(SOURCES_VAR) or {})
        sources[str(path)] = outcome
        inventory.set_variable("all", SOURCES_VAR, sources)

    def _parse(self, path: str, cache: bool) -> int:
        """Read the HostConfigs of one configuration file into the inventory; the number of hosts."""
        self._read_config_data(path)
        filters = HostConfigFilters(self.get_option("filters"))
        self._hostconfig_ids = self._selected_ids(self.loader)
        try:
            options = NetBoxOptions.from_plugin(self)
        except NetBoxError as exc:
            raise AnsibleParserError(str(exc)) from None

        cache_key = self._cache_key(path, options, filters)
        use_cache = bool(self.get_option("cache"))
        entries = None
        if use_cache and cache:  # cache=False means --flush-cache / refresh_inventory
            try:
                entries = self._cache[cache_key]
                self.display.v(f"{self.NAME}: {len(entries)} hosts from the inventory cache")
            except KeyError:
                entries = None
        if entries is None:
            entries = self._load(options, filters)
            if use_cache:
                self._cache[cache_key] = entries
        self._populate(entries, filters.active or bool(self._hostconfig_ids))
        return len(entries)

    def _selected_ids(self, loader: t.Any) -> list[int] | None:
        """``hostconfig_ids``: the extra variable of this run wins over the option."""
        var = self.get_option("hostconfig_ids_var")
        if var:
            extra = load_extra_vars(loader)
            if extra.get(var) not in (None, "", []):
                return parse_hostconfig_ids(extra[var], f"extra variable {var}")
        return parse_hostconfig_ids(self.get_option("hostconfig_ids"), "hostconfig_ids")

    def _cache_key(self, path: str, options: NetBoxOptions, filters: HostConfigFilters) -> str:
        # the filters and the URL decide what is fetched: a different subset is another entry
        scope = json.dumps([options.url, filters.digest(), self.get_option("tag_mapping_tags"),
                            self._hostconfig_ids], sort_keys=True)
        return f"{self.get_cache_key(path)}_{hashlib.sha1(scope.encode()).hexdigest()[:12]}"

    def _client(self, options: NetBoxOptions) -> NetBoxClient:
        return NetBoxClient(options)

    def _load(self, options: NetBoxOptions, filters: HostConfigFilters) -> list[dict]:
        started = time.monotonic()
        try:
            client = self._client(options)
            loader = HostConfigLoader(client, filters, self.get_option("tag_mapping_tags"),
                                      self.get_option("max_workers"), self._hostconfig_ids,
                                      self.get_option("hostconfig_ids_detail_max"))
            hosts = loader.load()
            if loader.selected and loader.selected.missing:
                self.display.v(f"{self.NAME}: HostConfig(s) {', '.join(map(str, loader.selected.missing))} "
                               "not found (deleted since the event?): skipped")
        except NetBoxError as exc:
            raise AnsibleParserError(str(exc)) from None  # ansible-core names the plugin already
        elapsed = time.monotonic() - started
        self.display.v(
            f"{self.NAME}: {len(hosts)} HostConfigs read from {options.url} in {elapsed:.2f} s with "
            f"{client.request_count} HTTP requests ("
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in loader.timings.items()) + ")"
        )
        self._report_warnings(hosts)
        return [self._entry(host) for host in hosts]

    def _report_warnings(self, hosts: list[hcmap.HostEntry]) -> None:
        """Shared problems once, per-host notes counted (10,000 identical lines help nobody)."""
        counts: dict[str, int] = {}
        for host in hosts:
            for warning in host.warnings:
                counts[warning] = counts.get(warning, 0) + 1
                self.display.vvv(f"{self.NAME}: {host.name}: {warning}")
        for warning, count in sorted(counts.items()):
            if warning.startswith("InventoryMapping"):
                self.display.warning(f"{self.NAME}: {warning}")
            else:
                self.display.v(f"{self.NAME}: {count} host(s): {warning}")
        invalid = sum(1 for host in hosts if not host.valid)
        if invalid:
            self.display.v(f"{self.NAME}: {invalid} host(s) invalid, see zabbix_host_errors / group zabbix_invalid")

    @staticmethod
    def _entry(host: hcmap.HostEntry) -> dict[str, t.Any]:
        """What the cache stores per host: its variables and its built-in groups."""
        groups = ["netbox_hostconfig"]
        if host.object_type:
            groups.append(f"zabbix_{host.object_type}")
        status = host.zabbix_host.get("status")
        if status:
            groups.append(f"zabbix_{status}")
        groups.extend(
            f"zabbix_hostgroup_{safe_group_name(group['name'])}"
            for group in host.zabbix_host.get("host_groups", []) if group.get("name")
        )
        if host.site_slug:
            groups.append(f"netbox_site_{safe_group_name(host.site_slug)}")
        if not host.valid:
            groups.append("zabbix_invalid")
        return {"name": host.name, "vars": host.hostvars(filtered=False), "groups": groups}

    def _populate(self, entries: list[dict], filtered: bool) -> None:
        strict = self.get_option("strict")
        compose = self.get_option("compose")
        groups = self.get_option("groups")
        keyed_groups = self.get_option("keyed_groups")
        # not ansible-core's proxy, which tags a copy of every value (about 10 s of CPU at 10,000 hosts)
        inventory = inventory_data(self.inventory)
        known_groups: set[str] = set()
        seen: dict[str, int] = {}
        for entry in entries:
            name = entry["name"]
            hostvars = dict(entry["vars"])
            hostvars["netbox_inventory_filtered"] = filtered
            if name in seen:
                name = self._rename_duplicate(name, hostvars, seen)
            seen[name] = hostvars["netbox_hostconfig"]["id"]
            hostvars = _make_unsafe(hostvars)
            inventory.add_host(name)
            for key, value in hostvars.items():
                inventory.set_variable(name, key, value)
            host_groups = list(entry["groups"])
            if not hostvars["zabbix_host_valid"] and "zabbix_invalid" not in host_groups:
                host_groups.append("zabbix_invalid")
            for group in host_groups:
                if group not in known_groups:
                    inventory.add_group(group)
                    known_groups.add(group)
                inventory.add_child(group, name)
            if compose:
                self._set_composite_vars(compose, hostvars, name, strict=strict)
            if groups:
                self._add_host_to_composed_groups(groups, hostvars, name, strict=strict)
            if keyed_groups:
                self._add_host_to_keyed_groups(keyed_groups, hostvars, name, strict=strict)

    @staticmethod
    def _rename_duplicate(name: str, hostvars: dict, seen: dict[str, int]) -> str:
        """A Device and a VM (or two Devices in different sites) may share a name: keep both, flag the later."""
        other = seen[name]
        hostconfig = hostvars["netbox_hostconfig"]
        new_name = hostconfig.get("name") or f"hostconfig-{hostconfig['id']}"
        if new_name in seen:
            new_name = f"hostconfig-{hostconfig['id']}"
        hostvars["zabbix_host_valid"] = False
        hostvars["zabbix_host_errors"] = list(hostvars["zabbix_host_errors"]) + [
            f"host: '{name}' is already the host of HostConfig #{other}"
        ]
        return new_name
