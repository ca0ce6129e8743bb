"""What HR does to a whole job: publish, unpublish, close, reopen, duplicate, delete.

The destructive ones (unpublish, close, delete, removing a question) act only when sent from
their confirmation page (`confirm=yes`): a bare POST shows that page and changes nothing. The
page is a plain form, so it works without script.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import delete, func, select
from werkzeug.wrappers import Response as BaseResponse

from app import audit
from app.admin import bp
from app.admin.confirm import confirmed_or_ask
from app.admin.forms import ActionForm
from app.admin.jobs import job_or_404
from app.extensions import db
from app.models import Application, AtsChoice, Job, Question, utcnow

COPIED_FIELDS = (
    "department",
    "location",
    "country",
    "remote",
    "workplace",
    "employment_type",
    "description_html",
    "description_md",
    "language",
    "salary_min",
    "salary_max",
    "salary_currency",
    "resume_required",
    "stage",
    "source",
    "notify_emails",
)


def back_to_jobs() -> BaseResponse:
    return redirect(url_for("admin.jobs"))


@bp.post("/jobs/<int:job_id>/publish")
def job_publish(job_id: int):
    job = job_or_404(job_id)
    if ActionForm().validate_on_submit():
        job.published = True
        audit.record_change("job_published", job)
        db.session.commit()
        flash("Job published.")
    return back_to_jobs()


@bp.route("/jobs/<int:job_id>/unpublish", methods=["GET", "POST"])
def job_unpublish(job_id: int):
    job = job_or_404(job_id)

    def act():
        job.published = False
        audit.record_change("job_unpublished", job)
        db.session.commit()
        flash("Job unpublished.")
        return back_to_jobs()

    return confirmed_or_ask(
        act,
        title=f"Unpublish “{job.title}”?",
        message="The job leaves the careers site now; a candidate with its form open can no longer send it.",
        button="Unpublish",
    )


@bp.route("/jobs/<int:job_id>/close", methods=["GET", "POST"])
def job_close(job_id: int):
    job = job_or_404(job_id)

    def act():
        now = utcnow()
        job.closed = True
        if job.valid_through is None or job.valid_through > now:
            job.valid_through = now  # the closing date: kept when a job sync reopens `closed`
        audit.record_change("job_closed", job)
        db.session.commit()
        flash("Job closed: it takes no more applications.")
        return back_to_jobs()

    return confirmed_or_ask(
        act,
        title=f"Close “{job.title}”?",
        message="The job stops taking applications now and leaves the careers site. "
        "Its applications are kept, and you can reopen it later.",
        button="Close the job",
    )


@bp.post("/jobs/<int:job_id>/reopen")
def job_reopen(job_id: int):
    job = job_or_404(job_id)
    if ActionForm().validate_on_submit():
        job.closed = False
        if job.valid_through is not None and job.valid_through <= utcnow():
            job.valid_through = None  # a passed closing date would keep it closed
        audit.record_change("job_reopened", job)
        db.session.commit()
        flash("Job reopened." if job.published else "Job reopened; publish it to show it on the site.")
    return back_to_jobs()


@bp.post("/jobs/<int:job_id>/duplicate")
def job_duplicate(job_id: int):
    job = job_or_404(job_id)
    if not ActionForm().validate_on_submit():
        return back_to_jobs()
    copy = duplicate(job)
    db.session.add(copy)
    audit.record_change("job_duplicated", copy, detail=f"copy of job {job.id}")
    db.session.commit()
    flash("Job duplicated: this is the unpublished copy.")
    return redirect(url_for("admin.job_edit", job_id=copy.id))


def duplicate(job: Job) -> Job:
    """An unpublished copy of `job` with its questions: HR's own job (not tied to an ATS
    record), without dates, so HR sets them before publishing it."""
    copy = Job(ats_kind="local", ref=None, title=f"{job.title} (copy)"[:200], published=False, closed=False)
    for name in COPIED_FIELDS:
        setattr(copy, name, getattr(job, name))
    copy.questions = [
        Question(
            position=q.position,
            label=q.label,
            kind=q.kind,
            required=q.required,
            options=list(q.options or []),
        )
        for q in job.questions
    ]
    return copy


def application_count(job: Job) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(Application).where(Application.job_id == job.id))
        or 0
    )


@bp.route("/jobs/<int:job_id>/delete", methods=["GET", "POST"])
def job_delete(job_id: int):
    """Deleting is for jobs nobody applied to (a draft, a mistake); a job with applications is
    closed instead, so its applications keep their job."""
    job = job_or_404(job_id)
    applications = application_count(job)
    if applications:
        if request.method == "POST":
            flash("This job has applications, so it cannot be deleted: close it instead.")
        page = render_template(
            "admin/confirm.html",
            job=job,
            applications=applications,
            form=None,
            title=f"“{job.title}” cannot be deleted",
        )
        return page, 409 if request.method == "POST" else 200

    def act():
        audit.record("job_deleted", obj_kind="job", obj_id=job.id)
        db.session.execute(delete(AtsChoice).where(AtsChoice.job_id == job.id))
        db.session.delete(job)
        db.session.commit()
        flash("Job deleted.")
        return back_to_jobs()

    return confirmed_or_ask(
        act,
        title=f"Delete “{job.title}”?",
        message="The job and its questions are deleted for good. Nobody has applied to it.",
        button="Delete the job",
    )


@bp.route("/jobs/<int:job_id>/questions/<int:question_id>/delete", methods=["GET", "POST"])
def question_delete(job_id: int, question_id: int):
    question = db.session.get(Question, question_id)
    if question is None or question.job_id != job_id:
        abort(404)

    def act():
        audit.record("question_removed", obj_kind="question", obj_id=question.id, detail=f"job {job_id}")
        db.session.delete(question)
        db.session.commit()
        flash("Question removed.")
        return redirect(url_for("admin.job_edit", job_id=job_id))

    return confirmed_or_ask(
        act,
        title=f"Remove the question “{question.label}”?",
        message="New applicants will no longer be asked it; answers already sent are kept.",
        back=url_for("admin.job_edit", job_id=job_id),
        button="Remove the question",
    )
