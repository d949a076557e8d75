# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs netbox_zabbix.sync.zabbix_host_sync on the controller.

A module subprocess per host costs about 0.17 s; running the same engine in the
controller's worker costs a few milliseconds of CPU plus the one host.get an unchanged
host needs, so this action never ships the module.

Ansible forks a new worker process for every host of every task, and it imports this
file in the controller process before it forks (the strategy loads the action class).
So everything a host would otherwise build again in its worker is built here, once, at
import time, and every worker inherits it: the argument validator and the SSL contexts.
Nothing learned from Zabbix can be shared that way (the workers' answers never flow back
into the controller process): an unchanged host on its own costs exactly one API call, with
the version read from the host itself. Hosts of one task share a read through files instead
(``plugin_utils/_shared_read.py``): the first host's worker reads the whole play batch, and
an unchanged host costs no call at all.
"""

from __future__ import annotations

import os
import typing as t

from ansible import constants as C
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.vars import transform_to_native_types

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import (
    _fast_validate,
    module_argument_spec,
    read_for_sharing,
    secret_values,
    sync_one,
)
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import mask_text
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import (
    CONNECTION_ARGUMENT_SPEC,
    ENV_FALLBACKS,
    ZabbixError,
    ZabbixOptions,
    prepare_ssl_contexts,
)
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._core_internals import task_key
from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._shared_read import SharedRead

_ARGUMENT_SPEC = module_argument_spec()
# Building the validator deep-copies the spec (about 3.5 ms): once here, not per host.
_VALIDATOR = ArgumentSpecValidator(_ARGUMENT_SPEC)
prepare_ssl_contexts()


def upstream_errors(plain: t.Mapping[str, t.Any]) -> list[str]:
    """The O(errors) option as a list of messages (empty when the host is fine)."""
    errors = plain.get("errors")
    if not errors:
        return []
    return [str(errors)] if isinstance(errors, (str, dict)) else [str(e) for e in errors]


def failed(host: t.Any, message: str) -> dict[str, t.Any]:
    """A failed host, shaped like the engine's (and the batch module's) per-host failure."""
    return {"changed": False, "failed": True, "action": "failed", "hostid": None, "changed_fields": [], "msg": f"{host}: {message}"}


def validate_args(args: t.Mapping[str, t.Any]) -> tuple[dict[str, t.Any], list[str]]:
    """The task's arguments checked against the module's spec: (params, errors).

    Task arguments arrive as Ansible's tagged types (run() passes them converted); as plain types, the common case (the
    inventory's output: exact types, canonical names) passes a check that costs a tenth of
    ArgumentSpecValidator, and the engine is faster on them. Anything unusual (an alias, a
    string for an int, an unknown or missing option) goes through the full validator,
    which also words the errors."""
    plain = args if args.__class__ is dict else transform_to_native_types(dict(args), redact=False)
    params = _fast_validate(_ARGUMENT_SPEC, plain)
    if params is None:
        validation = _VALIDATOR.validate(plain)
        params = validation.validated_parameters
        return params, [str(e) for e in validation.error_messages]
    for name, variable in ENV_FALLBACKS.items():  # what the spec's env_fallback does
        if params.get(name) is None and variable in os.environ:
            params[name] = os.environ[variable]
    return params, []


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False  # talks HTTP to Zabbix from the controller

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        del tmp

        args = transform_to_native_types(dict(self._task.args), redact=False)
        share = boolean(args.pop("shared_read", True), strict=False)
        prefix = args.pop("connection_vars_prefix", None)
        if prefix:
            args = self._connection_from_vars(str(prefix), args, task_vars or {})
        host_var = args.pop("host_var", None)
        if host_var is not None:
            args = self._desired_from_host_var(str(host_var), args, task_vars or {})
        secrets = secret_values(args)
        known_bad = upstream_errors(args)
        if known_bad:
            # Found upstream (an invalid HostConfig): fail without asking Zabbix anything.
            host = args.get("host") or (task_vars or {}).get("inventory_hostname") or "?"
            result.update(failed(host, mask_text("; ".join(known_bad), secrets)))
            return result
        params, errors = validate_args(args)
        if errors:
            host = params.get("host") or args.get("host") or "?"
            result.update(failed(host, mask_text("; ".join(errors), secrets)))
            return result
        try:
            seen, names = self._shared_read(params, task_vars or {}) if share else (None, None)
            outcome, _calls = sync_one(params, bool(self._task.check_mode), bool(self._task.diff), seen=seen, seen_names=names)
        except ZabbixError as exc:
            result.update(failed=True, msg=f"Zabbix host sync of {params.get('host')}: {exc}")
            return result
        result.update(outcome)
        return result

    def _shared_read(self, params: t.Mapping[str, t.Any], task_vars: t.Mapping[str, t.Any]
                     ) -> tuple[dict[str, t.Any] | None, dict[str, t.Any] | None]:
        """This host as the task's shared read found it, and the proxy names read with it
        ((None, None): it reads its own).

        Only for a task that runs on several hosts, once per host (not a loop, whose items
        would each want a fresh read). The batch is read by inventory hostname: a host
        whose Zabbix name differs, or that has no ``hostid`` yet, reads its own."""
        batch = task_vars.get("ansible_play_batch")
        if self._task.loop or not isinstance(batch, list) or len(batch) < 2 or not params.get("hostid"):
            return None, None
        options = ZabbixOptions.from_params(params)
        zabbix = [options.api_url, options.token, options.user, options.password, options.http_user]
        batch_names = [str(host) for host in batch]
        shared = SharedRead.for_task(C.DEFAULT_LOCAL_TMP, task_key(self._task), zabbix, batch_names)
        try:
            shared.ensure(lambda: read_for_sharing(options, batch_names))
            seen = shared.take(params["hostid"])
        except OSError:
            return None, None  # no usable temporary directory: read as if alone
        return (seen, shared.names()) if seen is not None else (None, None)

    def _connection_from_vars(self, prefix: str, args: dict[str, t.Any], task_vars: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
        """The connection options the task does not set, from the variables ``<prefix><option>``.

        An undefined, null or empty variable sets nothing (the option's environment fallback
        still applies), as ``default(omit, true)`` in the task would. A value is templated
        only when it holds a template: five such task arguments cost five Jinja compilations
        in every host's worker."""
        found = dict(args)
        for name in CONNECTION_ARGUMENT_SPEC:
            if name in found:
                continue
            value = transform_to_native_types(self._templar.template(task_vars.get(f"{prefix}{name}")), redact=False)
            if value is not None and value != "":
                found[name] = value
        return found

    def _desired_from_host_var(self, host_var: str, args: dict[str, t.Any], task_vars: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
        """The task's arguments laid over the desired state in host variable ``host_var``.

        The validity flag and errors come from ``<host_var>_valid`` and ``<host_var>_errors``, the
        names the inventory plugin sets (the batch module's ``valid_var``/``errors_var`` defaults)."""
        value = task_vars.get(host_var)
        if value is None:
            return {**args, "errors": [f"host variable '{host_var}' is not set"]}
        desired = transform_to_native_types(self._templar.template(value), redact=False)
        if not isinstance(desired, dict):
            return {**args, "errors": [f"host variable '{host_var}' is not a mapping (a {type(desired).__name__})"]}
        merged = {**desired, **args}
        errors = transform_to_native_types(self._templar.template(task_vars.get(f"{host_var}_errors") or []), redact=False)
        if errors or not boolean(task_vars.get(f"{host_var}_valid", True), strict=False):
            merged["errors"] = ([errors] if isinstance(errors, str) else list(errors)) or [f"{host_var}_valid is false"]
        return merged
