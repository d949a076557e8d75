"""Read the env files the stack writes ($STACK_DIR/netbox.env, zabbix-<ver>.env, eda.env).

The one reader for stack/, tests/ and bench/: ``export NAME=value`` lines, shell quoting,
comments. Import it with ``stack/`` on sys.path (scripts in stack/ have it already).
stack/zabbix_fixtures.py still has its own copy on purpose: the script's checksum keys the
shared cache of pristine Zabbix databases (stack/zabbix.sh dump_dir), so editing it costs every
checkout a schema reload; fold the copy in with the next real fixtures change.
"""
from __future__ import annotations

import os
import shlex


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """NAME -> value of every assignment in ``path`` (as written by stack/zabbix.sh and stack/netbox.sh)."""
    values: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            words = shlex.split(line, comments=True)
            if words and words[0] == "export":
                words = words[1:]
            for word in words:
                name, sep, value = word.partition("=")
                if sep:
                    values[name] = value
    return values
