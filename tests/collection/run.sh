#!/usr/bin/env bash
# The collection as users get it, on every ansible-core it claims (meta/runtime.yml).
#
#   tests/collection/run.sh cores     for each ansible-core of ANSIBLE_CORES: its own venv
#                                     (.cache/cores/<version>), the unit tests, and one real
#                                     playbooks/sync_hosts.yml run against the local stack
#   tests/collection/run.sh tarball   ansible-galaxy collection build; nothing a user does not
#                                     need in it; install it into an empty path; ansible-doc for
#                                     every plugin; a --check sync from the installed copy
#
# Needs the services (stack/stack.sh up). Like the pytest session, it parks the running NetBox
# database (a demo's) and seeds an empty one under the prefix "ci", brought back at the end,
# and resets the Zabbix it syncs to, like the integration tests do. Exits non-zero
# when anything failed.
#   ANSIBLE_CORES="2.19.14 2.20.10 2.21.5"   exact versions; the one the project venv pins
#                                             (constraints-dev.txt) reuses .venv, whose unit tests
#                                             the pytest step of make test runs
#   CI_ZABBIX=7.0                             the Zabbix version to sync to
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export STACK_DIR="${STACK_DIR:-$repo/.stack}"
venv="$repo/.venv"
cores="${ANSIBLE_CORES:-2.19.14 2.20.10 2.21.5}"
zabbix_version="${CI_ZABBIX:-7.0}"
prefix=ci
count=8
work=$(mktemp -d "${TMPDIR:-/tmp}/nzs-collection.XXXXXX")
failures=()

log() { echo "collection: $*"; }
fail() { echo "collection: FAILED: $*"; failures+=("$1"); }

[ -f "$STACK_DIR/netbox.env" ] || { echo "collection: NetBox is not up (stack/stack.sh up)"; exit 1; }
[ -f "$STACK_DIR/zabbix-$zabbix_version.env" ] || { echo "collection: Zabbix $zabbix_version is not up (stack/stack.sh up)"; exit 1; }

# Own NetBox data, as the pytest session has: a NetBox that `make demo` left running holds
# HostConfigs whose hostids point into the Zabbix reset below, and writing the same hostid
# to one of our rows is refused (hostid is unique). `park` sets that database aside and
# gives an empty one; `unpark` brings it back, also after a failure.
cleanup() {
  stack/netbox.sh unpark >/dev/null 2>&1 || echo "collection: stack/netbox.sh unpark failed: run it by hand" >&2
  rm -rf "$work"
}
stack/netbox.sh park >/dev/null || { echo "collection: stack/netbox.sh park failed"; exit 1; }
trap cleanup EXIT

# $count HostConfigs under the prefix (stock Zabbix groups and templates), once per command:
# seeding costs 10-30 s of Django start-up.
seed_netbox() {
  stack/netbox.sh seed --prefix "$prefix" --reset --count "$count" >/dev/null
}

# A pristine Zabbix (under a second). The HostConfigs' hostids of an earlier run then point
# at nothing: the sync falls back to the name and creates the hosts, as for a new Zabbix.
fresh_zabbix() {
  stack/zabbix.sh reset "$zabbix_version" >/dev/null
}

# The services' URLs and tokens, as a user exports them.
stack_env() {
  (
    set -a
    # shellcheck disable=SC1090,SC1091
    . "$STACK_DIR/netbox.env"
    # shellcheck disable=SC1090
    . "$STACK_DIR/zabbix-$zabbix_version.env"
    set +a
    "$@"
  )
}

write_inventory() {  # only the seeded hosts: other data in NetBox is left alone
  cat >"$1" <<YAML
plugin: netbox_zabbix.sync.hostconfig
netbox_validate_certs: false
filters:
  names: ["$prefix-*"]
YAML
}

