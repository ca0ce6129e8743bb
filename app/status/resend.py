"""Sending the status links again to the address that applied, telling nobody else anything.

Whoever asks sees the same answer whether or not the address applied; only the mailbox learns
it. Requests are limited per client address and per email address (the latter hashed, so no
address reaches the limiter's store).
"""

from __future__ import annotations

import hashlib

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from app.intake.post import Post
from app.models import Application

MAX_LISTED = 50  # the newest ones; an address with more is a test account or a robot


class LinksForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter an email address like name@example.com."), check_deliverability=False),
            Length(max=254),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


def normalized(email: str | None) -> str:
    """As the apply form stores it."""
    return (email or "").strip().lower()


def email_key() -> str:
    """The rate-limit key of the address a request names."""
    digest = hashlib.sha256(normalized(request.form.get("email")).encode()).hexdigest()
    return "status-links:" + digest


def send_links(session: Session, post: Post, email: str) -> None:
    """Queue one message listing every application from `email`; nothing when there is none."""
    applications = list(
        session.scalars(
            select(Application)
            .where(Application.email == normalized(email))
            .order_by(Application.created_at.desc(), Application.id.desc())
            .limit(MAX_LISTED)
        )
    )
    if not applications:
        return
    rows = post.queue_status_links(session, applications[0].email, applications)
    session.commit()
    post.wake(rows)
