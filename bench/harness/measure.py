"""Run a command and measure it: wall time, peak memory of its whole process tree, exit code.

Peak RSS is sampled with psutil every `SAMPLE_SECONDS` over the process and all its
descendants (ansible-playbook forks workers and, for httpapi, `ansible-connection`
processes). Two numbers come out:

* ``peak_tree_rss``: the largest sum of RSS over the tree seen at one sample. Shared pages
  (the forked workers share most of the parent's memory copy-on-write) are counted once
  per process, so this is an upper bound of what the tree really uses.
* ``peak_single_rss``: the largest RSS of any one process (what ``/usr/bin/time -v``
  reports as "Maximum resident set size" for the biggest process).

Sampling misses a peak shorter than the interval; the processes here live for seconds.
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psutil

SAMPLE_SECONDS = 0.05


@dataclass
class Measured:
    argv: list[str]
    returncode: int
    seconds: float
    peak_tree_rss: int
    peak_single_rss: int
    max_processes: int
    log: str
    cpu_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "returncode": self.returncode,
            "seconds": round(self.seconds, 3),
            "peak_tree_rss": self.peak_tree_rss,
            "peak_single_rss": self.peak_single_rss,
            "max_processes": self.max_processes,
            "cpu_seconds": round(self.cpu_seconds, 2),
            "log": self.log,
            **self.extra,
        }


class TreeSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.stop_event = threading.Event()
        self.peak_tree = 0
        self.peak_single = 0
        self.max_processes = 0

    def sample(self) -> None:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for proc in procs:
            try:
                rss = proc.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            self.peak_single = max(self.peak_single, rss)
        self.peak_tree = max(self.peak_tree, total)
        self.max_processes = max(self.max_processes, len(procs))

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self.stop_event.set()
        self.join()


def run_measured(argv: list[str], log_path: str, env: dict[str, str] | None = None, cwd: str | None = None,
                 timeout: float = 3600.0, stdout_path: str | None = None) -> Measured:
    """Run argv with output to log_path (stdout to stdout_path when given); measure it."""
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    log = open(log_path, "wb")
    out = open(stdout_path, "wb") if stdout_path else log
    try:
        # CPU time (user + system) of the command and the descendants it waited for: far less
        # sensitive than wall time to other work competing for the CPUs.
        usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        # Its own session, so that an interrupted run can stop the whole tree it started.
        proc = subprocess.Popen(argv, stdout=out, stderr=log, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            returncode = proc.wait()
        except BaseException:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            sampler.stop()
            raise
        seconds = time.perf_counter() - started
        usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sampler.stop()
    finally:
        log.close()
        if stdout_path:
            out.close()
    cpu = (usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime)
    return Measured(argv, returncode, seconds, sampler.peak_tree, sampler.peak_single, sampler.max_processes, log_path, cpu)


def tail(path: str, lines: int = 25) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 20000))
            return b"\n".join(handle.read().splitlines()[-lines:]).decode(errors="replace")
    except OSError:
        return ""
