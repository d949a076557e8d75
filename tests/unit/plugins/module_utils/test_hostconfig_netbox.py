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
    options = _netbox.NetBoxOptions.from_params({"netbox_url": "https://nb", "netbox_token": V1,
                                                 "netbox_validate_certs": "no", "netbox_timeout": "5"})
    assert (options.validate_certs, options.timeout) == (False, 5.0)


@pytest.mark.parametrize("key", ["url", "token", "api_endpoint", "validate_certs", "timeout", "netbox_verify"])
def test_options_refuse_keys_no_spec_declares(key):
    """A key the _netbox options do not name is an error, not silently ignored (or silently honoured)."""
    with pytest.raises(_netbox.NetBoxError, match=f"unknown NetBox option.*{key}"):
        _netbox.NetBoxOptions.from_params({"netbox_url": "https://nb", "netbox_token": V1, key: "x"})


def test_options_from_module_params_take_only_the_netbox_options():
    params = {"netbox_url": "https://nb", "netbox_token": V1, "netbox_validate_certs": False, "netbox_timeout": 7.0,
              "validate_certs": False, "timeout": 7.0, "zabbix_validate_certs": True, "policy": "none"}
    options = _netbox.NetBoxOptions.from_module_params(params)
    assert (options.url, options.validate_certs, options.timeout) == ("https://nb", False, 7.0)


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
                                                            "netbox_validate_certs": False, "netbox_timeout": 9.0}))
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


# --- request logic on a fake session (the real thing runs in tests/integration) ----------


class FakeHTTPResponse:
    def __init__(self, status: int, body=None) -> None:
        self.status_code = status
        self.body = body
        self.reason = "Not Found" if status == 404 else ""
        self.content = b"x" if body is not None else b""

    def json(self):
        if self.body is None:
            raise ValueError("no json")
        return self.body


class FakeSession:
    """Routes (path, params) to canned answers and records each request."""

    def __init__(self, routes) -> None:
        self.routes = routes
        self.headers: dict = {}
        self.verify = None
        self.requests: list = []

    def mount(self, *args) -> None:
        pass

    def request(self, method, url, params=None, json=None, **kwargs):
        self.requests.append((method, url, params, json))
        path = url.split("/api/", 1)[1]
        answer = self.routes.get(path)
        if callable(answer):
            return answer(params)
        return answer or FakeHTTPResponse(404, {"detail": "Not found."})

    @property
    def request_count(self) -> int:
        return len(self.requests)


def client_with(routes, **options) -> tuple[_netbox.NetBoxClient, FakeSession]:
    session = FakeSession(routes)
    client = _netbox.NetBoxClient(_netbox.NetBoxOptions(url="http://nb", token=V2, **options), session=session)
    return client, session


def test_check_plugin_ok():
    client, session = client_with({"plugins/netbox_zabbix/": FakeHTTPResponse(200, {"host-config": "x"})})
    client.check_plugin()
    assert session.headers["Authorization"] == f"Bearer {V2}"
    assert client.request_count == 1


@pytest.mark.parametrize("status", [401, 403])
def test_check_plugin_bad_token(status):
    client, _session = client_with({"plugins/netbox_zabbix/": FakeHTTPResponse(status, {"detail": "Invalid v2 token"})})
    with pytest.raises(_netbox.NetBoxError, match=rf"^NetBox at http://nb refused the token \(HTTP {status}\)") as err:
        client.check_plugin()
    assert V2 not in str(err.value)


def test_check_plugin_netbox_without_plugin():
    client, _session = client_with({"status/": FakeHTTPResponse(200, {"netbox-version": "4.7.3"})})
    with pytest.raises(_netbox.NetBoxError, match=r"^NetBox 4.7.3 at http://nb has no netbox_zabbix plugin"):
        client.check_plugin()


def test_check_plugin_not_a_netbox():
    client, _session = client_with({})
    with pytest.raises(_netbox.NetBoxError, match=r"^http://nb does not look like a NetBox API"):
        client.check_plugin()


def paged(rows, cap=None):
    def answer(params):
        limit = min(int(params["limit"]), cap or 10**9)
        offset = int(params.get("offset", 0))
        assert params["ordering"] == "id"
        page = rows[offset:offset + limit]
        more = offset + limit < len(rows)
        return FakeHTTPResponse(200, {"count": len(rows), "next": "n" if more else None, "previous": None,
                                      "results": page})
    return answer


@pytest.mark.parametrize("workers", [1, 4])
def test_list_all_pages_in_order(workers):
    rows = [{"id": pk} for pk in range(1, 2501)]
    client, session = client_with({"plugins/netbox_zabbix/host-config/": paged(rows)}, max_workers=workers)
    assert client.plugin_list("host-config") == rows
    assert session.request_count == 3


def test_list_all_follows_a_server_page_cap():
    rows = [{"id": pk} for pk in range(1, 1001)]
    client, session = client_with({"dcim/devices/": paged(rows, cap=250)})
    assert client.list_all("dcim/devices") == rows
    assert session.request_count == 4


def test_list_all_with_a_known_count():
    rows = [{"id": pk} for pk in range(1, 2501)]
    client, session = client_with({"dcim/devices/": paged(rows)})
    assert client.list_all("dcim/devices", count=2500) == rows
    assert session.request_count == 3
    capped, session = client_with({"dcim/devices/": paged(rows, cap=500)})
    assert capped.list_all("dcim/devices", count=2500) == rows  # falls back to the server's page size
    assert session.request_count == 3 + 5


