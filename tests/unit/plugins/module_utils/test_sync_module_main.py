# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""zabbix_host_sync's main(): the AnsibleModule path runs the same engine as the action."""

from __future__ import annotations

import json
import typing as t
from unittest import mock

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.netbox_zabbix.sync.plugins.modules import zabbix_host_sync, zabbix_host_sync_batch

SECRET = "macro-secret-value-77"


def run_main(module: t.Any, args: dict[str, t.Any], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, t.Any]]:
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        module.main()
    return int(exited.value.code or 0), json.loads(capsys.readouterr().out)


@pytest.fixture
def engine_on_fake(fake_zabbix: t.Any, client_for: t.Any) -> t.Iterator[t.Any]:
    from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _engine

    real = _engine.sync_one

    def sync_one(params: t.Any, check: bool, diff: bool) -> t.Any:
        return real(params, check, diff, client_factory=lambda options: client_for(fake_zabbix))

    with mock.patch.object(zabbix_host_sync, "sync_one", sync_one):
        yield fake_zabbix


def test_main_creates_then_reports_unchanged(engine_on_fake: t.Any, capsys: pytest.CaptureFixture[str]) -> None:
    args = {
        "zabbix_url": "http://z", "zabbix_token": "test-token-123", "host": "m1", "host_groups": ["NB Core"],
        "macros": [{"macro": "{$S}", "value": SECRET, "type": "secret"}], "_ansible_diff": True,
    }
    code, created = run_main(zabbix_host_sync, args, capsys)
    assert code == 0 and created["action"] == "created" and created["changed"]
    assert SECRET not in json.dumps(created)
    code, again = run_main(zabbix_host_sync, args, capsys)
    assert code == 0 and again["action"] == "unchanged" and not again["changed"]


def test_main_fails_a_bad_host(engine_on_fake: t.Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run_main(zabbix_host_sync, {"zabbix_url": "http://z", "zabbix_token": "test-token-123", "host": "m2", "host_groups": ["Nope"]}, capsys)
    assert code == 1 and result["failed"] and result["msg"] == "m2: host_groups[0]: host group 'Nope' not found"


def test_main_needs_a_url(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZABBIX_URL", raising=False)
    code, result = run_main(zabbix_host_sync, {"host": "m3", "zabbix_token": "test-token-123"}, capsys)
    assert code == 1 and "zabbix_url is required" in result["msg"]


def test_batch_module_explains_it_needs_the_action(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run_main(zabbix_host_sync_batch, {"zabbix_url": "http://z", "zabbix_token": "test-token-123"}, capsys)
    assert code == 1 and "action plugin" in result["msg"]
