# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS verification is on by default and fails clearly on a bad certificate.

A loopback HTTPS endpoint with a throwaway self-signed certificate (made with openssl)
proxies to the real Zabbix 7.0 and to the real NetBox. The modules and the inventory must
refuse it with a message that says "certificate" (no traceback), and work with
validate_certs=false.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "tools"))
from fault_proxy import FaultProxy, self_signed_cert  # noqa: E402

STACK_DIR = Path(os.environ.get("STACK_DIR", REPO / ".stack"))
PREFIX = "reltls-"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed"),
    pytest.mark.skipif(not (STACK_DIR / "zabbix-7.0.env").exists(), reason="no Zabbix 7.0 stack (stack/zabbix.sh up 7.0)"),
]


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def zabbix_tls(stack: t.Any, cert: tuple[Path, Path]) -> t.Iterator[tuple[str, t.Any, str]]:
    env = stack.env_or_skip("zabbix-7.0.env", "stack/zabbix.sh up 7.0")
    api = stack.ZabbixAPI(env)
    api.delete_hosts(PREFIX)
    with FaultProxy(env["ZABBIX_URL"], tls=cert) as proxy:
        yield proxy.url, api, env["ZABBIX_TOKEN"]
    api.delete_hosts(PREFIX)


def desired(name: str) -> dict[str, t.Any]:
    return {"host": name, "host_groups": ["Linux servers"], "interfaces": [{"type": "agent", "ip": "192.0.2.50"}]}


def certificate_error(message: str) -> bool:
    return "certificate" in message.lower() or "CERTIFICATE_VERIFY_FAILED" in message


@pytest.mark.parametrize("module", ["zabbix_host_sync", "zabbix_host_sync_batch"])
def test_zabbix_modules_refuse_a_self_signed_certificate(zabbix_tls: tuple[str, t.Any, str], run_playbook: t.Any, module: str) -> None:
    url, api, token = zabbix_tls
    name = f"{PREFIX}{module.rsplit('_', 1)[-1]}"
    connection = {"zabbix_url": url, "zabbix_token": token}
    if module == "zabbix_host_sync":
        tasks = [{f"netbox_zabbix.sync.{module}": {**desired(name), **connection}, "register": "strict"},
                 {f"netbox_zabbix.sync.{module}": {**desired(name), **connection, "zabbix_validate_certs": False}, "register": "relaxed"}]
        inventory = None
        hosts = "localhost"
    else:
        tasks = [{f"netbox_zabbix.sync.{module}": connection, "register": "strict", "run_once": True},
                 {f"netbox_zabbix.sync.{module}": {**connection, "zabbix_validate_certs": False}, "register": "relaxed", "run_once": True}]
        inventory = {"all": {"hosts": {name: {"zabbix_host": desired(name), "ansible_connection": "local"}}}}
        hosts = "all"
    run = run_playbook(tasks, inventory=inventory, hosts=hosts)
    strict, relaxed = run.results["strict"], run.results["relaxed"]
    assert strict.get("failed") and certificate_error(strict.get("msg", "")), strict
    assert "Traceback" not in run.stdout + run.stderr
    assert not relaxed.get("failed"), relaxed
    action = relaxed["action"] if module == "zabbix_host_sync" else relaxed["results"][name]["action"]
    assert action == "created"
    assert api.host(name) is not None


def list_inventory(stack: t.Any, netbox_env: dict[str, str], url: str, validate: bool, tmp_path: Path,
                   extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    source = tmp_path / f"v{int(validate)}-{len(extra_env)}.netbox_hostconfig.yml"
    source.write_text(json.dumps({"plugin": "netbox_zabbix.sync.hostconfig", "netbox_url": url,
                                  "netbox_token": netbox_env["NETBOX_TOKEN"], "validate_certs": validate,
                                  "filters": {"names": ["reltls-matches-nothing-*"]}}))
    env = stack.ansible_env({"NETBOX_API": "", "NETBOX_TOKEN": ""})
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        env.pop(name, None)
    env.update(extra_env)
    return subprocess.run([str(stack.VENV_BIN / "ansible-inventory"), "-i", str(source), "--list"], capture_output=True, check=False,
                          text=True, env=env, cwd=REPO, timeout=600)


@pytest.fixture(scope="module")
def netbox_tls(netbox_env: dict[str, str], cert: tuple[Path, Path]) -> t.Iterator[str]:
    with FaultProxy(netbox_env["NETBOX_API"].rstrip("/").removesuffix("/api"), tls=cert) as proxy:
        yield proxy.url


def test_inventory_refuses_a_self_signed_certificate(stack: t.Any, netbox_env: dict[str, str], netbox_tls: str, tmp_path: Path) -> None:
    strict = list_inventory(stack, netbox_env, netbox_tls, True, tmp_path, {})
    text = strict.stdout + strict.stderr
    assert "Failed to parse" in text and certificate_error(text), text[-3000:]
    assert "Traceback" not in text
    assert netbox_env["NETBOX_TOKEN"] not in text


def test_inventory_accepts_it_with_validate_certs_false(stack: t.Any, netbox_env: dict[str, str], netbox_tls: str, tmp_path: Path) -> None:
    relaxed = list_inventory(stack, netbox_env, netbox_tls, False, tmp_path, {})
    text = relaxed.stdout + relaxed.stderr
    assert relaxed.returncode == 0 and "Failed to parse" not in text, text[-3000:]
    assert "_meta" in relaxed.stdout


def test_inventory_accepts_it_with_validate_certs_false_even_with_a_ca_bundle_env(
    stack: t.Any, netbox_env: dict[str, str], netbox_tls: str, tmp_path: Path
) -> None:
    relaxed = list_inventory(stack, netbox_env, netbox_tls, False, tmp_path, {"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"})
    text = relaxed.stdout + relaxed.stderr
    assert relaxed.returncode == 0 and "Failed to parse" not in text, text[-3000:]
