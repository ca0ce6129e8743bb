"""Deleting applications whose consents have run out, keeping only anonymous counts.

Each consent an application was given keeps it until its own `keep_until` (the period its text
promised); once every one has passed, the application goes with everything that hangs on it
(answers, demographic answers, delivery, mail, files) through `wipe_application`, and one is
added to the RetentionTally row of its job, month, channel and delivery outcome in the same
commit. An application still undelivered at its deadline goes too: its consents were the only
ground for holding it, and HR has been alerted of the failed delivery long before. Only a
delivery a worker holds right now (its lease not yet over) waits for the next run, so the
worker's writes never race the delete.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from app.models import Application, ApplicationConsent, Delivery, RetentionTally, column_length
from app.privacy.wipe import stored_keys, wipe_application
from app.storage import Storage

log = logging.getLogger(__name__)

DELIVERED = ("delivered", "already_in_ats")
BATCH = 200  # applications read at a time; each is deleted in its own commit


@dataclass
class RetentionReport:
    """What one run deleted, as counts only: by delivery outcome, and files."""

    outcomes: Counter[str] = field(default_factory=Counter)
    files: int = 0

    @property
    def applications(self) -> int:
        return sum(self.outcomes.values())

    @property
    def undelivered(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome not in DELIVERED)


def expired_ids(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    """Applications none of whose consents still runs at `now`, and whose delivery no worker
    holds at the moment."""
    still_kept = exists().where(
        ApplicationConsent.application_id == Application.id, ApplicationConsent.keep_until > now
    )
    query = (
        select(Application.id)
        .outerjoin(Delivery, Delivery.application_id == Application.id)
        .where(~still_kept, or_(Delivery.lease_until.is_(None), Delivery.lease_until <= now))
        .order_by(Application.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def apply_retention(session: Session, storage: Storage, *, now: datetime) -> RetentionReport:
    """Delete every application past its retention at `now`; log and return the counts."""
    report = RetentionReport()
    while ids := expired_ids(session, now):
        for application_id in ids:
            application = session.get(Application, application_id)
            if application is None:
                continue
            outcome = application.delivery.status if application.delivery else "none"
            report.files += len(stored_keys(application))
            add_to_tally(session, application, outcome)
            wipe_application(session, storage, application)
            report.outcomes[outcome] += 1
    if report.applications:
        log.info(
            "retention: deleted %d applications (%d undelivered: %s) and %d files",
            report.applications,
            report.undelivered,
            ", ".join(f"{k}={v}" for k, v in sorted(report.outcomes.items()) if k not in DELIVERED) or "none",
            report.files,
        )
    return report


def add_to_tally(session: Session, application: Application, outcome: str) -> None:
    """Add the application to its tally row (created on first use), in the caller's commit."""
    key = {
        "job_id": application.job_id,
        "month": application.created_at.strftime("%Y-%m"),
        "channel": channel(application.attribution or {}),
        "outcome": outcome,
    }
    row = session.scalar(select(RetentionTally).filter_by(**key))
    if row is None:
        row = RetentionTally(**key, count=0)
        session.add(row)
    row.count += 1


def channel(attribution: Mapping[str, str]) -> str:
    """Where the candidate came from, as a label and never a whole address: the `src` or
    `utm_source` the link carried, else the referring site's host, else "direct"."""
    length = column_length(RetentionTally, "channel") or 80
    for key in ("src", "utm_source"):
        label = " ".join(str(attribution.get(key) or "").split()).lower()
        if label:
            return label[:length]
    host = urlsplit(str(attribution.get("referrer") or "")).hostname or ""
    return host[:length] or "direct"
