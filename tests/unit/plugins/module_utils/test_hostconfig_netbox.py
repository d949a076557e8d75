# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure parts of the NetBox connection layer (the HTTP parts run against the real NetBox in
tests/integration/test_inventory_hostconfig.py)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
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
    """What a route answers: a status and a JSON body (None: no JSON)."""

    def __init__(self, status: int, body=None) -> None:
        self.status_code = status
        self.body = body


def _query(url: str) -> dict:
    """The query as a dict: numbers as int, a repeated key as a list."""
    params: dict = {}
    for key, value in parse_qsl(urlsplit(url).query):
        value = int(value) if value.isdigit() else value
        if key in params:
            params[key] = [*params[key], value] if isinstance(params[key], list) else [params[key], value]
        else:
            params[key] = value
    return params


class FakeSession(_netbox._session_class()):
    """Our real session (pynetbox's http_session) down to ``send``, which routes the path to a
    canned answer and records each request as (method, url, params, json body)."""

    def __init__(self, routes) -> None:
        super().__init__(30)
        self.routes = routes
        self.requests: list = []

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        params = _query(request.url)
        body = json.loads(request.body) if request.body else None
        self.requests.append((request.method, request.url.split("?", 1)[0], params, body))
        path = request.url.split("?", 1)[0].split("/api/", 1)[1]
        answer = self.routes.get(path)
        if callable(answer):
            answer = answer(params)
        answer = answer or FakeHTTPResponse(404, {"detail": "Not found."})
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found", 502: "Bad Gateway"}.get(
            answer.status_code, "")
        response._content = json.dumps(answer.body).encode() if answer.body is not None else b"<html>no</html>"
        response.url = request.url
        response.request = request
        return response


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
    # offset paging, never cursor paging (start=), which the plugin refuses
    assert sorted((r[2]["offset"], r[2]["limit"]) for r in session.requests) == [(0, 1000), (1000, 1000), (2000, 1000)]
    assert not any("start" in r[2] for r in session.requests)
    assert getattr(client.api, "pagination", "offset") == "offset"  # pynetbox 7.5 has no cursor paging


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
        if "id" in params:
            ids = set(params["id"]) if isinstance(params["id"], list) else {params["id"]}
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


def test_writes_are_not_retried():
    def dropped(params):
        raise requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('x'))")

    client, session = client_with({"plugins/netbox_zabbix/event-log/": dropped})
    with pytest.raises(_netbox.NetBoxError, match=r"^writing the NetBox event log: cannot reach NetBox"):
        client.post_event_log("x")
    assert session.request_count == 1


@pytest.mark.parametrize("validate_certs", [False, True])
def test_validate_certs_wins_over_a_ca_bundle_from_the_environment(monkeypatch, validate_certs):
    """requests lets REQUESTS_CA_BUNDLE override a session-wide verify=False; ours must not."""
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


# --- pynetbox underneath: its endpoints, its errors mapped onto NetBoxError ----------------


def test_plugin_endpoints_keep_their_underscore_and_dashes():
    """pynetbox's nb.plugins.netbox_zabbix asks for plugins/netbox-zabbix (404); ours does not."""
    client, _session = client_with({})
    assert client.api.plugins.netbox_zabbix.name == "plugins/netbox-zabbix"  # why we build the App by hand
    assert client.endpoint("plugins/netbox_zabbix/host-config").url == "http://nb/api/plugins/netbox_zabbix/host-config"
    assert client.endpoint("virtualization/virtual-machines").url == "http://nb/api/virtualization/virtual-machines"
    assert client.api.http_session is client.session


