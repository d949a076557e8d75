"""Filters: only those the real plugin has (see the API contract's "Quirks").

Any other query parameter (hostid, status, object_id, id, groupid, ...) is silently
ignored by django-filter and the whole list comes back, as on the real server.
"""
from __future__ import annotations

import django_filters
from django.db.models import Q
from netbox.filtersets import NetBoxModelFilterSet

from netbox_zabbix import models


class NameSearchFilterSet(django_filters.FilterSet):
    """`q` only (name icontains): Template, Proxy, ProxyGroup."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")


class TemplateFilterSet(NameSearchFilterSet):
    class Meta:
        model = models.Template
        fields = ["q"]


class ProxyFilterSet(NameSearchFilterSet):
    class Meta:
        model = models.Proxy
        fields = ["q"]


class ProxyGroupFilterSet(NameSearchFilterSet):
    class Meta:
        model = models.ProxyGroup
        fields = ["q"]


class HostGroupFilterSet(NetBoxModelFilterSet):
    # By name: an unknown name is a 400 ("Select a valid choice").
    name = django_filters.ModelMultipleChoiceFilter(
        field_name="name", to_field_name="name", queryset=models.HostGroup.objects.all()
    )

    class Meta:
        model = models.HostGroup
        fields = ["name"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset


class MappingFilterSetMixin:
    def search(self, queryset, name, value):
        return queryset.filter(object_type__icontains=value.strip()) if value.strip() else queryset


class TagMappingFilterSet(MappingFilterSetMixin, NetBoxModelFilterSet):
    object_type = django_filters.ModelMultipleChoiceFilter(
        field_name="object_type", to_field_name="object_type", queryset=models.TagMapping.objects.all()
    )

    class Meta:
        model = models.TagMapping
        fields = ["object_type"]


class InventoryMappingFilterSet(MappingFilterSetMixin, NetBoxModelFilterSet):
    object_type = django_filters.ModelMultipleChoiceFilter(
        field_name="object_type", to_field_name="object_type", queryset=models.InventoryMapping.objects.all()
    )

    class Meta:
        model = models.InventoryMapping
        fields = ["object_type"]


class HostConfigFilterSet(NetBoxModelFilterSet):
    # NetBox Template PKs (not Zabbix templateids): an unknown PK is a 400.
    templates = django_filters.ModelMultipleChoiceFilter(queryset=models.Template.objects.all())

    class Meta:
        model = models.HostConfig
        # content_type is a ContentType PK; `created`/`last_updated` (+ lookups) and `q`
        # come from NetBoxModelFilterSet; name/description get NetBox's lookup variants.
        fields = ("name", "content_type", "description", "templates")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(description__icontains=value) | Q(content_type__model__icontains=value)
        )


class InterfaceFilterSet(NetBoxModelFilterSet):
    # One value only: with repeated parameters the last one wins (QueryDict.get).
    host_config_id = django_filters.NumberFilter(field_name="host_config__id")

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset


class AgentInterfaceFilterSet(InterfaceFilterSet):
    class Meta:
        model = models.AgentInterface
        fields = ["host_config_id"]


class SNMPInterfaceFilterSet(InterfaceFilterSet):
    class Meta:
        model = models.SNMPInterface
        fields = ["host_config_id"]


class EventLogFilterSet(NetBoxModelFilterSet):
    class Meta:
        model = models.EventLog
        fields = ["name"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(message__icontains=value))
