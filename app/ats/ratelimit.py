"""Outbound request budgets per ATS target (Skailer allows 100 requests a minute).

Several worker threads and processes deliver to the same target, so the budget has to be
shared: `SqliteWindow` keeps a sliding window of grant times in a small SQLite file and takes
each grant inside `BEGIN IMMEDIATE`, which serialises all processes on that file.
`MemoryWindow` is the same rule for one process (tests, a single worker).

Both block in `acquire()` until a request may go. Clock and sleep are parameters so tests
need not wait; across processes the clock must be wall time (`time.time`), the one clock
every process shares.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol


class Limiter(Protocol):
    def acquire(self) -> float:
        """Block until one request may be sent; return the seconds spent waiting."""


class MemoryWindow:
    """At most `limit` grants in any `window` seconds, within this process."""

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit, self.window = limit, window
        self._clock, self._sleep = clock, sleep
        self._grants: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        waited = 0.0
        while True:
            with self._lock:
                wait = self._try_grant(self._clock())
            if wait <= 0:
                return waited
            self._sleep(wait)
            waited += wait

    def _try_grant(self, now: float) -> float:
        while self._grants and self._grants[0] <= now - self.window:
            self._grants.popleft()
        if len(self._grants) < self.limit:
            self._grants.append(now)
            return 0.0
        return self._grants[0] + self.window - now


class SqliteWindow:
    """At most `limit` grants in any `window` seconds for `target`, across processes.

    Each thread keeps its own connection, so one instance may be shared by threads and a
    forked worker never uses an inherited handle.
    """

    def __init__(
        self,
        path: str,
        target: str,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.path, self.target, self.limit, self.window = path, target, limit, window
        self._clock, self._sleep = clock, sleep
        self._local = threading.local()
        db = self._connect()
        db.execute("PRAGMA journal_mode=WAL")  # short writers, no reader blocking
        db.execute("CREATE TABLE IF NOT EXISTS grants (target TEXT NOT NULL, at REAL NOT NULL)")
        db.execute("CREATE INDEX IF NOT EXISTS grants_target_at ON grants (target, at)")

    def acquire(self) -> float:
        waited = 0.0
        while True:
            wait = self._try_grant()
            if wait <= 0:
                return waited
            self._sleep(wait)
            waited += wait

    def _connect(self) -> sqlite3.Connection:
        """This thread's connection, opened once per thread and per process (never inherited
        across a fork): a grant is then one short WAL transaction, no fsync, no reconnect."""
        held = getattr(self._local, "db", None)
        if held is not None and self._local.pid == os.getpid():
            return held
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA synchronous=NORMAL")
        self._local.db, self._local.pid = db, os.getpid()
        return db

    def _try_grant(self) -> float:
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            now = self._clock()
            db.execute("DELETE FROM grants WHERE target = ? AND at <= ?", (self.target, now - self.window))
            count, oldest = db.execute(
                "SELECT COUNT(*), MIN(at) FROM grants WHERE target = ?", (self.target,)
            ).fetchone()
            if count < self.limit:
                db.execute("INSERT INTO grants (target, at) VALUES (?, ?)", (self.target, now))
                wait = 0.0
            else:
                wait = max(oldest + self.window - now, 0.001)
            db.execute("COMMIT")
            return wait
        except BaseException:
            db.execute("ROLLBACK")
            raise
