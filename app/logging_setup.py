"""Logging for the processes that run the app: `flask serve`, `flask worker` and gunicorn.

The app factory leaves logging alone, so tests and other hosts keep their own set-up; each of
these entry points calls `configure_logging()` once, before anything else logs.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Libraries whose INFO lines carry full URLs (query strings may hold personal data); our HTTP
# layer logs its own redacted line for every ATS call.
QUIET = ("httpx", "httpcore")


def configure_logging(level: int = logging.INFO) -> None:
    """One line per record on stderr; our loggers at `level`, chatty libraries at WARNING."""
    logging.basicConfig(level=level, format=FORMAT)
    logging.getLogger("app").setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
