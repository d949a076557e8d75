#!/usr/bin/env bash
# A real NetBox 4.7 (PyPI wheel) with our HostConfig fixture plugin (tests/netbox_plugin),
# on a private PostgreSQL 15 cluster and a private Redis, all on loopback.
#
#   stack/netbox.sh up               start everything (idempotent); writes $STACK_DIR/netbox.env;
#                                    restarts gunicorn when the plugin's code changed and
#                                    rebuilds the database when its migrations changed
#   stack/netbox.sh down             stop gunicorn, Redis and PostgreSQL (data is kept)
#   stack/netbox.sh reset            empty database (migrated, admin + tokens) in seconds
#   stack/netbox.sh status           what runs where
#   stack/netbox.sh restart          restart gunicorn only
#   stack/netbox.sh worker-up        start NetBox's background worker (`netbox rqworker`): it sends
#                                    the webhooks (event-driven sync, stack/eda.sh); `up` starts it too
#                                    when NETBOX_RQWORKER=1; `down` always stops it
#   stack/netbox.sh worker-down      stop the worker
#   stack/netbox.sh seed [args]      stack/seed.py inside NetBox (see `seed --help`)
#   stack/netbox.sh park|unpark      set the database aside for the tests / bring it back
#   stack/netbox.sh shell            NetBox's Django shell (nbshell)
#   stack/netbox.sh manage ARGS      any `netbox` management command (e.g. `manage showmigrations`)
#   stack/netbox.sh makemigrations   regenerate the plugin's migrations (commit them)
#
# Slow things are cached in $NZS_CACHE (default ~/.cache/netbox_zabbix_sync): the venv
# (pip install, about 70 s) and a pg_dump of the migrated database keyed by the NetBox
# version and the plugin's migrations (`netbox migrate` costs about 4.5 minutes of CPU,
# 20 minutes of wall time on a busy 2-core machine).
# Login: admin / admin; API tokens (v2 Bearer and v1 Token) are in $STACK_DIR/netbox.env.
# Ports: NETBOX_PORT (18000), NETBOX_PG_PORT (15433), NETBOX_REDIS_PORT (16379).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
LOG_PREFIX=netbox
# shellcheck source=stack/lib.sh
. "$here/lib.sh"

NETBOX_VERSION=4.7.3
STACK_DIR=${STACK_DIR:-$repo/.stack}
CACHE=${NZS_CACHE:-$HOME/.cache/netbox_zabbix_sync}
NETBOX_PG_PORT=${NETBOX_PG_PORT:-15433}
NETBOX_REDIS_PORT=${NETBOX_REDIS_PORT:-16379}
NETBOX_PORT=${NETBOX_PORT:-18000}
PLUGIN_DIR=$repo/tests/netbox_plugin
DB_NAME=netbox
DB_PRISTINE=netbox_pristine
DB_PARKED=netbox_parked

NETBOX_ROOT=$STACK_DIR/netbox
NB_CONF=$NETBOX_ROOT/conf/configuration.py
GUNICORN_PID=$NETBOX_ROOT/gunicorn.pid
GUNICORN_LOG=$NETBOX_ROOT/gunicorn.log
REDIS_DIR=$STACK_DIR/redis-netbox
ENV_FILE=$STACK_DIR/netbox.env
SECRETS_FILE=$CACHE/netbox-secrets.env
export NETBOX_ROOT
# The fixture plugin comes from this checkout through PYTHONPATH, not from an install into
# the shared venv: stacks of other checkouts (worktrees, clones, CI) share that venv, and an
# editable install there made every stack run the plugin code of whichever started last.
export PYTHONPATH="$PLUGIN_DIR${PYTHONPATH:+:$PYTHONPATH}"
# Exists before pg_base_dir looks at it, so the cluster's place never changes between runs.
mkdir -p "$STACK_DIR"

