"""Outbound request budgets per ATS target (Skailer allows 100 requests a minute).

Several worker threads and processes deliver to the same target, so the budget has to be
shared. `SharedWindow` keeps it with the `limits` library's moving window in the storage every
worker reaches (Redis: workers on several machines count together). Without Redis,
`SqliteWindow` keeps a sliding window of grant times in a small SQLite file and takes each
grant inside `BEGIN IMMEDIATE`, which serialises all processes on one machine.
`MemoryWindow` is the same rule for one process (tests, a single worker).

Both block in `acquire()` until a request may go. Clock and sleep are parameters so tests
need not wait; across processes the clock must be wall time (`time.time`), the one clock
every process shares.

A worker waiting here still holds a claimed delivery whose lease runs out. `heartbeat()` lets
it say, for the calls made in its own thread, what to run while it waits: before every sleep
(renew the lease) and once more when a wait ends, before the request goes. A worker that lost
its delivery in the meantime raises from there, so the request is never sent. Sleeps are cut
into pieces no longer than the heartbeat's interval, so the lease never lapses mid-sleep.
The hook travels in a context variable because the limiter is built into the adapter, which is
shared by every worker thread, while the lease belongs to the one delivery the thread runs.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import Storage
from limits.strategies import MovingWindowRateLimiter

from app.ats.base import RetryableError

STORE_DOWN_RETRY = 10.0  # seconds before a delivery retries when the budget's store is down
# A grant is counted here before the request reaches the vendor, which counts arrivals: a request
# delayed on its way could land in the vendor's next window beside one granted a window later.
ARRIVAL_MARGIN = 1.0


class Limiter(Protocol):
    def acquire(self) -> float:
        """Block until one request may be sent; return the seconds spent waiting."""


@dataclass(frozen=True)
class Heartbeat:
    beat: Callable[[], None]  # renews the caller's lease; raises when the caller must stop
    every: float  # the longest sleep between two beats, in seconds


_heartbeat: ContextVar[Heartbeat | None] = ContextVar("limiter_heartbeat", default=None)


@contextmanager
def heartbeat(beat: Callable[[], None], every: float) -> Iterator[None]:
    """While the block runs, limiters called from this thread run `beat` as they wait."""
    reset = _heartbeat.set(Heartbeat(beat, every))
    try:
        yield
    finally:
        _heartbeat.reset(reset)


def wait_for_grant(try_grant: Callable[[], float], sleep: Callable[[float], None]) -> float:
    """Ask for a grant until one comes; return the seconds spent waiting.

    `try_grant()` returns 0 when granted, else the seconds until it may be. With a heartbeat
    set, it beats before each sleep and again once granted after a wait: a lease renewed just
    before the request leaves, or the request never leaves.
    """
    waited = 0.0
    while True:
        wait = try_grant()
        current = _heartbeat.get()
        if wait <= 0:
            if waited and current is not None:
                current.beat()
            return waited
        if current is not None:
            current.beat()
            wait = min(wait, current.every)
        sleep(wait)
        waited += wait


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
        return wait_for_grant(self._try_grant, self._sleep)

    def _try_grant(self) -> float:
        with self._lock:
            return self._grant_at(self._clock())

    def _grant_at(self, now: float) -> float:
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
        return wait_for_grant(self._try_grant, self._sleep)

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


class SharedWindow:
    """At most `limit` grants in any `window` seconds for `target`, for every process that
    reaches `storage` (Redis across machines; the `limits` library's moving window, taken by one
    atomic script). The window is kept `margin` seconds longer than the vendor's, see
    ARRIVAL_MARGIN.

    The store's clock is each caller's wall time, so machines must keep their clocks in step
    (NTP). A store that cannot be reached raises RetryableError: the delivery tries again
    later, never sends unmetered.
    """

    def __init__(
        self,
        storage: Storage,
        target: str,
        limit: int,
        window: float = 60.0,
        *,
        margin: float = ARRIVAL_MARGIN,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.target, self.limit, self.window = target, limit, window
        self._item = RateLimitItemPerSecond(limit, math.ceil(window + margin))
        self._limits = MovingWindowRateLimiter(storage)
        self._clock, self._sleep = clock, sleep

    def acquire(self) -> float:
        return wait_for_grant(self._try_grant, self._sleep)

    def _try_grant(self) -> float:
        try:
            if self._limits.hit(self._item, self.target):
                return 0.0
            reset_at, _ = self._limits.get_window_stats(self._item, self.target)
        except StorageError as exc:
            kind = self.target.partition(":")[0]
            raise RetryableError(
                f"{kind}: request budget store unavailable", ats=kind, retry_after=STORE_DOWN_RETRY
            ) from exc
        return max(reset_at - self._clock(), 0.01)
