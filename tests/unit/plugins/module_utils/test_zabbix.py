# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Zabbix connection layer: options, transport errors, retries, the version profile."""

from __future__ import annotations

import io
import json
import socket
import typing as t
from urllib.error import HTTPError, URLError

import pytest

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import (
    VersionProfile,
    ZabbixAPIError,
    ZabbixAuthError,
    ZabbixClient,
    ZabbixConfigError,
    ZabbixOptions,
    ZabbixTransientError,
    connection_argument_spec,
    profile_from_host,
)


class FakeHTTP:
    """Stands in for urls.Request().open: scripted answers, records what was sent."""

    def __init__(self, *answers: t.Any) -> None:
        self.answers = list(answers)
        self.sent: list[dict[str, t.Any]] = []

    def __call__(self, method: str, url: str, **kwargs: t.Any) -> t.Any:
        self.sent.append({"url": url, "body": json.loads(kwargs["data"]), "headers": kwargs["headers"], "kwargs": kwargs})
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return io.BytesIO(json.dumps(answer).encode())


def client(http: FakeHTTP, **options: t.Any) -> ZabbixClient:
    opts = ZabbixOptions(url=options.pop("url", "https://zabbix.example.com/"), **({"token": "tok"} | options))
    return ZabbixClient(opts, backoff=0.0, opener=http)


def test_from_params_and_env_fallback() -> None:
    env = {"ZABBIX_URL": "https://z.example", "ZABBIX_USER": "u", "ZABBIX_PASSWORD": "p"}
    opts = ZabbixOptions.from_params({"zabbix_timeout": 5}, env=env)
    assert (opts.url, opts.user, opts.password, opts.token, opts.timeout) == ("https://z.example", "u", "p", None, 5.0)
    assert opts.api_url == "https://z.example/api_jsonrpc.php"
    token = ZabbixOptions.from_params({"zabbix_url": "http://x/api_jsonrpc.php", "zabbix_token": "t", "zabbix_user": "ignored"})
    assert token.token == "t" and token.user is None and token.api_url == "http://x/api_jsonrpc.php"


@pytest.mark.parametrize("params, text", [({}, "zabbix_url is required"), ({"zabbix_url": "http://x"}, "credentials are required")])
def test_from_params_errors(params: dict[str, t.Any], text: str) -> None:
    with pytest.raises(ZabbixConfigError, match=text):
        ZabbixOptions.from_params(params)


def test_from_plugin() -> None:
    class Plugin:
        options = {"zabbix_url": "http://x", "zabbix_token": "t", "zabbix_validate_certs": False}

        def has_option(self, name: str) -> bool:
            return name in self.options

        def get_option(self, name: str) -> t.Any:
            return self.options[name]

    opts = ZabbixOptions.from_plugin(Plugin())
    assert opts.token == "t" and opts.validate_certs is False


def test_spec_has_env_fallbacks_and_no_log() -> None:
    spec = connection_argument_spec()
    assert spec["zabbix_token"]["no_log"] and spec["zabbix_password"]["no_log"]
    assert spec["zabbix_url"]["fallback"][1] == ["ZABBIX_URL"]


def test_token_in_body_until_version_known_then_header() -> None:
    http = FakeHTTP({"result": []}, {"result": "7.0.22"}, {"result": []})
    c = client(http)
    c.read("host.get", {})
    assert http.sent[0]["body"]["auth"] == "tok" and "Authorization" not in http.sent[0]["headers"]
    c.ensure_profile()
    c.read("host.get", {})
    assert "auth" not in http.sent[2]["body"] and http.sent[2]["headers"]["Authorization"] == "Bearer tok"
    assert "auth" not in http.sent[1]["body"]  # apiinfo.version must not carry credentials


def test_60_keeps_the_body_auth() -> None:
    http = FakeHTTP({"result": "6.0.14"}, {"result": []})
    c = client(http)
    c.ensure_profile()
    c.read("host.get", {})
    assert http.sent[1]["body"]["auth"] == "tok"


def test_login_logout() -> None:
    http = FakeHTTP({"result": "sess"}, {"result": []}, {"result": True})
    c = client(http, token=None, user="Admin", password="pw")
    c.connect(need_version=False)
    c.read("host.get", {})
    c.close()
    assert [s["body"]["method"] for s in http.sent] == ["user.login", "host.get", "user.logout"]
    assert http.sent[1]["body"]["auth"] == "sess"


def test_reads_retry_transient_errors() -> None:
    http = FakeHTTP(
        HTTPError("u", 502, "bad gateway", {}, None),  # type: ignore[arg-type]
        URLError(ConnectionResetError("reset")),
        socket.timeout("timed out"),
        {"result": ["ok"]},
    )
    c = client(http)
    c.retries = 4
    assert c.read("host.get", {}) == ["ok"]
    assert c.calls == 4


def test_reads_give_up_with_a_clear_message() -> None:
    http = FakeHTTP(*[URLError(ConnectionRefusedError("refused"))] * 3)
    with pytest.raises(ZabbixTransientError, match="cannot reach https://zabbix.example.com/api_jsonrpc.php"):
        client(http).read("host.get", {})


