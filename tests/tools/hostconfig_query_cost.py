"""What one host-config list page and one HostConfig PATCH cost the fixture plugin, in SQL.

Runs inside NetBox's venv (``NETBOX_ROOT`` set, the fixture plugin on ``PYTHONPATH``; see
``query_cost`` in tests/integration/test_fixture_plugin_cost.py). In one transaction
that is rolled back at the end it creates ``--rows`` HostConfigs, each with a host group and
a template, then sends NetBox's own API views (through DRF's test client, every middleware
included) a ``GET host-config/?ordering=id&limit=<rows>`` and a ``PATCH host-config/<id>/``
and counts the SQL queries and seconds of each. Nothing is left behind.

``--prefetch`` measures the same page with ``prefetch_related("host_groups", "templates")``
on the viewset's queryset, the fix the real plugin lacks. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time


class Rollback(Exception):
    """Raised at the end of the measurement to undo every row it created."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--prefetch", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="list requests timed (the best is reported)")
    args = parser.parse_args()
    if not os.environ.get("NETBOX_ROOT"):
        sys.exit("hostconfig_query_cost.py: NETBOX_ROOT is not set")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netbox.settings")
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient
    from users.models import User

    from netbox_zabbix import models
    from netbox_zabbix.api import views

    if args.prefetch:
        views.HostConfigViewSet.queryset = models.HostConfig.objects.prefetch_related("host_groups", "templates")

    result: dict = {"rows": args.rows, "prefetch": args.prefetch}
    try:
        with transaction.atomic():
            tag = f"qcost{os.getpid()}"
            # Only our rows on the page: the ones created from now on (the filter exists).
            since = timezone.now().isoformat()
            user = User.objects.create(username=tag, is_superuser=True, is_active=True)
            group = models.HostGroup.objects.create(name=f"{tag}-group", groupid="900001")
            template = models.Template.objects.create(name=f"{tag}-template", templateid="900002")
            device_type = ContentType.objects.get(app_label="dcim", model="device")
            configs = models.HostConfig.objects.bulk_create(
                models.HostConfig(name=f"{tag}-{i}", object_id=900000 + i, content_type=device_type)
                for i in range(args.rows))
            first_id = min(c.pk for c in configs)
            models.HostConfig.host_groups.through.objects.bulk_create(
                models.HostConfig.host_groups.through(hostconfig_id=c.pk, hostgroup_id=group.pk) for c in configs)
            models.HostConfig.templates.through.objects.bulk_create(
                models.HostConfig.templates.through(hostconfig_id=c.pk, template_id=template.pk) for c in configs)

            client = APIClient()
            client.force_authenticate(user)
            url = "/api/plugins/netbox_zabbix/host-config/"
            params = {"ordering": "id", "limit": args.rows, "created__gte": since}
            timings = []
            for _attempt in range(max(1, args.repeat)):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url, params, HTTP_HOST="localhost")
                    timings.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise SystemExit(f"GET {url}: HTTP {response.status_code}: {response.content[:300]!r}")
            body = response.json()
            mine = [row for row in body["results"] if row["name"].startswith(tag)]
            result.update(list_queries=len(queries), list_seconds=round(min(timings), 4),
                          list_rows=len(body["results"]), own_rows=len(mine),
                          rows_with_relations=sum(1 for row in mine if row["host_groups"] and row["templates"]))

            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.patch(f"{url}{first_id}/", {"hostid": 990000001}, format="json",
                                        HTTP_HOST="localhost")
                result["patch_seconds"] = round(time.perf_counter() - started, 4)
            if response.status_code != 200:
                raise SystemExit(f"PATCH: HTTP {response.status_code}: {response.content[:300]!r}")
            result["patch_queries"] = len(queries)
            raise Rollback
    except Rollback:
        pass
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
