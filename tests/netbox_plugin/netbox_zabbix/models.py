"""Models shaped like the real netbox_zabbix plugin's, as seen through its REST API.

Deliberately faithful quirks (see the HostConfig API contract):
- no Meta.ordering except on EventLog, so NetBox answers list calls without
  `?ordering=` with HTTP 500 (QuerySetNotOrdered), exactly like the real plugin;
- Zabbix IDs are strings on HostGroup/Template/Proxy/ProxyGroup, integers on
  HostConfig and the interfaces;
- choice values are Zabbix's own integer enums.
"""
from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from netbox.models import NetBoxModel


class MonitoredByChoices(models.IntegerChoices):
    SERVER = 0, "Zabbix Server"
    PROXY = 1, "Proxy"
    PROXY_GROUP = 2, "Proxy Group"


class StatusChoices(models.IntegerChoices):
    ENABLED = 0, "Enabled"
    DISABLED = 1, "Disabled"


class UseIPChoices(models.IntegerChoices):
    DNS = 0, "DNS Name"
    IP = 1, "IP Address"


class MainChoices(models.IntegerChoices):
    NO = 0, "No"
    YES = 1, "Yes"


class InterfaceTypeChoices(models.IntegerChoices):
    """A Template's required interface type (not a ContentType)."""
    ANY = 0, "Any"
    AGENT = 1, "Agent"
    SNMP = 2, "SNMP"


class ZabbixInterfaceTypeChoices(models.IntegerChoices):
    AGENT = 1, "Agent"
    SNMP = 2, "SNMP"


class SNMPVersionChoices(models.IntegerChoices):
    V1 = 1, "SNMPv1"
    V2C = 2, "SNMPv2c"
    V3 = 3, "SNMPv3"


class SNMPSecurityLevelChoices(models.IntegerChoices):
    NO_AUTH_NO_PRIV = 0, "noAuthNoPriv"
    AUTH_NO_PRIV = 1, "authNoPriv"
    AUTH_PRIV = 2, "authPriv"


class SNMPAuthProtocolChoices(models.IntegerChoices):
    MD5 = 0, "MD5"
    SHA1 = 1, "SHA1"
    SHA224 = 2, "SHA224"
    SHA256 = 3, "SHA256"
    SHA384 = 4, "SHA384"
    SHA512 = 5, "SHA512"


class SNMPPrivProtocolChoices(models.IntegerChoices):
    DES = 0, "DES"
    AES128 = 1, "AES128"
    AES192 = 2, "AES192"
    AES256 = 3, "AES256"
    AES192C = 4, "AES192C"
    AES256C = 5, "AES256C"


class InventoryModeChoices(models.IntegerChoices):
    DISABLED = -1, "Disabled"
    MANUAL = 0, "Manual"
    AUTOMATIC = 1, "Automatic"


class TLSChoices(models.IntegerChoices):
    NO_ENCRYPTION = 1, "No Encryption"
    PSK = 2, "PSK"
    CERTIFICATE = 4, "Certificate"


class TagNameFormattingChoices(models.TextChoices):
    KEEP = "keep", "Keep As Entered"
    UPPER = "upper", "Convert to Uppercase"
    LOWER = "lower", "Convert to Lowercase"


class ObjectTypeChoices(models.TextChoices):
    DEVICE = "device", "Device"
    VIRTUALMACHINE = "virtualmachine", "Virtual Machine"


