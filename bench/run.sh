#!/usr/bin/env bash
# make bench: ours against the floor, community.zabbix zabbix_host and netbox-zabbix-sync,
# on a real NetBox 4.7 and a real Zabbix 7.0 (or 6.0) on this machine. See docs/benchmark.md.
#
#   bench/run.sh [--sizes 100,1000,10000] [--tools ours,floor,zabbix_host,nzs] [--runs 3]
#                [--zabbix 7.0|6.0] [--quick] [--competitor-max 1000] [--profile] [--no-stack-up]
#
# Results: bench/results/latest.md, latest.png, latest.json; logs under .cache/bench/runs/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
cache=$repo/.cache/bench
export STACK_DIR=${STACK_DIR:-$repo/.stack}

zabbix=7.0
tools=ours,floor,zabbix_host,nzs
stack_up=1
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --zabbix) zabbix=$2; args+=("$1" "$2"); shift 2 ;;
    --zabbix=*) zabbix=${1#*=}; args+=("$1"); shift ;;
    --tools) tools=$2; args+=("$1" "$2"); shift 2 ;;
    --tools=*) tools=${1#*=}; args+=("$1"); shift ;;
    --no-stack-up) stack_up=0; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

log() { echo "[bench] $*" >&2; }

# A venv under .cache/bench per requirements file; rebuilt when the file changes.
ensure_venv() {
  local dir=$1 req=$2 stamp
  stamp=$dir/.req-$(md5sum <"$req" | cut -c1-12)
  [ -f "$stamp" ] && return 0
  local py
  py=$("$repo/stack/find-python.sh")
  log "creating $dir from $(basename "$req") (once; about a minute)"
  rm -rf "$dir"
  "$py" -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check -r "$req"
  touch "$stamp"
}

mkdir -p "$cache"
[ -x "$repo/.venv/bin/ansible-playbook" ] || make -C "$repo" venv
make -s -C "$repo" collection
ensure_venv "$cache/venv" "$here/requirements-bench.txt"
case ",$tools," in *,zabbix_host,*) ensure_venv "$cache/venv-ansible" "$here/requirements-zabbix_host.txt" ;; esac
case ",$tools," in *,nzs,*) ensure_venv "$cache/venv-nzs" "$here/requirements-nzs.txt" ;; esac

if [ "$stack_up" = 1 ]; then
  "$repo/stack/zabbix.sh" up "$zabbix"
  "$repo/stack/netbox.sh" up
fi
for f in "$STACK_DIR/zabbix-$zabbix.env" "$STACK_DIR/netbox.env"; do
  [ -f "$f" ] || { echo "bench: $f is missing (is the stack up? stack/zabbix.sh up $zabbix; stack/netbox.sh up)" >&2; exit 1; }
done

cd "$here"
exec "$cache/venv/bin/python" -m harness.main --stack-dir "$STACK_DIR" "${args[@]}"
