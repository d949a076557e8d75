#!/usr/bin/env bash
# `make demo`: a real NetBox 4.7 and a real Zabbix 7.0 on loopback, sample data in NetBox,
# then the sync playbook three times: a dry run (--check --diff), the real run, and a
# second run that shows nothing left to change.
#   DEMO_COUNT=60       Devices+VMs to seed (at least 50)
#   DEMO_BROKEN=0       deliberately broken HostConfigs (shows per-host failures)
#   DEMO_ZABBIX=7.0     Zabbix version to sync to (6.0 or 7.0)
#   DEMO_EDA=1          then start event-driven sync (stack/eda.sh) and show one NetBox change
#                       reaching Zabbix without running the playbook (0: skip)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export STACK_DIR="${STACK_DIR:-$repo/.stack}"
export PATH="$repo/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$repo/.cache/collections"
count="${DEMO_COUNT:-60}"
broken="${DEMO_BROKEN:-0}"
zabbix_version="${DEMO_ZABBIX:-7.0}"

banner() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

banner "Starting NetBox 4.7 and Zabbix $zabbix_version (first start installs packages and migrates NetBox: about 6 minutes; later starts: under a minute)"
ZABBIX_VERSIONS="$zabbix_version" stack/stack.sh up

# shellcheck disable=SC1090
source "$STACK_DIR/zabbix-$zabbix_version.env"
# shellcheck disable=SC1090
source "$STACK_DIR/netbox.env"

banner "Loading sample data: $count Devices/VMs with HostConfigs"
stack/zabbix.sh reset "$zabbix_version" >/dev/null
python stack/zabbix_fixtures.py --url "$ZABBIX_URL" --token "$ZABBIX_TOKEN" > "$STACK_DIR/demo-fixtures.json"
stack/netbox.sh seed --reset --count "$count" --broken "$broken" --zabbix-fixtures "$STACK_DIR/demo-fixtures.json"

inventory="$STACK_DIR/demo.netbox_hostconfig.yml"
cat > "$inventory" <<YAML
# Written by make demo. NETBOX_API and NETBOX_TOKEN come from the environment.
plugin: netbox_zabbix.sync.hostconfig
validate_certs: false
YAML
export ZABBIX_URL ZABBIX_TOKEN NETBOX_API NETBOX_TOKEN
export ANSIBLE_SYNC_LOG_PATH="$STACK_DIR/demo-sync-log.jsonl"
play=(ansible-playbook -i "$inventory" playbooks/sync_hosts.yml -e sync_hosts_fail_on_error=false)

banner "1/3 Dry run: ansible-playbook playbooks/sync_hosts.yml --check --diff (writes nothing; ends with its drift report)"
dry_report="$STACK_DIR/demo-dry-run-report"
"${play[@]}" --check --diff -e "sync_hosts_report_path=$dry_report"

banner "2/3 Sync: ansible-playbook playbooks/sync_hosts.yml"
"${play[@]}"

banner "3/3 Sync again: nothing should change"
"${play[@]}"

if [ "${DEMO_EDA:-1}" = 1 ]; then
  banner "4/4 Event-driven: ansible-rulebook receives NetBox's webhooks; rename a Device in NetBox and watch Zabbix"
  EDA_ZABBIX="$zabbix_version" EDA_STARTUP_SYNC=false stack/eda.sh up
  # shellcheck disable=SC1091
  source "$STACK_DIR/eda.env"
  python stack/eda_demo_change.py
fi

banner "Done"
cat <<TXT
  NetBox:  ${NETBOX_API}/   (user admin / password admin)
  Zabbix:  ${ZABBIX_URL}/   (user Admin / password zabbix)
  Event log of the runs: $ANSIBLE_SYNC_LOG_PATH
  Drift report of the dry run: $dry_report.html (also .md, .json); of the last run: $(dirname "$ANSIBLE_SYNC_LOG_PATH")/drift_report.html
  Run it yourself:
    source $STACK_DIR/netbox.env; source $STACK_DIR/zabbix-$zabbix_version.env
    .venv/bin/ansible-playbook -i $inventory playbooks/sync_hosts.yml --check --diff
  Event-driven sync (if started): ansible-rulebook log $STACK_DIR/eda/ansible-rulebook.log (docs/eda.md)
  Stop everything:  make demo-down
TXT
