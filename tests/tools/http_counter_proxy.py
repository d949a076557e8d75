"""A small counting reverse proxy for loopback HTTP services (benchmark and tests).

It forwards every request to one target (``http://127.0.0.1:PORT``), keeps connections
alive on both sides, and counts what passed:

* per ``METHOD /path`` (the query string dropped, numeric path segments folded to ``{id}``),
* per JSON-RPC ``method`` in the body (Zabbix: ``host.get``, ``host.update`` ...),
* per HTTP status, plus request/response bytes and the time spent waiting for the target.

The counts are returned by ``GET /__stats`` (``GET /__stats?reset=1`` returns them and
starts over; ``POST /__reset`` only starts over) and written as JSON to ``--stats-file`` on
SIGTERM/SIGINT. It listens on 127.0.0.1 only and stops by itself after ``--max-seconds``.

Fault injection (5xx answers, delays, connection resets) plugs in through `FaultPlan`:
subclass it, return a `Fault` from `FaultPlan.decide()` for the requests to disturb, and
pass it to `make_server()`. The default plan disturbs nothing.

Usage:
    python3 tests/tools/http_counter_proxy.py --target http://127.0.0.1:18070 --port 0 \
        --port-file /tmp/zbx.port --stats-file /tmp/zbx.json
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

LISTEN_HOST = "127.0.0.1"  # never anything else: this is a test tool
STATS_PATH = "/__stats"
RESET_PATH = "/__reset"
# Hop-by-hop headers (RFC 9110 7.6.1) are per connection and never forwarded.
HOP_BY_HOP = frozenset(
    ("connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade")
)
NUMERIC_SEGMENT = re.compile(r"/\d+(?=/|$)")
UPSTREAM_TIMEOUT = 300.0


# --------------------------------------------------------------------------- fault hook
@dataclass(frozen=True)
class RequestInfo:
    """What a fault plan may look at to decide: one request, before it is forwarded."""

    method: str
    path: str  # the normalised path (no query string, numeric segments as {id})
    rpc_methods: tuple[str, ...]  # JSON-RPC methods in the body, if any
    sequence: int  # 1 for the first request the proxy has seen, and so on


@dataclass(frozen=True)
class Fault:
    """One disturbance. ``delay`` is applied first, then at most one of the others."""

    delay: float = 0.0  # seconds to sleep before forwarding
    status: int | None = None  # answer this HTTP status without forwarding (e.g. 502, 503)
    body: bytes = b""  # body sent with ``status``
    reset: bool = False  # close the client's connection without an answer


class FaultPlan:
    """Decides, per request, whether to disturb it. The base plan never does.

    Subclasses override `decide`; it runs in the request's handler thread, so a plan that
    keeps state must lock it. Example: fail every 10th ``host.update`` with a 503::

        class EveryTenthUpdate(FaultPlan):
            def decide(self, request):
                if "host.update" in request.rpc_methods and request.sequence % 10 == 0:
                    return Fault(status=503)
                return None
    """

    def decide(self, request: RequestInfo) -> Fault | None:
        return None


# --------------------------------------------------------------------------- counting
def normalise_path(raw_path: str) -> str:
    path = urlsplit(raw_path).path or "/"
    return NUMERIC_SEGMENT.sub("/{id}", path)


def rpc_methods_of(body: bytes, content_type: str) -> tuple[str, ...]:
    """JSON-RPC method names in a request body (a single call or a batch)."""
    if not body or "json" not in content_type.lower():
        return ()
    try:
        payload = json.loads(body)
    except ValueError:
        return ()
    calls = payload if isinstance(payload, list) else [payload]
    return tuple(str(call["method"]) for call in calls if isinstance(call, dict) and "method" in call)


@dataclass
class Stats:
    """Thread-safe counters; `snapshot()` is what /__stats and the stats file hold."""

    target: str
    started: float = field(default_factory=time.time)
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    by_path: Counter = field(default_factory=Counter)
    by_rpc_method: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    bytes_in: int = 0
    bytes_out: int = 0
    upstream_seconds: float = 0.0
    connections: int = 0

    def next_sequence(self) -> int:
        with self.lock:
            self.requests += 1
            return self.requests

    def record(self, method: str, path: str, rpc: tuple[str, ...], status: int, size_in: int, size_out: int, seconds: float) -> None:
        with self.lock:
            self.by_path[f"{method} {path}"] += 1
            for name in rpc:
                self.by_rpc_method[name] += 1
            self.by_status[str(status)] += 1
            self.bytes_in += size_in
            self.bytes_out += size_out
            self.upstream_seconds += seconds

    def record_fault(self, kind: str) -> None:
        with self.lock:
            self.faults[kind] += 1

    def record_connection(self) -> None:
        with self.lock:
            self.connections += 1

    def snapshot(self, reset: bool = False) -> dict[str, Any]:
        with self.lock:
            data = {
                "target": self.target,
                "since": self.started,
                "seconds": round(time.time() - self.started, 3),
                "requests": self.requests,
                "client_connections": self.connections,
                "by_path": dict(sorted(self.by_path.items())),
                "by_rpc_method": dict(sorted(self.by_rpc_method.items())),
                "by_status": dict(sorted(self.by_status.items())),
                "faults": dict(self.faults),
                "bytes_in": self.bytes_in,
                "bytes_out": self.bytes_out,
                "upstream_seconds": round(self.upstream_seconds, 3),
            }
            if reset:
                self._reset()
            return data

    def _reset(self) -> None:
        self.started = time.time()
        self.requests = self.bytes_in = self.bytes_out = self.connections = 0
        self.upstream_seconds = 0.0
        for counter in (self.by_path, self.by_rpc_method, self.by_status, self.faults):
            counter.clear()

    def reset(self) -> None:
        with self.lock:
            self._reset()


# --------------------------------------------------------------------------- forwarding
class NoDelayHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class UpstreamPool:
    """One kept-alive connection to the target per handler thread."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.local = threading.local()

    def get(self, fresh: bool = False) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            conn = NoDelayHTTPConnection(self.host, self.port, timeout=UPSTREAM_TIMEOUT)
            self.local.conn = conn
        return conn

    def drop(self) -> None:
        conn = getattr(self.local, "conn", None)
        if conn is not None:
            conn.close()
            self.local.conn = None


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive towards the client
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
    # the client's delayed ACK add about 40 ms to every answer.
    disable_nagle_algorithm = True
    server: "CounterProxyServer"

    # BaseHTTPRequestHandler dispatches on do_<METHOD>; every method is forwarded alike.
    def do_GET(self) -> None:
        path = urlsplit(self.path)
        if path.path == STATS_PATH:
            reset = parse_qs(path.query).get("reset", ["0"])[0] not in ("", "0", "false")
            self.answer_local(200, json.dumps(self.server.stats.snapshot(reset=reset)).encode())
            return
        self.forward()

    def do_POST(self) -> None:
        if urlsplit(self.path).path == RESET_PATH:
            self.read_body()
            self.server.stats.reset()
            self.answer_local(204, b"")
            return
        self.forward()

    def do_PUT(self) -> None:
        self.forward()

    def do_PATCH(self) -> None:
        self.forward()

    def do_DELETE(self) -> None:
        self.forward()

    def do_HEAD(self) -> None:
        self.forward()

    def do_OPTIONS(self) -> None:
        self.forward()

    def setup(self) -> None:
        super().setup()
        self.server.stats.record_connection()

    def finish(self) -> None:
        super().finish()
        self.server.pool.drop()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        if self.server.verbose:
            super().log_message(format, *args)

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self.read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def answer_local(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def forward(self) -> None:
        body = self.read_body()
        path = normalise_path(self.path)
        rpc = rpc_methods_of(body, self.headers.get("Content-Type", ""))
        sequence = self.server.stats.next_sequence()
        fault = self.server.fault_plan.decide(RequestInfo(self.command, path, rpc, sequence))
        if fault is not None and self.apply_fault(fault):
            self.server.stats.record(self.command, path, rpc, fault.status or 0, len(body), len(fault.body), 0.0)
            return

        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"}
        # The Host header is passed through unchanged, so that NetBox builds its `next`
        # page links (and object URLs) with the proxy's address and those pass here too.
        headers["Content-Length"] = str(len(body))
        started = time.perf_counter()
        response, payload = self.exchange(headers, body)
        elapsed = time.perf_counter() - started
        self.server.stats.record(self.command, path, rpc, response.status, len(body), len(payload), elapsed)

        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    def exchange(self, headers: dict[str, str], body: bytes) -> tuple[http.client.HTTPResponse, bytes]:
        """Send one request upstream; retry once on a fresh connection if a kept-alive one died."""
        for attempt in (1, 2):
            conn = self.server.pool.get(fresh=attempt == 2)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.CannotSendRequest):
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.server.pool.drop()
            return response, payload
        raise AssertionError("unreachable")

    def apply_fault(self, fault: Fault) -> bool:
        """Apply a fault; True when the request was answered (or dropped) here."""
        if fault.delay:
            self.server.stats.record_fault("delay")
            time.sleep(fault.delay)
        if fault.reset:
            self.server.stats.record_fault("reset")
            self.close_connection = True
            # SO_LINGER 0 turns close() into a TCP RST, which is what a crashed peer looks like.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            return True
        if fault.status is not None:
            self.server.stats.record_fault(f"status_{fault.status}")
            self.answer_local(fault.status, fault.body, content_type="text/plain")
            return True
        return False


class CounterProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, port: int, target: str, fault_plan: FaultPlan | None = None, verbose: bool = False) -> None:
        parts = urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"target must be http://host:port, got {target!r}")
        super().__init__((LISTEN_HOST, port), ProxyHandler)
        self.pool = UpstreamPool(parts.hostname, parts.port or 80)
        self.stats = Stats(target=target)
        self.fault_plan = fault_plan or FaultPlan()
        self.verbose = verbose

    @property
    def port(self) -> int:
        return self.server_address[1]


def make_server(target: str, port: int = 0, fault_plan: FaultPlan | None = None, verbose: bool = False) -> CounterProxyServer:
    """A proxy bound to 127.0.0.1:port (0: any free port); call serve_forever() in a thread."""
    return CounterProxyServer(port, target, fault_plan, verbose)


# --------------------------------------------------------------------------- CLI
def write_json(path: str, data: dict[str, Any]) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--target", required=True, help="http://127.0.0.1:PORT to forward to")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--stats-file", help="write the counts here as JSON on SIGTERM/SIGINT")
    parser.add_argument("--max-seconds", type=float, default=6 * 3600, help="stop by itself after this long")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    server = make_server(args.target, args.port, verbose=args.verbose)
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    if args.port_file:
        with open(args.port_file, "w", encoding="utf-8") as handle:
            handle.write(f"{server.port}\n")
    print(f"http_counter_proxy: 127.0.0.1:{server.port} -> {args.target}", file=sys.stderr, flush=True)
    stop.wait(args.max_seconds)
    server.shutdown()
    if args.stats_file:
        write_json(args.stats_file, server.stats.snapshot())
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
