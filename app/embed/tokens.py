"""The embed form's token and the request checks that replace cookie-bound CSRF in the iframe.

A token is signed with the app's secret, expires after two hours, and is bound to one job and
one host origin. Its nonce is also the form's submission key, so the application row it creates
(unique submission_key) is what marks it used: single use needs no table of its own.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from werkzeug.wrappers import Request

from app.i18n import N_

TOKEN_SECONDS = 2 * 3600
SALT = "embed-apply"


class TokenRejected(ValueError):
    """Why an embed submission is refused; `code` goes to the host in an `error` message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class EmbedToken:
    job_id: int
    origin: str
    nonce: str


def _serializer(secret_key: str, now: Callable[[], float]) -> URLSafeTimedSerializer:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now())

    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=ClockSigner)


def issue_token(
    secret_key: str, job_id: int, origin: str, *, now: Callable[[], float] = time.time
) -> tuple[str, EmbedToken]:
    token = EmbedToken(job_id, origin, secrets.token_hex(16))
    signed = _serializer(secret_key, now).dumps({"j": job_id, "o": origin, "n": token.nonce})
    return signed, token


def read_token(
    secret_key: str,
    signed: str | None,
    *,
    job_id: int | None,
    origin: str | None,
    now: Callable[[], float] = time.time,
) -> EmbedToken:
    """The token's claims if it is genuine, fresh and made for this job and host; else TokenRejected.

    job_id/origin None: any job, any host (the autofill endpoint, which does not consume it).
    """
    if not signed:
        raise TokenRejected("token_missing", N_("The form is missing its security token."))
    serializer = _serializer(secret_key, now)
    try:
        claims = serializer.loads(signed, max_age=TOKEN_SECONDS)
    except SignatureExpired as exc:
        # Genuine but old: "expired" is only said of a token made for this job and host, so
        # the caller may offer the same form again with a new one.
        _check_bound(serializer.loads(signed), job_id, origin)
        raise TokenRejected("token_expired", N_("This form was open too long.")) from exc
    except BadSignature as exc:
        raise TokenRejected("token_invalid", N_("The form's security token is not valid.")) from exc
    _check_bound(claims, job_id, origin)
    return EmbedToken(claims["j"], claims["o"], str(claims["n"]))


def _check_bound(claims: dict[str, object], job_id: int | None, origin: str | None) -> None:
    if job_id is not None and claims.get("j") != job_id or origin is not None and claims.get("o") != origin:
        raise TokenRejected("token_invalid", N_("The form's security token is for another form."))


def check_same_origin(own_origin: str, origin_header: str | None, fetch_site: str | None) -> None:
    """The POST must come from a page of our own origin (the iframe), never from another site.

    At least one of Origin and Sec-Fetch-Site must be present; each one present must agree.
    """
    if origin_header is None and fetch_site is None:
        raise TokenRejected("origin_missing", N_("The request does not say where it comes from."))
    if origin_header is not None and origin_header != own_origin:
        raise TokenRejected("origin_mismatch", N_("The request comes from another site."))
    if fetch_site is not None and fetch_site != "same-origin":
        raise TokenRejected("origin_mismatch", N_("The request comes from another site."))


def own_origin(request: Request) -> str:
    return request.host_url.rstrip("/")


def allows_autofill(
    request: Request,
    secret_key: str,
    allowed_origins: Collection[str],
    *,
    now: Callable[[], float] = time.time,
) -> bool:
    """A cookie-less iframe may call the autofill endpoint with its form's token (not consumed):
    one that is genuine and fresh, sent from a page of our own origin, for a host HR still allows."""
    try:
        check_same_origin(
            own_origin(request), request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site")
        )
        token = read_token(
            secret_key, request.headers.get("X-Embed-Token"), job_id=None, origin=None, now=now
        )
    except TokenRejected:
        return False
    return token.origin in allowed_origins
