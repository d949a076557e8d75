# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller-side action for netbox_zabbix.sync.zabbix_orphans (documentation in plugins/modules)."""

from __future__ import annotations

import typing as t
from collections.abc import Iterable, Mapping

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._hostconfig import format_tag_name
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import PLUGIN_API
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import ZabbixClient, ZabbixError
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._sync_job_specs import orphans_argument_spec
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._sync_job import (
    NetBoxError,
    SyncJobAction,
    hostvar,
    hostvar_reader,
    netbox_client,
    netbox_configured,
    play_hosts,
    read_setting,
    registered,
    zabbix_client,
)

# Zabbix host.get tag operator "Exists" (6.0 and 7.0).
TAG_EXISTS = 4
TAG_EVAL_OR = 2
DEFAULT_MAX_DELETIONS = 10


def marker_tag_from_setting(setting: Mapping[str, t.Any]) -> str | None:
    """tag_prefix + default_tag, formatted by tag_name_formatting, as the plugin names the
    tag it puts on every host it manages (with ``upper``: ``NB_NETBOX_ID``)."""
    default_tag = setting.get("default_tag")
    if not default_tag:
        return None
    return format_tag_name(f"{setting.get('tag_prefix') or ''}{default_tag}", setting.get("tag_name_formatting"))


def marker_tag_spellings(marker: str) -> list[str]:
    """The marker as the Setting spells it now, then as any formatting spelt it before:
    hosts tagged before a change of ``tag_name_formatting`` are still found."""
    return list(dict.fromkeys([marker, marker.upper(), marker.lower()]))


def subset_reason(
    limit: t.Any, filtered: bool, play_host_count: int, hostconfig_count: int | None
) -> str | None:
    """Why this run does not cover every HostConfig (then orphans must not be judged), or None.

    AWX job slicing shows itself to the playbook only as a smaller inventory (AWX passes no
    slice variable); a play with fewer hosts than NetBox has HostConfigs catches it, along
    with a narrower play pattern and hosts disabled in AWX.
    """
    # `--limit all` is every host; ansible-rulebook's run_playbook always passes the ruleset's
    # `hosts` (usually all) as --limit
    if limit and str(limit).strip() not in ("all", "*"):
        return f"the run covers a subset (--limit {limit})"
    if filtered:
        return "the run covers a subset (the inventory has filters)"
    if hostconfig_count is not None and play_host_count < hostconfig_count:
        return (
            f"the run covers a subset ({play_host_count} of {hostconfig_count} HostConfigs: "
            "AWX job slicing, a narrower play or inventory)"
        )
    return None


def find_orphans(
    zabbix_hosts: Iterable[Mapping[str, t.Any]], known_hostids: set[str], known_names: set[str]
) -> list[dict[str, t.Any]]:
    """Zabbix hosts that match no HostConfig, neither by hostid nor by technical name."""
    orphans = []
    for zhost in zabbix_hosts:
        if str(zhost.get("hostid")) in known_hostids or str(zhost.get("host")) in known_names:
            continue
        orphans.append(
            {
                "hostid": str(zhost.get("hostid")),
                "host": str(zhost.get("host")),
                "name": str(zhost.get("name") or zhost.get("host")),
                "status": "disabled" if str(zhost.get("status")) == "1" else "enabled",
            }
        )
    return sorted(orphans, key=lambda orphan: orphan["host"])


def targets_for(policy: str, orphans: list[dict[str, t.Any]]) -> list[dict[str, t.Any]]:
    if policy == "delete":
        return orphans
    if policy == "disable":
        return [orphan for orphan in orphans if orphan["status"] != "disabled"]
    return []


