#!/usr/bin/env bash
# `make test`: sanity, then the real services, then the collection on every ansible-core it
# claims and as built for users (tests/collection/run.sh), then unit + integration tests in one
# pytest run, then the services are stopped again. Exits non-zero when anything failed.
# KEEP_STACK=1 leaves the services running afterwards (handy while developing).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$repo/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$repo/.cache/collections"
export STACK_DIR="${STACK_DIR:-$repo/.stack}"
started=$SECONDS
failures=()

step() { echo; echo "=== $* ($(date -u +%H:%M:%S), +$((SECONDS - started)) s)"; }

stop_stack() {
  if [ "${KEEP_STACK:-0}" != 1 ]; then
    step "stopping the services"
    stack/stack.sh down || true
  fi
}
trap stop_stack EXIT

step "sanity (ansible-test)"
tests/sanity/run.sh || failures+=(sanity)

step "starting the services (Zabbix 6.0 + 7.0, NetBox 4.7)"
if ! stack/stack.sh up; then
  failures+=(stack)
fi

# The drift report's HTML page is checked in a real headless Chromium (Debian's package).
# shellcheck disable=SC1091
(LOG_PREFIX=test; source stack/lib.sh; apt_ensure chromium) || failures+=(chromium)

step "every ansible-core of meta/runtime.yml: unit tests and a real sync run, each in its own venv"
tests/collection/run.sh cores || failures+=(cores)

step "the built collection: tarball content, installed copy, ansible-doc, --check sync"
tests/collection/run.sh tarball || failures+=(tarball)

step "unit and integration tests (pytest)"
# A test that would skip because a service or package is missing fails instead.
export NETBOX_ZABBIX_SYNC_REQUIRE_STACK=1
python -m pytest -p no:cacheprovider tests/unit tests/integration "$@" || failures+=(pytest)

step "done in $((SECONDS - started)) s"
for version in 6.0 7.0; do
  if [[ " ${ZABBIX_VERSIONS:-6.0 7.0} " != *" $version "* ]]; then
    echo "!!! Zabbix $version was NOT covered (ZABBIX_VERSIONS=${ZABBIX_VERSIONS}) !!!"
  fi
done
if [ ${#failures[@]} -gt 0 ]; then
  echo "FAILED: ${failures[*]}"
  exit 1
fi
echo "all green"
