#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection.
# ansible-test needs the working directory to be ansible_collections/<ns>/<name>, and a
# symlink to the repo does not work, so we copy the tracked tree into a temporary folder.
# There is no Docker engine here: --venv builds ansible-test's own virtual environments
# (pinned by ansible-test itself) for the Python versions we have.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
venv="$repo/.venv"
# Outside the repository: inside it, ansible-test would ask the outer git checkout which
# files exist, find the copy ignored, and skip every target.
work="${SANITY_WORKDIR:-${NZS_CACHE:-$HOME/.cache/netbox_zabbix_sync}/sanity}"
dest="$work/ansible_collections/netbox_zabbix/sync"
python_version="${SANITY_PYTHON:-$("$venv/bin/python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')}"

# Start from an empty copy, but keep tests/output: ansible-test keeps its virtual
# environments there, and rebuilding them costs a minute.
mkdir -p "$dest/tests"
find "$dest" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
# What git tracks plus new files it does not ignore, less the development-only folders
# that galaxy.yml's build_ignore keeps out of the published collection.
(cd "$repo" && git ls-files -co --exclude-standard -z -- . ':!stack' ':!bench' ':!tests/netbox_plugin' ':!.ci') \
  | tar -C "$repo" --null --ignore-failed-read -T - -cf - | tar -C "$dest" -xf -

# ansible-test would download a get-pip.py from a host we cannot reach: give it ours.
pip_version=$("$venv/bin/python" - <<'PY'
import pathlib, re, ansible_test
source = (pathlib.Path(ansible_test.__file__).parent / "_internal/python_requirements.py").read_text()
print(re.search(r"pip='([0-9.]+)'", source).group(1))
PY
)
mkdir -p "$HOME/.ansible/test/cache"
cp "$repo/tests/sanity/get_pip_offline.py" "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"

cd "$dest"
export PATH="$venv/bin:$PATH"
echo "ansible-test sanity: Python $python_version, $(ansible-test --version)"
ansible-test sanity --venv --python "$python_version" --color no "$@"
