"""Joining by invitation, and setting a password through an emailed link.

An invited user is a row with a role and no password, holding the nonce its link was made
for: sending the invitation again makes a new nonce (the old link stops working), revoking
deletes the row, and accepting sets the password and clears the nonce.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import tokens
from app.accounts.lockout import clear_failures
from app.accounts.passwords import check_password
from app.models import User

log = logging.getLogger(__name__)

ROLES = ("admin", "recruiter", "viewer")


class AlreadyMember(Exception):
    """The address already belongs to a user who has joined."""


def normalized_email(raw: str | None) -> str:
    return (raw or "").strip().lower()


def invite(session: Session, email: str, role: str, now: datetime) -> User:
    """A pending user for `email` with a fresh link nonce; an open invitation is renewed with
    the role given. The caller commits and sends the link."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    email = normalized_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is not None and not user.invited:
        raise AlreadyMember()
    if user is None:
        user = User(email=email, role=role, password_hash="", active=True)
        session.add(user)
    user.role = role
    renew(user, now)
    return user


def renew(user: User, now: datetime) -> None:
    """A new nonce for a resent invitation: links sent before no longer work."""
    user.invite_nonce = secrets.token_hex(16)
    user.invited_at = now


def revoke(session: Session, user: User) -> None:
    if not user.invited:
        raise AlreadyMember()
    session.delete(user)


def invite_link_token(secret_key: str, user: User, now: float) -> str:
    assert user.invite_nonce is not None
    return tokens.make_link(secret_key, tokens.INVITE, user.id, user.invite_nonce, now)


def reset_link_token(secret_key: str, user: User, now: float) -> str:
    return tokens.make_link(secret_key, tokens.RESET, user.id, tokens.password_stamp(user.password_hash), now)


def invited_user(session: Session, secret_key: str, token: str, now: float) -> User:
    """The user a live invitation link is for; raise tokens.LinkInvalid (or LinkExpired)."""
    claim = tokens.read_link(secret_key, tokens.INVITE, token, now)
    user = session.get(User, claim.user_id)
    if (
        user is None
        or user.invite_nonce is None
        or not secrets.compare_digest(user.invite_nonce, claim.stamp)
    ):
        raise tokens.LinkInvalid(tokens.INVITE)
    return user


def resetting_user(session: Session, secret_key: str, token: str, now: float) -> User:
    """The user a live reset link is for: unused, and made for the password they have now."""
    claim = tokens.read_link(secret_key, tokens.RESET, token, now)
    user = session.get(User, claim.user_id)
    if (
        user is None
        or not user.active
        or user.invited
        or not secrets.compare_digest(tokens.password_stamp(user.password_hash), claim.stamp)
    ):
        raise tokens.LinkInvalid(tokens.RESET)
    return user


def reset_candidate(session: Session, email: str) -> User | None:
    """Who a reset request may mail: an active user who has joined. None says nothing to the
    asker, who gets the same answer either way."""
    user = session.scalar(select(User).where(User.email == normalized_email(email)))
    if user is None or not user.active or user.invited:
        return None
    return user


def set_new_password(session: Session, user: User, password: str) -> None:
    """Check the rules (raises WeakPassword), store the hash, end every session and open a
    locked account: the link proved the mailbox. The link used is void from here on."""
    check_password(password, user.email)
    user.set_password(password)
    user.invite_nonce = None
    clear_failures(session, user.email)
    log.info("password set through a link for user %s", user.id)
