"""Routes of the public careers site."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup

from app.careers import bp
from app.careers.cache import cached_page
from app.careers.forms import HONEYPOT, apply_form_for, held_field_name, normalise_phone, question_field_name
from app.careers.jsonld import job_posting
from app.careers.listing import ListingQuery, facet, open_jobs, search
from app.careers.uploads import CheckedFile, HeldFiles, UploadRejected, read_upload
from app.extensions import csrf, db, limiter
from app.html import plain_text, sanitize
from app.intake.submit import NewApplication, find_by_submission_key, submit
from app.models import Application, Job
from app.resume.service import cached_result
from app.storage import Storage

log = logging.getLogger(__name__)

ATTRIBUTION_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "src", "referrer")


@bp.get("/")
def home():
    return redirect(url_for("careers.jobs"))


@bp.get("/jobs")
@cached_page
def jobs():
    query = ListingQuery.from_args(request.args)
    page = search(query, current_app.config["JOBS_PER_PAGE"])
    return render_template(
        "careers/jobs.html",
        page=page,
        query=query,
        snippet=plain_text,
        departments=facet(Job.department),
        locations=facet(Job.location),
    )


def open_job_or_404(job_id: int) -> Job:
    job = db.session.scalar(open_jobs().where(Job.id == job_id))
    if job is None:
        abort(404)
    return job


@bp.get("/jobs/<int:job_id>")
@cached_page
def job(job_id: int):
    job = open_job_or_404(job_id)
    description = sanitize(job.description_html)
    posting = job_posting(
        job, description, current_app.config["COMPANY_NAME"], current_app.config["COMPANY_URL"]
    )
    return render_template("careers/job.html", job=job, description=Markup(description), posting=posting)


@bp.route("/jobs/<int:job_id>/apply", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own CSRF token, so a stale token re-renders with values kept
@limiter.limit(lambda: current_app.config["APPLY_RATE_LIMIT"], methods=["POST"])
def apply(job_id: int):
    job = open_job_or_404(job_id)
    if request.method == "GET":
        form = apply_form_for(job, formdata=None)
        form.submission_key.data = secrets.token_hex(16)
        form.utm.data = attribution_from(request.args)
        return render_apply(job, form)
    return take_application(job)


def full_page_thanks(public_id: str | None) -> str:
    if public_id is None:
        return url_for("careers.received")
    return url_for("careers.thanks", public_id=public_id)


@dataclass(frozen=True)
class ApplyVariant:
    """How an apply page renders and where it sends the candidate next: the full page, or the
    embed, which has its own layout, no session-bound CSRF token and its own thank-you page."""

    template: str = "careers/apply.html"
    csrf: bool = True
    thanks_url: Callable[[str | None], str] = full_page_thanks
    context: Mapping[str, Any] = field(default_factory=dict)

    def form_for(self, job: Job, **kwargs):
        if not self.csrf:
            kwargs["meta"] = {"csrf": False}
        return apply_form_for(job, **kwargs)


FULL_PAGE = ApplyVariant()


def take_application(job: Job, variant: ApplyVariant = FULL_PAGE):
    form = variant.form_for(job)
    if request.form.get(HONEYPOT):
        log.info("honeypot filled on job %s; nothing stored", job.id)
        return redirect(variant.thanks_url(None))
    key = request.form.get("submission_key", "")
    earlier = find_by_submission_key(db.session, key) if key else None
    if earlier is not None:
        return redirect(variant.thanks_url(earlier.public_id))
    held = held_files()
    valid = form.validate()
    files = collect_files(job, form, held)
    if (
        not valid
        or any(getattr(form, name).errors for name in files_field_names(job))
        or not form.submission_key.data
    ):
        hold_files(form, files, held)
        return render_apply(job, form, files=files, variant=variant), 422
    resume = files["resume"].upload if files.get("resume") else None
    new = NewApplication(
        job=job,
        submission_key=form.submission_key.data,
        first_name=form.first_name.data.strip(),
        last_name=form.last_name.data.strip(),
        email=form.email.data.strip().lower(),
        phone=normalise_phone(form.phone.data or "", job.country or None),
        url=(form.url.data or "").strip(),
        location=(form.location.data or "").strip(),
        cover_letter=form.cover_letter.data or "",
        resume=resume,
        answers=collect_answers(job, form, files),
        # the autofill call usually parsed this file already; otherwise the worker parses it
        parsed=cached_result(db.session, resume.sha256) if resume else None,
        consent_text=current_app.config["CONSENT_TEXT"],
        consent_version=current_app.config["CONSENT_VERSION"],
        attribution=parse_attribution(form.utm.data),
    )
    tasks = current_app.extensions["careers.tasks"]
    application = submit(
        db.session,
        Storage(current_app.config["UPLOAD_DIR"]),
        tasks.enqueue_delivery,
        new,
        target=current_app.config["ATS"]["kind"],
    )
    return redirect(variant.thanks_url(application.public_id))


def show_again(job: Job, variant: ApplyVariant, submission_key: str):
    """The form as the candidate sent it, files held and nothing stored, to be sent again (under
    a new submission key when the old one can no longer be accepted)."""
    form = variant.form_for(job)
    held = held_files()
    form.validate()
    files = collect_files(job, form, held)
    hold_files(form, files, held)
    form.submission_key.data = submission_key
    return render_apply(job, form, files=files, variant=variant), 422


def held_files() -> HeldFiles:
    return HeldFiles(Storage(current_app.config["UPLOAD_DIR"]), current_app.config["SECRET_KEY"])


def hold_files(form, files: Mapping[str, CheckedFile | None], held: HeldFiles) -> None:
    """Keep each checked file under a signed token, so the candidate never picks it again."""
    for name, checked in files.items():
        if checked is not None:
            getattr(form, held_field_name(name)).data = held.hold(checked)


def files_field_names(job: Job) -> list[str]:
    return ["resume"] + [question_field_name(q) for q in job.questions if q.kind == "file"]


def collect_files(job: Job, form, held: HeldFiles) -> dict[str, CheckedFile | None]:
    """Each file field's checked file (new upload, or the one held from the last attempt)."""
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    required = {"resume": job.resume_required}
    required.update({question_field_name(q): q.required for q in job.questions if q.kind == "file"})
    files: dict[str, CheckedFile | None] = {}
    for name in files_field_names(job):
        field = getattr(form, name)
        try:
            checked = read_upload(request.files.get(name), max_bytes)
        except UploadRejected as exc:
            field.errors = list(field.errors) + [str(exc)]
            checked = None
        if checked is None and not field.errors:
            checked = held.take(getattr(form, held_field_name(name)).data)
        if checked is None and required[name] and not field.errors:
            what = "your resume" if name == "resume" else "a file"
            field.errors = list(field.errors) + [f"Attach {what} (PDF, DOC or DOCX)."]
        files[name] = checked
    return files


