"""The only module that knows httpx's exception tree: every adapter's client comes from
`make_client`, and every ATS call goes through `send`.

Transport failures and status codes are translated into our error classes once, here. Error
messages and log lines carry vendor, method, path and status only: bodies, headers and query
strings hold personal data and keys.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Container, Mapping, Sequence
from typing import Any

import httpx

from app import telemetry
from app.ats.base import AuthError, PermanentError, RetryableError
from app.ats.ratelimit import Limiter

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10)


def retry_after_seconds(response: httpx.Response, *, now: float | None = None) -> float | None:
    """Retry-After as seconds, whether the server sent a number or an HTTP date."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def check_status(response: httpx.Response, ats: str) -> httpx.Response:
    if response.is_success:
        return response
    request = response.request
    status = response.status_code
    message = f"{ats}: {request.method} {request.url.path} -> {status}"
    if status == 429 or status >= 500:
        raise RetryableError(
            message,
            ats=ats,
            status=status,
            retry_after=retry_after_seconds(response),
            ambiguous=status >= 500 and request.method not in SAFE_METHODS,
        )
    if status in (401, 403):
        raise AuthError(message, ats=ats, status=status)
    raise PermanentError(message, ats=ats, status=status)


ResponseHook = Callable[[httpx.Response], None]


def make_client(
    base_url: str,
    headers: Mapping[str, str] | None = None,
    *,
    ats: str,
    auth: tuple[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    limits: httpx.Limits = DEFAULT_LIMITS,
    on_response: Sequence[ResponseHook] = (),
) -> httpx.Client:
    """The one way an adapter gets its client: pooled per target, so connections are reused
    across deliveries, with explicit timeouts and our own log line for every call.

    `on_response` hooks (a vendor's rate-limit headers, a duplicate spotted in an error body)
    run after the call is logged.
    """
    quiet_transport_logs()
    return httpx.Client(
        base_url=base_url,
        headers=dict(headers or {}),
        auth=auth,
        transport=transport,
        timeout=timeout,
        limits=limits,
        event_hooks={"request": [_stamp_start], "response": [_call_logger(ats), *on_response]},
    )


def quiet_transport_logs() -> None:
    """httpx logs each request's full URL at INFO, query string included, and the lookups by
    email put the address there; our own line (method, path, status, time) replaces it."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _stamp_start(request: httpx.Request) -> None:
    request.extensions["started_at"] = time.monotonic()


def _call_logger(ats: str) -> ResponseHook:
    def log_call(response: httpx.Response) -> None:
        request = response.request
        started = request.extensions.get("started_at", time.monotonic())
        _log_call(ats, request.method, request.url.path, response.status_code, started)

    return log_call


def _log_call(ats: str, method: str, path: str, outcome: int | str, started: float) -> None:
    """Our line for one call (vendor, method, path without its query, outcome, time taken), and
    its time in the latency histogram (by vendor, method and status class: no paths)."""
    elapsed = time.monotonic() - started
    telemetry.ats_call(ats, method, outcome, elapsed)
    elapsed_ms = elapsed * 1000
    log.info("ats call %s %s %s -> %s in %.0f ms", ats, method, path, outcome, elapsed_ms)


def send(
    client: httpx.Client,
    method: str,
    path: str,
    *,
    ats: str,
    limiter: Limiter | None = None,
    accept: Container[int] = (),
    **kwargs: Any,
) -> httpx.Response:
    """Send one request and return the successful response, or raise an AtsError subclass.

    `limiter` (see ratelimit.py) is acquired first so the target's request budget holds across
    workers. Statuses in `accept` are returned instead of raised, for callers that read an
    error body (a duplicate reported with the id of the existing record). `path` may be a
    vendor's next-page URL: messages and logs keep its path only, never its query, which can
    hold an email address.
    """
    if limiter is not None:
        limiter.acquire()
    started = time.monotonic()
    try:
        response = client.request(method, path, **kwargs)
    except httpx.TransportError as exc:
        failure, where = _transport_failure(exc), httpx.URL(path).path
        _log_call(ats, method, where, failure, started)
        # A connection never made cannot have created anything; any other failure may have.
        sent = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
        raise RetryableError(
            f"{ats}: {method} {where} -> {failure}",
            ats=ats,
            ambiguous=sent and method not in SAFE_METHODS,
        ) from exc
    if response.status_code in accept:
        return response
    return check_status(response, ats)


def _transport_failure(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    return type(exc).__name__


def json_body(response: httpx.Response, ats: str) -> Any:
    """The decoded JSON body; a malformed one is a vendor fault worth retrying later."""
    try:
        return response.json()
    except ValueError as exc:
        request = response.request
        raise RetryableError(
            f"{ats}: {request.method} {request.url.path} -> malformed JSON",
            ats=ats,
            status=response.status_code,
            ambiguous=request.method not in SAFE_METHODS,
        ) from exc
