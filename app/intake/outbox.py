"""The outbox: mail queued as rows in the transaction that decided to send it, sent by the worker.

The row is the truth, the queue a wake-up, as for deliveries (app/intake/delivery.py, whose
claim token and backoff this reuses): a worker claims a row with a lease and a fresh token,
hands the message to the transport, and marks it sent only after the server accepted it, in a
write fenced by its token. So a row is never lost (the sweep re-enqueues due and abandoned
rows) and two workers never send it at once.

One case remains that no SMTP client can settle: the server had the whole message but its
answer never arrived (a dropped connection, or this worker killed before it wrote "sent").
The row is then marked `in_doubt` and sent again with the same Message-ID, so the receiving
side can recognise the copy; losing a candidate's confirmation would be worse than that rare
second copy, and HR sees the flag in the outbox list.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, case, or_, select, update
from sqlalchemy.orm import Session

from app.intake.delivery import claim_row, new_claim_token
from app.intake.runner import backoff_delay
from app.mail.letters import Letter, build_message, new_message_id
from app.mail.settings import MailSettings
from app.mail.transport import MailRefused, MailRetryable, OutcomeUnknown, Transport
from app.models import Application, OutboxMessage, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailPolicy:
    max_attempts: int = 10
    backoff_base: float = 60.0
    backoff_cap: float = 3600.0
    lease: timedelta = timedelta(minutes=5)  # far above one SMTP conversation's timeouts


def queue(
    session: Session,
    settings: MailSettings,
    letters: Iterable[Letter],
    application: Application | None = None,
) -> list[OutboxMessage]:
    """Add the letters as pending rows; the caller's commit stores them with what caused them."""
    rows = [
        OutboxMessage(
            kind=letter.kind,
            application=application,
            to_address=letter.to,
            subject=letter.subject,
            text_body=letter.text,
            html_body=letter.html,
            message_id=new_message_id(settings),
            status="pending",
            attempts=0,
            in_doubt=False,
            last_error="",
        )
        for letter in letters
    ]
    session.add_all(rows)
    return rows


def claim(session: Session, outbox_id: int, now: datetime, policy: MailPolicy) -> str | None:
    """Take the row for this worker: the token its later writes carry, or None when the row is
    sent, failed, held by a live lease, or out of attempts (then it is marked failed here).
    A row still "sending" after its lease ran out was left mid-send: it is `in_doubt`."""
    return claim_row(
        session,
        OutboxMessage,
        outbox_id,
        now,
        busy="sending",
        lease=policy.lease,
        max_attempts=policy.max_attempts,
        token=new_claim_token(),
        taken={"in_doubt": case((OutboxMessage.status == "sending", True), else_=OutboxMessage.in_doubt)},
        gave_up={"in_doubt": True},
    )


@dataclass(frozen=True)
class Sent:
    status: str  # sent, retry, failed, skipped, lost
    delay: float | None = None


def send_one(
    session: Session,
    outbox_id: int,
    *,
    transport: Transport,
    settings: MailSettings,
    policy: MailPolicy = MailPolicy(),
    now: Callable[[], datetime] = utcnow,
    jitter: Callable[[], float] = random.random,
) -> Sent:
    """Send one queued message once. Logs name the outbox id only, never an address."""
    row = session.get(OutboxMessage, outbox_id)
    if row is None or (row.status == "pending" and row.next_attempt_at and row.next_attempt_at > now()):
        return Sent("skipped")
    token = claim(session, outbox_id, now(), policy)
    if token is None:
        return Sent("skipped")
    session.refresh(row)
    message = build_message(
        settings,
        to=row.to_address,
        subject=row.subject,
        text=row.text_body,
        html=row.html_body,
        message_id=row.message_id,
        date=row.created_at,
    )
    fence = _Fence(session, outbox_id, token)
    try:
        transport.send(message)
    except MailRefused as exc:
        log.warning("mail %s refused: %s", outbox_id, exc)
        return fence.release(Sent("failed"), status="failed", last_error=str(exc))
    except MailRetryable as exc:
        doubt = {"in_doubt": True} if isinstance(exc, OutcomeUnknown) else {}
        return _retry_later(fence, row.attempts, str(exc), policy, now, jitter, **doubt)
    return fence.release(Sent("sent"), status="sent", sent_at=now(), last_error="")


def _retry_later(
    fence: _Fence,
    attempts: int,
    error: str,
    policy: MailPolicy,
    now: Callable[[], datetime],
    jitter: Callable[[], float],
    **values: Any,
) -> Sent:
    if attempts >= policy.max_attempts:
        log.warning("mail %s gave up after %d attempts: %s", fence.outbox_id, attempts, error)
        note = f"{error} (gave up after {attempts} attempts)"
        return fence.release(Sent("failed"), status="failed", last_error=note, **values)
    delay = backoff_delay(attempts, base=policy.backoff_base, cap=policy.backoff_cap, jitter=jitter)
    log.info("mail %s not sent (%s); next attempt in %.0fs", fence.outbox_id, error, delay)
    next_at = now() + timedelta(seconds=delay)
    return fence.release(
        Sent("retry", delay), status="pending", last_error=error, next_attempt_at=next_at, **values
    )


@dataclass(frozen=True)
class _Fence:
    session: Session
    outbox_id: int
    token: str

    def release(self, outcome: Sent, **values: Any) -> Sent:
        """Write the outcome if the row is still ours; a worker whose lease was taken over
        writes nothing (the new holder decides) and reports "lost"."""
        result = self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == self.outbox_id, OutboxMessage.claim_token == self.token)
            .values(lease_until=None, claim_token=None, **values)
            .execution_options(synchronize_session=False)
        )
        self.session.commit()
        if _rowcount(result) != 1:
            log.warning("mail %s was taken over by another worker", self.outbox_id)
            return Sent("lost")
        return outcome


def due_messages(session: Session, now: datetime) -> list[int]:
    """Rows that should be sending now: the sweep re-enqueues them (a lost wake-up, a worker
    killed mid-send)."""
    rows = session.scalars(
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == "pending")
                & or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == "sending") & (OutboxMessage.lease_until < now),
            )
        )
        .order_by(OutboxMessage.id)
    )
    return list(rows)


def send_again(session: Session, row: OutboxMessage) -> None:
    """HR's Send again for a failed message: fresh attempts, the same Message-ID."""
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = None
    row.lease_until = None
    row.claim_token = None
    session.commit()


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount
