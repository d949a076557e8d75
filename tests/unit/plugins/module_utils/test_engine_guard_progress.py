# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine's blast-radius guard, drift records and progress lines, against the fake Zabbix."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import SyncEngine, parse_max_changes

if t.TYPE_CHECKING:
    from conftest import FakeClient, FakeZabbix


def host(name: str, **extra: t.Any) -> dict[str, t.Any]:
    state = {"host": name, "host_groups": ["NB Core"], "templates": ["ICMP Ping"], "interfaces": [{"type": "agent", "ip": "192.0.2.1"}],
             "macros": [{"macro": "{$SECRET}", "value": "macro-secret-xyz", "type": "secret"}]}
    state.update(extra)
    return state


def sync(client: t.Any, states: list[dict[str, t.Any]], **options: t.Any) -> tuple[SyncEngine, dict[str, dict[str, t.Any]]]:
    engine = SyncEngine(client, **options)
    return engine, engine.sync([(s["host"], s, None) for s in states])


WRITES = (".create", ".update", ".delete")


def test_guard_over_the_limit_writes_nothing_and_reports_the_plan(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    sync(client_for(fake_zabbix), [host(f"h{i}") for i in range(4)])
    fake_zabbix.calls.clear()
    states = [host("h0", templates=["Linux by Zabbix agent"]), host("h1", status="disabled"), host("h2"), host("h3"),
              host("new-1", host_groups=["NB Brand New"])]
    engine, results = sync(client_for(fake_zabbix), states, max_changes=2, defaults={"create_missing_host_groups": True})
    assert not any(m.endswith(WRITES) for m in fake_zabbix.methods()), fake_zabbix.methods()  # not even the new group
    assert engine.guard == {"tripped": True, "would_change": 3, "limit": 2, "refused": True}
    assert [results[k]["action"] for k in ("h0", "h1", "h2", "new-1")] == ["updated", "updated", "unchanged", "created"]
    assert all(r.get("refused") and not r["changed"] for k, r in results.items() if k in ("h0", "h1", "new-1"))
    assert results["h1"]["drift"] == {"status": {"before": "enabled", "after": "disabled"}}
    assert fake_zabbix.host("h1")["status"] == "0"


def test_guard_at_the_limit_writes(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    sync(client_for(fake_zabbix), [host("h0"), host("h1")])
    engine, results = sync(client_for(fake_zabbix), [host("h0", status="disabled"), host("h1", status="disabled")], max_changes=2)
    assert engine.guard == {"tripped": False, "would_change": 2, "limit": 2, "refused": False}
    assert {r["action"] for r in results.values()} == {"updated"} and not any(r.get("refused") for r in results.values())
    assert fake_zabbix.host("h0")["status"] == "1"


def test_guard_in_check_mode_says_it_would_trip(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    engine, results = sync(client_for(fake_zabbix), [host("a"), host("b")], max_changes=1, check_mode=True)
    assert engine.guard == {"tripped": True, "would_change": 2, "limit": 1, "refused": False}
    assert all(r["changed"] and not r.get("refused") for r in results.values())
    assert not fake_zabbix.hosts


def test_secret_drift_is_masked(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    sync(client_for(fake_zabbix), [host("a")])
    results = sync(client_for(fake_zabbix), [host("a", update_secrets="always")])[1]
    assert "macro-secret-xyz" not in repr(results)
    assert results["a"]["drift"]["macros"]["after"][0]["value"] == "******** (new value)"


@pytest.mark.parametrize(("value", "hosts", "limit"), [(None, 10, None), ("", 10, None), ("5", 10, 5), ("0", 10, 0),
                                                       ("10%", 1000, 100), ("15%", 10, 1), ("100%", 7, 7)])
def test_parse_max_changes(value: t.Any, hosts: int, limit: int | None) -> None:
    assert parse_max_changes(value, hosts) == limit


@pytest.mark.parametrize("value", ["-1", "ten", "150%", "5.5"])
def test_parse_max_changes_refuses_nonsense(value: str) -> None:
    with pytest.raises(ValueError, match="max_changes: expected a host count"):
        parse_max_changes(value, 10)


def test_progress_lines_while_writing(fake_zabbix: FakeZabbix, client_for: type[FakeClient], monkeypatch: pytest.MonkeyPatch) -> None:
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _engine

    monkeypatch.setattr(_engine, "WRITE_CHUNK", 2)
    lines: list[str] = []
    sync(client_for(fake_zabbix), [host(f"h{i}") for i in range(6)] + [host("bad", templates=["Missing"])],
         progress=lines.append, progress_seconds=0.0)
    assert "planning: 7/7 hosts planned, 1 failed" in lines
    assert [line for line in lines if line.startswith("host.create")] == [
        "host.create: 2/6 hosts written, 1 failed", "host.create: 4/6 hosts written, 1 failed", "host.create: 6/6 hosts written, 1 failed"]


def test_no_progress_for_a_short_run(fake_zabbix: FakeZabbix, client_for: type[FakeClient]) -> None:
    lines: list[str] = []
    sync(client_for(fake_zabbix), [host(f"h{i}") for i in range(3)], progress=lines.append, progress_seconds=60.0)
    assert lines == []
