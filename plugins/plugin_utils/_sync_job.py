# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""What the SyncHostsNow job's controller-side actions share (zabbix_sync_summary,
netbox_hostconfig_writeback, zabbix_orphans): one preamble (``SyncJobAction``: validated
arguments, the secrets to mask, the NetBox and Zabbix clients), the Setting, the hosts of the
play and their results."""

from __future__ import annotations

import os
import typing as t
from collections.abc import Mapping

from ansible.plugins.action import ActionBase

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import mask_text
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import (
    NetBoxClient,
    NetBoxError,
    NetBoxOptions,
)
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import ZabbixClient, ZabbixOptions
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._hostvars import HostVarReader, RegisteredReader
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._sync_report import RUN_ID_ENV, secret_values_from_env


def netbox_configured(params: Mapping[str, t.Any]) -> bool:
    return bool(params.get("netbox_url") and params.get("netbox_token"))


def netbox_client(params: Mapping[str, t.Any]) -> NetBoxClient:
    """A NetBox client from a module's validated params (its ``_netbox`` options)."""
    return NetBoxClient(NetBoxOptions.from_module_params(params))


def zabbix_client(params: Mapping[str, t.Any]) -> ZabbixClient:
    """A Zabbix client from a module's validated params (its ``_zabbix`` options, env fallbacks applied)."""
    return ZabbixClient(ZabbixOptions.from_params(params, env=os.environ))


class SyncJobAction(ActionBase):
    """Base of the job's run_once steps: validate the task's arguments against the module's
    spec, collect the secret values to mask, then ``run_job``. Nothing runs on a target host."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True
    _supports_async = False
    ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {}

    secrets: list[str]

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _validation, params = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        self.secrets = secret_values_from_env()
        return self.run_job(result, params, task_vars)

    def run_job(self, result: dict[str, t.Any], params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        raise NotImplementedError

    def mask(self, text: t.Any) -> str:
        """``text`` with the run's secrets and anything token-shaped masked."""
        return mask_text(str(text), self.secrets)


def read_setting(client: NetBoxClient) -> dict[str, t.Any]:
    """The plugin's global Setting (the lowest id: the API does not enforce a single row)."""
    rows = client.plugin_list("setting")
    return dict(rows[0]) if rows else {}


def process_started_epoch(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds), from /proc; None where there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat(5); fields[0] is field 3
        with open("/proc/stat", encoding="ascii") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime "))
        return boot + start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def run_started_epoch() -> float | None:
    """When this ansible-playbook run started: its process start (workers are forked from it)."""
    return process_started_epoch(os.getppid())


def run_id() -> str | None:
    """The run id the sync_log callback published for this ansible-playbook process, if any."""
    return os.environ.get(RUN_ID_ENV) or None


def play_hosts(task_vars: Mapping[str, t.Any], hosts: t.Any = None) -> list[str]:
    """The hosts a run_once step speaks for: the ``hosts`` option (even empty), else every host of the play."""
    if hosts is not None:
        return [str(host) for host in hosts]
    return [str(host) for host in task_vars.get("ansible_play_hosts_all") or task_vars.get("ansible_play_hosts") or []]


def hostvar_reader(task_vars: Mapping[str, t.Any]) -> HostVarReader:
    """A reader of other hosts' variables (reading one variable of 10,000 hosts through
    hostvars costs about 26 s; the reader answers in microseconds where it provably can)."""
    return HostVarReader(task_vars.get("hostvars") or {})


def hostvar(reader: t.Any, host: str, name: str, default: t.Any = None) -> t.Any:
    """One variable of another host; ``default`` for an unknown host or a missing/None value."""
    try:
        value = reader.get(host, name, default)
    except KeyError:
        return default
    return default if value is None else value


def _first_not_skipped(values: list[t.Any]) -> t.Any:
    for value in values:
        if isinstance(value, Mapping) and not value.get("skipped"):
            return value
    return next((value for value in values if value is not None), None)


def registered(task_vars: Mapping[str, t.Any], name: str | None) -> t.Any:
    """A registered result read straight from the task vars, without templating it.

    Templating ``{{ batch_result }}`` as a module argument walks all of its 10,000 entries;
    naming the variable costs nothing.
    """
    if not name:
        return None
    value = task_vars.get(name)
    return value if isinstance(value, Mapping) else None


def results_by_host(
    task_vars: Mapping[str, t.Any], hosts: list[str], results: t.Any = None, result_vars: t.Any = None
) -> dict[str, t.Any]:
    """Per-host results from a batch result, a host -> result mapping, or registered per-host vars.

    With several ``result_vars`` (a playbook that registers a host's result under one of
    several names) the first result that is not "skipped" wins. Registered results are read
    through ``RegisteredReader``: microseconds a host, not a hostvars computation each.
    """
    if isinstance(results, Mapping):
        if isinstance(results.get("results"), Mapping):
            return dict(results["results"])
        if not results.get("failed") and "msg" not in results:
            return dict(results)
        return {}
    if result_vars:
        names = [result_vars] if isinstance(result_vars, str) else list(result_vars)
        reader = RegisteredReader(task_vars.get("hostvars") or {})
        by_host = {}
        for host in hosts:
            by_host[host] = _first_not_skipped([hostvar(reader, host, name) for name in names])
        return by_host
    return {}


__all__ = [
    "NetBoxError",
    "SyncJobAction",
    "zabbix_client",
    "netbox_client",
    "netbox_configured",
    "play_hosts",
    "hostvar",
    "hostvar_reader",
    "read_setting",
    "results_by_host",
    "registered",
    "run_id",
    "run_started_epoch",
]
