# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fuzz's "invalid input writes nothing" on the real Zabbix 7.0, not only on the fake.

The unit fuzz (tests/unit/plugins/module_utils/test_fuzz_core.py) generates desired states
with every kind of wrong value. Here a seeded sample of the ones that are invalid whatever
Zabbix holds (the argument spec or the normalisation rejects them) goes through the real
engine against the real Zabbix API in batches; every one must fail with a message that names
its host and a field, and the host tables (and the audit log) must have the same checksum
after as before.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import typing as t

import pytest
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.integration

CASES = 300
BATCH = 50
WELL_FORMED = 60
TABLES = ("hosts", "interface", "interface_snmp", "host_tag", "hosts_groups", "hosts_templates", "host_inventory",
          "hostmacro", "hstgrp", "auditlog")


def load_fuzz(stack: t.Any) -> t.Any:
    path = stack.REPO / "tests" / "unit" / "plugins" / "module_utils" / "test_fuzz_core.py"
    spec = importlib.util.spec_from_file_location("_fuzz_core_for_integration", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def drawn_cases(fuzz: t.Any, profile: t.Any) -> tuple[list[dict[str, t.Any]], list[dict[str, t.Any]]]:
    """Generated desired states (seeded): (wrong whatever Zabbix holds, well-formed ones that
    the real Zabbix's groups, templates and proxies decide)."""
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_model import HostError
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._normalise import normalise_desired

    drawn: list[dict[str, t.Any]] = []

    @settings(max_examples=CASES * 4, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(raw=fuzz.any_options)
    def draw(raw: dict[str, t.Any]) -> None:
        drawn.append(raw)

    draw()
    invalid, well_formed = [], []
    for raw in drawn:
        params, errors = fuzz.validate_host_options(raw, with_defaults=True)
        if not errors:
            try:
                normalise_desired(params, profile)
                well_formed.append(raw)
                continue
            except HostError:
                pass
        invalid.append(raw)
    return invalid[:CASES], well_formed[:WELL_FORMED]


def checksums(stack: t.Any, env: dict[str, str]) -> dict[str, str]:
    sql = " UNION ALL ".join(
        f"SELECT '{table}', coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM {table} t" for table in TABLES)
    done = subprocess.run([str(stack.REPO / "stack" / "zabbix.sh"), "psql", "7.0", "-At", "-F", "\t", "-c", sql],
                          capture_output=True, text=True, env={**os.environ, **env}, timeout=300, check=True)
    return dict(line.split("\t") for line in done.stdout.strip().splitlines())


def test_invalid_generated_input_writes_nothing_to_the_real_zabbix(stack: t.Any, collection_importable: None) -> None:
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import SyncEngine
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import (
        VersionProfile,
        ZabbixClient,
        ZabbixOptions,
    )

    env = stack.env_or_skip("zabbix-7.0.env", "stack/zabbix.sh up 7.0")
    stack.reset_zabbix("7.0")
    fuzz = load_fuzz(stack)
    cases, _well_formed = drawn_cases(fuzz, VersionProfile(env.get("ZABBIX_VERSION", "7.0.22")))
    assert len(cases) >= 200, f"only {len(cases)} invalid cases drawn"

    before = checksums(stack, env)
    assert set(before) == set(TABLES) and before["hosts"], before
    failures: dict[str, str] = {}
    for start in range(0, len(cases), BATCH):
        client = ZabbixClient(ZabbixOptions(url=env["ZABBIX_URL"], token=env["ZABBIX_TOKEN"]))
        items = [(f"fz-real-{start + n}", raw, None) for n, raw in enumerate(cases[start:start + BATCH])]
        results = SyncEngine(client, diff_mode=True).sync(items)
        for key, raw, _errors in items:
            result = results[key]
            assert result["failed"] and result["action"] == "failed", (raw, result)
            assert fuzz.names_a_field(result["msg"]), result["msg"]
            leaked = [secret for secret in fuzz.secrets_in(raw) if secret in result["msg"]]
            assert not leaked, result["msg"]
            failures[key] = result["msg"]
    assert len(failures) == len(cases)
    assert checksums(stack, env) == before  # not one row written, not even an audit entry


def test_well_formed_input_the_real_zabbix_refuses_writes_nothing(stack: t.Any, collection_importable: None) -> None:
    """Well-formed desired states one by one: one the real Zabbix's catalog refuses (unknown group,
    template, proxy...) fails naming its host and field and leaves every table as it was; one it
    accepts is created (and Zabbix is reset for the next)."""
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine import SyncEngine
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import (
        VersionProfile,
        ZabbixClient,
        ZabbixOptions,
    )

    env = stack.env_or_skip("zabbix-7.0.env", "stack/zabbix.sh up 7.0")
    stack.reset_zabbix("7.0")
    fuzz = load_fuzz(stack)
    _invalid, cases = drawn_cases(fuzz, VersionProfile(env.get("ZABBIX_VERSION", "7.0.22")))
    outcomes = {"failed": 0, "written": 0}
    before = checksums(stack, env)
    for n, raw in enumerate(cases):
        client = ZabbixClient(ZabbixOptions(url=env["ZABBIX_URL"], token=env["ZABBIX_TOKEN"]))
        result = SyncEngine(client, diff_mode=True).sync([(f"fz-wf-{n}", raw, None)])[f"fz-wf-{n}"]
        if result["failed"]:
            outcomes["failed"] += 1
            assert fuzz.names_a_field(result["msg"]), result["msg"]
            assert checksums(stack, env) == before, f"{result['msg']}: a failed host wrote to Zabbix"
        else:
            outcomes["written"] += 1
            assert result["action"] == "created", result
            stack.reset_zabbix("7.0")
            before = checksums(stack, env)
    assert len(cases) == WELL_FORMED, len(cases)
    assert outcomes["failed"] >= 5 and outcomes["written"] >= 1, outcomes  # both paths exercised
