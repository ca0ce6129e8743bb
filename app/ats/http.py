"""The only module that knows httpx's exception tree: every ATS call goes through `send`.

Transport failures and status codes are translated into our error classes once, here. Error
messages carry method, path and status only; bodies and headers hold personal data and keys.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Container, Mapping
from typing import Any

import httpx

from app.ats.base import AuthError, PermanentError, RetryableError

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


def make_client(
    base_url: str,
    headers: Mapping[str, str] | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    limits: httpx.Limits = DEFAULT_LIMITS,
) -> httpx.Client:
    """One pooled client per target, so connections are reused across deliveries.

    The event hooks log method, path, status and duration only: headers carry the token and
    bodies carry personal data.
    """
    return httpx.Client(
        base_url=base_url,
        headers=dict(headers or {}),
        transport=transport,
        timeout=timeout,
        limits=limits,
        event_hooks={"request": [_stamp_start], "response": [_log_response]},
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _stamp_start(request: httpx.Request) -> None:
    request.extensions["started_at"] = time.monotonic()


def _log_response(response: httpx.Response) -> None:
    request = response.request
    started = request.extensions.get("started_at", time.monotonic())
    log.info(
        "ats call %s %s -> %s in %.0f ms",
        request.method,
        request.url.path,
        response.status_code,
        (time.monotonic() - started) * 1000,
    )


def send(
    client: httpx.Client,
    method: str,
    path: str,
    *,
    ats: str,
    limiter: Any = None,
    accept: Container[int] = (),
    **kwargs: Any,
) -> httpx.Response:
    """Send one request and return the successful response, or raise an AtsError subclass.

    `limiter` (see ratelimit.py) is acquired first so the target's request budget holds across
    workers. Statuses in `accept` are returned instead of raised, for callers that read an
    error body (a duplicate reported with the id of the existing record).
    """
    if limiter is not None:
        limiter.acquire()
    try:
        response = client.request(method, path, **kwargs)
    except httpx.ConnectError as exc:
        # Never reached the server: nothing can have been created.
        raise RetryableError(f"{ats}: {method} {path} -> connection failed", ats=ats) from exc
    except httpx.ConnectTimeout as exc:
        raise RetryableError(f"{ats}: {method} {path} -> connect timeout", ats=ats) from exc
    except httpx.TimeoutException as exc:
        raise RetryableError(
            f"{ats}: {method} {path} -> timeout", ats=ats, ambiguous=method not in SAFE_METHODS
        ) from exc
    except httpx.TransportError as exc:
        raise RetryableError(
            f"{ats}: {method} {path} -> {type(exc).__name__}", ats=ats, ambiguous=method not in SAFE_METHODS
        ) from exc
    if response.status_code in accept:
        return response
    return check_status(response, ats)


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
