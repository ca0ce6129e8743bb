"""HR's daily digest: with HR_NOTIFY_MODE "daily", each recipient gets one message a day listing
the new applications of the day before (UTC), by job, instead of one message per application.

What was digested is recorded: a DigestSent row per recipient and day, committed with the queued
message, so a run after a worker restart, or on a second worker, queues nothing more for that
day (the unique pair refuses a concurrent second row). The message itself then goes through the
outbox, which never loses it and never sends it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.intake.post import Post, subscribers
from app.models import Application, DigestSent, Job, OutboxMessage

log = logging.getLogger(__name__)

CATCH_UP_DAYS = 3  # days before yesterday still digested after a worker was down over midnight

ByJob = list[tuple[Job, list[Application]]]


def send_digests(session: Session, post: Post, *, now: datetime) -> int:
    """Queue every digest due at `now` (naive UTC) and not queued before; the number queued."""
    if post.hr_notify_mode != "daily":
        return 0
    today = now.date()
    return sum(
        digest_day(session, post, today - timedelta(days=back)) for back in range(CATCH_UP_DAYS + 1, 0, -1)
    )


def digest_day(session: Session, post: Post, day: date) -> int:
    """Queue the digests of one day for the recipients that have none for it yet."""
    done = set(session.scalars(select(DigestSent.recipient).where(DigestSent.day == day)))
    queued = 0
    for recipient, jobs in by_recipient(session, post, day).items():
        if recipient in done:
            continue
        mail = post.queue_digest(session, recipient, day, jobs)
        ids = [application.id for _job, applications in jobs for application in applications]
        session.add(DigestSent(recipient=recipient, day=day, application_ids=ids))
        try:
            session.commit()
        except IntegrityError:  # another worker queued this one first
            session.rollback()
            continue
        post.wake(mail)
        queued += 1
    if queued:
        log.info("queued %d HR digests of %s", queued, day.isoformat())
    return queued


def by_recipient(session: Session, post: Post, day: date) -> dict[str, ByJob]:
    """Each recipient's applications of `day`, by job, leaving out those the recipient heard of
    one by one (sent while the mode was "each")."""
    start = datetime.combine(day, time.min)
    applications = list(
        session.scalars(
            select(Application)
            .where(Application.created_at >= start, Application.created_at < start + timedelta(days=1))
            .order_by(Application.job_id, Application.created_at, Application.id)
        )
    )
    told = notified_singly(session, [a.id for a in applications])
    found: dict[str, dict[int, tuple[Job, list[Application]]]] = {}
    for application in applications:
        for recipient in subscribers(application.job, post):
            if (application.id, recipient) in told:
                continue
            jobs = found.setdefault(recipient, {})
            jobs.setdefault(application.job_id, (application.job, []))[1].append(application)
    return {recipient: list(jobs.values()) for recipient, jobs in found.items()}


def notified_singly(session: Session, application_ids: Sequence[int]) -> set[tuple[int, str]]:
    rows = session.execute(
        select(OutboxMessage.application_id, OutboxMessage.to_address).where(
            OutboxMessage.kind == "new_application", OutboxMessage.application_id.in_(application_ids)
        )
    )
    return {(application_id, address) for application_id, address in rows if application_id is not None}
