# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Coalescing: when a batch is due and what its event says (a fake clock)."""

from __future__ import annotations

import pytest


def change(source, *ids, **kwargs):
    return source.Change(hostconfig_ids=set(ids), reason=f"hc {ids}", **kwargs)


def test_due_after_quiet_time(source):
    batch = source.Coalescer(quiet=1.0, max_delay=5.0)
    assert not batch.due(0)
    batch.add(change(source, 1), now=10.0)
    assert not batch.due(10.5)
    assert batch.next_check(10.5) == pytest.approx(0.5)
    assert batch.due(11.0)


def test_a_steady_stream_is_cut_at_max_delay(source):
    batch = source.Coalescer(quiet=1.0, max_delay=5.0)
    events = []
    now = 0.0
    for hostconfig_id in range(500):  # one change every 0.05 s for 25 s: never quiet
        batch.add(change(source, hostconfig_id), now)
        now += 0.05
        if batch.due(now):
            events.append(batch.take())
    if batch.pending:
        events.append(batch.take())
    assert 5 <= len(events) <= 6  # 25 s of changes / 5 s
    assert sorted(i for event in events for i in event["hostconfig_ids"]) == list(range(500))
    assert sum(event["changes"] for event in events) == 500


def test_one_host_many_times_is_one_id(source):
    batch = source.Coalescer()
    for second in range(20):
        batch.add(change(source, 3), second * 0.01)
    event = batch.take()
    assert event["hostconfig_ids"] == [3]
    assert event["changes"] == 20
    assert len(event["reasons"]) == 20


def test_ignored_changes_never_start_a_batch(source):
    batch = source.Coalescer()
    batch.add(source.Change(ignored="only hostid changed"), 0.0)
    assert not batch.pending
    assert not batch.due(100.0)
    batch.add(change(source, 4), 1.0)
    event = batch.take()
    assert event["ignored"] == 1 and event["changes"] == 1


def test_a_deletion_makes_the_batch_a_full_sync(source):
    batch = source.Coalescer()
    batch.add(change(source, 1), 0.0)
    batch.add(source.Change(full_sync=True, deleted=[{"id": 9, "name": "z-x", "hostid": 10500}], reason="del"), 0.1)
    event = batch.take()
    assert event["scope"] == "all"
    assert event["deleted_hostconfigs"] == [{"id": 9, "name": "z-x", "hostid": 10500}]
    assert not batch.pending  # reset


def test_unresolved_only_batch_without_hosts_emits_nothing(source):
    batch = source.Coalescer()
    batch.add(source.Change(unresolved=[("device", 77)], reason="device 77 updated"), 0.0)
    assert batch.pending
    assert batch.take(resolved=set()) is None
    batch.add(source.Change(unresolved=[("device", 77)], reason="device 77 updated"), 0.0)
    assert batch.take(resolved={12})["hostconfig_ids"] == [12]


def test_window_settings_are_checked(source):
    with pytest.raises(ValueError):
        source.Coalescer(quiet=5, max_delay=1)


def test_a_trickle_shares_runs_after_min_interval(source):
    """One change every 1.3 s (a script PATCHing one object per request): not one event each."""
    batch = source.Coalescer(quiet=1.0, max_delay=5.0, min_interval=8.0)
    events = []
    now = 0.0
    for hostconfig_id in range(40):
        batch.add(change(source, hostconfig_id), now)
        for _tick in range(13):
            now += 0.1
            if batch.due(now):
                events.append((now, batch.take(now=now)))
    while batch.pending:
        now += 0.1
        if batch.due(now):
            events.append((now, batch.take(now=now)))
    assert events[0][0] == pytest.approx(1.0, abs=0.11)  # the first change is not held back
    times = [at for at, _event in events]
    assert all(later - earlier >= 8.0 - 1e-9 for earlier, later in zip(times, times[1:]))
    assert len(events) <= 8
    assert sorted(i for _at, event in events for i in event["hostconfig_ids"]) == list(range(40))


def test_an_isolated_change_is_not_held_back(source):
    batch = source.Coalescer(quiet=1.0, max_delay=5.0, min_interval=8.0)
    batch.add(change(source, 1), 0.0)
    assert batch.due(1.0)
    batch.take(now=1.0)
    batch.add(change(source, 2), 20.0)
    assert batch.due(21.0)
    batch.take(now=21.0)
    batch.add(change(source, 3), 22.0)
    assert not batch.due(23.0) and batch.next_check(23.0) == pytest.approx(6.0)
    assert batch.due(29.0)


def test_a_long_stream_backs_off_to_max_interval_then_recovers(source):
    batch = source.Coalescer(quiet=1.0, max_delay=5.0, min_interval=8.0, max_interval=30.0)
    emitted = []
    now = 0.0
    for hostconfig_id in range(300):  # one change every 0.6 s for 180 s
        batch.add(change(source, hostconfig_id), now)
        for _tick in range(6):
            now += 0.1
            if batch.due(now):
                emitted.append(now)
                batch.take(now=now)
    gaps = [later - earlier for earlier, later in zip(emitted, emitted[1:])]
    assert gaps[:3] == pytest.approx([16.0, 30.0, 30.0], abs=0.11)  # the first batch was already cut
    assert len(emitted) <= 9  # 300 changes
    while batch.pending:
        now += 0.1
        if batch.due(now):
            batch.take(now=now)
    # quiet again: an isolated change goes out after quiet_seconds and resets the interval
    now += 60
    batch.add(change(source, 1), now)
    assert batch.due(now + 1.0)
    batch.take(now=now + 1.0)
    assert batch.interval == 8.0
