# netbox-zabbix-sync 4.1.0 configuration for the benchmark (bench/nzs/prepare.py puts the
# data where these settings look for it). Only the differences from its defaults.
templates_config_context = True          # templates from config context "zabbix.templates"
hostgroup_format = ["zbx_hg1", "zbx_hg2"]  # one host group per custom field
vm_hostgroup_format = ["zbx_hg1", "zbx_hg2"]
create_hostgroups = False                 # the groups exist (Zabbix fixtures)
sync_vms = True                           # HostConfigs are on Devices and VMs
tag_sync = True                           # NetBox tags -> Zabbix tags
tag_lower = True
device_tag_map = {"site/name": "site"}
vm_tag_map = {"site/name": "site"}
zabbix_device_disable = ["Offline"]       # a disabled HostConfig is an offline Device/VM
zabbix_device_removal = ["Decommissioning"]
log_file = False
log_console = True
