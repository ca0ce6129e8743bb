"""Pulling the target ATS's jobs into our Job table (find-job).

The ATS owns what a job *is* (title, location, department, remote, employment type,
description, whether it is open); HR owns how we show it (published, questions, stage and
source mapping). A sync overwrites only the first group, so HR's edits survive every run.
Jobs are matched by (ats_kind, ref); a job the ATS no longer returns, or returns as not open,
is closed and drops out of the listings.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ats.base import CHOICE_KINDS, AtsAdapter, QuestionSource, SyncedQuestion
from app.ats.base import Job as AtsJob
from app.html import sanitize
from app.intake.ats_lists import refresh_ats_lists
from app.intake.demographics import import_demographics
from app.models import EMPLOYMENT_TYPES, Job, Question, utcnow

CONSENT_REF_PREFIX = "data_compliance["  # Greenhouse Job Board consents asked as questions


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


def sync_jobs(session: Session, adapter: AtsAdapter, kind: str) -> SyncReport:
    """Make our jobs of `kind` match `adapter.list_jobs()`; commit once at the end."""
    questions = adapter if isinstance(adapter, QuestionSource) else None
    remote = {job.ref: job for job in adapter.list_jobs()}
    ours = {job.ref: job for job in session.scalars(select(Job).where(Job.ats_kind == kind))}
    report = SyncReport()
    synced: list[tuple[Job, AtsJob]] = []
    for ref, found in remote.items():
        job = ours.get(ref)
        if not found.open:
            continue  # closed below, never created
        if job is None:
            job = Job(ats_kind=kind, ref=ref, published=True, title="")
            session.add(job)
            synced.append((job, found))
            _copy_ats_fields(job, found)
            report.created += 1
            report.questions += _import_questions(questions, job, found)
            import_demographics(adapter, job, found)
            continue
        synced.append((job, found))
        if _copy_ats_fields(job, found):
            report.updated += 1
        if job.closed:
            job.closed = False
            report.reopened += 1
        if not job.questions:
            report.questions += _import_questions(questions, job, found)
        else:
            report.questions += _add_consent_questions(questions, job, found)
        import_demographics(adapter, job, found)
    for our_ref, job in ours.items():
        still_open = our_ref in remote and remote[our_ref].open
        if not still_open and not job.closed:
            job.closed = True
            report.closed += 1
    session.flush()
    refresh_ats_lists(session, adapter, kind, synced, utcnow())
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
    if found.remote:
        values["workplace"] = "remote"
    elif job.workplace in (None, "remote"):  # HR's hybrid stays hybrid
        values["workplace"] = "on_site"
    if found.employment_type in EMPLOYMENT_TYPES:
        values["employment_type"] = found.employment_type
    elif job.employment_type is None:
        values["employment_type"] = "FULL_TIME"
    if job.description_html != values["description_html"]:
        job.description_md = ""  # the ATS's HTML is now the source HR edits
    changed = False
    for name, value in values.items():
        if getattr(job, name) != value:
            setattr(job, name, value)
            changed = True
    return changed


def _import_questions(source: QuestionSource | None, job: Job, found: AtsJob) -> int:
    """The ATS's application questions as ours, `ref` = the ATS's key (Workable, Greenhouse
    Job Board). Imported once: afterwards the questions are HR's to edit."""
    if source is None:
        return 0
    job.questions = [_question(i, synced) for i, synced in enumerate(source.questions(found))]
    return len(job.questions)


def _add_consent_questions(source: QuestionSource | None, job: Job, found: AtsJob) -> int:
    """Consent questions the ATS started to ask after the first import (a GDPR rule turned on)
    are added to HR's edited set, so the form asks what the ATS requires."""
    if source is None:
        return 0
    have = {q.ref for q in job.questions}
    wanted = [
        q for q in source.questions(found) if q.ref.startswith(CONSENT_REF_PREFIX) and q.ref not in have
    ]
    start = len(job.questions)
    job.questions.extend(_question(start + i, q) for i, q in enumerate(wanted))
    return len(wanted)


def _question(position: int, synced: SyncedQuestion) -> Question:
    kind: str = synced.kind
    if kind in CHOICE_KINDS and not synced.options:
        # Nothing to choose from: asked as a choice, it would refuse every application.
        kind = "short_text"
    return Question(
        position=position,
        ref=synced.ref[:128],
        label=synced.label[:500],
        kind=kind,
        required=synced.required,
        options=list(synced.options),
    )
