# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The local Zabbix stack (stack/zabbix.sh up) answers like a real Zabbix 6.0 / 7.0.

For each version whose `$STACK_DIR/zabbix-<ver>.env` exists (the `zabbix_env` fixture of
conftest.py skips the others with a message): the API reports the right major version,
the token works with zabbix-utils, `host.get` with the version's group selector works,
the fixtures of stack/zabbix_fixtures.py exist, `stack/zabbix.sh psql` reaches the working
database, and `reset` drops what a test created while keeping the token and fixtures.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import zabbix_utils


REPO = Path(__file__).resolve().parents[2]
ZABBIX_SH = REPO / "stack" / "zabbix.sh"
FIXTURES_PY = REPO / "stack" / "zabbix_fixtures.py"
TEST_HOST = "itzbs-stack-probe"

pytestmark = pytest.mark.integration


def major(env: dict[str, str]) -> str:
    return env["ZABBIX_VERSION"][:3]


@pytest.fixture(scope="module")
def api(zabbix_env: dict[str, str]) -> Any:
    return zabbix_utils.ZabbixAPI(url=zabbix_env["ZABBIX_URL"], token=zabbix_env["ZABBIX_TOKEN"])


@pytest.fixture(scope="module")
def fixtures(zabbix_env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), str(FIXTURES_PY), "--url", zabbix_env["ZABBIX_URL"]],
        env={**os.environ, "ZABBIX_TOKEN": zabbix_env["ZABBIX_TOKEN"]},
        capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(done.stdout)


def group_selector(env: dict[str, str]) -> tuple[str, str]:
    # 6.0 ignores selectHostGroups silently; 7.0 deprecates selectGroups.
    return ("selectHostGroups", "hostgroups") if major(env) >= "7.0" else ("selectGroups", "groups")


def test_api_reports_its_version(zabbix_env: dict[str, str], api: Any) -> None:
    assert str(api.api_version()) == zabbix_env["ZABBIX_VERSION"]
    assert zabbix_env["ZABBIX_VERSION"].startswith(("6.0.", "7.0."))


def test_token_authenticates(api: Any) -> None:
    users = api.user.get(output=["username"], filter={"username": "Admin"})
    assert [u["username"] for u in users] == ["Admin"]


def test_wrong_token_is_refused(zabbix_env: dict[str, str]) -> None:
    with pytest.raises(zabbix_utils.APIRequestError):
        zabbix_utils.ZabbixAPI(url=zabbix_env["ZABBIX_URL"], token="0" * 64).host.get(output=["hostid"], limit=1)


def test_host_get_with_groups(zabbix_env: dict[str, str], api: Any) -> None:
    selector, key = group_selector(zabbix_env)
    hosts = api.host.get(output=["hostid", "host"], filter={"host": ["Zabbix server"]}, **{selector: ["groupid", "name"]})
    assert len(hosts) == 1
    assert "Zabbix servers" in [g["name"] for g in hosts[0][key]]


def test_fixtures_exist(zabbix_env: dict[str, str], api: Any, fixtures: dict[str, Any]) -> None:
    assert fixtures["version"] == zabbix_env["ZABBIX_VERSION"]
    assert set(fixtures["host_groups"]) == {"NB Core", "NB Edge", "NB Servers"}
    groups = api.hostgroup.get(output=["groupid", "name"], groupids=list(fixtures["host_groups"].values()))
    assert {g["name"]: g["groupid"] for g in groups} == fixtures["host_groups"]
    templates = api.template.get(output=["templateid", "host"], templateids=list(fixtures["templates"].values()))
    assert {t["host"]: t["templateid"] for t in templates} == fixtures["templates"]
    assert {"ICMP Ping", "Linux by Zabbix agent"} <= set(fixtures["templates"])
    name_key = "name" if major(zabbix_env) >= "7.0" else "host"
    proxies = api.proxy.get(output=["proxyid", name_key], proxyids=list(fixtures["proxies"].values()))
    assert {p[name_key]: p["proxyid"] for p in proxies} == fixtures["proxies"]
    assert set(fixtures["proxies"]) == {"nb-proxy-1", "nb-proxy-2"}
    if major(zabbix_env) >= "7.0":
        groups = api.proxygroup.get(output=["proxy_groupid", "name"], filter={"name": "nb-pg-1"})
        assert {g["name"]: g["proxy_groupid"] for g in groups} == fixtures["proxy_groups"]
        # nb-proxy-1 is the group's only member; nb-proxy-2 stays outside (stack/seed.py relies on it).
        membership = {p["name"]: p["proxy_groupid"] for p in api.proxy.get(output=["name", "proxy_groupid"], proxyids=list(fixtures["proxies"].values()))}
        assert membership == {"nb-proxy-1": fixtures["proxy_groups"]["nb-pg-1"], "nb-proxy-2": "0"}
    else:
        assert fixtures["proxy_groups"] == {}


def test_psql_reaches_the_working_database(zabbix_env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(ZABBIX_SH), "psql", major(zabbix_env), "-tAc", "SELECT current_database(), count(*) FROM hosts WHERE host = 'Zabbix server'"],
        capture_output=True, text=True, timeout=60, check=True,
    )
    assert done.stdout.strip() == f"{zabbix_env['ZABBIX_DB']}|1"


def test_reset_restores_pristine_and_keeps_the_token(zabbix_env: dict[str, str], api: Any, fixtures: dict[str, Any]) -> None:
    group_id = fixtures["host_groups"]["NB Core"]
    leftover = api.host.get(output=["hostid"], filter={"host": [TEST_HOST]})  # from an interrupted run
    if leftover:
        api.host.delete(*[h["hostid"] for h in leftover])
    api.host.create(host=TEST_HOST, groups=[{"groupid": group_id}])
    assert api.host.get(output=["hostid"], filter={"host": [TEST_HOST]})
    subprocess.run([str(ZABBIX_SH), "reset", major(zabbix_env)], capture_output=True, text=True, timeout=120, check=True)
    # Same token after the reset; the host is gone and the fixture group is still there.
    assert api.host.get(output=["hostid"], filter={"host": [TEST_HOST]}) == []
    assert api.hostgroup.get(output=["groupid"], groupids=[group_id])
