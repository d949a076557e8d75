# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""The one Zabbix connection layer of the collection.

* ``ZabbixOptions``: connection options from module params (``from_params``) or from a
  plugin's ``get_option`` (``from_plugin``), like community.hashi_vault's option adapter.
* ``ZabbixClient``: a small JSON-RPC client with retries and clear errors.
* ``VersionProfile``: every difference between Zabbix 6.0 and 7.0 the collection knows of.

Why not zabbix-utils' ``ZabbixAPI``: its constructor always calls ``apiinfo.version``
(an unchanged host must cost exactly one API call), it has no retries, and it cannot
fall back from a failed bulk write. This client speaks the same JSON-RPC with
``ansible.module_utils.urls`` only, so modules and controller plugins share it.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
import typing as t
from dataclasses import dataclass, field
from urllib.error import HTTPError, URLError

from ansible.module_utils.common.parameters import env_fallback
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.urls import Request, make_context


ENV_URL = "ZABBIX_URL"
ENV_TOKEN = "ZABBIX_TOKEN"
ENV_USER = "ZABBIX_USER"
ENV_PASSWORD = "ZABBIX_PASSWORD"

# Option name -> (type, environment variable) shared by modules and plugins.
CONNECTION_ARGUMENT_SPEC: dict[str, dict[str, t.Any]] = {
    "zabbix_url": {"type": "str"},
    "zabbix_token": {"type": "str", "no_log": True},
    "zabbix_user": {"type": "str"},
    "zabbix_password": {"type": "str", "no_log": True},
    "zabbix_validate_certs": {"type": "bool", "default": True},
    "zabbix_timeout": {"type": "float", "default": 30.0},
    "zabbix_http_headers": {"type": "dict"},
    "zabbix_http_user": {"type": "str"},
    "zabbix_http_password": {"type": "str", "no_log": True},
}

_ENV_BY_OPTION = {
    "zabbix_url": ENV_URL,
    "zabbix_token": ENV_TOKEN,
    "zabbix_user": ENV_USER,
    "zabbix_password": ENV_PASSWORD,
}
# Option -> environment variable it falls back to (read-only view for callers).
ENV_FALLBACKS: t.Mapping[str, str] = _ENV_BY_OPTION


def connection_argument_spec(with_env_fallback: bool = True) -> dict[str, dict[str, t.Any]]:
    """A fresh copy of the connection spec; modules get ``env_fallback`` for URL and credentials."""
    spec = {name: dict(opts) for name, opts in CONNECTION_ARGUMENT_SPEC.items()}
    if with_env_fallback:
        for name, env in _ENV_BY_OPTION.items():
            spec[name]["fallback"] = (env_fallback, [env])
    return spec


class ZabbixError(Exception):
    """Any failure talking to Zabbix; the message never contains credentials."""


class ZabbixConfigError(ZabbixError):
    """Missing or contradictory connection options."""


class ZabbixAuthError(ZabbixError):
    """Zabbix rejected the token, the session or the user/password (global, not per host)."""


class ZabbixTransientError(ZabbixError):
    """A failure worth retrying: HTTP 5xx, timeout, connection refused or reset.

    ``may_have_landed`` is False when Zabbix itself answered that the call's database
    transaction was rolled back: a write that failed so certainly did not happen."""

    def __init__(self, message: str, may_have_landed: bool = True) -> None:
        super().__init__(message)
        self.may_have_landed = may_have_landed


class ZabbixAPIError(ZabbixError):
    """Zabbix answered with a JSON-RPC error (bad parameters, permissions, conflicts)."""

    def __init__(self, method: str, message: str, data: str) -> None:
        self.method = method
        self.message = message
        self.data = data
        super().__init__(f"{method}: {message} {data}".strip())

    @property
    def already_exists(self) -> bool:
        return "already exists" in self.data