def test_every_request_carries_the_timeout_and_the_token():
    seen = []

    class Recording(FakeSession):
        def send(self, request, **kwargs):
            seen.append((kwargs.get("timeout"), request.headers.get("Authorization")))
            return super().send(request, **kwargs)

    session = Recording({"plugins/netbox_zabbix/setting/": FakeHTTPResponse(200, {"count": 1, "next": None,
                                                                                  "results": [{"id": 1}]}),
                         "plugins/netbox_zabbix/event-log/": FakeHTTPResponse(201, {"id": 2}),
                         "plugins/netbox_zabbix/host-config/1/": FakeHTTPResponse(200, {"id": 1})})
    client = _netbox.NetBoxClient(_netbox.NetBoxOptions(url="http://nb", token=V1, timeout=7), session=session)
    assert client.plugin_list("setting") == [{"id": 1}]
    client.post_event_log("x")
    assert seen == [(7.0, f"Token {V1}")] * 2
    seen.clear()
    session = Recording(session.routes)
    client = _netbox.NetBoxClient(_netbox.NetBoxOptions(url="http://nb", token=V2), session=session)
    client.plugin_list("setting")
    client.patch_hostconfig(1, {"hostid": None})
    assert [auth for _timeout, auth in seen] == [f"Bearer {V2}"] * 2  # pynetbox 7.5 would send "Token"


@pytest.mark.parametrize("status, body", [
    (400, {"detail": f"bad header Authorization: Bearer {V2}"}),
    (404, {"detail": f"no route for Bearer {V2}"}),
    (500, {"error": f"echo {V2}", "exception": "ValueError"}),
])
def test_the_token_never_reaches_a_message(status, body):
    """pynetbox's RequestError quotes NetBox's answer; a server or proxy may echo the header."""
    client, _session = client_with({"plugins/netbox_zabbix/host-config/": FakeHTTPResponse(status, body),
                                    "plugins/netbox_zabbix/host-config/5/": FakeHTTPResponse(status, body)})
    for call in (lambda: client.plugin_list("host-config"), lambda: client.patch_hostconfig(5, {"hostid": 1})):
        with pytest.raises(_netbox.NetBoxError) as err:
            call()
        assert V2 not in str(err.value) and "********" in str(err.value)
        assert err.value.status == status
        assert err.value.__suppress_context__  # no chained pynetbox exception carrying the request


def test_a_detail_that_is_gone_is_a_404():
    client, _session = client_with({})
    with pytest.raises(_netbox.NetBoxError, match=r"^GET http://nb/api/plugins/netbox_zabbix/host-config/7/: HTTP 404"
                       ) as err:
        client.get("plugins/netbox_zabbix/host-config/7")
    assert err.value.status == 404


def test_an_answer_that_is_not_json():
    """pynetbox's ContentError."""
    client, _session = client_with({"plugins/netbox_zabbix/": FakeHTTPResponse(200, None)})
    with pytest.raises(_netbox.NetBoxError, match=r"the answer is not JSON; is http://nb a NetBox\?"):
        client.check_plugin()


def test_a_json_answer_that_is_not_a_list():
    client, _session = client_with({"dcim/devices/": FakeHTTPResponse(200, {"hello": "world"})})
    with pytest.raises(_netbox.NetBoxError, match=r"not a NetBox list answer"):
        client.list_all("dcim/devices")


def test_a_refused_post():
    """pynetbox's AllocationError (a 409 to a POST)."""
    client, _session = client_with({"plugins/netbox_zabbix/event-log/": FakeHTTPResponse(409, {"detail": "busy"})})
    with pytest.raises(_netbox.NetBoxError, match=r"^writing the NetBox event log: HTTP 409: busy$") as err:
        client.post_event_log("x")
    assert err.value.status == 409


def test_a_timeout():
    def slow(params):
        raise requests.exceptions.ReadTimeout("read timed out")

    client, session = client_with({"plugins/netbox_zabbix/": slow}, timeout=2)
    with pytest.raises(_netbox.NetBoxError, match=r"no answer within 2 s \(timeout\)"):
        client.check_plugin()
    assert session.request_count == 1  # a timeout is not retried: the server is busy already


def test_bad_gateways_are_retried_until_the_last_attempt(monkeypatch):
    monkeypatch.setattr(_netbox, "RETRY_DELAY", 0)
    client, session = client_with({"dcim/devices/": FakeHTTPResponse(502, None)})
    with pytest.raises(_netbox.NetBoxError, match=r"^GET http://nb/api/dcim/devices/: HTTP 502: Bad Gateway$"):
        client.count("dcim/devices")
    assert session.request_count == _netbox.GET_ATTEMPTS
