# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets never leave the sync: not in stdout (-vvv --diff), the JSON event log, NetBox's
EventLog, error messages or diffs; every secret option is ``no_log``.

The playbook run uses a hand-written inventory whose hosts carry every kind of secret the
collection handles (SNMPv3 auth/priv passphrases, a TLS PSK, a secret macro value, the
Zabbix API token as an extra var) and fails some hosts on purpose so that error paths run
too. The secret values are chosen so that the generic log scrubbers (hex runs,
``password=...``) cannot hide them by luck: only the collection's own masking can.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "tools"))
from netbox_rest import NetBoxREST  # noqa: E402
PREFIX = "relsec-"

AUTH = "Kx9authPhraseRelsec"
PRIV = "Kx9privPhraseRelsec"
MACRO = "Zq7macroValueRelsec"
PSK = "f00dcafe" * 8  # 64 hex digits
PSK_BAD_HOST = "deadbeef" * 8


# --------------------------------------------------------------------------------------
# no_log on every secret option, in every spec the collection ships
# --------------------------------------------------------------------------------------
SECRET_WORDS = ("token", "password", "passphrase", "psk", "secret")
NOT_SECRET = {"tls_psk_identity", "update_secrets"}


def _walk_spec(spec: dict[str, t.Any], path: str = "") -> t.Iterator[tuple[str, dict[str, t.Any]]]:
    for name, opts in spec.items():
        yield f"{path}{name}", opts
        if isinstance(opts.get("options"), dict):
            yield from _walk_spec(opts["options"], f"{path}{name}.")


def _all_specs() -> dict[str, dict[str, t.Any]]:
    import importlib
    import sys

    collections = REPO / ".cache" / "collections"
    if str(collections) not in sys.path:
        sys.path.insert(0, str(collections))
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader([str(collections)])
    engine = importlib.import_module("ansible_collections.netbox_zabbix.sync.plugins.module_utils._engine")
    job = importlib.import_module("ansible_collections.netbox_zabbix.sync.plugins.module_utils._sync_job_specs")
    specs = {"zabbix_host_sync": engine.module_argument_spec(), "zabbix_host_sync_batch": engine.batch_argument_spec(),
             "netbox (actions)": job.netbox_argument_spec(), "zabbix_sync_summary": job.summary_argument_spec(),
             "netbox_hostconfig_writeback": job.writeback_argument_spec(), "zabbix_orphans": job.orphans_argument_spec()}
    # every action plugin's own spec constant(s), whatever they are called
    for path in sorted((REPO / "plugins" / "action").glob("*.py")):
        module = importlib.import_module(f"ansible_collections.netbox_zabbix.sync.plugins.action.{path.stem}")
        for attr in dir(module):
            value = getattr(module, attr)
            if attr.endswith("SPEC") and isinstance(value, dict):
                specs[f"{path.stem}.{attr}"] = value
            elif attr.endswith("argument_spec") and callable(value):
                try:
                    result = value()
                except TypeError:
                    continue
                if isinstance(result, dict):
                    specs[f"{path.stem}.{attr}()"] = result
    return specs


def test_every_secret_option_is_no_log() -> None:
    specs = _all_specs()
    checked, missing = [], []
    for where, spec in specs.items():
        for name, opts in _walk_spec(spec):
            leaf = name.rsplit(".", 1)[-1]
            if leaf in NOT_SECRET or not any(word in leaf for word in SECRET_WORDS):
                continue
            checked.append(f"{where}: {name}")
            if opts.get("no_log") is not True:
                missing.append(f"{where}: {name}")
    assert len(checked) >= 8, checked  # tokens, passwords, PSK, both passphrases at least
    assert not missing, f"secret options without no_log=True: {missing}"


def test_module_documentation_marks_secrets_no_log() -> None:
    """Every secret option ansible-doc shows (doc fragments included) is a no_log option of the module's spec.

    DOCUMENTATION has no no_log field: what can drift is a documented secret that the module's
    argument spec lacks or does not hide.
    """
    specs = _all_specs()
    names = sorted(path.stem for path in (REPO / "plugins" / "modules").glob("*.py") if path.stem in specs)
    assert len(names) == 5, names
    done = subprocess.run(
        [str(REPO / ".venv" / "bin" / "ansible-doc"), "--json", "-t", "module", *(f"netbox_zabbix.sync.{n}" for n in names)],
        capture_output=True, text=True, check=True, timeout=300,
        env={**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".cache" / "collections")})
    docs = json.loads(done.stdout)
    checked, wrong = [], []
    for name in names:
        spec = dict(_walk_spec(specs[name]))
        documented = docs[f"netbox_zabbix.sync.{name}"]["doc"]["options"]
        for option, _opts in _walk_spec(documented):
            leaf = option.rsplit(".", 1)[-1]
            if leaf in NOT_SECRET or not any(word in leaf for word in SECRET_WORDS):
                continue
            checked.append(f"{name}: {option}")
            if spec.get(option, {}).get("no_log") is not True:
                wrong.append(f"{name}: {option} ({'not in the argument spec' if option not in spec else 'no_log is not True'})")
    assert len(checked) >= 10, checked  # both connections' tokens and passwords in every module, PSK, passphrases
    assert not wrong, f"documented secret options the module does not hide: {wrong}"


