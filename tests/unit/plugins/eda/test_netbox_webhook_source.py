# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source's HTTP side: signatures (good, bad, missing), what reaches the queue."""

from __future__ import annotations

import asyncio
import json
import socket

import aiohttp
import pytest

SECRET = "s3cret-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def deliver(source_module, requests: list[tuple[bytes, dict]], wait: float = 0.4) -> tuple[list[int], list[dict]]:
    """Start the source, POST each (body, headers), return the statuses and the emitted events."""
    queue: asyncio.Queue = asyncio.Queue()
    port = free_port()
    task = asyncio.create_task(source_module.main(queue, {
        "port": port, "secret": SECRET, "quiet_seconds": 0.1, "max_delay_seconds": 1, "min_interval_seconds": 0,
        "startup_sync": False}))
    statuses = []
    async with aiohttp.ClientSession() as session:
        for _attempt in range(50):
            try:
                async with session.post(f"http://127.0.0.1:{port}/netbox", data=b"{}") as response:
                    break
            except aiohttp.ClientConnectorError:
                await asyncio.sleep(0.05)
        for body, headers in requests:
            async with session.post(f"http://127.0.0.1:{port}/netbox", data=body, headers=headers) as response:
                statuses.append(response.status)
    await asyncio.sleep(wait)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return statuses, events


def hostconfig_update(hostconfig_id: int) -> bytes:
    data = {"id": hostconfig_id, "content_type": 1, "object_id": 5}
    snapshots = {"prechange": {"status": 0}, "postchange": {"status": 1}}
    return json.dumps({"event": "updated", "object_type": "netbox_zabbix.hostconfig", "data": data,
                       "snapshots": snapshots}).encode()


def test_good_signature_is_accepted_and_emitted(source):
    body = hostconfig_update(7)
    statuses, events = asyncio.run(deliver(source, [(body, {"X-Hook-Signature": source.sign(SECRET.encode(), body)})]))
    assert statuses == [200]
    assert [event["netbox_zabbix"]["hostconfig_ids"] for event in events] == [[7]]
    assert events[0]["netbox_zabbix"]["scope"] == "hosts"


@pytest.mark.parametrize("headers", [
    {},  # missing
    {"X-Hook-Signature": ""},
    {"X-Hook-Signature": "0" * 128},  # wrong
    {"X-Hook-Signature": "sha512=" + "0" * 128},
], ids=["missing", "empty", "wrong", "prefixed-wrong"])
def test_unsigned_or_wrongly_signed_requests_are_refused(source, headers):
    statuses, events = asyncio.run(deliver(source, [(hostconfig_update(7), headers)]))
    assert statuses == [401]
    assert events == []


def test_signature_of_another_body_is_refused(source):
    signed = hostconfig_update(7)
    tampered = hostconfig_update(8)
    statuses, events = asyncio.run(deliver(source, [
        (tampered, {"X-Hook-Signature": source.sign(SECRET.encode(), signed)})]))
    assert statuses == [401]
    assert events == []


def test_a_burst_is_one_event(source):
    requests = []
    for hostconfig_id in range(1, 101):
        body = hostconfig_update(hostconfig_id)
        requests.append((body, {"X-Hook-Signature": source.sign(SECRET.encode(), body)}))
    statuses, events = asyncio.run(deliver(source, requests))
    assert statuses == [200] * 100
    ids = [hc for event in events for hc in event["netbox_zabbix"]["hostconfig_ids"]]
    assert sorted(ids) == list(range(1, 101))
    assert len(events) < 10


def test_no_secret_no_start(source, monkeypatch):
    monkeypatch.delenv("NETBOX_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ValueError, match="no secret"):
        asyncio.run(source.main(asyncio.Queue(), {"port": free_port()}))


def test_secret_from_the_environment(source, monkeypatch):
    monkeypatch.setenv("NETBOX_WEBHOOK_SECRET", "from-env")
    instance = source.WebhookSource(asyncio.Queue(), {"port": 1})
    assert instance.secret == b"from-env"
