"""Helpers for the account tests: users of any role, signing in step by step, and sending what
the outbox holds through a real SMTP server, as the worker would."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from app.extensions import db
from app.intake import outbox
from app.mail.settings import mail_settings
from app.mail.transport import SmtpTransport
from app.models import OutboxMessage, User
from tests.conftest import PASSWORD, csrf_token_from

LINK = re.compile(r"https?://\S+/admin/\S+")


def make_user(
    app, email: str = "hr@example.com", role: str = "admin", password: str = PASSWORD, **values
) -> int:
    with app.app_context():
        user = User(email=email, role=role, **values)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user.id


def user_row(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def post_form(client, page_url: str, action: str | None = None, **data):
    """GET the page for its CSRF token, then POST the form to `action` (the page by default)."""
    token = csrf_token_from(client.get(page_url).text)
    return client.post(action or page_url, data={"csrf_token": token, **data})


def sign_in(client, email: str = "hr@example.com", password: str = PASSWORD, **kwargs):
    return post_form(client, "/admin/login", email=email, password=password, **kwargs)


def send_outbox(app) -> int:
    """Send every pending message once through the configured SMTP server; how many went."""
    with app.app_context():
        settings = mail_settings(app.config)
        ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending")).all()
        for outbox_id in ids:
            outbox.send_one(db.session(), outbox_id, transport=SmtpTransport(settings), settings=settings)
        return len(ids)


def link_in(received) -> str:
    """The path of the one admin link in a received message's plain text."""
    (link,) = LINK.findall(received.body("plain"))
    assert link in received.body("html")
    return urlsplit(link).path
