# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared read of a per-host task: read once per task and batch, each host taken once."""

from __future__ import annotations

import multiprocessing
import os
import stat
import time
import typing as t
from pathlib import Path

from ansible_collections.netbox_zabbix.sync.plugins.plugin_utils._shared_read import SharedRead

HOSTS = [{"hostid": "101", "host": "web1", "description": "a"}, {"hostid": "102", "host": "web2", "description": "b"}]


def counting_read(log: Path, seconds: float = 0.0) -> t.Callable[[], dict[str, t.Any]]:
    def read() -> dict[str, t.Any]:
        with log.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(seconds)
        return {"hosts": HOSTS, "proxies": [["7", "proxy-a"]]}
    return read


def reads(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_the_first_caller_reads_and_every_host_takes_its_own(tmp_path: Path) -> None:
    log = tmp_path / "reads"
    first = SharedRead.for_task(str(tmp_path), "task-1", ["http://z/api_jsonrpc.php", "tok"], ["web1", "web2"])
    first.ensure(counting_read(log))
    second = SharedRead.for_task(str(tmp_path), "task-1", ["http://z/api_jsonrpc.php", "tok"], ["web2", "web1"])  # any order
    second.ensure(counting_read(log))
    assert reads(log) == 1
    assert second.take("102") == HOSTS[1] and first.take(101) == HOSTS[0]
    assert second.names() == {"proxies": [["7", "proxy-a"]]}  # what was read beside the hosts, for every host


def test_a_host_is_taken_once_and_an_unknown_one_not_at_all(tmp_path: Path) -> None:
    shared = SharedRead(str(tmp_path / "shared"))
    shared.ensure(counting_read(tmp_path / "reads"))
    assert shared.take("101") == HOSTS[0]
    assert shared.take("101") is None  # a loop, or a second host claiming it, reads Zabbix itself
    assert shared.take("999") is None and shared.take(None) is None and shared.take("../101") is None


def test_a_failed_read_is_not_tried_again_and_every_host_reads_its_own(tmp_path: Path) -> None:
    shared = SharedRead(str(tmp_path / "shared"))
    calls = []

    def broken() -> dict[str, t.Any]:
        calls.append(1)
        raise ConnectionError("Zabbix is away")

    shared.ensure(broken)
    shared.ensure(broken)
    assert calls == [1] and shared.take("101") is None and shared.names() == {}


def test_what_is_read_stays_private(tmp_path: Path) -> None:
    shared = SharedRead(str(tmp_path / "shared"))
    shared.ensure(counting_read(tmp_path / "reads"))
    assert stat.S_IMODE(os.stat(shared.directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(os.path.join(shared.directory, "101.json")).st_mode) == 0o600


def test_another_task_batch_zabbix_or_user_reads_again(tmp_path: Path) -> None:
    base = ("task-1", ["http://z/api_jsonrpc.php", "tok"], ["web1", "web2"])
    others = [("task-2", base[1], base[2]), (base[0], ["http://other/api_jsonrpc.php", "tok"], base[2]),
              (base[0], ["http://z/api_jsonrpc.php", "another-token"], base[2]), (base[0], base[1], ["web1"])]
    directories = {SharedRead.for_task(str(tmp_path), *key).directory for key in [base, *others]}
    assert len(directories) == 5
    assert all("tok" not in os.path.basename(d) for d in directories)  # a hash names it, never a credential


def _worker(directory: str, log: str, out: str) -> None:
    shared = SharedRead(directory)
    shared.ensure(counting_read(Path(log), seconds=0.3))
    with open(out, "a", encoding="utf-8") as handle:
        handle.write(f"{shared.take('101') is not None}\n")


def test_workers_in_parallel_read_once_and_one_of_them_gets_the_host(tmp_path: Path) -> None:
    """Ansible's forked workers: they wait for the one that reads, and a file is taken once."""
    log, out = tmp_path / "reads", tmp_path / "took"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_worker, args=(str(tmp_path / "shared"), str(log), str(out))) for _worker_number in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert [worker.exitcode for worker in workers] == [0] * 4
    assert reads(log) == 1
    assert sorted(out.read_text().split()) == ["False", "False", "False", "True"]
