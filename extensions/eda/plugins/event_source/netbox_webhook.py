# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""netbox_webhook.py - NetBox webhooks in, "sync these HostConfigs" events out.

An ansible-rulebook event source (``netbox_zabbix.sync.netbox_webhook``). NetBox sends a
webhook for every saved or deleted HostConfig, agent/SNMP interface, Device, VM or IP
address (one Event Rule + one Webhook, see the collection's docs/eda.md). This source:

* refuses every request whose ``X-Hook-Signature`` is missing or is not the hex
  HMAC-SHA512 of the raw body with the webhook's secret (401, nothing emitted);
* maps each webhook to the HostConfig(s) it affects (a Device to its HostConfig, an IP
  address to the HostConfigs whose interfaces use it, ...), with an index of HostConfigs
  and interfaces read from NetBox at start and kept current by the webhooks themselves;
* ignores the saves that only write Zabbix IDs back (what the sync itself does), and
  saves that changed nothing;
* coalesces bursts: changes are collected until ``quiet_seconds`` pass without a new one
  (at most ``max_delay_seconds`` after the first, never sooner than ``min_interval_seconds``
  after the previous event), then ONE event names every affected HostConfig. A bulk edit
  of 500 Devices becomes one or a few runs.

Arguments:
---------
    host:               Address to listen on. Default 127.0.0.1.
    port:               TCP port to listen on. Required.
    secret:             The webhook's secret. Default: the environment variable
                        NETBOX_WEBHOOK_SECRET. Required (the source refuses to start
                        without one: unsigned webhooks would let anyone start runs).
    netbox_url:         NetBox URL for the index. Default: env NETBOX_API.
    netbox_token:       NetBox API token. Default: env NETBOX_TOKEN.
    netbox_validate_certs: Verify NetBox's TLS certificate. Default true (alias validate_certs).
    quiet_seconds:      Emit once no change arrived for this long. Default 1.0.
    max_delay_seconds:  Emit at the latest this long after the first pending change,
                        even while changes keep arriving. Default 5.0.
    min_interval_seconds: Never emit sooner than this after the previous event (about
                        what one run of a few hosts takes), so that changes trickling in
                        one by one share runs. Default 8.0.
    max_interval_seconds: While changes keep streaming in, the interval doubles after each
                        event up to this; it falls back once a batch ends quietly.
                        Default 30.0.
    startup_sync:       Emit one "all" event at start, so that changes made while the
                        source was not running are caught up. Default true.
    resync_interval:    Emit an "all" event every this many seconds (0: never).
                        Catches changes whose runs failed beyond their retries.
                        Default 0.

Emitted event (under the key ``netbox_zabbix``):
---------------------------------------------
    scope:              "hosts" (sync hostconfig_ids) or "all" (a full sync, which
                        applies the orphan policy: a HostConfig was deleted, the
                        index could not be read, start-up or periodic resync).
    hostconfig_ids:     Sorted HostConfig IDs affected (scope "hosts").
    deleted_hostconfigs: [{id, name, hostid}] of deleted HostConfigs.
    changes:            Webhooks coalesced into this event.
    ignored:            Webhooks of the batch that needed no sync.
    reasons:            Up to 20 lines such as "device 12 updated -> HostConfig 3".

Example rulebook: extensions/eda/rulebooks/netbox_zabbix_sync.yml in this collection.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
import typing as t
from dataclasses import dataclass, field

DOCUMENTATION = r"""
---
short_description: Receive NetBox webhooks and emit coalesced "sync these HostConfigs" events.
description:
  - Receives NetBox webhooks (NetBox 4.x default body) for HostConfigs, agent and SNMP interfaces, Devices, Virtual Machines and IP
    addresses, verifies their HMAC-SHA512 signature (C(X-Hook-Signature)), maps each to the HostConfigs it affects and
    emits one event per burst of changes.
  - Requests without a valid signature get HTTP 401 and emit nothing.
options:
  host:
    description: Address to listen on.
    type: str
    default: 127.0.0.1
  port:
    description: TCP port to listen on.
    type: int
    required: true
  secret:
    description: The secret of the NetBox Webhook. Default the environment variable C(NETBOX_WEBHOOK_SECRET).
    type: str
  netbox_url:
    description: NetBox URL, to read the HostConfig index. Default the environment variable C(NETBOX_API).
    type: str
  netbox_token:
    description: NetBox API token. Default the environment variable C(NETBOX_TOKEN).
    type: str
  netbox_validate_certs:
    description: Verify NetBox's TLS certificate. C(validate_certs) is an alias kept for existing rulebooks.
    type: bool
    default: true
    aliases: [validate_certs]
  quiet_seconds:
    description: Emit once no change arrived for this many seconds.
    type: float
    default: 1.0
  max_delay_seconds:
    description: Emit at the latest this many seconds after the first pending change.
    type: float
    default: 5.0
  min_interval_seconds:
    description:
      - Never emit sooner than this many seconds after the previous event. Runs are sequential and the source cannot
        see when one ends; about the duration of one small run keeps a trickle of changes from queueing a run each.
    type: float
    default: 8.0
  max_interval_seconds:
    description:
      - While changes keep streaming in (a batch cut by O(max_delay_seconds) or held back by the interval), the interval
        doubles after each event, up to this many seconds; it falls back to O(min_interval_seconds) once a batch ends
        quietly. An isolated change is never held back.
    type: float
    default: 30.0
  startup_sync:
    description: Emit one event with scope C(all) at start (catch up changes made while the source was down).
    type: bool
    default: true
  resync_interval:
    description: Emit an event with scope C(all) every this many seconds; 0 never.
    type: float
    default: 0
"""

EXAMPLES = r"""
- name: NetBox changes to Zabbix
  hosts: all
  sources:
    - netbox_zabbix.sync.netbox_webhook:
        host: 127.0.0.1
        port: 18399
        quiet_seconds: 1
  rules:
    - name: Sync the affected hosts
      condition: event.netbox_zabbix.scope == "hosts"
      action:
        run_playbook:
          name: netbox_zabbix.sync.sync_hosts
          extra_vars:
            netbox_hostconfig_ids: "{{ event.netbox_zabbix.hostconfig_ids }}"
"""

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hook-Signature"
PLUGIN_API = "api/plugins/netbox_zabbix"
HOSTCONFIG_MODEL = "hostconfig"
INTERFACE_MODELS = ("agentinterface", "snmpinterface")
OBJECT_MODELS = {"device": "device", "virtualmachine": "virtualmachine"}
IP_MODEL = "ipaddress"
# Fields that the sync itself writes back (or NetBox stamps on every save): a save that
# changed nothing else needs no sync, and treating it as a change would loop.
WRITEBACK_FIELDS = frozenset({
    "hostid", "interfaceid", "in_sync", "last_sync_update", "last_updated", "created",
})
MAX_REASONS = 20


# --------------------------------------------------------------------------- signature
def sign(secret: bytes, body: bytes) -> str:
    """NetBox's signature: hex HMAC-SHA512 of the raw request body."""
    return hmac.new(secret, body, hashlib.sha512).hexdigest()


def signature_valid(secret: bytes, body: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(header.strip().lower(), sign(secret, body))


# --------------------------------------------------------------------------- index
@dataclass
class HostConfigIndex:
    """What NetBox says links objects to HostConfigs; kept current by the webhooks."""

    content_types: dict[int, str] = field(default_factory=dict)  # ContentType PK -> device/virtualmachine
    by_object: dict[tuple[str, int], set[int]] = field(default_factory=dict)
    object_of: dict[int, tuple[str, int]] = field(default_factory=dict)  # HostConfig -> its object
    interface_owner: dict[tuple[str, int], int] = field(default_factory=dict)  # (model, row id) -> HostConfig
    interface_ip: dict[tuple[str, int], int] = field(default_factory=dict)  # (model, row id) -> IP id
    loaded: bool = False

    def set_hostconfig(self, row: t.Mapping[str, t.Any]) -> None:
        hc_id = row["id"]
        self.remove_hostconfig(hc_id)
        object_type = self.content_types.get(row.get("content_type"))
        if object_type and row.get("object_id") is not None:
            key = (object_type, int(row["object_id"]))
            self.by_object.setdefault(key, set()).add(hc_id)
            self.object_of[hc_id] = key

    def remove_hostconfig(self, hc_id: int) -> None:
        key = self.object_of.pop(hc_id, None)
        if key is not None:
            owners = self.by_object.get(key, set())
            owners.discard(hc_id)
            if not owners:
                self.by_object.pop(key, None)

    def set_interface(self, model: str, row: t.Mapping[str, t.Any]) -> None:
        key = (model, row["id"])
        if row.get("host_config") is not None:
            self.interface_owner[key] = int(row["host_config"])
        if row.get("ip_address") is not None:
            self.interface_ip[key] = int(row["ip_address"])
        else:
            self.interface_ip.pop(key, None)

    def remove_interface(self, model: str, row_id: int) -> None:
        self.interface_owner.pop((model, row_id), None)
        self.interface_ip.pop((model, row_id), None)

    def hostconfigs_of_object(self, object_type: str, object_id: int) -> set[int]:
        return set(self.by_object.get((object_type, object_id), ()))

    def hostconfigs_of_ip(self, ip_id: int) -> set[int]:
        return {self.interface_owner[key] for key, ip in self.interface_ip.items()
                if ip == ip_id and key in self.interface_owner}

    def load(self, content_types: t.Mapping[int, str], hostconfigs: t.Iterable[t.Mapping[str, t.Any]],
             interfaces: t.Mapping[str, t.Iterable[t.Mapping[str, t.Any]]]) -> None:
        """Replace the whole index (start-up, full refresh)."""
        self.content_types = dict(content_types)
        self.by_object, self.object_of, self.interface_owner, self.interface_ip = {}, {}, {}, {}
        for row in hostconfigs:
            self.set_hostconfig(row)
        for model, rows in interfaces.items():
            for row in rows:
                self.set_interface(model, row)
        self.loaded = True


# --------------------------------------------------------------------------- mapping
@dataclass
class Change:
    """What one webhook means for the sync."""

    hostconfig_ids: set[int] = field(default_factory=set)
    deleted: list[dict] = field(default_factory=list)
    unresolved: list[tuple[str, int]] = field(default_factory=list)  # (device|virtualmachine|ipaddress, id)
    full_sync: bool = False
    ignored: str | None = None
    reason: str = ""


def changed_fields(snapshots: t.Any) -> set[str] | None:
    """Fields that differ between NetBox's pre- and post-change snapshots; None if unknown."""
    if not isinstance(snapshots, dict):
        return None
    before, after = snapshots.get("prechange"), snapshots.get("postchange")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return None
    return {key for key in set(before) | set(after) if before.get(key) != after.get(key)}


def _as_id(value: t.Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("id")
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def map_webhook(body: t.Mapping[str, t.Any], index: HostConfigIndex) -> Change:
    """One NetBox webhook body (the default body: event, object_type, data, snapshots) -> Change.

    Also updates the index from HostConfig and interface webhooks, so later Device and IP
    webhooks resolve without asking NetBox."""
    event = str(body.get("event") or "")
    # NetBox 4.7 names the type as "app_label.model" (object_type); older releases sent "model"
    model = str(body.get("object_type") or body.get("model") or "").rsplit(".", 1)[-1]
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    object_id = _as_id(data.get("id"))
    what = f"{model} {object_id} {event}"
    if event not in ("created", "updated", "deleted") or object_id is None:
        return Change(ignored=f"{what}: not an object change", reason=what)

    if event == "updated":
        changed = changed_fields(body.get("snapshots"))
        if changed is not None and changed <= WRITEBACK_FIELDS:
            detail = f"only {', '.join(sorted(changed))} changed" if changed else "nothing changed"
            return Change(ignored=f"{what}: {detail}", reason=what)

    if model == HOSTCONFIG_MODEL:
        if event == "deleted":
            index.remove_hostconfig(object_id)
            return Change(full_sync=True, reason=f"{what} -> full sync (orphan policy)",
                          deleted=[{"id": object_id, "name": data.get("name"), "hostid": data.get("hostid")}])
        index.set_hostconfig(data)
        return Change(hostconfig_ids={object_id}, reason=f"{what} -> HostConfig {object_id}")

    if model in INTERFACE_MODELS:
        owners = {_as_id(data.get("host_config"))}
        before = (body.get("snapshots") or {}).get("prechange") if isinstance(body.get("snapshots"), dict) else None
        if isinstance(before, dict):  # moved to another HostConfig: both need a sync
            owners.add(_as_id(before.get("host_config")))
        owners.discard(None)
        if event == "deleted":
            index.remove_interface(model, object_id)
        else:
            index.set_interface(model, data)
        ids = t.cast(set, owners)
        return Change(hostconfig_ids=ids, reason=f"{what} -> HostConfig {', '.join(map(str, sorted(ids)))}")

    if model in OBJECT_MODELS:
        object_type = OBJECT_MODELS[model]
        ids = index.hostconfigs_of_object(object_type, object_id)
        if ids:
            return Change(hostconfig_ids=ids, reason=f"{what} -> HostConfig {', '.join(map(str, sorted(ids)))}")
        return Change(unresolved=[(object_type, object_id)], reason=what)

    if model == IP_MODEL:
        ids = index.hostconfigs_of_ip(object_id)
        if ids:
            return Change(hostconfig_ids=ids, reason=f"{what} -> HostConfig {', '.join(map(str, sorted(ids)))}")
        return Change(unresolved=[(IP_MODEL, object_id)], reason=what)

    return Change(ignored=f"{what}: model not used by the sync", reason=what)


def resolve(unresolved: t.Iterable[tuple[str, int]], index: HostConfigIndex) -> set[int]:
    """HostConfigs of Devices/VMs/IPs that were unknown when their webhook came (after a refresh)."""
    found: set[int] = set()
    for kind, object_id in unresolved:
        if kind == IP_MODEL:
            found |= index.hostconfigs_of_ip(object_id)
        else:
            found |= index.hostconfigs_of_object(kind, object_id)
    return found


# --------------------------------------------------------------------------- coalescing
class Coalescer:
    """Collects Changes; due once quiet for ``quiet`` seconds or ``max_delay`` after the first,
    and never sooner than ``min_interval`` after the previous event.

    The source cannot see when a run ends, and runs are sequential: ``min_interval`` (about
    what one small run takes) keeps a trickle of changes (one every second, as a script
    making one request per object does) from queueing one run per change; what arrives
    meanwhile goes into the next event."""

    def __init__(self, quiet: float = 1.0, max_delay: float = 5.0, min_interval: float = 0.0,
                 max_interval: float | None = None) -> None:
        max_interval = min_interval if max_interval is None else max_interval
        if quiet < 0 or max_delay < quiet or min_interval < 0 or max_interval < min_interval:
            raise ValueError("quiet_seconds must be >= 0, max_delay_seconds >= quiet_seconds, "
                             "0 <= min_interval_seconds <= max_interval_seconds")
        self.quiet = quiet
        self.max_delay = max_delay
        self.min_interval = min_interval
        self.max_interval = max_interval
        # grows while changes keep streaming in (each cut batch doubles it, up to max_interval),
        # back to min_interval once a batch ends quietly
        self.interval = min_interval
        self.last_emit: float | None = None
        self._reset()

    def _reset(self) -> None:
        self.hostconfig_ids: set[int] = set()
        self.deleted: list[dict] = []
        self.unresolved: list[tuple[str, int]] = []
        self.full_sync = False
        self.changes = 0
        self.ignored = 0
        self.reasons: list[str] = []
        self.first_at: float | None = None
        self.last_at: float | None = None

    @property
    def pending(self) -> bool:
        return self.first_at is not None

    def add(self, change: Change, now: float) -> None:
        if change.ignored:
            # counted, but an ignored webhook alone never starts (or prolongs) a batch
            self.ignored += 1
            return
        self.changes += 1
        self.hostconfig_ids |= change.hostconfig_ids
        self.deleted.extend(change.deleted)
        self.unresolved.extend(change.unresolved)
        self.full_sync = self.full_sync or change.full_sync
        if len(self.reasons) < MAX_REASONS:
            self.reasons.append(change.reason)
        if self.first_at is None:
            self.first_at = now
        self.last_at = now

    def _not_before(self) -> float:
        return self.last_emit + self.interval if self.last_emit is not None else float("-inf")

    def due(self, now: float) -> bool:
        if self.first_at is None or self.last_at is None or now < self._not_before():
            return False
        return now - self.last_at >= self.quiet or now - self.first_at >= self.max_delay

    def next_check(self, now: float) -> float | None:
        """Seconds until the batch may be due (None: nothing pending)."""
        if self.first_at is None or self.last_at is None:
            return None
        ready = min(self.last_at + self.quiet, self.first_at + self.max_delay)
        return max(0.0, max(ready, self._not_before()) - now)

    def take(self, resolved: t.Iterable[int] = (), now: float | None = None) -> dict | None:
        """The event for the pending batch (None when it affects no HostConfig), and reset."""
        ids = sorted(self.hostconfig_ids | set(resolved))
        event = None
        if self.full_sync or ids:
            event = {
                "scope": "all" if self.full_sync else "hosts",
                "hostconfig_ids": ids,
                "deleted_hostconfigs": self.deleted,
                "changes": self.changes,
                "ignored": self.ignored,
                "reasons": self.reasons,
            }
            if now is not None:
                # still streaming: cut by max_delay, or held back by the interval while changes came
                streaming = self.last_at is not None and now - self.last_at < self.quiet
                self.interval = min(max(self.interval * 2, self.min_interval), self.max_interval) if streaming \
                    else self.min_interval
                self.last_emit = now
        self._reset()
        return event


def full_sync_event(reason: str) -> dict:
    return {"scope": "all", "hostconfig_ids": [], "deleted_hostconfigs": [], "changes": 0, "ignored": 0,
            "reasons": [reason]}


# --------------------------------------------------------------------------- NetBox reads
class NetBoxIndexReader:
    """Reads the index from NetBox (aiohttp, as ansible-rulebook ships it)."""

    def __init__(self, url: str, token: str, validate_certs: bool = True, timeout: float = 30) -> None:
        url = url.strip().rstrip("/")
        self.url = url[:-4] if url.endswith("/api") else url
        self.headers = {
            "Authorization": f"Bearer {token}" if token.startswith("nbt_") else f"Token {token}",
            "Accept": "application/json",
        }
        self.validate_certs = validate_certs
        self.timeout = timeout

    async def _list(self, session: t.Any, path: str, params: dict | None = None) -> list[dict]:
        rows: list[dict] = []
        query: dict[str, t.Any] = {"ordering": "id", "limit": 1000, "offset": 0, **(params or {})}
        while True:
            async with session.get(f"{self.url}/{path}/", params=query, headers=self.headers,
                                   ssl=None if self.validate_certs else False) as response:
                if response.status != 200:
                    raise RuntimeError(f"GET {path}/ answered HTTP {response.status}")
                page = await response.json()
            rows.extend(page.get("results") or [])
            if not page.get("next"):
                return rows
            query["offset"] += query["limit"]

    async def load(self, index: HostConfigIndex) -> None:
        import aiohttp  # pylint: disable=import-outside-toplevel

        timeout = aiohttp.ClientTimeout(total=self.timeout * 10, sock_read=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            devices, vms, hostconfigs, agent, snmp = await asyncio.gather(
                self._list(session, "api/core/object-types", {"app_label": "dcim", "model": "device"}),
                self._list(session, "api/core/object-types", {"app_label": "virtualization", "model": "virtualmachine"}),
                self._list(session, f"{PLUGIN_API}/host-config"),
                self._list(session, f"{PLUGIN_API}/agent-interface"),
                self._list(session, f"{PLUGIN_API}/snmp-interface"),
            )
        content_types = {row["id"]: row["model"] for row in devices + vms
                         if row.get("model") in OBJECT_MODELS}
        index.load(content_types, hostconfigs, {"agentinterface": agent, "snmpinterface": snmp})


# --------------------------------------------------------------------------- the source
class WebhookSource:
    def __init__(self, queue: t.Any, args: t.Mapping[str, t.Any]) -> None:
        secret = args.get("secret") or os.environ.get("NETBOX_WEBHOOK_SECRET")
        if not secret:
            raise ValueError("netbox_webhook: no secret (set the argument secret or NETBOX_WEBHOOK_SECRET); "
                             "unsigned webhooks are refused")
        if "port" not in args:
            raise ValueError("netbox_webhook: missing required argument: port")
        self.queue = queue
        self.secret = str(secret).encode("utf-8")
        self.host = args.get("host") or "127.0.0.1"
        self.port = int(args["port"])
        self.coalescer = Coalescer(float(args.get("quiet_seconds", 1.0)), float(args.get("max_delay_seconds", 5.0)),
                                   float(args.get("min_interval_seconds", 8.0)),
                                   float(args.get("max_interval_seconds", 30.0)))
        self.startup_sync = _truthy(args.get("startup_sync", True))
        self.resync_interval = float(args.get("resync_interval") or 0)
        url = args.get("netbox_url") or os.environ.get("NETBOX_API")
        token = args.get("netbox_token") or os.environ.get("NETBOX_TOKEN")
        self.reader = NetBoxIndexReader(url, token, _truthy(args.get("netbox_validate_certs", args.get("validate_certs", True)))) if url and token else None
        self.index = HostConfigIndex()
        self.wakeup = asyncio.Event()
        self.stats = {"received": 0, "refused": 0, "events": 0}

    async def handle(self, request: t.Any) -> t.Any:
        from aiohttp import web  # pylint: disable=import-outside-toplevel

        body = await request.read()
        if not signature_valid(self.secret, body, request.headers.get(SIGNATURE_HEADER)):
            self.stats["refused"] += 1
            why = "missing" if SIGNATURE_HEADER not in request.headers else "wrong"
            logger.warning("netbox_webhook: refused a request from %s: %s %s", request.remote, why, SIGNATURE_HEADER)
            raise web.HTTPUnauthorized(text=f"{why} {SIGNATURE_HEADER}")
        try:
            payload = json.loads(body)
        except ValueError:
            raise web.HTTPBadRequest(text="body is not JSON") from None
        if not isinstance(payload, dict):
            raise web.HTTPBadRequest(text="body is not a JSON object")
        self.stats["received"] += 1
        change = map_webhook(payload, self.index)
        if change.ignored:
            logger.debug("netbox_webhook: %s", change.ignored)
        self.coalescer.add(change, time.monotonic())
        self.wakeup.set()
        return web.Response(text="accepted\n")

    async def refresh_index(self) -> bool:
        if self.reader is None:
            return False
        try:
            await self.reader.load(self.index)
            return True
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # never the token: the reader's messages carry method, path and status only
            logger.error("netbox_webhook: reading the HostConfig index from NetBox failed: %s", exc)
            return False

    async def flush(self) -> None:
        resolved: set[int] = set()
        full_sync = False
        if self.coalescer.unresolved:
            # unknown Device/VM/IP: a HostConfig or interface may have changed while we
            # missed its webhook; read the index again (once per batch)
            if await self.refresh_index():
                resolved = resolve(self.coalescer.unresolved, self.index)
            else:
                full_sync = True
                self.coalescer.reasons.append("index not readable -> full sync")
        self.coalescer.full_sync = self.coalescer.full_sync or full_sync
        event = self.coalescer.take(resolved, time.monotonic())
        if event is not None:
            await self.emit(event)

    async def emit(self, event: dict) -> None:
        self.stats["events"] += 1
        logger.info("netbox_webhook: emitting scope=%s hostconfigs=%s changes=%s",
                    event["scope"], event["hostconfig_ids"][:50], event["changes"])
        await self.queue.put({"netbox_zabbix": event})

    async def coalesce_loop(self) -> None:
        last_resync = time.monotonic()
        while True:
            now = time.monotonic()
            timeout = self.coalescer.next_check(now)
            if self.resync_interval > 0:
                until_resync = max(0.0, last_resync + self.resync_interval - now)
                timeout = until_resync if timeout is None else min(timeout, until_resync)
            self.wakeup.clear()
            try:
                await asyncio.wait_for(self.wakeup.wait(), timeout)
            except asyncio.TimeoutError:
                pass
            now = time.monotonic()
            if self.coalescer.due(now):
                await self.flush()
            if self.resync_interval > 0 and now - last_resync >= self.resync_interval:
                last_resync = now
                await self.emit(full_sync_event("periodic resync"))

    async def run(self) -> None:
        from aiohttp import web  # pylint: disable=import-outside-toplevel

        if self.reader is None:
            logger.warning("netbox_webhook: no NETBOX_API/NETBOX_TOKEN: Device, VM and IP address changes "
                           "cannot be mapped to HostConfigs and cause a full sync")
        elif not await self.refresh_index():
            logger.warning("netbox_webhook: starting without the index; it is read again with the next change")
        app = web.Application()
        app.router.add_post("/{endpoint:.*}", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        logger.info("netbox_webhook: listening on %s:%s", self.host, self.port)
        loop_task = asyncio.create_task(self.coalesce_loop())
        try:
            if self.startup_sync:
                await self.emit(full_sync_event("start-up catch-up"))
            await asyncio.Future()
        except asyncio.CancelledError:
            logger.info("netbox_webhook: cancelled")
        finally:
            loop_task.cancel()
            await runner.cleanup()


def _truthy(value: t.Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


async def main(queue: asyncio.Queue, args: dict[str, t.Any]) -> None:
    """ansible-rulebook entry point: receive NetBox webhooks, put coalesced events on the queue."""
    await WebhookSource(queue, args).run()


if __name__ == "__main__":
    # Run directly: print the events (python netbox_webhook.py; NETBOX_WEBHOOK_SECRET set).

    class MockQueue(asyncio.Queue):
        async def put(self, item: t.Any) -> None:
            print(json.dumps(item))  # noqa: T201

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(MockQueue(), {"port": int(os.environ.get("NETBOX_WEBHOOK_PORT", "18399")),
                                   "startup_sync": False}))
