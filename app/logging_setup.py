"""Logging for the processes that run the app: `flask serve`, `flask worker` and gunicorn.

The app factory leaves logging alone, so tests and other hosts keep their own set-up; each of
these entry points calls `configure_logging()` once, before anything else logs.

`CAREERS_LOG_FORMAT=json` writes one JSON object per line (time, level, logger, message, and
the request id of the request or delivery the record belongs to), for log collectors; the
default is one line of text. Either way messages are our own and carry no personal data.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FORMAT_SETTING = "CAREERS_LOG_FORMAT"
FORMATS = ("text", "json")

# Libraries whose INFO lines carry full URLs (query strings may hold personal data); our HTTP
# layer logs its own redacted line for every ATS call.
QUIET = ("httpx", "httpcore")

_request_id: ContextVar[str | None] = ContextVar("careers_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the web request (or of the request whose application a worker delivers)."""
    return _request_id.get()


@contextmanager
def request_id_set(value: str | None) -> Iterator[None]:
    """Records logged inside the block carry `value` as their request id."""
    token = _request_id.set(value)
    try:
        yield
    finally:
        _request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback goes into "exception")."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_format() -> str:
    chosen = os.environ.get(FORMAT_SETTING, "text").strip().lower() or "text"
    if chosen not in FORMATS:
        raise ValueError(f"{FORMAT_SETTING} must be one of {', '.join(FORMATS)}, not {chosen!r}")
    return chosen


def configure_logging(level: int = logging.INFO) -> None:
    """Records on stderr in the configured format; our loggers at `level`, chatty libraries at
    WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format() == "json" else logging.Formatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger("app").setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