class Setting(NetBoxModel):
    """Global defaults. The API does not enforce a single row: readers take the lowest id."""

    name = models.CharField(max_length=255)
    ip_assignment_method = models.CharField(max_length=16, default="primary")
    event_log_enabled = models.BooleanField(default=False)
    auto_validate_importables = models.BooleanField(default=False)
    auto_validate_quick_add = models.BooleanField(default=False)
    max_deletions = models.IntegerField(default=3)
    max_success_notifications = models.IntegerField(default=3)
    zabbix_import_interval = models.PositiveIntegerField(default=1440, null=True, blank=True)
    host_config_sync_interval = models.PositiveIntegerField(default=1440, null=True, blank=True)
    cutoff_host_config_sync = models.PositiveIntegerField(default=60)
    maintenance_cleanup_interval = models.PositiveIntegerField(default=1440, null=True, blank=True)
    version = models.CharField(max_length=255, null=True, blank=True)
    api_endpoint = models.CharField(max_length=255)
    web_address = models.CharField(max_length=255)
    # Exposed by the real API (ciphertext); consumers must never log it.
    _encrypted_token = models.TextField(null=True, blank=True)
    connection = models.BooleanField(default=False)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    delete_setting = models.CharField(max_length=16, default="soft")
    graveyard = models.CharField(max_length=255, default="graveyard")
    graveyard_suffix = models.CharField(max_length=255, default="_archived")
    exclude_custom_field_name = models.CharField(max_length=255, default="Exclude from Zabbix")
    exclude_custom_field_enabled = models.BooleanField(default=False)
    useip = models.IntegerField(choices=UseIPChoices.choices, default=UseIPChoices.IP)
    inventory_mode = models.IntegerField(choices=InventoryModeChoices.choices, default=InventoryModeChoices.MANUAL)
    monitored_by = models.IntegerField(choices=MonitoredByChoices.choices, default=MonitoredByChoices.SERVER)
    # Hidden from the API (see SettingSerializer.HIDDEN_FIELDS).
    tls_connect = models.IntegerField(choices=TLSChoices.choices, default=TLSChoices.PSK)
    tls_accept = models.IntegerField(choices=TLSChoices.choices, default=TLSChoices.PSK)
    tls_psk_identity = models.CharField(max_length=255, null=True, blank=True)
    tls_psk = models.CharField(max_length=255, null=True, blank=True)
    agent_port = models.IntegerField(default=10050)
    snmp_port = models.IntegerField(default=161)
    snmp_bulk = models.IntegerField(default=1)
    snmp_max_repetitions = models.IntegerField(default=10)
    snmp_contextname = models.CharField(max_length=255, null=True, blank=True)
    snmp_securityname = models.CharField(max_length=255, default="{$SNMPV3_USER}")
    snmp_securitylevel = models.IntegerField(
        choices=SNMPSecurityLevelChoices.choices, default=SNMPSecurityLevelChoices.AUTH_PRIV
    )
    snmp_authprotocol = models.IntegerField(choices=SNMPAuthProtocolChoices.choices, default=SNMPAuthProtocolChoices.SHA1)
    snmp_authpassphrase = models.CharField(max_length=255, default="{$SNMPV3_AUTHPASS}")
    snmp_privprotocol = models.IntegerField(choices=SNMPPrivProtocolChoices.choices, default=SNMPPrivProtocolChoices.AES128)
    snmp_privpassphrase = models.CharField(max_length=255, default="{$SNMPV3_PRIVPASS}")
    default_tag = models.CharField(max_length=255, null=True, blank=True)
    tag_prefix = models.CharField(max_length=255, null=True, blank=True)
    tag_name_formatting = models.CharField(
        max_length=16, choices=TagNameFormattingChoices.choices, default=TagNameFormattingChoices.KEEP
    )

    class Meta:
        verbose_name = "Setting"

    def __str__(self) -> str:
        return self.name


class Template(NetBoxModel):
    name = models.CharField(max_length=255)
    templateid = models.CharField(max_length=255)
    last_synced = models.DateTimeField(blank=True, null=True)
    interface_type = models.IntegerField(choices=InterfaceTypeChoices.choices, default=InterfaceTypeChoices.ANY)
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    dependencies = models.ManyToManyField("self", symmetrical=False, related_name="dependents", blank=True)

    class Meta:
        verbose_name = "Zabbix Template"

    def __str__(self) -> str:
        return self.name


class ProxyGroup(NetBoxModel):
    name = models.CharField(max_length=255)
    proxy_groupid = models.CharField(max_length=255)
    failover_delay = models.CharField(max_length=16, default="1m")
    min_online = models.IntegerField(default=1)
    description = models.CharField(max_length=255, null=True, blank=True)
    last_synced = models.DateTimeField(blank=True, null=True)

    class Meta:
        verbose_name = "Zabbix Proxy Group"

    def __str__(self) -> str:
        return self.name


