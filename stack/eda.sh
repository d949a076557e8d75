#!/usr/bin/env bash
# Event-driven sync on the local stack: NetBox's background worker (it sends the webhooks),
# the Webhook + Event Rule in NetBox (stack/eda_netbox_setup.py), and ansible-rulebook running
# the collection's rulebook (extensions/eda/rulebooks/netbox_zabbix_sync.yml).
#
#   stack/eda.sh up       start all three (NetBox and Zabbix must be up: stack/stack.sh up)
#   stack/eda.sh down     stop ansible-rulebook and the worker, disable the Event Rule
#   stack/eda.sh status
#
# Env: EDA_WEBHOOK_PORT (18399) where ansible-rulebook listens; EDA_ZABBIX (7.0) the Zabbix
# to sync to; EDA_STARTUP_SYNC (true) a full sync when the rulebook starts; EDA_ORPHAN_POLICY
# (none); EDA_QUIET / EDA_MAX_DELAY / EDA_MIN_INTERVAL / EDA_MAX_INTERVAL (1 / 5 / 8 / 30 s) the coalescing window.
# Writes $STACK_DIR/eda.env (EDA_LOG, EDA_SYNC_LOG, NETBOX_WEBHOOK_PORT, NETBOX_WEBHOOK_URL).
# Needs Java 17 (ansible-rulebook's rules engine): JAVA_HOME or the Debian package.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
LOG_PREFIX=eda
# shellcheck source=stack/lib.sh
. "$here/lib.sh"

STACK_DIR=${STACK_DIR:-$repo/.stack}
EDA_DIR=$STACK_DIR/eda
EDA_WEBHOOK_PORT=${EDA_WEBHOOK_PORT:-18399}
EDA_ZABBIX=${EDA_ZABBIX:-7.0}
RULEBOOK_PID=$EDA_DIR/ansible-rulebook.pid
EDA_LOG=$EDA_DIR/ansible-rulebook.log
SYNC_LOG=$EDA_DIR/sync-log.jsonl
SECRET_FILE=$EDA_DIR/webhook-secret
ENV_FILE=$STACK_DIR/eda.env
VENV_BIN=$repo/.venv/bin

rulebook_running() { pid_alive "$(pid_from_file "$RULEBOOK_PID")"; }

java_home() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME"; return 0; fi
  local dir
  for dir in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64 /usr/lib/jvm/java-17-openjdk; do
    [ -x "$dir/bin/java" ] && { echo "$dir"; return 0; }
  done
  apt_ensure openjdk-17-jre-headless
  ls -d /usr/lib/jvm/java-17-openjdk* 2>/dev/null | head -n1
}

