# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Deterministic fault injection on loopback, for the reliability tests.

Built on the counting proxy of ``http_counter_proxy.py`` (not edited here: subclassed):

* `Rule` / `ScriptedPlan`: which request to disturb, decided from the JSON-RPC method, the
  how-many-th request of that kind it is, and a substring of the body (e.g. a host id);
  every decision is recorded (`ScriptedPlan.injected`).
* `LateFault`: the request *is* forwarded and processed, then the answer is lost (a reset or
  a 502 instead of it): the "did my write land?" case.
* `FaultProxy`: the proxy in a thread (a context manager); ``tls=(cert, key)`` serves HTTPS.
* `self_signed_cert()`: a throwaway certificate made with ``openssl``.
* `ZabbixPhp`: a private ``php -S`` serving one Zabbix version's web root (same database as
  the shared stack) on its own port, so that a test can kill it mid-run without touching
  the shared server.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import typing as t
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "stack"))
from envfile import read_env_file  # noqa: E402  pylint: disable=wrong-import-position
import http_counter_proxy as hcp  # noqa: E402  (a sibling script, not a package)

Fault = hcp.Fault
RequestInfo = hcp.RequestInfo


@dataclass(frozen=True)
class LateFault:
    """Forward the request, let the target process it, then lose the answer."""

    reset: bool = True  # close the client's connection with a TCP RST
    status: int | None = None  # or answer this status instead of the real answer


@dataclass
class Rule:
    """Disturb matching requests.

    ``rpc``: a JSON-RPC method (``host.update``) or None for any request; ``path``: a path
    prefix (NetBox endpoints); ``body``: a substring the body must contain; ``nth``: which
    matches (1-based, counted per rule) to disturb, None for all; ``every``: each every-th match.
    ``action`` is called (with the request) when the rule fires, e.g. to kill the target.
    """

    fault: Fault | LateFault
    rpc: str | None = None
    path: str | None = None
    body: str | None = None
    nth: t.Collection[int] | None = None
    every: int | None = None
    action: t.Callable[[RequestInfo], None] | None = None
    matched: int = 0
    fired: int = 0

    def matches(self, info: RequestInfo, body: bytes) -> bool:
        if self.rpc is not None and self.rpc not in info.rpc_methods:
            return False
        if self.path is not None and not info.path.startswith(self.path):
            return False
        if self.body is not None and self.body.encode() not in body:
            return False
        return True

    def fires(self) -> bool:
        """Called once per matching request, in order (whether or not another rule fires)."""
        self.matched += 1
        if self.nth is not None and self.matched not in self.nth:
            return False
        if self.every is not None and self.matched % self.every:
            return False
        self.fired += 1
        return True


@dataclass
class Injected:
    sequence: int
    rpc: tuple[str, ...]
    path: str
    kind: str


class ScriptedPlan(hcp.FaultPlan):
    """The first rule that matches and fires decides; all decisions are recorded."""

    def __init__(self, *rules: Rule) -> None:
        self.rules = list(rules)
        self.lock = threading.Lock()
        self.injected: list[Injected] = []
        self.seen: list[tuple[int, tuple[str, ...], str, float]] = []  # every request: (sequence, rpc, path, monotonic time)
        self.enabled = True

    def decide(self, request: RequestInfo) -> Fault | None:  # the base hook (no body)
        decision = self.decide_with_body(request, b"")
        return decision if isinstance(decision, Fault) else None

    def decide_with_body(self, request: RequestInfo, body: bytes) -> Fault | LateFault | None:
        with self.lock:
            self.seen.append((request.sequence, request.rpc_methods, request.path, time.monotonic()))
            if not self.enabled:
                return None
            # every rule counts every request it matches, so "nth" never depends on the other rules
            firing = [rule for rule in self.rules if rule.matches(request, body) and rule.fires()]
            if not firing:
                return None
            rule = firing[0]
            self.injected.append(Injected(request.sequence, request.rpc_methods, request.path, describe(rule.fault)))
        if rule.action is not None:
            rule.action(request)  # outside the lock: it may take a while (killing a server)
        return rule.fault

    def count(self, rpc: str) -> int:
        """Requests seen (faulted or not) carrying this JSON-RPC method."""
        with self.lock:
            return sum(1 for _sequence, methods, _path, _when in self.seen if rpc in methods)

    def times(self, rpc: str) -> list[float]:
        """When each request carrying this JSON-RPC method arrived (monotonic seconds)."""
        with self.lock:
            return [when for _sequence, methods, _path, when in self.seen if rpc in methods]

    def reset_counts(self) -> None:
        with self.lock:
            self.seen.clear()
            self.injected.clear()


