"""How long a sign-in lasts: it ends after a while without a request (idle) and, however busy,
after a fixed lifetime, so a browser left signed in does not stay signed in for ever.

The session cookie carries when it was signed in and when it was last seen (epoch seconds);
a session without them was not made by a sign-in of ours and counts as ended.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
TOUCH_EVERY = 60.0  # seconds: the cookie is rewritten at most this often


@dataclass(frozen=True)
class SessionLimits:
    idle: float  # seconds
    lifetime: float  # seconds

    @classmethod
    def from_config(cls, config: Any) -> SessionLimits:
        return cls(
            idle=float(config["SESSION_IDLE_MINUTES"]) * 60,
            lifetime=float(config["SESSION_LIFETIME_HOURS"]) * 3600,
        )


def start(session: MutableMapping[str, Any], now: float) -> None:
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def has_ended(session: MutableMapping[str, Any], now: float, limits: SessionLimits) -> bool:
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in_at, (int, float)) or not isinstance(seen_at, (int, float)):
        return True
    return now - seen_at > limits.idle or now - signed_in_at > limits.lifetime


def touch(session: MutableMapping[str, Any], now: float) -> None:
    """Note the request, without rewriting the cookie on every one."""
    if now - float(session.get(SEEN_AT, 0)) >= TOUCH_EVERY:
        session[SEEN_AT] = now
