"""The database: jobs and their pages, applications and their delivery to an ATS, HR users."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
    func,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db

if TYPE_CHECKING:  # db.Model is built at run time; type checkers see the declarative base it extends
    from app.extensions import Base as Model
else:
    Model = db.Model


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_public_id() -> str:
    return secrets.token_urlsafe(18)


class ValueTooLong(ValueError):
    """A value longer than its column, caught before it reaches the database (PostgreSQL would
    refuse it, SQLite would keep it whole)."""


def column_length(model: type, name: str) -> int | None:
    return getattr(model.__table__.c[name].type, "length", None)  # type: ignore[attr-defined]


def check_lengths(row: Any) -> None:
    """Raise ValueTooLong for the first text value of `row` longer than its column."""
    for column in row.__table__.columns:
        length = getattr(column.type, "length", None)
        value = getattr(row, column.key, None)
        if length and isinstance(value, str) and len(value) > length:
            raise ValueTooLong(f"{row.__tablename__}.{column.key} is longer than {length} characters")


def fit(model: type, name: str, value: str) -> str:
    """`value` cut to the length of the column, for text where the start says enough."""
    length = column_length(model, name)
    return value[:length] if length else value


QUESTION_KINDS = ("short_text", "long_text", "single_select", "multi_select", "yes_no", "url", "file")
EMPLOYMENT_TYPES = (
    "FULL_TIME",
    "PART_TIME",
    "CONTRACTOR",
    "TEMPORARY",
    "INTERN",
    "VOLUNTEER",
    "PER_DIEM",
    "OTHER",
)
WORKPLACES = ("on_site", "hybrid", "remote")  # `Job.remote` stays True exactly for "remote"


class Job(Model):
    """A job opening. `ats_kind`/`ref` tie it to the ATS it was synced from ("local": ours)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ats_kind: Mapped[str] = mapped_column(String(32), default="local")
    ref: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(120), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    workplace: Mapped[str] = mapped_column(String(10), default="on_site")  # one of WORKPLACES
    employment_type: Mapped[str] = mapped_column(String(32), default="FULL_TIME")
    description_html: Mapped[str] = mapped_column(Text, default="")  # sanitised; what pages show
    description_md: Mapped[str] = mapped_column(Text, default="")  # HR's source; "": the HTML is
    language: Mapped[str] = mapped_column(String(8), default="")  # of the text; "": the site's
    salary_min: Mapped[int | None] = mapped_column(Integer)
    salary_max: Mapped[int | None] = mapped_column(Integer)
    salary_currency: Mapped[str] = mapped_column(String(3), default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    resume_required: Mapped[bool] = mapped_column(Boolean, default=True)
    stage: Mapped[str] = mapped_column(String(120), default="")  # ATS stage for new applicants
    source: Mapped[str] = mapped_column(String(120), default="")  # ATS source for new applicants
    notify_emails: Mapped[str] = mapped_column(
        Text, default=""
    )  # HR told of each application, comma-separated
    date_posted: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)  # takes applications from then on
    valid_through: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    questions: Mapped[list[Question]] = relationship(
        back_populates="job", order_by="Question.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("ats_kind", "ref", name="uq_job_ats_ref"),)

    @hybrid_method
    def is_open(self, now: datetime) -> bool:
        """Whether the job takes applications at `now` (naive UTC): published, not closed, from
        its opening date and before its closing date. The listing, job page, form, sitemap and
        JSON-LD all ask this."""
        return (
            self.published
            and not self.closed
            and (self.opens_at is None or self.opens_at <= now)
            and (self.valid_through is None or now < self.valid_through)
        )

    @is_open.expression
    @classmethod
    def _is_open_expression(cls, now: datetime):
        """The same rule as a SQL condition, so a query selects exactly the jobs that are open."""
        return and_(
            cls.published.is_(True),
            cls.closed.is_(False),
            or_(cls.opens_at.is_(None), cls.opens_at <= now),
            or_(cls.valid_through.is_(None), cls.valid_through > now),
        )


class Question(Model):
    """A custom question on a job's application form."""

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="short_text")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    ref: Mapped[str | None] = mapped_column(String(128))  # the ATS's key for this question

    job: Mapped[Job] = relationship(back_populates="questions")


