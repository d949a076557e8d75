#!/usr/bin/env bash
# The real Zabbix API, 6.0 and 7.0 side by side, for tests, the demo and the benchmark.
#
#   stack/zabbix.sh up [6.0] [7.0]     install, load and serve (default: $ZABBIX_VERSIONS or both)
#   stack/zabbix.sh down               stop the PHP servers and the PostgreSQL cluster
#   stack/zabbix.sh reset [6.0] [7.0]  restore the pristine databases (token and fixtures survive)
#   stack/zabbix.sh status
#   stack/zabbix.sh psql 7.0 [args]    psql into that version's working database
#
# No Zabbix server daemon, web server or php-fpm: the API is the PHP frontend over
# PostgreSQL, served by PHP's built-in server. The frontend and schema come from Debian's
# .debs (6.0 from bookworm, 7.0 from trixie through a private apt configuration; the
# system's apt sources are never changed). Ports, files and env variables:
# docs/architecture.md, "The local stack".
#
# Caches, from slowest to rebuild: $NZS_CACHE keeps the .debs, their unpacked trees and a
# dump of each pristine database (with its API token and fixtures); $STACK_DIR keeps one
# PostgreSQL cluster with, per version, the working database, the pristine copy and a
# spare copy for the next reset. So: cold ~1.5 min, fresh $STACK_DIR ~10-30 s, warm ~5 s,
# already up ~0.6 s, reset ~0.3-1 s.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$SCRIPT_DIR")
LOG_PREFIX=zabbix
# shellcheck source=stack/lib.sh
source "$SCRIPT_DIR/lib.sh"

STACK_DIR=${STACK_DIR:-$REPO_DIR/.stack}
mkdir -p "$STACK_DIR"
STACK_DIR=$(cd "$STACK_DIR" && pwd)
NZS_CACHE=${NZS_CACHE:-$HOME/.cache/netbox_zabbix_sync}
FIXTURES_PYTHON=${ZABBIX_FIXTURES_PYTHON:-$REPO_DIR/.venv/bin/python}
SUPPORTED_VERSIONS=(6.0 7.0)
PHP_PACKAGES=(php-cli php-pgsql php-mbstring php-bcmath php-xml php-gd php-ldap)
DB_OWNER=zabbix
TOKEN_NAME=netbox_zabbix_sync
API_USER=Admin
API_PASSWORD=zabbix

# ---------------------------------------------------------------- per-version facts
ver_tag() { echo "${1/./}"; }                       # 7.0 -> 70
# The port: $ZABBIX60_PORT / $ZABBIX70_PORT, else the one a running server was started
# with (second word of its pid file, so down/status/reset find it without the variable),
# else 18060 / 18070.
ver_port() {
  local var running
  var="ZABBIX$(ver_tag "$1")_PORT"
  running=$(awk '{print $2}' "$(ver_pidfile "$1")" 2>/dev/null || true)
  echo "${!var:-${running:-180$(ver_tag "$1")}}"
}
ver_db() { echo "zabbix$(ver_tag "$1")"; }
ver_suite() { case $1 in 6.0) echo bookworm ;; 7.0) echo trixie ;; esac; }
ver_root() { echo "$STACK_DIR/zabbix-$1"; }
ver_webroot() { echo "$(ver_root "$1")/usr/share/zabbix"; }
ver_url() { echo "http://127.0.0.1:$(ver_port "$1")"; }
ver_envfile() { echo "$STACK_DIR/zabbix-$1.env"; }
ver_tokenfile() { echo "$STACK_DIR/zabbix-$1.token"; }
ver_pidfile() { echo "$STACK_DIR/zabbix-$1.pid"; }
ver_log() { echo "$STACK_DIR/zabbix-$1.log"; }
ver_fixtures() { echo "$STACK_DIR/zabbix-$1.fixtures.json"; }

check_version() {
  local v
  for v in "${SUPPORTED_VERSIONS[@]}"; do [ "$1" = "$v" ] && return 0; done
  die "unsupported Zabbix version '$1' (supported: ${SUPPORTED_VERSIONS[*]})"
}

