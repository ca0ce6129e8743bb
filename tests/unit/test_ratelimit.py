"""Outbound request budgets: in one process, and shared by several processes through SQLite."""

from __future__ import annotations

import multiprocessing
import threading
import time

from app.ats.ratelimit import MemoryWindow, SqliteWindow


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_memory_window_grants_up_to_the_limit_then_waits_for_the_oldest_to_expire():
    t = FakeTime()
    limiter = MemoryWindow(3, 60, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        assert limiter.acquire() == 0
        t.now += 1
    assert limiter.acquire() == 57
    assert t.slept == [57]


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
    t = FakeTime()
    limiter = SqliteWindow(str(tmp_path / "rl.db"), "skailer", 2, 60, clock=t.clock, sleep=t.sleep)
    limiter.acquire()
    t.now += 10
    limiter.acquire()
    assert limiter.acquire() == 50


def test_sqlite_window_keeps_targets_apart(tmp_path):
    t = FakeTime()
    path = str(tmp_path / "rl.db")
    one = SqliteWindow(path, "tenant-a", 1, 60, clock=t.clock, sleep=t.sleep)
    other = SqliteWindow(path, "tenant-b", 1, 60, clock=t.clock, sleep=t.sleep)
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
