# -*- coding: utf-8 -*-
# Copyright: netbox_zabbix.sync contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY
# The interfaces in this file are meant for use within the netbox_zabbix.sync collection
# and may not remain stable to outside uses. Changes may be made in ANY release, even a
# bugfix release.

"""One Zabbix read for all the hosts of a per-host task, shared between their workers.

Ansible forks a worker process per host and task, and workers share no memory, so each
host of a per-host sync used to read its own Zabbix host: one ``host.get`` each, which
costs Zabbix's PHP and PostgreSQL about 20 ms of CPU a host, as much as Ansible spends on
the task itself. Here the first worker of the task reads the hosts of the whole play batch
at once (by inventory hostname, the Zabbix technical name the inventory plugin gives them)
and leaves one file per Zabbix host; every other worker takes its own file instead of
asking Zabbix.

The files live in Ansible's local temporary directory of this run (private to the user,
removed when ``ansible-playbook`` exits), in a directory per task and play batch. A file is
taken once: it is renamed away before it is read, so a loop over the same host, or a second
host that claims the same Zabbix host, reads Zabbix itself. What is read is only trusted to
prove a host unchanged (``SyncEngine.unchanged_from``): a host that needs a write is read
again right before it is planned.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import typing as t

_DONE = "done"
_LOCK = "lock"
_NAMES = "names.json"


class SharedRead:
    """The shared read of one task over one play batch, in ``directory``."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    @classmethod
    def for_task(cls, local_tmp: str, task: str, zabbix: t.Sequence[t.Any], batch: t.Sequence[str]) -> SharedRead:
        """The shared read for this task, this Zabbix and this play batch: a later ``serial``
        batch, another task, or another Zabbix URL or user (``zabbix``: the URL and the
        credentials, which may see other hosts) gets its own. Only a hash of them names it."""
        key = hashlib.sha256(json.dumps([task, list(zabbix), sorted(batch)]).encode()).hexdigest()[:24]
        return cls(os.path.join(local_tmp, f"netbox_zabbix-shared-read-{key}"))

    def _path(self, name: str) -> str:
        return os.path.join(self.directory, name)

    def ensure(self, read: t.Callable[[], t.Mapping[str, t.Any]]) -> None:
        """Make sure the batch was read: the first caller calls ``read`` while the others wait.

        ``read`` answers ``{"hosts": [...], <anything else>: ...}``: each host is kept in a
        file of its own, the rest in one file that every host reads (``names``).

        A read that raises leaves the marker too (with no hosts), so each host reads its own
        and reports the error in its own result; it is not tried once per host."""
        if os.path.exists(self._path(_DONE)):
            return
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        with open(self._path(_LOCK), "a", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released by close, or by the kernel if this worker dies
            if os.path.exists(self._path(_DONE)):
                return
            try:
                answer = dict(read())
            except Exception:  # pylint: disable=broad-exception-caught
                answer = {}  # each host's own read will meet the same problem and report it
            hosts = answer.pop("hosts", [])
            for host in hosts:
                self._write(f"{int(host['hostid'])}.json", json.dumps(host))
            self._write(_NAMES, json.dumps(answer))
            self._write(_DONE, str(len(hosts)))

    def _write(self, name: str, text: str) -> None:
        descriptor = os.open(self._path(name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # may hold SNMP passphrases
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)

    def take(self, hostid: t.Any) -> dict[str, t.Any] | None:
        """The Zabbix host ``hostid`` as the batch read found it, once; None if it did not."""
        if not str(hostid or "").isdigit():
            return None
        path = self._path(f"{int(hostid)}.json")
        claimed = f"{path}.{os.getpid()}"
        try:
            os.rename(path, claimed)  # atomic: of two takers, one gets it
        except OSError:
            return None  # not read by the batch (or taken already): the host reads its own
        try:
            with open(claimed, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None
        finally:
            os.unlink(claimed)

    def names(self) -> dict[str, t.Any]:
        """What the read answered beside the hosts (empty if nothing)."""
        try:
            with open(self._path(_NAMES), encoding="utf-8") as handle:
                return dict(json.load(handle))
        except (OSError, ValueError, TypeError):
            return {}
