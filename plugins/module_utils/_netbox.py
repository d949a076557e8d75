# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.
# See also: https://github.com/ansible/community/issues/539#issuecomment-780839686

"""The one NetBox connection layer of the collection (inventory plugin, modules, playbooks).

* ``NetBoxOptions.from_module_params(params)`` / ``NetBoxOptions.from_plugin(plugin)``: the
  same options (``OPTION_NAMES``) from a module's params or a plugin's ``get_option``.
* ``NetBoxClient``: a pynetbox ``Api`` whose ``http_session`` is ours (keep-alive pool sized
  for ``max_workers``, TLS verification, a default timeout, for which pynetbox has no
  option, and a request counter), the plugin's endpoints as a pynetbox ``App``, and the reads
  and writes the collection needs. Every request is a pynetbox ``Request``: reads use its
  limit/offset paging, which yields plain dicts (a ``Record`` per row costs several times
  the CPU at 10,000 rows: docs/architecture.md), always with ``ordering=id`` (NetBox 4.3.5+
  answers 500 to an unordered page); writes are its ``patch``/``post``. Ours on top: the
  page plan (pages in parallel, each handed over as it arrives), retries of dropped reads,
  one bound on the requests in flight.
* Every failure (pynetbox's ``RequestError``, ``ContentError``, ``AllocationError``, or a
  transport error from requests) is a ``NetBoxError`` with a message that names what was
  tried and never carries the token.
"""

from __future__ import annotations

import math
import time
import threading
import typing as t
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode

try:
    import requests
    from requests.adapters import HTTPAdapter

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the controller
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

try:
    import pynetbox
    from pynetbox.core.app import App
    from pynetbox.core.query import AllocationError, ContentError, Request, RequestError

    HAS_PYNETBOX = True
    PYNETBOX_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the controller
    HAS_PYNETBOX = False
    PYNETBOX_IMPORT_ERROR = exc

PLUGIN_API = "plugins/netbox_zabbix"
V2_TOKEN_PREFIX = "nbt_"
DEFAULT_TIMEOUT = 30
DEFAULT_PAGE_SIZE = 1000  # NetBox's default MAX_PAGE_SIZE
DEFAULT_MAX_WORKERS = 4
# gunicorn refuses request lines over 4094 bytes (limit_request_line); stay well under it
DEFAULT_MAX_URL_LENGTH = 3800
GET_ATTEMPTS = 3
RETRY_DELAY = 0.5  # seconds, times the attempt number
RETRY_STATUSES = (502, 503, 504)  # a proxy in front of NetBox, or gunicorn restarting a worker
# The connection options every module and plugin takes (the _netbox doc fragment), plus the
# inventory plugin's two tuning options.
OPTION_NAMES = ("netbox_url", "netbox_token", "netbox_validate_certs", "netbox_timeout", "max_workers", "page_size")


class NetBoxError(Exception):
    """A NetBox call failed; the message is safe to show (no token)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def auth_header(token: str) -> str:
    """v2 tokens (``nbt_<key>.<secret>``, NetBox 4.5+) go as Bearer, v1 (40 hex) as Token."""
    return f"Bearer {token}" if token.startswith(V2_TOKEN_PREFIX) else f"Token {token}"


def normalize_url(url: str) -> str:
    """``https://netbox.example.com``, ``.../`` and ``.../api/`` all mean the same NetBox."""
    url = url.strip().rstrip("/")
    if url.endswith("/api"):
        url = url[: -len("/api")]
    return url


