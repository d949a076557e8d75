# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The sync engine: one code path for one host and for many.

1. validate and normalise every desired state (pure; a bad host fails alone),
2. read the current hosts with one host.get (chunked),
3. look up the names/IDs the diffs need, once per run and kind,
4. plan every host (pure),
5. write: bulk host.create / host.update / host.delete, falling back to one call per
   host to isolate a failing one; a write that failed in transit is retried only after
   re-reading the host.
"""

from __future__ import annotations

import gc
import time
import typing as t
from dataclasses import dataclass, field

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._mask import mask_text
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._codes import INTERFACE_TYPE
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_model import Desired, HostError, Plan
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_spec import host_argument_spec
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._lookups import Catalog, Lookups, needed_lookups
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._normalise import normalise_current, normalise_desired
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._option_values import zabbix_id
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._plan import plan_host
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._public_api import public_api_only
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import (
    as_selected,
    host_get_selects,
    VersionProfile,
    ZabbixAPIError,
    ZabbixClient,
    ZabbixError,
    ZabbixOptions,
    ZabbixTransientError,
    connection_argument_spec,
    profile_from_host,
)

READ_CHUNK = 1000
WRITE_CHUNK = 250
WRITE_ROUNDS = 3

_ACTION_PAST = {"create": "created", "update": "updated", "delete": "deleted", "unchanged": "unchanged"}

_validators: dict[bool, ArgumentSpecValidator] = {}
_SPECS: dict[bool, dict[str, dict[str, t.Any]]] = {True: host_argument_spec(True), False: host_argument_spec(False)}


def _owned_hostid(params: t.Mapping[str, t.Any]) -> str:
    """The hostid a desired state owns; "" for none (a malformed one fails in normalise_desired)."""
    try:
        return zabbix_id(params.get("hostid"), "hostid")
    except HostError:
        return ""


def _validator(with_defaults: bool) -> ArgumentSpecValidator:
    if with_defaults not in _validators:
        _validators[with_defaults] = ArgumentSpecValidator(host_argument_spec(with_defaults))
    return _validators[with_defaults]


_EXACT_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "bool": (bool,), "int": (int,), "float": (float, int), "dict": (dict,), "list": (list,)}


def _fast_validate(spec: dict[str, dict[str, t.Any]], params: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """What ArgumentSpecValidator returns, for input that needs no conversion; else None.

    The common case (the inventory's output: exact types, canonical names, valid
    choices) costs a tenth of the full validator; anything unusual (an alias, a string
    for an int, an unknown key, a missing required option) returns None and goes through
    ArgumentSpecValidator, which also words the errors. A null is an absent option ("not
    managed", docs/desired-state.md). A hypothesis property test
    (tests/unit/plugins/module_utils/test_fast_validate.py) holds it to exactly the
    validator's answer for the same options without nulls; the public-API switch
    (``_public_api``) turns it off."""
    for key in params:
        if key not in spec:
            return None
    out: dict[str, t.Any] = {}
    for name, opts in spec.items():
        value = params.get(name)
        if value is None:
            if opts.get("required"):
                return None
            default = opts.get("default")
            out[name] = list(default) if isinstance(default, list) else default
            continue
        kind = opts.get("type", "str")
        if kind != "raw":
            # exact classes: a subclass (bool for int, a tagged str) takes the full validator
            if value.__class__ not in _EXACT_TYPES.get(kind, ()):
                return None
        choices = opts.get("choices")
        if kind == "list":
            elements = opts.get("elements", "raw")
            checked = []
            for item in value:
                if elements == "dict" and "options" in opts:
                    if item.__class__ is not dict:
                        return None
                    item = _fast_validate(opts["options"], item)
                    if item is None:
                        return None
                elif elements != "raw" and item.__class__ not in _EXACT_TYPES.get(elements, ()):
                    return None
                if choices is not None and item not in choices:
                    return None
                checked.append(item)
            value = checked
        elif kind == "dict" and "options" in opts:
            value = _fast_validate(opts["options"], value)
            if value is None:
                return None
        elif choices is not None and value not in choices:
            return None
        out[name] = value
    return out


def _shape_errors(spec: dict[str, dict[str, t.Any]], params: t.Mapping[str, t.Any], prefix: str) -> list[str]:
    """Non-mapping values where the spec has sub-options (ArgumentSpecValidator cannot word these)."""
    errors: list[str] = []
    for name, opts in spec.items():
        value = params.get(name)
        if value is None or "options" not in opts:
            continue
        path = f"{prefix}{name}"
        if opts.get("type") == "dict":
            if not isinstance(value, t.Mapping):
                errors.append(f"{path}: must be a mapping, got {type(value).__name__}")
            else:
                errors.extend(_shape_errors(opts["options"], value, f"{path}."))
        elif opts.get("type") == "list" and opts.get("elements") == "dict":
            if not isinstance(value, list):
                errors.append(f"{path}: must be a list of mappings, got {type(value).__name__}")
                continue
            for index, item in enumerate(value):
                if not isinstance(item, t.Mapping):
                    errors.append(f"{path}[{index}]: must be a mapping, got {type(item).__name__}")
                else:
                    errors.extend(_shape_errors(opts["options"], item, f"{path}[{index}]."))
    return errors


def _without_nulls(spec: dict[str, dict[str, t.Any]], params: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The options less those set to null, at every level: a null is "not managed" (the
    validator would refuse it for a choice or a bool, where the fast check reads it as absent)."""
    out: dict[str, t.Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        opts = spec.get(name) if isinstance(name, str) else None
        if opts and "options" in opts:
            if opts.get("type") == "dict" and isinstance(value, t.Mapping):
                value = _without_nulls(opts["options"], value)
            elif opts.get("type") == "list" and isinstance(value, list):
                value = [_without_nulls(opts["options"], item) if isinstance(item, t.Mapping) else item for item in value]
        out[name] = value
    return out


def validate_host_options(raw: t.Any, with_defaults: bool = False) -> tuple[dict[str, t.Any] | None, list[str]]:
    """Type-check one desired state with the module's argument spec: (params, errors)."""
    if not isinstance(raw, t.Mapping):
        return None, [f"the desired state must be a mapping, got {type(raw).__name__}"]
    fast = None if public_api_only() else _fast_validate(_SPECS[with_defaults], raw)
    if fast is not None:
        return fast, []
    # The validator itself crashes on non-mappings where sub-options are expected
    # (set_fallbacks); report those here and let it check the other options.
    spec = _SPECS[with_defaults]
    shape_errors: list[str] = []
    checkable = _without_nulls(spec, raw)
    for name in list(checkable):
        bad = _shape_errors({name: spec[name]}, checkable, "") if name in spec else []
        if bad:
            shape_errors.extend(bad)
            del checkable[name]
    try:
        result = _validator(with_defaults).validate(checkable)
    except Exception as exc:  # a validator crash must fail this host only, never the batch
        return None, shape_errors + [f"invalid options: {type(exc).__name__}: {exc}"]
    if shape_errors:
        return None, shape_errors + [str(e) for e in result.error_messages]
    errors = [str(e) for e in result.error_messages]
    return (None if errors else result.validated_parameters), errors


@dataclass
class HostState:
    """One host through the run."""

    key: str  # inventory host name (batch) or the host name (single)
    params: dict[str, t.Any]
    desired: Desired | None = None
    zhost: dict[str, t.Any] | None = None
    plan: Plan | None = None
    result: dict[str, t.Any] | None = None
    first_action: str | None = None  # survives a re-read after a write lost in transit
    needs_reread: bool = False
    write_in_doubt: bool = False  # a write of ours failed in transit: it may have landed

    @property
    def done(self) -> bool:
        return self.result is not None


@dataclass
class SyncEngine:
    client: ZabbixClient
    check_mode: bool = False
    diff_mode: bool = False
    defaults: dict[str, t.Any] = field(default_factory=dict)
    catalog: Catalog = field(default_factory=Catalog)
    # Blast-radius guard: the most hosts this run may create, update or delete. When the plan
    # changes more, nothing is written and every host reports its plan as in check mode.
    max_changes: int | None = None
    # progress(line): called during long runs, at most every progress_seconds.
    progress: t.Callable[[str], None] | None = None
    progress_seconds: float = 5.0
    guard: dict[str, t.Any] | None = None
    _last_progress: float = 0.0
    _states: list[HostState] = field(default_factory=list)

    # -- public ---------------------------------------------------------------------------
    def sync(self, items: t.Sequence[tuple[str, t.Any, list[str] | None]], prevalidated: bool = False) -> dict[str, dict[str, t.Any]]:
        """items: (key, desired options, upstream errors or None); returns key -> result."""
        # Thousands of small dicts make the cyclic GC rescan everything again and again
        # (10x hosts cost 17x time); nothing here builds cycles, so pause it for the run.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._sync(items, prevalidated)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _sync(self, items: t.Sequence[tuple[str, t.Any, list[str] | None]], prevalidated: bool) -> dict[str, dict[str, t.Any]]:
        states: list[HostState] = []
        results: dict[str, dict[str, t.Any]] = {}
        for key, raw, upstream_errors in items:
            if upstream_errors:
                results[key] = self._failed(key, mask_text("; ".join(str(e) for e in upstream_errors), secret_values(raw)))
                continue
            if prevalidated:
                params, errors = dict(raw), []
            else:
                params, errors = validate_host_options(raw, with_defaults=False)
            if errors or params is None:
                message = mask_text("; ".join(errors) or "no desired state", secret_values(raw))
                results[key] = self._failed(key, message)
                continue
            states.append(HostState(key=key, params=params))
            results[key] = {}
        self._run(states)
        for state in states:
            results[state.key] = state.result or self._failed(state.key, "internal error: no result")
        return results

    def unchanged_from(self, key: str, params: dict[str, t.Any], zhost: t.Mapping[str, t.Any],
                       names: t.Mapping[str, t.Sequence[t.Sequence[str]]] | None = None) -> dict[str, t.Any] | None:
        """The result of one validated host if ``zhost`` (read moments ago, with the whole
        inventory) shows it unchanged; None when it does not, or cannot, say so.

        A shared read answers for many hosts at once, so it may be a few seconds old: it may
        prove a host unchanged, never plan a write. A host it shows renamed, changed or broken
        is left to ``sync``, which reads it again right before planning what to write.
        ``names``: the proxies' and proxy groups' [id, name] read with it (``read_for_sharing``)."""
        if _owned_hostid(params) != str(zhost.get("hostid")) or str(zhost.get("host")) != str(params.get("host") or "").strip():
            return None
        for kind in ("proxies", "proxy_groups"):
            for ident, name in (names or {}).get(kind, []):
                getattr(self.catalog, kind).add(ident, name)
        state = HostState(key=key, params=params)
        state.zhost = as_selected(zhost, (params.get("inventory") or {}).keys())
        self._states = [state]
        if self.client.profile is None:
            self.client.profile = profile_from_host(state.zhost)
        self._normalise([state])
        if state.done:
            return None
        self._plan([state])
        result = state.result
        if result is None or result.get("failed") or state.first_action != "unchanged":
            return None
        return result

    # -- phases ---------------------------------------------------------------------------
    def _report_progress(self, phase: str, done: int, total: int, verb: str, force: bool = False) -> None:
        """One progress line, at most every progress_seconds (the first one after that long too)."""
        if self.progress is None:
            return
        now = time.monotonic()
        if not self._last_progress:
            self._last_progress = now  # a run shorter than progress_seconds stays silent
            if not force:
                return
        if not force and now - self._last_progress < self.progress_seconds:
            return
        self._last_progress = now
        failed = sum(1 for s in self._states if s.result is not None and s.result.get("failed"))
        self.progress(f"{phase}: {done:,}/{total:,} hosts {verb}, {failed:,} failed")

    def _apply_guard(self, states: list[HostState]) -> None:
        """Refuse every write of the run when the plan changes more hosts than allowed.

        Runs after every host is planned and before the first write (group creation
        included); in check mode it only says whether a real run would trip."""
        if self.max_changes is None:
            return
        changing = sum(1 for s in states if s.plan is not None and not s.done and s.plan.action != "unchanged")
        tripped = changing > self.max_changes
        self.guard = {"tripped": tripped, "would_change": changing, "limit": self.max_changes, "refused": tripped and not self.check_mode}
        if tripped:
            self.check_mode = True  # the plan is reported as in check mode; nothing is written

    def _run(self, states: list[HostState]) -> None:
        if not states:
            return
        self._states = states
        self._read(states)
        self._normalise(states)
        self._plan(states)
        self._report_progress("planning", len(states), len(states), "planned")
        self._apply_guard(states)
        for _round in range(WRITE_ROUNDS):
            self._write([s for s in states if not s.done])
            again = [s for s in states if s.needs_reread and not s.done]
            if not again:
                break
            for state in again:
                state.needs_reread = False
            try:
                self._read(again)
                self._plan(again)
            except ZabbixError as exc:
                # Zabbix went away mid-run: fail only the hosts whose write is in doubt,
                # and keep the results of the hosts already written.
                for state in again:
                    if not state.done:
                        self._fail(state, f"cannot re-read the host after a failed write ({exc}); run the sync again")
                break
        for state in states:
            if not state.done:
                self._fail(state, "gave up after repeated transient errors writing to Zabbix")
        if not self.check_mode:
            self._learn_new_interfaceids(states)

    def _learn_new_interfaceids(self, states: list[HostState]) -> None:
        """The ids Zabbix gave the interfaces we just created (host.create/update answer
        only hostids): one hostinterface.get per READ_CHUNK hosts, only for such hosts."""
        pending = [
            s for s in states
            if s.result and not s.result["failed"] and s.result.get("hostid") and None in s.result.get("interfaceids", [])
        ]
        if not pending:
            return
        hostids = sorted({str(s.result["hostid"]) for s in pending}, key=int)
        by_host: dict[str, list[dict[str, t.Any]]] = {}
        try:
            for start in range(0, len(hostids), READ_CHUNK):
                for zif in self.client.read(
                    "hostinterface.get",
                    {"output": ["interfaceid", "hostid", "type", "main", "useip", "ip", "dns", "port"], "hostids": hostids[start:start + READ_CHUNK]},
                ):
                    by_host.setdefault(str(zif["hostid"]), []).append(zif)
        except ZabbixError:
            return  # the hosts are written; the next run learns the ids (they match by position)
        for state in pending:
            result = t.cast(dict, state.result)
            result["interfaceids"] = assign_new_interfaceids(
                t.cast(Desired, state.desired).fields.get("interfaces") or [], result["interfaceids"], by_host.get(str(result["hostid"]), [])
            )

    def _read(self, states: list[HostState]) -> None:
        """Find the Zabbix host each state owns: by its hostid, else by its name.

        A HostConfig owns its host by hostid (docs/desired-state.md, "Identity"): a host
        found by hostid under another name is renamed, never created again. The name is
        the fallback when there is no hostid or Zabbix no longer has it; a name held by a
        host that another state of this run owns by hostid is an error, never a takeover.
        """
        inventory_fields = {str(k) for s in states for k in (s.params.get("inventory") or {})}
        if self.client.profile is None and len(states) == 1:
            # Version unknown and one host: a read valid on 6.0 and 7.0 tells the version
            # from the host's own fields, so an unchanged host costs one call.
            self.client.connect(need_version=False)
            selects = host_get_selects(inventory_fields)
        else:
            self.client.connect()
            selects = self.client.ensure_profile().host_get_selects(inventory_fields)
        params = {"output": "extend", **selects}
        names = {s.key: str(s.params["host"]).strip() for s in states}
        wanted = {s.key: _owned_hostid(s.params) for s in states}

        by_id: dict[str, dict[str, t.Any]] = {}
        ids = sorted({hostid for hostid in wanted.values() if hostid}, key=int)
        for start in range(0, len(ids), READ_CHUNK):
            for host in self._host_get({**params, "hostids": ids[start:start + READ_CHUNK]}):
                by_id[str(host["hostid"])] = host
            self._report_progress("reading Zabbix", min(start + READ_CHUNK, len(ids)), len(states), "read")
        owner: dict[str, str] = {}  # hostid -> the state that owns it by hostid
        for state in states:
            hostid = wanted[state.key]
            if hostid in by_id and owner.setdefault(hostid, state.key) != state.key:
                self._fail(state, f"hostid: Zabbix host {hostid} is also the host of {owner[hostid]}")

        live = [s for s in states if not s.done]
        lost = [s for s in live if wanted[s.key] not in by_id]  # no hostid, or Zabbix lost it
        renamed = [s for s in live if wanted[s.key] in by_id and str(by_id[wanted[s.key]]["host"]) != names[s.key]]
        renamed_keys = {s.key for s in renamed}
        by_name: dict[str, dict[str, t.Any]] = {}
        if lost or renamed:
            found = self.hosts_named([names[s.key] for s in lost + renamed], params)
            for host in sorted(found, key=lambda h: int(h["hostid"]), reverse=True):
                by_name[str(host["host"])] = host  # a name left twice by a past race: the lowest hostid, as the clean-up keeps
        if self.client.profile is None:
            self.client.ensure_profile()

        for state in live:
            name, hostid = names[state.key], wanted[state.key]
            if hostid in by_id:
                state.zhost = by_id[hostid]
                holder = by_name.get(name) if state.key in renamed_keys else None
                if holder is not None and str(holder["hostid"]) != hostid:
                    self._fail(
                        state,
                        f"host: cannot rename Zabbix host {hostid} from '{state.zhost['host']}' to '{name}': "
                        f"Zabbix host {holder['hostid']} already has that name{self._owned_by(owner, holder)}",
                    )
                continue
            state.zhost = by_name.get(name)
            if state.zhost is not None and str(state.zhost["hostid"]) in owner:
                self._fail(
                    state,
                    f"host: the name '{name}' belongs to Zabbix host {state.zhost['hostid']}{self._owned_by(owner, state.zhost)}; "
                    "not taking it over",
                )

    @staticmethod
    def _owned_by(owner: dict[str, str], zhost: t.Mapping[str, t.Any]) -> str:
        other = owner.get(str(zhost["hostid"]))
        return f", which {other} owns" if other else ""

    def _host_get(self, params: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        """host.get; while the version is unknown, learn it from the answer (one call, not two)."""
        if self.client.profile is not None:
            return self.client.read("host.get", params)
        try:
            found = self.client.read("host.get", params)
        except ZabbixAPIError as exc:
            if '"auth"' not in exc.data:
                raise
            # 7.2+ dropped the body "auth" field: learn the version, use the header.
            self.client.ensure_profile()
            return self.client.read("host.get", params)
        if found:
            self.client.profile = profile_from_host(found[0])
        return found

    def hosts_named(self, names: list[str], params: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        """host.get by technical name, READ_CHUNK names a call."""
        unique = list(dict.fromkeys(names))
        found: list[dict[str, t.Any]] = []
        for start in range(0, len(unique), READ_CHUNK):
            found.extend(self._host_get({**params, "filter": {"host": unique[start:start + READ_CHUNK]}}))
            self._report_progress("reading Zabbix by name", min(start + READ_CHUNK, len(unique)), len(unique), "read")
        return found

    def _normalise(self, states: list[HostState]) -> None:
        profile = self.client.ensure_profile()
        seen: dict[str, str] = {}
        for state in states:
            try:
                state.desired = normalise_desired(state.params, profile, self.defaults)
            except HostError as exc:
                self._fail(state, str(exc))
                continue
            other = seen.setdefault(state.desired.host, state.key)
            if other != state.key:
                self._fail(state, f"host: '{state.desired.host}' is also the desired state of {other}")

    def _plan(self, states: list[HostState]) -> None:
        profile = self.client.ensure_profile()
        live = [s for s in states if not s.done and s.desired is not None]
        currents = {}
        for state in live:
            if state.zhost is not None:
                currents[state.key] = normalise_current(state.zhost, profile)
                self.catalog.learn_host(currents[state.key])
        lookups = Lookups()
        for state in live:
            needed_lookups(t.cast(Desired, state.desired), currents.get(state.key), self.catalog, lookups)
        if lookups:
            self.lookup(lookups)
        for state in live:
            self._plan_one(state, currents.get(state.key))

    def _plan_one(self, state: HostState, current: dict[str, t.Any] | None = None) -> None:
        desired = t.cast(Desired, state.desired)
        try:
            state.plan = plan_host(desired, state.zhost, self.catalog, self.client.ensure_profile(), current)
        except HostError as exc:
            self._fail(state, str(exc))
            return
        if state.first_action is None:
            state.first_action = state.plan.action
        if state.plan.action == "unchanged":
            self._finish(state)

    # -- lookups --------------------------------------------------------------------------
    def lookup(self, lookups: Lookups) -> None:
        profile = self.client.ensure_profile()
        cat = self.catalog
        names, ids = lookups.names, lookups.ids
        if names["groups"]:
            for g in self.client.read("hostgroup.get", {"output": ["groupid", "name"], "filter": {"name": sorted(names["groups"])}}):
                cat.groups.add(g["groupid"], g["name"])
        if ids["groups"] - set(cat.groups.by_id):
            for g in self.client.read("hostgroup.get", {"output": ["groupid", "name"], "groupids": sorted(ids["groups"] - set(cat.groups.by_id))}):
                cat.groups.add(g["groupid"], g["name"])
        if names["templates"]:
            wanted = sorted(names["templates"])
            for tp in self.client.read("template.get", {"output": ["templateid", "host", "name"], "filter": {"host": wanted}}):
                cat.templates.add(tp["templateid"], tp["host"], tp["name"])
            left = [n for n in wanted if n not in cat.templates.by_name]
            if left:  # visible names, when they differ from technical names
                for tp in self.client.read("template.get", {"output": ["templateid", "host", "name"], "filter": {"name": left}}):
                    cat.templates.add(tp["templateid"], tp["host"], tp["name"])
        if ids["templates"] - set(cat.templates.by_id):
            wanted = sorted(ids["templates"] - set(cat.templates.by_id))
            for tp in self.client.read("template.get", {"output": ["templateid", "host", "name"], "templateids": wanted}):
                cat.templates.add(tp["templateid"], tp["host"], tp["name"])
        if names["proxies"]:
            for method, params in profile.proxy_get(sorted(names["proxies"]), []):
                for p in self.client.read(method, params):
                    cat.proxies.add(p["proxyid"], p[profile.proxy_name_field])
        if ids["proxies"] - set(cat.proxies.by_id):
            for method, params in profile.proxy_get([], sorted(ids["proxies"] - set(cat.proxies.by_id))):
                for p in self.client.read(method, params):
                    cat.proxies.add(p["proxyid"], p[profile.proxy_name_field])
        if profile.supports_proxy_groups:
            if names["proxy_groups"]:
                for pg in self.client.read("proxygroup.get", {"output": ["proxy_groupid", "name"], "filter": {"name": sorted(names["proxy_groups"])}}):
                    cat.proxy_groups.add(pg["proxy_groupid"], pg["name"])
            if ids["proxy_groups"] - set(cat.proxy_groups.by_id):
                wanted = sorted(ids["proxy_groups"] - set(cat.proxy_groups.by_id))
                for pg in self.client.read("proxygroup.get", {"output": ["proxy_groupid", "name"], "proxy_groupids": wanted}):
                    cat.proxy_groups.add(pg["proxy_groupid"], pg["name"])
        for kind in ("groups", "templates", "proxies", "proxy_groups"):
            index = getattr(cat, kind)
            index.searched_names |= names[kind]
            index.searched_ids |= ids[kind]

    # -- writes ---------------------------------------------------------------------------
    def _write(self, states: list[HostState]) -> None:
        pending = [s for s in states if s.plan is not None and not s.done]
        if not pending:
            return
        if self.check_mode:
            for state in pending:
                self._finish(state)
            return
        self._create_missing_groups(pending)
        creating = [s for s in pending if not s.done and s.plan.action == "create"]
        self._write_kind("host.create", creating)
        self._remove_concurrent_duplicates(creating)
        self._write_kind("host.update", [s for s in pending if not s.done and s.plan.action == "update"])
        self._write_kind("host.delete", [s for s in pending if not s.done and s.plan.action == "delete"])

    def _create_missing_groups(self, states: list[HostState]) -> None:
        needed = sorted({g for s in states for g in t.cast(Plan, s.plan).groups_to_create})
        if not needed:
            return
        for name in needed:
            reason = self._create_group(name)
            if reason is not None:
                for state in states:
                    if name in t.cast(Plan, state.plan).groups_to_create:
                        self._fail(state, f"host_groups: cannot create host group '{name}': {reason}")
        for state in states:
            if not state.done and t.cast(Plan, state.plan).groups_to_create:
                self._plan_one(state)  # now with the new group IDs

    def _remove_concurrent_duplicates(self, created: list[HostState]) -> None:
        """Zabbix checks "host already exists" outside any unique constraint, so two syncs
        whose host.create calls overlap can both commit the same host. Read the names back:
        where one exists several times, every run keeps the lowest hostid and deletes the
        others; a run whose own copy goes re-plans against the survivor."""
        created = [s for s in created if s.done and not s.result["failed"] and t.cast(Plan, s.plan).hostid]
        if not created:
            return
        names = [t.cast(Desired, s.desired).host for s in created]
        hostids: dict[str, list[int]] = {}
        try:
            for host in self.hosts_named(names, {"output": ["hostid", "host"]}):
                hostids.setdefault(str(host["host"]), []).append(int(host["hostid"]))
        except ZabbixError:
            return  # the hosts are written; a duplicate left now is synced on its lowest hostid later
        extra = sorted({hostid for ids in hostids.values() for hostid in sorted(ids)[1:]})
        for hostid in extra:  # one by one: the other run may be deleting the same copy
            try:
                self.client.write("host.delete", [str(hostid)])
            except ZabbixError:
                pass
        for state in created:
            # Ours is not the survivor when a lower copy exists, whether we just deleted our
            # copy or the other run had already deleted it before our read-back.
            ids = hostids.get(t.cast(Desired, state.desired).host, [])
            if ids and str(min(ids)) != str(t.cast(Plan, state.plan).hostid):
                state.result = None
                state.first_action = None
                state.needs_reread = True

    def _create_group(self, name: str) -> str | None:
        """Create one host group; None when it exists afterwards, else the reason."""
        try:
            created = self.client.write("hostgroup.create", {"name": name})
            self.catalog.groups.add(created["groupids"][0], name)
            return None
        except ZabbixAPIError as exc:
            reason = f"{exc.data or exc.message}"
        except ZabbixTransientError as exc:
            reason = str(exc)
        # A concurrent sync may have created it meanwhile ("already exists", or a
        # duplicate-key SQL error when both inserts overlap): use it if it is there now.
        try:
            for g in self.client.read("hostgroup.get", {"output": ["groupid", "name"], "filter": {"name": [name]}}):
                self.catalog.groups.add(g["groupid"], g["name"])
        except ZabbixError:
            pass
        return None if name in self.catalog.groups.by_name else reason

    def _payload(self, method: str, state: HostState) -> t.Any:
        plan = t.cast(Plan, state.plan)
        return plan.hostid if method == "host.delete" else plan.params

    def _write_kind(self, method: str, states: list[HostState]) -> None:
        for start in range(0, len(states), WRITE_CHUNK):
            chunk = states[start:start + WRITE_CHUNK]
            if start:
                self._report_progress(method, start, len(states), "written")
            if len(chunk) > 1:
                try:
                    answer = self.client.write(method, [self._payload(method, s) for s in chunk])
                except ZabbixTransientError as exc:
                    for state in chunk:
                        self._look_again(state, exc)
                    continue
                except ZabbixAPIError:
                    pass  # one bad host rolls the call back: isolate it below
                else:
                    self._record_ids(chunk, answer)
                    continue
            for state in chunk:
                self._write_one(method, state)
        if states:
            self._report_progress(method, len(states), len(states), "written")

    def _write_one(self, method: str, state: HostState) -> None:
        try:
            answer = self.client.write(method, [self._payload(method, state)])
        except ZabbixTransientError as exc:
            self._look_again(state, exc)
            return
        except ZabbixAPIError as exc:
            if method == "host.create" and exc.already_exists:
                # Re-read and update. Unless an earlier create of ours may have landed, a
                # concurrent sync created it: the re-plan decides (unchanged or updated).
                if not state.write_in_doubt:
                    state.first_action = None
                state.needs_reread = True
                return
            self._fail(state, f"{method} failed: {exc.message} {exc.data}".strip())
            return
        self._record_ids([state], answer)

    @staticmethod
    def _look_again(state: HostState, exc: ZabbixTransientError) -> None:
        """Re-read before deciding anything about a write that failed in transit."""
        state.needs_reread = True
        if exc.may_have_landed:
            state.write_in_doubt = True  # maybe written, maybe not
        elif not state.write_in_doubt:
            # Rolled back: what the re-read finds was written by someone else (a concurrent
            # sync whose create collided with ours), so the re-plan alone names the action.
            state.first_action = None

    def _record_ids(self, states: list[HostState], answer: t.Any) -> None:
        ids = list((answer or {}).get("hostids") or [])
        for position, state in enumerate(states):
            plan = t.cast(Plan, state.plan)
            if plan.action == "create" and position < len(ids):
                plan.hostid = str(ids[position])
            self._finish(state)

    # -- results --------------------------------------------------------------------------
    def _finish(self, state: HostState) -> None:
        plan = t.cast(Plan, state.plan)
        action = plan.action
        if action == "unchanged" and state.first_action not in (None, "unchanged"):
            action = state.first_action  # our earlier write did land before the error
        result: dict[str, t.Any] = {
            "changed": action != "unchanged",
            "failed": False,
            "action": _ACTION_PAST[action],
            "hostid": plan.hostid,
            "changed_fields": list(plan.changed_fields),
            "interfaceids": list(plan.interfaceids),
        }
        if plan.groups_to_create:
            result["created_host_groups"] = list(plan.groups_to_create)
        if action == "update" and plan.action == "update":
            # What changed, field by field, for the drift report: the --diff values (secrets
            # masked the same way), changed fields only.
            result["drift"] = {f: {"before": plan.before.get(f), "after": plan.after.get(f)} for f in plan.changed_fields}
        if self.guard and self.guard["refused"]:
            result["changed"] = False
            result["refused"] = True
        if self.diff_mode:
            result["diff"] = {"before": plan.before, "after": plan.after}
        state.result = result

    def _fail(self, state: HostState, reason: str) -> None:
        secrets = state.desired.secrets if state.desired else secret_values(state.params)
        state.result = self._failed(state.key, mask_text(reason, secrets))
        if state.zhost is not None:
            state.result["hostid"] = str(state.zhost.get("hostid"))

    @staticmethod
    def _failed(key: str, reason: str) -> dict[str, t.Any]:
        """A failed result; its message starts with the inventory host, once."""
        return {"changed": False, "failed": True, "action": "failed", "hostid": None, "changed_fields": [], "msg": f"{key}: {reason}"}


# --------------------------------------------------------------------------------------
# Entry points shared by the modules and the action plugins
# --------------------------------------------------------------------------------------
def module_argument_spec() -> dict[str, dict[str, t.Any]]:
    """zabbix_host_sync: connection options + one host's desired state + upstream errors."""
    spec = connection_argument_spec()
    spec.update(host_argument_spec(with_defaults=True))
    # Problems found before the module (the inventory's zabbix_host_errors): the host fails with them.
    spec["errors"] = {"type": "list", "elements": "str"}
    return spec


def module_options_spec() -> dict[str, dict[str, t.Any]]:
    """The options zabbix_host_sync documents: ``module_argument_spec()`` plus ``host_var`` and
    ``connection_vars_prefix`` (both read by the action from the task's variables) and
    ``shared_read`` (the action's; the module alone has no other hosts to share with).

    With ``host_var`` the action reads the desired state (``host`` included) from that host
    variable and checks the result against ``module_argument_spec()``; so ``host`` is
    required only when ``host_var`` is not given (``required_one_of``)."""
    spec = module_argument_spec()
    spec["host"] = {key: value for key, value in spec["host"].items() if key != "required"}
    spec["host_var"] = {"type": "str"}
    spec["connection_vars_prefix"] = {"type": "str"}
    spec["shared_read"] = {"type": "bool", "default": True}
    return spec


MODULE_REQUIRED_ONE_OF = [("host", "host_var")]


BATCH_OPTIONS_SPEC: dict[str, dict[str, t.Any]] = {
    "hosts": {"type": "list", "elements": "str"},
    "host_var": {"type": "str", "default": "zabbix_host"},
    "valid_var": {"type": "str", "default": "zabbix_host_valid"},
    "errors_var": {"type": "str", "default": "zabbix_host_errors"},
    "update_secrets": {"type": "str", "choices": ["on_create", "always"], "no_log": False},
    "create_missing_host_groups": {"type": "bool"},
    "clear_removed_templates": {"type": "bool"},
    "max_changes": {"type": "str"},
    "progress_seconds": {"type": "float", "default": 5.0},
}


def parse_max_changes(value: t.Any, hosts: int) -> int | None:
    """The guard's limit as a host count: "50" -> 50, "10%" -> 10 % of ``hosts`` (rounded down).

    None or "" -> None (no guard). Raises ValueError with a message for anything else."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        if text.endswith("%"):
            percent = float(text[:-1])
            if not 0 <= percent <= 100:
                raise ValueError
            return int(hosts * percent / 100)
        limit = int(text)
        if limit < 0:
            raise ValueError
        return limit
    except ValueError:
        raise ValueError(f"max_changes: expected a host count (50) or a percentage of the hosts in the run (10%), got {text!r}") from None


def batch_argument_spec() -> dict[str, dict[str, t.Any]]:
    """zabbix_host_sync_batch: connection options + run options + per-host defaults."""
    spec = connection_argument_spec()
    spec.update({name: dict(opts) for name, opts in BATCH_OPTIONS_SPEC.items()})
    return spec


HOST_OPTION_NAMES = frozenset(host_argument_spec())


def sync_one(
    params: t.Mapping[str, t.Any],
    check_mode: bool,
    diff_mode: bool,
    client_factory: t.Callable[[ZabbixOptions], ZabbixClient] = ZabbixClient,
    seen: t.Mapping[str, t.Any] | None = None,
    seen_names: t.Mapping[str, t.Sequence[t.Sequence[str]]] | None = None,
) -> tuple[dict[str, t.Any], int]:
    """Run the sync for one host from validated module params: (result, API calls).

    ``seen``: the host as a shared read found it (``read_for_sharing``), ``seen_names`` the
    proxy and proxy group names read with it; when they show the host unchanged, that is the
    result and Zabbix is not asked again.
    Raises ZabbixError for global problems (connection, credentials)."""
    client = client_factory(ZabbixOptions.from_params(params))
    host_params = {k: v for k, v in params.items() if k in HOST_OPTION_NAMES}
    key = str(host_params.get("host"))
    try:
        if seen is not None:
            # an engine of its own: what the shared read taught it (proxy names) may prove a
            # host unchanged, never plan a write, so the full sync below starts from nothing
            result = SyncEngine(client, check_mode=check_mode, diff_mode=diff_mode).unchanged_from(key, host_params, seen, seen_names)
            if result is not None:
                return result, client.calls
        engine = SyncEngine(client, check_mode=check_mode, diff_mode=diff_mode)
        result = engine.sync([(key, host_params, None)], prevalidated=True)[key]
    finally:
        client.close()
    return result, client.calls


def read_for_sharing(
    options: ZabbixOptions,
    names: t.Sequence[str],
    client_factory: t.Callable[[ZabbixOptions], ZabbixClient] = ZabbixClient,
) -> dict[str, t.Any]:
    """What the hosts of a per-host task share (``SyncEngine.unchanged_from``):

    * ``hosts``: the Zabbix hosts with these technical names, as one host's own read would
      find each (the same selects), but with the whole inventory, READ_CHUNK names a call;
    * ``proxies``, ``proxy_groups``: [id, name] of those the hosts are monitored by (a
      host.get answers their IDs; a diff shows names).
    """
    client = client_factory(options)
    try:
        client.connect(need_version=False)
        engine = SyncEngine(client)
        hosts = engine.hosts_named(list(names), {"output": "extend", **host_get_selects(), "selectInventory": "extend"})
        used: dict[str, set[str]] = {"proxies": set(), "proxy_groups": set()}
        for host in hosts:
            _mode, proxyid, proxy_groupid = VersionProfile.read_monitoring(host)
            used["proxies"].update([proxyid] if proxyid else [])
            used["proxy_groups"].update([proxy_groupid] if proxy_groupid else [])
        lookups = Lookups()
        for kind, ids in used.items():
            lookups.ids[kind] = ids
        if lookups:
            engine.lookup(lookups)
        return {
            "hosts": hosts,
            "proxies": [[ident, name] for ident, name in engine.catalog.proxies.by_id.items()],
            "proxy_groups": [[ident, name] for ident, name in engine.catalog.proxy_groups.by_id.items()],
        }
    finally:
        client.close()


def assign_new_interfaceids(
    want: list[dict[str, t.Any]], known: list[str | None], actual: list[dict[str, t.Any]]
) -> list[str | None]:
    """Fill the None entries of ``known`` (input order) from the host's interfaces as read back.

    ``want`` is the canonical interface list (each with its input ``index``). A new
    interface is the unclaimed one with the same type and address, else the first
    unclaimed one of its type (main first).
    """
    ids = list(known)
    claimed = {i for i in ids if i}
    free = [z for z in sorted(actual, key=lambda z: (str(z.get("main")) != "1", int(z["interfaceid"]))) if str(z["interfaceid"]) not in claimed]
    by_index = {iface.get("index", position): iface for position, iface in enumerate(want)}
    for rule in ("address", "type"):
        for index, ident in enumerate(ids):
            iface = by_index.get(index)
            if ident or iface is None:
                continue
            code = INTERFACE_TYPE.get(iface["type"])
            for zif in free:
                same_type = str(zif.get("type")) == code
                same_address = (
                    str(zif.get("useip")) == ("1" if iface["useip"] else "0")
                    and str(zif.get("ip") or "") == iface["ip"]
                    and str(zif.get("dns") or "") == iface["dns"]
                    and str(zif.get("port") or "") == iface["port"]
                )
                if same_type and (same_address or rule == "type"):
                    ids[index] = str(zif["interfaceid"])
                    free.remove(zif)
                    break
    return ids


def secret_values(params: t.Mapping[str, t.Any]) -> set[str]:
    """Secret values found in raw options (for masking messages before normalising)."""
    found: set[str] = set()
    if not isinstance(params, t.Mapping):
        return found
    for key in ("tls_psk", "zabbix_token", "zabbix_password", "zabbix_http_password"):
        if params.get(key):
            found.add(str(params[key]))
    macros = params.get("macros")
    for macro in macros if isinstance(macros, list) else []:
        if isinstance(macro, t.Mapping) and macro.get("type") == "secret" and macro.get("value"):
            found.add(str(macro["value"]))
    interfaces = params.get("interfaces")
    for iface in interfaces if isinstance(interfaces, list) else []:
        details = iface.get("details") if isinstance(iface, t.Mapping) else None
        if isinstance(details, t.Mapping):
            found.update(str(details[k]) for k in ("authpassphrase", "privpassphrase") if details.get(k))
    return found
