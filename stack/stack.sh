#!/usr/bin/env bash
# The whole local stack: Zabbix API 6.0 and 7.0 (stack/zabbix.sh) and NetBox 4.7 with our
# HostConfig fixture plugin (stack/netbox.sh). Each is started in parallel; their logs are
# in $STACK_DIR/logs/stack-*.log and shown when a start fails.
#   stack/stack.sh up | down | reset | status
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export STACK_DIR="${STACK_DIR:-$(dirname "$here")/.stack}"
mkdir -p "$STACK_DIR/logs"

up() {
  local start=$SECONDS pids=() names=() rc=0
  "$here/zabbix.sh" up ${ZABBIX_VERSIONS:-6.0 7.0} >"$STACK_DIR/logs/stack-zabbix.log" 2>&1 & pids+=($!); names+=(zabbix)
  "$here/netbox.sh" up >"$STACK_DIR/logs/stack-netbox.log" 2>&1 & pids+=($!); names+=(netbox)
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      echo "stack: ${names[$i]} up"
    else
      rc=1
      echo "stack: ${names[$i]} FAILED to start; its log:" >&2
      tail -n 60 "$STACK_DIR/logs/stack-${names[$i]}.log" >&2
    fi
  done
  echo "stack: up in $((SECONDS - start)) s"
  return $rc
}

case "${1:-}" in
  up) up ;;
  down) "$here/eda.sh" down || true; "$here/zabbix.sh" down || true; "$here/netbox.sh" down || true ;;
  reset) "$here/zabbix.sh" reset ${ZABBIX_VERSIONS:-6.0 7.0}; "$here/netbox.sh" reset ;;
  status) "$here/zabbix.sh" status || true; "$here/netbox.sh" status || true ;;
  *) echo "usage: $0 up|down|reset|status" >&2; exit 2 ;;
esac
