"""The two counting proxies (Zabbix, NetBox) every tool talks through, and their counts."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROXY_SCRIPT = os.path.join(REPO, "tests", "tools", "http_counter_proxy.py")
WRITE_SUFFIXES = (".create", ".update", ".delete", ".massadd", ".massupdate", ".massremove", ".generate")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Proxy:
    name: str
    target: str
    port: int
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stats(self, reset: bool = False) -> dict[str, Any]:
        query = "?reset=1" if reset else ""
        with urllib.request.urlopen(f"{self.url}/__stats{query}", timeout=10) as response:
            return json.load(response)

    def reset(self) -> None:
        self.stats(reset=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def start_proxy(name: str, target: str, workdir: str) -> Proxy:
    os.makedirs(workdir, exist_ok=True)
    port_file = os.path.join(workdir, f"{name}.port")
    if os.path.exists(port_file):
        os.unlink(port_file)
    log = open(os.path.join(workdir, f"{name}-proxy.log"), "wb")
    proc = subprocess.Popen(
        [sys.executable, PROXY_SCRIPT, "--target", target, "--port-file", port_file,
         "--stats-file", os.path.join(workdir, f"{name}-proxy-final.json")],
        stdout=log, stderr=log, stdin=subprocess.DEVNULL,
    )
    deadline = time.time() + 15
    while time.time() < deadline:
        if os.path.exists(port_file) and open(port_file).read().strip():
            return Proxy(name, target, int(open(port_file).read()), proc)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"counting proxy for {name} did not start (see {workdir}/{name}-proxy.log)")


def summarise_zabbix(stats: dict[str, Any]) -> dict[str, Any]:
    rpc = stats.get("by_rpc_method", {})
    writes = {m: n for m, n in rpc.items() if m.endswith(WRITE_SUFFIXES) and not m.startswith("token.")}
    return {"requests": stats.get("requests", 0), "writes": sum(writes.values()), "by_method": rpc,
            "write_methods": writes}


def summarise_netbox(stats: dict[str, Any]) -> dict[str, Any]:
    by_path = stats.get("by_path", {})
    writes = {p: n for p, n in by_path.items() if p.split(" ", 1)[0] in WRITE_METHODS}
    return {"requests": stats.get("requests", 0), "writes": sum(writes.values()), "by_path": by_path}
