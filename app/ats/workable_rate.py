"""Pacing by Workable's rate headers (WK-RATE): account tokens get 10 requests per 10-second
window, and every response says how many are left and when the next window starts.

The reset header is documented only as "timestamp of next interval", so it is read in every
form a timestamp takes, and one it cannot read is a whole window rather than a crash.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

# X-Rate-Limit-Reset is "timestamp of next interval" with no format given (WK-RATE): a value we
# cannot read means one whole window, and no wait is ever longer than MAX_WAIT.
DEFAULT_WAIT = 10.0
MAX_WAIT = 60.0


def reset_time(value: str | None, now: float) -> float | None:
    """The reset header as an epoch time: epoch seconds (or milliseconds), a small number of
    seconds from now, an HTTP date or ISO 8601; None when it is missing or none of these."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return _date_time(text)
    if not math.isfinite(number):
        return None
    if number > 1e11:
        number /= 1000.0
    return number if number > 1e9 else now + number


def _date_time(text: str) -> float | None:
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def whole_number(value: str | None) -> int | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return int(number) if math.isfinite(number) else None


class RatePacer:
    """Waits out the rest of a 10-second window when the last response said none is left.

    Runs as a response hook, so it never raises: headers it cannot read count as absent."""

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._clock, self._sleep = clock, sleep
        self.remaining: int | None = None
        self.reset_at: float | None = None

    def observe(self, response: httpx.Response) -> None:
        headers = response.headers
        self.remaining = whole_number(headers.get("X-Rate-Limit-Remaining"))
        self.reset_at = reset_time(headers.get("X-Rate-Limit-Reset"), self._clock())

    def wait_seconds(self) -> float:
        """Until the next window; one whole window when the last response did not say when."""
        if self.reset_at is None:
            return DEFAULT_WAIT
        return min(MAX_WAIT, max(0.0, self.reset_at - self._clock()))

    def before_request(self) -> None:
        if self.remaining is not None and self.remaining <= 0:
            pause = self.wait_seconds()
            if pause > 0:
                self._sleep(pause)
            self.remaining = None