# --------------------------------------------------------------------------- PostgreSQL
# Same layout rules as stack/zabbix.sh: the cluster runs as postgres when we are root, so
# its directory must be reachable by that user and its socket path short.
pg_base_dir() {
  local base=$STACK_DIR/pg-netbox
  if { [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$STACK_DIR" 2>/dev/null; } \
    || [ ${#base} -gt 80 ]; then
    base=/var/tmp/netbox_zabbix_sync-$(printf '%s' "$STACK_DIR" | md5sum | cut -c1-10)/pg-netbox
  fi
  echo "$base"
}
PG_BASE=$(pg_base_dir)
PG_DATA=$PG_BASE/data
PG_SOCK=$PG_BASE/run
PG_LOG=$PG_BASE/postgresql.log
# PostgreSQL 15 (Debian 12) when present, else the newest installed (Debian 13 ships 17).
pg_bin_dir() {
  if [ -x /usr/lib/postgresql/15/bin/postgres ]; then
    echo /usr/lib/postgresql/15/bin
  else
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1
  fi
}
PG_BIN=$(pg_bin_dir)

pg_ctl_() { run_as postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" "$@"; }
pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && pg_ctl_ status >/dev/null 2>&1; }
pg_sql() { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$NETBOX_PG_PORT" -U postgres "$@"; }
db_exists() { [ "$(pg_sql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

pg_up() {
  pg_running && return 0
  mkdir -p "$PG_BASE"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_BASE"
  run_as postgres mkdir -p "$PG_SOCK"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initdb $PG_DATA"
    run_as postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >"$PG_BASE/initdb.log" 2>&1 \
      || { show_log_tail "$PG_BASE/initdb.log"; die "initdb failed"; }
    # Test settings: durability off (a crash only costs a rebuild).
    cat <<EOF | run_as postgres tee -a "$PG_DATA/postgresql.conf" >/dev/null
# netbox_zabbix_sync test cluster (NetBox)
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
shared_buffers = 256MB
EOF
  fi
  port_in_use "$NETBOX_PG_PORT" && die "port $NETBOX_PG_PORT is taken by another process (set NETBOX_PG_PORT)"
  log "starting PostgreSQL $(basename "$(dirname "$PG_BIN")") on port $NETBOX_PG_PORT"
  pg_ctl_ -l "$PG_LOG" -w -t 60 -o "-p $NETBOX_PG_PORT -k $PG_SOCK" start >/dev/null \
    || { show_log_tail "$PG_LOG"; die "PostgreSQL did not start"; }
  # A superuser keeps the test stack simple (migrations create the ltree extension).
  pg_sql -d postgres -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'netbox') THEN
        CREATE ROLE netbox LOGIN SUPERUSER PASSWORD 'netbox';
      END IF; END \$\$;"
}

pg_down() {
  [ -n "$PG_BIN" ] && [ -d "$PG_DATA" ] && pg_running || return 0
  log "stopping PostgreSQL"
  pg_ctl_ -m fast -w -t 30 stop >/dev/null || { show_log_tail "$PG_LOG"; die "PostgreSQL did not stop"; }
}

# --------------------------------------------------------------------------- Redis
redis_cli() { redis-cli -h 127.0.0.1 -p "$NETBOX_REDIS_PORT" "$@"; }
redis_running() { [ "$(redis_cli ping 2>/dev/null)" = PONG ]; }

redis_up() {
  redis_running && return 0
  port_in_use "$NETBOX_REDIS_PORT" && die "port $NETBOX_REDIS_PORT is taken by another process (set NETBOX_REDIS_PORT)"
  mkdir -p "$REDIS_DIR"
  cat >"$REDIS_DIR/redis.conf" <<EOF
bind 127.0.0.1
port $NETBOX_REDIS_PORT
daemonize yes
pidfile $REDIS_DIR/redis.pid
logfile $REDIS_DIR/redis.log
dir $REDIS_DIR
save ""
appendonly no
EOF
  log "starting Redis on port $NETBOX_REDIS_PORT"
  redis-server "$REDIS_DIR/redis.conf" || { show_log_tail "$REDIS_DIR/redis.log"; die "Redis did not start"; }
  wait_until 15 redis_running || { show_log_tail "$REDIS_DIR/redis.log"; die "Redis does not answer"; }
}

redis_down() {
  redis_running || return 0
  log "stopping Redis"
  redis_cli shutdown nosave >/dev/null 2>&1 || true
  wait_until 10 bash -c "! redis-cli -h 127.0.0.1 -p $NETBOX_REDIS_PORT ping >/dev/null 2>&1" || true
}

# --------------------------------------------------------------------------- venv
python_for_netbox() {
  "$here/find-python.sh" || die "NetBox $NETBOX_VERSION needs Python 3.12 or newer"
}

# The venv path carries the Python version: a venv is bound to its interpreter.
venv_dir() {
  local py=$1 ver
  ver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  echo "$CACHE/netbox-venv-$NETBOX_VERSION-py$ver"
}

# A finished venv for this NetBox version is reused as is (finding a Python through pyenv
# shims costs seconds on a busy machine); otherwise one is built.
existing_venv() {
  local v
  for v in "$CACHE/netbox-venv-$NETBOX_VERSION"-py3.*; do
    [ -f "$v/.nzs-complete" ] && [ -x "$v/bin/python" ] && { echo "$v"; return 0; }
  done
  return 1
}

# Stacks with other STACK_DIRs share the cache: one builds the venv or the dump, the
# others wait for it (instead of migrating in parallel on a 2-core machine).
cache_lock() {
  local fd=$1 name=$2
  mkdir -p "$CACHE"
  eval "exec $fd>\"\$CACHE/$name.lock\""
  flock -n "$fd" || { log "waiting for another stack that is building the $name"; flock "$fd"; }
}

ensure_venv() {
  local py
  cache_lock 8 netbox-venv
  if ! VENV=$(existing_venv); then
    py=$(python_for_netbox)
    VENV=$(venv_dir "$py")
  fi
  if [ ! -f "$VENV/.nzs-complete" ]; then
    local start log_file=$CACHE/netbox-pip.log
    start=$(now_ms)
    log "creating $VENV with $py and installing netbox==$NETBOX_VERSION (about 70 s)"
    rm -rf "$VENV"
    mkdir -p "$CACHE"
    # A Debian interpreter needs its venv and header packages (psycopg-c compiles).
    case "$py" in
      /usr/bin/python3 | /usr/bin/python3.*) apt_ensure "$(basename "$py")-venv" "$(basename "$py")-dev" ;;
    esac
    "$py" -m venv "$VENV"
    if ! "$VENV/bin/pip" install -q --disable-pip-version-check "netbox==$NETBOX_VERSION" gunicorn >"$log_file" 2>&1; then
      show_log_tail "$log_file"; die "pip install netbox==$NETBOX_VERSION failed"
    fi
    touch "$VENV/.nzs-complete"
    log "venv ready in $(elapsed_since "$start")"
  fi
  ensure_secrets
  flock -u 8
}

# --------------------------------------------------------------------------- secrets + config
random_string() { tr -dc 'A-Za-z0-9' </dev/urandom | head -c "$1" || true; }
random_hex() { tr -dc 'a-f0-9' </dev/urandom | head -c "$1" || true; }

# Generated once per cache directory: the cached database dump contains the tokens
# (v2 hashed with the pepper), so secrets and dump live and die together. The web login
# is admin / admin (NETBOX_ADMIN_PASSWORD at first creation): loopback-only test instance.
ensure_secrets() {
  if [ ! -f "$SECRETS_FILE" ]; then
    mkdir -p "$CACHE"
    umask 077
    cat >"$SECRETS_FILE" <<EOF
NZS_SECRET_KEY=$(random_string 60)
NZS_TOKEN_PEPPER=$(random_string 60)
NZS_ADMIN_PASSWORD=${NETBOX_ADMIN_PASSWORD:-admin}
NZS_TOKEN_V1=$(random_hex 40)
NZS_TOKEN_V2_KEY=$(random_string 12)
NZS_TOKEN_V2_SECRET=$(random_string 40)
EOF
    umask 022
  fi
  set -a
  # shellcheck disable=SC1090
  . "$SECRETS_FILE"
  set +a
}

write_config() {
  mkdir -p "$(dirname "$NB_CONF")" "$NETBOX_ROOT/media" "$NETBOX_ROOT/reports" "$NETBOX_ROOT/scripts"
  sed -e "s|@DB_NAME@|$DB_NAME|" -e "s|@PG_PORT@|$NETBOX_PG_PORT|" -e "s|@REDIS_PORT@|$NETBOX_REDIS_PORT|g" \
    -e "s|@SECRET_KEY@|$NZS_SECRET_KEY|" -e "s|@TOKEN_PEPPER@|$NZS_TOKEN_PEPPER|" \
    -e "s|@NETBOX_ROOT@|$NETBOX_ROOT|g" "$here/netbox/configuration.py.in" >"$NB_CONF.tmp"
  chmod 600 "$NB_CONF.tmp"
  mv "$NB_CONF.tmp" "$NB_CONF"
  # NetBox reads $NETBOX_ROOT/conf/configuration.py; this link is where people look for it.
  ln -sfn conf/configuration.py "$NETBOX_ROOT/configuration.py"
}

netbox_cmd() { DISABLE_NETBOX_ZABBIX_SIGNALS=1 "$VENV/bin/netbox" "$@"; }

# --------------------------------------------------------------------------- database
# The dump is keyed by NetBox version, the plugin's migrations and the bootstrap code.
dump_path() {
  local key
  key=$({ echo "$NETBOX_VERSION"; cat "$PLUGIN_DIR"/netbox_zabbix/migrations/0*.py "$here/netbox/bootstrap.py"; \
          echo "$NZS_TOKEN_V1 $NZS_TOKEN_V2_KEY"; } | md5sum | cut -c1-12)
  echo "$CACHE/netbox-db-$NETBOX_VERSION-$key.dump"
}

migrate_fresh() {
  local start
  start=$(now_ms)
  log "migrating an empty database (no cached dump yet; about 4-5 minutes, once)"
  netbox_cmd migrate --no-input >"$NETBOX_ROOT/migrate.log" 2>&1 \
    || { show_log_tail "$NETBOX_ROOT/migrate.log"; die "netbox migrate failed"; }
  log "migrated in $(elapsed_since "$start")"
  netbox_cmd shell --no-imports -c "$(cat "$here/netbox/bootstrap.py")" >&2
}

pristine_key() { pg_sql -d postgres -tAc "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$DB_PRISTINE'"; }

ensure_database() {
  local dump start base
  dump=$(dump_path)
  start=$(now_ms)
  if db_exists "$DB_NAME"; then
    # Current unless the plugin's migrations (or NetBox) changed since this cluster was built.
    # The pristine copy is made last: without it, a build was interrupted (the database may
    # even be empty, e.g. stopped while waiting for another stack's dump).
    if db_exists "$DB_PRISTINE" && [ "$(pristine_key)" = "$(basename "$dump")" ]; then
      return 0
    fi
    if db_exists "$DB_PRISTINE"; then
      log "the fixture plugin's migrations changed: rebuilding the database (its data is dropped)"
    else
      log "the database was left half-built by an interrupted start: rebuilding it"
    fi
    web_down
    pg_sql -d postgres -c "DROP DATABASE $DB_NAME WITH (FORCE)"
  fi
  if db_exists "$DB_PRISTINE"; then
    if [ "$(pristine_key)" = "$(basename "$dump")" ]; then
      pg_sql -d postgres -c "CREATE DATABASE $DB_NAME OWNER netbox TEMPLATE $DB_PRISTINE"
      log "database created from $DB_PRISTINE in $(elapsed_since "$start")"
      return 0
    fi
    pg_sql -d postgres -c "DROP DATABASE $DB_PRISTINE"
  fi
  pg_sql -d postgres -c "CREATE DATABASE $DB_NAME OWNER netbox"
  cache_lock 7 netbox-db-dump
  if [ -f "$dump" ]; then
    restore_dump "$dump"
    log "restored $(basename "$dump") in $(elapsed_since "$start")"
  else
    # A dump of the same NetBox with older plugin migrations saves the 4.5 minutes:
    # restore it and apply only what is new (add migrations; never rewrite 0001).
    base=$(ls -t "$CACHE/netbox-db-$NETBOX_VERSION"-*.dump 2>/dev/null | head -n1 || true)
    if [ -n "$base" ]; then
      restore_dump "$base"
      log "applying new plugin migrations on top of $(basename "$base")"
      netbox_cmd migrate --no-input >"$NETBOX_ROOT/migrate.log" 2>&1 \
        || { show_log_tail "$NETBOX_ROOT/migrate.log"; die "netbox migrate failed"; }
      netbox_cmd shell --no-imports -c "$(cat "$here/netbox/bootstrap.py")" >&2
    else
      migrate_fresh
    fi
    # Another stack (other STACK_DIR, same cache) may be writing the same dump: private
    # temp file, atomic rename.
    "$PG_BIN/pg_dump" -h "$PG_SOCK" -p "$NETBOX_PG_PORT" -U netbox -Fc -f "$dump.tmp.$$" "$DB_NAME"
    mv -f "$dump.tmp.$$" "$dump"
    log "cached the migrated database as $dump ($(elapsed_since "$start"))"
  fi
  flock -u 7
  save_pristine "$(basename "$dump")"
}

restore_dump() {
  "$PG_BIN/pg_restore" -h "$PG_SOCK" -p "$NETBOX_PG_PORT" -U netbox -d "$DB_NAME" --no-owner "$1" \
    || die "pg_restore $1 failed"
}

# Keep a template copy inside the cluster: `reset` is then one CREATE DATABASE.
save_pristine() {
  pg_sql -d postgres -c "CREATE DATABASE $DB_PRISTINE OWNER netbox TEMPLATE $DB_NAME"
  pg_sql -d postgres -c "COMMENT ON DATABASE $DB_PRISTINE IS '$1'"
}

# --------------------------------------------------------------------------- gunicorn
auth_header() { echo "Authorization: Bearer nbt_$NZS_TOKEN_V2_KEY.$NZS_TOKEN_V2_SECRET"; }
api_ready() { curl -fsS -o /dev/null --max-time 5 -H "$(auth_header)" "http://127.0.0.1:$NETBOX_PORT/api/status/"; }
gunicorn_running() { pid_alive "$(pid_from_file "$GUNICORN_PID")"; }

# gunicorn must be restarted to see edits of the plugin (on PYTHONPATH): remember what it runs.
plugin_code_key() { find "$PLUGIN_DIR/netbox_zabbix" -name '*.py' -type f | sort | xargs cat | md5sum | cut -c1-16; }

web_up() {
  if gunicorn_running && [ "$(cat "$NETBOX_ROOT/gunicorn.plugin-key" 2>/dev/null)" != "$(plugin_code_key)" ]; then
    log "the fixture plugin's code changed: restarting gunicorn"
    web_down
  fi
  if gunicorn_running; then
    api_ready && return 0
  else
    plugin_code_key >"$NETBOX_ROOT/gunicorn.plugin-key"
    port_in_use "$NETBOX_PORT" && die "port $NETBOX_PORT is taken by another process (set NETBOX_PORT)"
    log "starting gunicorn on 127.0.0.1:$NETBOX_PORT"
    # No control socket: gunicorn 26 otherwise creates one under ~/.gunicorn.
    DISABLE_NETBOX_ZABBIX_SIGNALS=1 "$VENV/bin/gunicorn" --config "$here/netbox/gunicorn.conf.py" \
      --bind "127.0.0.1:$NETBOX_PORT" --workers 2 --threads 4 --no-control-socket --daemon \
      --pid "$GUNICORN_PID" --error-logfile "$GUNICORN_LOG" --capture-output netbox.wsgi \
      || { show_log_tail "$GUNICORN_LOG"; die "gunicorn did not start"; }
  fi
  if ! wait_until 90 api_ready; then
    show_log_tail "$GUNICORN_LOG" "$PG_LOG" "$REDIS_DIR/redis.log"
    die "NetBox does not answer on http://127.0.0.1:$NETBOX_PORT/api/status/"
  fi
}

web_down() {
  local pid
  pid=$(pid_from_file "$GUNICORN_PID")
  pid_alive "$pid" || { rm -f "$GUNICORN_PID"; return 0; }
  log "stopping gunicorn"
  stop_pid_tree "$pid" 20
  # The old master must be gone before a new one binds the port.
  wait_until 10 bash -c "! kill -0 $pid 2>/dev/null" || true
  rm -f "$GUNICORN_PID"
}

# --------------------------------------------------------------------------- rqworker
# NetBox sends webhooks from its RQ worker, not from gunicorn. Jobs wait in Redis while the
# worker is down and are sent when it starts again.
WORKER_PID=$NETBOX_ROOT/rqworker.pid
WORKER_LOG=$NETBOX_ROOT/rqworker.log
worker_running() { pid_alive "$(pid_from_file "$WORKER_PID")"; }

worker_up() {
  worker_running && return 0
  log "starting NetBox's background worker (netbox rqworker)"
  # setsid: its own process group, so that stopping it never touches the caller's.
  # SimpleWorker runs each job in the worker process: RQ's default forks a copy of NetBox per
  # job, which costs 0.5-1 s per webhook on a busy 2-core machine (a 200-object bulk edit: minutes).
  DISABLE_NETBOX_ZABBIX_SIGNALS=1 NETBOX_ROOT="$NETBOX_ROOT" setsid "$VENV/bin/netbox" rqworker \
    --worker-class rq.worker.SimpleWorker >>"$WORKER_LOG" 2>&1 </dev/null &
  echo $! >"$WORKER_PID"
  # ready once it has registered with Redis (rq keeps a set of live workers)
  if ! wait_until 60 bash -c "redis-cli -h 127.0.0.1 -p $NETBOX_REDIS_PORT --scan --pattern 'rq:worker:*' | grep -q ."; then
    show_log_tail "$WORKER_LOG"; die "netbox rqworker did not start"
  fi
}

worker_down() {
  local pid
  pid=$(pid_from_file "$WORKER_PID")
  pid_alive "$pid" || { rm -f "$WORKER_PID"; return 0; }
  log "stopping NetBox's background worker"
  stop_pid_tree "$pid" 20
  rm -f "$WORKER_PID"
}

write_env() {
  umask 077
  cat >"$ENV_FILE" <<EOF
# Written by stack/netbox.sh up: source it to reach the local NetBox.
export NETBOX_API=http://127.0.0.1:$NETBOX_PORT
export NETBOX_TOKEN=nbt_$NZS_TOKEN_V2_KEY.$NZS_TOKEN_V2_SECRET
export NETBOX_TOKEN_V1=$NZS_TOKEN_V1
export NETBOX_ROOT=$NETBOX_ROOT
export NETBOX_VENV=$VENV
export NETBOX_PG_PORT=$NETBOX_PG_PORT
EOF
  umask 022
}

# --------------------------------------------------------------------------- commands
prepare() {
  mkdir -p "$STACK_DIR" "$CACHE"
  apt_ensure redis-server libpq-dev gcc
  if [ -z "$PG_BIN" ]; then
    apt_ensure postgresql
    PG_BIN=$(pg_bin_dir)
    [ -n "$PG_BIN" ] || die "no PostgreSQL found under /usr/lib/postgresql"
  fi
  ensure_venv
  write_config
}

cmd_up() {
  local start
  start=$(now_ms)
  prepare
  pg_up
  redis_up
  ensure_database
  web_up
  [ "${NETBOX_RQWORKER:-0}" = 1 ] && worker_up
  write_env
  log "NetBox $NETBOX_VERSION up at http://127.0.0.1:$NETBOX_PORT in $(elapsed_since "$start") (env: $ENV_FILE)"
}

cmd_down() {
  worker_down
  web_down
  redis_down
  pg_down
  rm -f "$ENV_FILE"
}

cmd_reset() {
  local start
  start=$(now_ms)
  prepare
  pg_up
  redis_up
  # Django opens a connection per request (CONN_MAX_AGE 0): gunicorn can keep running.
  db_exists "$DB_NAME" && pg_sql -d postgres -c "DROP DATABASE $DB_NAME WITH (FORCE)"
  ensure_database
  redis_cli flushall >/dev/null
  web_up
  write_env
  log "reset to an empty NetBox in $(elapsed_since "$start")"
}

# Tests on a NetBox that holds someone's data (make demo, make bench): `park` sets that
# database aside and gives an empty one (admin + tokens); `unpark` drops it and brings the
# parked one back. A parked database left by an interrupted run is kept, never overwritten.
cmd_park() {
  prepare >/dev/null
  pg_up
  redis_up
  if db_exists "$DB_PARKED"; then
    log "$DB_PARKED is there already (an earlier test run was interrupted): keeping it"
    db_exists "$DB_NAME" && pg_sql -d postgres -c "DROP DATABASE $DB_NAME WITH (FORCE)"
  elif db_exists "$DB_NAME"; then
    local attempt
    for attempt in 1 2 3 4 5; do
      # Django opens a connection per request: end the open ones, then rename at once.
      pg_sql -d postgres -tAc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DB_NAME' AND pid <> pg_backend_pid()" >/dev/null
      pg_sql -d postgres -c "ALTER DATABASE $DB_NAME RENAME TO $DB_PARKED" 2>/dev/null && break
      [ "$attempt" = 5 ] && die "could not park $DB_NAME (still in use)"
      sleep 1
    done
    log "parked the NetBox database as $DB_PARKED"
  fi
  ensure_database
  redis_cli flushall >/dev/null
  web_up
  write_env
}

cmd_unpark() {
  prepare >/dev/null
  pg_up
  redis_up
  db_exists "$DB_PARKED" || { log "no parked NetBox database"; return 0; }
  db_exists "$DB_NAME" && pg_sql -d postgres -c "DROP DATABASE $DB_NAME WITH (FORCE)"
  pg_sql -d postgres -c "ALTER DATABASE $DB_PARKED RENAME TO $DB_NAME"
  redis_cli flushall >/dev/null
  log "brought the parked NetBox database back"
}

cmd_status() {
  local rc=0
  if [ -n "$PG_BIN" ] && [ -d "$PG_DATA" ] && pg_running; then echo "postgresql  up    port $NETBOX_PG_PORT, data $PG_DATA"; else echo "postgresql  down"; rc=1; fi
  if redis_running; then echo "redis       up    port $NETBOX_REDIS_PORT"; else echo "redis       down"; rc=1; fi
  if gunicorn_running; then echo "netbox      up    http://127.0.0.1:$NETBOX_PORT (pid $(pid_from_file "$GUNICORN_PID"))"; else echo "netbox      down"; rc=1; fi
  if worker_running; then echo "rqworker    up    (pid $(pid_from_file "$WORKER_PID"))"; else echo "rqworker    down  (webhooks are not sent; stack/netbox.sh worker-up)"; fi
  [ -f "$ENV_FILE" ] && echo "env file    $ENV_FILE"
  return $rc
}

# Runs with the venv's python and django.setup(): no nbshell, so argparse works normally.
cmd_seed() {
  prepare >/dev/null
  DISABLE_NETBOX_ZABBIX_SIGNALS=1 "$VENV/bin/python" "$here/seed.py" "$@"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  reset) cmd_reset ;;
  status) cmd_status ;;
  restart) prepare; web_down; web_up; write_env ;;
  worker-up) prepare >/dev/null; worker_up ;;
  worker-down) worker_down ;;
  seed) shift; cmd_seed "$@" ;;
  park) cmd_park ;;
  unpark) cmd_unpark ;;
  shell) prepare >/dev/null; netbox_cmd nbshell ;;
  manage) shift; prepare >/dev/null; netbox_cmd "$@" ;;
  makemigrations) prepare >/dev/null; NETBOX_DEVELOPER=1 netbox_cmd makemigrations netbox_zabbix ;;
  *) echo "usage: $0 up|down|reset|status|restart|worker-up|worker-down|seed [args]|park|unpark|shell|manage ARGS|makemigrations" >&2; exit 2 ;;
esac
