# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Zabbix connection layer: options, zabbix-utils underneath, error mapping, retries,
the version profile.

The transport tests replace only urllib's ``urlopen`` (what zabbix-utils calls) with
scripted answers, or run a loopback HTTP server, so zabbix-utils' own request building,
authentication and error wrapping run for real."""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import typing as t
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError, URLError

import pytest

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _zabbix
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import (
    VersionProfile,
    ZabbixAPIError,
    ZabbixAuthError,
    ZabbixClient,
    ZabbixConfigError,
    ZabbixError,
    ZabbixOptions,
    ZabbixTransientError,
    connection_argument_spec,
    profile_from_host,
)


class Answer(io.BytesIO):
    """What urlopen returns: a readable body."""


class FakeHTTP:
    """Stands in for urllib.request.urlopen: scripted answers, records what was sent."""

    def __init__(self, *answers: t.Any) -> None:
        self.answers = list(answers)
        self.sent: list[dict[str, t.Any]] = []

    def __call__(self, request: urllib.request.Request, context: t.Any = None, timeout: float | None = None) -> t.Any:
        self.sent.append({
            "url": request.full_url,
            "body": json.loads(t.cast(bytes, request.data)),
            "headers": {name.lower(): value for name, value in request.header_items()},
            "timeout": timeout,
            "context": context,
        })
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, bytes):
            return Answer(answer)
        if callable(answer):
            return answer()
        return Answer(json.dumps(answer).encode())

    def methods(self) -> list[str]:
        return [s["body"]["method"] for s in self.sent]


@pytest.fixture
def http(monkeypatch: pytest.MonkeyPatch) -> t.Callable[..., FakeHTTP]:
    """Script urlopen's answers: http(answer, ...)."""

    def script(*answers: t.Any) -> FakeHTTP:
        fake = FakeHTTP(*answers)
        monkeypatch.setattr(urllib.request, "urlopen", fake)
        return fake

    return script


def client(retries: int = 3, **options: t.Any) -> ZabbixClient:
    opts = ZabbixOptions(url=options.pop("url", "https://zabbix.example.com/"), **({"token": "tok"} | options))
    return ZabbixClient(opts, retries=retries, backoff=0.0)


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


# -- version and authentication -------------------------------------------------------------
def test_token_in_body_until_version_known_then_header(http: t.Any) -> None:
    sent = http({"result": []}, {"result": "7.0.22"}, {"result": []})
    c = client()
    c.connect(need_version=False)
    assert c.calls == 0  # building zabbix-utils' ZabbixAPI and a token login cost no request
    c.read("host.get", {})
    assert sent.sent[0]["body"]["auth"] == "tok" and "authorization" not in sent.sent[0]["headers"]
    c.ensure_profile()
    c.ensure_profile()  # asked once
    c.read("host.get", {})
    assert "auth" not in sent.sent[2]["body"] and sent.sent[2]["headers"]["authorization"] == "Bearer tok"
    assert "auth" not in sent.sent[1]["body"]  # apiinfo.version must not carry credentials
    assert sent.methods() == ["host.get", "apiinfo.version", "host.get"] and c.calls == 3


def test_a_version_learned_from_a_host_chooses_the_header(http: t.Any) -> None:
    sent = http({"result": []})
    c = client()
    c.profile = profile_from_host({"monitored_by": "0"})  # what the engine does after a host.get
    c.read("host.get", {})
    assert sent.sent[0]["headers"]["authorization"] == "Bearer tok" and "auth" not in sent.sent[0]["body"]


def test_60_keeps_the_body_auth(http: t.Any) -> None:
    sent = http({"result": "6.0.14"}, {"result": []})
    c = client()
    c.ensure_profile()
    c.read("host.get", {})
    assert sent.sent[1]["body"]["auth"] == "tok"


def test_login_logout(http: t.Any) -> None:
    sent = http({"result": "sess"}, {"result": []}, {"result": True})
    c = client(token=None, user="Admin", password="pw")
    c.connect(need_version=False)
    c.read("host.get", {})
    c.close()
    assert sent.methods() == ["user.login", "host.get", "user.logout"]
    assert sent.sent[0]["body"]["params"] == {"username": "Admin", "password": "pw"}
    assert sent.sent[1]["body"]["auth"] == "sess" and sent.sent[2]["body"]["auth"] == "sess"


def test_token_logout_costs_nothing(http: t.Any) -> None:
    sent = http({"result": []})
    c = client()
    c.read("host.get", {})
    c.close()
    assert sent.methods() == ["host.get"]


def test_failed_login_names_the_user(http: t.Any) -> None:
    http({"error": {"code": -32602, "message": "Invalid params.", "data": "Incorrect user name or password or account is temporarily blocked."}})
    with pytest.raises(ZabbixAuthError, match="Zabbix login failed for user 'Admin': Incorrect user name"):
        client(token=None, user="Admin", password="pw").connect(need_version=False)


ENV_CREDENTIALS = {"ZABBIX_URL": "http://env.invalid", "ZABBIX_USER": "env-user", "ZABBIX_PASSWORD": "env-pw", "ZABBIX_TOKEN": "env-token"}


