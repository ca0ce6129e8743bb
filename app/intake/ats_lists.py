"""The stages and sources the target ATS offers for new applicants, kept in our database so HR
picks from them on the job form without the web request calling the ATS.

The job sync refreshes them: the sources (one call) on every run, a job's stages (a call per
job at most vendors) once they are a day old, so a periodic sync does not spend the vendor's
request budget on lists that rarely change. HR's "Refresh from ATS" marks every list stale
and queues a sync, which then reads them all. What HR stores on a job is the name, which the
adapters match (case-insensitively) when they deliver.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.ats.base import AtsAdapter, Source, Stage
from app.ats.base import Job as AtsJob
from app.models import AtsChoice, Job, fit

STAGES_KEPT = timedelta(hours=24)
STALE = datetime(1970, 1, 1)


@dataclass(frozen=True)
class AtsLists:
    stages: list[str]
    sources: list[str]


def refresh_ats_lists(
    session: Session, adapter: AtsAdapter, kind: str, jobs: Iterable[tuple[Job, AtsJob]], now: datetime
) -> None:
    """Store the ATS's sources, and the stages of each of `jobs` (flushed, with ids) whose
    list is missing or older than STAGES_KEPT; drop the lists of jobs no longer among them."""
    _replace(session, kind, "source", None, adapter.sources(), now)
    open_ids = []
    for job, found in jobs:
        open_ids.append(job.id)
        if _stages_due(session, job.id, now):
            _replace(session, kind, "stage", job.id, adapter.stages(found), now)
    session.execute(
        delete(AtsChoice).where(
            AtsChoice.ats_kind == kind, AtsChoice.list_name == "stage", AtsChoice.job_id.not_in(open_ids)
        )
    )


def mark_stale(session: Session, kind: str) -> None:
    """Have the next job sync read every list of `kind` again."""
    session.execute(update(AtsChoice).where(AtsChoice.ats_kind == kind).values(synced_at=STALE))


def _stages_due(session: Session, job_id: int, now: datetime) -> bool:
    query = select(AtsChoice.synced_at).where(AtsChoice.list_name == "stage", AtsChoice.job_id == job_id)
    synced = session.scalars(query).first()
    return synced is None or synced <= now - STAGES_KEPT


def _replace(
    session: Session,
    kind: str,
    list_name: str,
    job_id: int | None,
    items: Sequence[Stage | Source],
    now: datetime,
) -> None:
    same_list = (AtsChoice.ats_kind == kind, AtsChoice.list_name == list_name)
    owner = AtsChoice.job_id.is_(None) if job_id is None else AtsChoice.job_id == job_id
    session.execute(delete(AtsChoice).where(*same_list, owner))
    session.add_all(
        AtsChoice(
            ats_kind=kind,
            list_name=list_name,
            job_id=job_id,
            position=position,
            ref=fit(AtsChoice, "ref", item.ref),
            name=fit(AtsChoice, "name", item.name or item.ref),
            synced_at=now,
        )
        for position, item in enumerate(items)
    )


def ats_lists(session: Session, job: Job | None, kind: str) -> AtsLists:
    """The names HR may choose for `job` (a new job has no stages yet); empty lists when the ATS
    offers none, and HR types free text."""
    query = select(AtsChoice).where(AtsChoice.ats_kind == kind).order_by(AtsChoice.position)
    rows = session.scalars(query).all()
    job_id = job.id if job is not None else None
    stages = [row.name for row in rows if row.list_name == "stage" and job_id and row.job_id == job_id]
    sources = [row.name for row in rows if row.list_name == "source"]
    return AtsLists(stages=stages, sources=sources)
