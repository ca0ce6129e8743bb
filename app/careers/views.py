"""Routes of the public careers site."""

from __future__ import annotations

import secrets

from flask import Response, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from app.careers import bp
from app.careers.cache import cached_page
from app.careers.jsonld import job_posting
from app.careers.links import carried, share_links
from app.extensions import application_stored, csrf, db, db_session, limiter
from app.hosts import public_url
from app.html import sanitize
from app.i18n import consent_text
from app.intake.apply import Files, Intake, ToFix, attribution_from, take_application
from app.intake.form import ApplyFormBase, apply_form_for, held_field_name, question_field_name
from app.intake.listing import ListingQuery, facet, open_jobs, search
from app.job_display import snippet
from app.models import Application, Job, utcnow


@bp.get("/")
def home():
    return redirect(url_for("careers.jobs"))


@bp.get("/jobs")
@cached_page
def jobs():
    now = utcnow()
    query = ListingQuery.from_args(request.args)
    page = search(query, current_app.config["JOBS_PER_PAGE"], now)
    past_the_end = page.total > 0 and not page.items  # ?page=99: say so, and link to page 1
    html = render_template(
        "careers/jobs.html",
        page=page,
        query=query,
        past_the_end=past_the_end,
        attribution=carried(request.args),
        departments=facet(Job.department, now),
        locations=facet(Job.location, now),
    )
    return html, 404 if past_the_end else 200


def open_job_or_404(job_id: int) -> Job:
    """The job if it takes applications now; a draft, closed or expired one is not found."""
    return db.first_or_404(open_jobs(utcnow()).where(Job.id == job_id))


@bp.get("/jobs/<int:job_id>")
@cached_page
def job(job_id: int):
    job = open_job_or_404(job_id)
    description = sanitize(job.description_html)
    posting = job_posting(
        job, description, current_app.config["COMPANY_NAME"], current_app.config["COMPANY_URL"]
    )
    canonical = public_url("careers.job", job_id=job.id)
    return render_template(
        "careers/job.html",
        job=job,
        description=Markup(description),
        summary=snippet(job.description_html, limit=200),
        posting=posting,
        canonical=canonical,
        shares=share_links(canonical, job.title),
        attribution=carried(request.args),
    )


@bp.route("/jobs/<int:job_id>/apply", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own CSRF token, so a stale token re-renders with values kept
@limiter.limit(
    lambda: current_app.config["APPLY_RATE_LIMIT"], methods=["POST"], deduct_when=application_stored
)
def apply(job_id: int):
    job = open_job_or_404(job_id)
    if request.method == "GET":
        form = apply_form_for(job, formdata=None)
        form.submission_key.data = secrets.token_hex(16)
        form.utm.data = attribution_from(request.args, request.referrer)
        return render_apply(job, form)
    form = apply_form_for(job)
    outcome = take_application(Intake.for_app(current_app, db_session()), job, form, request.files)
    if isinstance(outcome, ToFix):
        return render_apply(job, form, outcome.files), 422
    if outcome.public_id is None:
        return redirect(url_for("careers.received"))
    return redirect(url_for("careers.thanks", public_id=outcome.public_id))


def render_apply(job: Job, form: ApplyFormBase, files: Files | None = None) -> str:
    return render_template(
        "careers/apply.html",
        job=job,
        form=form,
        files=files or {},
        consent_text=consent_text(),
        max_mb=current_app.config["MAX_UPLOAD_MB"],
        question_field_name=question_field_name,
        held_field_name=held_field_name,
    )


@bp.get("/applications/<public_id>/thanks")
def thanks(public_id: str):
    application = db.first_or_404(select(Application).where(Application.public_id == public_id))
    return render_template("careers/thanks.html", application=application, job=application.job)


@bp.get("/applications/received")
def received():
    return render_template("careers/thanks.html", application=None, job=None)


@bp.get("/sitemap.xml")
@cached_page
def sitemap():
    jobs = db.session.scalars(open_jobs(utcnow()).order_by(Job.id)).all()
    xml = render_template("careers/sitemap.xml", jobs=jobs)
    return Response(xml, mimetype="application/xml")