def test_only_our_options_decide_not_zabbix_utils_env_fallbacks(http: t.Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # zabbix-utils fills missing arguments from these variables; with ZABBIX_USER set it
    # would refuse a token ("Token cannot be used with username and password").
    for name, value in ENV_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    sent = http({"result": []}, {"result": "sess"}, {"result": []})
    client().read("host.get", {})
    client(token=None, user="Admin", password="pw").read("host.get", {})
    assert [s["url"] for s in sent.sent] == ["https://zabbix.example.com/api_jsonrpc.php"] * 3
    assert sent.sent[0]["body"]["auth"] == "tok"
    assert sent.sent[1]["body"]["params"] == {"username": "Admin", "password": "pw"} and sent.sent[2]["body"]["auth"] == "sess"


def test_basic_auth_and_headers_are_passed(http: t.Any) -> None:
    sent = http({"result": "7.0.22"}, {"result": []})
    c = client(http_user="web", http_password="pw", http_headers={"X-Env": "test", "Authorization": "ignored"})
    c.ensure_profile()
    c.read("host.get", {})
    for request in sent.sent:
        assert request["headers"]["authorization"] == "Basic d2ViOnB3" and request["headers"]["x-env"] == "test"
    assert sent.sent[1]["body"]["auth"] == "tok"  # basic auth owns the header: the token stays in the body


def test_extra_headers_stay_with_their_client(http: t.Any) -> None:
    sent = http({"result": []}, {"result": []})
    client(http_headers={"X-Env": "test"}).read("host.get", {})
    client().read("host.get", {})
    assert sent.sent[0]["headers"]["x-env"] == "test" and "x-env" not in sent.sent[1]["headers"]


def test_basic_auth_on_72_is_refused_clearly(http: t.Any) -> None:
    http({"result": "7.2.3"})
    with pytest.raises(ZabbixConfigError, match="basic authentication is not supported by Zabbix 7.2"):
        client(http_user="web", http_password="pw").ensure_profile()


def test_tls_context_and_timeout(http: t.Any) -> None:
    sent = http({"result": []}, {"result": []})
    client(validate_certs=False, timeout=7.5).read("host.get", {})
    client(validate_certs=True).read("host.get", {})
    unverified, verified = sent.sent[0]["context"], sent.sent[1]["context"]
    assert sent.sent[0]["timeout"] == 7.5
    assert not unverified.check_hostname and verified.check_hostname
    assert unverified is _zabbix.ssl_context(True, False)  # shared, not one per request


# -- errors and retries -----------------------------------------------------------------------
def test_reads_retry_transient_errors(http: t.Any) -> None:
    sent = http(
        HTTPError("u", 502, "bad gateway", {}, None),  # type: ignore[arg-type]
        URLError(ConnectionResetError("reset")),
        socket.timeout("timed out"),  # raised raw by urllib while reading the answer
        {"result": ["ok"]},
    )
    c = client()
    c.retries = 4
    assert c.read("host.get", {}) == ["ok"]
    assert c.calls == 4 and len(sent.sent) == 4


def test_reads_give_up_with_a_clear_message(http: t.Any) -> None:
    http(*[URLError(ConnectionRefusedError("refused"))] * 3)
    with pytest.raises(ZabbixTransientError, match="cannot reach https://zabbix.example.com/api_jsonrpc.php"):
        client().read("host.get", {})


@pytest.mark.parametrize(
    "raised, error, text",
    [
        (HTTPError("u", 503, "unavailable", {}, None), ZabbixTransientError, "host.get: HTTP 503 from https://zabbix.example.com/api_jsonrpc.php"),
        (HTTPError("u", 401, "unauthorized", {}, None), ZabbixAuthError, "HTTP 401 .* check the HTTP credentials"),
        (HTTPError("u", 403, "forbidden", {}, None), ZabbixAuthError, "HTTP 403"),
        (HTTPError("u", 404, "not found", {}, None), ZabbixError, "HTTP 404 from"),
        (URLError(socket.timeout("timed out")), ZabbixTransientError, "timed out after 30.0s talking to"),
        (TimeoutError("read timed out"), ZabbixTransientError, "timed out after 30.0s talking to"),
        (ConnectionResetError("reset by peer"), ZabbixTransientError, "connection to .* failed: reset by peer"),
        (b"<html>", ZabbixTransientError, "did not answer JSON"),
        (b"[1]", ZabbixError, "unexpected answer"),
    ],
)
def test_transport_failures_map_onto_our_errors(http: t.Any, raised: t.Any, error: type[ZabbixError], text: str) -> None:
    http(raised)
    with pytest.raises(error, match=text) as caught:
        client(retries=1).read("host.get", {})
    assert caught.value.__class__ is error  # not a subclass: the caller decides by class
    assert caught.value.__cause__ is None  # no zabbix-utils or urllib chain in what users see


def test_a_read_timeout_after_urlopen_is_transient(http: t.Any) -> None:
    class Slow:
        def read(self) -> bytes:
            raise socket.timeout("timed out")

    http(Slow)
    with pytest.raises(ZabbixTransientError, match="timed out"):
        client(retries=1).read("host.get", {})


def test_writes_are_not_retried(http: t.Any) -> None:
    sent = http(HTTPError("u", 503, "unavailable", {}, None), {"result": {}})  # type: ignore[arg-type]
    with pytest.raises(ZabbixTransientError) as raised:
        client().write("host.update", [])
    assert len(sent.sent) == 1 and raised.value.may_have_landed


def test_database_hiccup_is_transient(http: t.Any) -> None:
    http({"error": {"code": -32603, "message": "Internal error.", "data": "Error connecting to database."}}, {"result": []})
    assert client().read("host.get", {}) == []


def test_rolled_back_statement_is_transient(http: t.Any) -> None:
    # What Zabbix 7.0 answers when concurrent host.create calls collide on its "ids" table.
    error = {"error": {"code": -32500, "message": "Application error.", "data": "Database error occurred."}}
    http(error)
    with pytest.raises(ZabbixTransientError, match="Database error occurred") as raised:
        client().write("host.create", [{"host": "a"}])
    assert raised.value.may_have_landed is False  # Zabbix said so: the transaction was rolled back
    http(error, {"result": []})
    assert client().read("host.get", {}) == []


@pytest.mark.parametrize(
    "error",
    [
        {"code": -32602, "message": "Invalid params.", "data": "Not authorised."},
        {"code": -32602, "message": "Invalid params.", "data": "Session terminated, re-login, please."},
        {"code": -32500, "message": "Application error.", "data": "API token expired."},
    ],
)
def test_auth_errors(http: t.Any, error: dict[str, t.Any]) -> None:
    http({"error": error})
    with pytest.raises(ZabbixAuthError, match="rejected the API token"):
        client().read("host.get", {})


def test_api_error_keeps_message_and_data(http: t.Any) -> None:
    http({"error": {"code": -32602, "message": "Invalid params.", "data": 'Host with the same name "a" already exists.'}})
    with pytest.raises(ZabbixAPIError) as err:
        client().write("host.create", [{}])
    assert err.value.already_exists and err.value.method == "host.create"
    assert str(err.value) == 'host.create: Invalid params. Host with the same name "a" already exists.'


def test_missing_zabbix_utils_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_zabbix, "HAS_ZABBIX_UTILS", False)
    with pytest.raises(ZabbixConfigError, match="zabbix-utils"):
        client().read("host.get", {})


