"""The tools under test. Each one gets the same data and runs through the counting proxies.

* ``ours``: ``ansible-playbook playbooks/sync_hosts.yml`` with our inventory plugin.
* ``floor``: bench/floor.py, the fewest Zabbix calls (desired state precomputed).
* ``zabbix_host``: community.zabbix.zabbix_host from the ``ansible`` 14.5.0 package, one task per host,
  static inventory generated from the same desired state; run with 5 forks and with the best
  fork count for this machine.
* ``nzs``: netbox-zabbix-sync 4.1.0 on the same Devices/VMs (bench/nzs/prepare.py maps them).
* per-host mode (``--tools per_host``): ``ours_per_host`` (our playbook with
  ``sync_hosts_batch=false``), ``user_playbook`` (bench/per_host/user_playbook.yml: one
  ``zabbix_host_sync`` task per host with ``zabbix_host`` as its arguments),
  ``user_playbook_host_var`` (bench/per_host/user_playbook_host_var.yml: the same with
  ``host_var: zabbix_host``) and ``set_fact_floor`` (bench/per_host/set_fact_floor.yml: Ansible's own per-host floor).
"""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from typing import Any

from .measure import Measured, run_measured
from .proxies import Proxy
from .zbx import SNMP_AUTH, SNMP_PRIV

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(REPO, "bench")
CACHE = os.path.join(REPO, ".cache", "bench")
PROJECT_VENV = os.path.join(REPO, ".venv")
ANSIBLE_VENV = os.path.join(CACHE, "venv-ansible")
NZS_VENV = os.path.join(CACHE, "venv-nzs")
BENCH_VENV = os.path.join(CACHE, "venv")
OURS_PLAYBOOK = os.environ.get("BENCH_OURS_PLAYBOOK", os.path.join(REPO, "playbooks", "sync_hosts.yml"))
SCENARIOS = ("create", "noop", "drift", "check")
PER_HOST_TOOLS = ("set_fact_floor", "ours_per_host", "user_playbook", "user_playbook_host_var")
PER_HOST_SCENARIOS = ("noop", "drift", "check")


@dataclass
class Context:
    """Everything one size N of the benchmark shares."""

    size: int
    workdir: str
    zabbix_url: str  # direct (for the harness' own untimed reads and the drift)
    zabbix_token: str
    netbox_api: str
    netbox_token: str
    zabbix_proxy: Proxy
    netbox_proxy: Proxy
    zabbix_major: float
    netbox_env: dict[str, str]
    seed_prefix: str = "nb"
    pristine_hosts: int = 0  # hosts a pristine Zabbix already has ("Zabbix server")
    desired_file: str = ""
    hosts_file: str = ""
    inventory_file: str = ""
    desired: list[dict[str, Any]] = field(default_factory=list)

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "NETBOX_", "ZABBIX_", "NBZX_"))}
        env.update({"ZABBIX_URL": self.zabbix_proxy.url, "ZABBIX_TOKEN": self.zabbix_token,
                    "NETBOX_API": self.netbox_proxy.url, "NETBOX_TOKEN": self.netbox_token,
                    "PYTHONUNBUFFERED": "1"})
        return env


def ours_env(ctx: Context) -> dict[str, str]:
    env = ctx.base_env()
    env.update({
        "PATH": f"{PROJECT_VENV}/bin:{env.get('PATH', '')}",
        "ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".cache", "collections"),
        "ANSIBLE_LOCAL_TEMP": os.path.join(ctx.workdir, "ansible-tmp"),
    })
    return env


def write_ours_inventory(ctx: Context) -> str:
    path = os.path.join(ctx.workdir, "bench.netbox_hostconfig.yml")
    with open(path, "w", encoding="utf-8") as handle:
        # Only the benchmark's own HostConfigs (the seed names them z-<prefix>-...).
        handle.write(f"plugin: netbox_zabbix.sync.hostconfig\nfilters:\n  names: ['{ctx.seed_prefix}-*']\n")
    return path


def run_ours_inventory(ctx: Context, tag: str, mode: str = "graph") -> tuple[Measured, dict[str, Any]]:
    """ansible-inventory with our plugin. ``--graph`` (prints only the group tree) is the
    inventory's own cost; ``--list`` also serialises every host variable, which costs more
    than the playbook ever spends on it, and gives the desired state for the other tools."""
    inventory = write_ours_inventory(ctx)
    out = os.path.join(ctx.workdir, f"inventory-{mode}-{tag}.{'json' if mode == 'list' else 'txt'}")
    measured = run_measured([f"{PROJECT_VENV}/bin/ansible-inventory", "-i", inventory, f"--{mode}"],
                            os.path.join(ctx.workdir, "logs", f"ours-inventory-{mode}-{tag}.log"), env=ours_env(ctx),
                            cwd=REPO, stdout_path=out)
    data: dict[str, Any] = {}
    if measured.returncode == 0 and mode == "list":
        with open(out, encoding="utf-8") as handle:
            data = json.load(handle)
    return measured, data