def describe(fault: Fault | LateFault) -> str:
    if isinstance(fault, LateFault):
        return f"late_{fault.status}" if fault.status else "late_reset"
    if fault.reset:
        return "reset"
    if fault.status:
        return f"status_{fault.status}"
    return f"delay_{fault.delay:g}s"


class FaultProxyHandler(hcp.ProxyHandler):
    """The counting proxy's handler, with body-aware plans and late faults."""

    def forward(self) -> None:
        plan = self.server.fault_plan
        if not isinstance(plan, ScriptedPlan):
            super().forward()
            return
        body = self.read_body()
        path = hcp.normalise_path(self.path)
        rpc = hcp.rpc_methods_of(body, self.headers.get("Content-Type", ""))
        sequence = self.server.stats.next_sequence()
        fault = plan.decide_with_body(hcp.RequestInfo(self.command, path, rpc, sequence), body)
        if isinstance(fault, Fault) and self.apply_fault(fault):
            self.server.stats.record(self.command, path, rpc, fault.status or 0, len(body), len(fault.body), 0.0)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in hcp.HOP_BY_HOP and k.lower() != "content-length"}
        headers["Content-Length"] = str(len(body))
        started = time.perf_counter()
        try:
            response, payload = self.exchange(headers, body)
        except OSError:
            # the target is gone (killed): what a client sees from a dead server is a closed connection
            self.server.stats.record_fault("upstream_down")
            self._reset_client()
            return
        elapsed = time.perf_counter() - started
        self.server.stats.record(self.command, path, rpc, response.status, len(body), len(payload), elapsed)
        if isinstance(fault, LateFault):
            self.server.stats.record_fault(describe(fault))
            if fault.status is None:
                self._reset_client()
            else:
                self.answer_local(fault.status, b"", content_type="text/plain")
            return
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in hcp.HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    def _reset_client(self) -> None:
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


class FaultProxyServer(hcp.CounterProxyServer):
    def __init__(self, port: int, target: str, fault_plan: hcp.FaultPlan | None = None,
                 tls: tuple[Path, Path] | None = None) -> None:
        super().__init__(port, target, fault_plan)
        self.RequestHandlerClass = FaultProxyHandler
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.socket = context.wrap_socket(self.socket, server_side=True)

    def handle_error(self, request: t.Any, client_address: t.Any) -> None:
        pass  # failed TLS handshakes and resets are the point here: keep stderr clean


