# Every SNMP detail is nullable in the real netbox_zabbix plugin's model
# (../shared/spec/hostconfig-api.md, "Identity": nullable SNMP fields).

from django.db import migrations, models


def _nullable_int(default, choices=None):
    kwargs = {"blank": True, "default": default, "null": True}
    if choices is not None:
        kwargs["choices"] = choices
    return models.IntegerField(**kwargs)


class Migration(migrations.Migration):

    dependencies = [
        ("netbox_zabbix", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="snmpinterface",
            name="version",
            field=_nullable_int(3, [(1, "SNMPv1"), (2, "SNMPv2c"), (3, "SNMPv3")]),
        ),
        migrations.AlterField(model_name="snmpinterface", name="bulk", field=_nullable_int(1)),
        migrations.AlterField(model_name="snmpinterface", name="max_repetitions", field=_nullable_int(10)),
        migrations.AlterField(
            model_name="snmpinterface",
            name="securitylevel",
            field=_nullable_int(2, [(0, "noAuthNoPriv"), (1, "authNoPriv"), (2, "authPriv")]),
        ),
        migrations.AlterField(
            model_name="snmpinterface",
            name="authprotocol",
            field=_nullable_int(1, [(0, "MD5"), (1, "SHA1"), (2, "SHA224"), (3, "SHA256"), (4, "SHA384"), (5, "SHA512")]),
        ),
        migrations.AlterField(
            model_name="snmpinterface",
            name="privprotocol",
            field=_nullable_int(1, [(0, "DES"), (1, "AES128"), (2, "AES192"), (3, "AES256"), (4, "AES192C"), (5, "AES256C")]),
        ),
    ]
