"""HR editing of jobs and their custom questions: the job form with its Markdown description
and live preview, and the job page as candidates will see it before it is published."""

from __future__ import annotations

from datetime import datetime, time

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from app import audit
from app.admin import bp
from app.admin.forms import ActionForm, DescriptionPreviewForm, JobForm, LibraryPickForm, QuestionForm
from app.admin.library import library_pick_form
from app.admin.roles import department_refused, visible_jobs
from app.extensions import csrf, db, db_session
from app.hosts import public_url
from app.html import sanitize
from app.intake.ats_lists import ats_lists, mark_stale
from app.intake.post import addresses
from app.job_display import snippet
from app.jobs_markdown import render_markdown
from app.models import Job, utcnow

JOB_FIELDS = (
    "title",
    "department",
    "location",
    "country",
    "workplace",
    "employment_type",
    "language",
    "salary_min",
    "salary_max",
    "salary_currency",
    "resume_required",
    "stage",
    "source",
    "published",
)


def job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    return job


def target_settings() -> dict:
    """The configured ATS: its kind, and the stage and source new applicants get by default."""
    return dict(current_app.config["ATS"])


@bp.get("/jobs")
def jobs():
    visible = select(Job).where(*visible_jobs(current_user))
    rows = db.session.scalars(visible.order_by(Job.published.desc(), Job.title)).all()
    return render_template(
        "admin/jobs.html",
        jobs=rows,
        action=ActionForm(),
        now=utcnow(),
        ats_kind=target_settings().get("kind"),
    )


@bp.route("/jobs/new", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the changes kept
def job_new():
    form = job_form(None)
    if not wants_preview() and form.validate_on_submit() and in_my_departments(form):
        job = Job()
        fill_job(job, form)
        db.session.add(job)
        audit.record_change("job_created", job)
        db.session.commit()
        flash("Job created.")
        return redirect(url_for("admin.job_edit", job_id=job.id))
    return job_page(None, form)


@bp.route("/jobs/<int:job_id>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the changes kept
def job_edit(job_id: int):
    job = job_or_404(job_id)
    form = job_form(job)
    if not wants_preview() and form.validate_on_submit() and in_my_departments(form):
        fill_job(job, form)
        audit.record_change("job_changed", job)
        db.session.commit()
        flash("Job saved.")
        return redirect(url_for("admin.job_edit", job_id=job.id))
    return job_page(job, form)


def in_my_departments(form: JobForm) -> bool:
    """A recruiter keeps their jobs in their own departments; the refusal shows on the field."""
    refusal = department_refused(current_user, form.department.data)
    if refusal:
        form.department.errors = [*form.department.errors, refusal]
    return refusal is None


def wants_preview() -> bool:
    """The form's Preview button (for HR without script): show the description, save nothing."""
    return request.method == "POST" and "preview" in request.form


def job_form(job: Job | None, *, saved: bool = False) -> JobForm:
    """The job form: what HR sent, or the job as saved (always, when `saved`), with the
    ATS's stage and source lists for this job."""
    lists = ats_lists(db_session(), job, target_settings().get("kind", "local"))
    formdata = None if saved or request.method != "POST" else request.form
    form = JobForm(formdata=formdata, obj=job, stages=lists.stages, sources=lists.sources)
    if formdata is None and job is not None:
        form.description.data = job.description_md or job.description_html
        form.opens_on.data = job.opens_at.date() if job.opens_at else None
        form.valid_through.data = job.valid_through.date() if job.valid_through else None
        if job.remote:  # `remote` set without a workplace (a jobs file, an ATS) says remote
            form.workplace.data = "remote"
    return form


def job_page(
    job: Job | None,
    form: JobForm,
    question_form: QuestionForm | None = None,
    library_form: LibraryPickForm | None = None,
) -> str:
    """The job's page: its form, its questions and the forms that add one."""
    preview = Markup(render_markdown(form.description.data)) if wants_preview() else None
    return render_template(
        "admin/job_form.html",
        form=form,
        job=job,
        question_form=question_form or QuestionForm(formdata=None),
        library_form=library_form or library_pick_form(formdata=None),
        action=ActionForm(),
        preview=preview,
        ats=target_settings(),
    )


def fill_job(job: Job, form: JobForm) -> None:
    for name in JOB_FIELDS:
        setattr(job, name, getattr(form, name).data)
    job.remote = job.workplace == "remote"
    job.country = job.country or ""
    job.salary_currency = job.salary_currency or ""
    typed = form.description.data
    if typed is not None and typed != (job.description_md or job.description_html):
        job.description_md = typed  # unchanged, an ATS's HTML stays exactly as it came
        job.description_html = render_markdown(typed)
    job.notify_emails = ", ".join(addresses(form.notify_emails.data or ""))
    job.opens_at = datetime.combine(form.opens_on.data, time()) if form.opens_on.data else None
    job.valid_through = (
        datetime.combine(form.valid_through.data, time(23, 59, 59)) if form.valid_through.data else None
    )


@bp.post("/jobs/description-preview")
def description_preview():
    """The live preview: the description as candidates will see it, rendered and sanitised as
    when it is saved. CSRF-checked like every POST of the HR area."""
    form = DescriptionPreviewForm()
    if not form.validate_on_submit():
        abort(400)
    return Response(render_markdown(form.description.data), mimetype="text/html")


@bp.get("/jobs/<int:job_id>/preview")
def job_preview(job_id: int):
    """The public job page as candidates will see it, for HR only (the admin area needs a
    login), whether or not it is published; bannered, never indexed."""
    job = job_or_404(job_id)
    canonical = public_url("careers.job", job_id=job.id)
    return render_template(
        "careers/job.html",
        job=job,
        preview=True,
        preview_open=job.is_open(utcnow()),
        description=Markup(sanitize(job.description_html)),  # as the public page does
        summary=snippet(job.description_html, limit=200),
        posting=None,
        canonical=canonical,
        shares=[],
        attribution={},
    )


@bp.post("/jobs/refresh-ats")
def ats_refresh():
    """Queue a job sync that reads every stage and source list again (they are marked stale
    first): the web request never calls the ATS itself."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("admin.jobs"))
    if target_settings().get("kind", "local") == "local":
        flash("Jobs are kept here, not in an ATS: there is nothing to refresh.")
    else:
        mark_stale(db_session(), target_settings()["kind"])
        db.session.commit()
        current_app.extensions["careers.tasks"].sync_jobs()
        flash("Refresh requested: jobs, stages and sources update within a minute.")
    return redirect(url_for("admin.jobs"))
