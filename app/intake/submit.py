"""Taking in one application: the file first, then ONE transaction, then the queue.

A crash before the commit leaves no half application (at most an unreferenced file, which the
sweeper removes); after the commit the application is safe even if the queue is down, because
the sweeper re-enqueues every pending Delivery row.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from app import telemetry
from app.intake.post import Post, current_post
from app.models import (
    Answer,
    Application,
    ApplicationConsent,
    Delivery,
    DemographicAnswer,
    Job,
    OutboxMessage,
    Question,
    check_lengths,
    utcnow,
)
from app.privacy.consents import DEFAULT_MONTHS, Wording, add_months, consent_given
from app.storage import Storage

log = logging.getLogger(__name__)

RESUME_FOLDER = "resumes"
HELD_FOLDER = "held"
ORPHAN_FILE_TTL = 86400  # seconds: a stored file no application names after a day never will


@dataclass(frozen=True)
class Upload:
    """A checked upload: its bytes, or the storage key of a copy held from an earlier attempt."""

    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes | None = field(default=None, repr=False)
    held_key: str | None = None

    @classmethod
    def from_bytes(cls, data: bytes, filename: str, content_type: str) -> Upload:
        return cls(filename, content_type, len(data), hashlib.sha256(data).hexdigest(), data)

    def content(self) -> bytes:
        """The bytes of an upload that is not held (a held one is moved, never read again)."""
        if self.data is None:
            raise ValueError("a held upload's bytes stay in storage")
        return self.data


@dataclass
class NewApplication:
    job: Job
    submission_key: str
    first_name: str
    last_name: str
    email: str
    consent_text: str
    consent_version: str
    phone: str = ""
    url: str = ""
    location: str = ""
    cover_letter: str = ""
    resume: Upload | None = None
    answers: list[tuple[Question, Any]] = field(default_factory=list)  # Upload for file questions
    parsed: dict[str, Any] | None = None
    attribution: dict[str, str] = field(default_factory=dict)
    demographics: list[DemographicAnswer] = field(default_factory=list)  # stored apart, same commit
    update_of: str | None = None  # public id of the candidate's earlier application to this job
    consent_language: str = ""  # the language the candidate read the consents in
    consent_months: int = DEFAULT_MONTHS  # the period the processing consent's text promised
    future_consent: Wording | None = None  # given only when the candidate ticked it

    def consents(self, now: datetime) -> list[ApplicationConsent]:
        """The rows of the consents given: processing always, future openings when ticked."""
        processing = ApplicationConsent(
            purpose="processing",
            text=self.consent_text,
            version=self.consent_version,
            language=self.consent_language,
            given_at=now,
            keep_until=add_months(now, self.consent_months),
        )
        future = [consent_given(self.future_consent, now)] if self.future_consent else []
        return [processing, *future]


def find_by_submission_key(session: Session, key: str) -> Application | None:
    return session.scalar(select(Application).where(Application.submission_key == key))


def recent_application(session: Session, job: Job, email: str, since: datetime) -> Application | None:
    """The candidate's latest application to this job sent after `since`, if any."""
    return session.scalar(
        select(Application)
        .where(Application.job_id == job.id, Application.email == email, Application.created_at >= since)
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(1)
    )


def store_upload(storage: Storage, upload: Upload) -> str:
    if upload.held_key:
        return storage.move(upload.held_key, RESUME_FOLDER)
    return storage.save(upload.content(), folder=RESUME_FOLDER)


def submit(
    session: Session,
    storage: Storage,
    enqueue: Callable[[int], None],
    new: NewApplication,
    *,
    target: str,
    post: Post | None = None,
) -> Application:
    """Store the application, its pending delivery and its mail (the candidate's confirmation,
    HR's notification), then wake the worker.

    `post` defaults to the running app's. A second submit with the same submission_key (a
    double click, a resent POST) returns the application the first one created.
    """
    existing = find_by_submission_key(session, new.submission_key)
    if existing is not None:
        return existing
    post = post or current_post()
    stored: list[str] = []
    mail: list[OutboxMessage] = []
    try:
        application = _build(new, storage, stored, target)
        session.add(application)
        if post is not None:
            session.flush()  # the id and the time received, which the messages show
            mail = post.queue_application(session, application)
        session.commit()
    except IntegrityError:
        session.rollback()
        _discard(storage, stored)
        existing = find_by_submission_key(session, new.submission_key)
        if existing is None:
            raise
        return existing
    except DBAPIError as exc:
        session.rollback()
        # A connection lost during the commit leaves it unknown whether the commit got through:
        # the files stay (the orphan sweep removes them if no application names them).
        if not exc.connection_invalidated:
            _discard(storage, stored)
        raise
    except BaseException:
        session.rollback()
        _discard(storage, stored)
        raise
    telemetry.application_received(target)
    _wake(enqueue, application.id)
    if post is not None:
        post.wake(mail)
    return application


def _build(new: NewApplication, storage: Storage, stored: list[str], target: str) -> Application:
    application = Application(
        submission_key=new.submission_key,
        job=new.job,
        first_name=new.first_name,
        last_name=new.last_name,
        email=new.email,
        phone=new.phone,
        url=new.url,
        location=new.location,
        cover_letter=new.cover_letter,
        parsed=new.parsed,
        attribution=dict(new.attribution),
        update_of=new.update_of,
    )
    application.consents = new.consents(utcnow())
    application.demographic_answers = list(new.demographics)  # type: ignore[attr-defined]
    if new.resume is not None:
        key = store_upload(storage, new.resume)
        stored.append(key)
        application.resume_key = key
        application.resume_filename = new.resume.filename
        application.resume_content_type = new.resume.content_type
        application.resume_sha256 = new.resume.sha256
        application.resume_size = new.resume.size
    for question, value in new.answers:
        if isinstance(value, Upload):
            key = store_upload(storage, value)
            stored.append(key)
            value = {
                "file_key": key,
                "filename": value.filename,
                "content_type": value.content_type,
                "size": value.size,
            }
        application.answers.append(Answer(question=question, label=question.label, value=value))
    application.delivery = Delivery(target=target, status="pending")
    for row in (application, *application.answers, *application.consents):
        check_lengths(row)
    return application


def _discard(storage: Storage, keys: list[str]) -> None:
    for key in keys:
        storage.delete(key)


def _wake(enqueue: Callable[[int], None], application_id: int) -> None:
    try:
        enqueue(application_id)
    except Exception:  # the row is the truth: the sweeper finds it again
        log.warning("queue unavailable; application %s waits for the sweeper", application_id, exc_info=True)


def remove_orphan_files(session: Session, storage: Storage, *, now: float) -> int:
    """Remove what a killed process left behind: writes it never finished, and stored files
    older than a day that no application or answer names (saved, then the transaction never
    committed). The number removed."""
    removed = storage.remove_partial(now=now)
    old = set(storage.older_than(RESUME_FOLDER, now - ORPHAN_FILE_TTL))
    for key in old - stored_keys(session):
        storage.delete(key)
        removed += 1
    return removed


def stored_keys(session: Session) -> set[str]:
    """Every storage key an application or a file answer holds."""
    keys = set(session.scalars(select(Application.resume_key).where(Application.resume_key.is_not(None))))
    file_answers = select(Answer.value).where(cast(Answer.value, String).like('%"file_key"%'))
    for value in session.scalars(file_answers):
        if isinstance(value, dict) and isinstance(value.get("file_key"), str):
            keys.add(value["file_key"])
    return {key for key in keys if key}