cmd_up() {
  [ -x "$VENV_BIN/ansible-rulebook" ] || die "no $VENV_BIN/ansible-rulebook: run make venv"
  [ -f "$STACK_DIR/netbox.env" ] || die "NetBox is not up (stack/stack.sh up)"
  [ -f "$STACK_DIR/zabbix-$EDA_ZABBIX.env" ] || die "Zabbix $EDA_ZABBIX is not up (stack/stack.sh up)"
  mkdir -p "$EDA_DIR"
  if [ ! -s "$SECRET_FILE" ]; then
    (umask 077; tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40 >"$SECRET_FILE" || true)
  fi
  "$here/netbox.sh" worker-up

  # shellcheck disable=SC1090,SC1091
  ( set -a; . "$STACK_DIR/netbox.env"; . "$STACK_DIR/zabbix-$EDA_ZABBIX.env"
    NETBOX_WEBHOOK_SECRET=$(cat "$SECRET_FILE"); export NETBOX_WEBHOOK_SECRET
    "$VENV_BIN/python" "$here/eda_netbox_setup.py" --url "http://127.0.0.1:$EDA_WEBHOOK_PORT/netbox" >"$EDA_DIR/netbox-objects.json"
  )
  log "NetBox Webhook + Event Rule: $(cat "$EDA_DIR/netbox-objects.json")"

  if rulebook_running; then
    log "ansible-rulebook already runs (pid $(pid_from_file "$RULEBOOK_PID"))"
  else
    port_in_use "$EDA_WEBHOOK_PORT" && die "port $EDA_WEBHOOK_PORT is taken by another process (set EDA_WEBHOOK_PORT)"
    cat >"$EDA_DIR/eda.netbox_hostconfig.yml" <<YAML
# Written by stack/eda.sh: each run reads only the HostConfigs of its event (netbox_hostconfig_ids).
plugin: netbox_zabbix.sync.hostconfig
netbox_validate_certs: false
YAML
    local jh
    jh=$(java_home)
    log "starting ansible-rulebook on 127.0.0.1:$EDA_WEBHOOK_PORT (syncing to Zabbix $EDA_ZABBIX; log $EDA_LOG)"
    # shellcheck disable=SC1090,SC1091
    ( set -a; . "$STACK_DIR/netbox.env"; . "$STACK_DIR/zabbix-$EDA_ZABBIX.env"; set +a
      NETBOX_WEBHOOK_SECRET=$(cat "$SECRET_FILE")
      export NETBOX_WEBHOOK_SECRET JAVA_HOME=$jh PATH="$VENV_BIN:$PATH"
      export ANSIBLE_CONFIG=$repo/ansible.cfg ANSIBLE_COLLECTIONS_PATH=$repo/.cache/collections
      export ANSIBLE_SYNC_LOG_PATH=$SYNC_LOG
      # an unreadable inventory (NetBox down) must fail the run, so that it is retried:
      # by default ansible-playbook only warns and plays on an empty inventory (rc 0)
      export ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true
      export NETBOX_WEBHOOK_PORT=$EDA_WEBHOOK_PORT NETBOX_WEBHOOK_STARTUP_SYNC=${EDA_STARTUP_SYNC:-true}
      export NETBOX_ZABBIX_ORPHAN_POLICY=${EDA_ORPHAN_POLICY:-none}
      export NETBOX_WEBHOOK_QUIET=${EDA_QUIET:-1.0} NETBOX_WEBHOOK_MAX_DELAY=${EDA_MAX_DELAY:-5.0}
      export NETBOX_WEBHOOK_MIN_INTERVAL=${EDA_MIN_INTERVAL:-8.0} NETBOX_WEBHOOK_MAX_INTERVAL=${EDA_MAX_INTERVAL:-30.0}
      cd "$EDA_DIR"
      setsid "$VENV_BIN/ansible-rulebook" -r netbox_zabbix.sync.netbox_zabbix_sync -i "$EDA_DIR/eda.netbox_hostconfig.yml" \
        --env-vars NETBOX_WEBHOOK_PORT,NETBOX_WEBHOOK_STARTUP_SYNC,NETBOX_ZABBIX_ORPHAN_POLICY,NETBOX_WEBHOOK_QUIET,NETBOX_WEBHOOK_MAX_DELAY,NETBOX_WEBHOOK_MIN_INTERVAL,NETBOX_WEBHOOK_MAX_INTERVAL \
        -v >>"$EDA_LOG" 2>&1 </dev/null &
      echo $! >"$RULEBOOK_PID"
    )
    if ! wait_until 90 port_in_use "$EDA_WEBHOOK_PORT"; then
      show_log_tail "$EDA_LOG"; cmd_down; die "ansible-rulebook did not start listening on $EDA_WEBHOOK_PORT"
    fi
  fi
  umask 077
  cat >"$ENV_FILE" <<EOF
# Written by stack/eda.sh up
export NETBOX_WEBHOOK_PORT=$EDA_WEBHOOK_PORT
export NETBOX_WEBHOOK_URL=http://127.0.0.1:$EDA_WEBHOOK_PORT/netbox
export NETBOX_WEBHOOK_SECRET_FILE=$SECRET_FILE
export EDA_LOG=$EDA_LOG
export EDA_SYNC_LOG=$SYNC_LOG
export EDA_ZABBIX=$EDA_ZABBIX
EOF
  umask 022
  log "event-driven sync up: NetBox -> http://127.0.0.1:$EDA_WEBHOOK_PORT/netbox -> ansible-rulebook -> Zabbix $EDA_ZABBIX"
}

cmd_down() {
  local pid
  pid=$(pid_from_file "$RULEBOOK_PID")
  if pid_alive "$pid"; then
    log "stopping ansible-rulebook"
    # its own session (setsid): the playbook runs it started are in its process group
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait_until 20 pid_gone "$pid" || kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$RULEBOOK_PID" "$ENV_FILE"
  # No receiver: keep NetBox from queueing webhooks nobody takes.
  if [ -f "$STACK_DIR/netbox.env" ] && [ -f "$EDA_DIR/netbox-objects.json" ]; then
    # shellcheck disable=SC1090,SC1091
    ( set -a; . "$STACK_DIR/netbox.env"; NETBOX_WEBHOOK_SECRET=$(cat "$SECRET_FILE" 2>/dev/null || echo x); export NETBOX_WEBHOOK_SECRET
      "$VENV_BIN/python" "$here/eda_netbox_setup.py" --url "http://127.0.0.1:$EDA_WEBHOOK_PORT/netbox" --disable >/dev/null 2>&1 ) || true
  fi
  "$here/netbox.sh" worker-down || true
}

cmd_status() {
  if rulebook_running; then echo "ansible-rulebook up    127.0.0.1:$EDA_WEBHOOK_PORT (pid $(pid_from_file "$RULEBOOK_PID")), log $EDA_LOG"
  else echo "ansible-rulebook down"; return 1; fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
