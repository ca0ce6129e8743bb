"""One more try when the database connection drops under a request.

A PostgreSQL restart or failover ends every open connection: a request between two of its
statements gets an OperationalError, and the next request would too, were it not for
`pool_pre_ping` (see create_app), which tests a pooled connection before handing it out. For the
request that was in flight, its view runs once more, after the database answers again (waited
for at most RETRY_WAIT seconds): for reads (GET, HEAD) always; for POSTs only at endpoints whose
view is idempotent. The apply forms are: each rendered form carries a unique submission key,
and a second send finds the application the first one stored (whether its commit got through
or not) instead of storing another.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Collection
from typing import Any

from flask import Flask, request
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from app.extensions import db

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IDEMPOTENT_POSTS = ("careers.apply", "embed.apply")
RETRY_WAIT = 5.0  # a restart takes a second or two; a longer outage is not papered over
POLL = 0.1


def connection_dropped(exc: BaseException, engine: Engine) -> bool:
    """A lost or refused connection (or any OperationalError of a database server). SQLite's
    OperationalErrors are about the file (locked, no such table) and gain nothing from a retry."""
    if not isinstance(exc, DBAPIError):
        return False
    return exc.connection_invalidated or (
        isinstance(exc, OperationalError) and engine.dialect.name != "sqlite"
    )


def wait_for_database(
    engine: Engine,
    within: float = RETRY_WAIT,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """True as soon as a fresh connection answers SELECT 1; False after `within` seconds."""
    deadline = clock() + within
    while True:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except DBAPIError:
            if clock() >= deadline:
                return False
            sleep(POLL)


def install_transaction_retry(
    app: Flask, *, idempotent_posts: Collection[str] = IDEMPOTENT_POSTS, within: float = RETRY_WAIT
) -> None:
    """Wrap every view (after the blueprints are registered) in one retry on a dropped connection."""
    missing = set(idempotent_posts) - set(app.view_functions)
    if missing:
        raise RuntimeError(f"no such endpoints to retry: {sorted(missing)}")
    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = _retrying(view, endpoint in idempotent_posts, within)


def _retrying(view: Callable[..., Any], post_is_idempotent: bool, within: float) -> Callable[..., Any]:
    @functools.wraps(view)  # Flask-Limiter and CSRF exemptions find views by module and name
    def run_with_retry(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except DBAPIError as exc:
            retryable = request.method in SAFE_METHODS or post_is_idempotent
            if not (retryable and connection_dropped(exc, db.engine)):
                raise
            log.warning(
                "database connection lost during %s %s (%s); trying once more",
                request.method,
                request.endpoint,
                type(exc.orig).__name__,
            )
            db.session.rollback()
            wait_for_database(db.engine, within)
            _rewind_uploads()
            return view(**kwargs)

    return run_with_retry


def _rewind_uploads() -> None:
    """The first run read the uploaded files to their end; the second reads them again."""
    for _name, upload in request.files.items(multi=True):
        upload.stream.seek(0)
