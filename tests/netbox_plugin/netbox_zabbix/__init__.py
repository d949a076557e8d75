"""Test fixture standing in for the netbox_zabbix NetBox plugin (HostConfig API only)."""
from __future__ import annotations

from netbox.plugins import PluginConfig


class NetBoxZabbixFixtureConfig(PluginConfig):
    name = "netbox_zabbix"
    verbose_name = "Zabbix (test fixture)"
    description = "Serves the netbox_zabbix HostConfig REST API for integration tests"
    version = "0.1.0"
    base_url = "netbox_zabbix"
    min_version = "4.7.0"
    # The real plugin queues a Zabbix job on every HostConfig save unless
    # DISABLE_NETBOX_ZABBIX_SIGNALS is set; this fixture has no signals at all.


config = NetBoxZabbixFixtureConfig
