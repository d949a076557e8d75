#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or fail with a clear message.
# ansible-core 2.20+ and NetBox 4.7 both need 3.12 or newer; the machine's default
# python3 may be older, and pyenv shims may hide installed versions that are not
# "global", so we look at the real interpreters too.
set -euo pipefail
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.13 python3.12)
for v in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
  [ -x "$v" ] && candidates+=("$v")
done
candidates+=(/usr/bin/python3.13 /usr/bin/python3.12 python3)
for c in "${candidates[@]}"; do
  if out=$("$c" -c 'import sys; print(sys.executable if sys.version_info >= (3, 12) else "")' 2>/dev/null) && [ -n "$out" ]; then
    echo "$out"; exit 0
  fi
done
echo "error: no Python 3.12 or newer found (tried: ${candidates[*]})." >&2
echo "       Install one (for example 'apt-get install python3.12' or 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
exit 1