# ---------------------------------------------------------------- PostgreSQL
# The cluster runs as the postgres user when we are root. That user must reach the data
# directory: when $STACK_DIR sits under a private home (/root is 0700), the cluster moves
# to /var/tmp, keyed by $STACK_DIR. The socket path must also fit in 107 bytes.
pg_base_dir() {
  local base=$STACK_DIR/zabbix-pg
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$STACK_DIR" 2>/dev/null \
    || [ ${#base} -gt 80 ]; then
    base=/var/tmp/netbox_zabbix_sync-$(printf '%s' "$STACK_DIR" | md5sum | cut -c1-10)/zabbix-pg
  fi
  echo "$base"
}
PG_BASE=$(pg_base_dir)
PG_DATA=$PG_BASE/data
PG_SOCK=$PG_BASE/run
PG_LOG=$PG_BASE/postgresql.log
# A running cluster's port (line 4 of postmaster.pid) wins over the default, so `psql`
# and `reset` reach it without the ZABBIX_PG_PORT it was started with.
PG_PORT=${ZABBIX_PG_PORT:-$(sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true)}
PG_PORT=${PG_PORT:-15432}

pg_bin_dir() {
  local dir
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | grep -v '\*' | sort -V | tail -n1)
  [ -n "$dir" ] && echo "$dir"
}

