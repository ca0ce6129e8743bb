"""Who is told what: the messages an application or a delivery incident puts in the outbox.

Built once per app (`Post.for_app`) and passed to `submit()`; rendering happens while the
message is queued, so the candidate's confirmation is in the language of their request.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_babel import force_locale, get_locale
from jinja2 import Environment
from sqlalchemy.orm import Session

from app.drafts.links import MAIL_KIND as DRAFT_MAIL
from app.drafts.links import draft_url
from app.i18n import DEFAULT_LANGUAGE
from app.intake.outbox import queue
from app.intake.status_links import status_url
from app.mail.letters import install_null_translations, render
from app.mail.settings import MailSettings, mail_settings
from app.models import Application, Draft, Job, OutboxMessage
from app.settings import current as current_settings
from app.settings.store import HR_RECIPIENTS

log = logging.getLogger(__name__)

EXTENSION = "careers.post"
MAX_SUBSCRIBERS = 20
HR_LANGUAGE = "en"


def no_status_link(application: Application) -> str:
    return ""


@dataclass(frozen=True)
class Post:
    env: Environment
    settings: MailSettings
    company: str
    base_url: str
    hr_recipients: tuple[str, ...]
    enqueue: Callable[[int], None]
    status_link: Callable[[Application], str] = no_status_link  # the candidate's status page
    hr_notify_mode: str = "each"

    @classmethod
    def for_app(cls, app: Flask, enqueue: Callable[[int], None]) -> Post:
        install_null_translations(app.jinja_env)
        return cls(
            env=app.jinja_env,
            settings=mail_settings(app.config),
            company=str(app.config["COMPANY_NAME"]),
            base_url=str(app.config["PUBLIC_BASE_URL"]).rstrip("/"),
            hr_recipients=tuple(addresses(app.config["MAIL_HR_RECIPIENTS"])),
            enqueue=enqueue,
            status_link=lambda application: status_url(
                app, application.id, application.public_id, language=link_language()
            ),
            hr_notify_mode=str(app.config["HR_NOTIFY_MODE"]),
        )

    def queue_application(self, session: Session, application: Application) -> list[OutboxMessage]:
        """The candidate's confirmation with a receipt, and the HR notification per subscriber
        (unless HR reads them in a daily digest instead, app/intake/digest.py)."""
        context = self._context(
            application=application,
            job=application.job,
            receipt=receipt(application),
            status_link=self.status_link(application),
        )
        letters = [render(self.env, "confirmation", application.email, context)]
        if self.hr_notify_mode == "daily":
            return queue(session, self.settings, letters, application)
        with force_locale(HR_LANGUAGE):  # HR reads English, as in the admin area
            letters += [
                render(self.env, "new_application", to, context) for to in subscribers(application.job, self)
            ]
        return queue(session, self.settings, letters, application)

    def queue_status_links(
        self, session: Session, to: str, applications: Sequence[Application]
    ) -> list[OutboxMessage]:
        """One message with a status link for each application (newest first). It goes with the
        newest application, so erasing that one takes the message along."""
        links = [(application, self.status_link(application)) for application in applications]
        letter = render(self.env, "status_links", to, self._context(links=links))
        return queue(session, self.settings, [letter], applications[0])

    def queue_alert(
        self, session: Session, *, target: str, kind: str, application_id: int, error: str
    ) -> list[OutboxMessage]:
        context = self._context(target=target, kind=kind, application_id=application_id, error=error)
        with force_locale(HR_LANGUAGE):
            letters = [render(self.env, "alert", to, context) for to in self.hr()]
        return queue(session, self.settings, letters)

    def queue_draft(self, session: Session, draft: Draft, secret: str) -> list[OutboxMessage]:
        """The candidate's link to their saved draft, in the language of the request saving it."""
        link = draft_url(self.base_url, draft.language, draft.job.id, secret)
        context = self._context(job=draft.job, link=link, expires_at=draft.expires_at)
        return queue(session, self.settings, [render(self.env, DRAFT_MAIL, draft.email, context)])

    def queue_digest(
        self, session: Session, recipient: str, day: date, jobs: Sequence[tuple[Job, Sequence[Application]]]
    ) -> list[OutboxMessage]:
        """One HR recipient's digest of the applications of `day`, by job."""
        context = self._context(day=day, jobs=jobs, count=sum(len(rows) for _job, rows in jobs))
        with force_locale(HR_LANGUAGE):
            letter = render(self.env, "digest", recipient, context)
        return queue(session, self.settings, [letter])

    def hr(self) -> list[str]:
        """The site-wide HR addresses: as saved in Settings, else as configured."""
        site = current_settings() if has_app_context() else None
        if site is not None and site.is_saved(HR_RECIPIENTS):
            return addresses(site.hr_recipients)
        return list(self.hr_recipients)

    def wake(self, rows: Iterable[OutboxMessage]) -> None:
        for row in rows:
            try:
                self.enqueue(row.id)
            except Exception:  # the row is the truth: the sweep finds it again
                log.warning("queue unavailable; mail %s waits for the sweep", row.id, exc_info=True)

    def _context(self, **values: Any) -> dict[str, Any]:
        return {"company": self.company, "base_url": self.base_url, **values}


def current_post() -> Post | None:
    """The running app's Post, for callers that were not handed one."""
    return current_app.extensions.get(EXTENSION) if has_app_context() else None


def link_language() -> str:
    """The language the message is written in, for its links to open in it; none for English
    (the unprefixed address, where the browser's language decides)."""
    locale = get_locale()
    language = locale.language if locale else DEFAULT_LANGUAGE
    return "" if language == DEFAULT_LANGUAGE else language


def addresses(raw: str | Sequence[str]) -> list[str]:
    """Addresses from a list or from text separated by commas, semicolons or spaces; once each."""
    items = re.split(r"[\s,;]+", raw) if isinstance(raw, str) else list(raw)
    found: list[str] = []
    for item in items:
        item = item.strip().lower()
        if "@" in item and len(item) <= 254 and item not in found:
            found.append(item)
    return found[:MAX_SUBSCRIBERS]


def subscribers(job: Job, post: Post) -> list[str]:
    """The job's own subscribers, else the site-wide HR recipients."""
    return addresses(job.notify_emails or "") or post.hr()


def receipt(application: Application) -> list[tuple[str, str]]:
    """What the candidate sent, as (field, value) pairs; the resume by its file name only."""
    rows = [
        ("first_name", application.first_name),
        ("last_name", application.last_name),
        ("email", application.email),
        ("phone", application.phone),
        ("url", application.url),
        ("location", application.location),
        ("resume", application.resume_filename if application.resume_key else ""),
        ("cover_letter", application.cover_letter),
    ]
    return [(name, value) for name, value in rows if value]
