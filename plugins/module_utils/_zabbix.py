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
* ``ZabbixClient``: the calls the engine and the plugins make (``read``, ``write``,
  ``connect``, ``ensure_profile``, ``close``, ``calls``), over zabbix-utils' ``ZabbixAPI``
  (login with a token or user/password, ``apiinfo.version``, TLS, timeouts, basic auth,
  proxies from the environment). On top, ours: read retries with backoff, the transient /
  auth / API error classes below, and writes that are never resent blindly.
* ``CollectionZabbixAPI``: the ``ZabbixAPI`` subclass that only our resolved options
  configure (not its own ZABBIX_* environment fallbacks), that answers the version the
  client knows so an unchanged host costs one call, and that adds ``zabbix_http_headers``.
* ``VersionProfile``: every difference between Zabbix 6.0 and 7.0 the collection knows of.

Everything zabbix-utils raises, and what it lets through raw (read timeouts, resets),
becomes a ``ZabbixError`` subclass whose message never holds a credential. zabbix-utils'
DEBUG request and answer bodies (which hold PSKs, SNMP passphrases, secret macros) are
dropped at its logger.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import re
import socket
import ssl
import time
import typing as t
from dataclasses import dataclass, field
from http.client import HTTPException
from urllib.error import HTTPError, URLError

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.parameters import env_fallback
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.urls import make_context

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _codes

try:
    from zabbix_utils import api as zabbix_utils_api
    from zabbix_utils import APIRequestError, APINotSupported, APIVersion, ModuleBaseException, ProcessingError, ZabbixAPI

    HAS_ZABBIX_UTILS = True
    ZABBIX_UTILS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the Python that runs the module
    HAS_ZABBIX_UTILS = False
    ZABBIX_UTILS_IMPORT_ERROR = exc
    zabbix_utils_api = None
    ZabbixAPI = object
    APIVersion = str

    class ModuleBaseException(Exception):  # type: ignore[no-redef]
        """Stands in for zabbix-utils' base exception when it is missing."""

    class APIRequestError(ModuleBaseException):  # type: ignore[no-redef]
        """Stand-in."""

    class APINotSupported(ModuleBaseException):  # type: ignore[no-redef]
        """Stand-in."""

    class ProcessingError(ModuleBaseException):  # type: ignore[no-redef]
        """Stand-in."""


