"""parse_resume: the one call the web app makes, safe for any upload.

The format is decided here (cheap); everything that touches the document's
insides runs in a worker process with a wall-clock limit, a memory cap and a
page cap. Whatever the file, the caller gets a ParseOutcome, never an
exception, and the application goes ahead with or without fields.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
import time
from dataclasses import asdict, dataclass, field

from .errors import message_for
from .formats import detect_format
from .pool import JobTimedOut, PoolBusy, WorkerDied, WorkerPool

MAX_BYTES = 10 * 1024 * 1024

_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


@dataclass
class ParseOutcome:
    ok: bool
    format: str | None
    fields: dict = field(default_factory=dict)
    error_code: str | None = None
    message: str | None = None
    pages: int | None = None
    text: str = ""  # the extracted text, for ATSs that take a rendition (Dover)

    def to_dict(self) -> dict:
        return asdict(self)


TIMEOUT_SECONDS = 4.0  # the wall clock, after which the worker is killed and replaced
BUDGET_SECONDS = 2.5  # the worker's own limit, which ends the job and keeps the worker
MIN_RUN = 0.5  # a parse with a deadline starts only if this much time is left for it


def parse_resume(
    data: bytes,
    *,
    timeout: float = TIMEOUT_SECONDS,
    budget: float | None = None,
    memory_mb: int = 512,
    max_pages: int = 20,
    until: float | None = None,
) -> ParseOutcome:
    """Fields of a resume, or a specific error code and a candidate-facing message.

    Waits up to `timeout` for a free worker, then up to `timeout` for its answer. With `until`
    (a time.time() value) the answer comes by then: the wait for a worker leaves MIN_RUN for
    the parse, and the worker's budget ends at `until`.
    """
    if len(data) > MAX_BYTES:
        return failure(None, "too_large")
    fmt = detect_format(data)
    if fmt is None:
        return failure(None, "unsupported")
    seconds = min(BUDGET_SECONDS, timeout * 0.75) if budget is None else budget
    try:
        wait = None if until is None else until - time.time() - MIN_RUN
        job = (data, fmt, memory_mb, max_pages, seconds, until, "parse")
        answer = _get_pool().run(job, timeout, wait=wait, until=until)
    except JobTimedOut:
        return failure(fmt, "timeout")
    except PoolBusy:
        return failure(fmt, "busy")
    except WorkerDied as exc:
        return failure(fmt, "too_large" if exc.out_of_memory else "unreadable")
    if "error_code" in answer:
        return failure(fmt, answer["error_code"], answer["message_key"], answer.get("pages"))
    return ParseOutcome(
        ok=True, format=fmt, fields=answer["fields"], pages=answer.get("pages"), text=answer.get("text", "")
    )


CHECK_SECONDS = 1.5
UNREADABLE = frozenset({"unreadable", "unsupported"})


def check_readable(
    data: bytes, fmt: str, *, timeout: float = CHECK_SECONDS, memory_mb: int = 256
) -> str | None:
    """The error code when this document does not open as a `fmt` document, else None.

    Only a clear "cannot be read" counts: a check that runs out of time or finds the parser
    busy says nothing against the file, and encrypted or scanned documents are real ones.
    """
    try:
        answer = _get_pool().run((data, fmt, memory_mb, 20, timeout * 0.75, None, "check"), timeout)
    except (JobTimedOut, PoolBusy, WorkerDied):
        return None
    code = answer.get("error_code")
    return code if code in UNREADABLE else None


def failure(
    fmt: str | None, code: str, message_key: str | None = None, pages: int | None = None
) -> ParseOutcome:
    return ParseOutcome(
        ok=False, format=fmt, error_code=code, message=message_for(message_key or code), pages=pages
    )


def sha256(data: bytes) -> str:
    """Cache key for parse results: the same file is never parsed twice."""
    return hashlib.sha256(data).hexdigest()


def worker_pids() -> set[int]:
    """Process ids of the live workers (tests check that a killed one was replaced)."""
    return _get_pool().pids()


def shutdown() -> None:
    """Stop the workers; the next parse starts a fresh pool."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.close()


def start_pool() -> None:
    """Start the workers ahead of the first parse (their start runs in the background)."""
    _get_pool()


def _get_pool() -> WorkerPool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = WorkerPool()
        return _pool


atexit.register(shutdown)
