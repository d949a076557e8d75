# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Both sides of a host into the canonical form, field by field (_host_fields), no I/O.

desired options --normalise_desired--> Desired (option names, canonical values)
Zabbix host.get --normalise_current--> the same canonical form, as a dict
"""

from __future__ import annotations

import typing as t

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_fields import FIELDS, Normalising
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_model import Desired, HostError
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_spec import BEHAVIOUR_DEFAULTS
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._option_values import zabbix_id

# bound once: these run for every host of a run
_NORMALISERS = tuple(entry.desired for entry in FIELDS)
_READERS = tuple(entry.current for entry in FIELDS)


def normalise_desired(params: t.Mapping[str, t.Any], profile: t.Any, defaults: t.Mapping[str, t.Any] | None = None) -> Desired:
    """Validated options -> Desired; raises HostError naming the field on bad input."""
    behaviour = dict(BEHAVIOUR_DEFAULTS)
    behaviour.update({k: v for k, v in (defaults or {}).items() if v is not None})
    behaviour.update({k: params[k] for k in BEHAVIOUR_DEFAULTS if params.get(k) is not None})

    host = str(params.get("host") or "").strip()
    if not host:
        raise HostError("host", "is required")
    desired = Desired(
        host=host,
        state=behaviour["state"],
        fields={},
        hostid=zabbix_id(params.get("hostid"), "hostid") or None,
        update_secrets=behaviour["update_secrets"],
        create_missing_host_groups=bool(behaviour["create_missing_host_groups"]),
        clear_removed_templates=bool(behaviour["clear_removed_templates"]),
    )
    if desired.state == "absent":
        return desired
    run = Normalising(host, profile)
    fields = desired.fields
    for normalise in _NORMALISERS:
        normalise(params, fields, run)
    desired.secrets = frozenset(s for s in run.secrets if s)
    return desired


def normalise_current(zhost: t.Mapping[str, t.Any], profile: t.Any) -> dict[str, t.Any]:
    """A host.get object -> canonical fields (refs carry both name and ID)."""
    current: dict[str, t.Any] = {"hostid": str(zhost["hostid"])}
    for read in _READERS:
        read(zhost, profile, current)
    return current