class Proxy(NetBoxModel):
    name = models.CharField(max_length=255)
    proxyid = models.CharField(max_length=255)
    # "0" when the proxy belongs to no group, as Zabbix itself reports it.
    proxy_groupid = models.CharField(max_length=255, default="0")
    last_synced = models.DateTimeField(blank=True, null=True)
    operating_mode = models.IntegerField(default=0)
    local_address = models.CharField(max_length=255, null=True, blank=True)
    local_port = models.IntegerField(default=10051)
    address = models.CharField(max_length=255, default="127.0.0.1")
    port = models.IntegerField(default=10051)
    allowed_addresses = models.CharField(max_length=255, null=True, blank=True)
    description = models.CharField(max_length=255, null=True, blank=True)
    tls_connect = models.IntegerField(choices=TLSChoices.choices, default=TLSChoices.NO_ENCRYPTION)
    tls_accept = models.IntegerField(choices=TLSChoices.choices, default=TLSChoices.NO_ENCRYPTION)
    tls_issuer = models.CharField(max_length=255, null=True, blank=True)
    tls_subject = models.CharField(max_length=255, null=True, blank=True)
    tls_psk_identity = models.CharField(max_length=255, null=True, blank=True)
    tls_psk = models.CharField(max_length=255, null=True, blank=True)
    custom_timeouts = models.BooleanField(default=False)
    timeout_zabbix_agent = models.CharField(max_length=16, default="4s")
    timeout_simple_check = models.CharField(max_length=16, default="4s")
    timeout_snmp_agent = models.CharField(max_length=16, default="4s")
    timeout_external_check = models.CharField(max_length=16, default="4s")
    timeout_db_monitor = models.CharField(max_length=16, default="4s")
    timeout_http_agent = models.CharField(max_length=16, default="4s")
    timeout_ssh_agent = models.CharField(max_length=16, default="4s")
    timeout_telnet_agent = models.CharField(max_length=16, default="4s")
    timeout_script = models.CharField(max_length=16, default="4s")
    timeout_browser = models.CharField(max_length=16, default="60s")
    proxy_group = models.ForeignKey(ProxyGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="proxies")

    class Meta:
        verbose_name = "Zabbix Proxy"
        verbose_name_plural = "Zabbix Proxies"

    def __str__(self) -> str:
        return self.name


class HostGroup(NetBoxModel):
    name = models.CharField(max_length=255)
    groupid = models.CharField(max_length=255)
    last_synced = models.DateTimeField(blank=True, null=True)

    class Meta:
        verbose_name = "Zabbix Hostgroup"

    def __str__(self) -> str:
        return self.name


class TagMapping(NetBoxModel):
    """`selection`: [{"name", "value" (dotted path on the Device/VM), "enabled"}]."""

    object_type = models.CharField(max_length=32, choices=ObjectTypeChoices.choices, unique=True)
    selection = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Tag mapping {self.object_type}"


class InventoryMapping(NetBoxModel):
    """`selection`: [{"name", "invkey", "paths": [dotted paths], "enabled"}]."""

    object_type = models.CharField(max_length=32, choices=ObjectTypeChoices.choices, unique=True)
    selection = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Inventory mapping {self.object_type}"


