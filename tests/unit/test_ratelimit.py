"""Outbound request budgets: in one process, and shared by several processes through SQLite."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from app.ats.ratelimit import MemoryWindow, SqliteWindow, heartbeat
from tests.clock import FakeClock


class Stop(Exception):
    pass


def test_memory_window_grants_up_to_the_limit_then_waits_for_the_oldest_to_expire():
    t = FakeClock()
    limiter = MemoryWindow(3, 60, clock=t.time, sleep=t.sleep)
    for _ in range(3):
        assert limiter.acquire() == 0
        t.advance(1)
    assert limiter.acquire() == 57
    assert t.sleeps == [57]


def test_a_heartbeat_runs_before_every_sleep_and_once_the_wait_is_over():
    t = FakeClock()
    limiter = MemoryWindow(1, 60, clock=t.time, sleep=t.sleep)
    beats: list[float] = []
    limiter.acquire()
    start = t.time()
    with heartbeat(lambda: beats.append(t.time()), every=25):
        assert limiter.acquire() == 60
        assert limiter.acquire() == 60
    assert t.sleeps == [25, 25, 10, 25, 25, 10]  # never a sleep longer than the beat interval
    assert [beat - start for beat in beats] == [0, 25, 50, 60, 60, 85, 110, 120]
    limiter.acquire()  # outside the block: no heartbeat
    assert len(beats) == 8


def test_a_heartbeat_that_raises_stops_the_wait_before_anything_is_granted():
    t = FakeClock()
    limiter = MemoryWindow(1, 60, clock=t.time, sleep=t.sleep)
    limiter.acquire()

    def lost() -> None:
        raise Stop

    with heartbeat(lost, every=25), pytest.raises(Stop):
        limiter.acquire()
    assert t.sleeps == []


def test_no_heartbeat_runs_when_a_request_is_granted_at_once():
    t = FakeClock()
    beats: list[int] = []
    with heartbeat(lambda: beats.append(1), every=25):
        MemoryWindow(5, 60, clock=t.time, sleep=t.sleep).acquire()
    assert beats == []


def test_memory_window_holds_across_threads():
    limiter = MemoryWindow(5, 60, clock=lambda: 0.0, sleep=lambda s: (_ for _ in ()).throw(TimeoutError))
    granted, refused = [], []

    def worker():
        try:
            limiter.acquire()
            granted.append(1)
        except TimeoutError:
            refused.append(1)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 5 and len(refused) == 7


def test_sqlite_window_waits_like_the_memory_one(tmp_path):
    t = FakeClock()
    limiter = SqliteWindow(str(tmp_path / "rl.db"), "skailer", 2, 60, clock=t.time, sleep=t.sleep)
    limiter.acquire()
    t.advance(10)
    limiter.acquire()
    assert limiter.acquire() == 50


def test_sqlite_window_keeps_targets_apart(tmp_path):
    t = FakeClock()
    path = str(tmp_path / "rl.db")
    one = SqliteWindow(path, "tenant-a", 1, 60, clock=t.time, sleep=t.sleep)
    other = SqliteWindow(path, "tenant-b", 1, 60, clock=t.time, sleep=t.sleep)
    assert one.acquire() == 0 and other.acquire() == 0


def _grab(path, count, window, granted):
    limiter = SqliteWindow(path, "skailer", 6, window)
    for _ in range(count):
        limiter.acquire()
        granted.put(time.time())


def test_sqlite_window_holds_across_processes(tmp_path):
    path = str(tmp_path / "rl.db")
    SqliteWindow(path, "skailer", 6, 1.0)
    context = multiprocessing.get_context("spawn")
    started = time.time()
    granted = context.Queue()
    workers = [context.Process(target=_grab, args=(path, 5, 1.0, granted)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    times = sorted(granted.get(timeout=5) for _ in range(10))
    assert all(worker.exitcode == 0 for worker in workers)
    # no 7 grants inside one second: the 7th is at least a window after the 1st
    assert all(b - a >= 0.9 for a, b in zip(times, times[6:], strict=False))
    assert time.time() - started >= 1.0
