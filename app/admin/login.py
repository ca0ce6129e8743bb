"""Checking a sign-in so that it tells nothing about which accounts exist.

An unknown email costs the same password hash as a known one, so the answer's timing does not
say whether the address has an account; and failed attempts are also counted per account (from
any address), in a time window, so a spread-out guesser is slowed without locking HR out for
longer than the window.
"""

from __future__ import annotations

import functools
import hashlib
import secrets

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.models import User


@functools.cache
def _dummy_hash() -> str:
    """A hash made with the same method and cost as real ones, of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(16))


def normalized_email(raw: str | None) -> str:
    return (raw or "").strip().lower()


def authenticate(session: Session, email: str | None, password: str) -> User | None:
    """The active user with this email and password; one password hash whatever the outcome."""
    user = session.scalar(select(User).where(User.email == normalized_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if user.check_password(password) and user.active:
        return user
    return None


def account_key() -> str:
    """The rate-limit key of the account a sign-in names; hashed, so no email reaches the store."""
    email = normalized_email(request.form.get("email"))
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()
