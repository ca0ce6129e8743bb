"""Where an application is, in words a candidate can rely on.

The delivery's internal states (retries, needs review, a paused target) and its errors are
for HR. A candidate learns only what is true for them: it is safe with us, on its way, delayed
and being looked after, or with the hiring team since a given time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.models import Delivery

RECEIVED = "received"  # stored; nobody has tried to pass it on yet
ON_ITS_WAY = "on_its_way"  # being passed on, or trying again after a hiccup
DELAYED = "delayed"  # stopped until HR steps in (failed, needs review, target paused)
DELIVERED = "delivered"  # in the company's applicant tracking system

STATE_OF = {
    "pending": RECEIVED,
    "in_progress": ON_ITS_WAY,
    "delivered": DELIVERED,
    "already_in_ats": DELIVERED,
    "failed": DELAYED,
    "needs_review": DELAYED,
    "paused": DELAYED,
}


@dataclass(frozen=True)
class Progress:
    state: str
    delivered_at: datetime | None = None


def progress(delivery: Delivery | None) -> Progress:
    """The candidate's view of a delivery; a pending one that was tried before is on its way."""
    if delivery is None:
        return Progress(RECEIVED)
    state = STATE_OF.get(delivery.status, ON_ITS_WAY)
    if state == RECEIVED and delivery.attempts:
        state = ON_ITS_WAY
    return Progress(state, delivery.delivered_at if state == DELIVERED else None)