class FaultProxy:
    """``with FaultProxy("http://127.0.0.1:18070", ScriptedPlan(...)) as proxy: proxy.url``."""

    def __init__(self, target: str, plan: hcp.FaultPlan | None = None, tls: tuple[Path, Path] | None = None) -> None:
        self.plan = plan or ScriptedPlan()
        self.server = FaultProxyServer(0, target, self.plan, tls)
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.port}"

    def stats(self) -> dict[str, t.Any]:
        return self.server.stats.snapshot()

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: t.Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def self_signed_cert(directory: Path, name: str = "localhost") -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 (``openssl`` must be installed)."""
    cert, key = directory / f"{name}.crt", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ZabbixPhp:
    """A private ``php -S`` for one Zabbix version of the shared stack (same web root and DB).

    Started like stack/zabbix.sh starts the shared one, in its own process group, so that
    `kill()` ends exactly this server (master and workers) and nothing else.
    """

    def __init__(self, stack_dir: Path, version: str, port: int | None = None, webroot: Path | None = None) -> None:
        self.webroot = webroot or stack_dir / f"zabbix-{version}" / "usr" / "share" / "zabbix"
        if not (self.webroot / "api_jsonrpc.php").is_file():
            raise FileNotFoundError(f"no Zabbix {version} web root at {self.webroot}")
        if shutil.which("php") is None:
            raise FileNotFoundError("php is not installed")
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        self.process = subprocess.Popen(
            ["php", "-d", "memory_limit=1G", "-d", "post_max_size=64M", "-d", "max_execution_time=0",
             "-d", "display_errors=0", "-d", "log_errors=1", "-d", "date.timezone=UTC",
             "-S", f"127.0.0.1:{self.port}", "-t", str(self.webroot)],
            cwd=self.webroot, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        body = b'{"jsonrpc":"2.0","method":"apiinfo.version","params":{},"id":1}'
        while time.monotonic() < deadline:
            try:
                request = urllib.request.Request(f"{self.url}/api_jsonrpc.php", body, {"Content-Type": "application/json-rpc"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    if b"result" in response.read():
                        return
            except OSError:
                time.sleep(0.2)
        self.kill()
        raise TimeoutError(f"private php -S on {self.url} did not answer within {timeout}s")

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers at once: no worker keeps the port)."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self.process = None
        # the port is free once nothing accepts on it any more
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.1)

    def __enter__(self) -> ZabbixPhp:
        self.start()
        return self

    def __exit__(self, *exc: t.Any) -> None:
        self.kill()


class PrivateZabbix:
    """A Zabbix API of one's own: a copy of the pristine database and of the web root (whose
    config path is hard-coded), served by a private `ZabbixPhp`.

    Nothing another test does to the shared stack (resets, hosts) reaches it, so whole
    tables can be checksummed and the server killed at will. The API token of the shared
    stack works (it lives in the pristine database). About 2 s to start.
    """

    def __init__(self, stack_dir: Path, version: str, workdir: Path, name: str) -> None:
        self.stack_dir = stack_dir
        self.version = version
        self.db = f"zabbix{version.replace('.', '')}_{name}"
        self.workdir = workdir
        self.env = read_env_file(stack_dir / f"zabbix-{version}.env")
        self.php: ZabbixPhp | None = None

    def psql(self, sql: str, database: str | None = None) -> str:
        done = subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-F", "\t", "-h", self.env["ZABBIX_PG_HOST"],
             "-p", self.env["ZABBIX_PG_PORT"], "-U", "postgres", "-d", database or self.db, "-c", sql],
            capture_output=True, text=True, timeout=300, check=False,
        )
        if done.returncode:
            raise RuntimeError(f"psql: {done.stderr.strip()}")
        return done.stdout

    @property
    def url(self) -> str:
        assert self.php is not None
        return self.php.url

    def start(self) -> PrivateZabbix:
        pristine = f"{self.env['ZABBIX_DB']}_pristine"
        self.psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)", "postgres")
        self.psql(f"CREATE DATABASE {self.db} TEMPLATE {pristine} OWNER zabbix", "postgres")
        source = self.stack_dir / f"zabbix-{self.version}"
        webroot = self.workdir / "usr" / "share" / "zabbix"
        if not webroot.exists():
            shutil.copytree(source / "usr" / "share" / "zabbix", webroot, symlinks=True)
        config = self.workdir / "zabbix.conf.php"
        text = (source / "zabbix.conf.php").read_text()
        config.write_text(text.replace(f"'{self.env['ZABBIX_DB']}'", f"'{self.db}'"))
        config_class = webroot / "include" / "classes" / "core" / "CConfigFile.php"
        code = config_class.read_text()
        start = code.index("const CONFIG_FILE_PATH = '") + len("const CONFIG_FILE_PATH = '")
        end = code.index("'", start)
        config_class.write_text(code[:start] + str(config) + code[end:])
        self.php = ZabbixPhp(self.stack_dir, self.version, webroot=webroot)
        self.php.start()
        return self

    def stop(self) -> None:
        if self.php is not None:
            self.php.kill()
        try:
            self.psql(f"DROP DATABASE IF EXISTS {self.db} WITH (FORCE)", "postgres")
        except RuntimeError:
            pass

    def __enter__(self) -> PrivateZabbix:
        return self.start()

    def __exit__(self, *exc: t.Any) -> None:
        self.stop()


# --------------------------------------------------------------------------- read-back checks
INTERFACE_CODES = {"agent": "1", "snmp": "2", "ipmi": "3", "jmx": "4"}
DEFAULT_PORTS = {"agent": "10050", "snmp": "161", "ipmi": "623", "jmx": "12345"}


def _ref_name(entry: t.Any) -> str:
    return str(entry["name"] if isinstance(entry, dict) else entry)


MACRO_TYPES = {"text": "0", "secret": "1", "vault": "2"}
TLS_CODES = {"no_encryption": 1, "psk": 2, "certificate": 4}
SNMP_CODES = {
    "securitylevel": {"noauthnopriv": "0", "authnopriv": "1", "authpriv": "2"},
    "authprotocol": {"md5": "0", "sha1": "1", "sha224": "2", "sha256": "3", "sha384": "4", "sha512": "5"},
    "privprotocol": {"des": "0", "aes128": "1", "aes192": "2", "aes256": "3", "aes192c": "4", "aes256c": "5"},
}
# write-only in Zabbix: never read back, so never judged here
SNMP_SECRETS = ("authpassphrase", "privpassphrase")


def _snmp_details(details: dict[str, t.Any]) -> dict[str, str]:
    """Desired SNMP details in Zabbix's read-back codes (only the keys the desired state sets)."""
    out: dict[str, str] = {}
    for key, value in details.items():
        if key in SNMP_SECRETS or value is None:
            continue
        if key in SNMP_CODES:
            out[key] = SNMP_CODES[key][str(value)]
        elif key == "bulk":
            out[key] = "1" if value else "0"
        else:
            out[key] = str(value)
    return out


