"""The account mails (invitation, password reset), queued in the outbox like every message.

They are written in English, as the HR area is, with the absolute link built from
PUBLIC_BASE_URL, never from the request's host.
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from sqlalchemy.orm import Session

from app.intake.outbox import queue
from app.intake.post import HR_LANGUAGE, Post
from app.mail.letters import render
from app.models import OutboxMessage

INVITE = "invite"
PASSWORD_RESET = "password_reset"


def queue_account_mail(
    session: Session, post: Post, kind: str, to: str, path: str, **context: Any
) -> list[OutboxMessage]:
    """Queue one account mail with its link (`path` under the public base URL); the caller
    commits, then wakes the sender with `post.wake(rows)`."""
    values = {"company": post.company, "base_url": post.base_url, "link": post.base_url + path, **context}
    with force_locale(HR_LANGUAGE):
        letter = render(post.env, kind, to, values)
    return queue(session, post.settings, [letter])
