"""The stages and sources the target ATS offers for new applicants, kept in our database so HR
picks from them on the job form without the web request calling the ATS.

The job sync refreshes them (and HR's "Refresh from ATS" queues a sync): stages per job, as
each job has its own pipeline, sources once for the whole ATS. What HR stores on a job is the
name, which the adapters match (case-insensitively) when they deliver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.ats.base import AtsAdapter
from app.ats.base import Job as AtsJob
from app.models import AtsChoice, Job, fit, utcnow


@dataclass(frozen=True)
class AtsLists:
    stages: list[str]
    sources: list[str]


def refresh_ats_lists(
    session: Session, adapter: AtsAdapter, kind: str, jobs: Iterable[tuple[Job, AtsJob]]
) -> int:
    """Replace the stored lists of `kind` with what the ATS offers now; returns how many
    entries were stored. Jobs must have ids (flushed)."""
    now = utcnow()
    rows = [
        _row(kind, "source", None, i, item.ref, item.name, now) for i, item in enumerate(adapter.sources())
    ]
    for job, found in jobs:
        stages = adapter.stages(found)
        rows += [_row(kind, "stage", job.id, i, item.ref, item.name, now) for i, item in enumerate(stages)]
    session.execute(delete(AtsChoice).where(AtsChoice.ats_kind == kind))
    session.add_all(rows)
    return len(rows)


def _row(kind: str, list_name: str, job_id: int | None, position: int, ref: str, name: str, now) -> AtsChoice:
    return AtsChoice(
        ats_kind=kind,
        list_name=list_name,
        job_id=job_id,
        position=position,
        ref=fit(AtsChoice, "ref", ref),
        name=fit(AtsChoice, "name", name or ref),
        synced_at=now,
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
