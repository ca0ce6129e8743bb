"""Signed, expiring links for email: an invitation to set a first password (72 hours) and a
password reset (1 hour).

A link names the user and a stamp of the state it was made for: the invitation's nonce, or a
digest of the current password hash. The user's row changes when the link is used (the nonce
is cleared, the hash replaced), when an invitation is sent again or revoked, and when the
password is changed any other way; each of these voids the link, so a link works once.
The time of issue is inside the signed data and read against the `now` the caller passes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeSerializer

INVITE = "invite"
RESET = "password-reset"
LIFETIMES = {INVITE: timedelta(hours=72), RESET: timedelta(hours=1)}


class LinkInvalid(Exception):
    """Not a link we made for this purpose, already used, replaced or revoked."""


class LinkExpired(LinkInvalid):
    """A genuine link older than its lifetime."""


@dataclass(frozen=True)
class LinkClaim:
    user_id: int
    stamp: str


def _signer(secret_key: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=f"accounts:{purpose}")


def password_stamp(password_hash: str) -> str:
    """Changes whenever the password does; not the hash itself, which stays out of links."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def make_link(secret_key: str, purpose: str, user_id: int, stamp: str, now: float) -> str:
    return _signer(secret_key, purpose).dumps({"u": user_id, "s": stamp, "t": int(now)})


def read_link(secret_key: str, purpose: str, token: str, now: float) -> LinkClaim:
    """The user and stamp a genuine, unexpired link names. The caller compares the stamp with
    the user's row now."""
    try:
        data = _signer(secret_key, purpose).loads(token)
    except BadSignature as exc:
        raise LinkInvalid(purpose) from exc
    if not (
        isinstance(data, dict)
        and isinstance(data.get("u"), int)
        and isinstance(data.get("s"), str)
        and isinstance(data.get("t"), int)
    ):
        raise LinkInvalid(purpose)
    if now - data["t"] > LIFETIMES[purpose].total_seconds():
        raise LinkExpired(purpose)
    return LinkClaim(data["u"], data["s"])