def collect_answers(job: Job, form, files):
    answers = []
    for question in job.questions:
        name = question_field_name(question)
        if question.kind == "file":
            if files.get(name) is not None:
                answers.append((question, files[name].upload))
            continue
        value = getattr(form, name).data
        if value in (None, "", []):
            continue
        if question.kind == "yes_no":
            value = value == "yes"
        answers.append((question, value))
    return answers


def attribution_from(args) -> str:
    pairs = [(k, args[k][:200]) for k in ATTRIBUTION_KEYS if args.get(k)]
    if "referrer" not in args and request.referrer:
        pairs.append(("referrer", request.referrer[:200]))
    return urlencode(pairs)


def parse_attribution(raw: str | None) -> dict[str, str]:
    return {k: v[:200] for k, v in parse_qsl(raw or "") if k in ATTRIBUTION_KEYS}


def render_apply(job: Job, form, files=None, variant: ApplyVariant = FULL_PAGE):
    return render_template(
        variant.template,
        job=job,
        form=form,
        files=files or {},
        consent_text=current_app.config["CONSENT_TEXT"],
        max_mb=current_app.config["MAX_UPLOAD_MB"],
        question_field_name=question_field_name,
        held_field_name=held_field_name,
        **variant.context,
    )


def application_or_404(public_id: str) -> Application:
    application = db.session.scalar(db.select(Application).where(Application.public_id == public_id))
    if application is None:
        abort(404)
    return application


@bp.get("/applications/<public_id>/thanks")
def thanks(public_id: str):
    application = application_or_404(public_id)
    return render_template("careers/thanks.html", application=application, job=application.job)


@bp.get("/applications/received")
def received():
    return render_template("careers/thanks.html", application=None, job=None)


@bp.get("/sitemap.xml")
@cached_page
def sitemap():
    jobs = db.session.scalars(open_jobs().order_by(Job.id)).all()
    xml = render_template("careers/sitemap.xml", jobs=jobs)
    return Response(xml, mimetype="application/xml")
