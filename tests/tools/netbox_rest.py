# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small NetBox REST client for the integration tests, independent of the collection (requests only)."""

from __future__ import annotations

import typing as t


class NetBoxREST:
    """``request`` one call (an error status fails the test with NetBox's answer), ``all`` a paged list."""

    def __init__(self, env: dict[str, str]) -> None:
        import requests

        self.base = env["NETBOX_API"].rstrip("/").removesuffix("/api")
        self.session = requests.Session()
        token = env["NETBOX_TOKEN"]
        self.session.headers["Authorization"] = f"{'Bearer' if token.startswith('nbt_') else 'Token'} {token}"

    def request(self, method: str, path: str, **kwargs: t.Any) -> t.Any:
        response = self.session.request(method, f"{self.base}/api/{path.strip('/')}/", timeout=60, **kwargs)
        assert response.status_code < 400, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json() if response.content else None

    def all(self, path: str, **params: t.Any) -> list[dict]:
        """Every row of a list endpoint (``ordering=id``: the plugin's lists need it)."""
        rows: list[dict] = []
        while True:
            page = self.request("GET", path, params={"ordering": "id", "limit": 1000, "offset": len(rows), **params})
            rows.extend(page["results"])
            if not page["next"]:
                return rows
