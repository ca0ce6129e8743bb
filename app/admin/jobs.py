"""HR editing of jobs and their custom questions."""

from __future__ import annotations

from datetime import datetime, time

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from app.admin import bp
from app.admin.forms import ActionForm, JobForm, QuestionForm
from app.extensions import csrf, db
from app.html import sanitize
from app.intake.post import addresses
from app.models import Job, Question

JOB_FIELDS = (
    "title",
    "department",
    "location",
    "remote",
    "employment_type",
    "language",
    "salary_min",
    "salary_max",
    "resume_required",
    "stage",
    "source",
    "published",
)


def _job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/jobs")
def jobs():
    rows = db.session.scalars(select(Job).order_by(Job.published.desc(), Job.title)).all()
    return render_template("admin/jobs.html", jobs=rows, action=ActionForm())


@bp.route("/jobs/new", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the changes kept
def job_new():
    form = JobForm()
    if form.validate_on_submit():
        job = Job()
        _fill_job(job, form)
        db.session.add(job)
        db.session.commit()
        flash("Job created.")
        return redirect(url_for("admin.job_edit", job_id=job.id))
    return render_template("admin/job_form.html", form=form, job=None)


@bp.route("/jobs/<int:job_id>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the changes kept
def job_edit(job_id: int):
    job = _job_or_404(job_id)
    form = JobForm(obj=job)
    if form.is_submitted() is False and job.valid_through:
        form.valid_through.data = job.valid_through.date()
    if form.validate_on_submit():
        _fill_job(job, form)
        db.session.commit()
        flash("Job saved.")
        return redirect(url_for("admin.job_edit", job_id=job.id))
    return _job_page(job, form, QuestionForm(formdata=None))


def _job_page(job: Job, form: JobForm, question_form: QuestionForm) -> str:
    """The job's page: its form, its questions and the form that adds one."""
    return render_template(
        "admin/job_form.html", form=form, job=job, question_form=question_form, action=ActionForm()
    )


def _saved_job_form(job: Job) -> JobForm:
    """The job form as the job is saved, whatever the request that shows it carries."""
    form = JobForm(formdata=None, obj=job)
    if job.valid_through:
        form.valid_through.data = job.valid_through.date()
    return form


def _fill_job(job: Job, form: JobForm) -> None:
    for name in JOB_FIELDS:
        setattr(job, name, getattr(form, name).data)
    job.country = (form.country.data or "").upper()
    job.salary_currency = (form.salary_currency.data or "").upper()
    job.description_html = sanitize(form.description_html.data)
    job.notify_emails = ", ".join(addresses(form.notify_emails.data or ""))
    job.valid_through = (
        datetime.combine(form.valid_through.data, time(23, 59, 59)) if form.valid_through.data else None
    )


@bp.post("/jobs/<int:job_id>/publish")
def job_publish(job_id: int):
    return _set_published(job_id, True)


@bp.post("/jobs/<int:job_id>/unpublish")
def job_unpublish(job_id: int):
    return _set_published(job_id, False)


def _set_published(job_id: int, published: bool):
    job = _job_or_404(job_id)
    if ActionForm().validate_on_submit():
        job.published = published
        db.session.commit()
        flash("Job published." if published else "Job unpublished.")
    return redirect(url_for("admin.jobs"))


@bp.post("/jobs/<int:job_id>/questions")
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the question kept
def question_add(job_id: int):
    job = _job_or_404(job_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _job_page(job, _saved_job_form(job), form)
    question = Question(job=job)
    _fill_question(question, form)
    db.session.add(question)
    db.session.commit()
    flash("Question added.")
    return redirect(url_for("admin.job_edit", job_id=job.id))


@bp.route("/jobs/<int:job_id>/questions/<int:question_id>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the changes kept
def question_edit(job_id: int, question_id: int):
    question = db.session.get(Question, question_id)
    if question is None or question.job_id != job_id:
        abort(404)
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        form.choices_text.data = "\n".join(question.options or [])
    if form.validate_on_submit():
        _fill_question(question, form)
        db.session.commit()
        flash("Question saved.")
        return redirect(url_for("admin.job_edit", job_id=job_id))
    return render_template("admin/question_form.html", form=form, question=question)


@bp.post("/jobs/<int:job_id>/questions/<int:question_id>/delete")
def question_delete(job_id: int, question_id: int):
    question = db.session.get(Question, question_id)
    if question is None or question.job_id != job_id:
        abort(404)
    if ActionForm().validate_on_submit():
        db.session.delete(question)
        db.session.commit()
        flash("Question removed.")
    return redirect(url_for("admin.job_edit", job_id=job_id))


def _fill_question(question: Question, form: QuestionForm) -> None:
    question.label = form.label.data.strip()
    question.kind = form.kind.data
    question.required = form.required.data
    question.position = form.position.data or 0
    question.options = form.options()