# -- secrets never logged ---------------------------------------------------------------------
SECRETS = ("0123456789abcdef0123456789abcdef", "snmp-auth-passphrase", "secret-macro-value", "tok", "pw-of-admin")


def test_no_secret_reaches_any_log_even_at_debug(http: t.Any, caplog: pytest.LogCaptureFixture) -> None:
    """zabbix-utils logs whole request bodies at DEBUG (masking only password/auth/token keys)."""
    logger = logging.getLogger("zabbix_utils.api")
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        http({"result": "sess"}, {"result": {"hostids": ["1"]}}, {"result": True})
        c = client(token=None, user="Admin", password="pw-of-admin")
        c.write("host.create", [{
            "host": "a", "tls_psk": SECRETS[0], "tls_psk_identity": "psk-id",
            "interfaces": [{"type": 2, "details": {"version": 3, "authpassphrase": SECRETS[1]}}],
            "macros": [{"macro": "{$S}", "type": 1, "value": SECRETS[2]}],
        }])
        c.close()
        logging.getLogger("zabbix_utils.api").debug("probe %s", "x")  # the logger itself is live
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    text = "\n".join(record.getMessage() for record in records + caplog.records)
    assert not [secret for secret in SECRETS if secret in text]


# -- a loopback server: real sockets, proxies from the environment -----------------------------
class Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, t.Any]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        answer = json.dumps({"jsonrpc": "2.0", "result": [], "id": body["id"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: t.Any) -> None:
        pass


@pytest.fixture
def server() -> t.Iterator[tuple[str, list[dict[str, t.Any]]]]:
    Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", Recorder.seen
    httpd.shutdown()
    httpd.server_close()


def test_a_real_request_over_a_socket(server: tuple[str, list[dict[str, t.Any]]], monkeypatch: pytest.MonkeyPatch) -> None:
    url, seen = server
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert client(url=url, http_headers={"X-Env": "test"}).read("host.get", {"output": ["hostid"]}) == []
    assert seen[0]["path"] == "/api_jsonrpc.php" and seen[0]["headers"]["x-env"] == "test"
    assert seen[0]["body"]["params"] == {"output": ["hostid"]}


def test_http_proxy_from_the_environment_is_used(server: tuple[str, list[dict[str, t.Any]]], monkeypatch: pytest.MonkeyPatch) -> None:
    proxy, seen = server
    monkeypatch.setenv("http_proxy", proxy)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert client(url="http://zabbix.invalid/").read("host.get", {}) == []
    assert seen[0]["path"] == "http://zabbix.invalid/api_jsonrpc.php"  # an absolute URL: a proxy request


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
