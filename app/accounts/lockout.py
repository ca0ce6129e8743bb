"""Failed sign-ins per account, with a delay that grows: after `after` failures in a row the
account waits `first` seconds, then twice as long after each further failure, up to `longest`.

The row is keyed by a hash of the email as typed (normalised), whether or not an account has
that email, so a lockout answers the same for every address and tells nothing about which
accounts exist. A successful sign-in, or a password set through a link, clears the row.
Time is the caller's `now` (naive UTC).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import SignInLock

log = logging.getLogger(__name__)

FORGET_AFTER = timedelta(days=1)  # a failure this old no longer counts


@dataclass(frozen=True)
class LockoutPolicy:
    after: int = 5
    first: float = 30.0
    longest: float = 3600.0

    @classmethod
    def from_config(cls, config: Any) -> LockoutPolicy:
        return cls(
            after=int(config["LOGIN_LOCKOUT_AFTER"]),
            first=float(config["LOGIN_LOCKOUT_SECONDS"]),
            longest=float(config["LOGIN_LOCKOUT_MAX_SECONDS"]),
        )

    def delay(self, failures: int) -> float:
        """Seconds to wait after this many failures in a row (0 below the threshold)."""
        if failures < self.after:
            return 0.0
        return min(self.longest, self.first * 2 ** min(failures - self.after, 30))


def lock_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def wait_seconds(session: Session, email: str, now: datetime) -> float:
    """How long this account must still wait before a password is even checked (0: not)."""
    row = session.get(SignInLock, lock_key(email))
    if row is None or row.locked_until is None or row.locked_until <= now:
        return 0.0
    return (row.locked_until - now).total_seconds()


def note_failure(session: Session, email: str, now: datetime, policy: LockoutPolicy) -> float:
    """Count a failure and commit; the delay it starts (0 below the threshold)."""
    key = lock_key(email)
    for _ in range(2):  # a second request may have added the row first
        row = session.get(SignInLock, key)
        if row is None:
            row = SignInLock(key=key, failures=0)
            session.add(row)
        elif now - row.last_failed_at > FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failed_at = now
        delay = policy.delay(row.failures)
        row.locked_until = now + timedelta(seconds=delay) if delay else None
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            continue
        return delay
    return 0.0


def clear_failures(session: Session, email: str) -> None:
    """Forget the failures of this account (the caller commits)."""
    session.execute(delete(SignInLock).where(SignInLock.key == lock_key(email)))
