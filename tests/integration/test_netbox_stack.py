"""The local NetBox + fixture plugin answers like the real netbox_zabbix plugin.

Checks the live server (stack/netbox.sh up) against the recorded payloads in
tests/unit/fixtures/hostconfig/ (copies of the spec's samples): field names and value
types per endpoint, and the quirks the collection relies on (500 without ordering, 500
on fields=/omit=, 400 on a duplicate hostid or an event-log POST without name, 405 on
bulk writes, which filters exist, both token formats).

The test creates its own objects (prefix `itnbs-`) and deletes them afterwards, so it
runs on an empty or a seeded NetBox alike.
"""
from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "stack"))
from envfile import read_env_file  # noqa: E402  pylint: disable=wrong-import-position


REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "unit" / "fixtures" / "hostconfig"
STACK_DIR = Path(os.environ.get("STACK_DIR") or REPO / ".stack")
ENV_FILE = STACK_DIR / "netbox.env"
PLUGIN = "/api/plugins/netbox_zabbix"

pytestmark = pytest.mark.integration

if not ENV_FILE.is_file():
    pytest.skip(f"NetBox is not running: {ENV_FILE} is missing (start it with stack/netbox.sh up)",
                allow_module_level=True)


ENV = read_env_file(ENV_FILE)
API = ENV["NETBOX_API"].rstrip("/")


def session(header: str) -> requests.Session:
    s = requests.Session()
    s.headers.update({"Authorization": header, "Accept": "application/json"})
    return s


@pytest.fixture(scope="module")
def nb() -> requests.Session:
    s = session(f"Bearer {ENV['NETBOX_TOKEN']}")
    try:
        s.get(f"{API}/api/status/", timeout=10).raise_for_status()
    except requests.RequestException as exc:
        # netbox.env exists, so the stack claims to be up: a NetBox that does not answer is a failure
        pytest.fail(f"NetBox at {API} does not answer ({exc.__class__.__name__}: {exc}); check stack/netbox.sh status",
                    pytrace=False)
    return s


def ok(response: requests.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.status_code} {response.text[:500]}"
    return response.json() if response.content else None