class AtsChoice(Model):
    """A stage or source the target ATS offers for new applicants, as the last job sync found
    it: HR picks from these. Stages belong to one job (each job has its pipeline); sources
    (`job_id` None) to the whole ATS."""

    __tablename__ = "ats_choice"

    id: Mapped[int] = mapped_column(primary_key=True)
    ats_kind: Mapped[str] = mapped_column(String(32))
    list_name: Mapped[str] = mapped_column(String(10))  # "stage" or "source"
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    ref: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(120))
    synced_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LibraryQuestion(Model):
    """A question HR keeps for reuse: adding it to a job copies it, so editing one never
    changes the other."""

    __tablename__ = "library_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="short_text")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class QuestionSet(Model):
    """Library questions HR adds to a job together ("Engineering basics")."""

    __tablename__ = "question_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    items: Mapped[list[QuestionSetItem]] = relationship(
        order_by="QuestionSetItem.position", cascade="all, delete-orphan"
    )

    @property
    def questions(self) -> list[LibraryQuestion]:
        return [item.question for item in self.items]


class QuestionSetItem(Model):
    __tablename__ = "question_set_item"

    set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("library_question.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    question: Mapped[LibraryQuestion] = relationship(
        backref=backref("set_items", cascade="all, delete-orphan")
    )


class Application(Model):
    """One candidate's application, safe in our database before anything else happens."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)  # one per rendered form
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    cover_letter: Mapped[str] = mapped_column(Text, default="")
    resume_key: Mapped[str | None] = mapped_column(String(80))
    resume_filename: Mapped[str] = mapped_column(String(255), default="")
    resume_content_type: Mapped[str] = mapped_column(String(100), default="")
    resume_sha256: Mapped[str] = mapped_column(String(64), default="")
    resume_size: Mapped[int] = mapped_column(Integer, default=0)
    parsed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attribution: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    stage_label: Mapped[str] = mapped_column(String(120), default="")  # as last reported by the ATS
    stage_changed_at: Mapped[datetime | None] = mapped_column(DateTime)  # when the ATS says it changed
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    update_of: Mapped[str | None] = mapped_column(String(32))  # public id of the earlier one it updates

    job: Mapped[Job] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="application", cascade="all, delete-orphan")
    delivery: Mapped[Delivery] = relationship(
        back_populates="application", uselist=False, cascade="all, delete-orphan"
    )
    consents: Mapped[list[ApplicationConsent]] = relationship(
        back_populates="application",
        order_by="ApplicationConsent.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def consent(self, purpose: str) -> ApplicationConsent | None:
        """The consent given for `purpose` ("processing", "future"), or None."""
        return next((c for c in self.consents if c.purpose == purpose), None)

    # The processing consent, which every application has, read as the single consent once was.
    @property
    def consent_text(self) -> str:
        given = self.consent("processing")
        return given.text if given else ""

    @property
    def consent_version(self) -> str:
        given = self.consent("processing")
        return given.version if given else ""

    @property
    def consent_at(self) -> datetime | None:
        given = self.consent("processing")
        return given.given_at if given else None


CONSENT_PURPOSES = ("processing", "future")


class ApplicationConsent(Model):
    """One consent a candidate gave with an application: to process it for this opening
    ("processing", required), or to keep it for future openings ("future", optional). The text
    is the one they read, in their language; `keep_until` is the end of the period that text
    promised, after which the retention task deletes the application unless another of its
    consents runs longer."""

    __tablename__ = "application_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="")
    given_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    keep_until: Mapped[datetime] = mapped_column(DateTime, index=True)

    application: Mapped[Application] = relationship(back_populates="consents")

    __table_args__ = (UniqueConstraint("application_id", "purpose", name="uq_application_consent_purpose"),)


class RetentionTally(Model):
    """What remains of applications the retention task deleted: how many, per job, month
    received, channel they came through and how their delivery ended. No personal data."""

    __tablename__ = "retention_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(Integer, index=True)  # the job may be gone later
    month: Mapped[str] = mapped_column(String(7))  # "2026-11": when the applications were received
    channel: Mapped[str] = mapped_column(String(80))  # "direct", a utm_source or src, a referrer's host
    outcome: Mapped[str] = mapped_column(String(20))  # the delivery's last status
    count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("job_id", "month", "channel", "outcome", name="uq_retention_tally"),)


class Answer(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(String(500))  # the question as the candidate saw it
    value: Mapped[Any] = mapped_column(JSON)  # str, list[str], bool or a file dict

    application: Mapped[Application] = relationship(back_populates="answers")
    question: Mapped[Question | None] = relationship()


class DemographicQuestion(Model):
    """A voluntary self-identification question a job's ATS post asks (EEOC, diversity survey),
    imported by the job sync. Apart from Question: HR does not edit it, it is never required,
    and its answers are kept in their own table."""

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    section: Mapped[str] = mapped_column(String(20))  # where the ATS wants the answer ("eeoc", ...)
    ref: Mapped[str] = mapped_column(String(128))  # the ATS's key for the question
    label: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="single_select")
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # ref, label, free_form

    job: Mapped[Job] = relationship(
        backref=backref(
            "demographic_questions", order_by="DemographicQuestion.position", cascade="all, delete-orphan"
        )
    )


class DemographicAnswer(Model):
    """A candidate's voluntary answer, stored apart from the application: not among its answers,
    not on the HR pages or in exports; read only to send it to the ATS that asked. Goes with
    the application."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(String(20))
    question_ref: Mapped[str] = mapped_column(String(128))
    option_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(String(500), default="")  # the candidate's own words, if any

    application: Mapped[Application] = relationship(
        backref=backref("demographic_answers", cascade="all, delete-orphan")
    )


DELIVERY_STATES = (
    "pending",
    "in_progress",
    "delivered",
    "already_in_ats",
    "failed",
    "needs_review",
    "paused",
)


class Delivery(Model):
    """The delivery of one application to its ATS. This row is the truth; the queue a wake-up."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    target: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    checkpoints: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)  # a worker holds it until then
    # Set by each claim; every later write of the worker is `WHERE claim_token = <its token>`, so a
    # worker whose lease was taken over can no longer change the row.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship(back_populates="delivery")


class ParsedResume(Model):
    """Parse results by the file's SHA-256, kept while a form may still use them (a day): an
    application keeps its own copy in Application.parsed."""

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)  # purged after a day


class WebhookEvent(Model):
    """Event ids an ATS sent us, so a redelivered webhook is processed once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("source", "event_id", name="uq_webhook_event"),)


class Integration(Model):
    """The state of one ATS target: paused after its credentials were refused."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), unique=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str] = mapped_column(Text, default="")
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)


OUTBOX_STATES = ("pending", "sending", "sent", "failed")


class OutboxMessage(Model):
    """One email to one recipient, queued in the transaction that decided to send it; the worker
    sends it. The row is the truth, the queue a wake-up: claimed with a lease and a token like a
    Delivery, marked sent once the SMTP server accepted it. `message_id` stays the same on every
    attempt, so a resend after an attempt whose outcome is unknown (`in_doubt`) is the same
    message to the receiving side, which can recognise it."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # confirmation, new_application, alert
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    application: Mapped[Application | None] = relationship(
        backref=backref(
            "mail", order_by="OutboxMessage.id", cascade="all, delete-orphan", passive_deletes=True
        )
    )


