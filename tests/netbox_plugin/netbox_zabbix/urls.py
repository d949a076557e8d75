"""Stub UI URLs. There is no UI: these exist so NetBoxModelSerializer can build `display_url`
(as the real plugin's payloads carry it); they redirect to the API detail."""
from __future__ import annotations

from django.shortcuts import redirect
from django.urls import path


def _to_api(endpoint: str):
    def view(request, pk: int):
        return redirect(f"/api/plugins/netbox_zabbix/{endpoint}/{pk}/")
    return view


urlpatterns = [
    path("settings/<int:pk>/", _to_api("setting"), name="setting"),
    path("templates/<int:pk>/", _to_api("templates"), name="template"),
    path("proxies/<int:pk>/", _to_api("proxy"), name="proxy"),
    path("proxy-groups/<int:pk>/", _to_api("proxy-group"), name="proxygroup"),
]
