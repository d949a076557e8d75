# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared unit-test setup: the collection is importable, and a fake Zabbix for the engine."""

from __future__ import annotations

import copy
import os
import sys
import typing as t
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".cache" / "collections"
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS))
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))

from ansible.plugins.loader import init_plugin_loader  # noqa: E402

init_plugin_loader()

from zabbix_utils import ZabbixAPI  # noqa: E402

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._hostconfig import ZABBIX_INVENTORY_FIELDS  # noqa: E402
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._zabbix import (  # noqa: E402
    CollectionZabbixAPI,
    ZabbixAPIError,
    ZabbixClient,
    ZabbixOptions,
    ZabbixTransientError,
)


class FakeZabbix:
    """A small in-memory Zabbix API (6.0 or 7.0 flavour) for engine tests.

    It answers like the real one where the engine depends on it: strings everywhere,
    write-only PSK and secret macro values, groups under ``groups``/``hostgroups``,
    proxy fields per version, bulk calls that are all-or-nothing."""

    def __init__(self, version: str = "7.0.22") -> None:
        self.version = version
        self.is7 = version.startswith("7")
        self.groups = {"2": "Linux servers", "21": "NB Core", "22": "NB Edge"}
        self.templates = {"10001": ("Linux by Zabbix agent", "Linux by Zabbix agent"), "10564": ("ICMP Ping", "ICMP Ping"), "10700": ("tpl_web", "Web server")}
        self.proxies = {"101": "nb-proxy-1", "102": "nb-proxy-2"}
        self.proxy_groups = {"201": "nb-pg-1"} if self.is7 else {}
        self.hosts: dict[str, dict[str, t.Any]] = {}
        self.calls: list[tuple[str, t.Any]] = []
        self.failures: list[tuple[str, Exception, t.Callable[[t.Any], bool]]] = []
        self._next = 10100

    # -- test helpers ---------------------------------------------------------------
    def fail(self, method: str, exc: Exception, when: t.Callable[[t.Any], bool] = lambda p: True) -> None:
        """Raise ``exc`` once on the next ``method`` call whose params match ``when``."""
        self.failures.append((method, exc, when))

    def new_id(self) -> str:
        self._next += 1
        return str(self._next)

    def methods(self) -> list[str]:
        return [m for m, _params in self.calls]

    def host(self, name: str) -> dict[str, t.Any]:
        return next(h for h in self.hosts.values() if h["host"] == name)

    # -- dispatch -------------------------------------------------------------------
    def __call__(self, method: str, params: t.Any) -> t.Any:
        self.calls.append((method, copy.deepcopy(params)))
        for index, (name, exc, when) in enumerate(self.failures):
            if name == method and when(params):
                del self.failures[index]
                raise exc
        handler = getattr(self, "api_" + method.replace(".", "_"))
        return handler(params)

    def api_apiinfo_version(self, params: t.Any) -> str:
        return self.version

    def api_user_login(self, params: t.Any) -> str:
        return "session-123"

    def api_user_logout(self, params: t.Any) -> bool:
        return True

    def api_hostgroup_get(self, params: dict[str, t.Any]) -> list[dict[str, str]]:
        names = (params.get("filter") or {}).get("name")
        ids = params.get("groupids")
        return [
            {"groupid": gid, "name": name}
            for gid, name in self.groups.items()
            if (names is None or name in names) and (ids is None or gid in ids)
        ]

    def api_hostgroup_create(self, params: dict[str, t.Any]) -> dict[str, list[str]]:
        if params["name"] in self.groups.values():
            raise ZabbixAPIError("hostgroup.create", "Invalid params.", f'Host group "{params["name"]}" already exists.')
        gid = self.new_id()
        self.groups[gid] = params["name"]
        return {"groupids": [gid]}

    def api_template_get(self, params: dict[str, t.Any]) -> list[dict[str, str]]:
        flt = params.get("filter") or {}
        ids = params.get("templateids")
        out = []
        for tid, (host, name) in self.templates.items():
            if "host" in flt and host not in flt["host"]:
                continue
            if "name" in flt and name not in flt["name"]:
                continue
            if ids is not None and tid not in ids:
                continue
            out.append({"templateid": tid, "host": host, "name": name})
        return out

    def api_proxy_get(self, params: dict[str, t.Any]) -> list[dict[str, str]]:
        field = "name" if self.is7 else "host"
        names = (params.get("filter") or {}).get(field)
        ids = params.get("proxyids")
        return [
            {"proxyid": pid, field: name}
            for pid, name in self.proxies.items()
            if (names is None or name in names) and (ids is None or pid in ids)
        ]

    def api_proxygroup_get(self, params: dict[str, t.Any]) -> list[dict[str, str]]:
        if not self.is7:
            raise ZabbixAPIError("proxygroup.get", "Method not found.", 'Incorrect API "proxygroup".')
        names = (params.get("filter") or {}).get("name")
        ids = params.get("proxy_groupids")
        return [
            {"proxy_groupid": pid, "name": name}
            for pid, name in self.proxy_groups.items()
            if (names is None or name in names) and (ids is None or pid in ids)
        ]

    def api_host_get(self, params: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        names = set((params.get("filter") or {}).get("host") or []) or None
        hostids = {str(i) for i in params["hostids"]} if params.get("hostids") is not None else None
        out = []
        for stored in self.hosts.values():
            if names is not None and stored["host"] not in names:
                continue
            if hostids is not None and stored["hostid"] not in hostids:
                continue
            h = {k: v for k, v in stored.items()
                 if k not in ("groups", "templates", "interfaces", "tags", "macros", "inventory", "tls_psk", "tls_psk_identity")}
            groups = [{"groupid": g, "name": self.groups[g]} for g in stored["groups"]]
            if "selectGroups" in params:
                h["groups"] = groups
            if "selectHostGroups" in params and self.is7:
                h["hostgroups"] = groups
            h["parentTemplates"] = [{"templateid": tid, "host": self.templates[tid][0], "name": self.templates[tid][1]} for tid in stored["templates"]]
            h["interfaces"] = copy.deepcopy(stored["interfaces"])
            h["tags"] = copy.deepcopy(stored["tags"])
            h["macros"] = [{k: v for k, v in m.items() if not (k == "value" and m["type"] == "1")} for m in stored["macros"]]
            if "selectInventory" in params:
                inv = stored["inventory"]
                fields = sorted(ZABBIX_INVENTORY_FIELDS) if params["selectInventory"] == "extend" else params["selectInventory"]
                h["inventory"] = {k: inv.get(k, "") for k in fields} if stored["inventory_mode"] != "-1" else []
            out.append(h)
        return out

    def _check(self, h: dict[str, t.Any]) -> None:
        for g in h.get("groups", []):
            if g["groupid"] not in self.groups:
                raise ZabbixAPIError("host", "Invalid params.", "No permissions to referred object or it does not exist!")
        for tp in h.get("templates", []):
            if tp["templateid"] not in self.templates:
                raise ZabbixAPIError("host", "Invalid params.", "No permissions to referred object or it does not exist!")
        if "tls_psk" in h and len(h["tls_psk"]) < 32:
            raise ZabbixAPIError("host", "Invalid params.", 'Invalid parameter "/1/tls_psk": minimum length is 32 characters.')

    def _apply(self, stored: dict[str, t.Any], h: dict[str, t.Any]) -> None:
        scalar = ["host", "name", "description", "status", "inventory_mode",
                  "tls_connect", "tls_accept", "tls_issuer", "tls_subject", "tls_psk", "tls_psk_identity"]
        scalar += ["monitored_by", "proxyid", "proxy_groupid"] if self.is7 else ["proxy_hostid"]
        for key in scalar:
            if key in h:
                stored[key] = str(h[key])
        if "groups" in h:
            stored["groups"] = [g["groupid"] for g in h["groups"]]
        if "templates" in h:
            stored["templates"] = [tp["templateid"] for tp in h["templates"]]
        if "interfaces" in h:
            new = []
            for zif in h["interfaces"]:
                zif = copy.deepcopy(zif)
                zif.setdefault("interfaceid", self.new_id())
                zif.setdefault("details", [])
                new.append(zif)
            stored["interfaces"] = new
        if "tags" in h:
            stored["tags"] = [{"tag": tg["tag"], "value": tg.get("value", "")} for tg in h["tags"]]
        if "macros" in h:
            old = {m["hostmacroid"]: m for m in stored["macros"]}
            new = []
            for zm in h["macros"]:
                merged = dict(old.get(zm.get("hostmacroid"), {}))
                merged.update({k: str(v) for k, v in zm.items()})
                merged.setdefault("hostmacroid", self.new_id())
                merged.setdefault("value", "")
                merged.setdefault("description", "")
                merged.setdefault("type", "0")
                new.append(merged)
            stored["macros"] = new
        if "inventory" in h:
            stored["inventory"].update(h["inventory"])

    def api_host_create(self, params: list[dict[str, t.Any]]) -> dict[str, list[str]]:
        staged = []
        names = {h["host"] for h in self.hosts.values()}
        for h in params:
            if h["host"] in names:
                raise ZabbixAPIError("host.create", "Invalid params.", f'Host with the same name "{h["host"]}" already exists.')
            self._check(h)
            stored = {
                "hostid": self.new_id(), "host": h["host"], "name": h["host"], "description": "", "status": "0",
                "inventory_mode": "-1", "tls_connect": "1", "tls_accept": "1", "tls_issuer": "", "tls_subject": "",
                "groups": [], "templates": [], "interfaces": [], "tags": [], "macros": [], "inventory": {},
            }
            stored.update({"monitored_by": "0", "proxyid": "0", "proxy_groupid": "0"} if self.is7 else {"proxy_hostid": "0"})
            self._apply(stored, h)
            staged.append(stored)
            names.add(h["host"])
        for stored in staged:  # all or nothing, like one database transaction
            self.hosts[stored["hostid"]] = stored
        return {"hostids": [s["hostid"] for s in staged]}

    def api_host_update(self, params: list[dict[str, t.Any]]) -> dict[str, list[str]]:
        staged = {}
        for h in params:
            if h["hostid"] not in self.hosts:
                raise ZabbixAPIError("host.update", "Invalid params.", "No permissions to referred object or it does not exist!")
            self._check(h)
            if "host" in h and any(o["host"] == h["host"] and o["hostid"] != h["hostid"] for o in self.hosts.values()):
                raise ZabbixAPIError("host.update", "Invalid params.", f'Host with the same name "{h["host"]}" already exists.')
            stored = copy.deepcopy(self.hosts[h["hostid"]])
            self._apply(stored, h)
            staged[h["hostid"]] = stored
        self.hosts.update(staged)
        return {"hostids": [h["hostid"] for h in params]}

    def api_hostinterface_get(self, params: dict[str, t.Any]) -> list[dict[str, t.Any]]:
        hostids = {str(i) for i in params["hostids"]}
        return [
            {k: v for k, v in dict(zif, hostid=stored["hostid"]).items() if k in params["output"]}
            for stored in self.hosts.values() if stored["hostid"] in hostids for zif in stored["interfaces"]
        ]

    def api_host_delete(self, params: list[str]) -> dict[str, list[str]]:
        for hostid in params:
            self.hosts.pop(hostid)
        return {"hostids": list(params)}


class FakeTransport(ZabbixAPI):
    """zabbix-utils' ZabbixAPI whose HTTP request is answered by a FakeZabbix."""

    fake: FakeZabbix

    def send_api_request(self, method: str, params: t.Any = None, need_auth: bool = True) -> dict[str, t.Any]:
        return {"jsonrpc": "2.0", "result": self.fake(method, params), "id": "1"}


class FakeAPI(CollectionZabbixAPI, FakeTransport):
    """The collection's ZabbixAPI subclass (login, version, counting stay real) over a fake transport."""


class FakeClient(ZabbixClient):
    """ZabbixClient whose transport is a FakeZabbix (retries, counters and login stay real)."""

    def __init__(self, fake: FakeZabbix, token: bool = True) -> None:
        options = ZabbixOptions(url="http://zabbix.invalid", token="tok" if token else None, user=None if token else "Admin", password=None if token else "pw")
        super().__init__(options, backoff=0.0)
        self.fake = fake

    def _new_api(self) -> t.Any:
        api = FakeAPI(self.options, lambda: self.profile.version if self.profile else None, self._count_request)
        api.fake = self.fake
        return api


@pytest.fixture(params=["6.0.14", "7.0.22"], ids=["zabbix60", "zabbix70"])
def fake_zabbix(request: pytest.FixtureRequest) -> FakeZabbix:
    return FakeZabbix(request.param)


@pytest.fixture
def client_for() -> type[FakeClient]:
    """FakeClient(fake, token=True): a new client (a new run) on the same fake Zabbix."""
    return FakeClient


TransientError = ZabbixTransientError


@pytest.fixture(autouse=True)
def _drift_report_beside_a_temporary_event_log(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The summary step writes its drift report beside the event log: never in the user's home from a test."""
    monkeypatch.setenv("NETBOX_ZABBIX_SYNC_LOG_PATH", str(tmp_path_factory.mktemp("eventlog") / "sync_log.jsonl"))
