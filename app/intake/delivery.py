"""Delivering one application: claim its Delivery row, run the adapter's steps, record the outcome.

The row is the truth. A worker claims it with a lease (so two workers never run the same
delivery), saves every checkpoint before the next step, and leaves it pending with a
`next_attempt_at` when it must try again later.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.ats.base import (
    Answer as AtsAnswer,
)
from app.ats.base import (
    AtsAdapter,
    AuthError,
    NeedsReviewError,
    PermanentError,
    Resume,
    RetryableError,
    Submission,
)
from app.intake.runner import INFLIGHT, backoff_delay, run_steps
from app.models import Application, Delivery, Integration, utcnow
from app.storage import Storage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 8
    backoff_base: float = 30.0
    backoff_cap: float = 3600.0
    lease: timedelta = LEASE  # how long a worker may hold a delivery before others take over


@dataclass(frozen=True)
class Outcome:
    status: str  # delivered, retry, failed, needs_review, paused, skipped
    delay: float | None = None  # seconds until the next attempt, for "retry"


def claim(session: Session, delivery_id: int, now: datetime, lease: timedelta = LEASE) -> bool:
    """Take the row for this worker; False when it is finished or another worker holds it."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            or_(
                Delivery.status == "pending",
                (Delivery.status == "in_progress") & (Delivery.lease_until < now),
            ),
        )
        .values(status="in_progress", lease_until=now + lease, attempts=Delivery.attempts + 1)
    )
    session.commit()
    return result.rowcount == 1


def deliver(
    session: Session,
    application_id: int,
    *,
    adapter: AtsAdapter,
    storage: Storage,
    policy: Policy = Policy(),
    now: Callable[[], datetime] = utcnow,
    jitter: Callable[[], float] = random.random,
    after_step: Callable[[str, Any], None] | None = None,
    parse: Callable[[Session, bytes, str], dict] | None = None,
) -> Outcome:
    """Deliver one application once; `parse(session, data, sha256)` fills `parsed` first."""
    delivery = session.scalar(select(Delivery).where(Delivery.application_id == application_id))
    if delivery is None or is_paused(session, delivery.target):
        return Outcome("skipped")
    if delivery.next_attempt_at and delivery.next_attempt_at > now() and delivery.status == "pending":
        return Outcome("skipped")
    if not claim(session, delivery.id, now(), policy.lease):
        return Outcome("skipped")
    session.refresh(delivery)
    ensure_parsed(session, delivery.application, storage, parse or parse_cached)
    submission = build_submission(delivery.application, storage)
    delivery_id = delivery.id

    def save(checkpoints: dict) -> None:
        # Each checkpoint renews the lease, so a long delivery is never taken over mid-way: a
        # single step is bounded by the HTTP timeouts and the rate limiter's wait, far below it.
        # One UPDATE of two columns: no reload of the expired row, no change tracking.
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(checkpoints=dict(checkpoints), lease_until=now() + policy.lease)
            .execution_options(synchronize_session=False)
        )
        session.commit()

    try:
        run_steps(
            adapter,
            submission,
            dict(delivery.checkpoints or {}),
            save,
            **({"after_step": after_step} if after_step else {}),
        )
    except RetryableError as exc:
        return _retry_later(session, delivery, exc, policy, now, jitter)
    except AuthError as exc:
        _pause(session, delivery, exc, now)
        return Outcome("paused")
    except NeedsReviewError as exc:
        return _finish(session, delivery, "needs_review", str(exc))
    except PermanentError as exc:
        return _finish(session, delivery, "failed", str(exc))
    delivery.status = "delivered"
    delivery.delivered_at = now()
    delivery.last_error = ""
    delivery.lease_until = None
    session.commit()
    return Outcome("delivered")


def _retry_later(session, delivery, exc: RetryableError, policy, now, jitter) -> Outcome:
    if delivery.attempts >= policy.max_attempts:
        return _finish(session, delivery, "failed", f"{exc} (gave up after {delivery.attempts} attempts)")
    delay = backoff_delay(delivery.attempts, base=policy.backoff_base, cap=policy.backoff_cap, jitter=jitter)
    if exc.retry_after is not None:
        delay = max(delay, exc.retry_after)
    delivery.status = "pending"
    delivery.last_error = str(exc)
    delivery.next_attempt_at = now() + timedelta(seconds=delay)
    delivery.lease_until = None
    session.commit()
    return Outcome("retry", delay)


def _finish(session, delivery, status: str, error: str) -> Outcome:
    delivery.status = status
    delivery.last_error = error
    delivery.lease_until = None
    session.commit()
    log.warning("delivery %s ended %s: %s", delivery.id, status, error)
    return Outcome(status)


def _pause(session, delivery, exc: AuthError, now) -> None:
    integration = session.scalar(select(Integration).where(Integration.kind == delivery.target))
    if integration is None:
        integration = Integration(kind=delivery.target)
        session.add(integration)
    integration.paused = True
    integration.paused_reason = str(exc)
    integration.paused_at = now()
    delivery.status = "pending"  # resumes when HR fixes the credentials
    delivery.last_error = str(exc)
    delivery.attempts = max(0, delivery.attempts - 1)
    delivery.lease_until = None
    session.commit()


def is_paused(session: Session, kind: str) -> bool:
    return bool(session.scalar(select(Integration.paused).where(Integration.kind == kind)))


def resume_integration(session: Session, kind: str) -> None:
    integration = session.scalar(select(Integration).where(Integration.kind == kind))
    if integration is not None:
        integration.paused = False
        integration.paused_reason = ""
        session.commit()


def retry_now(session: Session, delivery: Delivery) -> None:
    """HR's Retry button: a failed or reviewed delivery goes back to pending with fresh attempts.

    Retrying a delivery that needed review means HR checked the ATS and found no application:
    the unknown create is forgotten, or the next attempt would ask for review again at once.
    """
    if delivery.status == "needs_review" and INFLIGHT in (delivery.checkpoints or {}):
        delivery.checkpoints = {k: v for k, v in delivery.checkpoints.items() if k != INFLIGHT}
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = None
    delivery.lease_until = None
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


def build_submission(application: Application, storage: Storage) -> Submission:
    job = application.job
    resume = None
    if application.resume_key:
        resume = Resume(
            application.resume_filename, application.resume_content_type, storage.read(application.resume_key)
        )
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
        cover_letter=application.cover_letter,
        resume=resume,
        answers=answers,
        parsed=parsed_fields(application.parsed),
        consent_text=application.consent_text,
        consent_version=application.consent_version,
        consent_at=application.consent_at.isoformat() + "+00:00",
        attribution=dict(application.attribution or {}),
        stage=job.stage,
        source=job.source,
    )
