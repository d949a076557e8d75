# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`--limit all` is not a subset (ansible-rulebook's run_playbook always passes one)."""

from __future__ import annotations

import pytest

from ansible_collections.netbox_zabbix.sync.plugins.action.zabbix_orphans import subset_reason


@pytest.mark.parametrize("limit", [None, "", "all", "*", " all "])
def test_no_limit_or_all_is_the_whole_set(limit):
    assert subset_reason(limit, False, 10, 10) is None


@pytest.mark.parametrize("limit", ["sw-*", "all:!sw-01", "sw-01,sw-02"])
def test_a_real_limit_is_a_subset(limit):
    assert "--limit" in subset_reason(limit, False, 10, 10)