@dataclass(frozen=True)
class NetBoxOptions:
    url: str
    token: str
    validate_certs: bool = True
    timeout: float = DEFAULT_TIMEOUT
    max_workers: int = DEFAULT_MAX_WORKERS
    page_size: int = DEFAULT_PAGE_SIZE

    def __repr__(self) -> str:  # keep the token out of tracebacks and debug output
        return f"NetBoxOptions(url={self.url!r}, validate_certs={self.validate_certs}, timeout={self.timeout})"

    @classmethod
    def from_params(cls, params: t.Mapping[str, t.Any]) -> NetBoxOptions:
        """From option values named as the ``_netbox`` doc fragment names them (``OPTION_NAMES``).

        Any other key is refused: a misspelt or unprefixed option must not be ignored
        silently (``validate_certs`` next to Zabbix options would be ambiguous)."""
        unknown = sorted(set(params) - set(OPTION_NAMES))
        if unknown:
            raise NetBoxError(f"unknown NetBox option(s): {', '.join(unknown)} (known: {', '.join(OPTION_NAMES)})")
        url = params.get("netbox_url")
        token = params.get("netbox_token")
        if not url:
            raise NetBoxError("NetBox URL missing: set netbox_url (or NETBOX_API)")
        if not token:
            raise NetBoxError("NetBox token missing: set netbox_token (or NETBOX_TOKEN)")
        return cls(
            url=normalize_url(str(url)),
            token=str(token).strip(),
            validate_certs=_bool(params.get("netbox_validate_certs"), True),
            timeout=float(params.get("netbox_timeout") or DEFAULT_TIMEOUT),
            max_workers=int(params.get("max_workers") or DEFAULT_MAX_WORKERS),
            page_size=int(params.get("page_size") or DEFAULT_PAGE_SIZE),
        )

    @classmethod
    def from_module_params(cls, params: t.Mapping[str, t.Any]) -> NetBoxOptions:
        """From a module's validated params: its NetBox options, whatever else the module has."""
        return cls.from_params({name: params[name] for name in OPTION_NAMES if name in params})

    @classmethod
    def from_plugin(cls, plugin: t.Any) -> NetBoxOptions:
        """From an Ansible plugin whose options come from the ``_netbox`` doc fragment."""

        def option(name: str) -> t.Any:
            try:
                return plugin.get_option(name)
            except KeyError:
                return None

        return cls.from_params({name: option(name) for name in OPTION_NAMES})


