#!/usr/bin/env python3
"""Seed the local NetBox with Devices, VMs and one HostConfig each (plus the plugin's
HostGroup/Template/Proxy/ProxyGroup/Setting/mapping rows), fast, through the ORM.

Run it through the stack script (it sets NETBOX_ROOT and uses NetBox's venv):

    stack/netbox.sh seed --count 60 --zabbix-fixtures fixtures.json --broken 3
    stack/netbox.sh seed --reset --count 10000

`--zabbix-fixtures FILE` is the JSON printed by stack/zabbix_fixtures.py
(`{"version", "host_groups": {name: id}, "templates": {...}, "proxies": {...},
"proxy_groups": {...}}`, `-` for stdin). Without it the seed uses stock objects that
exist in every fresh Zabbix 6.0/7.0 (groups "Linux servers" 2, "Virtual machines" 6,
"Hypervisors" 7; templates "ICMP Ping" 10564, "Linux by Zabbix agent" 10001, "Generic by
SNMP" 10563) and no proxies.

Everything it creates is named after `--prefix` (default `nb`), so `--reset` removes
exactly that. Prints a JSON summary (counts, seconds) on stdout.

Mix (deterministic for a given --seed): 80% Devices, 20% VMs; interfaces ~55% agent only,
~20% SNMPv2 only, ~15% SNMPv3 only, ~10% agent + SNMPv3; 1-2 host groups; one template;
10% via a proxy (when the fixtures have proxies), 5% via a proxy group (Zabbix 7.0
fixtures only), 8% disabled; ~30% with a DNS name (a third of those use DNS, not the IP).

`--broken K` adds K more HostConfigs that are wrong on purpose, cycling through: the
Device was deleted after its HostConfig was created; the agent interface has no IP;
monitored_by=1 (proxy) without a proxy. (An unknown template PK cannot be stored: FK.)
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

DEFAULT_FIXTURES: dict[str, Any] = {
    "version": None,
    "host_groups": {"Linux servers": "2", "Virtual machines": "6", "Hypervisors": "7"},
    "templates": {"ICMP Ping": "10564", "Linux by Zabbix agent": "10001", "Generic by SNMP": "10563"},
    "proxies": {},
    "proxy_groups": {},
}
# Template.interface_type: 0 any, 1 agent, 2 SNMP.
TEMPLATE_INTERFACE_TYPES = {"Linux by Zabbix agent": 1, "Generic by SNMP": 2}
BATCH = 2000

SITES = (
    # name suffix, region, latitude, longitude
    ("sto", "Europe", 59.3293, 18.0686),
    ("ams", "Europe", 52.3676, 4.9041),
    ("nyc", "North America", 40.7128, -74.0060),
    ("sin", "Asia", 1.3521, 103.8198),
)
ROLES = ("core-switch", "edge-router", "server")
PLATFORMS = ("linux", "ios-xe", "junos")
TENANTS = ("ops", "dev")
TAGS = ("prod", "critical", "lab")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=60, help="Devices + VMs (about 80%% Devices)")
    parser.add_argument("--zabbix-fixtures", metavar="FILE", help="JSON from stack/zabbix_fixtures.py ('-' = stdin)")
    parser.add_argument("--prefix", default="nb", help="name prefix of everything created (default nb)")
    parser.add_argument("--broken", type=int, default=0, metavar="K", help="K extra HostConfigs with broken data")
    parser.add_argument("--reset", action="store_true", help="delete what an earlier seed with this prefix created")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    return parser.parse_args(argv)


def setup_django() -> None:
    if not os.environ.get("NETBOX_ROOT"):
        sys.exit("seed.py: NETBOX_ROOT is not set; run it as `stack/netbox.sh seed ...`")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netbox.settings")
    import django

    django.setup()


def load_fixtures(path: str | None) -> dict[str, Any]:
    if not path:
        return DEFAULT_FIXTURES
    with (sys.stdin if path == "-" else open(path, encoding="utf-8")) as handle:
        data = json.load(handle)
    fixtures = {key: data.get(key) or {} for key in ("host_groups", "templates", "proxies", "proxy_groups")}
    fixtures["version"] = data.get("version")
    if not fixtures["host_groups"] or not fixtures["templates"]:
        sys.exit(f"seed.py: {path} has no host_groups or no templates")
    return fixtures


def is_zabbix7(fixtures: dict[str, Any]) -> bool:
    return str(fixtures.get("version") or "").split(".")[0] not in ("", "5", "6")


# ----------------------------------------------------------------------------- NetBox core
@dataclass
class Core:
    """The shared NetBox objects every seeded Device/VM points at."""

    sites: list = field(default_factory=list)
    roles: list = field(default_factory=list)
    platforms: list = field(default_factory=list)
    tenants: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    device_types: list = field(default_factory=list)
    clusters: list = field(default_factory=list)


def slug(text: str) -> str:
    return text.lower().replace(" ", "-")


def ensure_core(prefix: str) -> Core:
    from dcim.models import DeviceRole, DeviceType, Manufacturer, Platform, Region, Site
    from extras.models import Tag
    from tenancy.models import Tenant
    from virtualization.models import Cluster, ClusterType

    core = Core()
    regions = {}
    for _, region_name, _, _ in SITES:
        name = f"{prefix}-{region_name}"
        if name not in regions:
            regions[name], _ = Region.objects.get_or_create(name=name, defaults={"slug": slug(name)})
    for suffix, region_name, lat, lon in SITES:
        name = f"{prefix}-site-{suffix}"
        site, _ = Site.objects.get_or_create(
            name=name,
            defaults={"slug": slug(name), "region": regions[f"{prefix}-{region_name}"], "latitude": lat,
                      "longitude": lon, "status": "active"},
        )
        core.sites.append(site)
    for role in ROLES:
        name = f"{prefix}-{role}"
        obj, _ = DeviceRole.objects.get_or_create(name=name, defaults={"slug": slug(name), "vm_role": True})
        core.roles.append(obj)
    manufacturer, _ = Manufacturer.objects.get_or_create(name=f"{prefix}-acme", defaults={"slug": f"{prefix}-acme"})
    for platform in PLATFORMS:
        name = f"{prefix}-{platform}"
        obj, _ = Platform.objects.get_or_create(name=name, defaults={"slug": slug(name), "manufacturer": manufacturer})
        core.platforms.append(obj)
    for model in ("sw-48", "srv-1u"):
        name = f"{prefix}-{model}"
        obj, _ = DeviceType.objects.get_or_create(
            manufacturer=manufacturer, model=name, defaults={"slug": slug(name)}
        )
        core.device_types.append(obj)
    for tenant in TENANTS:
        name = f"{prefix}-{tenant}"
        obj, _ = Tenant.objects.get_or_create(name=name, defaults={"slug": slug(name)})
        core.tenants.append(obj)
    for tag in TAGS:
        name = f"{prefix}-{tag}"
        obj, _ = Tag.objects.get_or_create(name=name, defaults={"slug": slug(name)})
        core.tags.append(obj)
    cluster_type, _ = ClusterType.objects.get_or_create(name=f"{prefix}-kvm", defaults={"slug": f"{prefix}-kvm"})
    for site in core.sites[:2]:
        name = f"{site.name}-cluster"
        obj = Cluster.objects.filter(name=name).first()
        if obj is None:
            obj = Cluster(name=name, type=cluster_type, scope=site, status="active")
            obj.save()
        core.clusters.append(obj)
    return core


def ip_for(prefix: str, kind: str, index: int) -> str:
    """Distinct IPv4 per object: 10.<n>.x.y for devices, 172.<16+n>.x.y for VMs."""
    n = sum(prefix.encode()) % 16
    first = f"10.{100 + n}" if kind == "device" else f"172.{16 + n}"
    return f"{first}.{index // 250}.{index % 250 + 1}/16"


def create_hosts(prefix: str, core: Core, devices: int, vms: int, rng: random.Random, name_tag: str = "") -> list[dict]:
    """Bulk-create Devices and VMs with one interface and a primary IPv4 each.

    Returns one dict per object: kind, obj, iface, ip (what HostConfig rows point at).
    bulk_create skips save(), so the denormalised fields save() would set are set here.
    """
    from django.contrib.contenttypes.models import ContentType
    from dcim.models import Device, Interface
    from extras.models import TaggedItem
    from ipam.models import IPAddress
    from virtualization.models import VirtualMachine, VMInterface

    ct_iface = ContentType.objects.get_for_model(Interface)
    ct_vmiface = ContentType.objects.get_for_model(VMInterface)
    ct_device = ContentType.objects.get_for_model(Device)
    ct_vm = ContentType.objects.get_for_model(VirtualMachine)
    start_dev = Device.objects.filter(name__startswith=f"{prefix}-{name_tag}dev-").count()
    start_vm = VirtualMachine.objects.filter(name__startswith=f"{prefix}-{name_tag}vm-").count()

    dev_objs = []
    for i in range(start_dev, start_dev + devices):
        site = core.sites[i % len(core.sites)]
        dev_objs.append(Device(
            name=f"{prefix}-{name_tag}dev-{i:05d}", site=site, role=core.roles[i % len(core.roles)],
            device_type=core.device_types[i % len(core.device_types)],
            platform=core.platforms[i % len(core.platforms)], tenant=core.tenants[i % len(core.tenants)],
            status="active",
        ))
    Device.objects.bulk_create(dev_objs, batch_size=BATCH)
    dev_ifaces = [Interface(device=d, name="eth0", type="1000base-t", _site_id=d.site_id) for d in dev_objs]
    Interface.objects.bulk_create(dev_ifaces, batch_size=BATCH)

    vm_objs = []
    for i in range(start_vm, start_vm + vms):
        cluster = core.clusters[i % len(core.clusters)]
        vm_objs.append(VirtualMachine(
            name=f"{prefix}-{name_tag}vm-{i:05d}", cluster=cluster, site_id=cluster._site_id,
            role=core.roles[-1], platform=core.platforms[0], tenant=core.tenants[i % len(core.tenants)],
            status="active", vcpus=2, memory=4096,
        ))
    VirtualMachine.objects.bulk_create(vm_objs, batch_size=BATCH)
    vm_ifaces = [VMInterface(virtual_machine=vm, name="eth0") for vm in vm_objs]
    VMInterface.objects.bulk_create(vm_ifaces, batch_size=BATCH)

    hosts = []
    ips = []
    for kind, objs, ifaces, ct, offset in (
        ("device", dev_objs, dev_ifaces, ct_iface, start_dev),
        ("virtualmachine", vm_objs, vm_ifaces, ct_vmiface, start_vm),
    ):
        for n, (obj, iface) in enumerate(zip(objs, ifaces)):
            dns = f"{obj.name}.example.net" if rng.random() < 0.3 else ""
            ip = IPAddress(
                address=ip_for(prefix + name_tag, kind, offset + n), status="active", dns_name=dns,
                assigned_object_type=ct, assigned_object_id=iface.pk,
            )
            ips.append(ip)
            hosts.append({"kind": kind, "obj": obj, "iface": iface, "ip": ip,
                          "ct": ct_device if kind == "device" else ct_vm, "iface_ct": ct})
    IPAddress.objects.bulk_create(ips, batch_size=BATCH)
    for host in hosts:
        host["obj"].primary_ip4 = host["ip"]
    Device.objects.bulk_update(dev_objs, ["primary_ip4"], batch_size=BATCH)
    VirtualMachine.objects.bulk_update(vm_objs, ["primary_ip4"], batch_size=BATCH)
    # Counter caches that signals would have maintained.
    Device.objects.filter(pk__in=[d.pk for d in dev_objs]).update(interface_count=1)
    VirtualMachine.objects.filter(pk__in=[v.pk for v in vm_objs]).update(interface_count=1)

    tagged = []
    for n, host in enumerate(hosts):
        for t, tag in enumerate(core.tags):
            if (n + t) % (t + 2) == 0:  # prod on half, critical on a third, lab on a quarter
                tagged.append(TaggedItem(tag=tag, content_type=host["ct"], object_id=host["obj"].pk))
    TaggedItem.objects.bulk_create(tagged, batch_size=BATCH)
    return hosts


# ----------------------------------------------------------------------------- plugin rows
@dataclass
class PluginRefs:
    host_groups: list
    templates: dict  # name -> Template
    proxies: list
    proxy_groups: list


def upsert_by_name(model, name: str, **values):
    obj = model.objects.filter(name=name).order_by("pk").first()
    if obj is None:
        return model.objects.create(name=name, **values)
    changed = [key for key, value in values.items() if getattr(obj, key) != value]
    for key in changed:
        setattr(obj, key, values[key])
    if changed:
        obj.save()
    return obj


def ensure_plugin_rows(fixtures: dict[str, Any], core: Core) -> PluginRefs:
    from netbox_zabbix.models import (
        HostGroup, InventoryMapping, Proxy, ProxyGroup, Setting, TagMapping, Template,
    )

    host_groups = [upsert_by_name(HostGroup, name, groupid=str(gid)) for name, gid in fixtures["host_groups"].items()]
    templates = {
        name: upsert_by_name(Template, name, templateid=str(tid), interface_type=TEMPLATE_INTERFACE_TYPES.get(name, 0))
        for name, tid in fixtures["templates"].items()
    }
    proxy_groups = [
        upsert_by_name(ProxyGroup, name, proxy_groupid=str(pgid)) for name, pgid in fixtures["proxy_groups"].items()
    ]
    proxies = []
    for n, (name, pid) in enumerate(fixtures["proxies"].items()):
        # Mirror stack/zabbix_fixtures.py: the first proxy belongs to the (first) proxy group.
        group = proxy_groups[0] if proxy_groups and n == 0 else None
        proxies.append(upsert_by_name(
            Proxy, name, proxyid=str(pid), proxy_group=group,
            proxy_groupid=group.proxy_groupid if group else "0",
            local_address="127.0.0.1" if group else None,
        ))

    if not Setting.objects.exists():
        Setting.objects.create(
            name="config", api_endpoint="http://127.0.0.1:18070/api_jsonrpc.php", web_address="http://127.0.0.1:18070",
            event_log_enabled=True, default_tag="netbox_id", tag_prefix="nb_", tag_name_formatting="keep",
        )
    device_mapping, _ = TagMapping.objects.update_or_create(object_type="device", defaults={"selection": [
        {"name": "Site", "value": "site.name", "enabled": True},
        {"name": "Region", "value": "site.region", "enabled": True},
        {"name": "Role", "value": "role.name", "enabled": True},
        {"name": "Platform", "value": "platform.name", "enabled": True},
        {"name": "Tags", "value": "tags", "enabled": True},
        {"name": "Latitude", "value": "site.latitude", "enabled": False},
    ]})
    TagMapping.objects.update_or_create(object_type="virtualmachine", defaults={"selection": [
        {"name": "Site", "value": "site.name", "enabled": True},
        {"name": "Cluster", "value": "cluster.name", "enabled": True},
        {"name": "Role", "value": "role.name", "enabled": True},
    ]})
    # Tags carried by the TagMapping itself are passed on to Devices that also carry them
    # (settable only from NetBox's shell, invisible in the API): "<prefix>-critical".
    device_mapping.tags.add(core.tags[1])
    inventory = [
        {"name": "Name", "paths": ["name"], "invkey": "name", "enabled": True},
        {"name": "Platform", "paths": ["platform.name"], "invkey": "os", "enabled": True},
        {"name": "Location", "paths": ["location.name", "site.name"], "invkey": "location", "enabled": True},
        {"name": "Latitude", "paths": ["location.site.latitude", "site.latitude"], "invkey": "location_lat",
         "enabled": True},
        {"name": "Longitude", "paths": ["location.site.longitude", "site.longitude"], "invkey": "location_lon",
         "enabled": True},
    ]
    for object_type in ("device", "virtualmachine"):
        InventoryMapping.objects.update_or_create(object_type=object_type, defaults={"selection": inventory})
    return PluginRefs(host_groups, templates, proxies, proxy_groups)


def interface_mix(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return "agent"
    if roll < 0.75:
        return "snmpv2"
    if roll < 0.90:
        return "snmpv3"
    return "agent+snmpv3"


def pick_template(refs: PluginRefs, mix: str, rng: random.Random):
    """One template; the heavy OS/SNMP templates on about a fifth of the hosts that suit them."""
    ping = refs.templates.get("ICMP Ping") or next(iter(refs.templates.values()))
    if rng.random() < 0.2:
        wanted = "Linux by Zabbix agent" if mix.startswith("agent") else "Generic by SNMP"
        return refs.templates.get(wanted, ping)
    return ping


def build_host_configs(hosts: list[dict], refs: PluginRefs, zabbix7: bool, rng: random.Random):
    """HostConfig, its M2M rows and its interface rows for each host (unsaved)."""
    from netbox_zabbix.models import AgentInterface, HostConfig, SNMPInterface

    configs, agents, snmps, group_links, template_links = [], [], [], [], []
    for n, host in enumerate(hosts):
        obj = host["obj"]
        mix = interface_mix(rng)
        # By position, not by chance: even a 20-host seed gets a proxy and a proxy-group host.
        slot = n % 20
        proxy = proxy_group = None
        monitored_by = 0
        if refs.proxies and slot in (3, 13):
            monitored_by, proxy = 1, refs.proxies[(n // 10) % len(refs.proxies)]
        elif zabbix7 and refs.proxy_groups and slot == 7:
            monitored_by, proxy_group = 2, refs.proxy_groups[(n // 20) % len(refs.proxy_groups)]
        config = HostConfig(
            name=f"z-{obj.name}", content_type=host["ct"], object_id=obj.pk,
            status=1 if n % 12 == 11 else 0, monitored_by=monitored_by, proxy=proxy, proxy_group=proxy_group,
            description=f"seeded {host['kind']} ({mix})" if rng.random() < 0.5 else None,
        )
        configs.append(config)
        groups = rng.sample(refs.host_groups, k=min(len(refs.host_groups), 1 + (rng.random() < 0.3)))
        group_links.append((config, groups))
        template_links.append((config, [pick_template(refs, mix, rng)]))
        useip = 0 if host["ip"].dns_name and rng.random() < 0.33 else 1
        common = {"hostid": None, "interfaceid": None, "useip": useip, "main": 1, "interface_id": host["iface"].pk,
                  "interface_type": host["iface_ct"], "ip_address": host["ip"], "host_config": config}
        if mix.startswith("agent"):
            agents.append(AgentInterface(name=f"{obj.name}-agent", port=10050, **common))
        if mix == "snmpv2":
            snmps.append(SNMPInterface(
                name=f"{obj.name}-snmp", port=161, version=2, bulk=1, max_repetitions=10, contextname=None,
                securityname=None, securitylevel=0, authprotocol=0, authpassphrase=None, privprotocol=0,
                privpassphrase=None, **common,
            ))
        elif mix.endswith("snmpv3"):
            snmps.append(SNMPInterface(name=f"{obj.name}-snmp", port=161, version=3, **common))
    return configs, agents, snmps, group_links, template_links


def save_host_configs(configs, agents, snmps, group_links, template_links) -> None:
    from netbox_zabbix.models import AgentInterface, HostConfig, SNMPInterface

    HostConfig.objects.bulk_create(configs, batch_size=BATCH)
    # Interface rows reference their HostConfig objects, which now have PKs.
    for row in (*agents, *snmps):
        row.host_config_id = row.host_config.pk
    AgentInterface.objects.bulk_create(agents, batch_size=BATCH)
    SNMPInterface.objects.bulk_create(snmps, batch_size=BATCH)
    through_groups = HostConfig.host_groups.through
    through_templates = HostConfig.templates.through
    through_groups.objects.bulk_create(
        [through_groups(hostconfig_id=c.pk, hostgroup_id=g.pk) for c, gs in group_links for g in gs], batch_size=BATCH
    )
    through_templates.objects.bulk_create(
        [through_templates(hostconfig_id=c.pk, template_id=t.pk) for c, ts in template_links for t in ts],
        batch_size=BATCH,
    )


def create_broken(prefix: str, core: Core, refs: PluginRefs, count: int, rng: random.Random) -> dict[str, int]:
    """HostConfigs that are wrong on purpose (see the module docstring)."""
    from dcim.models import Device
    from netbox_zabbix.models import AgentInterface

    kinds = ("deleted_device", "agent_without_ip", "proxy_without_proxy")
    done = {kind: 0 for kind in kinds}
    if count <= 0:
        return done
    hosts = create_hosts(prefix, core, count, 0, rng, name_tag="broken-")
    configs, agents, snmps, group_links, template_links = build_host_configs(hosts, refs, False, rng)
    to_delete = []
    for n, config in enumerate(configs):
        kind = kinds[n % len(kinds)]
        done[kind] += 1
        host = hosts[n]
        if kind == "deleted_device":
            to_delete.append(host["obj"].pk)
        elif kind == "agent_without_ip":
            for row in (*agents, *snmps):
                if row.host_config is config:
                    row.ip_address = None
            if not any(row.host_config is config for row in agents):
                agents.append(AgentInterface(
                    name=f"{host['obj'].name}-agent", useip=1, main=1, port=10050, interface_id=host["iface"].pk,
                    interface_type=host["iface_ct"], ip_address=None, host_config=config,
                ))
        else:
            config.monitored_by, config.proxy, config.proxy_group = 1, None, None
        config.description = f"broken: {kind}"
    save_host_configs(configs, agents, snmps, group_links, template_links)
    # Deleting the Device also deletes its interface and IP; the HostConfig stays (no FK), as in real life.
    Device.objects.filter(pk__in=to_delete).delete()
    return done


# ----------------------------------------------------------------------------- reset
@contextmanager
def delete_signals_muted():
    """Let Django's collector delete in bulk: with any pre/post_delete receiver connected
    (NetBox has several) it loads and signals every object, about 1,000 objects a minute.
    Safe for seeded rows: bulk-created, so no change log, search cache or subscriptions."""
    from django.db.models import signals

    muted = (signals.pre_delete, signals.post_delete, signals.m2m_changed)
    saved = [sig.receivers for sig in muted]
    try:
        for sig in muted:
            sig.receivers = []
            sig.sender_receivers_cache.clear()
        yield
    finally:
        for sig, receivers in zip(muted, saved):
            sig.receivers = receivers
            sig.sender_receivers_cache.clear()


def reset(prefix: str) -> dict[str, int]:
    from dcim.models import Device, DeviceRole, DeviceType, Manufacturer, Platform, Region, Site
    from extras.models import Tag
    from ipam.models import IPAddress
    from netbox_zabbix.models import HostConfig
    from tenancy.models import Tenant
    from virtualization.models import Cluster, ClusterType, VirtualMachine

    deleted: dict[str, int] = {}

    def drop(label: str, queryset) -> None:
        deleted[label] = queryset.delete()[0]

    with delete_signals_muted():
        drop("host_configs", HostConfig.objects.filter(name__startswith=f"z-{prefix}-"))
        devices = Device.objects.filter(name__startswith=f"{prefix}-")
        vms = VirtualMachine.objects.filter(name__startswith=f"{prefix}-")
        ip_ids = [
            *IPAddress.objects.filter(interface__device__in=devices.values("pk")).values_list("pk", flat=True),
            *IPAddress.objects.filter(vminterface__virtual_machine__in=vms.values("pk")).values_list("pk", flat=True),
        ]
        drop("ip_addresses", IPAddress.objects.filter(pk__in=ip_ids))
        drop("devices", devices)
        drop("virtual_machines", vms)
    for label, model, field_name in (
        ("clusters", Cluster, "name"), ("cluster_types", ClusterType, "name"), ("device_types", DeviceType, "model"),
        ("platforms", Platform, "name"), ("manufacturers", Manufacturer, "name"), ("roles", DeviceRole, "name"),
        ("tenants", Tenant, "name"), ("tags", Tag, "name"), ("sites", Site, "name"), ("regions", Region, "name"),
    ):
        drop(label, model.objects.filter(**{f"{field_name}__startswith": f"{prefix}-"}))
    return deleted


# ----------------------------------------------------------------------------- main
def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.count < 0 or args.broken < 0:
        sys.exit("seed.py: --count and --broken must be >= 0")
    fixtures = load_fixtures(args.zabbix_fixtures)
    setup_django()
    from django.db import transaction

    rng = random.Random(args.seed)
    summary: dict[str, Any] = {"prefix": args.prefix}
    started = time.monotonic()
    if args.reset:
        with transaction.atomic():
            summary["deleted"] = reset(args.prefix)
        summary["reset_seconds"] = round(time.monotonic() - started, 2)

    if args.reset and args.count == 0 and args.broken == 0:
        # `--reset --count 0`: only remove what an earlier seed created.
        print(json.dumps(summary, indent=2))
        return 0

    seed_started = time.monotonic()
    with transaction.atomic():
        core = ensure_core(args.prefix)
        refs = ensure_plugin_rows(fixtures, core)
        devices = round(args.count * 0.8)
        hosts = create_hosts(args.prefix, core, devices, args.count - devices, rng)
        rows = build_host_configs(hosts, refs, is_zabbix7(fixtures), rng)
        save_host_configs(*rows)
        broken = create_broken(args.prefix, core, refs, args.broken, rng)
    configs, agents, snmps, _, _ = rows
    summary.update({
        "devices": devices,
        "virtual_machines": args.count - devices,
        "host_configs": len(configs) + args.broken,
        "agent_interfaces": len(agents),
        "snmp_interfaces": len(snmps),
        "via_proxy": sum(1 for c in configs if c.monitored_by == 1),
        "via_proxy_group": sum(1 for c in configs if c.monitored_by == 2),
        "disabled": sum(1 for c in configs if c.status == 1),
        "broken": broken,
        "zabbix_fixtures": args.zabbix_fixtures or "built-in defaults",
        "seed_seconds": round(time.monotonic() - seed_started, 2),
        "total_seconds": round(time.monotonic() - started, 2),
    })
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
