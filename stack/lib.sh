# shellcheck shell=bash
# Small shared helpers for the stack scripts (source it; it defines functions only).
# Generic on purpose: nothing here knows about Zabbix or NetBox.

# The script that sources us sets LOG_PREFIX (for example "zabbix") for its messages.
log() { printf '[%s %s] %s\n' "${LOG_PREFIX:-stack}" "$(date +%H:%M:%S)" "$*" >&2; }
warn() { log "warning: $*"; }
die() { log "error: $*"; exit 1; }

# Seconds since the epoch with milliseconds, for timing steps.
now_ms() { date +%s%3N; }
elapsed_since() { local start=$1; printf '%d.%03d s' $((($(now_ms) - start) / 1000)) $((($(now_ms) - start) % 1000)); }

# Print the last lines of each given log file (the usual answer to "why did it not start").
show_log_tail() {
  local lines=${LOG_TAIL_LINES:-40} f
  for f in "$@"; do
    [ -f "$f" ] || continue
    printf -- '----- last %s lines of %s -----\n' "$lines" "$f" >&2
    tail -n "$lines" "$f" >&2
  done
}

# wait_until SECONDS CMD...: run CMD every 0.2 s until it succeeds; fail after SECONDS.
wait_until() {
  local timeout=$1; shift
  local deadline=$(($(now_ms) + timeout * 1000))
  until "$@" >/dev/null 2>&1; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
port_in_use() { port_open 127.0.0.1 "$1"; }
wait_for_port() { wait_until "${3:-30}" port_open "$1" "$2"; }
url_ok() { curl -fsS -o /dev/null --max-time 5 "$1"; }
wait_for_url() { wait_until "${2:-30}" url_ok "$1"; }

# Run a command as another user when we are root (for example postgres for initdb);
# as a normal user, run it as ourselves.
run_as() {
  local user=$1; shift
  if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

# A zombie (exited, not yet reaped: some container inits never reap) counts as gone.
pid_alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
pid_gone() { ! pid_alive "$1"; }
pid_from_file() { if [ -f "$1" ]; then cat "$1" 2>/dev/null || true; fi; }

# stop_pid_tree PID [SECONDS]: TERM the direct children first (a forking server's
# workers may otherwise keep its port), then the process itself; KILL what is left.
stop_pid_tree() {
  local pid=$1 timeout=${2:-10} children
  pid_alive "$pid" || return 0
  children=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr '\n' ' ' || true)
  if [ -n "${children// /}" ]; then
    # shellcheck disable=SC2086
    kill -TERM $children 2>/dev/null || true
  fi
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_until "$timeout" pid_gone "$pid"; then
    # shellcheck disable=SC2086
    kill -KILL $children "$pid" 2>/dev/null || true
  fi
}

# apt_ensure PKG...: install the Debian packages that are missing, without recommends.
# `apt-get update` runs only when needed: a package without an install candidate (empty
# lists), or an install that failed (stale lists naming a version the mirror dropped).
# The lock timeout lets two stack scripts that start in parallel take turns.
APT_OPTS=(-o DPkg::Lock::Timeout=300)
apt_ensure() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]} (install them as root: apt-get install --no-install-recommends ${missing[*]})"
  log "installing Debian packages: ${missing[*]}"
  apt_have_candidates "${missing[@]}" || apt_update
  apt_install "${missing[@]}" || { apt_update && apt_install "${missing[@]}"; } || die "apt-get install ${missing[*]} failed"
}

apt_update() {
  # Unreachable third-party sources make `apt-get update` complain; what matters is
  # that Debian's own lists refresh, which the install then proves.
  DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update -qq >&2 || warn "apt-get update reported errors"
}

apt_install() {
  local apt_log rc=0
  apt_log=$(mktemp)
  DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends "$@" >"$apt_log" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || show_log_tail "$apt_log"
  rm -f "$apt_log"
  return "$rc"
}

apt_have_candidates() {
  local pkg candidate
  for pkg in "$@"; do
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
    [ -n "$candidate" ] && [ "$candidate" != "(none)" ] || return 1
  done
}
