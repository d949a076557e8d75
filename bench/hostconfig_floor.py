#!/usr/bin/env python3
"""The inventory's floor: the host-config pages alone, read the way our inventory reads them.

The plugin's host-config list is the slow call (about 2 SQL queries a row, no prefetch), and
every HostConfig must be read, so no inventory can be faster than its pages. This reads them
with the collection's own NetBox client (a count, then every page on ``--workers`` requests
in flight, the inventory's ``max_workers`` default) and nothing else, no Ansible either, so
the benchmark can print ``ansible-inventory --graph`` and the no-op sync beside it.

Usage: NETBOX_API=... NETBOX_TOKEN=... bench/hostconfig_floor.py [--workers 4]
(with the project venv's Python: the collection comes from .cache/collections).
Prints a JSON summary on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, ".cache", "collections"))
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import NetBoxClient, NetBoxOptions  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()
    options = NetBoxOptions.from_params({"netbox_url": os.environ["NETBOX_API"], "netbox_token": os.environ["NETBOX_TOKEN"],
                                         "max_workers": args.workers, "page_size": args.page_size,
                                         "netbox_timeout": 300})
    started = time.perf_counter()
    client = NetBoxClient(options)
    pages: list[float] = []
    rows = client.plugin_pages("host-config", lambda page, _total: pages.append(time.perf_counter() - started),
                               lanes=args.workers)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": round(seconds, 3), "rows": len(rows), "pages": len(pages),
                      "requests": client.request_count, "workers": args.workers,
                      "page_done_at": [round(p, 3) for p in pages]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