pg_ctl_() { run_as postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" "$@"; }
pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && pg_ctl_ status >/dev/null 2>&1; }
# psql as the superuser over the private socket (trust authentication, loopback only).
pg_sql() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres "$@"; }
db_exists() { [ "$(pg_sql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

pg_up() {
  if [ -z "${PG_BIN:-}" ]; then
    PG_BIN=$(pg_bin_dir) || { apt_ensure postgresql; PG_BIN=$(pg_bin_dir) || die "no PostgreSQL found under /usr/lib/postgresql"; }
  fi
  pg_running || pg_start
  # Superuser: the schema load uses session_replication_role (see load_schema); this is a
  # loopback-only test cluster with trust authentication anyway.
  pg_sql -d postgres -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_OWNER') THEN
        CREATE ROLE $DB_OWNER LOGIN SUPERUSER PASSWORD '$DB_OWNER';
      END IF; END \$\$;" -c "ALTER ROLE $DB_OWNER SUPERUSER"
}

pg_start() {
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
# netbox_zabbix_sync test cluster
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 256MB
EOF
  fi
  if port_in_use "$PG_PORT"; then
    die "port $PG_PORT is taken by another process (set ZABBIX_PG_PORT)"
  fi
  log "starting PostgreSQL on port $PG_PORT (socket dir $PG_SOCK)"
  # 9>&-: the server must not inherit (and hold) our lock.
  if ! pg_ctl_ -l "$PG_LOG" -w -t 60 -o "-p $PG_PORT -k $PG_SOCK" start >/dev/null 9>&-; then
    show_log_tail "$PG_LOG"
    die "PostgreSQL did not start"
  fi
}

pg_down() {
  PG_BIN=${PG_BIN:-$(pg_bin_dir || true)}
  [ -n "$PG_BIN" ] && [ -d "$PG_DATA" ] || return 0
  pg_running || return 0
  log "stopping PostgreSQL"
  pg_ctl_ -m fast -w -t 30 stop >/dev/null || { show_log_tail "$PG_LOG"; die "PostgreSQL did not stop"; }
}

# ---------------------------------------------------------------- packages and frontend
# apt options for a private configuration: our own sources.list, lists, caches; the
# system's /etc/apt stays untouched.
private_apt_opts() {
  local suite=$1 dir=$NZS_CACHE/apt/$1
  mkdir -p "$dir"/{lists/partial,cache/archives/partial,sources.list.d,preferences.d}
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" >"$dir/sources.list"
  PRIVATE_APT=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=$dir/sources.list.d"
    -o "Dir::Etc::preferencesparts=$dir/preferences.d" -o "Dir::State::Lists=$dir/lists"
    -o "Dir::Cache=$dir/cache" -o "APT::Sandbox::User=root")
  if [ "${2:-}" = refresh ] || ! ls "$dir"/lists/*_Packages* >/dev/null 2>&1; then
    log "apt-get update (private $suite configuration in $dir)"
    apt-get "${PRIVATE_APT[@]}" update -qq >&2 || die "apt-get update for $suite failed"
  fi
}

candidate_of() { apt-cache policy zabbix-frontend-php 2>/dev/null | awk '/Candidate:/ {print $2}'; }

# $NZS_CACHE is shared by every $STACK_DIR on the machine (clones, worktrees, CI), whose
# own locks do not see each other: whatever fills the cache holds this lock, and looks
# again once it has it (another stack may have filled it meanwhile).
cache_lock() {
  mkdir -p "$NZS_CACHE"
  exec 8>"$NZS_CACHE/.zabbix-cache.lock"
  flock -w 900 8 || die "another stack is still filling $NZS_CACHE (lock $NZS_CACHE/.zabbix-cache.lock)"
}
cache_unlock() { flock -u 8; exec 8>&-; }

# Download zabbix-frontend-php and zabbix-server-pgsql for one version into the cache.
have_debs() { ls "$1"/zabbix-frontend-php_*.deb "$1"/zabbix-server-pgsql_*.deb >/dev/null 2>&1; }
fetch_debs() {
  local ver=$1 dir=$NZS_CACHE/debs/$1
  have_debs "$dir" && return 0
  cache_lock
  have_debs "$dir" || download_debs "$ver" "$dir"
  cache_unlock
}

download_debs() {
  local ver=$1 dir=$2 candidate
  mkdir -p "$dir.tmp" && rm -f "$dir.tmp"/*.deb
  PRIVATE_APT=(-o "APT::Sandbox::User=root")  # downloads into a root-owned folder
  # The machine's own sources serve 6.0 on Debian 12; elsewhere use a private config.
  candidate=$(candidate_of)
  if [ "$ver" = 6.0 ] && [[ $candidate != 1:6.0* ]]; then
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
      apt_update
      candidate=$(candidate_of)
    fi
  fi
  if [[ $candidate != 1:$ver* ]]; then
    private_apt_opts "$(ver_suite "$ver")"
  fi
  log "downloading zabbix-frontend-php and zabbix-server-pgsql $ver"
  if ! (cd "$dir.tmp" && apt-get "${PRIVATE_APT[@]}" download -qq zabbix-frontend-php zabbix-server-pgsql >&2); then
    # Old private lists may name a version the mirror no longer has: refresh once.
    [[ $candidate == 1:$ver* ]] && die "apt-get download of the Zabbix $ver packages failed"
    private_apt_opts "$(ver_suite "$ver")" refresh
    (cd "$dir.tmp" && apt-get "${PRIVATE_APT[@]}" download -qq zabbix-frontend-php zabbix-server-pgsql >&2) \
      || die "apt-get download of the Zabbix $ver packages failed"
  fi
  local f
  for f in "$dir.tmp"/*.deb; do
    [[ $(dpkg-deb -f "$f" Version) == 1:$ver* ]] || die "$f is not Zabbix $ver"
  done
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

# Unpack the .debs once into $NZS_CACHE (dpkg -x takes 5-12 s), then hard-link that tree
# into $STACK_DIR/zabbix-<ver>/ (instant) and point its frontend at our config. Safe to
# share: nothing writes into the tree in place (sed -i writes a new file).
unpacked_tree() {
  local ver=$1 debdir=$NZS_CACHE/debs/$1 pkg tree
  pkg=$(dpkg-deb -f "$(ls "$debdir"/zabbix-frontend-php_*.deb)" Version | tr ':~+' '___')
  tree=$NZS_CACHE/unpacked/zabbix-$pkg
  if [ ! -f "$tree/.complete" ]; then
    cache_lock
    if [ ! -f "$tree/.complete" ]; then
      log "unpacking Zabbix $ver into $tree"
      rm -rf "$tree.tmp" && mkdir -p "$tree.tmp"
      local f
      for f in "$debdir"/zabbix-*.deb; do dpkg -x "$f" "$tree.tmp" || die "dpkg -x $f failed"; done
      touch "$tree.tmp/.complete"
      rm -rf "$tree" && mv "$tree.tmp" "$tree"
    fi
    cache_unlock
  fi
  echo "$tree"
}

install_frontend() {
  local ver=$1 root tree marker stamp
  root=$(ver_root "$ver")
  marker=$root/.installed
  tree=$(unpacked_tree "$ver")
  stamp="$tree $(date -r "$SCRIPT_DIR/zabbix.sh" +%s)"
  if [ "$(cat "$marker" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$root"
    cp -al "$tree" "$root" 2>/dev/null || { rm -rf "$root"; cp -a "$tree" "$root"; }
    local cfg_class=$root/usr/share/zabbix/include/classes/core/CConfigFile.php
    grep -q "const CONFIG_FILE_PATH" "$cfg_class" || die "CONFIG_FILE_PATH not found in $cfg_class"
    sed -i "s|const CONFIG_FILE_PATH = '[^']*';|const CONFIG_FILE_PATH = '$root/zabbix.conf.php';|" "$cfg_class"
    echo "$stamp" >"$marker"
  fi
  write_frontend_config "$ver"
}

write_frontend_config() {
  local ver=$1
  cat >"$(ver_root "$ver")/zabbix.conf.php" <<EOF
<?php
// Written by stack/zabbix.sh: the frontend of the local test stack.
\$DB['TYPE']            = 'POSTGRESQL';
\$DB['SERVER']          = '$PG_SOCK';
\$DB['PORT']            = '$PG_PORT';
\$DB['DATABASE']        = '$(ver_db "$ver")';
\$DB['USER']            = '$DB_OWNER';
\$DB['PASSWORD']        = '$DB_OWNER';
\$DB['SCHEMA']          = '';
\$DB['ENCRYPTION']      = false;
\$DB['KEY_FILE']        = '';
\$DB['CERT_FILE']       = '';
\$DB['CA_FILE']         = '';
\$DB['VERIFY_HOST']     = false;
\$DB['CIPHER_LIST']     = '';
\$DB['VAULT']           = '';
\$DB['VAULT_URL']       = '';
\$DB['VAULT_PREFIX']    = '';
\$DB['VAULT_DB_PATH']   = '';
\$DB['VAULT_TOKEN']     = '';
\$DB['VAULT_CERT_FILE'] = '';
\$DB['VAULT_KEY_FILE']  = '';
\$DB['DOUBLE_IEEE754']  = true;
\$ZBX_SERVER_NAME       = 'netbox_zabbix_sync $ver';
\$IMAGE_FORMAT_DEFAULT  = IMAGE_FORMAT_PNG;
EOF
}

# ---------------------------------------------------------------- the PHP API server
php_pid() {
  local ver=$1 pid
  pid=$(awk '{print $1}' "$(ver_pidfile "$ver")" 2>/dev/null || true)
  # Only trust the pid file when that process is still our server on our port.
  if pid_alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-S 127.0.0.1:$(ver_port "$ver")"; then
    echo "$pid"
  fi
}

# JSON-RPC call with curl; prints the raw response.
api_call() {
  local ver=$1 method=$2 params=$3 auth=${4:-}
  local body="{\"jsonrpc\":\"2.0\",\"method\":\"$method\",\"params\":$params,\"id\":1${auth:+,\"auth\":\"$auth\"}}"
  curl -sS --max-time 30 -H 'Content-Type: application/json-rpc' -d "$body" "$(ver_url "$ver")/api_jsonrpc.php"
}

# json_result EXPR: read a JSON-RPC response on stdin, fail on an error, print
# $r["result"]EXPR (PHP is there anyway; no jq needed).
json_result() {
  php -d display_errors=stderr -r '$r = json_decode(stream_get_contents(STDIN), true);
    if (!is_array($r) || !array_key_exists("result", $r)) { fwrite(STDERR, "API error: ".json_encode($r["error"] ?? $r)."\n"); exit(1); }
    $v = $r["result"];
    foreach (array_slice($argv, 1) as $k) { if (!is_array($v) || !array_key_exists($k, $v)) { exit(1); } $v = $v[$k]; }
    echo is_scalar($v) ? $v : json_encode($v);' -- "$@"
}

api_version() { api_call "$1" apiinfo.version '{}' 2>/dev/null | json_result 2>/dev/null; }
api_ready() { [[ $(api_version "$1") == "$1".* ]]; }

php_up() {
  local ver=$1 port pid
  port=$(ver_port "$ver")
  [ -n "$(php_pid "$ver")" ] && return 0
  port_in_use "$port" && die "port $port is taken by another process (set ZABBIX$(ver_tag "$ver")_PORT)"
  log "serving the Zabbix $ver API on $(ver_url "$ver")"
  # Four workers: without PHP_CLI_SERVER_WORKERS the server handles one request at a
  # time. 1G: a host.get of thousands of hosts fails with an empty 500 at 128M. -q: no
  # access log (three lines per request); PHP errors still go to the log.
  (cd "$(ver_webroot "$ver")" && PHP_CLI_SERVER_WORKERS=4 exec setsid php -q \
    -d memory_limit=1G -d post_max_size=64M -d max_execution_time=0 \
    -d display_errors=0 -d log_errors=1 -d date.timezone=UTC \
    -S "127.0.0.1:$port" -t "$(ver_webroot "$ver")" >"$(ver_log "$ver")" 2>&1 </dev/null 9>&-) &
  pid=$!
  echo "$pid $port" >"$(ver_pidfile "$ver")"
  if ! wait_until 30 api_ready "$ver"; then
    show_log_tail "$(ver_log "$ver")" "$PG_LOG"
    die "the Zabbix $ver API did not answer apiinfo.version with $ver.x on $(ver_url "$ver")"
  fi
}

php_down() {
  local ver=$1 pid
  pid=$(php_pid "$ver")
  if [ -n "$pid" ]; then
    log "stopping the Zabbix $ver API (pid $pid)"
    stop_pid_tree "$pid"
  fi
  rm -f "$(ver_pidfile "$ver")" "$(ver_envfile "$ver")"
}

# ---------------------------------------------------------------- databases
load_schema() {
  local ver=$1 db loading dir
  db=$(ver_db "$ver")
  loading=${db}_loading
  dir=$(ver_root "$ver")/usr/share/zabbix-server-pgsql
  pg_sql -d postgres -c "DROP DATABASE IF EXISTS ${db}_pristine WITH (FORCE)" -c "DROP DATABASE IF EXISTS ${db}_spare WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $loading WITH (FORCE)" -c "CREATE DATABASE $loading OWNER $DB_OWNER"
  # As the owner, so every table belongs to the user the frontend connects as; in
  # replica mode, so foreign-key triggers do not fire for each of the 130,000 INSERTs
  # (the data is Zabbix's own and consistent): a quarter faster.
  zcat "$dir/schema.sql.gz" "$dir/images.sql.gz" "$dir/data.sql.gz" \
    | PGOPTIONS='-c client_min_messages=warning -c session_replication_role=replica' \
      psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U "$DB_OWNER" -d "$loading" >/dev/null \
    || return 1
  # Without fresh statistics a host.create that links a template hung for 30+ s.
  pg_sql -d "$loading" -c "VACUUM ANALYZE"
  pg_sql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "ALTER DATABASE $loading RENAME TO $db"
}

# Load several versions at once: psql and the server each keep a core busy.
load_schemas() {
  local ver versions=("$@") pids=() failed=()
  for ver in "${versions[@]}"; do
    log "loading the Zabbix $ver schema, images and data into $(ver_db "$ver")"
    load_schema "$ver" >"$STACK_DIR/zabbix-$ver.load.log" 2>&1 &
    pids+=($!)
  done
  local i
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed+=("${versions[$i]}")
  done
  if [ ${#failed[@]} -gt 0 ]; then
    for ver in "${failed[@]}"; do show_log_tail "$STACK_DIR/zabbix-$ver.load.log" "$PG_LOG"; done
    die "loading the Zabbix schema failed for: ${failed[*]}"
  fi
}

create_token() {
  local ver=$1 session tokenid existing
  session=$(api_call "$ver" user.login "{\"username\":\"$API_USER\",\"password\":\"$API_PASSWORD\"}" | json_result) \
    || die "user.login as $API_USER failed on $ver"
  existing=$(api_call "$ver" token.get "{\"output\":[\"tokenid\"],\"filter\":{\"name\":\"$TOKEN_NAME\"}}" "$session" | json_result 0 tokenid 2>/dev/null || true)
  if [ -n "$existing" ]; then
    api_call "$ver" token.delete "[\"$existing\"]" "$session" | json_result >/dev/null
  fi
  tokenid=$(api_call "$ver" token.create "{\"name\":\"$TOKEN_NAME\",\"userid\":\"1\"}" "$session" | json_result tokenids 0) \
    || die "token.create failed on $ver"
  (umask 077 && api_call "$ver" token.generate "[\"$tokenid\"]" "$session" | json_result 0 token >"$(ver_tokenfile "$ver")") \
    || die "token.generate failed on $ver"
  api_call "$ver" user.logout '[]' "$session" >/dev/null || true
}

run_fixtures() {
  local ver=$1
  [ -x "$FIXTURES_PYTHON" ] || die "$FIXTURES_PYTHON not found: run 'make venv' first (or set ZABBIX_FIXTURES_PYTHON)"
  log "creating the fixtures on $ver"
  # The token through the environment, not the command line (visible in ps).
  ZABBIX_TOKEN=$(cat "$(ver_tokenfile "$ver")") "$FIXTURES_PYTHON" "$SCRIPT_DIR/zabbix_fixtures.py" \
    --url "$(ver_url "$ver")" >"$(ver_fixtures "$ver").tmp" \
    || die "zabbix_fixtures.py failed on $ver"
  mv "$(ver_fixtures "$ver").tmp" "$(ver_fixtures "$ver")"
}

# FILE_COPY: PostgreSQL 15's default (WAL_LOG) writes every block to WAL: 4 s instead of
# 0.4 s for our 65 MB. CREATE DATABASE ... TEMPLATE needs the source without sessions;
# the frontend opens one per request, so a request in flight can make it fail briefly.
copy_database() {
  local from=$1 to=$2 _
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    pg_sql -d postgres -c "CREATE DATABASE $to TEMPLATE $from OWNER $DB_OWNER STRATEGY FILE_COPY" 2>/dev/null && return 0
    sleep 0.3
  done
  pg_sql -d postgres -c "CREATE DATABASE $to TEMPLATE $from OWNER $DB_OWNER STRATEGY FILE_COPY"
}

# The pristine copy is the cache: while it exists (with its token and fixtures), `up`
# never loads the schema again.
# The key (package version + fixtures script) changes when either does: then rebuild.
pristine_key() { basename "$(dump_dir "$1")"; }
ver_keyfile() { echo "$STACK_DIR/zabbix-$1.pristine-key"; }
pristine_ready() {
  db_exists "$(ver_db "$1")_pristine" && [ -s "$(ver_tokenfile "$1")" ] && [ -s "$(ver_fixtures "$1")" ] \
    && [ "$(cat "$(ver_keyfile "$1")" 2>/dev/null)" = "$(pristine_key "$1")" ]
}

# After load_schema: serve, create the token and the fixtures, then save the pristine copy.
build_pristine() {
  local ver=$1 db
  db=$(ver_db "$ver")
  php_up "$ver"
  create_token "$ver"
  run_fixtures "$ver"
  log "saving ${db}_pristine"
  copy_database "$db" "${db}_pristine"
  pristine_key "$ver" >"$(ver_keyfile "$ver")"
}

# A second cache level in $NZS_CACHE, for a fresh $STACK_DIR (a new clone, CI): a dump of
# the pristine database with its token and fixtures, keyed by the package version and the
# fixtures script. Restoring it takes seconds instead of a schema load.
dump_dir() {
  local ver=$1 pkg fixtures
  pkg=$(dpkg-deb -f "$(ls "$NZS_CACHE/debs/$ver"/zabbix-server-pgsql_*.deb)" Version | tr ':~+' '___')
  fixtures=$(md5sum <"$SCRIPT_DIR/zabbix_fixtures.py" | cut -c1-10)
  echo "$NZS_CACHE/zabbix-db/$pkg-fixtures-$fixtures"
}

save_dump() {
  local ver=$1 dir
  dir=$(dump_dir "$ver")
  log "caching the pristine $ver database in $dir"
  cache_lock
  rm -rf "$dir.tmp" && (umask 077 && mkdir -p "$dir.tmp")
  pg_dump -h "$PG_SOCK" -p "$PG_PORT" -U postgres -Fc -Z1 -f "$dir.tmp/pristine.dump" "$(ver_db "$ver")_pristine"
  cp "$(ver_tokenfile "$ver")" "$(ver_fixtures "$ver")" "$dir.tmp/"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  # Only the current dump per version: older packages or fixtures are never used again.
  find "$(dirname "$dir")" -mindepth 1 -maxdepth 1 -type d -name "*_$ver.*" ! -name "$(basename "$dir")" -exec rm -rf {} +
  cache_unlock
}

restore_dump() {
  local ver=$1 dir db
  dir=$(dump_dir "$ver")
  db=$(ver_db "$ver")
  [ -s "$dir/pristine.dump" ] || return 1
  log "restoring the pristine $ver database from $dir"
  pg_sql -d postgres -c "DROP DATABASE IF EXISTS ${db}_pristine WITH (FORCE)" -c "DROP DATABASE IF EXISTS ${db}_spare WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS ${db}_loading WITH (FORCE)" -c "CREATE DATABASE ${db}_loading OWNER $DB_OWNER"
  pg_restore -h "$PG_SOCK" -p "$PG_PORT" -U "$DB_OWNER" --no-owner -j 2 -d "${db}_loading" "$dir/pristine.dump" \
    >"$STACK_DIR/zabbix-$ver.load.log" 2>&1 || { show_log_tail "$STACK_DIR/zabbix-$ver.load.log"; return 1; }
  pg_sql -d "${db}_loading" -c "ANALYZE"  # statistics are not in a dump
  pg_sql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "ALTER DATABASE ${db}_loading RENAME TO $db"
  copy_database "$db" "${db}_pristine"
  (umask 077 && cp "$dir/$(basename "$(ver_tokenfile "$ver")")" "$(ver_tokenfile "$ver")")
  cp "$dir/$(basename "$(ver_fixtures "$ver")")" "$(ver_fixtures "$ver")"
  pristine_key "$ver" >"$(ver_keyfile "$ver")"
}

ensure_working_db() {
  local db
  db=$(ver_db "$1")
  db_exists "$db" || copy_database "${db}_pristine" "$db"
}

write_envfile() {
  local ver=$1 env
  env=$(ver_envfile "$ver")
  (umask 077 && cat >"$env.tmp" <<EOF
export ZABBIX_URL=$(ver_url "$ver")
export ZABBIX_TOKEN=$(cat "$(ver_tokenfile "$ver")")
export ZABBIX_USER=$API_USER
export ZABBIX_PASSWORD=$API_PASSWORD
export ZABBIX_VERSION=$(api_version "$ver")
export ZABBIX_DB=$(ver_db "$ver")
export ZABBIX_PG_PORT=$PG_PORT
export ZABBIX_PG_HOST=$PG_SOCK
EOF
  )
  mv "$env.tmp" "$env"
}

# ---------------------------------------------------------------- commands
# Everything that changes state holds one lock: several people share this machine.
take_lock() {
  exec 9>"$STACK_DIR/zabbix.lock"
  flock -w 900 9 || die "another stack/zabbix.sh is still running (lock $STACK_DIR/zabbix.lock)"
}

versions_from_args() {
  local v
  VERSIONS=("$@")
  # shellcheck disable=SC2206
  [ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=(${ZABBIX_VERSIONS:-${SUPPORTED_VERSIONS[*]}})
  for v in "${VERSIONS[@]}"; do check_version "$v"; done
}

already_up() {
  local ver=$1
  [ -n "$(php_pid "$ver")" ] && [ -s "$(ver_envfile "$ver")" ] && pg_running && api_ready "$ver" \
    && db_exists "$(ver_db "$ver")_pristine"
}

# Versions among "$@" that are not fully up yet.
versions_not_up() {
  local ver
  for ver in "$@"; do
    [ -n "$PG_BIN" ] && already_up "$ver" || echo "$ver"
  done
}

cmd_up() {
  versions_from_args "$@"
  PG_BIN=$(pg_bin_dir || true)
  local ver todo start
  todo=$(versions_not_up "${VERSIONS[@]}")
  for ver in "${VERSIONS[@]}"; do
    [[ $'\n'$todo$'\n' == *$'\n'$ver$'\n'* ]] || log "Zabbix $ver is already up: $(ver_url "$ver") (source $(ver_envfile "$ver"))"
  done
  [ -n "$todo" ] || return 0
  take_lock
  # Again under the lock: a concurrent `up` may have finished in the meantime.
  mapfile -t todo < <(versions_not_up "${VERSIONS[@]}")
  [ ${#todo[@]} -gt 0 ] || return 0
  start=$(now_ms)
  apt_ensure "${PHP_PACKAGES[@]}" curl
  for ver in "${todo[@]}"; do fetch_debs "$ver"; done
  pg_up
  local builds=()
  for ver in "${todo[@]}"; do
    # A server that runs but is not fully up (no env file, no answer) is restarted.
    php_down "$ver"
    install_frontend "$ver"
    pristine_ready "$ver" || restore_dump "$ver" || builds+=("$ver")
  done
  [ ${#builds[@]} -eq 0 ] || load_schemas "${builds[@]}"
  for ver in "${todo[@]}"; do
    if [[ " ${builds[*]} " == *" $ver "* ]]; then
      build_pristine "$ver"
      save_dump "$ver"
    else
      ensure_working_db "$ver"
    fi
    php_up "$ver"
    write_envfile "$ver"
    log "Zabbix $(api_version "$ver") is up: $(ver_url "$ver") (source $(ver_envfile "$ver"))"
  done
  make_spares "${todo[@]}"  # so that the first reset is quick too
  log "up took $(elapsed_since "$start")"
}

cmd_down() {
  take_lock
  local ver start
  start=$(now_ms)
  for ver in "${SUPPORTED_VERSIONS[@]}"; do php_down "$ver"; done
  pg_down
  log "down took $(elapsed_since "$start")"
}

# A reset swaps in a spare copy of the pristine database (a rename: instant) and makes the
# next spare in the background. Copying 65 MB on the spot takes 0.4 s on an idle machine
# but 1-5 s on a busy one, and tests reset once per module and version.
cmd_reset() {
  versions_from_args "$@"
  take_lock
  local ver db start script=""
  start=$(now_ms)
  # One psql for everything: each psql start costs 0.1-0.2 s on a busy machine.
  for ver in "${VERSIONS[@]}"; do
    db=$(ver_db "$ver")
    script+="
SELECT EXISTS (SELECT FROM pg_database WHERE datname = '${db}_pristine') AS has_pristine,
       EXISTS (SELECT FROM pg_database WHERE datname = '${db}_spare') AS has_spare \\gset
\\if :has_pristine
\\else
DO \$\$ BEGIN RAISE EXCEPTION 'no pristine database for $ver: use stack/zabbix.sh up $ver first'; END \$\$;
\\endif
DROP DATABASE IF EXISTS $db WITH (FORCE);
\\if :has_spare
ALTER DATABASE ${db}_spare RENAME TO $db;
\\else
CREATE DATABASE $db TEMPLATE ${db}_pristine OWNER $DB_OWNER STRATEGY FILE_COPY;
\\endif
"
  done
  if ! pg_sql -d postgres <<<"$script" 2>"$STACK_DIR/zabbix-reset.log"; then
    cat "$STACK_DIR/zabbix-reset.log" >&2
    pg_running_quick || die "PostgreSQL is not running: use 'stack/zabbix.sh up' first"
    die "reset failed"
  fi
  make_spares "${VERSIONS[@]}"
  log "reset ${VERSIONS[*]} in $(elapsed_since "$start")"
}

# The next spares, in the background and detached from our lock; a failure (the spare
# exists, `down`) only means the next reset copies on the spot.
make_spares() {
  local ver db
  for ver in "$@"; do
    db=$(ver_db "$ver")
    (pg_sql -d postgres -c "CREATE DATABASE ${db}_spare TEMPLATE ${db}_pristine OWNER $DB_OWNER STRATEGY FILE_COPY" \
      >/dev/null 2>&1 </dev/null &) 9>&-
  done
}

pg_running_quick() { PG_BIN=$(pg_bin_dir || true); [ -n "$PG_BIN" ] && pg_running; }

cmd_status() {
  PG_BIN=$(pg_bin_dir || true)
  local ver pid rc=0
  if [ -n "$PG_BIN" ] && pg_running; then
    echo "postgresql  up    port $PG_PORT, socket dir $PG_SOCK, data $PG_DATA"
  else
    echo "postgresql  down"; rc=3
  fi
  for ver in "${SUPPORTED_VERSIONS[@]}"; do
    pid=$(php_pid "$ver")
    if [ -n "$pid" ] && api_ready "$ver"; then
      echo "zabbix $ver  up    $(ver_url "$ver") API $(api_version "$ver"), db $(ver_db "$ver"), pid $pid, env $(ver_envfile "$ver")"
    else
      echo "zabbix $ver  down${pid:+ (pid $pid does not answer; see $(ver_log "$ver"))}"; rc=3
    fi
  done
  return $rc
}

cmd_psql() {
  [ $# -ge 1 ] || die "usage: stack/zabbix.sh psql <6.0|7.0> [psql args]"
  local ver=$1; shift
  check_version "$ver"
  exec psql -X -h "$PG_SOCK" -p "$PG_PORT" -U "$DB_OWNER" -d "$(ver_db "$ver")" "$@"
}

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }

main() {
  local cmd=${1:-}
  [ $# -gt 0 ] && shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    reset) cmd_reset "$@" ;;
    status) cmd_status ;;
    psql) cmd_psql "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
