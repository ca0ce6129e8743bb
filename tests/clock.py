"""The one fake clock of the suite: time moves only when a test advances it or the code sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = 1_800_000_000.0


class FakeClock:
    """Wall time as epoch seconds (`clock()`, `clock.time()`) or as a naive UTC datetime
    (`clock.datetime()`, for code that takes `now=`); `clock.sleep` records and advances."""

    def __init__(self, start: float = START) -> None:
        self.seconds = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.seconds

    def time(self) -> float:
        return self.seconds

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.seconds, UTC).replace(tzinfo=None)

    def advance(self, seconds: float | timedelta) -> None:
        if isinstance(seconds, timedelta):
            seconds = seconds.total_seconds()
        self.seconds += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.seconds += seconds

    @property
    def slept(self) -> float:
        return sum(self.sleeps)