def host_mismatches(desired: dict[str, t.Any], zhost: dict[str, t.Any] | None,
                    proxy_names: dict[str, str] | None = None) -> list[str]:
    """Fields of a Zabbix host (read with every select, groups under ``groups``) that differ
    from its desired state (docs/desired-state.md); [] when the host is fully applied.

    Compares every field the desired state sets and Zabbix returns: macros with their values,
    types and descriptions (secret values are write-only), SNMP details (not the passphrases),
    TLS modes, and the proxy by name (``proxy_names``: Zabbix proxy id -> name, required when
    the desired state names a proxy). Independent of the collection's own diff on purpose:
    what a test reads back itself."""
    if zhost is None:
        return ["<absent>"]
    wrong: list[str] = []
    if "name" in desired and zhost["name"] != (desired["name"] or desired["host"]):
        wrong.append("name")
    if "description" in desired and zhost.get("description", "") != (desired["description"] or ""):
        wrong.append("description")
    if "status" in desired and zhost["status"] != {"enabled": "0", "disabled": "1"}[desired["status"]]:
        wrong.append("status")
    if "host_groups" in desired and {_ref_name(g) for g in desired["host_groups"]} != {g["name"] for g in zhost["groups"]}:
        wrong.append("host_groups")
    if "templates" in desired:
        have = {name for tp in zhost.get("parentTemplates") or [] for name in (tp.get("host"), tp.get("name"))}
        if not {_ref_name(tp) for tp in desired["templates"]} <= have or len(desired["templates"]) != len(zhost.get("parentTemplates") or []):
            wrong.append("templates")
    if "interfaces" in desired:
        def key(kind: str, ip: str, dns: str, useip: bool, port: str) -> tuple[str, str, str, str, str]:
            return kind, ip if useip else "", dns if not useip else "", "1" if useip else "0", port

        want = sorted((key(INTERFACE_CODES[i["type"]], i.get("ip") or "", i.get("dns") or "", i.get("useip", True) is not False,
                           str(i.get("port") or DEFAULT_PORTS[i["type"]])), _snmp_details(i.get("details") or {}))
                      for i in desired["interfaces"])
        have_rows = sorted((key(z["type"], z["ip"] if z["useip"] == "1" else "", z["dns"] if z["useip"] != "1" else "",
                                z["useip"] == "1", z["port"]), z.get("details") or {}) for z in zhost.get("interfaces") or [])
        if [row[0] for row in want] != [row[0] for row in have_rows]:
            wrong.append("interfaces")
        elif any(not isinstance(have_details, dict)
                 or any(str(have_details.get(k)) != v for k, v in want_details.items()
                        if k in have_details or k != "max_repetitions")  # 7.0+ only
                 for (_k, want_details), (_h, have_details) in zip(want, have_rows)):
            wrong.append("interfaces.details")
    if "tags" in desired:
        if {(tg["tag"], tg.get("value") or "") for tg in desired["tags"]} != {(tg["tag"], tg["value"]) for tg in zhost.get("tags") or []}:
            wrong.append("tags")
    if "macros" in desired:
        def macro_key(macro: dict[str, t.Any], zabbix: bool) -> tuple[str, ...]:
            kind = str(macro.get("type", "0")) if zabbix else MACRO_TYPES[macro.get("type") or "text"]
            value = "" if kind == "1" else str(macro.get("value") or "")  # secret values are write-only
            return str(macro["macro"]).upper(), kind, value, str(macro.get("description") or "")

        want_macros = {macro_key(m, False) for m in desired["macros"]}
        if not any("description" in m for m in desired["macros"]):
            want_macros = {k[:3] for k in want_macros}
            have_macros = {macro_key(m, True)[:3] for m in zhost.get("macros") or []}
        else:
            have_macros = {macro_key(m, True) for m in zhost.get("macros") or []}
        if want_macros != have_macros:
            wrong.append("macros")
    if desired.get("inventory"):
        inventory = zhost.get("inventory") or {}
        if any(str(inventory.get(k, "")) != str(v) for k, v in desired["inventory"].items()):
            wrong.append("inventory")
    if "tls_connect" in desired and zhost.get("tls_connect") != str(TLS_CODES[desired["tls_connect"]]):
        wrong.append("tls_connect")
    if "tls_accept" in desired:
        accept = desired["tls_accept"] if isinstance(desired["tls_accept"], list) else [desired["tls_accept"]]
        if zhost.get("tls_accept") != str(sum(TLS_CODES[mode] for mode in set(accept))):
            wrong.append("tls_accept")
    if "monitored_by" in desired and "monitored_by" in zhost:
        if zhost["monitored_by"] != {"server": "0", "proxy": "1", "proxy_group": "2"}[desired["monitored_by"]]:
            wrong.append("monitored_by")
    if "proxy" in desired or "monitored_by" in desired:
        proxyid = zhost.get("proxyid", zhost.get("proxy_hostid")) or "0"
        wanted = desired.get("proxy") if desired.get("monitored_by", "proxy" if desired.get("proxy") else "server") == "proxy" else None
        if wanted and proxy_names is None:
            raise ValueError("host_mismatches: the desired state names a proxy; pass proxy_names (Zabbix id -> name)")
        have_proxy = (proxy_names or {}).get(proxyid) if proxyid not in ("0", "") else None
        if (_ref_name(wanted) if wanted else None) != have_proxy:
            wrong.append("proxy")
    return wrong


def proxy_names(call: t.Callable[[str, t.Any], t.Any]) -> dict[str, str]:
    """Zabbix proxy id -> name, for host_mismatches (6.0 names a proxy ``host``, 7.0 ``name``)."""
    return {str(p["proxyid"]): str(p.get("name") or p.get("host")) for p in call("proxy.get", {"output": "extend"})}
