"""Routes of the public careers site."""

from __future__ import annotations

import secrets
import time

from flask import (
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import RequestLimit
from markupsafe import Markup
from sqlalchemy import select

from app.careers import bp
from app.careers.cache import cached_page
from app.careers.jsonld import job_posting
from app.careers.links import carried, share_links
from app.extensions import application_stored, csrf, db, db_session, limiter
from app.hosts import public_url
from app.html import sanitize
from app.i18n import LANGUAGES, consent_text
from app.intake.apply import (
    AppliedBefore,
    Files,
    Intake,
    ToFix,
    attribution_from,
    check_again,
    take_application,
)
from app.intake.closed import (
    CARRIED,
    CARRIED_FIELDS,
    carried_notice,
    carry_over,
    closed_job,
    open_job,
    similar_open_jobs,
)
from app.intake.form import ApplyFormBase, apply_form_for, held_field_name, question_field_name
from app.intake.listing import ListingQuery, facet, open_jobs, search
from app.intake.waiting import too_many_notice
from app.job_display import snippet
from app.models import Application, Job, utcnow
from app.settings import current as current_settings

SENT_HERE = "sent"  # the session's public ids of applications this browser sent, newest last
SENT_HERE_KEPT = 20


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
        job, description, current_settings().company_name, current_app.config["COMPANY_URL"]
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
    lambda: current_app.config["APPLY_RATE_LIMIT"],
    methods=["POST"],
    deduct_when=application_stored,
    on_breach=lambda limit: apply_limited(limit),
)
def apply(job_id: int):
    job = open_job(db_session(), job_id, utcnow())
    if job is None:
        return job_closed(job_id)
    if request.method == "GET":
        form = apply_form_for(job, formdata=None)
        form.submission_key.data = secrets.token_hex(16)
        form.utm.data = attribution_from(request.args, request.referrer)
        return render_apply(job, form)
    form = apply_form_for(job)
    intake = Intake.for_app(current_app, db_session())
    if request.form.get(CARRIED):
        return render_apply(job, form, carry_over(intake, form), notice=carried_notice())
    sent_here = session.get(SENT_HERE, [])
    outcome = take_application(intake, job, form, request.files, now=utcnow(), sent_here=sent_here)
    if isinstance(outcome, ToFix):
        return render_apply(job, form, outcome.files), outcome.status
    if isinstance(outcome, AppliedBefore):
        return render_apply(job, form, outcome.files, applied_before=outcome.earlier), 409
    if outcome.public_id is None:
        return redirect(url_for("careers.received"))
    if outcome.public_id not in sent_here:
        session[SENT_HERE] = [*sent_here, outcome.public_id][-SENT_HERE_KEPT:]
    return redirect(url_for("careers.thanks", public_id=outcome.public_id))


def job_closed(job_id: int):
    """A job that closed while its form was open (410): what was sent is shown back, the resume
    held, and similar open jobs offered to apply to with it."""
    database = db_session()
    job = closed_job(database, job_id, utcnow())
    if job is None:
        abort(404)
    form, resume = None, None
    if request.method == "POST":
        form = apply_form_for(job)
        checked = check_again(Intake.for_app(current_app, database), job, form, request.files)
        resume = checked.files.get("resume")
    similar = similar_open_jobs(database, job, utcnow())
    context = dict(job=job, form=form, resume=resume, similar=similar, carried=CARRIED, fields=CARRIED_FIELDS)
    return render_template("careers/closed.html", **context), 410


def apply_limited(limit: RequestLimit) -> Response:
    """The apply limit was reached: the form comes back with what was typed, its files held,
    and the true wait."""
    job = open_job_or_404(int((request.view_args or {})["job_id"]))
    form = apply_form_for(job)
    checked = check_again(Intake.for_app(current_app, db_session()), job, form, request.files)
    notice = too_many_notice(limit.reset_at, time.time())
    return make_response(render_apply(job, form, checked.files, notice=notice), 429)


def render_apply(job: Job, form: ApplyFormBase, files: Files | None = None, **context) -> str:
    return render_template(
        "careers/apply.html",
        job=job,
        form=form,
        files=files or {},
        **context,
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
    xml = render_template("careers/sitemap.xml", jobs=jobs, languages=LANGUAGES)
    return Response(xml, mimetype="application/xml")