# "<hosts in Zabbix named prefix-*> <HostConfigs that hold one of their hostids>", read independently.
count_synced() {
  stack_env "$venv/bin/python" - "$prefix" <<'PY'
import os, sys, requests
prefix = sys.argv[1]
zabbix = requests.post(os.environ["ZABBIX_URL"].rstrip("/") + "/api_jsonrpc.php", timeout=30, json={
    "jsonrpc": "2.0", "id": 1, "method": "host.get",
    "params": {"output": ["hostid"], "search": {"host": f"{prefix}-"}, "startSearch": True}},
    headers={"Authorization": f"Bearer {os.environ['ZABBIX_TOKEN']}"}).json()["result"]
hostids = {str(host["hostid"]) for host in zabbix}
token = os.environ["NETBOX_TOKEN"]
rows = requests.get(os.environ["NETBOX_API"].rstrip("/") + "/api/plugins/netbox_zabbix/host-config/",
                    params={"limit": 1000, "ordering": "id"}, timeout=30,
                    headers={"Authorization": ("Bearer " if token.startswith("nbt_") else "Token ") + token}).json()["results"]
print(len(hostids), sum(1 for row in rows if str(row.get("hostid")) in hostids))
PY
}

core_venv() {  # prints the bin folder of a venv with ansible-core $1 and the collection's requirements
  local version=$1 dir="$repo/.cache/cores/$1"
  if [ "$("$venv/bin/python" -c 'import ansible; print(ansible.__version__)')" = "$version" ]; then
    echo "$venv/bin"; return
  fi
  # Same transitive pins as the project venv, but this ansible-core.
  local constraints="$dir.constraints.txt" wanted
  mkdir -p "$(dirname "$dir")"
  grep -v '^ansible-core==' constraints-dev.txt >"$constraints"
  wanted="ansible-core==$version $(sha1sum requirements.txt "$constraints" | sha1sum | cut -c1-12)"
  if [ "$(cat "$dir/.installed" 2>/dev/null)" != "$wanted" ]; then
    rm -rf "$dir"
    "$(stack/find-python.sh)" -m venv "$dir" >&2
    "$dir/bin/pip" install -q --disable-pip-version-check -c "$constraints" -r requirements.txt \
      "ansible-core==$version" pytest pytest-xdist hypothesis pyyaml aiohttp >&2
    echo "$wanted" >"$dir/.installed"
  fi
  echo "$dir/bin"
}

cmd_cores() {
  local version bin started inventory in_zabbix written
  inventory="$work/ci.netbox_hostconfig.yml"
  write_inventory "$inventory"
  seed_netbox
  for version in $cores; do
    started=$SECONDS
    log "ansible-core $version"
    if ! bin=$(core_venv "$version"); then
      fail "core-$version-venv"; continue
    fi
    log "ansible-core $("$bin/python" -c 'from ansible.release import __version__; print(__version__)') in ${bin%/bin}"
    if [ "$bin" != "$venv/bin" ]; then
      # The unit tests import the collection through .cache/collections (tests/unit/conftest.py).
      if ! "$bin/python" -m pytest -p no:cacheprovider -q -n 2 tests/unit >"$work/unit-$version.log" 2>&1; then
        tail -40 "$work/unit-$version.log"; fail "core-$version-unit"
      else
        log "ansible-core $version: unit tests: $(tail -1 "$work/unit-$version.log")"
      fi
    fi
    fresh_zabbix
    if ! stack_env env PATH="$bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$repo/.cache/collections" \
        "$bin/ansible-playbook" -v -i "$inventory" playbooks/sync_hosts.yml >"$work/play-$version.log" 2>&1; then
      tail -60 "$work/play-$version.log"; fail "core-$version-playbook"; continue
    fi
    read -r in_zabbix written < <(count_synced)
    if [ "$in_zabbix" != "$count" ] || [ "$written" != "$count" ]; then
      tail -60 "$work/play-$version.log"
      fail "core-$version-result (Zabbix holds $in_zabbix of $count hosts, $written hostids written back)"
      continue
    fi
    # The batch action's HostVarReader reads ansible-core internals where it can (fast) and
    # hostvars otherwise (templated): both are correct, the counts show which one this core took.
    log "ansible-core $version: the sync created $in_zabbix hosts in Zabbix $zabbix_version and wrote back $written hostids;" \
      "host variables read $(grep -o '"hostvars_reads": {[^}]*}' "$work/play-$version.log" | head -1 | cut -d' ' -f2-) ($((SECONDS - started)) s)"
  done
}

# What a user needs: plugins, roles, playbooks, docs, meta, the EDA extension, README,
# requirements, changelogs; never the development tree.
FORBIDDEN='^(ansible\.cfg|pytest\.ini|Makefile|requirements-dev\.txt|constraints-dev\.txt|tests/|stack/|bench/|\.ci/|\.cache/|\.stack/|\.venv/|.*\.tar\.gz$)'