def run_hostconfig_floor(ctx: Context) -> dict[str, Any]:
    """The host-config pages alone (bench/hostconfig_floor.py): the floor of our inventory, same proxy."""
    out = subprocess.run([f"{PROJECT_VENV}/bin/python", os.path.join(REPO, "bench", "hostconfig_floor.py")],
                         capture_output=True, text=True, env=ours_env(ctx), cwd=REPO, timeout=3600, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"bench/hostconfig_floor.py failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class Tool:
    name = "?"
    label = "?"
    supports_check = True

    def prepare(self, ctx: Context) -> None:
        """Untimed set-up before the first scenario."""

    def run(self, ctx: Context, scenario: str, tag: str) -> Measured:
        raise NotImplementedError

    def log(self, ctx: Context, scenario: str, tag: str) -> str:
        return os.path.join(ctx.workdir, "logs", f"{self.name}-{scenario}-{tag}.log")


class Ours(Tool):
    name = "ours"
    label = "ours (netbox_zabbix.sync)"

    def run(self, ctx: Context, scenario: str, tag: str) -> Measured:
        inventory = write_ours_inventory(ctx)
        argv = [f"{PROJECT_VENV}/bin/ansible-playbook", "-i", inventory, OURS_PLAYBOOK]
        if scenario == "check":
            argv.append("--check")
        return run_measured(argv, self.log(ctx, scenario, tag), env=ours_env(ctx), cwd=REPO)


class OursPerHost(Ours):
    """Our playbook in per-host mode: one zabbix_host_sync task per host."""

    name = "ours_per_host"
    label = "ours, per-host mode (sync_hosts_batch=false)"

    def prepare(self, ctx: Context) -> None:
        # Per-host mode is measured on existing hosts (no-op, drift, check); the hosts are
        # created untimed in batch mode, as a first run would.
        create_hosts_untimed(ctx, self.log(ctx, "prepare", "create"))

    def run(self, ctx: Context, scenario: str, tag: str) -> Measured:
        argv = [f"{PROJECT_VENV}/bin/ansible-playbook", "-i", write_ours_inventory(ctx), OURS_PLAYBOOK,
                "-e", "sync_hosts_batch=false"]
        if scenario == "check":
            argv.append("--check")
        return run_measured(argv, self.log(ctx, scenario, tag), env=ours_env(ctx), cwd=REPO)


class UserPlaybook(Tool):
    """A user's own playbook: one zabbix_host_sync task per host, zabbix_host as its arguments."""

    name = "user_playbook"
    label = "user playbook, zabbix_host_sync per host"
    playbook = os.path.join(BENCH, "per_host", "user_playbook.yml")

    def prepare(self, ctx: Context) -> None:
        create_hosts_untimed(ctx, self.log(ctx, "prepare", "create"))

    def run(self, ctx: Context, scenario: str, tag: str) -> Measured:
        argv = [f"{PROJECT_VENV}/bin/ansible-playbook", "-i", write_ours_inventory(ctx), self.playbook]
        if scenario == "check":
            argv.append("--check")
        return run_measured(argv, self.log(ctx, scenario, tag), env=ours_env(ctx), cwd=REPO)


class UserPlaybookHostVar(UserPlaybook):
    """The same per-host sync, the desired state read by the action (host_var: zabbix_host)."""

    name = "user_playbook_host_var"
    label = "user playbook, zabbix_host_sync per host with host_var"
    playbook = os.path.join(BENCH, "per_host", "user_playbook_host_var.yml")


class SetFactFloor(UserPlaybook):
    """Ansible's per-host floor: set_fact per host, same inventory, forks and callbacks."""

    name = "set_fact_floor"
    label = "Ansible floor (set_fact per host)"
    playbook = os.path.join(BENCH, "per_host", "set_fact_floor.yml")

    def prepare(self, ctx: Context) -> None:
        pass


def create_hosts_untimed(ctx: Context, log_path: str) -> None:
    argv = [f"{PROJECT_VENV}/bin/ansible-playbook", "-i", write_ours_inventory(ctx), OURS_PLAYBOOK]
    measured = run_measured(argv, log_path, env=ours_env(ctx), cwd=REPO)
    if measured.returncode != 0:
        raise RuntimeError(f"creating the hosts before the per-host runs failed; log {log_path}")


class Floor(Tool):
    name = "floor"
    label = "floor (zabbix-utils, bulk)"

    def run(self, ctx: Context, scenario: str, tag: str) -> Measured:
        argv = [f"{BENCH_VENV}/bin/python", os.path.join(BENCH, "floor.py"), "--desired", ctx.desired_file]
        if scenario == "check":
            argv.append("--check")
        return run_measured(argv, self.log(ctx, scenario, tag), env=ctx.base_env(), cwd=REPO)


class ZabbixHost(Tool):
    name = "zabbix_host"

    def __init__(self, forks: int, limit: int = 0) -> None:
        self.forks = forks
        self.limit = limit  # only the first `limit` hosts (the fork probe)
        self.name = f"zabbix_host_f{forks}"
        self.label = f"community.zabbix zabbix_host (forks {forks})"

    def prepare(self, ctx: Context) -> None:
        write_zabbix_host_inventory(ctx)

    def run(self, ctx: Context, scenario: str, tag: str) -> Measured:
        env = ctx.base_env()
        env.update({
            "PATH": f"{ANSIBLE_VENV}/bin:{env.get('PATH', '')}",
            "ANSIBLE_HOST_KEY_CHECKING": "false",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_LOCAL_TEMP": os.path.join(ctx.workdir, "ansible-tmp"),
            "ANSIBLE_PERSISTENT_CONTROL_PATH_DIR": os.path.join(ctx.workdir, "pc"),
            "ANSIBLE_PYTHON_INTERPRETER": f"{ANSIBLE_VENV}/bin/python",
        })
        argv = [f"{ANSIBLE_VENV}/bin/ansible-playbook", "-i", zabbix_host_inventory_path(ctx),
                os.path.join(BENCH, "zabbix_host", "playbook.yml"), "--forks", str(self.forks)]
        if self.limit:
            argv += ["--limit", ",".join(sorted(d["host"] for d in ctx.desired)[: self.limit])]
        if scenario == "check":
            argv.append("--check")
        # cwd outside the repo: the repo's ansible.cfg points at our collection path.
        return run_measured(argv, self.log(ctx, scenario, tag), env=env, cwd=ctx.workdir)


def zabbix_host_inventory_path(ctx: Context) -> str:
    return os.path.join(ctx.workdir, "zabbix_host_inventory.json")


def zabbix_host_args(desired: dict[str, Any], major: float) -> dict[str, Any]:
    """Our desired state as community.zabbix.zabbix_host options."""
    levels = {"noauthnopriv": 0, "authnopriv": 1, "authpriv": 2}
    interfaces = []
    for iface in desired.get("interfaces") or []:
        entry: dict[str, Any] = {
            "type": iface.get("type", "agent"), "main": 1 if iface.get("main", True) else 0,
            "useip": 0 if iface.get("useip") is False else 1, "ip": iface.get("ip") or "",
            "dns": iface.get("dns") or "",
        }
        if iface.get("port"):
            entry["port"] = str(iface["port"])
        if entry["type"] == "snmp":
            details = iface.get("details") or {}
            version = int(details.get("version", 2))
            d: dict[str, Any] = {"version": version, "bulk": 1 if details.get("bulk", True) else 0}
            if version == 3:
                d["securitylevel"] = levels.get(str(details.get("securitylevel", "noauthnopriv")), 0)
                d["securityname"] = details.get("securityname") or ""
                d["contextname"] = details.get("contextname") or ""
                if details.get("authprotocol"):
                    d["authprotocol"] = SNMP_AUTH.get(str(details["authprotocol"]), 0)
                if details.get("privprotocol"):
                    d["privprotocol"] = SNMP_PRIV.get(str(details["privprotocol"]), 0)
                for secret in ("authpassphrase", "privpassphrase"):
                    if details.get(secret):
                        d[secret] = details[secret]
            else:
                d["community"] = details.get("community") or "{$SNMP_COMMUNITY}"
            entry["details"] = d
        interfaces.append(entry)
    name_of = lambda e: e if isinstance(e, str) else e["name"]  # noqa: E731
    hv: dict[str, Any] = {
        "zbx_visible_name": desired.get("name") or desired["host"],
        "zbx_description": desired.get("description") or "",
        "zbx_status": desired.get("status", "enabled"),
        "zbx_host_groups": [name_of(g) for g in desired.get("host_groups") or []],
        "zbx_templates": [name_of(t) for t in desired.get("templates") or []],
        "zbx_interfaces": interfaces,
        "zbx_tags": [{"tag": t["tag"], "value": t.get("value", "")} for t in desired.get("tags") or []],
    }
    if desired.get("inventory_mode"):
        hv["zbx_inventory_mode"] = desired["inventory_mode"]
    if desired.get("inventory") and desired.get("inventory_mode") != "disabled":
        hv["zbx_inventory"] = dict(desired["inventory"])
    monitored_by = desired.get("monitored_by") or "server"
    if major >= 7.0:
        hv["zbx_monitored_by"] = {"server": "zabbix_server"}.get(monitored_by, monitored_by)
        if monitored_by == "proxy_group" and desired.get("proxy_group"):
            hv["zbx_proxy_group"] = name_of(desired["proxy_group"])
    if monitored_by == "proxy" and desired.get("proxy"):
        hv["zbx_proxy"] = name_of(desired["proxy"])
    return hv


def write_zabbix_host_inventory(ctx: Context) -> str:
    """A static inventory generated from the same desired state (JSON is valid YAML)."""
    hosts = {d["host"]: zabbix_host_args(d, ctx.zabbix_major) for d in ctx.desired}
    inventory = {
        "all": {
            "vars": {"zabbix_api_port": ctx.zabbix_proxy.port},
            "children": {
                "zabbix_hosts": {"hosts": hosts},
                "api": {"hosts": {"zabbix_api": {"ansible_host": "127.0.0.1"}}},
            }
        }
    }
    path = zabbix_host_inventory_path(ctx)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(inventory, handle)
    return path


class NetboxZabbixSync(Tool):
    name = "nzs"
    label = "netbox-zabbix-sync 4.1.0"
    supports_check = False  # it has no dry-run mode

    def __init__(self) -> None:
        self.prepare_summary: dict[str, Any] = {}

    def prepare(self, ctx: Context) -> None:
        env = {k: v for k, v in os.environ.items()}
        # the fixture plugin is on NetBox's PYTHONPATH (stack/netbox.sh), not in its venv
        env.update({"NETBOX_ROOT": ctx.netbox_env["NETBOX_ROOT"], "DISABLE_NETBOX_ZABBIX_SIGNALS": "1",
                    "PYTHONPATH": os.path.join(REPO, "tests", "netbox_plugin")})
        python = os.path.join(ctx.netbox_env["NETBOX_VENV"], "bin", "python")
        out = subprocess.run([python, os.path.join(BENCH, "nzs", "prepare.py"), ctx.hosts_file], env=env,
                             capture_output=True, text=True, check=False, timeout=1800)
        if out.returncode != 0:
            raise RuntimeError(f"bench/nzs/prepare.py failed: {out.stderr[-2000:]}")
        self.prepare_summary = json.loads(out.stdout.strip().splitlines()[-1])

    def config_file(self, ctx: Context) -> str:
        """bench/nzs/config.py plus a filter to the benchmark's own Devices/VMs."""
        path = os.path.join(ctx.workdir, "nzs_config.py")
        with open(os.path.join(BENCH, "nzs", "config.py"), encoding="utf-8") as handle:
            base = handle.read()
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(base + f'\nnb_device_filter = {{"name__isw": "{ctx.seed_prefix}-"}}\n'
                         f'nb_vm_filter = {{"name__isw": "{ctx.seed_prefix}-"}}\n')
        return path

    def run(self, ctx: Context, scenario: str, tag: str) -> Measured:
        env = ctx.base_env()
        env.pop("NETBOX_API", None)
        env.update({"ZABBIX_HOST": ctx.zabbix_proxy.url, "NETBOX_HOST": ctx.netbox_proxy.url})
        argv = [f"{NZS_VENV}/bin/netbox-zabbix-sync", "--config", self.config_file(ctx)]
        return run_measured(argv, self.log(ctx, scenario, tag), env=env, cwd=ctx.workdir)


def make_tools(names: list[str], zabbix_host_forks: list[int]) -> list[Tool]:
    tools: list[Tool] = []
    for name in names:
        if name == "ours":
            tools.append(Ours())
        elif name == "floor":
            tools.append(Floor())
        elif name == "zabbix_host":
            tools.extend(ZabbixHost(f) for f in zabbix_host_forks)
        elif name == "nzs":
            tools.append(NetboxZabbixSync())
        elif name == "ours_per_host":
            tools.append(OursPerHost())
        elif name == "user_playbook":
            tools.append(UserPlaybook())
        elif name == "user_playbook_host_var":
            tools.append(UserPlaybookHostVar())
        elif name == "set_fact_floor":
            tools.append(SetFactFloor())
        else:
            raise SystemExit(f"unknown tool {name!r} (ours, floor, zabbix_host, nzs, per_host)")
    return tools
