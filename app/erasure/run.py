"""Erasing in the ATS, in the worker: claim the Erasure row, ask the adapter, record the end.

The same machinery as a delivery: the row claimed with a lease and a token (`claim_row`), every
later write fenced by that token, retries with backoff on RetryableError (a 429's wait
honoured), the target paused on AuthError without using up an attempt, NeedsReviewError and
PermanentError ending the row for HR. A worker killed mid-way leaves the row `erasing` until
its lease runs out; the sweep then hands it to another worker, which asks again: erasing what
is already gone succeeds. An ATS whose vendor documents no deletion or anonymisation (no
`Eraser`) ends as an HR task at once.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, literal, or_, select, update
from sqlalchemy.orm import Session

from app import audit
from app.ats.base import (
    AtsAdapter,
    AtsError,
    AuthError,
    Eraser,
    NeedsReviewError,
    RetryableError,
)
from app.erasure.letters import Letters, ats_name
from app.intake.delivery import Policy, claim_row, is_paused, new_claim_token, pause_integration
from app.intake.runner import backoff_delay, describe
from app.models import Erasure, OutboxMessage, utcnow

log = logging.getLogger(__name__)
DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Ended:
    status: str  # erased, anonymised, hr_task, needs_review, failed, retry, paused, skipped, lost
    delay: float | None = None


def erase_one(
    session: Session,
    erasure_id: int,
    *,
    adapter: AtsAdapter,
    letters: Letters,
    policy: Policy = DEFAULT_POLICY,
    now: Callable[[], datetime] = utcnow,
    jitter: Callable[[], float] = random.random,
) -> Ended:
    """Run one attempt. Logs carry the erasure's id and the ATS's error line, nothing personal."""
    row = session.get(Erasure, erasure_id)
    if row is None or not is_due(row, now()) or is_paused(session, row.target):
        return Ended("skipped")
    token = claim_row(
        session,
        Erasure,
        erasure_id,
        now(),
        busy="erasing",
        lease=policy.lease,
        max_attempts=policy.max_attempts,
        token=new_claim_token(),
        gave_up={"last_error": _gave_up(policy.max_attempts), "finished_at": now()},
    )
    session.refresh(row)
    if token is None:
        if row.status == "failed":  # out of attempts: its workers kept dying mid-way
            _tell_hr(session, row, letters)
        return Ended("skipped")
    hold = _Hold(session, erasure_id, token, letters, now, policy.lease)
    try:
        return _attempt(hold, row, adapter, policy, jitter)
    except _Lost:
        log.warning("erasure %s was taken over by another worker", erasure_id)
        return Ended("lost")


def _attempt(
    hold: _Hold, row: Erasure, adapter: AtsAdapter, policy: Policy, jitter: Callable[[], float]
) -> Ended:
    session, now = hold.session, hold.now
    if not isinstance(adapter, Eraser):
        return hold.end(row, "hr_task", no_eraser_note(row.target), receipt="hr_task")
    try:
        result = adapter.erase(dict(row.refs or {}))
    except RetryableError as exc:
        return _later(hold, row, exc, policy, jitter)
    except AuthError as exc:  # paused before the row is pending again, as a delivery does
        hold.renew()  # still ours: a worker that lost the row pauses nothing
        pause_integration(session, row.target, str(exc), now())
        hold.write(status="pending", last_error=str(exc), attempts=max(0, row.attempts - 1))
        return Ended("paused")
    except NeedsReviewError as exc:
        return hold.end(row, "needs_review", str(exc))
    except AtsError as exc:  # PermanentError and any other refusal
        return hold.end(row, "failed", str(exc))
    except Exception as exc:  # noqa: BLE001 - recorded on the row, bounded by the attempts
        session.rollback()
        log.warning("erasure %s: unexpected %s", hold.erasure_id, describe(exc))
        unexpected = RetryableError(f"{row.target}: unexpected {describe(exc)}", ats=row.target)
        return _later(hold, row, unexpected, policy, jitter)
    return hold.end(row, result, "", receipt=result)


def no_eraser_note(target: str) -> str:
    """Why an erasure became HR's task: the vendor documents no deletion or anonymisation."""
    return f"{ats_name(target)} offers no documented way to erase a candidate: erase it by hand"


