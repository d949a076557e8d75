#!/usr/bin/env python3
"""CPU cost of turning NetBox list pages into rows: pynetbox Records against its plain paging.

The collection reads every HostConfig on every run (10,000 rows at the top of the benchmark).
pynetbox offers two ways to read a list: ``Endpoint.filter()``, a ``RecordSet`` that makes a
``Record`` object per row, and the lower-level ``pynetbox.core.query.Request``, whose limit/
offset paging yields the rows as decoded from JSON. This measures the CPU seconds of both
(and of turning Records back into the dicts the collection's mapping code reads), on the same
pages served from memory by a session that never touches the network, so only the client's
work is counted. docs/architecture.md quotes the result.

Usage: bench/netbox_rows.py [--rows 10000] [--repeat 5]
(with the project venv's Python: the collection comes from .cache/collections).
Prints a JSON summary on stdout: median CPU seconds per way, and the ratio to the plain rows.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from urllib.parse import parse_qsl, urlsplit

import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, ".cache", "collections"))
from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _netbox  # noqa: E402

SAMPLE = {  # one row of the host-config list as NetBox 4.7.3 with the plugin sends it
    "id": 1, "created": "2026-11-28T09:27:15.822529Z", "last_updated": "2026-11-28T09:27:15.936142Z",
    "custom_field_data": {}, "name": "it-dev-1", "hostid": None, "status": 0, "in_sync": False,
    "last_sync_update": None, "monitored_by": 0, "description": "updated", "object_id": 1, "proxy": None,
    "proxy_group": None, "content_type": 9, "host_groups": [1], "templates": [1],
}


def memory_session(rows: list[dict]) -> requests.Session:
    """Our session class, answering every list request from ``rows`` (encoded once per page)."""
    encoded: dict[tuple[int, int], bytes] = {}

    class MemorySession(_netbox._session_class()):  # pylint: disable=protected-access
        def send(self, request, **kwargs):  # pylint: disable=arguments-differ
            query = dict(parse_qsl(urlsplit(request.url).query))
            limit, offset = int(query.get("limit", 1000)), int(query.get("offset", 0))
            if (limit, offset) not in encoded:
                more = offset + limit < len(rows)
                encoded[(limit, offset)] = json.dumps({
                    "count": len(rows), "next": f"{request.url.split('?')[0]}?limit={limit}&offset={offset + limit}"
                    if more else None, "previous": None, "results": rows[offset:offset + limit]}).encode()
            response = requests.Response()
            response.status_code, response.reason, response.url, response.request = 200, "OK", request.url, request
            response._content = encoded[(limit, offset)]  # pylint: disable=protected-access
            return response

    return MemorySession(30)


def cpu(call) -> float:
    started = time.process_time()
    call()
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for pk in range(1, args.rows + 1):
        row = copy.deepcopy(SAMPLE)
        row.update(id=pk, name=f"host-{pk:05d}", object_id=pk, hostid=10000 + pk)
        rows.append(row)
    options = _netbox.NetBoxOptions(url="http://netbox.invalid", token="0" * 40, max_workers=1,
                                    page_size=args.page_size)
    client = _netbox.NetBoxClient(options, session=memory_session(rows))
    endpoint = client.endpoint("plugins/netbox_zabbix/host-config")
    limit = args.page_size

    def plain_request_pages() -> list[dict]:
        out: list[dict] = []
        for offset in range(0, args.rows, limit):
            out.extend(_netbox.Request(base=endpoint.url, http_session=client.session,
                                       filters={"ordering": "id"}, limit=limit, offset=offset).get())
        return out

    def records() -> list:
        return list(endpoint.filter(ordering="id", limit=limit))

    def records_as_dicts() -> list[dict]:
        return [dict(record) for record in endpoint.filter(ordering="id", limit=limit)]

    def collection_client() -> list[dict]:  # what the inventory runs: _netbox.NetBoxClient.plugin_pages
        return client.plugin_pages("host-config", lambda _page, _total: None, count=args.rows)

    ways = {"json only (requests' .json(), the floor)": lambda: [
                row for offset in range(0, args.rows, limit)
                for row in client.session.get(f"{endpoint.url}/", params={"limit": limit, "offset": offset}).json()["results"]],
            "pynetbox Request paging (plain dicts)": plain_request_pages,
            "NetBoxClient.plugin_pages (ours, on Request)": collection_client,
            "pynetbox Endpoint.filter (Record per row)": records,
            "pynetbox Records turned back into dicts": records_as_dicts}
    for call in ways.values():  # warm up (imports, the encoded pages), and check every way reads every row
        assert len(call()) == args.rows
    results = {name: statistics.median(cpu(call) for _ in range(args.repeat)) for name, call in ways.items()}
    plain = results["pynetbox Request paging (plain dicts)"]
    print(json.dumps({"rows": args.rows, "page_size": limit, "repeat": args.repeat,
                      "cpu_seconds": {name: round(value, 3) for name, value in results.items()},
                      "times_plain": {name: round(value / plain, 2) for name, value in results.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