@dataclass
class ZabbixOptions:
    """Connection options, independent of where they came from."""

    url: str
    token: str | None = None
    user: str | None = None
    password: str | None = None
    validate_certs: bool = True
    timeout: float = 30.0
    http_headers: dict[str, str] = field(default_factory=dict)
    http_user: str | None = None
    http_password: str | None = None

    @classmethod
    def from_params(cls, params: t.Mapping[str, t.Any], env: t.Mapping[str, str] | None = None) -> ZabbixOptions:
        """From module/action params (``zabbix_*`` keys); ``env`` fills URL and credentials left unset."""

        def get(name: str) -> t.Any:
            value = params.get(name)
            if value in (None, "") and env is not None and name in _ENV_BY_OPTION:
                value = env.get(_ENV_BY_OPTION[name]) or None
            return value

        url = get("zabbix_url")
        if not url:
            raise ZabbixConfigError(f"zabbix_url is required (or set {ENV_URL})")
        token, user, password = get("zabbix_token"), get("zabbix_user"), get("zabbix_password")
        if not token and not (user and password):
            raise ZabbixConfigError(
                f"Zabbix credentials are required: zabbix_token ({ENV_TOKEN}) "
                f"or zabbix_user and zabbix_password ({ENV_USER}, {ENV_PASSWORD})"
            )
        timeout = params.get("zabbix_timeout")
        validate = params.get("zabbix_validate_certs")
        return cls(
            url=str(url),
            token=str(token) if token else None,
            user=None if token else str(user),
            password=None if token else str(password),
            validate_certs=True if validate is None else bool(validate),
            timeout=30.0 if timeout is None else float(timeout),
            http_headers={str(k): str(v) for k, v in (params.get("zabbix_http_headers") or {}).items()},
            http_user=params.get("zabbix_http_user") or None,
            http_password=params.get("zabbix_http_password") or None,
        )

    @classmethod
    def from_plugin(cls, plugin: t.Any) -> ZabbixOptions:
        """From a controller plugin whose DOCUMENTATION includes the ``PLUGINS`` fragment."""
        params = {name: plugin.get_option(name) for name in CONNECTION_ARGUMENT_SPEC if plugin.has_option(name)}
        return cls.from_params(params)

    @property
    def api_url(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("api_jsonrpc.php") else f"{url}/api_jsonrpc.php"


@dataclass(frozen=True)
class VersionProfile:
    """Everything that differs between Zabbix 6.0 and 7.0, in one place."""

    version: str

    @property
    def major_minor(self) -> tuple[int, int]:
        parts = (self.version.split(".") + ["0"])[:2]
        return int(parts[0]), int(parts[1])

    @property
    def family(self) -> str:
        """Major.minor, for messages ("6.0")."""
        return "{}.{}".format(*self.major_minor)

    @property
    def is_7(self) -> bool:
        return self.major_minor >= (7, 0)

    @property
    def supports_proxy_groups(self) -> bool:
        return self.is_7

    @property
    def snmp_max_repetitions(self) -> bool:
        return self.is_7

    @property
    def header_auth(self) -> bool:
        # The "auth" request field was deprecated in 6.4 and dropped in 7.2.
        return self.major_minor >= (6, 4)

    @property
    def proxy_name_field(self) -> str:
        return "name" if self.is_7 else "host"

    def host_get_selects(self, inventory_fields: t.Iterable[str] | None = None) -> dict[str, t.Any]:
        """host.get selects for this version; inventory limited to the fields managed."""
        selects = host_get_selects(inventory_fields)
        del selects["selectGroups" if self.is_7 else "selectHostGroups"]
        return selects

    @staticmethod
    def host_groups(zhost: t.Mapping[str, t.Any]) -> list[dict[str, str]]:
        """The host's groups whichever select answered (7.0 ``hostgroups``, 6.0 ``groups``)."""
        groups = zhost.get("hostgroups")
        if groups is None:
            groups = zhost.get("groups")
        return list(groups or [])

    @staticmethod
    def read_monitoring(zhost: t.Mapping[str, t.Any]) -> tuple[str, str | None, str | None]:
        """(monitored_by, proxyid, proxy_groupid) from a host object of either version."""
        if "monitored_by" in zhost:  # 7.0+
            mode = {"0": "server", "1": "proxy", "2": "proxy_group"}.get(str(zhost["monitored_by"]), "server")
            proxyid = str(zhost.get("proxyid") or "0")
            groupid = str(zhost.get("proxy_groupid") or "0")
            return mode, (proxyid if proxyid != "0" else None), (groupid if groupid != "0" else None)
        proxyid = str(zhost.get("proxy_hostid") or "0")
        return ("proxy", proxyid, None) if proxyid != "0" else ("server", None, None)

    def render_monitoring(self, mode: str, proxyid: str | None, proxy_groupid: str | None) -> dict[str, t.Any]:
        if self.is_7:
            return {
                "monitored_by": {"server": "0", "proxy": "1", "proxy_group": "2"}[mode],
                "proxyid": proxyid if mode == "proxy" else "0",
                "proxy_groupid": proxy_groupid if mode == "proxy_group" else "0",
            }
        return {"proxy_hostid": proxyid if mode == "proxy" else "0"}

    def proxy_get(self, names: list[str], ids: list[str]) -> list[tuple[str, dict[str, t.Any]]]:
        """proxy.get calls resolving these names and IDs."""
        name_field = self.proxy_name_field
        calls = []
        if names:
            calls.append(("proxy.get", {"output": ["proxyid", name_field], "filter": {name_field: names}}))
        if ids:
            calls.append(("proxy.get", {"output": ["proxyid", name_field], "proxyids": ids}))
        return calls


# A host.get that works unchanged on 6.0 and 7.0: "extend" returns each version's own
# proxy fields, and each version ignores the other's group select. Used when the version
# is not known yet, so that an unchanged host costs exactly one API call.
INTERFACE_FIELDS = ["interfaceid", "type", "main", "useip", "ip", "dns", "port", "details"]


def host_get_selects(inventory_fields: t.Iterable[str] | None = None) -> dict[str, t.Any]:
    """Selects valid on 6.0 and 7.0 alike (each ignores the other's group select)."""
    selects: dict[str, t.Any] = {
        "selectInterfaces": INTERFACE_FIELDS,
        "selectParentTemplates": ["templateid", "host", "name"],
        "selectTags": "extend",
        "selectMacros": "extend",
        "selectGroups": ["groupid", "name"],
        "selectHostGroups": ["groupid", "name"],
    }
    fields = sorted(set(inventory_fields or ()))
    if fields:  # 70 inventory fields per host are the bulk of a host.get answer
        selects["selectInventory"] = fields
    return selects


def profile_from_host(zhost: t.Mapping[str, t.Any]) -> VersionProfile:
    """Infer the version family from a host object (7.0 hosts carry ``monitored_by``)."""
    return VersionProfile("7.0" if "monitored_by" in zhost else "6.0")


# SSL contexts by (https, validate_certs), shared by every client of the process. Building
# one costs 5 ms (plain HTTP) to 40 ms (loading the CA bundle): a per-host task would pay
# that per host. An SSLContext is safe to share between threads and to inherit over fork.
_SSL_CONTEXTS: dict[tuple[bool, bool], t.Any] = {}


def ssl_context(https: bool, validate_certs: bool) -> t.Any:
    key = (https, validate_certs)
    context = _SSL_CONTEXTS.get(key)
    if context is None:
        # Plain HTTP gets a bare context: urls would otherwise load the CA bundle per call.
        context = make_context(validate_certs=validate_certs) if https else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context = _SSL_CONTEXTS.setdefault(key, context)
    return context


def prepare_ssl_contexts() -> None:
    """Build the common contexts now: in a controller process before Ansible forks its
    workers (one per host and task), so that every worker inherits them."""
    ssl_context(False, True)
    ssl_context(True, True)


_AUTH_ERROR_HINTS = ("not authorised", "not authorized", "session terminated", "re-login", "api token expired", "invalid token")
# The frontend answers these when its database is briefly unavailable (restart, overload).
# "Database error occurred." is what it says when a statement failed and the call's
# transaction was rolled back; concurrent host.create calls on a fresh database collide on
# Zabbix's own ID table (duplicate key in "ids"), and a second try succeeds. Writes are
# never resent blindly: the engine re-reads the host first.
_TRANSIENT_ERROR_HINTS = ("error connecting to database", "database is locked", "deadlock detected", "could not serialize access",
                          "database error occurred")


class ZabbixClient:
    """JSON-RPC over HTTP with read retries; writes are never retried here (the engine re-reads first)."""

    def __init__(
        self,
        options: ZabbixOptions,
        retries: int = 3,
        backoff: float = 0.5,
        opener: t.Callable[..., t.Any] | None = None,
    ) -> None:
        self.options = options
        self.retries = retries
        self.backoff = backoff
        self._open = opener or Request(use_proxy=True, follow_redirects="safe", use_netrc=False).open
        self._session: str | None = options.token
        self._logged_in = False
        self.profile: VersionProfile | None = None
        self.calls = 0  # number of HTTP requests sent, reported by the benchmark and tests
        self._request_id = 0

    # -- connection ---------------------------------------------------------------------
    def connect(self, need_version: bool = True) -> None:
        """Log in with user/password if needed, and learn the version unless told not to."""
        if need_version and self.profile is None:
            self.profile = VersionProfile(str(self._call("apiinfo.version", {}, auth=False, write=False)))
        if self._session is None:
            self._login()

    def ensure_profile(self) -> VersionProfile:
        if self.profile is None:
            self.profile = VersionProfile(str(self._call("apiinfo.version", {}, auth=False, write=False)))
        return self.profile

    def _login(self) -> None:
        result = self._call(
            "user.login",
            {"username": self.options.user, "password": self.options.password},
            auth=False,
            write=False,
        )
        self._session = str(result)
        self._logged_in = True

    def close(self) -> None:
        """Log out a user/password session (tokens stay valid)."""
        if self._logged_in:
            try:
                self._call("user.logout", [], write=False)
            except ZabbixError:
                pass  # the session expires on its own; nothing to report
            self._logged_in = False
            self._session = None

    # -- calls --------------------------------------------------------------------------
    def read(self, method: str, params: t.Any) -> t.Any:
        """A read: retried with backoff on transient errors."""
        return self._call(method, params, write=False)

    def write(self, method: str, params: t.Any) -> t.Any:
        """A write: sent once; a transient failure raises ZabbixTransientError."""
        return self._call(method, params, write=True)

    def _call(self, method: str, params: t.Any, auth: bool = True, write: bool = False) -> t.Any:
        attempts = 1 if write else max(1, self.retries)
        delay = self.backoff
        for attempt in range(1, attempts + 1):
            try:
                return self._send(method, params, auth)
            except ZabbixTransientError:
                if attempt == attempts:
                    raise
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, params: t.Any, auth: bool) -> t.Any:
        self._request_id += 1
        body: dict[str, t.Any] = {"jsonrpc": "2.0", "method": method, "params": params, "id": self._request_id}
        headers = {"Content-Type": "application/json-rpc", "Accept": "application/json"}
        headers.update(self.options.http_headers)
        if auth and self._session:
            if self.profile is not None and self.profile.header_auth and not self.options.http_user:
                headers["Authorization"] = f"Bearer {self._session}"
            else:
                # 6.0 only knows the body field; 6.4-7.0 still accept it (used while the
                # version is unknown, and with HTTP basic auth, which owns the header).
                body["auth"] = self._session
        self.calls += 1
        try:
            response = self._open(
                "POST",
                self.options.api_url,
                data=json.dumps(body),
                headers=headers,
                validate_certs=self.options.validate_certs,
                timeout=self.options.timeout,
                url_username=self.options.http_user,
                url_password=self.options.http_password,
                force_basic_auth=bool(self.options.http_user),
                context=ssl_context(self.options.api_url.startswith("https"), self.options.validate_certs),
            )
            raw = response.read()
        except HTTPError as exc:
            if exc.code >= 500:
                raise ZabbixTransientError(f"{method}: HTTP {exc.code} from {self.options.api_url}") from None
            if exc.code in (401, 403):
                raise ZabbixAuthError(f"{method}: HTTP {exc.code} from {self.options.api_url}: check the HTTP credentials") from None
            raise ZabbixError(f"{method}: HTTP {exc.code} from {self.options.api_url}") from None
        except (socket.timeout, TimeoutError) as exc:
            raise ZabbixTransientError(f"{method}: timed out after {self.options.timeout}s talking to {self.options.api_url}") from exc
        except URLError as exc:
            raise ZabbixTransientError(f"{method}: cannot reach {self.options.api_url}: {to_text(exc.reason)}") from None
        except (ConnectionError, OSError) as exc:
            raise ZabbixTransientError(f"{method}: connection to {self.options.api_url} failed: {exc}") from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise ZabbixTransientError(f"{method}: {self.options.api_url} did not answer JSON (is it the Zabbix frontend?)") from None
        if not isinstance(answer, dict):
            raise ZabbixError(f"{method}: unexpected answer from {self.options.api_url}")
        if "error" in answer:
            error = answer["error"] or {}
            message, data = str(error.get("message", "")), str(error.get("data", ""))
            if any(hint in data.lower() or hint in message.lower() for hint in _AUTH_ERROR_HINTS):
                how = "API token" if self.options.token else "user/password session"
                raise ZabbixAuthError(f"Zabbix rejected the {how} on {method}: {data or message}")
            if any(hint in data.lower() for hint in _TRANSIENT_ERROR_HINTS):
                raise ZabbixTransientError(f"{method}: {message} {data}".strip(), may_have_landed=False)
            if method == "user.login":
                raise ZabbixAuthError(f"Zabbix login failed for user {self.options.user!r}: {data or message}")
            raise ZabbixAPIError(method, message, data)
        return answer.get("result")
