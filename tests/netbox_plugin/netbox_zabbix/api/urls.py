"""DRF's plain router, as the real plugin uses: no bulk PUT/PATCH/DELETE routes on list URLs (405)."""
from __future__ import annotations

from rest_framework.routers import DefaultRouter

from netbox_zabbix.api import views

router = DefaultRouter()
router.register("setting", views.SettingViewSet)
router.register("templates", views.TemplateViewSet)
router.register("proxy", views.ProxyViewSet)
router.register("proxy-group", views.ProxyGroupViewSet)
router.register("host-group", views.HostGroupViewSet)
router.register("tag-mapping", views.TagMappingViewSet)
router.register("inventory-mapping", views.InventoryMappingViewSet)
router.register("host-config", views.HostConfigViewSet)
router.register("agent-interface", views.AgentInterfaceViewSet)
router.register("snmp-interface", views.SNMPInterfaceViewSet)
router.register("event-log", views.EventLogViewSet)

urlpatterns = router.urls
