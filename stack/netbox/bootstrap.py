"""Create the admin user and its two API tokens (run inside NetBox: `netbox shell -c`).

Values come from the environment (NZS_ADMIN_PASSWORD, NZS_TOKEN_V1, NZS_TOKEN_V2_KEY,
NZS_TOKEN_V2_SECRET): stack/netbox.sh generates them once per cache directory, so the
cached database dump and the tokens in netbox.env always agree. Idempotent.
"""
from __future__ import annotations

import os

from users.models import Token, User

admin, _ = User.objects.get_or_create(username="admin", defaults={"is_superuser": True, "is_active": True})
admin.is_superuser = True
admin.is_active = True
admin.set_password(os.environ["NZS_ADMIN_PASSWORD"])
admin.save()

v1 = os.environ["NZS_TOKEN_V1"]
if not Token.objects.filter(version=1, plaintext=v1).exists():
    Token(user=admin, version=1, token=v1, description="netbox_zabbix_sync tests (v1)", write_enabled=True).save()

v2_key = os.environ["NZS_TOKEN_V2_KEY"]
if not Token.objects.filter(version=2, key=v2_key).exists():
    Token(
        user=admin, version=2, key=v2_key, token=os.environ["NZS_TOKEN_V2_SECRET"],
        description="netbox_zabbix_sync tests (v2)", write_enabled=True,
    ).save()

print(f"admin user and tokens ready ({Token.objects.filter(user=admin).count()} tokens)")
