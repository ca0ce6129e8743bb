"""Time-based one-time codes (RFC 6238, what authenticator apps speak) and recovery codes.

A code is accepted for the time step it was made in and one step either side (clock drift),
and only for a step later than the last one accepted: a code seen over a shoulder or caught
in transit cannot be used again, not even within its own 30 seconds.

Recovery codes are random (about 50 bits each), so a plain SHA-256 keeps them as safe as a
slow password hash would, and checking one costs nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from app.models import RecoveryCode, User

DRIFT_STEPS = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


class CodeRefused(Exception):
    """Not a current code of this user, or one already used."""


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG: no image request, nothing for the CSP to allow."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, dark="#1d2430", light="#ffffff"))


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step `code` belongs to, within the allowed drift of `now`; None if none."""
    code = _clean(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def check_code(secret: str, code: str, now: float, last_step: int | None) -> int:
    """The step of a valid, unused code; raise CodeRefused otherwise."""
    step = matching_step(secret, code, now)
    if step is None or (last_step is not None and step <= last_step):
        raise CodeRefused()
    return step


def use_code(session: Session, user: User, code: str, now: float) -> None:
    """Accept the user's current code once (the caller commits). The step is recorded by a
    conditional write, so two requests racing with the same code cannot both pass."""
    if not user.totp_secret:
        raise CodeRefused()
    step = check_code(user.totp_secret, code, now, user.totp_last_counter)
    taken = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_counter.is_(None), User.totp_last_counter < step))
        .values(totp_last_counter=step)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(taken) != 1:
        raise CodeRefused()
    user.totp_last_counter = step


def _digest(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def new_recovery_codes(
    session: Session, user: User, choice: Callable[[str], str] = secrets.choice
) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returned once, to be shown once."""
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    return codes


def use_recovery_code(session: Session, user: User, code: str, now: datetime) -> None:
    """Spend one unused recovery code of the user (the caller commits)."""
    if len(_clean(code)) != 10:
        raise CodeRefused()
    spent = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(spent) != 1:
        raise CodeRefused()


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def recovery_codes_left(session: Session, user: User) -> int:
    rows = session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return len(list(rows))


def turn_off(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_last_counter = None
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