class HostConfig(NetBoxModel):
    """How one Device or VirtualMachine is to be monitored in Zabbix."""

    name = models.CharField(max_length=255, unique=True)
    # Null until the host exists in Zabbix; unique, so a PATCH repeating another row's hostid is a 400.
    hostid = models.PositiveIntegerField(unique=True, null=True, blank=True)
    status = models.IntegerField(choices=StatusChoices.choices, default=StatusChoices.ENABLED)
    in_sync = models.BooleanField(default=False)
    last_sync_update = models.DateTimeField(null=True, blank=True)
    monitored_by = models.IntegerField(choices=MonitoredByChoices.choices, default=MonitoredByChoices.SERVER)
    description = models.TextField(null=True, blank=True)
    object_id = models.PositiveIntegerField()
    proxy = models.ForeignKey(Proxy, on_delete=models.SET_NULL, null=True, blank=True, related_name="host_configs")
    proxy_group = models.ForeignKey(
        ProxyGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="host_configs"
    )
    # Deliberately no FK constraint to the Device/VM: a HostConfig outlives a deleted object
    # (the real plugin shows such orphans; our collection must report them).
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    assigned_object = GenericForeignKey("content_type", "object_id")
    host_groups = models.ManyToManyField(HostGroup, related_name="host_configs", blank=True)
    templates = models.ManyToManyField(Template, related_name="host_configs", blank=True)

    class Meta:
        verbose_name = "Host Config"

    def __str__(self) -> str:
        return self.name


class BaseInterface(NetBoxModel):
    name = models.CharField(max_length=255)
    hostid = models.PositiveIntegerField(null=True, blank=True)
    interfaceid = models.PositiveIntegerField(null=True, blank=True)
    useip = models.IntegerField(choices=UseIPChoices.choices, default=UseIPChoices.IP)
    main = models.IntegerField(choices=MainChoices.choices, default=MainChoices.YES)
    # Interface / VMInterface PK, typed by interface_type (a ContentType, not the Zabbix type).
    interface_id = models.PositiveIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class AgentInterface(BaseInterface):
    type = models.IntegerField(choices=ZabbixInterfaceTypeChoices.choices, default=ZabbixInterfaceTypeChoices.AGENT)
    port = models.IntegerField(default=10050)
    host_config = models.ForeignKey(HostConfig, on_delete=models.CASCADE, related_name="agent_interfaces")
    interface_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    ip_address = models.ForeignKey(
        "ipam.IPAddress", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "Agent Interface"


class SNMPInterface(BaseInterface):
    type = models.IntegerField(choices=ZabbixInterfaceTypeChoices.choices, default=ZabbixInterfaceTypeChoices.SNMP)
    port = models.IntegerField(default=161)
    # Every SNMP detail is nullable in the real plugin's model (it then sends the string "None").
    version = models.IntegerField(choices=SNMPVersionChoices.choices, default=SNMPVersionChoices.V3, null=True, blank=True)
    bulk = models.IntegerField(default=1, null=True, blank=True)
    max_repetitions = models.IntegerField(default=10, null=True, blank=True)
    contextname = models.CharField(max_length=255, null=True, blank=True)
    securityname = models.CharField(max_length=255, null=True, blank=True, default="{$SNMPV3_USER}")
    securitylevel = models.IntegerField(
        choices=SNMPSecurityLevelChoices.choices, default=SNMPSecurityLevelChoices.AUTH_PRIV, null=True, blank=True
    )
    authprotocol = models.IntegerField(
        choices=SNMPAuthProtocolChoices.choices, default=SNMPAuthProtocolChoices.SHA1, null=True, blank=True
    )
    authpassphrase = models.CharField(max_length=255, null=True, blank=True, default="{$SNMPV3_AUTHPASS}")
    privprotocol = models.IntegerField(
        choices=SNMPPrivProtocolChoices.choices, default=SNMPPrivProtocolChoices.AES128, null=True, blank=True
    )
    privpassphrase = models.CharField(max_length=255, null=True, blank=True, default="{$SNMPV3_PRIVPASS}")
    host_config = models.ForeignKey(HostConfig, on_delete=models.CASCADE, related_name="snmp_interfaces")
    interface_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    ip_address = models.ForeignKey(
        "ipam.IPAddress", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "SNMP Interface"


class EventLog(NetBoxModel):
    name = models.CharField(max_length=255)
    signal_id = models.CharField(max_length=255, blank=True, default="")
    message = models.TextField(blank=True, default="")
    exception = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    pre_data = models.JSONField(default=dict, blank=True)
    post_data = models.JSONField(default=dict, blank=True)
    # Redeclared (read-only through the API: auto_now_add) so the ordering below is explicit.
    created = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "Event Log"
        # The only model with a default ordering: listed newest first.
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.name