def test_writes_are_not_retried() -> None:
    http = FakeHTTP(HTTPError("u", 503, "unavailable", {}, None), {"result": {}})  # type: ignore[arg-type]
    with pytest.raises(ZabbixTransientError):
        client(http).write("host.update", [])
    assert len(http.sent) == 1


def test_database_hiccup_is_transient() -> None:
    http = FakeHTTP({"error": {"code": -32603, "message": "Internal error.", "data": "Error connecting to database."}}, {"result": []})
    assert client(http).read("host.get", {}) == []


def test_rolled_back_statement_is_transient() -> None:
    # What Zabbix 7.0 answers when concurrent host.create calls collide on its "ids" table.
    error = {"error": {"code": -32500, "message": "Application error.", "data": "Database error occurred."}}
    with pytest.raises(ZabbixTransientError, match="Database error occurred") as raised:
        client(FakeHTTP(error)).write("host.create", [{"host": "a"}])
    assert raised.value.may_have_landed is False  # Zabbix said so: the transaction was rolled back
    assert client(FakeHTTP(error, {"result": []})).read("host.get", {}) == []


@pytest.mark.parametrize(
    "error",
    [
        {"code": -32602, "message": "Invalid params.", "data": "Not authorised."},
        {"code": -32602, "message": "Invalid params.", "data": "Session terminated, re-login, please."},
        {"code": -32500, "message": "Application error.", "data": "API token expired."},
    ],
)
def test_auth_errors(error: dict[str, t.Any]) -> None:
    with pytest.raises(ZabbixAuthError, match="rejected the API token"):
        client(FakeHTTP({"error": error})).read("host.get", {})


def test_api_error_keeps_message_and_data() -> None:
    http = FakeHTTP({"error": {"code": -32602, "message": "Invalid params.", "data": 'Host with the same name "a" already exists.'}})
    with pytest.raises(ZabbixAPIError) as err:
        client(http).write("host.create", [{}])
    assert err.value.already_exists and err.value.method == "host.create"


def test_http_401_is_an_auth_error() -> None:
    with pytest.raises(ZabbixAuthError, match="HTTP credentials"):
        client(FakeHTTP(HTTPError("u", 401, "unauthorized", {}, None))).read("host.get", {})  # type: ignore[arg-type]


def test_basic_auth_and_headers_are_passed() -> None:
    http = FakeHTTP({"result": []})
    client(http, http_user="web", http_password="pw", http_headers={"X-Env": "test"}).read("host.get", {})
    sent = http.sent[0]
    assert sent["kwargs"]["url_username"] == "web" and sent["kwargs"]["force_basic_auth"] is True
    assert sent["headers"]["X-Env"] == "test" and sent["body"]["auth"] == "tok"


def test_not_json_is_transient() -> None:
    class HTML:
        def read(self) -> bytes:
            return b"<html>"

    with pytest.raises(ZabbixTransientError, match="did not answer JSON"):
        ZabbixClient(ZabbixOptions(url="http://x", token="t"), retries=1, opener=lambda *a, **k: HTML()).read("host.get", {})


@pytest.mark.parametrize(
    "host, expected",
    [
        ({"monitored_by": "1", "proxyid": "5", "proxy_groupid": "0"}, ("proxy", "5", None)),
        ({"monitored_by": "2", "proxyid": "0", "proxy_groupid": "3"}, ("proxy_group", None, "3")),
        ({"monitored_by": "0", "proxyid": "0", "proxy_groupid": "0"}, ("server", None, None)),
        ({"proxy_hostid": "10"}, ("proxy", "10", None)),
        ({"proxy_hostid": "0"}, ("server", None, None)),
    ],
)
def test_read_monitoring(host: dict[str, str], expected: tuple[t.Any, ...]) -> None:
    assert VersionProfile.read_monitoring(host) == expected


def test_profiles() -> None:
    p60, p70 = VersionProfile("6.0.14"), VersionProfile("7.0.22")
    assert p60.render_monitoring("proxy", "5", None) == {"proxy_hostid": "5"}
    assert p70.render_monitoring("proxy_group", None, "3") == {"monitored_by": "2", "proxyid": "0", "proxy_groupid": "3"}
    assert "selectGroups" in p60.host_get_selects() and "selectHostGroups" not in p60.host_get_selects()
    assert "selectHostGroups" in p70.host_get_selects() and "selectGroups" not in p70.host_get_selects()
    assert p70.host_get_selects(["os"])["selectInventory"] == ["os"]
    assert (p60.supports_proxy_groups, p70.supports_proxy_groups) == (False, True)
    assert (p60.header_auth, p70.header_auth, VersionProfile("6.4.0").header_auth) == (False, True, True)
    assert p60.family == "6.0" and p70.proxy_name_field == "name" and p60.proxy_name_field == "host"
    assert profile_from_host({"monitored_by": "0"}).is_7 and not profile_from_host({"proxy_hostid": "0"}).is_7
    assert VersionProfile.host_groups({"hostgroups": [{"groupid": "1"}], "groups": []}) == [{"groupid": "1"}]
