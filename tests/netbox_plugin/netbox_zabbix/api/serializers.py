"""Serializers shaped exactly like the real plugin's API output.

Two families, as in the real plugin:
- NetBoxModelSerializer (url, display_url, display, tags, custom_fields) for
  Setting, Template, Proxy and ProxyGroup;
- DRF's plain ModelSerializer for everything else: FKs are integer PKs, M2Ms are
  lists of PKs, choices are raw integers, and NetBox's `fields=`/`omit=` kwargs
  make it raise TypeError (HTTP 500), as the real server does.
"""
from __future__ import annotations

from netbox.api.serializers import NetBoxModelSerializer
from rest_framework import serializers

from netbox_zabbix import models


class SettingSerializer(NetBoxModelSerializer):
    # Secrets and TLS modes are hidden by the real API; `_encrypted_token` is not.
    HIDDEN_FIELDS = (
        "tls_connect", "tls_accept", "tls_psk_identity", "tls_psk",
        "snmp_securityname", "snmp_authpassphrase", "snmp_privpassphrase",
    )

    class Meta:
        model = models.Setting
        fields = "__all__"

    def get_fields(self):
        fields = super().get_fields()
        for name in self.HIDDEN_FIELDS:
            fields.pop(name, None)
        return fields


class TemplateSerializer(NetBoxModelSerializer):
    class Meta:
        model = models.Template
        fields = "__all__"


class ProxySerializer(NetBoxModelSerializer):
    class Meta:
        model = models.Proxy
        fields = "__all__"


class ProxyGroupSerializer(NetBoxModelSerializer):
    class Meta:
        model = models.ProxyGroup
        fields = "__all__"


class HostGroupSerializer(serializers.ModelSerializer):
    display = serializers.SerializerMethodField()

    class Meta:
        model = models.HostGroup
        fields = "__all__"

    def get_display(self, obj) -> str:
        return str(obj)


class TagMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.TagMapping
        fields = "__all__"


class InventoryMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.InventoryMapping
        fields = "__all__"


class HostConfigSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.HostConfig
        fields = "__all__"


class AgentInterfaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.AgentInterface
        fields = "__all__"


class SNMPInterfaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.SNMPInterface
        fields = "__all__"


class EventLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.EventLog
        fields = "__all__"
