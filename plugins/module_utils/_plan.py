# -*- coding: utf-8 -*-
# Copyright (c) netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a bugfix release.

"""Planning one host: compare the normalised sides field by field (_host_fields), no I/O.

plan_host(desired, host.get answer, catalog, profile) --> Plan: the action, the changed
fields, the host.create/host.update parameters (only what changed) and a masked diff.
"""

from __future__ import annotations

import typing as t

from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_fields import COMPARED, FIELD_ORDER, Planning
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._host_model import Desired, Plan
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._lookups import Catalog
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._normalise import normalise_current

# bound once: this runs for every host of a run
_COMPARERS = tuple(entry.plan for entry in COMPARED)


def plan_host(
    desired: Desired, zhost: t.Mapping[str, t.Any] | None, catalog: Catalog, profile: t.Any, current: dict[str, t.Any] | None = None
) -> Plan:
    """Compare one host; raises HostError (naming the field) for unresolvable input.

    ``current`` is normalise_current(zhost) when the caller already has it."""
    if desired.state == "absent":
        if zhost is None:
            return Plan(desired.host, "unchanged", before={"state": "absent"}, after={"state": "absent"})
        return Plan(
            desired.host, "delete", hostid=str(zhost["hostid"]), changed_fields=["state"],
            before={"host": desired.host, "state": "present"}, after={"host": desired.host, "state": "absent"},
        )

    if zhost is None:
        current = None
    elif current is None:
        current = normalise_current(zhost, profile)
    if current is not None:
        catalog.learn_host(current)
    run = Planning(desired, current, catalog, profile)
    for compare in _COMPARERS:
        compare(run)

    fields = desired.fields
    if current is None:
        create_params: dict[str, t.Any] = {"host": desired.host}
        create_params.update(run.params)
        create_params.pop("templates_clear", None)
        return Plan(
            desired.host, "create", changed_fields=[f for f in FIELD_ORDER if f in fields], params=create_params,
            before={}, after=run.after, groups_to_create=run.groups_to_create, interfaceids=run.interfaceids,
        )

    changed_fields = [f for f in FIELD_ORDER if f in run.changed]
    if not changed_fields:
        return Plan(desired.host, "unchanged", hostid=current["hostid"], before=run.before, after=run.after, interfaceids=run.interfaceids)
    update_params = {"hostid": current["hostid"]}
    update_params.update(run.params)
    return Plan(
        desired.host, "update", hostid=current["hostid"], changed_fields=changed_fields, params=update_params,
        before=dict(run.before), after=run.after, groups_to_create=run.groups_to_create, interfaceids=run.interfaceids,
    )
