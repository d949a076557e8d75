"""API viewsets: NetBox's own viewset, so paging, ordering and errors behave as on the real server."""
from __future__ import annotations

from netbox.api.viewsets import NetBoxModelViewSet

from netbox_zabbix import filtersets, models
from netbox_zabbix.api import serializers


class SettingViewSet(NetBoxModelViewSet):
    queryset = models.Setting.objects.all()
    serializer_class = serializers.SettingSerializer


class TemplateViewSet(NetBoxModelViewSet):
    queryset = models.Template.objects.all()  # as the real plugin: no prefetch
    serializer_class = serializers.TemplateSerializer
    filterset_class = filtersets.TemplateFilterSet


class ProxyViewSet(NetBoxModelViewSet):
    queryset = models.Proxy.objects.all()
    serializer_class = serializers.ProxySerializer
    filterset_class = filtersets.ProxyFilterSet


class ProxyGroupViewSet(NetBoxModelViewSet):
    queryset = models.ProxyGroup.objects.all()
    serializer_class = serializers.ProxyGroupSerializer
    filterset_class = filtersets.ProxyGroupFilterSet


class HostGroupViewSet(NetBoxModelViewSet):
    queryset = models.HostGroup.objects.all()
    serializer_class = serializers.HostGroupSerializer
    filterset_class = filtersets.HostGroupFilterSet


class TagMappingViewSet(NetBoxModelViewSet):
    queryset = models.TagMapping.objects.all()
    serializer_class = serializers.TagMappingSerializer
    filterset_class = filtersets.TagMappingFilterSet


class InventoryMappingViewSet(NetBoxModelViewSet):
    queryset = models.InventoryMapping.objects.all()
    serializer_class = serializers.InventoryMappingSerializer
    filterset_class = filtersets.InventoryMappingFilterSet


class HostConfigViewSet(NetBoxModelViewSet):
    # No prefetch of host_groups/templates, as in the real plugin: every row costs two more
    # queries (about 1.3 s per 1,000-row page), so the benchmark pays what users pay.
    # tests/integration/test_fixture_plugin_cost.py pins it.
    queryset = models.HostConfig.objects.all()
    serializer_class = serializers.HostConfigSerializer
    filterset_class = filtersets.HostConfigFilterSet


class AgentInterfaceViewSet(NetBoxModelViewSet):
    queryset = models.AgentInterface.objects.all()
    serializer_class = serializers.AgentInterfaceSerializer
    filterset_class = filtersets.AgentInterfaceFilterSet


class SNMPInterfaceViewSet(NetBoxModelViewSet):
    queryset = models.SNMPInterface.objects.all()
    serializer_class = serializers.SNMPInterfaceSerializer
    filterset_class = filtersets.SNMPInterfaceFilterSet


class EventLogViewSet(NetBoxModelViewSet):
    queryset = models.EventLog.objects.all()
    serializer_class = serializers.EventLogSerializer
    filterset_class = filtersets.EventLogFilterSet
