"""A delivery's timeline: every attempt's outcome told in a sentence HR can act on.

The error classes of app/ats/base.py and the delivery's statuses are turned into words here,
once, when the attempt ends; the admin pages show these sentences and keep the technical message
(method, path, status) for a collapsed box. An entry is added to the session by the code that
changes the delivery's status, before that change is committed, so both land together or not at
all, and entries are only ever appended: a retry adds one, it never clears the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.ats.base import AlreadyInAts, AtsError, AuthError, NeedsReviewError, RetryableError
from app.intake.runner import StepCrashed
from app.models import DeliveryAttempt

RETRIED_BY_HR = "Retried by HR: the delivery starts again with fresh attempts."


@dataclass(frozen=True)
class Entry:
    """How one attempt ended, before it is written: the row's outcome, reason and detail."""

    outcome: str  # delivered, already_in_ats, retry, failed, needs_review, paused, retried, gave_up
    reason: str
    detail: str = ""

    def row(self, delivery_id: int, started_at: datetime, ended_at: datetime) -> DeliveryAttempt:
        return DeliveryAttempt(
            delivery_id=delivery_id,
            started_at=started_at,
            ended_at=ended_at,
            outcome=self.outcome,
            reason=self.reason,
            detail=self.detail,
        )


def delivered() -> Entry:
    return Entry("delivered", "Delivered: the ATS accepted the application.")


def retried_by_hr() -> Entry:
    return Entry("retried", RETRIED_BY_HR)


def retry_later(error: RetryableError, at: datetime, *, ours: bool = False) -> Entry:
    """A failure worth another try, and when that try is due (UTC, as every admin time)."""
    cause = "Something went wrong on our side" if ours else retry_cause(error)
    return Entry("retry", f"{cause}; trying again at {at:%H:%M} UTC.", str(error))


def gave_up(error: RetryableError, attempts: int, *, ours: bool = False) -> Entry:
    cause = "Something went wrong on our side" if ours else retry_cause(error)
    reason = f"{cause}; we gave up after {counted(attempts)}. Retry once the ATS works again."
    return Entry("failed", reason, str(error))


def never_finished(attempts: int) -> Entry:
    """The claim found a row out of attempts whose last worker died mid-way."""
    return Entry(
        "failed",
        f"The last attempt never finished (the worker stopped mid-way); "
        f"we gave up after {counted(attempts)}.",
    )


def counted(attempts: int) -> str:
    return "1 attempt" if attempts == 1 else f"{attempts} attempts"


def retry_cause(error: RetryableError) -> str:
    status = error.status
    if status == 429:
        return "The ATS was busy (429)"
    if status is not None and status >= 500:
        return f"The ATS had a server error ({status})"
    if status is not None:
        return f"The ATS did not answer as expected ({status})"
    return "The ATS could not be reached (no answer in time, or the connection dropped)"


def stopped(error: AtsError) -> Entry:
    """An attempt that ended without a retry scheduled: refused, already there, or unknowable."""
    detail = str(error)
    if isinstance(error, AuthError):
        return Entry(
            "paused",
            "The ATS refused the credentials; deliveries are paused until they are fixed.",
            detail,
        )
    if isinstance(error, AlreadyInAts):
        return Entry(
            "already_in_ats",
            "The ATS already holds this person on this job, so nothing more was sent.",
            detail,
        )
    if isinstance(error, NeedsReviewError):
        return Entry(
            "needs_review",
            "We could not tell whether the ATS saved this application; please check there before retrying.",
            detail,
        )
    return Entry("failed", refusal(error), detail)


def refusal(error: AtsError) -> str:
    """Why a permanent error will fail the same way again, and what HR can do about it."""
    if isinstance(error, StepCrashed):
        return (
            "The ATS answered in a way we could not read; trying again would fail the same way. "
            "The technical details say at which step."
        )
    if error.status == 404:
        return (
            "The ATS does not know the job or a record the application needs (404); "
            "check the job there, then retry."
        )
    if error.status in (400, 422):
        return (
            f"The ATS rejected the application's data ({error.status}); check the job's settings "
            "in the ATS, then retry."
        )
    if error.status is not None:
        return f"The ATS refused the application ({error.status}); trying again would fail the same way."
    return "The ATS refused the application; trying again would fail the same way until that changes."
