# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure parts of the NetBox connection layer (the HTTP parts run against the real NetBox in
tests/integration/test_inventory_hostconfig.py)."""

from __future__ import annotations

import pytest
from ansible.plugins.loader import init_plugin_loader

init_plugin_loader()

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _netbox  # noqa: E402

V1 = "0123456789abcdef0123456789abcdef01234567"
V2 = "nbt_abcdefghijkl.0123456789abcdef0123456789abcdef01234567"


def test_token_formats():
    assert _netbox.auth_header(V1) == f"Token {V1}"
    assert _netbox.auth_header(V2) == f"Bearer {V2}"


@pytest.mark.parametrize("url", ["http://nb:8000", "http://nb:8000/", "http://nb:8000/api", "http://nb:8000/api/",
                                 " http://nb:8000 "])
def test_normalize_url(url):
    assert _netbox.normalize_url(url) == "http://nb:8000"


def test_options_from_params_and_defaults():
    options = _netbox.NetBoxOptions.from_params({"netbox_url": "https://nb/api/", "netbox_token": V2})
    assert options.url == "https://nb"
    assert options.validate_certs is True
    assert options.timeout == 30
    assert V2 not in repr(options)
    options = _netbox.NetBoxOptions.from_params({"url": "https://nb", "token": V1, "validate_certs": "no",
                                                 "timeout": "5"})
    assert (options.validate_certs, options.timeout) == (False, 5.0)


@pytest.mark.parametrize("params, message", [
    ({"netbox_token": V1}, "NetBox URL missing"),
    ({"netbox_url": "https://nb"}, "NetBox token missing"),
])
def test_options_missing(params, message):
    with pytest.raises(_netbox.NetBoxError, match=message):
        _netbox.NetBoxOptions.from_params(params)


class FakePlugin:
    def __init__(self, options):
        self.options = options

    def get_option(self, name):
        if name not in self.options:
            raise KeyError(name)
        return self.options[name]


def test_options_from_plugin():
    options = _netbox.NetBoxOptions.from_plugin(FakePlugin({"netbox_url": "http://nb", "netbox_token": V1,
                                                            "validate_certs": False, "timeout": 9.0}))
    assert (options.url, options.token, options.validate_certs, options.timeout) == ("http://nb", V1, False, 9.0)


def test_id_chunks_stay_under_the_url_limit():
    client = _netbox.NetBoxClient(_netbox.NetBoxOptions(url="http://127.0.0.1:18000", token=V2))
    ids = range(100_000, 110_000)
    chunks = client.id_chunks("dcim/devices", ids, {"fields": "id,name"}, max_url_length=3800)
    assert sorted(pk for chunk in chunks for pk in chunk) == list(ids)
    for chunk in chunks:
        url = client._url("dcim/devices") + "?fields=id%2Cname&ordering=id&limit=1000&offset=0" + "".join(
            f"&id={pk}" for pk in chunk)
        assert len(url) <= 3800
    assert len(chunks) == 27  # about 370 six-digit ids per request
    assert client.session.headers["Authorization"] == f"Bearer {V2}"
    assert client.request_count == 0


class FakeResponse:
    def __init__(self, status, body=None, reason=""):
        self.status_code = status
        self.body = body
        self.reason = reason

    def json(self):
        if self.body is None:
            raise ValueError("no json")
        return self.body


@pytest.mark.parametrize("response, expected", [
    (FakeResponse(500, {"error": "Paginating over an unordered queryset is unreliable.",
                        "exception": "QuerySetNotOrdered"}),
     "HTTP 500: QuerySetNotOrdered: Paginating over an unordered queryset is unreliable."),
    (FakeResponse(403, {"detail": "Invalid token"}), "HTTP 403: Invalid token"),
    (FakeResponse(400, {"hostid": ["Host Config with this hostid already exists."]}),
     "HTTP 400: hostid: ['Host Config with this hostid already exists.']"),
    (FakeResponse(502, None, "Bad Gateway"), "HTTP 502: Bad Gateway"),
])
def test_describe_error(response, expected):
    assert _netbox._describe_error(response) == expected
