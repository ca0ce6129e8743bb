"""Starting an erasure: in one transaction, take the delivery from any worker, copy the ATS's
ids it recorded, record the Erasure and wipe the application.

Why no create in the ATS escapes: the delivery is fenced before its checkpoints are read. Its
claim token is replaced, so the worker holding it (if any) can write nothing more, and since
that worker saves its checkpoints before every request that follows a step, and a create's
marker before the create, it sends nothing more either: its next write fails and it stops.
What the checkpoints say is then complete: the ids of every finished step, and the name of a
create that was sent but never answered (the marker). The one request such a worker may still
have in the air ends within its timeouts, far inside its lease; the ATS erasure waits until
that lease has run out (`not_before`) and erases what the checkpoints reach. A create never
answered is handed to the adapter by name, which erases it with what it knows (a deleted
Greenhouse candidate takes its applications along) or asks HR to look (needs review).

The fence, the read, the new row and the wipe share one commit: PostgreSQL's row lock and
SQLite's write lock keep a worker's save from landing between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from app.ats.base import UNKNOWN_CREATE
from app.drafts import store as drafts
from app.erasure.letters import Letters
from app.intake.delivery import NOTE_PREFIX, new_claim_token
from app.intake.runner import INFLIGHT, Checkpoints, refs
from app.models import Application, Delivery, Erasure, OutboxMessage, fit
from app.privacy.wipe import wipe_application
from app.storage import Storage

RETENTION = "retention"  # the requester of an erasure the retention period started


class AlreadyErased(Exception):
    """Another request erased this application first (a second click, two tabs)."""


@dataclass(frozen=True)
class Requester:
    kind: str  # candidate, hr, retention
    user_id: int | None = None
    language: str = ""  # of the receipt


def start_erasure(
    session: Session,
    storage: Storage,
    application: Application,
    requester: Requester,
    *,
    letters: Letters,
    now: datetime,
) -> tuple[Erasure, list[OutboxMessage]]:
    """Wipe the application, and the drafts saved under its address, and record what remains
    to erase in its ATS. An application that never reached an ATS is done at once, its
    receipt queued in the same commit; the caller wakes the queue for the returned mail and,
    when the row is pending, for the erasure.
    Raises AlreadyErased, with nothing changed, when another request wiped it first."""
    erasure = record_erasure(session, application, requester, now=now)
    draft_files = drafts.drop_drafts_of(session, application.email)
    sent = bool(erasure.target)
    mail: list[OutboxMessage] = []
    if not sent:
        erasure.status, erasure.finished_at = "erased", now
        mail = letters.receipt(session, erasure, "nothing_sent")
        erasure.receipt_to = ""
    wipe_application(session, storage, application)  # commits all of the above with the wipe
    drafts.remove_files(storage, draft_files)
    return erasure, mail


def record_erasure(
    session: Session, application: Application, requester: Requester, *, now: datetime
) -> Erasure:
    """Fence the application's delivery and add its pending Erasure, with the ATS's ids and
    the address of the receipt (none for retention: the candidate asked nothing), to the
    session; not committed, so the caller's wipe lands in the same commit. `target` is empty
    when nothing reached an ATS."""
    delivery = application.delivery
    held_until = fence(session, delivery, now) if delivery is not None else None
    checkpoints = delivery.checkpoints if delivery is not None else {}
    sent = reached_ats(checkpoints)
    job = application.job
    erasure = Erasure(
        application_id=application.id,
        target=delivery.target if sent else "",
        job_ref=job.ref or str(job.id),
        job_title=fit(Erasure, "job_title", job.title),
        refs=ats_refs(checkpoints),
        requested_by=requester.kind,
        requested_by_user_id=requester.user_id,
        status="pending",
        attempts=0,
        last_error="",
        not_before=held_until,
        receipt_to="" if requester.kind == RETENTION else application.email,
        language=requester.language,
        created_at=now,
    )
    session.add(erasure)
    return erasure


def fence(session: Session, delivery: Delivery, now: datetime) -> datetime | None:
    """Replace the delivery's claim token, so a worker holding it writes and sends nothing
    more; the end of that worker's lease when one held it. Not committed: the caller's wipe
    deletes the row in the same transaction."""
    lease = delivery.lease_until
    held = delivery.status == "in_progress" and lease is not None and lease > now
    until = lease if held else None
    result = session.execute(
        update(Delivery)
        .where(Delivery.id == delivery.id)
        .values(claim_token=new_claim_token())
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        session.rollback()
        raise AlreadyErased(f"application of delivery {delivery.id} is already erased")
    session.refresh(delivery)  # the checkpoints as the last write before the fence left them
    return until


def reached_ats(checkpoints: Checkpoints | None) -> bool:
    """Whether anything was sent: a finished step (Dover's returns no ids at all) or a create
    sent and never answered."""
    return any(not key.startswith("_") or key == INFLIGHT for key in (checkpoints or {}))


def ats_refs(checkpoints: Checkpoints | None) -> dict[str, str]:
    """The ATS's ids from a delivery's checkpoints, without HR's notes; a create whose answer
    was never recorded under UNKNOWN_CREATE."""
    saved = checkpoints or {}
    found = {
        key: str(value)
        for key, value in refs({k: v for k, v in saved.items() if isinstance(v, dict)}).items()
        if not key.startswith(NOTE_PREFIX)
    }
    if isinstance(saved.get(INFLIGHT), str):
        found[UNKNOWN_CREATE] = saved[INFLIGHT]
    return found
