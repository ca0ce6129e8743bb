"""Delivering one application: claim its Delivery row, run the adapter's steps, record the outcome.

The row is the truth. A worker claims it with a lease (so two workers never run the same
delivery), saves every checkpoint before the next step, and leaves it pending with a
`next_attempt_at` when it must try again later.

A lease can still run out under a worker that is alive but stalled (a long wait in the shared
rate limiter, a paused process); another worker then claims the row and may finish it. So each
claim stores a fresh token, and every later write of the worker (checkpoints, lease renewals,
the final status) is an UPDATE matching that token. A write that matches no row means the
delivery is no longer ours: the worker stops at once (`LostClaim`), sends nothing more and
leaves the row to its new holder. While it waits in a limiter its lease is renewed the same
way, and checked once more when the wait ends, just before the request leaves.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.ats import ratelimit
from app.ats.base import (
    AlreadyInAts,
    AtsAdapter,
    AuthError,
    NeedsReviewError,
    PermanentError,
    Resume,
    RetryableError,
    Submission,
)
from app.ats.base import (
    Answer as AtsAnswer,
)
from app.intake import timeline
from app.intake.rendition import fit_resume
from app.intake.runner import INFLIGHT, Abandon, AfterStep, Checkpoints, backoff_delay, describe, run_steps
from app.models import Application, Delivery, Integration, utcnow
from app.storage import Storage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Policy:
    max_attempts: int = MAX_ATTEMPTS
    backoff_base: float = 30.0
    backoff_cap: float = 3600.0
    # How long a worker may hold a delivery before others take over. Keep it well above one
    # request's timeouts: a request already sent cannot be called back when the lease ends.
    lease: timedelta = LEASE


@dataclass(frozen=True)
class Outcome:
    status: str  # delivered, already_in_ats, retry, failed, needs_review, paused, skipped, lost
    delay: float | None = None  # seconds until the next attempt, for "retry"


class LostClaim(Abandon):
    """Another worker claimed the delivery after this one's lease ran out: stop, write nothing."""


def new_claim_token() -> str:
    return secrets.token_hex(16)


def claim(
    session: Session,
    delivery_id: int,
    now: datetime,
    lease: timedelta = LEASE,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    new_token: Callable[[], str] = new_claim_token,
) -> str | None:
    """Take the row for this worker and return the token its later writes must carry.

    None when the row is finished, held by another worker, or out of attempts. A row out of
    attempts (its last worker died mid-way, or crashed the same way each time) is marked failed
    here, so the sweeper cannot run it forever.
    """
    return claim_row(
        session,
        Delivery,
        delivery_id,
        now,
        busy="in_progress",
        lease=lease,
        max_attempts=max_attempts,
        token=new_token(),
        gave_up={"last_error": _gave_up(max_attempts)},
        on_gave_up=lambda: session.add(timeline.never_finished(max_attempts).row(delivery_id, now, now)),
    )


def claim_row(
    session: Session,
    model: Any,
    row_id: int,
    now: datetime,
    *,
    busy: str,
    lease: timedelta,
    max_attempts: int,
    token: str,
    taken: dict[str, Any] | None = None,
    gave_up: dict[str, Any] | None = None,
    on_gave_up: Callable[[], None] | None = None,
) -> str | None:
    """The claim shared by queued work kept as rows (deliveries, outgoing mail): a pending row,
    or a `busy` one whose lease ran out, becomes `busy` under a new lease and `token`, and an
    attempt is counted; a claimable row out of attempts is marked failed instead. `taken` and
    `gave_up` add columns to either update; `on_gave_up` adds rows to the transaction that
    marks the row failed. Returns the token, or None when not taken."""
    claimable = and_(
        model.id == row_id,
        or_(model.status == "pending", (model.status == busy) & (model.lease_until < now)),
    )
    got = _rowcount(
        session.execute(
            update(model)
            .where(claimable, model.attempts < max_attempts)
            .values(
                status=busy,
                lease_until=now + lease,
                attempts=model.attempts + 1,
                claim_token=token,
                **(taken or {}),
            )
            .execution_options(synchronize_session=False)
        )
    )
    if not got:
        failed = session.execute(
            update(model)
            .where(claimable, model.attempts >= max_attempts)
            .values(status="failed", lease_until=None, claim_token=None, **(gave_up or {}))
            .execution_options(synchronize_session=False)
        )
        if on_gave_up is not None and _rowcount(failed):
            on_gave_up()
    session.commit()
    return token if got else None


def _gave_up(attempts: int) -> Any:
    """The row's last error, followed by why it stops now (an SQL expression)."""
    note = f"gave up after {attempts} attempts; the last one did not finish"
    return case(
        (Delivery.last_error == "", literal(note)),
        else_=Delivery.last_error + literal(f" ({note})"),
    )


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


@dataclass(frozen=True)
class Hold:
    """This worker's claim on one delivery. Every write goes through `write`, fenced by the token."""

    session: Session
    delivery_id: int
    token: str
    now: Callable[[], datetime]
    lease: timedelta
    started_at: datetime | None = None  # when this attempt claimed the row, for its timeline entry

    def write(self, **values: Any) -> None:
        result = self.session.execute(
            update(Delivery)
            .where(Delivery.id == self.delivery_id, Delivery.claim_token == self.token)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if _rowcount(result) != 1:
            self.session.rollback()
            raise LostClaim(f"delivery {self.delivery_id} is held by another worker")
        self.session.commit()

    def save(self, checkpoints: Checkpoints) -> None:
        """Each checkpoint renews the lease too, so a long delivery is not taken over mid-way."""
        self.write(checkpoints=dict(checkpoints), lease_until=self.now() + self.lease)

    def renew(self) -> None:
        self.write(lease_until=self.now() + self.lease)

    def release(self, status: str, entry: timeline.Entry | None = None, **values: Any) -> None:
        """End the attempt; its timeline entry is committed with the status or not at all."""
        if entry is not None:
            ended_at = self.now()
            self.session.add(entry.row(self.delivery_id, self.started_at or ended_at, ended_at))
        self.write(status=status, lease_until=None, claim_token=None, **values)


def deliver(
    session: Session,
    application_id: int,
    *,
    adapter: AtsAdapter,
    storage: Storage,
    policy: Policy = Policy(),
    now: Callable[[], datetime] = utcnow,
    jitter: Callable[[], float] = random.random,
    after_step: AfterStep | None = None,
    parse: Callable[[Session, bytes, str], dict] | None = None,
) -> Outcome:
    """Deliver one application once; `parse(session, data, sha256)` fills `parsed` first.

    "lost" means this worker's lease ran out and another worker claimed the delivery: this one
    stopped without sending more or writing anything.
    """
    delivery = session.scalar(select(Delivery).where(Delivery.application_id == application_id))
    if delivery is None or is_paused(session, delivery.target):
        return Outcome("skipped")
    if delivery.next_attempt_at and delivery.next_attempt_at > now() and delivery.status == "pending":
        return Outcome("skipped")
    started_at = now()
    token = claim(session, delivery.id, started_at, policy.lease, max_attempts=policy.max_attempts)
    if token is None:
        return Outcome("skipped")
    session.refresh(delivery)
    hold = Hold(session, delivery.id, token, now, policy.lease, started_at)
    try:
        return _attempt(hold, delivery, adapter, storage, policy, jitter, after_step, parse or parse_cached)
    except LostClaim:
        log.warning("delivery %s was claimed by another worker; this one stopped", hold.delivery_id)
        return Outcome("lost")


def _attempt(
    hold: Hold,
    delivery: Delivery,
    adapter: AtsAdapter,
    storage: Storage,
    policy: Policy,
    jitter: Callable[[], float],
    after_step: AfterStep | None,
    parse: Callable[[Session, bytes, str], dict],
) -> Outcome:
    session, now = hold.session, hold.now
    try:
        ensure_parsed(session, delivery.application, storage, parse)
        submission, checkpoints = submission_for(adapter, delivery, storage)
        with ratelimit.heartbeat(hold.renew, every=policy.lease.total_seconds() / 3):
            run_steps(adapter, submission, checkpoints, hold.save, after_step=after_step)
    except Abandon:
        raise
    except RetryableError as exc:
        return _retry_later(hold, delivery, exc, policy, jitter)
    except AlreadyInAts as exc:
        hold.release("already_in_ats", timeline.stopped(exc), delivered_at=now(), last_error=str(exc))
        return Outcome("already_in_ats")
    except AuthError as exc:
        _pause(hold, delivery, exc)
        return Outcome("paused")
    except NeedsReviewError as exc:
        return _finish(hold, "needs_review", str(exc), timeline.stopped(exc))
    except PermanentError as exc:  # StepCrashed too: a vendor body we could not read
        return _finish(hold, "failed", str(exc), timeline.stopped(exc))
    except Exception as exc:  # noqa: BLE001 - recorded on the row, bounded by the attempts
        session.rollback()  # a failed flush leaves the session unusable until then
        log.warning("delivery %s: unexpected %s outside the steps", hold.delivery_id, describe(exc))
        unexpected = RetryableError(f"{delivery.target}: unexpected {describe(exc)}", ats=delivery.target)
        return _retry_later(hold, delivery, unexpected, policy, jitter, ours=True)
    hold.release("delivered", timeline.delivered(), delivered_at=now(), last_error="")
    return Outcome("delivered")


NOTE_PREFIX = "note:"


def delivery_notes(checkpoints: Checkpoints | None) -> dict[str, str]:
    """What the adapters told HR about this delivery: ids named `note:<topic>` in any step's ids.

    A step returns such a key for something HR should know although nothing failed, e.g. that a
    returning applicant's new resume went in as a link because the ATS keeps one CV per person.
    """
    notes: dict[str, str] = {}
    for ids in (checkpoints or {}).values():
        if not isinstance(ids, dict):
            continue
        for key, value in ids.items():
            if key.startswith(NOTE_PREFIX):
                topic = key.removeprefix(NOTE_PREFIX)
                notes[topic] = f"{notes[topic]} {value}" if topic in notes else value
    return notes


def _retry_later(
    hold: Hold,
    delivery: Delivery,
    exc: RetryableError,
    policy: Policy,
    jitter: Callable[[], float],
    *,
    ours: bool = False,
) -> Outcome:
    """`ours`: the error came from our own code outside the steps, not from the ATS."""
    if delivery.attempts >= policy.max_attempts:
        error = f"{exc} (gave up after {delivery.attempts} attempts)"
        return _finish(hold, "failed", error, timeline.gave_up(exc, delivery.attempts, ours=ours))
    delay = backoff_delay(delivery.attempts, base=policy.backoff_base, cap=policy.backoff_cap, jitter=jitter)
    if exc.retry_after is not None:
        delay = max(delay, exc.retry_after)
    at = hold.now() + timedelta(seconds=delay)
    hold.release("pending", timeline.retry_later(exc, at, ours=ours), last_error=str(exc), next_attempt_at=at)
    return Outcome("retry", delay)


def _finish(hold: Hold, status: str, error: str, entry: timeline.Entry) -> Outcome:
    hold.release(status, entry, last_error=error)
    log.warning("delivery %s ended %s: %s", hold.delivery_id, status, error)
    return Outcome(status)


def _pause(hold: Hold, delivery: Delivery, exc: AuthError) -> None:
    """Back to pending without using up an attempt: it resumes when HR fixes the credentials.

    The target is paused first, so no moment exists in which the row is pending again while
    the target is not yet paused (a sweep then would send it straight back to the refusal);
    the renewal before it makes sure a worker that lost the row pauses nothing."""
    hold.renew()
    pause_integration(hold.session, delivery.target, str(exc), hold.now())
    hold.release(
        "pending", timeline.stopped(exc), last_error=str(exc), attempts=max(0, delivery.attempts - 1)
    )


def pause_integration(session: Session, kind: str, reason: str, at: datetime) -> None:
    """Mark the target paused. Two workers refused at once may both find no row and insert one;
    the second insert breaks the unique kind, and that worker updates the first one's row."""
    values = {"paused": True, "paused_reason": reason, "paused_at": at}
    if session.scalar(select(Integration.id).where(Integration.kind == kind)) is None:
        session.add(Integration(kind=kind, **values))
        try:
            session.commit()
            return
        except IntegrityError:
            session.rollback()
    session.execute(update(Integration).where(Integration.kind == kind).values(**values))
    session.commit()


def is_paused(session: Session, kind: str) -> bool:
    return bool(session.scalar(select(Integration.paused).where(Integration.kind == kind)))


def resume_integration(session: Session, kind: str) -> None:
    integration = session.scalar(select(Integration).where(Integration.kind == kind))
    if integration is not None:
        integration.paused = False
        integration.paused_reason = ""
        session.commit()


def retry_now(session: Session, delivery: Delivery, now: Callable[[], datetime] = utcnow) -> None:
    """HR's Retry button: a failed or reviewed delivery goes back to pending with fresh attempts.

    Retrying a delivery that needed review means HR checked the ATS and found no application:
    the unknown create is forgotten, or the next attempt would ask for review again at once.
    The timeline keeps every earlier attempt and gains an entry saying HR retried.
    """
    at = now()
    session.add(timeline.retried_by_hr().row(delivery.id, at, at))
    if delivery.status == "needs_review" and INFLIGHT in (delivery.checkpoints or {}):
        delivery.checkpoints = {k: v for k, v in delivery.checkpoints.items() if k != INFLIGHT}
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = None
    delivery.lease_until = None
    delivery.claim_token = None  # a worker still running an old attempt can write nothing more
    session.commit()


def due_deliveries(session: Session, now: datetime) -> list[int]:
    """Applications whose delivery should be running: the sweeper re-enqueues them."""
    rows = session.scalars(
        select(Delivery.application_id).where(
            or_(
                (Delivery.status == "pending")
                & or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
                (Delivery.status == "in_progress") & (Delivery.lease_until < now),
            )
        )
    )
    return list(rows)


PARSE_UNAVAILABLE = {"ok": False, "error_code": "unavailable"}


def parse_cached(session: Session, data: bytes, sha256: str) -> dict:
    from app.resume.service import parse_cached as parse  # the parser is optional at import

    return parse(session, data, sha256)


def ensure_parsed(
    session: Session, application: Application, storage: Storage, parse: Callable[[Session, bytes, str], dict]
) -> None:
    """Give the adapters the resume's structured fields; a parser failure never stops delivery."""
    if not application.resume_key or application.parsed is not None:
        return
    try:
        result = parse(session, storage.read(application.resume_key), application.resume_sha256)
    except Exception:
        log.warning("resume of application %s not parsed", application.id, exc_info=True)
        session.rollback()
        result = dict(PARSE_UNAVAILABLE)
    application.parsed = result
    session.commit()


def parsed_fields(parsed: dict | None) -> dict:
    """The parser's fields flat at the top (adapters read "experience", "skills", ...)."""
    parsed = dict(parsed or {})
    fields = parsed.pop("fields", None)
    return {**parsed, **fields} if isinstance(fields, dict) else parsed


LOCAL_QUESTION_PREFIX = "local-"


def question_ref(answer) -> str:
    """The ATS's key for a question synced from it; `local-<id>` for one HR wrote here, which
    adapters carry in a note or comment rather than as a structured answer."""
    if answer.question is None:
        return ""
    return answer.question.ref or f"{LOCAL_QUESTION_PREFIX}{answer.question.id}"


RENDITION = "_resume_rendition"  # the checkpoint holding the note on a resume sent as a PDF
UPDATE = "_update_of"  # the checkpoint holding the note on an application sent as an update


def marked_cover_letter(application: Application) -> str:
    """The cover letter, opened by a line saying the application updates an earlier one: every
    ATS takes a cover letter, so whoever reads it there knows this is no second application."""
    if not application.update_of:
        return application.cover_letter
    return f"[{update_line(application.update_of)}]\n\n{application.cover_letter}".strip()


def submission_for(
    adapter: AtsAdapter, delivery: Delivery, storage: Storage
) -> tuple[Submission, Checkpoints]:
    """What this adapter sends, and the checkpoints to start from.

    A resume in a format the adapter's ATS does not take goes as a PDF rendition; the note
    telling HR so rides in the checkpoints, saved with the first step's ids.
    """
    fitted = fit_resume(build_submission(delivery.application, storage), adapter.name)
    checkpoints: Checkpoints = dict(delivery.checkpoints or {})
    checkpoints.pop(RENDITION, None)
    checkpoints.pop(UPDATE, None)
    if fitted.note:
        checkpoints[RENDITION] = {f"{NOTE_PREFIX}resume": fitted.note}
    if delivery.application.update_of:
        checkpoints[UPDATE] = {f"{NOTE_PREFIX}update": update_line(delivery.application.update_of)}
    return fitted.submission, checkpoints


def update_line(earlier_public_id: str) -> str:
    return (
        f"The candidate sent this as an update of their application {earlier_public_id} to the same "
        "job, not as a second application."
    )


def build_submission(application: Application, storage: Storage | None) -> Submission:
    """What every adapter is given. Without `storage` the resume has its name and type but no
    bytes: HR's receipt needs only those to say where each field goes."""
    job = application.job
    resume = None
    if application.resume_key:
        data = storage.read(application.resume_key) if storage is not None else b""
        resume = Resume(application.resume_filename, application.resume_content_type, data)
    answers = tuple(
        AtsAnswer(question_ref=question_ref(a), label=a.label, value=a.value) for a in application.answers
    )
    return Submission(
        application_id=application.id,
        public_id=application.public_id,
        job_ref=job.ref or str(job.id),
        first_name=application.first_name,
        last_name=application.last_name,
        email=application.email,
        phone=application.phone,
        url=application.url,
        location=application.location,
        cover_letter=marked_cover_letter(application),
        resume=resume,
        answers=answers,
        parsed=parsed_fields(application.parsed),
        **consent_fields(application),
        attribution=dict(application.attribution or {}),
        stage=job.stage,
        source=job.source,
    )


def consent_fields(application: Application) -> dict[str, str]:
    """The Submission's consent fields: processing (every application has it) and future
    openings (empty when not given), each with its text, version and time."""
    fields: dict[str, str] = {}
    for purpose, prefix in (("processing", "consent"), ("future", "future_consent")):
        given = application.consent(purpose)
        if given is not None:
            fields[f"{prefix}_text"] = given.text
            fields[f"{prefix}_version"] = given.version
            fields[f"{prefix}_at"] = given.given_at.isoformat() + "+00:00"
    return fields