# --------------------------------------------------------------------------------------
# the playbook, -vvv --diff, everything grepped
# --------------------------------------------------------------------------------------
def _snmpv3(ip: str) -> dict[str, t.Any]:
    return {"type": "snmp", "ip": ip, "details": {
        "version": 3, "securityname": "relsec-user", "securitylevel": "authpriv", "authprotocol": "sha256",
        "authpassphrase": AUTH, "privprotocol": "aes128", "privpassphrase": PRIV}}


def _host(name: str, ip: str, **extra: t.Any) -> dict[str, t.Any]:
    state = {
        "host": name,
        "name": name,
        "host_groups": [{"name": "Linux servers"}],
        "interfaces": [{"type": "agent", "ip": ip}, _snmpv3(ip)],
        "macros": [{"macro": "{$RELSEC_SECRET}", "value": MACRO, "type": "secret"},
                   {"macro": "{$RELSEC_TEXT}", "value": "plain-text-ok"}],
        "tls_connect": "psk",
        "tls_accept": ["psk"],
        "tls_psk_identity": f"psk-id-{name}",
        "tls_psk": PSK,
        "tags": [{"tag": "relsec", "value": "1"}],
    }
    state.update(extra)
    return state


def _inventory() -> dict[str, t.Any]:
    hosts = {
        f"{PREFIX}ok-1": _host(f"{PREFIX}ok-1", "192.0.2.11"),
        f"{PREFIX}ok-2": _host(f"{PREFIX}ok-2", "192.0.2.12"),
        # resolvable only by Zabbix: the engine fails it after reading the groups
        f"{PREFIX}nogroup": _host(f"{PREFIX}nogroup", "192.0.2.13", host_groups=[{"name": "relsec no such group"}]),
        # fails the core's validation, with every secret in the same desired state
        f"{PREFIX}badport": _host(f"{PREFIX}badport", "192.0.2.14",
                                  interfaces=[{"type": "agent", "ip": "192.0.2.14", "port": "notaport"}, _snmpv3("192.0.2.14")]),
        # fails the argument spec (type error) next to the secrets
        f"{PREFIX}badtype": _host(f"{PREFIX}badtype", "192.0.2.15", status="sometimes"),
        # a PSK identity reused with another PSK value: Zabbix 7.0 refuses it (error text from Zabbix)
        f"{PREFIX}pskclash": _host(f"{PREFIX}pskclash", "192.0.2.16", tls_psk_identity=f"psk-id-{PREFIX}ok-1",
                                   tls_psk=PSK_BAD_HOST),
    }
    return {"all": {"hosts": {name: {"zabbix_host": state, "ansible_connection": "local"} for name, state in hosts.items()}}}


class Run(t.NamedTuple):
    returncode: int
    text: str  # stdout + stderr
    events: list[dict[str, t.Any]]


