"""The rules a new password must meet: long enough, and not one that guessers try first.

Length beats composition rules (NIST SP 800-63B §5.1.1.2): no demands for digits or symbols,
a minimum length, and a check against passwords known from breaches. The list here is small
on purpose, the passwords of at least the minimum length that lead every published list.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.i18n import N_

MIN_LENGTH = 10
MAX_LENGTH = 200  # a hash of a megabyte of text would tie up a web worker
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")

TOO_SHORT = N_("The password needs at least %(count)s characters.")
TOO_LONG = N_("The password may have at most %(count)s characters.")
TOO_COMMON = N_("This password is among the most common ones; choose another.")
LIKE_EMAIL = N_("The password must not be your email address.")
MISMATCH = N_("The two passwords are not the same.")


class WeakPassword(ValueError):
    """A password the rules refuse; `message` is untranslated, `count` fills it in."""

    def __init__(self, message: str, count: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.count = count


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_password(password: str, email: str = "") -> None:
    """Raise WeakPassword for the first rule `password` breaks."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(TOO_SHORT, MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise WeakPassword(TOO_LONG, MAX_LENGTH)
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) <= 2:
        raise WeakPassword(TOO_COMMON)
    if email and folded in (email.lower(), email.lower().partition("@")[0]):
        raise WeakPassword(LIKE_EMAIL)
