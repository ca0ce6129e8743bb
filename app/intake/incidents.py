"""HR alerts about deliveries, once per incident rather than once per application.

An incident is a target in trouble of one kind: "skailer:failed", "skailer:needs_review",
"skailer:paused". The first delivery that ends so opens it (a row whose primary key is the
incident's key, so two workers opening it at once insert one row and queue one alert) and
queues the alert in the same commit. Later ones find it open and queue nothing. A delivery
to the target that succeeds closes every incident of the target; resuming a paused target
closes its "paused" one. The next trouble after that is a new incident with a new alert.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.intake.post import Post
from app.models import AlertIncident

ALERTING = ("failed", "needs_review", "paused")
RECOVERED = ("delivered", "already_in_ats")


def note_delivery_outcome(
    session: Session, post: Post, *, target: str, status: str, application_id: int, error: str, now: datetime
) -> bool:
    """Open or close the target's incidents after a delivery ended `status`; True when this
    call opened one (and queued its alert)."""
    if status in RECOVERED:
        close_incidents(session, target)
        return False
    if status not in ALERTING:
        return False
    key = f"{target}:{status}"
    if session.scalar(select(AlertIncident.key).where(AlertIncident.key == key)) is not None:
        return False
    session.add(AlertIncident(key=key, target=target, opened_at=now))
    rows = post.queue_alert(session, target=target, kind=status, application_id=application_id, error=error)
    try:
        session.commit()
    except IntegrityError:  # another worker opened it first, and alerted
        session.rollback()
        return False
    post.wake(rows)
    return True


def close_incidents(session: Session, target: str, kind: str | None = None) -> None:
    statement = delete(AlertIncident).where(AlertIncident.target == target)
    if kind is not None:
        statement = statement.where(AlertIncident.key == f"{target}:{kind}")
    session.execute(statement)
    session.commit()