@pytest.mark.parametrize("count, workers, lanes, limit", [
    (1000, 4, 3, 334),    # one page of 1,000 would keep two lanes idle
    (10000, 4, 3, 834),   # 12 pages in 4 rounds of 3, not 10 pages whose last round uses one lane
    (2500, 4, 4, 625),
    (10, 4, 3, 4),
    (2500, 1, None, 834),  # one lane: as many pages as before, of equal size
])
def test_plugin_pages_hand_every_page_over_and_keep_every_lane_busy(count, workers, lanes, limit):
    rows = [{"id": pk} for pk in range(1, count + 1)]
    client, session = client_with({"plugins/netbox_zabbix/host-config/": paged(rows)}, max_workers=workers)
    handed: list = []
    assert client.plugin_pages("host-config", lambda page, total: handed.append((page, total)), lanes=lanes) == rows
    assert sorted(row["id"] for page, _total in handed for row in page) == list(range(1, count + 1))
    pages = -(-count // limit)
    assert {total for _page, total in handed} == {pages}
    assert session.requests[0][2]["limit"] == 1  # the count first
    assert {r[2]["limit"] for r in session.requests[1:]} == {limit}
    assert session.request_count == 1 + pages


def test_plugin_pages_follow_a_server_page_cap():
    rows = [{"id": pk} for pk in range(1, 1001)]
    client, _session = client_with({"plugins/netbox_zabbix/host-config/": paged(rows, cap=100)})
    handed: list = []
    assert sorted(r["id"] for r in client.plugin_pages("host-config", lambda page, _t: handed.append(page))) == \
        list(range(1, 1001))
    assert sorted(row["id"] for page in handed for row in page) == list(range(1, 1001))


def test_fetch_many_picks_chunks_or_the_whole_list():
    rows = [{"id": pk} for pk in range(1, 3001)]

    def by_id(params):
        if isinstance(params, list) and any(key == "id" for key, _value in params):
            ids = {int(value) for key, value in params if key == "id"}
            return FakeHTTPResponse(200, {"count": len(ids), "next": None,
                                          "results": [row for row in rows if row["id"] in ids]})
        return paged(rows)(params)

    client, session = client_with({"dcim/devices/": by_id})
    few = client.fetch_many("dcim/devices", [5, 7, 9999])
    assert few == [{"id": 5}, {"id": 7}] and session.request_count == 1
    many = client.fetch_many("dcim/devices", range(1, 3001, 2))  # 1,500 ids: 4+ chunks vs 3 pages
    assert len(many) == 1500
    assert session.request_count == 1 + 1 + 3  # count + whole list


def test_writes():
    def echo(params):
        return FakeHTTPResponse(200, {"id": 91, "hostid": 10650})

    client, session = client_with({"plugins/netbox_zabbix/host-config/91/": echo,
                                   "plugins/netbox_zabbix/event-log/": FakeHTTPResponse(201, {"id": 1})})
    assert client.patch_hostconfig(91, {"hostid": 10650}) == {"id": 91, "hostid": 10650}
    assert client.post_event_log("sync", "total=1", {"total": 1}) == {"id": 1}
    assert session.requests[0][0] == "PATCH" and session.requests[0][3] == {"hostid": 10650}
    assert session.requests[1][0] == "POST"
    assert session.requests[1][3] == {"name": "sync", "message": "total=1", "data": {"total": 1}}


def test_write_error_names_the_row():
    client, _session = client_with({"plugins/netbox_zabbix/host-config/93/": FakeHTTPResponse(
        400, {"hostid": ["Host Config with this hostid already exists."]})})
    with pytest.raises(_netbox.NetBoxError, match=r"^updating HostConfig #93: HTTP 400: hostid: "):
        client.patch_hostconfig(93, {"hostid": 10650})


def test_dropped_reads_are_retried_refused_ones_are_not(monkeypatch):
    import requests

    monkeypatch.setattr(_netbox, "RETRY_DELAY", 0)
    answers = [requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('x'))"),
               FakeHTTPResponse(502, None),
               FakeHTTPResponse(200, {"host-config": "x"})]

    def flaky(params):
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client, session = client_with({"plugins/netbox_zabbix/": flaky})
    client.check_plugin()
    assert session.request_count == 3

    def refused(params):
        raise requests.exceptions.ConnectionError("Failed to establish a new connection: [Errno 111] refused")

    client, session = client_with({"plugins/netbox_zabbix/": refused})
    with pytest.raises(_netbox.NetBoxError, match=r"cannot reach NetBox at http://nb"):
        client.check_plugin()
    assert session.request_count == 1


def test_writes_are_not_retried(monkeypatch):
    import requests

    def dropped(params):
        raise requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('x'))")

    client, session = client_with({"plugins/netbox_zabbix/event-log/": dropped})
    with pytest.raises(_netbox.NetBoxError, match=r"^writing the NetBox event log: cannot reach NetBox"):
        client.post_event_log("x")
    assert session.request_count == 1


@pytest.mark.parametrize("validate_certs", [False, True])
def test_validate_certs_wins_over_a_ca_bundle_from_the_environment(monkeypatch, validate_certs):
    """requests lets REQUESTS_CA_BUNDLE override a session-wide verify=False; ours must not."""
    import requests

    seen = {}

    def send(self, request, **kwargs):
        seen["verify"] = kwargs.get("verify")
        response = requests.Response()
        response.status_code, response._content = 200, b"{}"
        return response

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setattr(requests.Session, "send", send)
    client = _netbox.NetBoxClient(_netbox.NetBoxOptions(url="https://nb", token=V1, validate_certs=validate_certs))
    client.get("status")
    assert seen["verify"] == (False if not validate_certs else "/etc/ssl/certs/ca-certificates.crt")