# "0" -> "server" ...: the reverse of the one table in _codes
_MONITORED_BY_NAMES = {code: name for name, code in _codes.MONITORED_BY.items()}

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
            mode = _MONITORED_BY_NAMES.get(str(zhost["monitored_by"]), "server")
            proxyid = str(zhost.get("proxyid") or "0")
            groupid = str(zhost.get("proxy_groupid") or "0")
            return mode, (proxyid if proxyid != "0" else None), (groupid if groupid != "0" else None)
        proxyid = str(zhost.get("proxy_hostid") or "0")
        return ("proxy", proxyid, None) if proxyid != "0" else ("server", None, None)

    def render_monitoring(self, mode: str, proxyid: str | None, proxy_groupid: str | None) -> dict[str, t.Any]:
        if self.is_7:
            return {
                "monitored_by": _codes.MONITORED_BY[mode],
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


def as_selected(zhost: t.Mapping[str, t.Any], inventory_fields: t.Iterable[str] | None = None) -> dict[str, t.Any]:
    """A host read with ``selectInventory: "extend"``, as ``host_get_selects(inventory_fields)`` would have read it.

    Lets one read with the whole inventory stand in for many hosts' reads that each select
    only the inventory fields they manage."""
    host = dict(zhost)
    fields = sorted(set(inventory_fields or ()))
    inventory = host.pop("inventory", None)
    if fields:
        # a host with inventory disabled answers an empty list, whatever was selected
        host["inventory"] = {k: inventory[k] for k in fields if k in inventory} if isinstance(inventory, dict) else inventory
    return host


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

# Until the version is known, requests use the 6.0 dialect (the token or session in the
# body's "auth" field, user.login with "username"), which every version from 6.0 to 7.0
# accepts; 7.2 dropped the body field, and the engine then learns the version and retries.
_DIALECT_UNTIL_KNOWN = "6.0.0"

# zabbix-utils logs every request and answer body at DEBUG on this logger. Its filter
# masks only "password", "auth" and "token" keys: PSKs, SNMP passphrases and secret macro
# values would reach any handler that a caller (or a root logger at DEBUG) attaches.
_ZABBIX_UTILS_LOGGER = "zabbix_utils.api"


def _below_info(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.INFO


def _silence_request_bodies() -> None:
    """Drop the library's DEBUG records at their source logger (idempotent): a filter on the
    logger runs before any handler and before propagation, so no configuration reaches them."""
    logger = logging.getLogger(_ZABBIX_UTILS_LOGGER)
    if _below_info not in logger.filters:
        logger.addFilter(_below_info)


_silence_request_bodies()


# Extra headers (zabbix_http_headers) of the client sending the current request. zabbix-utils
# builds its urllib Request inside send_api_request with a fixed header set and has no hook
# for more; _HeaderHook, installed once as the urllib.request that zabbix_utils.api sees,
# adds this context's headers to each Request it builds. A context variable keeps clients
# in different threads apart; with no client headers set it changes nothing.
_EXTRA_HEADERS: contextvars.ContextVar[t.Mapping[str, str]] = contextvars.ContextVar("netbox_zabbix_sync_extra_headers", default={})


class _HeaderHook:
    """``urllib.request`` as zabbix_utils.api uses it, plus the current client's extra headers."""

    def __init__(self, module: t.Any) -> None:
        self.module = module

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self.module, name)

    def Request(self, url: str, data: t.Any = None, headers: t.Mapping[str, str] | None = None, **kwargs: t.Any) -> t.Any:  # pylint: disable=invalid-name
        merged = dict(headers or {})
        for name, value in _EXTRA_HEADERS.get().items():
            if name.lower() == "authorization" and "Authorization" in merged:
                continue  # the library's own credentials (Bearer or Basic) win
            merged[name] = value
        return self.module.Request(url, data=data, headers=merged, **kwargs)


def _install_header_hook() -> None:
    if not isinstance(zabbix_utils_api.ul, _HeaderHook):
        zabbix_utils_api.ul = _HeaderHook(zabbix_utils_api.ul)


@functools.lru_cache(maxsize=16)
def _api_version(version: str) -> t.Any:
    """zabbix-utils wants "major.minor.patch"; a version learned from a host is "7.0", a
    pre-release "7.4.0beta1"."""
    parts = (re.findall(r"\d+", version) + ["0", "0", "0"])[:3]
    return APIVersion(".".join(parts))


class CollectionZabbixAPI(ZabbixAPI):  # type: ignore[misc,valid-type]
    """zabbix-utils' ZabbixAPI, told only what the collection resolved and what it knows.

    * Credentials: ``ZabbixAPI.__init__`` fills missing arguments from ZABBIX_URL,
      ZABBIX_USER, ZABBIX_PASSWORD and ZABBIX_TOKEN and logs in with them, so a token
      option beside a ZABBIX_USER variable would be refused. ``ZabbixOptions`` already
      applies the documented fallbacks; the constructor's login is skipped and
      ``ZabbixClient`` calls ``login()`` with its own options.
    * Version: ``api_version()`` answers the client's known version (probed, or learned
      from a host), and the 6.0 dialect until then, so that constructing and token login
      cost no API call and an unchanged host costs one host.get.
    * Every request is counted (``on_request``) and carries the client's extra headers.
    """

    def __init__(self, options: ZabbixOptions, known_version: t.Callable[[], str | None], on_request: t.Callable[[], None]) -> None:
        self._known_version = known_version
        self._on_request = on_request
        self._extra_headers = dict(options.http_headers)
        if self._extra_headers:
            _install_header_hook()
        https = options.api_url.startswith("https")
        self._constructing = True
        super().__init__(
            url=options.api_url,
            http_user=options.http_user,
            http_password=options.http_password,
            skip_version_check=True,  # VersionProfile decides what this collection supports
            # Our shared context, also when not validating: zabbix-utils would build a new
            # one per request (40 ms with the CA bundle) for validate_certs=False. Given a
            # context, urlopen builds its opener per request, so proxy variables are read
            # as ansible-core's urls reads them, not once per process.
            validate_certs=True,
            ssl_context=ssl_context(https, options.validate_certs),
            timeout=options.timeout,
        )
        self._constructing = False

    def api_version(self) -> t.Any:
        known = self._known_version()
        return _api_version(known or _DIALECT_UNTIL_KNOWN)

    def login(self, token: str | None = None, user: str | None = None, password: str | None = None) -> None:
        if self._constructing:
            return  # arguments filled from ZABBIX_* variables; ZabbixClient logs in with its options
        super().login(token=token, user=user, password=password)

    def send_api_request(self, method: str, params: t.Any = None, need_auth: bool = True) -> t.Any:
        self._on_request()
        reset = _EXTRA_HEADERS.set(self._extra_headers) if self._extra_headers else None
        try:
            return super().send_api_request(method, params, need_auth)
        finally:
            if reset is not None:
                _EXTRA_HEADERS.reset(reset)


class ZabbixClient:
    """Zabbix calls over zabbix-utils with read retries and the collection's errors.

    Writes are never retried here (the engine re-reads first)."""

    def __init__(self, options: ZabbixOptions, retries: int = 3, backoff: float = 0.5) -> None:
        self.options = options
        self.retries = retries
        self.backoff = backoff
        self.profile: VersionProfile | None = None
        self.calls = 0  # number of HTTP requests sent, reported by the benchmark and tests
        self._zapi: t.Any = None
        self._logged_in = False

    def _count_request(self) -> None:
        self.calls += 1

    def _new_api(self) -> t.Any:
        """The zabbix-utils API object (tests put a fake transport under it)."""
        return CollectionZabbixAPI(self.options, lambda: self.profile.version if self.profile else None, self._count_request)

    def _api(self) -> t.Any:
        if self._zapi is None:
            if not HAS_ZABBIX_UTILS:
                raise ZabbixConfigError(missing_required_lib("zabbix-utils") + f" ({ZABBIX_UTILS_IMPORT_ERROR})")
            try:
                self._zapi = self._new_api()
            except (ModuleBaseException, TypeError, ValueError) as exc:
                raise ZabbixConfigError(f"cannot use the Zabbix API at {self.options.api_url}: {exc}") from None
        return self._zapi

    # -- connection ---------------------------------------------------------------------
    def connect(self, need_version: bool = True) -> None:
        """Log in with user/password if needed, and learn the version unless told not to."""
        if need_version:
            self.ensure_profile()
        self._login()

    def ensure_profile(self) -> VersionProfile:
        """The version, asked of Zabbix (apiinfo.version) unless already known."""
        if self.profile is None:
            api = self._api()
            version = str(self._attempts("apiinfo.version", api.apiinfo.version, write=False))
            self.profile = VersionProfile(version)
            if self.options.http_user and self.profile.major_minor > (7, 0):
                raise ZabbixConfigError(f"zabbix_http_user: HTTP basic authentication is not supported by Zabbix {self.profile.family} (7.2 and later)")
        return self.profile

    def _login(self) -> None:
        if self._logged_in:
            return
        api = self._api()
        if self.options.token:
            self._attempts("login", lambda: api.login(token=self.options.token), write=False)
        else:
            self._attempts("user.login", lambda: api.login(user=self.options.user, password=self.options.password), write=False)
        self._logged_in = True

    def close(self) -> None:
        """Log out a user/password session (tokens stay valid, and cost no call)."""
        if self._logged_in:
            self._logged_in = False
            try:
                self._guarded("user.logout", self._zapi.logout)
            except ZabbixError:
                pass  # the session expires on its own; nothing to report

    # -- calls --------------------------------------------------------------------------
    def read(self, method: str, params: t.Any) -> t.Any:
        """A read: retried with backoff on transient errors."""
        return self._call(method, params, write=False)

    def write(self, method: str, params: t.Any) -> t.Any:
        """A write: sent once; a transient failure raises ZabbixTransientError."""
        return self._call(method, params, write=True)

    def _call(self, method: str, params: t.Any, auth: bool = True, write: bool = False) -> t.Any:
        return self._attempts(method, lambda: self._send(method, params, auth), write)

    def _send(self, method: str, params: t.Any, auth: bool) -> t.Any:
        if auth:
            self._login()
        answer = self._api().send_api_request(method, params, need_auth=auth)
        if not isinstance(answer, dict):
            raise ZabbixError(f"{method}: unexpected answer from {self.options.api_url}")
        return answer.get("result")

    def _attempts(self, method: str, send: t.Callable[[], t.Any], write: bool) -> t.Any:
        attempts = 1 if write else max(1, self.retries)
        delay = self.backoff
        for attempt in range(1, attempts + 1):
            try:
                return self._guarded(method, send)
            except ZabbixTransientError:
                if attempt == attempts:
                    raise
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _guarded(self, method: str, send: t.Callable[[], t.Any]) -> t.Any:
        """Run one request and translate what zabbix-utils raises, or lets through raw."""
        url = self.options.api_url
        try:
            return send()
        except ZabbixError:
            raise
        except APIRequestError as exc:
            raise self._api_error(method, str(getattr(exc, "message", "") or exc), str(getattr(exc, "data", "") or "")) from None
        except ProcessingError as exc:
            # zabbix-utils wraps URLError (HTTPError among them) and bad JSON, raising from
            # None: the original stays in __context__.
            cause = exc.__context__
            if isinstance(cause, (URLError, OSError, HTTPException)):
                raise self._transport_error(method, cause) from None
            if isinstance(cause, ValueError):
                raise ZabbixTransientError(f"{method}: {url} did not answer JSON (is it the Zabbix frontend?)") from None
            raise ZabbixError(f"{method}: {exc}") from None
        except APINotSupported as exc:
            raise ZabbixConfigError(f"{method}: {exc}") from None
        except (OSError, HTTPException) as exc:
            # Raised while reading the answer (after urlopen returned): not wrapped.
            raise self._transport_error(method, exc) from None

    def _transport_error(self, method: str, exc: BaseException) -> ZabbixError:
        url = self.options.api_url
        if isinstance(exc, HTTPError):
            if exc.code >= 500:
                return ZabbixTransientError(f"{method}: HTTP {exc.code} from {url}")
            if exc.code in (401, 403):
                return ZabbixAuthError(f"{method}: HTTP {exc.code} from {url}: check the HTTP credentials")
            return ZabbixError(f"{method}: HTTP {exc.code} from {url}")
        if isinstance(exc, URLError):
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                return ZabbixTransientError(f"{method}: timed out after {self.options.timeout}s talking to {url}")
            return ZabbixTransientError(f"{method}: cannot reach {url}: {to_text(reason)}")
        if isinstance(exc, (socket.timeout, TimeoutError)):
            return ZabbixTransientError(f"{method}: timed out after {self.options.timeout}s talking to {url}")
        return ZabbixTransientError(f"{method}: connection to {url} failed: {exc}")

    def _api_error(self, method: str, message: str, data: str) -> ZabbixError:
        if any(hint in data.lower() or hint in message.lower() for hint in _AUTH_ERROR_HINTS):
            how = "API token" if self.options.token else "user/password session"
            return ZabbixAuthError(f"Zabbix rejected the {how} on {method}: {data or message}")
        if any(hint in data.lower() for hint in _TRANSIENT_ERROR_HINTS):
            return ZabbixTransientError(f"{method}: {message} {data}".strip(), may_have_landed=False)
        if method == "user.login":
            return ZabbixAuthError(f"Zabbix login failed for user {self.options.user!r}: {data or message}")
        return ZabbixAPIError(method, message, data)