cmd_tarball() {
  local tarball installed coll plugin_type folder name listed expected in_zabbix written
  "$venv/bin/ansible-galaxy" collection build --force --output-path "$work" >/dev/null
  tarball=$(ls "$work"/netbox_zabbix-sync-*.tar.gz)
  log "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) kB, $(tar -tzf "$tarball" | grep -vc '/$') files)"
  if tar -tzf "$tarball" | sed 's|^\./||' | grep -E "$FORBIDDEN" >"$work/forbidden.txt"; then
    fail "tarball-content (development files in the tarball: $(head -5 "$work/forbidden.txt" | tr '\n' ' '))"
  fi
  if grep -qE '^(repository|documentation|issues|homepage):.*(example|netbox-zabbix/sync)' galaxy.yml; then
    fail "galaxy-metadata (placeholder URL in galaxy.yml)"
  fi

  # Installed into an empty path, used from an empty folder: no checkout, no dev ansible.cfg.
  installed="$work/installed"
  mkdir -p "$work/user"
  : >"$work/user/ansible.cfg"
  user() { (cd "$work/user" && stack_env env -u ANSIBLE_COLLECTIONS_PATHS ANSIBLE_CONFIG="$work/user/ansible.cfg" \
      ANSIBLE_COLLECTIONS_PATH="$installed" PATH="$venv/bin:$PATH" "$@"); }
  user ansible-galaxy collection install --offline -p "$installed" "$tarball" >"$work/install.log" 2>&1 || true
  coll="$installed/ansible_collections/netbox_zabbix/sync"
  [ -f "$coll/MANIFEST.json" ] || { cat "$work/install.log"; fail "tarball-install"; return; }

  # Every plugin file of the installed copy has documentation that renders.
  for plugin_type in module inventory callback; do
    folder=$plugin_type
    [ "$plugin_type" = module ] && folder=modules
    expected=$(find "$coll/plugins/$folder" -maxdepth 1 -name '[!_]*.py' -printf '%f\n' | sed 's/\.py$//' | sort)
    listed=$(user ansible-doc -t "$plugin_type" -l netbox_zabbix.sync 2>/dev/null | awk '{print $1}' | sed 's/^netbox_zabbix\.sync\.//' | sort)
    if [ "$listed" != "$expected" ]; then
      fail "ansible-doc-list-$plugin_type (files: $(echo $expected); listed: $(echo $listed))"
    fi
    for name in $expected; do
      if ! user ansible-doc -t "$plugin_type" "netbox_zabbix.sync.$name" >"$work/doc.txt" 2>&1 || grep -q "ERROR" "$work/doc.txt"; then
        head -20 "$work/doc.txt"; fail "ansible-doc-$plugin_type-$name"
      fi
    done
  done
  for name in $(find "$coll/roles" -mindepth 1 -maxdepth 1 -type d -printf '%f\n'); do
    user ansible-doc -t role "netbox_zabbix.sync.$name" >"$work/doc.txt" 2>&1 || { head -20 "$work/doc.txt"; fail "ansible-doc-role-$name"; }
  done
  log "ansible-doc rendered every module, inventory, callback plugin and role of the installed copy"

  # A dry run from the installed copy (the collection's own playbook) changes nothing.
  seed_netbox
  fresh_zabbix
  write_inventory "$work/user/ci.netbox_hostconfig.yml"
  if ! user ansible-playbook -i ci.netbox_hostconfig.yml netbox_zabbix.sync.sync_hosts --check --diff >"$work/check.log" 2>&1; then
    tail -60 "$work/check.log"; fail "installed-check-run"; return
  fi
  grep -q "$prefix-" "$work/check.log" || { tail -60 "$work/check.log"; fail "installed-check-run (no seeded host in the output)"; }
  read -r in_zabbix written < <(count_synced)
  if [ "$in_zabbix" != 0 ] || [ "$written" != 0 ]; then
    fail "installed-check-run wrote (Zabbix holds $in_zabbix hosts, $written hostids written back)"
  fi
  log "installed copy: --check sync of $count HostConfigs ran and wrote nothing"
}

case "${1:-}" in
  cores) cmd_cores ;;
  tarball) cmd_tarball ;;
  *) echo "usage: $0 cores|tarball" >&2; exit 2 ;;
esac
if [ ${#failures[@]} -gt 0 ]; then
  echo "collection $1 FAILED: ${failures[*]}"
  exit 1
fi
echo "collection $1: all green"
