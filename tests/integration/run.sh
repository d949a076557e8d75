#!/usr/bin/env bash
# `make test-integration`: start the services (if needed) and run only the integration tests.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export PATH="$repo/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$repo/.cache/collections"
stack/stack.sh up
export NETBOX_ZABBIX_SYNC_REQUIRE_STACK=1
python -m pytest -p no:cacheprovider tests/integration "$@"
