"""Parses handed over by web requests, so that no request waits for a whole parse.

A request submits the file and waits a moment; a parse that takes longer goes on in a thread
of this process while the request answers "not yet". The number of parses in flight is
capped (the worker processes plus a short queue): past the cap a request is told at once that
the parser is busy, rather than waiting in a line that one client could make endless.
Finished results are kept for a short while so a later poll finds them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .runner import failure

log = logging.getLogger(__name__)

Result = dict[str, Any]
KEEP_FINISHED = 512


class ParserBusy(Exception):
    """Every parse slot is taken; the candidate fills the form in by hand."""


@dataclass(frozen=True)
class Submitted:
    future: Future[Result]
    until: float  # the clock() value by which the parse answers


class ParseJobs:
    """At most `capacity` parses in flight, keyed by the file's SHA-256 (one parse per file).

    `parse(data, sha256, until)` must answer by `until`, a `clock()` value `answer_seconds` after
    the file was handed over, so that a file waiting behind others is still answered in time.
    """

    def __init__(
        self,
        parse: Callable[[bytes, str, float], Result],
        capacity: int,
        *,
        answer_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._parse = parse
        self._capacity = capacity
        self._answer_seconds = answer_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._running: dict[str, Submitted] = {}
        self._finished: OrderedDict[str, Result] = OrderedDict()
        self._threads = ThreadPoolExecutor(max_workers=capacity, thread_name_prefix="resume-parse")

    def submit(self, data: bytes, sha256: str) -> Submitted:
        """The parse of this file, started now or already running; ParserBusy when full."""
        with self._lock:
            running = self._running.get(sha256)
            if running is not None:
                return running
            if len(self._running) >= self._capacity:
                raise ParserBusy()
            until = self._clock() + self._answer_seconds
            submitted = Submitted(self._threads.submit(self._run, data, sha256, until), until)
            self._running[sha256] = submitted  # under the lock, so _run cannot finish before this
        return submitted

    def result(self, sha256: str) -> Result | None:
        """The finished result of a recent parse of this file, if this process ran it."""
        with self._lock:
            return self._finished.get(sha256)

    def running(self, sha256: str) -> bool:
        with self._lock:
            return sha256 in self._running

    def _run(self, data: bytes, sha256: str, until: float) -> Result:
        """Parse, then record the result before the future resolves (polls never miss it)."""
        try:
            result = self._parse(data, sha256, until)
        except Exception:  # noqa: BLE001 - the candidate gets an answer; the cause goes to the log
            log.warning("resume parse failed", exc_info=True)
            result = failure(None, "unreadable").to_dict()
        with self._lock:
            self._running.pop(sha256, None)
            self._finished[sha256] = result
            self._finished.move_to_end(sha256)
            while len(self._finished) > KEEP_FINISHED:
                self._finished.popitem(last=False)
        return result

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
