"""A job that closed while someone filled in its form: keep what they wrote, and offer it to
similar open jobs instead of answering with a bare "not found".

On the careers site the page holds what they typed and their resume (held under a signed token,
as a form sent back for correction does); a similar job's form opens filled in with it
(`carry_over`), nothing stored until they send that form.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from app.intake.apply import Files, Intake
from app.intake.form import ApplyFormBase
from app.intake.listing import open_jobs
from app.intake.waiting import Notice
from app.models import Job

SIMILAR_JOBS = 5
CARRIED = "carried_from"  # the form field naming the closed job a form was carried from
CARRIED_FIELDS = ("first_name", "last_name", "email", "phone", "url", "location", "cover_letter")


def carried_notice() -> Notice:
    """Above a form carried from a closed job, in the page's language."""
    return Notice(
        gettext("Check your application before you send it"),
        gettext(
            "We filled in this form with what you wrote for the position that closed. Check it, "
            "answer this position's questions, and submit."
        ),
    )


def open_job(session: Session, job_id: int, now: datetime) -> Job | None:
    return session.scalar(open_jobs(now).where(Job.id == job_id))


def closed_job(session: Session, job_id: int, now: datetime) -> Job | None:
    """The job, when it was published and no longer takes applications; None when it never
    existed for the public (unknown, a draft, or not open yet): that stays a plain 404."""
    opened = or_(Job.opens_at.is_(None), Job.opens_at <= now)
    job = session.scalar(select(Job).where(Job.id == job_id, Job.published.is_(True), opened))
    if job is None or open_job(session, job_id, now) is not None:
        return None
    return job


def similar_open_jobs(session: Session, job: Job, now: datetime, limit: int = SIMILAR_JOBS) -> list[Job]:
    """Open jobs, those of the same team and then the same place first, the newest next."""
    same_team = case((Job.department == job.department, 1), else_=0)
    same_place = case((Job.location == job.location, 1), else_=0)
    ordered = open_jobs(now).order_by(
        same_team.desc(), same_place.desc(), Job.date_posted.desc(), Job.id.desc()
    )
    return list(session.scalars(ordered.where(Job.id != job.id).limit(limit)))


def carry_over(intake: Intake, form: ApplyFormBase) -> Files:
    """A form carried from a closed job: the typed fields stay as sent, the held resume comes
    along, and a new submission key makes it a form of its own. Nothing is checked or stored."""
    form.submission_key.data = secrets.token_hex(16)
    return {"resume": intake.held.take(form.held_resume.data)}