@pytest.fixture(scope="module")
def objects(nb: requests.Session) -> Iterator[dict[str, Any]]:
    """One row of every kind, created through the API; deleted afterwards."""
    tag = f"itnbs-{uuid.uuid4().hex[:6]}"
    created: list[str] = []  # URLs to DELETE, in reverse order

    def post(path: str, payload: dict[str, Any]) -> dict[str, Any]:
        row = ok(nb.post(f"{API}{path}", json=payload, timeout=30), 201)
        created.append(f"{API}{path}{row['id']}/")
        return row

    def get_or_post(path: str, match: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        # Shared singletons (Setting, mappings) are reused, or created and kept (as the seed would).
        # Matched client-side: the object_type filter answers 400 for a value no row has yet.
        rows = ok(nb.get(f"{API}{path}", params={"ordering": "id"}, timeout=30))["results"]
        found = [row for row in rows if all(row.get(k) == v for k, v in match.items())]
        return found[0] if found else ok(nb.post(f"{API}{path}", json=payload, timeout=30), 201)

    o: dict[str, Any] = {"tag": tag}
    try:
        yield create_objects(nb, tag, o, post, get_or_post)
    finally:
        for url in reversed(created):
            nb.delete(url, timeout=30)


def create_objects(nb, tag: str, o: dict[str, Any], post, get_or_post) -> dict[str, Any]:
    o["site"] = post("/api/dcim/sites/", {"name": tag, "slug": tag, "latitude": 59.3, "longitude": 18.1})
    o["manufacturer"] = post("/api/dcim/manufacturers/", {"name": tag, "slug": tag})
    o["device_type"] = post("/api/dcim/device-types/", {"manufacturer": o["manufacturer"]["id"], "model": tag, "slug": tag})
    o["role"] = post("/api/dcim/device-roles/", {"name": tag, "slug": tag})
    o["device"] = post("/api/dcim/devices/", {"name": f"{tag}-dev", "site": o["site"]["id"],
                                              "device_type": o["device_type"]["id"], "role": o["role"]["id"]})
    o["device2"] = post("/api/dcim/devices/", {"name": f"{tag}-dev2", "site": o["site"]["id"],
                                               "device_type": o["device_type"]["id"], "role": o["role"]["id"]})
    o["iface"] = post("/api/dcim/interfaces/", {"device": o["device"]["id"], "name": "eth0", "type": "1000base-t"})
    o["ip"] = post("/api/ipam/ip-addresses/", {"address": f"198.18.{int(tag[-6:], 16) % 250}.{int(tag[-4:], 16) % 250 + 1}/16",
                                               "dns_name": f"{tag}.example.net",
                                               "assigned_object_type": "dcim.interface",
                                               "assigned_object_id": o["iface"]["id"]})
    ct = ok(nb.get(f"{API}/api/core/object-types/", params={"app_label": "dcim", "model": "device"}, timeout=30))
    o["ct_device"] = ct["results"][0]["id"]
    ct = ok(nb.get(f"{API}/api/core/object-types/", params={"app_label": "dcim", "model": "interface"}, timeout=30))
    o["ct_interface"] = ct["results"][0]["id"]

    o["host_group"] = post(f"{PLUGIN}/host-group/", {"name": f"{tag} group", "groupid": "4242"})
    o["template"] = post(f"{PLUGIN}/templates/", {"name": f"{tag} template", "templateid": "10564"})
    o["proxy_group"] = post(f"{PLUGIN}/proxy-group/", {"name": f"{tag}-pg", "proxy_groupid": "77"})
    o["proxy"] = post(f"{PLUGIN}/proxy/", {"name": f"{tag}-proxy", "proxyid": "78", "proxy_groupid": "0"})
    o["setting"] = get_or_post(f"{PLUGIN}/setting/", {}, {"name": "config",
                                                          "api_endpoint": "http://127.0.0.1:18070/api_jsonrpc.php",
                                                          "web_address": "http://127.0.0.1:18070",
                                                          "event_log_enabled": True, "default_tag": "netbox_id",
                                                          "tag_prefix": "nb_"})
    for path in ("tag-mapping", "inventory-mapping"):
        entry = ({"name": "Site", "value": "site.name", "enabled": True} if path == "tag-mapping"
                 else {"name": "Location", "paths": ["site.name"], "invkey": "location", "enabled": True})
        o[path] = get_or_post(f"{PLUGIN}/{path}/", {"object_type": "device"},
                              {"object_type": "device", "selection": [entry]})
    common = {"content_type": o["ct_device"], "host_groups": [o["host_group"]["id"]],
              "templates": [o["template"]["id"]]}
    o["hc"] = post(f"{PLUGIN}/host-config/", {"name": f"z-{tag}-dev", "object_id": o["device"]["id"],
                                              "description": f"{tag} first", **common})
    o["hc2"] = post(f"{PLUGIN}/host-config/", {"name": f"z-{tag}-dev2", "object_id": o["device2"]["id"],
                                               "monitored_by": 1, "proxy": o["proxy"]["id"], **common})
    iface = {"host_config": o["hc"]["id"], "interface_type": o["ct_interface"], "interface_id": o["iface"]["id"],
             "ip_address": o["ip"]["id"], "useip": 1, "main": 1}
    o["agent"] = post(f"{PLUGIN}/agent-interface/", {"name": f"{tag}-dev-agent", "type": 1, "port": 10050, **iface})
    o["snmp"] = post(f"{PLUGIN}/snmp-interface/", {"name": f"{tag}-dev-snmp", "type": 2, "port": 161, "version": 3,
                                                   **iface})
    o["event"] = post(f"{PLUGIN}/event-log/", {"name": f"{tag} event", "message": "m", "data": {"a": 1}})
    return o


# ----------------------------------------------------------------------------- shapes
def type_name(value: Any) -> str:
    return type(value).__name__  # int, str, bool, float, list, dict, NoneType


def sample_rows(name: str) -> list[dict[str, Any]]:
    data = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data["results"] if isinstance(data, dict) and "results" in data else [data]


def sample_types(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Per key, the non-null value types seen in the recorded rows (list elements as list[int] etc.)."""
    types: dict[str, set[str]] = {}
    for row in rows:
        for key, value in row.items():
            seen = types.setdefault(key, set())
            if value is None:
                continue
            seen.add(type_name(value))
            if isinstance(value, list):
                seen.update(f"list[{type_name(v)}]" for v in value)
    return types


ENDPOINTS = ("host-config", "agent-interface", "snmp-interface", "host-group", "templates", "proxy", "proxy-group",
             "setting", "tag-mapping", "inventory-mapping", "event-log")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_fields_and_types_match_the_recorded_samples(nb, objects, endpoint):
    rows = ok(nb.get(f"{API}{PLUGIN}/{endpoint}/", params={"ordering": "-id", "limit": 50}, timeout=30))["results"]
    assert rows, f"{endpoint}: no rows"
    expected = sample_types(sample_rows(endpoint))
    for row in rows:
        assert set(row) == set(expected), f"{endpoint}: keys differ: extra {set(row) - set(expected)}, missing {set(expected) - set(row)}"
        for key, value in row.items():
            if value is None or not expected[key]:
                continue
            assert type_name(value) in expected[key], f"{endpoint}.{key}: {value!r} is not {expected[key]}"
            if isinstance(value, list):
                for element in value:
                    assert f"list[{type_name(element)}]" in expected[key] or len(expected[key]) == 1, (
                        f"{endpoint}.{key}: element {element!r} is not one of {expected[key]}")


def test_host_config_row_is_flat(objects):
    hc = objects["hc"]
    assert isinstance(hc["content_type"], int)
    assert hc["host_groups"] == [objects["host_group"]["id"]]
    assert hc["templates"] == [objects["template"]["id"]]
    assert hc["hostid"] is None and hc["status"] == 0 and hc["monitored_by"] == 0
    assert objects["hc2"]["proxy"] == objects["proxy"]["id"] and objects["hc2"]["monitored_by"] == 1


def test_display_url_and_zabbix_ids_are_strings(objects):
    assert objects["template"]["display_url"].endswith(f"/plugins/netbox_zabbix/templates/{objects['template']['id']}/")
    assert objects["proxy"]["url"].endswith(f"{PLUGIN}/proxy/{objects['proxy']['id']}/")
    assert objects["host_group"]["groupid"] == "4242" and objects["host_group"]["display"] == objects["host_group"]["name"]
    assert objects["proxy"]["proxy_groupid"] == "0"


def test_setting_hides_secrets(nb, objects):
    row = ok(nb.get(f"{API}{PLUGIN}/setting/{objects['setting']['id']}/", timeout=30))
    for hidden in ("tls_connect", "tls_accept", "tls_psk", "tls_psk_identity", "snmp_authpassphrase",
                   "snmp_privpassphrase", "snmp_securityname"):
        assert hidden not in row
    assert "_encrypted_token" in row


# ----------------------------------------------------------------------------- quirks
@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e != "event-log"])
def test_list_without_ordering_is_500(nb, objects, endpoint):
    response = nb.get(f"{API}{PLUGIN}/{endpoint}/", timeout=30)
    assert response.status_code == 500
    assert response.json()["exception"] == "QuerySetNotOrdered"


def test_bogus_ordering_and_cursor_paging_are_500(nb, objects):
    assert nb.get(f"{API}{PLUGIN}/host-config/", params={"ordering": "bogus"}, timeout=30).status_code == 500
    assert nb.get(f"{API}{PLUGIN}/host-config/", params={"start": 1, "limit": 3}, timeout=30).status_code == 500


def test_cursor_paging_with_ordering_is_400(nb, objects):
    response = nb.get(f"{API}{PLUGIN}/host-config/", params={"start": 0, "ordering": "id", "limit": 3}, timeout=30)
    assert response.status_code == 400
    assert response.json() == ["Ordering cannot be specified in conjunction with cursor-based pagination."]


def test_snmp_details_are_nullable_like_the_real_model(nb, objects):
    """The real plugin's model lets every SNMP detail be null (the spec's "Identity" section)."""
    url = f"{API}{PLUGIN}/snmp-interface/{objects['snmp']['id']}/"
    nullable = ("version", "bulk", "max_repetitions", "securitylevel", "authprotocol", "privprotocol",
                "authpassphrase", "privpassphrase", "contextname")
    before = ok(nb.get(url, timeout=30))
    try:
        row = ok(nb.patch(url, json=dict.fromkeys(nullable), timeout=30))
        assert all(row[key] is None for key in nullable), row
    finally:
        ok(nb.patch(url, json={key: before[key] for key in nullable}, timeout=30))


def test_event_log_lists_newest_first_without_ordering(nb, objects):
    rows = ok(nb.get(f"{API}{PLUGIN}/event-log/", timeout=30))["results"]
    created = [row["created"] for row in rows]
    assert created == sorted(created, reverse=True)
    assert rows[0]["id"] == objects["event"]["id"]


@pytest.mark.parametrize("endpoint", ["host-config", "agent-interface", "snmp-interface", "host-group",
                                      "tag-mapping", "inventory-mapping", "event-log"])
@pytest.mark.parametrize("param", [{"fields": "id"}, {"omit": "name"}])
def test_fields_and_omit_are_500_on_plain_endpoints(nb, objects, endpoint, param):
    response = nb.get(f"{API}{PLUGIN}/{endpoint}/", params={"ordering": "id", **param}, timeout=30)
    assert response.status_code == 500
    assert response.json()["exception"] == "TypeError"


def test_fields_work_on_netbox_serializer_endpoints_and_brief_is_ignored(nb, objects):
    rows = ok(nb.get(f"{API}{PLUGIN}/templates/", params={"ordering": "id", "fields": "id,name,templateid"},
                     timeout=30))["results"]
    assert set(rows[0]) == {"id", "name", "templateid"}
    rows = ok(nb.get(f"{API}{PLUGIN}/host-config/", params={"ordering": "id", "brief": 1}, timeout=30))["results"]
    assert set(rows[0]) == set(sample_rows("host-config")[0])


def test_event_log_post_requires_name_and_created_is_read_only(nb, objects):
    response = nb.post(f"{API}{PLUGIN}/event-log/", json={"message": "no name"}, timeout=30)
    assert response.status_code == 400
    assert response.json() == {"name": ["This field is required."]}
    row = ok(nb.post(f"{API}{PLUGIN}/event-log/", json={"name": f"{objects['tag']} full", "signal_id": "sig-1",
                                                        "created": "2000-01-01T00:00:00Z"}, timeout=30), 201)
    try:
        assert not row["created"].startswith("2000") and row["signal_id"] == "sig-1"
    finally:
        nb.delete(f"{API}{PLUGIN}/event-log/{row['id']}/", timeout=30)


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_bulk_writes_on_list_urls_are_405(objects, method):
    # A fresh connection: gunicorn drops a keep-alive connection whose request body the 405 left unread.
    client = session(f"Bearer {ENV['NETBOX_TOKEN']}")
    response = client.request(method, f"{API}{PLUGIN}/host-config/", json=[{"id": objects["hc"]["id"], "in_sync": False}],
                              timeout=30)
    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method}" not allowed.'}


def test_writable_hostid_is_unique_and_coerced(nb, objects):
    url = f"{API}{PLUGIN}/host-config/{objects['hc']['id']}/"
    url2 = f"{API}{PLUGIN}/host-config/{objects['hc2']['id']}/"
    hostid = 900000 + int(uuid.uuid4().int % 90000)
    try:
        row = ok(nb.patch(url, json={"hostid": str(hostid), "in_sync": True,
                                     "last_sync_update": "2025-12-10T08:01:03.551902Z"}, timeout=30))
        assert row["hostid"] == hostid and row["in_sync"] is True
        assert row["last_sync_update"] == "2025-12-10T08:01:03.551902Z"
        response = nb.patch(url2, json={"hostid": hostid}, timeout=30)
        assert response.status_code == 400
        assert response.json() == {"hostid": ["Host Config with this hostid already exists."]}
        agent = ok(nb.patch(f"{API}{PLUGIN}/agent-interface/{objects['agent']['id']}/",
                            json={"hostid": hostid, "interfaceid": 51}, timeout=30))
        assert (agent["hostid"], agent["interfaceid"]) == (hostid, 51)
    finally:
        ok(nb.patch(url, json={"hostid": None, "in_sync": False, "last_sync_update": None}, timeout=30))


# ----------------------------------------------------------------------------- filters
def ids(nb, endpoint: str, **params) -> list[int]:
    body = ok(nb.get(f"{API}{PLUGIN}/{endpoint}/", params={"ordering": "id", "limit": 0, **params}, timeout=60))
    return [row["id"] for row in body["results"]]


def test_host_config_filters_that_exist(nb, objects):
    hc, hc2 = objects["hc"]["id"], objects["hc2"]["id"]
    assert ids(nb, "host-config", name=objects["hc"]["name"]) == [hc]
    assert ids(nb, "host-config", name=[objects["hc"]["name"], objects["hc2"]["name"]]) == [hc, hc2]
    assert ids(nb, "host-config", name="itnbs-does-not-exist") == []
    assert ids(nb, "host-config", name__ic=objects["tag"]) == [hc, hc2]
    assert ids(nb, "host-config", description=f"{objects['tag']} first") == [hc]
    assert ids(nb, "host-config", q=objects["tag"]) == [hc, hc2]
    assert set(ids(nb, "host-config", templates=objects["template"]["id"])) >= {hc, hc2}
    assert hc in ids(nb, "host-config", content_type=objects["ct_device"])
    assert hc in ids(nb, "host-config", last_updated__gte=objects["hc"]["last_updated"])
    bad = nb.get(f"{API}{PLUGIN}/host-config/", params={"ordering": "id", "templates": 99999999}, timeout=30)
    assert bad.status_code == 400 and "templates" in bad.json()
    bad = nb.get(f"{API}{PLUGIN}/host-config/", params={"ordering": "id", "content_type": "dcim.device"}, timeout=30)
    assert bad.status_code == 400


@pytest.mark.parametrize("param", ["hostid", "status", "object_id", "id", "monitored_by", "host_groups",
                                   "content_type_id"])
def test_unknown_host_config_filters_are_ignored(nb, objects, param):
    everything = ids(nb, "host-config")
    assert ids(nb, "host-config", **{param: 999999}) == everything


def test_interface_and_host_group_filters(nb, objects):
    hc = objects["hc"]["id"]
    assert ids(nb, "agent-interface", host_config_id=hc) == [objects["agent"]["id"]]
    assert ids(nb, "snmp-interface", host_config_id=hc) == [objects["snmp"]["id"]]
    assert ids(nb, "agent-interface", host_config_id=99999999) == []
    # Repeated: the last value wins (a NumberFilter reads one value).
    assert ids(nb, "agent-interface", host_config_id=[hc, objects["hc2"]["id"]]) == []
    assert ids(nb, "agent-interface", host_config=hc) == ids(nb, "agent-interface")
    assert ids(nb, "host-group", name=objects["host_group"]["name"]) == [objects["host_group"]["id"]]
    assert nb.get(f"{API}{PLUGIN}/host-group/", params={"ordering": "id", "name": "itnbs-nope"},
                  timeout=30).status_code == 400
    assert ids(nb, "host-group", groupid="4242") == ids(nb, "host-group")
    assert ids(nb, "templates", name="nope") == ids(nb, "templates")
    assert ids(nb, "templates", q=objects["tag"]) == [objects["template"]["id"]]
    assert ids(nb, "tag-mapping", object_type="device") == [objects["tag-mapping"]["id"]]


# ----------------------------------------------------------------------------- auth
def test_both_token_formats_work():
    url = f"{API}{PLUGIN}/host-group/"
    for header in (f"Bearer {ENV['NETBOX_TOKEN']}", f"Token {ENV['NETBOX_TOKEN_V1']}"):
        assert session(header).get(url, params={"ordering": "id"}, timeout=30).status_code == 200, header.split()[0]
    assert ENV["NETBOX_TOKEN"].startswith("nbt_") and len(ENV["NETBOX_TOKEN_V1"]) == 40
    assert session("Token 0123456789012345678901234567890123456789").get(url, timeout=30).status_code == 403
    assert requests.get(url, timeout=30).status_code == 403
