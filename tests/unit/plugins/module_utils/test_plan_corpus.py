# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Planning gives, byte for byte, what the golden corpus recorded (tests/unit/tools/plan_corpus.py).

The corpus was written from the pure core before it was split by job (issue 12): the
normalised desired state and Zabbix host, the lookups, and the plan (action, changed
fields, host.create/host.update parameters, the diff's before/after, groups to create,
interface ids) or the HostError of about 740 fixture and hypothesis-made cases. A
difference is a change of behaviour: fix it, or regenerate the corpus on purpose and
review its diff.
"""

from __future__ import annotations

import json
import sys
import typing as t
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from plan_corpus import CORPUS, dumps, run_case  # noqa: E402  pylint: disable=wrong-import-position

ENTRIES: list[dict[str, t.Any]] = json.loads(CORPUS.read_text())


def test_the_corpus_covers_every_outcome() -> None:
    """A corpus without updates or errors would prove little."""
    outcomes = {entry["expected"]["plan"]["action"] if "plan" in entry["expected"] else
                "plan_error" if "plan_error" in entry["expected"] else "normalise_error" for entry in ENTRIES}
    assert outcomes == {"create", "update", "unchanged", "delete", "plan_error", "normalise_error"}, outcomes
    changed = {field for entry in ENTRIES if entry["expected"].get("plan", {}).get("action") == "update"
               for field in entry["expected"]["plan"]["changed_fields"]}
    assert changed >= {"host", "name", "status", "host_groups", "templates", "interfaces", "monitored_by", "proxy",
                       "tags", "macros", "inventory_mode", "inventory", "tls_connect", "tls_accept", "tls_psk"}, changed


@pytest.mark.parametrize("entry", ENTRIES, ids=[str(entry["case"]["id"]) for entry in ENTRIES])
def test_planning_matches_the_golden_corpus(entry: dict[str, t.Any]) -> None:
    assert dumps(run_case(entry["case"])) == dumps(entry["expected"]), entry["case"]["source"]
