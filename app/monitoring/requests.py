"""A request id for every request, and one log line per request that names no person.

The id comes from the proxy's X-Request-ID when a proxy is trusted (TRUSTED_PROXIES) and the
value looks like an id; otherwise one is made here. It goes back in the response's X-Request-ID
header, onto every log record of the request, and with the delivery the request queued, so the
worker's records of that application carry it too.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from app.logging_setup import request_id_set

log = logging.getLogger("app.requests")

HEADER = "X-Request-ID"
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # nginx's $request_id, a UUID, a trace id


def request_id_from(header: str | None, *, trusted: bool, new_id=lambda: uuid.uuid4().hex) -> str:
    """The caller's id when it came through our proxy and is a plain token, else a new one."""
    if trusted and header and ACCEPTED_ID.fullmatch(header):
        return header
    return new_id()


def register_request_ids(app: Flask) -> None:
    trusted = int(app.config["TRUSTED_PROXIES"]) > 0

    def take_request_id() -> None:
        g.request_id = request_id_from(request.headers.get(HEADER), trusted=trusted)
        g.request_started = time.monotonic()
        g.request_id_scope = request_id_set(g.request_id)
        g.request_id_scope.__enter__()

    # First of all hooks, so the records of every other hook carry the id too.
    app.before_request_funcs.setdefault(None, []).insert(0, take_request_id)

    @app.after_request
    def give_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers[HEADER] = g.request_id
            elapsed_ms = (time.monotonic() - g.request_started) * 1000
            # The route's pattern, never the path: paths hold ids and tokens.
            route = request.url_rule.rule if request.url_rule else "(no route)"
            status = response.status_code
            log.info("request %s %s -> %s in %.0f ms", request.method, route, status, elapsed_ms)
        return response

    @app.teardown_request
    def drop_request_id(_error: BaseException | None) -> None:
        scope = g.pop("request_id_scope", None)
        if scope is not None:
            scope.__exit__(None, None, None)
