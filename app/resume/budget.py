"""A time budget for one parse, enforced inside the worker process.

The parent kills a worker that overruns its wall-clock limit, but starting a new one costs
more than most parses. So the worker keeps its own, shorter budget: a timer signal raises
OverBudget in whatever Python code is running (a pdfminer loop over a reference cycle, a
walk over 150,000 paragraphs), the job ends with "timeout" and the worker stays warm. The
timer re-fires every few milliseconds, so a parser that swallows one interruption meets the
next; OverBudget is a BaseException for the same reason (`except Exception` does not catch it).
"""

from __future__ import annotations

import signal
from types import FrameType, TracebackType

REFIRE_SECONDS = 0.05


class OverBudget(BaseException):
    """The parse used up its time budget."""


class TimeBudget:
    """`with TimeBudget(2.5): ...` raises OverBudget in the block once 2.5 s have passed."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._armed = False

    def __enter__(self) -> TimeBudget:
        self._previous = signal.signal(signal.SIGALRM, self._expire)
        self._armed = True
        signal.setitimer(signal.ITIMER_REAL, self._seconds, REFIRE_SECONDS)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.disarm()

    def disarm(self) -> None:
        """Stop the timer; safe to call again, and safe against a last signal arriving meanwhile."""
        while True:
            try:
                self._armed = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, self._previous)
                return
            except OverBudget:
                continue

    def _expire(self, _signum: int, _frame: FrameType | None) -> None:
        if self._armed:
            raise OverBudget()
