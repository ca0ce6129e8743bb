"""Deleting applications whose consents have run out, keeping only anonymous counts.

Each consent an application was given keeps it until its own `keep_until` (the period its text
promised); once every one has passed, the application goes with everything that hangs on it
(answers, demographic answers, delivery, mail, files) through `wipe_application`, and one is
added to the RetentionTally row of its job, month, channel and delivery outcome in the same
commit. An application still undelivered at its deadline goes too: its consents were the only
ground for holding it, and HR has been alerted of the failed delivery long before. Only a
delivery a worker holds right now (its lease not yet over) waits for the next run, so the
worker's writes never race the delete.

An application that reached an ATS leaves a copy there, which the consent's period covers too.
With RETENTION_ERASE_IN_ATS on (the default), retention hands that copy to the erasure
machinery, as a candidate's request would, with "retention" as the requester and no receipt
(the candidate asked nothing): an Erasure row recorded in the wipe's commit, erased by the
worker where the vendor documents a way, else recorded at once as HR's task. HR hears of those
tasks in one alert per run, counted per ATS, not one per application. The local target is our
own database, erased by the wipe itself: it gets no row.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from app.erasure.flow import RETENTION, AlreadyErased, Requester, reached_ats, record_erasure
from app.erasure.letters import Letters
from app.erasure.run import no_eraser_note
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
    erasures: list[int] = field(default_factory=list)  # pending in an ATS that erases: the worker's
    hr_tasks: Counter[str] = field(default_factory=Counter)  # by target: for HR to erase by hand

    @property
    def applications(self) -> int:
        return sum(self.outcomes.values())

    @property
    def undelivered(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome not in DELIVERED)


@dataclass(frozen=True)
class InAts:
    """How retention reaches the copies in the ATSs: `erases` tells whether a target's adapter
    documents an erasure (an `Eraser`), `letters` sends HR's alert of the tasks."""

    erases: Callable[[str], bool]
    letters: Letters


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


def apply_retention(
    session: Session, storage: Storage, *, now: datetime, in_ats: InAts | None = None
) -> RetentionReport:
    """Delete every application past its retention at `now`, and with `in_ats` record the
    erasure of its copy in the ATS; log and return the counts. The caller wakes the worker
    for `report.erasures` (the sweep finds them anyway)."""
    report = RetentionReport()
    while ids := expired_ids(session, now):
        for application_id in ids:
            application = session.get(Application, application_id)
            if application is None:
                continue
            try:
                expire(session, storage, application, report, now=now, in_ats=in_ats)
            except AlreadyErased:  # a candidate's or HR's erasure took it meanwhile, rolled back
                continue
    if report.hr_tasks and in_ats is not None:
        mail = in_ats.letters.retention_tasks(session, report.hr_tasks)
        session.commit()
        in_ats.letters.wake(mail)
    if report.applications:
        log.info(
            "retention: deleted %d applications (%d undelivered: %s) and %d files",
            report.applications,
            report.undelivered,
            ", ".join(f"{k}={v}" for k, v in sorted(report.outcomes.items()) if k not in DELIVERED) or "none",
            report.files,
        )
    if report.erasures or report.hr_tasks:
        log.info(
            "retention: %d erasures for the worker, %d for HR (%s)",
            len(report.erasures),
            sum(report.hr_tasks.values()),
            ", ".join(f"{k}={v}" for k, v in sorted(report.hr_tasks.items())) or "none",
        )
    return report


def expire(
    session: Session,
    storage: Storage,
    application: Application,
    report: RetentionReport,
    *,
    now: datetime,
    in_ats: InAts | None,
) -> None:
    """Wipe one application, with its tally and its erasure in the ATS, in one commit."""
    outcome = application.delivery.status if application.delivery else "none"
    target = ats_target(application)
    erasure = None
    if in_ats is not None and target:  # first: its fence raises AlreadyErased with nothing done
        erasure = record_erasure(session, application, Requester(RETENTION), now=now)
        if not in_ats.erases(target):
            erasure.status, erasure.finished_at = "hr_task", now
            erasure.last_error = no_eraser_note(target)
    files = len(stored_keys(application))
    add_to_tally(session, application, outcome)
    wipe_application(session, storage, application)
    report.files += files
    report.outcomes[outcome] += 1
    if erasure is not None and erasure.status == "pending":
        report.erasures.append(erasure.id)
    elif erasure is not None:
        report.hr_tasks[target] += 1


def ats_target(application: Application) -> str:
    """The ATS outside our own database that holds a copy of the application; "" for none."""
    delivery = application.delivery
    if delivery is None or delivery.target == "local" or not reached_ats(delivery.checkpoints):
        return ""
    return delivery.target


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
