"""The parse pool hands out only workers that said they are ready."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from app.resume.pool import JobTimedOut, PoolBusy, WorkerPool
from tests.conftest import FIXTURES

RESUME = (FIXTURES / "files" / "resume.pdf").read_bytes()


def parse_job(seconds: float) -> tuple:
    return (RESUME, "pdf", 512, 20, seconds, None, "parse")


def test_a_worker_still_starting_takes_no_job_so_its_start_never_counts_against_a_time_limit():
    pool = WorkerPool(size=1)
    try:
        with pytest.raises(PoolBusy):  # the interpreter is still importing: no worker to give
            pool.run(parse_job(2.0), timeout=2.0, wait=0)
        answer = pool.run(parse_job(20.0), timeout=30.0, wait=60.0)
        assert answer["fields"]["email"]["value"]
    finally:
        pool.close()


def test_a_worker_replaced_after_a_timeout_rejoins_only_once_ready():
    pool = WorkerPool(size=1)
    try:
        pool.run(parse_job(20.0), timeout=30.0, wait=60.0)  # the worker is up
        (first,) = pool.pids()
        with pytest.raises(JobTimedOut):  # a limit no parse can meet
            pool.run(parse_job(20.0), timeout=0.000_001, wait=1.0)
        assert first not in pool.pids()  # killed; its replacement is starting
        with pytest.raises(PoolBusy):
            pool.run(parse_job(2.0), timeout=2.0, wait=0)
        assert pool.run(parse_job(20.0), timeout=30.0, wait=60.0)["fields"]
    finally:
        pool.close()


def test_a_worker_whose_parent_ended_while_it_started_exits_quietly():
    ours, theirs = socket.socketpair()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.resume.worker", str(theirs.fileno())],
        pass_fds=(theirs.fileno(),),
        stderr=subprocess.PIPE,
    )
    theirs.close()
    ours.close()  # the parent is gone before the worker says it is ready
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 0
    assert b"Traceback" not in errors
