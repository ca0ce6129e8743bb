"""The Huey instance behind delivery: SQLite file by default, Redis by URL, memory for tests."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from app.shared import StoreDown

log = logging.getLogger(__name__)

# redis-py's own URL schemes: TCP, TLS, and a Unix socket on the same machine (unix:///path?db=N).
REDIS_SCHEMES = ("redis", "rediss", "unix")
# A consumer thread blocks in BRPOP for READ_TIMEOUT seconds; a Redis that does not answer
# within a little more (hung, or a network gone) fails the call instead of holding a web
# request's enqueue or a worker for ever.
READ_TIMEOUT = 1
REDIS_SOCKET_TIMEOUTS = {"socket_timeout": READ_TIMEOUT + 0.5, "socket_connect_timeout": 0.5}
FIRST_PAUSE, LONGEST_PAUSE = 0.5, 5.0  # seconds a consumer thread waits between tries in an outage


def make_huey(url: str, *, name: str = "careers", wait: Callable[[float], None] = time.sleep) -> Huey:
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url.split("sqlite:///", 1)[1]
        return SqliteHuey(name=name, filename=path, results=False, timeout=15)
    if scheme in REDIS_SCHEMES:
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(url, **REDIS_SOCKET_TIMEOUTS)
        return PatientRedisHuey(
            name=name, connection_pool=pool, read_timeout=READ_TIMEOUT, results=False, outage=Outage(wait)
        )
    if url == "memory://":
        return MemoryHuey(name=name, results=False)
    raise ValueError(
        f"unsupported queue URL scheme {scheme!r} (use sqlite:///, redis://, rediss://, unix:// or memory://)"
    )


class Outage:
    """Redis unreachable, as the consumer threads of one process see it: logged once when it
    starts and once when it ends (Huey's own consumer logs a traceback at every failed read,
    ten times a second), and waited out with a pause that grows to LONGEST_PAUSE."""

    def __init__(
        self, wait: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic
    ):
        self._wait, self._clock = wait, clock
        self._since: float | None = None
        self._pause = FIRST_PAUSE
        self._lock = threading.Lock()

    def failed(self, error: Exception) -> None:
        """A call to Redis failed: note it (once per outage), then pause this thread."""
        with self._lock:
            if self._since is None:
                self._since = self._clock()
                log.warning("queue unreachable (%s); consumers wait and try again", type(error).__name__)
            pause = self._pause
            self._pause = min(self._pause * 2, LONGEST_PAUSE)
        self._wait(pause)

    def ended(self) -> bool:
        """A call to Redis worked: True when that ends an outage."""
        with self._lock:
            if self._since is None:
                return False
            log.warning("queue reachable again after %.0f s", self._clock() - self._since)
            self._since, self._pause = None, FIRST_PAUSE
            return True


class PatientRedisHuey(RedisHuey):
    """RedisHuey whose consumer waits out a Redis outage quietly (see `Outage`), and runs the
    `recovered` callbacks once it is over: a restarted Redis may have lost the queued wake-ups,
    which the sweep finds again from the database at once rather than at its next tick."""

    def __init__(self, *args, outage: Outage, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outage = outage
        self.recovered: list[Callable[[], None]] = []

    def dequeue(self):
        try:
            task = super().dequeue()
        except StoreDown as error:
            self.outage.failed(error)
            return None
        if self.outage.ended():
            try:
                for callback in self.recovered:
                    callback()
            except StoreDown as error:  # gone again: the next end of the outage runs them
                self.outage.failed(error)
        return task

    def read_schedule(self, timestamp=None):
        """The scheduler's read (once a second): nothing is due while Redis is away."""
        try:
            return super().read_schedule(timestamp)
        except StoreDown:
            return []