def _bool(value: t.Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y")
    return bool(value)


def _session_class() -> type:
    class CountingSession(requests.Session):
        """pynetbox's ``http_session``: a default timeout and a thread-safe request counter."""

        def __init__(self, timeout: float) -> None:
            super().__init__()
            self.default_timeout = timeout
            self._count_lock = threading.Lock()
            self.request_count = 0

        def request(self, method, url, *args, **kwargs):  # type: ignore[override]
            # pynetbox calls session.get/patch/post without a timeout: every request gets ours
            kwargs.setdefault("timeout", self.default_timeout)
            # Per request, because requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override
            # a session-wide verify=False (merge_environment_settings), but not this one.
            kwargs.setdefault("verify", self.verify)
            with self._count_lock:
                self.request_count += 1
            return super().request(method, url, *args, **kwargs)

    return CountingSession


class NetBoxClient:
    """pynetbox ``Api`` on our session, the plugin's ``App``, and the collection's NetBox calls."""

    def __init__(self, options: NetBoxOptions, session: t.Any = None) -> None:
        if not HAS_REQUESTS:
            raise NetBoxError(f"the Python library 'requests' is required: {REQUESTS_IMPORT_ERROR}")
        if not HAS_PYNETBOX:
            raise NetBoxError(f"the Python library 'pynetbox' is required: {PYNETBOX_IMPORT_ERROR}")
        self.options = options
        self.session = session or _session_class()(options.timeout)
        self.session.default_timeout = options.timeout
        self.session.verify = options.validate_certs
        # The token goes on the session, not to pynetbox: pynetbox 7.5 (which requirements.txt
        # allows) sends every token as "Token ...", and a v2 token wants Bearer.
        self.session.headers.update({"Authorization": auth_header(options.token), "Accept": "application/json"})
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(10, options.max_workers * 2))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # pynetbox's default offset paging: the plugin answers cursor paging (start=) 400 with
        # ordering=id, 500 without (pynetbox 7.5 has no pagination option to pass)
        self.api = pynetbox.api(options.url)
        self.api.http_session = self.session
        # nb.plugins.netbox_zabbix turns "_" into "-" (plugins/netbox-zabbix: 404): the App by its name
        self.plugin = App(self.api, PLUGIN_API)
        self.api_url = self.api.base_url
        # One bound for every request in flight, however the reads nest their thread pools:
        # more than the server has workers only queues requests there (and times them out).
        self._slots = threading.BoundedSemaphore(max(1, options.max_workers))

    @property
    def request_count(self) -> int:
        return getattr(self.session, "request_count", 0)

    # -- low level ------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.api_url}/{path.strip('/')}/"

    def endpoint(self, path: str) -> t.Any:
        """The pynetbox ``Endpoint`` of a list path (``dcim/devices``, ``plugins/netbox_zabbix/host-config``)."""
        app, _sep, slug = path.strip("/").rpartition("/")
        # attribute access, which turns "_" into "-" (pynetbox 7.5 has no App.endpoint()): no
        # slug the collection reads has an underscore; the plugin's App name has one
        return getattr(self.plugin if app == PLUGIN_API else App(self.api, app), slug.replace("-", "_"))

    def _request(self, url: str, filters: t.Mapping[str, t.Any] | None = None, key: int | None = None,
                 limit: int | None = None, offset: int | None = None) -> t.Any:
        return Request(base=url, http_session=self.api.http_session,
                       filters=dict(filters) if filters else None, key=key, limit=limit, offset=offset)

    def _call(self, what: str, send: t.Callable[[], t.Any], write: bool = False) -> t.Any:
        """One pynetbox request (``send``), its failures turned into ``NetBoxError``.

        A read that NetBox dropped half-way (a gunicorn worker restarted or killed for its
        timeout under load) or a 502/503/504 is worth another try; a refused connection or a
        write is not."""
        attempts = 1 if write else GET_ATTEMPTS
        for attempt in range(1, attempts + 1):
            try:
                with self._slots:
                    return send()
            except RequestError as exc:
                status = exc.req.status_code
                if status in RETRY_STATUSES and attempt < attempts:
                    time.sleep(RETRY_DELAY * attempt)
                    continue
                raise self._error(f"{what}: {_describe_error(exc.req)}", status) from None
            except AllocationError as exc:  # a 409 to a POST
                raise self._error(f"{what}: {_describe_error(exc.req)}", exc.req.status_code) from None
            except ContentError:
                raise self._error(f"{what}: the answer is not JSON; is {self.options.url} a NetBox?") from None
            except requests.exceptions.SSLError as exc:
                raise self._error(f"{what}: TLS error ({_first_line(exc)}); set validate_certs=false "
                                  "only for a NetBox with a self-signed certificate") from None
            except requests.exceptions.Timeout:
                raise self._error(f"{what}: no answer within {self.options.timeout:g} s (timeout)") from None
            except requests.exceptions.RequestException as exc:
                if attempt < attempts and _dropped(exc):
                    time.sleep(RETRY_DELAY * attempt)
                    continue
                raise self._error(f"{what}: cannot reach NetBox at {self.options.url} ({_first_line(exc)})") from None
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _error(self, message: str, status: int | None = None) -> NetBoxError:
        # NetBox's answer is quoted; a proxy or a misconfigured server may echo the request's headers
        return NetBoxError(message.replace(self.options.token, "********") if self.options.token else message, status)

    def get(self, path: str, params: t.Any = None) -> t.Any:
        """One GET of a URL that does not page (an API root, a row by id): the JSON as NetBox sent it."""
        url = self._url(path)
        request = self._request(url, filters=params)
        # Request.get() yields a non-list answer whole, as pynetbox's Endpoint.get() reads it
        return self._call(f"GET {url}", lambda: next(request.get(), None))

    def _page(self, path: str, params: t.Mapping[str, t.Any] | None, limit: int, offset: int = 0) -> tuple[list[dict], int]:
        """One page as plain dicts and the count NetBox sends with it.

        pynetbox's ``Request`` with a limit and an offset makes exactly one request and yields
        that page's rows as they were decoded (no ``Record`` each)."""
        url = self.endpoint(path).url
        request = self._request(url, filters={**dict(params or {}), "ordering": "id"}, limit=limit, offset=offset)
        rows = self._call(f"GET {url}/", lambda: list(request.get()))
        # a JSON answer that is not a page comes back whole, as one "row" without an id
        if rows and not (isinstance(rows[0], dict) and "id" in rows[0]):
            raise self._error(f"GET {url}/: not a NetBox list answer; is {self.options.url} a NetBox?")
        return rows, int(getattr(request, "count", None) or 0)

    # -- checks ---------------------------------------------------------------------------

    def check_plugin(self) -> None:
        """One GET on the plugin's API root, turned into a clear message when it fails."""
        try:
            root = self.get(PLUGIN_API)
        except NetBoxError as exc:
            if exc.status in (401, 403):
                raise NetBoxError(
                    f"NetBox at {self.options.url} refused the token (HTTP {exc.status}): check NETBOX_TOKEN / "
                    "netbox_token (v1: 40 hex characters, v2: nbt_<key>.<secret>) and that it may read "
                    "the netbox_zabbix plugin", status=exc.status) from None
            if exc.status == 404:
                raise NetBoxError(self._explain_404(), status=404) from None
            raise
        if not isinstance(root, dict) or "host-config" not in root:
            raise NetBoxError(self._explain_404(), status=404)

    def _explain_404(self) -> str:
        """404 on the plugin root: a NetBox without the plugin, or not a NetBox at all."""
        try:
            status = self._call(f"GET {self._url('status')}", self.api.status)
        except NetBoxError:
            status = None
        if isinstance(status, dict) and "netbox-version" in status:
            return (f"NetBox {status['netbox-version']} at {self.options.url} has no netbox_zabbix plugin "
                    f"(HTTP 404 on /api/{PLUGIN_API}/): install and enable the netbox_zabbix NetBox plugin")
        return (f"{self.options.url} does not look like a NetBox API (HTTP 404 on /api/{PLUGIN_API}/ and no "
                "/api/status/): check NETBOX_API / netbox_url")

    # -- reads ----------------------------------------------------------------------------

    def list_all(self, path: str, params: t.Mapping[str, t.Any] | None = None,
                 page_size: int | None = None, count: int | None = None) -> list[dict]:
        """Every row of a list endpoint, ``ordering=id``, limit/offset pages.

        The first page tells the count; the other pages are fetched in parallel
        (``max_workers``). With ``count`` known beforehand every page goes out at once.
        """
        limit = page_size or self.options.page_size
        if count is not None and count > limit:
            pages = self._parallel(lambda offset: self._page(path, params, limit, offset)[0], range(0, count, limit))
            rows = [row for page in pages for row in page]
            if len(rows) >= count:
                return rows
            # fewer rows: the server caps limit below ours (MAX_PAGE_SIZE); page the way it says
        rows, count = self._page(path, params, limit, 0)
        if not rows or len(rows) >= count:
            return rows
        served = len(rows)  # the server may cap limit (MAX_PAGE_SIZE)
        pages = self._parallel(lambda offset: self._page(path, params, served, offset)[0], range(served, count, served))
        for page in pages:
            rows.extend(page)
        return rows

    def _parallel(self, call: t.Callable[[t.Any], t.Any], items: t.Iterable[t.Any]) -> list[t.Any]:
        items = list(items)
        if len(items) <= 1 or self.options.max_workers <= 1:
            return [call(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.options.max_workers, len(items))) as pool:
            return list(pool.map(call, items))  # map keeps the order: rows stay ordered by id

    def id_chunks(self, path: str, ids: t.Iterable[int], params: t.Mapping[str, t.Any] | None = None,
                  max_url_length: int = DEFAULT_MAX_URL_LENGTH) -> list[list[int]]:
        """Split ids so that each ``?id=..&id=..`` URL stays under ``max_url_length``."""
        fixed = len(self._url(path)) + len(urlencode({**dict(params or {}), "ordering": "id",
                                                      "limit": self.options.page_size, "offset": 0},
                                                     doseq=True)) + 2
        chunks: list[list[int]] = []
        current: list[int] = []
        length = fixed
        for pk in sorted(set(ids)):
            cost = len(f"&id={pk}")
            if current and (length + cost > max_url_length or len(current) >= self.options.page_size):
                chunks.append(current)
                current, length = [], fixed
            current.append(pk)
            length += cost
        if current:
            chunks.append(current)
        return chunks

    def get_by_ids(self, path: str, ids: t.Iterable[int], params: t.Mapping[str, t.Any] | None = None,
                   max_url_length: int = DEFAULT_MAX_URL_LENGTH) -> list[dict]:
        """Rows whose id is in ``ids``: one request per chunk of ids, chunks in parallel.

        Ids that NetBox does not know (a deleted Device) are simply absent from the result.
        """
        chunks = self.id_chunks(path, ids, params, max_url_length)

        def fetch(chunk: list[int]) -> list[dict]:
            return self._page(path, {**dict(params or {}), "id": chunk}, len(chunk))[0]

        rows: list[dict] = []
        for chunk_rows in self._parallel(fetch, chunks):
            rows.extend(chunk_rows)
        return rows

    def count(self, path: str, params: t.Mapping[str, t.Any] | None = None) -> int:
        """The count of a list, from a page of one row (as before pynetbox: ``Request.get_count``
        adds ``brief=1``, which the plugin's endpoints ignore)."""
        return self._page(path, params, 1)[1]

    def fetch_many(self, path: str, ids: t.Iterable[int], params: t.Mapping[str, t.Any] | None = None) -> list[dict]:
        """Rows by id, choosing the cheaper of id chunks and the whole (paged) list.

        Both cost a number of requests that grows with pages, not with hosts; whole pages
        are larger (``page_size`` rows against a URL-length-bounded chunk), so the whole
        list wins once the wanted ids are a large share of it.
        """
        wanted = set(ids)
        if not wanted:
            return []
        chunks = len(self.id_chunks(path, wanted, params))
        if chunks <= 1:
            return self.get_by_ids(path, wanted, params)
        total = self.count(path, params)
        if math.ceil(total / self.options.page_size) < chunks:
            return [row for row in self.list_all(path, params, count=total) if row.get("id") in wanted]
        return self.get_by_ids(path, wanted, params)

    def plugin_list(self, endpoint: str, params: t.Mapping[str, t.Any] | None = None) -> list[dict]:
        return self.list_all(f"{PLUGIN_API}/{endpoint}", params)

    def plugin_pages(self, endpoint: str, on_page: t.Callable[[list[dict], int], None],
                     lanes: int | None = None, count: int | None = None) -> list[dict]:
        """Every row of a (slow) plugin list, handing each page to ``on_page(rows, pages)`` as it arrives.

        A cheap count first (unless ``count`` is given), then every page at once on ``lanes`` requests in flight (default
        ``max_workers``), so that a caller leaving the other lanes free can overlap its other
        reads with these pages and work on each page while the next ones are served.
        """
        path = f"{PLUGIN_API}/{endpoint}"
        lanes = max(1, min(lanes or self.options.max_workers, self.options.max_workers))
        if count is None:
            count = self.count(path)
        # Pages of equal size, a whole number of them per lane: no lane idles in the last round
        # (1,000 rows on 3 lanes: 3 pages of 334, not 1 of 1,000; 10,000: 12 of 834, not 10).
        rounds = max(1, math.ceil(count / (lanes * self.options.page_size)))
        limit = max(1, math.ceil(count / (lanes * rounds)))
        pages = max(1, math.ceil(count / limit))

        def page(offset: int) -> list[dict]:
            rows = self._page(path, None, limit, offset)[0]
            on_page(rows, pages)
            return rows

        offsets = range(0, max(count, 1), limit)
        if len(offsets) <= 1 or lanes <= 1:
            results = [page(offset) for offset in offsets]
        else:
            with ThreadPoolExecutor(max_workers=min(lanes, len(offsets))) as pool:
                results = list(pool.map(page, offsets))
        rows = [row for chunk in results for row in chunk]
        if len(rows) < count and any(len(chunk) < limit for chunk in results[:-1]):
            # the server caps limit below ours (MAX_PAGE_SIZE): read the rest the way it pages
            seen = {row.get("id") for row in rows}
            rest = [row for row in self.list_all(path) if row.get("id") not in seen]
            if rest:
                on_page(rest, pages)
            rows.extend(rest)
        return rows

    # -- writes ---------------------------------------------------------------------------

    def patch_hostconfig(self, hostconfig_id: int, fields: t.Mapping[str, t.Any]) -> dict:
        """PATCH one HostConfig (the plugin has no bulk update: one request per changed row)."""
        return self.patch_plugin_row("host-config", hostconfig_id, fields)

    def patch_plugin_row(self, endpoint: str, row_id: int, fields: t.Mapping[str, t.Any]) -> dict:
        """PATCH one row of a plugin endpoint (host-config, agent-interface, snmp-interface).

        pynetbox's detail ``Request.patch``, as ``Record.save()`` sends it, without reading the
        row first. Not ``Endpoint.update([...])``: that PATCHes the list URL, which the
        plugin answers 405."""
        what = {"host-config": "HostConfig", "agent-interface": "agent interface", "snmp-interface": "SNMP interface"}.get(endpoint, endpoint)
        request = self._request(self.endpoint(f"{PLUGIN_API}/{endpoint}").url, key=int(row_id))
        return self._call(f"updating {what} #{row_id}", lambda: request.patch(dict(fields)), write=True)

    def post_event_log(self, name: str, message: str = "", data: t.Any = None) -> dict:
        """Write one EventLog entry (``name`` is required by the API)."""
        payload: dict[str, t.Any] = {"name": name, "message": message}
        if data is not None:
            payload["data"] = data
        request = self._request(self.endpoint(f"{PLUGIN_API}/event-log").url)
        return self._call("writing the NetBox event log", lambda: request.post(payload), write=True)


def _dropped(exc: BaseException) -> bool:
    """The connection was made and then dropped (not refused, not a DNS failure)."""
    text = str(exc)
    return isinstance(exc, requests.exceptions.ConnectionError) and (
        "Connection aborted" in text or "RemoteDisconnected" in text or "Connection reset" in text)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else exc.__class__.__name__


def _describe_error(response: t.Any) -> str:
    """``HTTP 500: QuerySetNotOrdered: Paginating over ...`` from NetBox's JSON error body."""
    detail = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        if "error" in body:
            detail = f"{body.get('exception', 'error')}: {body['error']}"
        elif "detail" in body:
            detail = str(body["detail"])
        else:
            detail = "; ".join(f"{key}: {value}" for key, value in body.items())
    elif isinstance(body, list):
        detail = "; ".join(str(item) for item in body)
    else:
        detail = (response.reason or "").strip()
    return f"HTTP {response.status_code}" + (f": {detail[:500]}" if detail else "")
