"""Messages from templates: each kind is templates/mail/<kind>.txt (blocks `subject` and
`body`; the subject block is rendered alone, so it imports what it uses itself) and
templates/mail/<kind>.html. Rendered when the message is queued, in the language
of the request that queued it, and stored whole, so every attempt sends the same message."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from jinja2 import Environment

from app.mail.settings import MailSettings


@dataclass(frozen=True)
class Letter:
    """One rendered message to one recipient, not yet queued."""

    kind: str
    to: str
    subject: str
    text: str
    html: str


def render(env: Environment, kind: str, to: str, context: dict[str, Any]) -> Letter:
    plain = env.get_template(f"mail/{kind}.txt")
    subject = "".join(plain.blocks["subject"](plain.new_context(context)))
    return Letter(
        kind=kind,
        to=to,
        subject=" ".join(subject.split())[:300],
        text=plain.render(context).strip() + "\n",
        html=env.get_template(f"mail/{kind}.html").render(context),
    )


def new_message_id(settings: MailSettings) -> str:
    """A Message-ID in the sender's domain, fixed once per queued message."""
    return make_msgid(domain=settings.sender.rpartition("@")[2] or "localhost")


def build_message(
    settings: MailSettings, *, to: str, subject: str, text: str, html: str, message_id: str, date: datetime
) -> EmailMessage:
    """The MIME message: plain text first, HTML as the preferred alternative. Every header,
    the Date too, comes from the stored row, so a resend is the same message."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date.replace(tzinfo=UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message.set_boundary(f"=_{hashlib.sha256(message_id.encode()).hexdigest()[:40]}")  # not random
    return message


def install_null_translations(env: Environment) -> None:
    """Let `{% trans %}` and `_()` render untranslated when no translations are installed
    (Flask-Babel installs the real ones on the same environment)."""
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