@pytest.fixture(scope="module")
def secrets_runs(zabbix_env: dict[str, str], netbox_env: dict[str, str], stack: t.Any,
                 tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[dict[str, t.Any]]:
    zabbix = stack.ZabbixAPI(zabbix_env)
    zabbix.delete_hosts(PREFIX)
    tmp = tmp_path_factory.mktemp("secrets")
    inventory = tmp / "inventory.yml"
    inventory.write_text(yaml.safe_dump(_inventory()))
    nb = _NetBox(netbox_env)
    events_before = {row["id"] for row in nb.event_log()}

    def play(name: str, *args: str, **extra_vars: t.Any) -> Run:
        log = tmp / f"{name}.jsonl"
        env = stack.ansible_env({
            "ZABBIX_URL": zabbix_env["ZABBIX_URL"],
            "NETBOX_API": netbox_env["NETBOX_API"],
            "NETBOX_TOKEN": netbox_env["NETBOX_TOKEN"],
            "NETBOX_ZABBIX_SYNC_LOG_PATH": str(log),
            "ANSIBLE_CALLBACKS_ENABLED": "netbox_zabbix.sync.sync_log",
        })
        # a static inventory of zabbix_host variables, not the HostConfig source
        variables = {"sync_hosts_zabbix_token": zabbix_env["ZABBIX_TOKEN"], "sync_hosts_orphans": False,
                     "sync_hosts_event_log": True, "sync_hosts_writeback": False, "sync_hosts_require_source": False,
                     **extra_vars}
        command = [str(stack.VENV_BIN / "ansible-playbook"), "-i", str(inventory), "playbooks/sync_hosts.yml",
                   "-vvv", "--diff", "-e", json.dumps(variables), *args]
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=600, check=False)
        events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return Run(done.returncode, done.stdout + done.stderr, events)

    runs = {
        "create": play("create"),
        "always": play("always", sync_hosts_update_secrets="always"),
        "check": play("check", "--check", sync_hosts_update_secrets="always"),
        "per_host": play("per_host", sync_hosts_batch=False, sync_hosts_update_secrets="always"),
    }
    new_rows = [row for row in nb.event_log() if row["id"] not in events_before]
    yield {"runs": runs, "zabbix": zabbix, "event_rows": new_rows, "token": zabbix_env["ZABBIX_TOKEN"],
           "netbox_token": netbox_env["NETBOX_TOKEN"]}
    zabbix.delete_hosts(PREFIX)


class _NetBox(NetBoxREST):
    def event_log(self) -> list[dict[str, t.Any]]:
        return self.all("plugins/netbox_zabbix/event-log")


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    return [label for label, value in secrets.items() if value and value in text]


def test_secrets_reach_zabbix(secrets_runs: dict[str, t.Any]) -> None:
    """The secrets were really used (otherwise not finding them would prove nothing)."""
    zabbix = secrets_runs["zabbix"]
    host = zabbix.host(f"{PREFIX}ok-1")
    assert host is not None, secrets_runs["runs"]["create"].text[-3000:]
    snmp = next(i for i in host["interfaces"] if i["type"] == "2")
    assert (snmp["details"]["authpassphrase"], snmp["details"]["privpassphrase"]) == (AUTH, PRIV)
    assert host["tls_connect"] == "2"
    assert any(m["macro"] == "{$RELSEC_SECRET}" and m["type"] == "1" for m in host["macros"])


@pytest.mark.parametrize("run_name", ["create", "always", "check", "per_host"])
def test_no_secret_in_output_or_event_log(secrets_runs: dict[str, t.Any], run_name: str) -> None:
    run = secrets_runs["runs"][run_name]
    secrets = {"snmp auth passphrase": AUTH, "snmp priv passphrase": PRIV, "secret macro": MACRO, "psk": PSK,
               "other psk": PSK_BAD_HOST, "zabbix token": secrets_runs["token"], "netbox token": secrets_runs["netbox_token"]}
    assert run.events, run.text[-3000:]
    assert "Traceback" not in run.text, run.text[-5000:]
    assert not _leaks(run.text, secrets), f"{_leaks(run.text, secrets)} in {run_name} stdout/stderr"
    assert not _leaks(json.dumps(run.events), secrets), f"{_leaks(json.dumps(run.events), secrets)} in the JSON event log"
    # the failures happened and name host and field
    failed = {e["host"]: e for e in run.events if e.get("event") == "host" and e.get("action") == "failed"}
    assert {f"{PREFIX}nogroup", f"{PREFIX}badport", f"{PREFIX}badtype"} <= set(failed), failed
    text = json.dumps(failed)
    assert "host_groups" in text and "port" in text and "status" in text


def test_diff_masks_secrets(secrets_runs: dict[str, t.Any]) -> None:
    run = secrets_runs["runs"]["always"]
    assert "********" in run.text  # the masked values are shown as such in --diff
    assert "authpassphrase" in run.text and "tls_psk" in run.text


def test_no_secret_in_netbox_event_log(secrets_runs: dict[str, t.Any]) -> None:
    rows = secrets_runs["event_rows"]
    assert rows, "the runs posted no EventLog row (sync_hosts_event_log: true)"
    text = json.dumps(rows)
    secrets = {"snmp auth passphrase": AUTH, "snmp priv passphrase": PRIV, "secret macro": MACRO, "psk": PSK,
               "other psk": PSK_BAD_HOST, "zabbix token": secrets_runs["token"], "netbox token": secrets_runs["netbox_token"]}
    assert not _leaks(text, secrets), _leaks(text, secrets)
    assert PREFIX in text  # failed hosts are named