class AlertIncident(Model):
    """An open incident HR was alerted to, e.g. "skailer:failed": while the row exists, no
    further alert of that kind goes out for that target. Deleted when the target recovers."""

    __tablename__ = "alert_incident"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    target: Mapped[str] = mapped_column(String(32), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class User(UserMixin, Model):
    """An HR user of the admin area."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="admin")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of every session's user id: raising it ends every session signed in before.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Set while an invitation waits to be accepted (no password yet); a new one voids the old link.
    invite_nonce: Mapped[str | None] = mapped_column(String(32))
    invited_at: Mapped[datetime | None] = mapped_column(DateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # two-factor on when set
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)  # a code's time step is used once
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A recruiter's jobs and applications are those of these departments (Job.department).
    departments: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # A viewer may download resumes and file answers only when granted.
    can_download: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Sign this user out everywhere: cookies issued so far no longer load the user."""
        self.session_version = (self.session_version or 1) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def invited(self) -> bool:
        """Invited and not yet joined: no password, cannot sign in."""
        return self.invite_nonce is not None

    @property
    def two_factor(self) -> bool:
        return bool(self.totp_secret)

    @property
    def is_active(self) -> bool:
        return self.active


ERASURE_STATES = ("pending", "erasing", "erased", "anonymised", "hr_task", "needs_review", "failed")
ERASURE_OPEN = ("hr_task", "needs_review", "failed")  # a person at the company has to act


class Erasure(Model):
    """A request to erase one application here and in its ATS. It outlives the application:
    it keeps the ATS's ids, copied from the delivery's checkpoints before the local wipe, and
    no personal data but `receipt_to`, the address the receipt goes to, cleared once the
    receipt is queued. Claimed with a lease and a token like a Delivery."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(Integer)  # the wiped application's id, for logs
    target: Mapped[str] = mapped_column(String(32))  # the ATS kind; "" when nothing was ever sent
    job_ref: Mapped[str] = mapped_column(String(128), default="")  # where HR finds the record
    job_title: Mapped[str] = mapped_column(String(200), default="")  # for the receipt
    refs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # the ATS's ids, flat
    requested_by: Mapped[str] = mapped_column(String(20))  # candidate, hr
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    not_before: Mapped[datetime | None] = mapped_column(DateTime)  # a fenced delivery's lease end
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    receipt_to: Mapped[str] = mapped_column(String(254), default="")
    language: Mapped[str] = mapped_column(String(8), default="")  # of the receipt
    done_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    done_at: Mapped[datetime | None] = mapped_column(DateTime)  # HR marked its task done
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def is_open(self) -> bool:
        return self.status in ERASURE_OPEN and self.done_at is None


class Draft(Model):
    """An application saved unfinished: what the candidate typed and their files, reopened by a
    magic link mailed to them. Only the hash of the link's secret is stored, so the database
    cannot open a draft; deleting the row revokes the link."""

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    language: Mapped[str] = mapped_column(String(8), default="")
    typed: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)  # form field -> values sent
    files: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON, default=dict)  # file field -> stored file
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    job: Mapped[Job] = relationship()


class DigestSent(Model):
    """One HR recipient's daily digest of one day, queued: the unique pair makes a second run
    (another worker, a restart) queue nothing more for that day."""

    __tablename__ = "digest_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    day: Mapped[date] = mapped_column(Date)
    application_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("recipient", "day", name="uq_digest_recipient_day"),)


class RecoveryCode(Model):
    """A one-time code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class SignInLock(Model):
    """Failed sign-ins per account name (a hash of the email, known account or not, so a
    lockout tells nothing about which accounts exist) and until when it must wait."""

    __tablename__ = "sign_in_lock"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SecuritySetting(Model):
    """Sign-in rules an admin sets in the browser, e.g. require_two_factor; one row per name."""

    __tablename__ = "security_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class DeliveryAttempt(Model):
    """One entry of a delivery's timeline: an attempt (when it ran, how it ended and why, in words
    HR can act on) or HR's retry. Appended in the transaction that changes the delivery's status
    and never rewritten, so the history survives retries."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20))  # delivered, retry, failed, paused, retried, ...
    reason: Mapped[str] = mapped_column(Text, default="")  # a sentence for HR
    detail: Mapped[str] = mapped_column(Text, default="")  # the technical message: method, path, status

    delivery: Mapped[Delivery] = relationship(
        backref=backref(
            "timeline",
            order_by="DeliveryAttempt.id",
            cascade="all, delete-orphan",
            passive_deletes=True,
        )
    )


# The inbox at volume: duplicates are the same email (in any case) on the same job, looked up per
# page; a job's applications by arrival, and the sorts by name and by job, read in index order.
Index("ix_application_job_email_lower", Application.job_id, func.lower(Application.email))
Index("ix_application_job_created", Application.job_id, Application.created_at)
Index(
    "ix_application_name_lower",
    func.lower(Application.first_name),
    func.lower(Application.last_name),
    Application.created_at,
)
Index("ix_job_title_lower", func.lower(Job.title))


class Setting(Model):
    """A setting HR changed in the browser; it overrides the configured value of `key`.

    `value` is the JSON value, or for a secret the Fernet token of its JSON (never the
    secret itself); `data` holds a file such as the logo."""

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    secret: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SettingChange(Model):
    """Who changed which settings and when: the keys only, never a value."""

    __tablename__ = "setting_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    user_email: Mapped[str] = mapped_column(String(254), default="")
    keys: Mapped[str] = mapped_column(Text, default="")


class AuditRowLocked(RuntimeError):
    """An audit entry was about to be changed or deleted: the log is append-only."""


class AuditEvent(Model):
    """One entry of the audit log: who did what to which object, when, from where. Written in
    the transaction of the action it records; never changed, deleted only by the retention purge
    (see app/audit.py, which refuses every other update or delete through the ORM)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no foreign key: outlives users
    actor_role: Mapped[str] = mapped_column(String(20), default="")  # "system" for tasks
    action: Mapped[str] = mapped_column(String(40), index=True)
    obj_kind: Mapped[str] = mapped_column(String(40), default="")
    obj_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(String(100), default="")  # e.g. the sign-in method
    diff: Mapped[Any] = mapped_column(JSON, nullable=True)  # field -> [before, after], masked
    ip: Mapped[str] = mapped_column(String(45), default="")  # anonymised
    request_id: Mapped[str] = mapped_column(String(64), default="")


Index("ix_audit_event_object", AuditEvent.obj_kind, AuditEvent.obj_id)