def is_due(row: Erasure, now: datetime) -> bool:
    if row.status == "erasing":
        return row.lease_until is not None and row.lease_until < now
    if row.status != "pending":
        return False
    waits = [t for t in (row.not_before, row.next_attempt_at) if t is not None]
    return all(t <= now for t in waits)


def due_erasures(session: Session, now: datetime) -> list[int]:
    """Rows that should be running: the sweep re-enqueues them (a lost wake-up, a killed worker,
    a target resumed after a pause)."""
    waited = or_(Erasure.not_before.is_(None), Erasure.not_before <= now)
    retried = or_(Erasure.next_attempt_at.is_(None), Erasure.next_attempt_at <= now)
    rows = session.scalars(
        select(Erasure.id)
        .where(
            or_(
                (Erasure.status == "pending") & waited & retried,
                (Erasure.status == "erasing") & (Erasure.lease_until < now),
            )
        )
        .order_by(Erasure.id)
    )
    return list(rows)


def _later(
    hold: _Hold, row: Erasure, exc: RetryableError, policy: Policy, jitter: Callable[[], float]
) -> Ended:
    if row.attempts >= policy.max_attempts:
        return hold.end(row, "failed", f"{exc} (gave up after {row.attempts} attempts)")
    delay = backoff_delay(
        row.attempts,
        base=policy.backoff_base,
        cap=policy.backoff_cap,
        jitter=jitter,
        retry_after=exc.retry_after,
    )
    hold.write(status="pending", last_error=str(exc), next_attempt_at=hold.now() + timedelta(seconds=delay))
    return Ended("retry", delay)


def _gave_up(attempts: int) -> Any:
    """The row's last error, followed by why it stops now (an SQL expression)."""
    note = f"gave up after {attempts} attempts; the last one did not finish"
    return case(
        (Erasure.last_error == "", literal(note)),
        else_=Erasure.last_error + literal(f" ({note})"),
    )


def _tell_hr(session: Session, row: Erasure, letters: Letters) -> None:
    """A row the claim gave up on: HR hears of it like any failure. Only the call that marked
    it failed gets here; later ones find it finished and skip it before claiming."""
    rows = letters.task(session, row, "failed", row.last_error)
    session.commit()
    letters.wake(rows)


@dataclass(frozen=True)
class _Hold:
    session: Session
    erasure_id: int
    token: str
    letters: Letters
    now: Callable[[], datetime]
    lease: timedelta

    def write(self, **values: Any) -> None:
        """A fenced write that ends this worker's hold; _Lost when the row was taken over (the
        new holder decides), which the caller reports as "lost"."""
        self._fenced(lease_until=None, claim_token=None, **values)

    def renew(self) -> None:
        self._fenced(lease_until=self.now() + self.lease)

    def _fenced(self, **values: Any) -> None:
        result = self.session.execute(
            update(Erasure)
            .where(Erasure.id == self.erasure_id, Erasure.claim_token == self.token)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            self.session.rollback()
            raise _Lost
        self.session.commit()

    def end(self, row: Erasure, status: str, error: str, receipt: str = "") -> Ended:
        """The final status, with the receipt (when the erasure is done or handed to HR) and
        HR's task (when a person must act) queued in the same commit."""
        mail: list[OutboxMessage] = []
        values: dict[str, Any] = {"status": status, "last_error": error, "finished_at": self.now()}
        if receipt:
            mail += self.letters.receipt(self.session, row, receipt)
            values["receipt_to"] = ""
        if status in ("hr_task", "needs_review", "failed"):
            mail += self.letters.task(self.session, row, status, error)
            log.warning("erasure %s ended %s: %s", self.erasure_id, status, error)
        audit.record(
            "erasure_finished",
            obj_kind="erasure",
            obj_id=self.erasure_id,
            actor=audit.SYSTEM,
            detail=status,
            session=self.session,
        )
        self.write(**values)
        self.letters.wake(mail)
        return Ended(status)


class _Lost(Exception):
    """The row's claim token changed: another worker holds it now."""
