# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The NetBox connection options are named alike on every module: netbox_url, netbox_token,
netbox_validate_certs, netbox_timeout; the unprefixed names of 0.1.0 still work as aliases."""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.netbox_zabbix.sync.plugins.module_utils import _sync_job_specs as specs
from ansible_collections.netbox_zabbix.sync.plugins.module_utils._netbox import NetBoxOptions

SPECS = {
    "zabbix_sync_summary": specs.summary_argument_spec,
    "netbox_hostconfig_writeback": specs.writeback_argument_spec,
    "zabbix_orphans": specs.orphans_argument_spec,
}
TOKEN = "nbt_abc.def"


@pytest.mark.parametrize("module", sorted(SPECS))
@pytest.mark.parametrize("names", [("netbox_validate_certs", "netbox_timeout"), ("validate_certs", "timeout")])
def test_new_names_and_aliases_reach_the_client(module: str, names: tuple[str, str]) -> None:
    validation = ArgumentSpecValidator(SPECS[module]()).validate(
        {"netbox_url": "https://nb", "netbox_token": TOKEN, names[0]: False, names[1]: 7})
    assert not validation.error_messages
    options = NetBoxOptions.from_module_params(validation.validated_parameters)
    assert (options.validate_certs, options.timeout) == (False, 7.0)


def test_orphans_bare_validate_certs_is_netbox_not_zabbix() -> None:
    """zabbix_orphans has both connections: the alias belongs to NetBox, Zabbix keeps its own option."""
    validation = ArgumentSpecValidator(specs.orphans_argument_spec()).validate(
        {"netbox_url": "https://nb", "netbox_token": TOKEN, "validate_certs": False})
    params = validation.validated_parameters
    assert params["netbox_validate_certs"] is False
    assert params["zabbix_validate_certs"] is True
