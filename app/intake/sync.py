"""Pulling the target ATS's jobs into our Job table (find-job).

The ATS owns what a job *is* (title, location, department, remote, employment type,
description, whether it is open); HR owns how we show it (published, questions, stage and
source mapping). A sync overwrites only the first group, so HR's edits survive every run.
Jobs are matched by (ats_kind, ref); a job the ATS no longer returns, or returns as not open,
is closed and drops out of the listings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ats.base import Job as AtsJob
from app.html import sanitize
from app.models import EMPLOYMENT_TYPES, Job, Question

# What the ATS's question types become on our form (shapes of `adapter.questions(job)`).
QUESTION_KINDS = {
    "free_text": "long_text",
    "short_text": "short_text",
    "long_text": "long_text",
    "text": "short_text",
    "textarea": "long_text",
    "boolean": "yes_no",
    "yes_no": "yes_no",
    "single_select": "single_select",
    "multi_select": "multi_select",
    "multiple_select": "multi_select",
    "file": "file",
    "url": "url",
}


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    closed: int = 0
    reopened: int = 0
    questions: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.closed} closed, "
            f"{self.reopened} reopened, {self.questions} questions imported"
        )


def sync_jobs(session: Session, adapter: Any, kind: str) -> SyncReport:
    """Make our jobs of `kind` match `adapter.list_jobs()`; commit once at the end."""
    remote = {job.ref: job for job in adapter.list_jobs()}
    ours = {job.ref: job for job in session.scalars(select(Job).where(Job.ats_kind == kind))}
    report = SyncReport()
    for ref, found in remote.items():
        job = ours.get(ref)
        if not found.open:
            continue  # closed below, never created
        if job is None:
            job = Job(ats_kind=kind, ref=ref, published=True, title="")
            session.add(job)
            _copy_ats_fields(job, found)
            report.created += 1
            report.questions += _import_questions(adapter, job, found)
            continue
        if _copy_ats_fields(job, found):
            report.updated += 1
        if job.closed:
            job.closed = False
            report.reopened += 1
        if not job.questions:
            report.questions += _import_questions(adapter, job, found)
    for ref, job in ours.items():
        still_open = ref in remote and remote[ref].open
        if not still_open and not job.closed:
            job.closed = True
            report.closed += 1
    session.commit()
    return report


def _copy_ats_fields(job: Job, found: AtsJob) -> bool:
    """Overwrite the ATS-owned fields; True when any of them changed."""
    values = {
        "title": found.title[:200],
        "location": found.location[:200],
        "department": found.department[:120],
        "remote": bool(found.remote),
        "description_html": sanitize(found.description_html),
    }
    if found.employment_type in EMPLOYMENT_TYPES:
        values["employment_type"] = found.employment_type
    elif job.employment_type is None:
        values["employment_type"] = "FULL_TIME"
    changed = False
    for name, value in values.items():
        if getattr(job, name) != value:
            setattr(job, name, value)
            changed = True
    return changed


def _import_questions(adapter: Any, job: Job, found: AtsJob) -> int:
    """The ATS's application questions as ours, `ref` = the ATS's key (Workable, Greenhouse
    Job Board). Imported once: afterwards the questions are HR's to edit."""
    if not hasattr(adapter, "questions"):
        return 0
    imported = list(_questions_from(adapter.questions(found)))
    job.questions = [Question(position=i, **q) for i, q in enumerate(imported)]
    return len(imported)


def _questions_from(items: Iterable[dict]) -> Iterable[dict]:
    for item in items:
        options = [c.get("body") or c.get("key") for c in item.get("choices") or []]
        kind = item.get("type", "free_text")
        if kind == "hidden":
            continue
        if kind in ("multiple_choice", "dropdown", "select"):
            kind = "single_select" if item.get("single_answer", True) else "multi_select"
        yield {
            "ref": str(item["key"])[:128],
            "label": str(item.get("body") or item["key"])[:500],
            "kind": QUESTION_KINDS.get(kind, kind if kind in QUESTION_KINDS.values() else "short_text"),
            "required": bool(item.get("required")),
            "options": [str(o) for o in options],
        }