class ActionModule(SyncJobAction):
    ARGUMENT_SPEC = orphans_argument_spec()

    def run_job(self, result: dict[str, t.Any], params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        policy = params["policy"]
        result.update(changed=False, orphans=[], policy=policy, subset=False)

        hosts = play_hosts(task_vars, params.get("hosts"))
        reader = hostvar_reader(task_vars)
        filtered = bool(hosts) and bool(hostvar(reader, hosts[0], params["filtered_var"], False))
        limit = task_vars.get("ansible_limit")
        early = subset_reason(limit, filtered, len(hosts), None)
        if early:
            return self._skip(result, early)

        setting: dict[str, t.Any] = {}
        hostconfig_count = None
        try:
            if netbox_configured(params):
                client = netbox_client(params)
                setting = read_setting(client)
                hostconfig_count = client.count(f"{PLUGIN_API}/host-config")
            elif not params.get("marker_tag"):
                return self._skip(result, "no NetBox connection to read the Setting's marker tag from")
        except NetBoxError as exc:
            result.update(failed=True, msg=f"reading NetBox for the orphan check: {self.mask(exc)}")
            return result

        reason = subset_reason(None, False, len(hosts), hostconfig_count)
        if reason:
            result["subset"] = True
            return self._skip(result, reason)
        marker = params.get("marker_tag") or marker_tag_from_setting(setting)
        if not marker:
            return self._skip(result, "the Setting has no default_tag: no marker tag tells managed hosts apart")
        result["marker_tag"] = marker
        cap = params.get("max_deletions")
        if cap is None:
            cap = setting.get("max_deletions")
        cap = int(cap) if cap is not None else DEFAULT_MAX_DELETIONS
        result["max_deletions"] = cap

        known_hostids, known_names = self._known(task_vars, reader, hosts, params)
        try:
            client = zabbix_client(params)
            try:
                client.connect(need_version=True)
                tagged = client.read(
                    "host.get",
                    {
                        "output": ["hostid", "host", "name", "status"],
                        "tags": [{"tag": spelling, "operator": TAG_EXISTS} for spelling in marker_tag_spellings(marker)],
                        "evaltype": TAG_EVAL_OR,
                    },
                )
                orphans = find_orphans(tagged or [], known_hostids, known_names)
                result["orphans"] = orphans
                targets = targets_for(policy, orphans)
                if len(targets) > cap:
                    verb = "delete" if policy == "delete" else "disable"
                    result.update(
                        failed=True,
                        refused=True,
                        msg=(
                            f"refusing to {verb} {len(targets)} orphaned Zabbix hosts: more than max_deletions ({cap}); "
                            f"nothing was changed. Check the marker tag '{marker}' and the HostConfigs, "
                            "or raise sync_hosts_orphan_max_deletions."
                        ),
                    )
                    return result
                self._apply(client, result, policy, targets)
            finally:
                client.close()
        except ZabbixError as exc:
            result.update(failed=True, msg=f"orphan check: {self.mask(exc)}")
            return result
        if "msg" not in result:
            result["msg"] = f"{len(result['orphans'])} orphaned Zabbix host(s) carry the tag '{marker}'"
        return result

    @staticmethod
    def _skip(result: dict[str, t.Any], reason: str) -> dict[str, t.Any]:
        result.update(skipped=True, skip_reason=reason, msg=f"orphan check skipped: {reason}")
        return result

    @staticmethod
    def _known(
        task_vars: Mapping[str, t.Any], reader: t.Any, hosts: list[str], params: Mapping[str, t.Any]
    ) -> tuple[set[str], set[str]]:
        """Zabbix hostids and technical names that belong to a HostConfig of this run."""
        known_hostids: set[str] = set()
        known_names: set[str] = set(hosts)
        for host in hosts:
            desired = hostvar(reader, host, params["host_var"], {})
            if isinstance(desired, Mapping) and desired.get("host"):
                known_names.add(str(desired["host"]))
            hostconfig = hostvar(reader, host, params["hostconfig_var"], {})
            if isinstance(hostconfig, Mapping) and hostconfig.get("hostid") not in (None, ""):
                known_hostids.add(str(hostconfig["hostid"]))
        results = params.get("results") if params.get("results") is not None else registered(task_vars, params.get("results_var"))
        if isinstance(results, Mapping) and isinstance(results.get("results"), Mapping):
            for host_result in results["results"].values():
                if isinstance(host_result, Mapping) and host_result.get("hostid"):
                    known_hostids.add(str(host_result["hostid"]))
        return known_hostids, known_names

    def _apply(self, client: ZabbixClient, result: dict[str, t.Any], policy: str, targets: list[dict[str, t.Any]]) -> None:
        ids = [target["hostid"] for target in targets]
        if not ids:
            return
        if self._play_context.check_mode:
            result["would_" + ("delete" if policy == "delete" else "disable")] = ids
            result["changed"] = True
            return
        if policy == "delete":
            client.write("host.delete", ids)
            result["deleted"] = len(ids)
        else:
            client.write("host.update", [{"hostid": hostid, "status": "1"} for hostid in ids])
            result["disabled"] = len(ids)
        result["changed"] = True
