"""The candidate's pages of a draft: saving the apply form (its "Save and finish later"
button posts here), and the magic link that opens the form again, filled in."""

from __future__ import annotations

import secrets
import time
from datetime import datetime

from flask import (
    Blueprint,
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
from flask_babel import format_date, gettext
from flask_limiter import RequestLimit

from app.drafts import store
from app.drafts.links import email_limit_key
from app.drafts.saving import Saved, draft_files, save_posted
from app.extensions import application_stored, csrf, db_session, limiter
from app.i18n import consent_text, current_language
from app.intake.apply import Files, Intake, ToFix, hold_files
from app.intake.closed import CARRIED, CARRIED_FIELDS, closed_job, open_job, similar_open_jobs
from app.intake.form import ApplyFormBase, apply_form_for, held_field_name, question_field_name
from app.intake.waiting import Notice, wait_words
from app.models import Draft, Job, utcnow

bp = Blueprint("drafts", __name__)
SAVED = "draft_saved"  # the session's note of the last save, for the page after it


def typed_email() -> str:
    return email_limit_key(request.form.get("email") or "")


@bp.post("/jobs/<int:job_id>/save")
@csrf.exempt  # the form checks its own CSRF token, so a stale token re-renders with values kept
@limiter.limit(
    lambda: current_app.config["DRAFT_SAVE_RATE_LIMIT"], on_breach=lambda limit: save_limited(limit)
)
@limiter.limit(
    lambda: current_app.config["DRAFT_EMAIL_RATE_LIMIT"],
    key_func=typed_email,
    deduct_when=application_stored,  # a draft saved (a link mailed), not a form sent back
    on_breach=lambda limit: save_limited(limit),
)
def save(job_id: int):
    now = utcnow()
    job = open_job(db_session(), job_id, now)
    if job is None:
        return saving_closed(job_id, now)
    form = apply_form_for(job)
    outcome = save_posted(
        current_app,
        db_session(),
        job,
        form,
        request.files,
        request.form,
        language=current_language(),
        now=now,
    )
    if isinstance(outcome, ToFix):
        return render_form(job, form, outcome.files), outcome.status
    note_saved(outcome)
    return redirect(url_for("drafts.saved", job_id=job.id))


def note_saved(outcome: Saved) -> None:
    session[SAVED] = {"email": outcome.email, "until": outcome.expires_at.isoformat()}


@bp.get("/jobs/<int:job_id>/saved")
def saved(job_id: int):
    """Where the link went and until when: the page after a save, which a reload only shows
    again (the save itself answered with a redirect here)."""
    note = session.get(SAVED)
    job = open_job(db_session(), job_id, utcnow())
    if not isinstance(note, dict) or job is None:
        return redirect(url_for("careers.apply", job_id=job_id))
    until = datetime.fromisoformat(note["until"])
    html = render_template("careers/draft_saved.html", job=job, email=note["email"], until=until)
    return private(make_response(html))


def saving_closed(job_id: int, now: datetime) -> tuple[str, int]:
    """The job closed while the form was open: its closed page, with what was typed and the
    files held, as the careers site answers a form sent to a closed job."""
    job = closed_job(db_session(), job_id, now) or abort(404)
    form = apply_form_for(job)
    intake = Intake.for_app(current_app, db_session())
    files = draft_files(intake, job, form, request.files)
    hold_files(intake.held, form, files)
    return render_closed(job, form, files, now), 410


def save_limited(limit: RequestLimit) -> Response:
    """Too many saves from this connection or to this email: nothing is saved or sent, and the
    form comes back with what was typed and the true wait."""
    job = open_job(db_session(), int((request.view_args or {})["job_id"]), utcnow()) or abort(404)
    form = apply_form_for(job)
    intake = Intake.for_app(current_app, db_session())
    files = draft_files(intake, job, form, request.files)
    hold_files(intake.held, form, files)
    notice = Notice(
        gettext("Your application was not saved"),
        gettext(
            "Many drafts were saved lately from this connection or for this email address, so we "
            "cannot save another one just now. Please try again in %(wait)s: your answers are "
            "kept below, and you can still submit your application.",
            wait=wait_words(limit.reset_at - time.time()),
        ),
    )
    return make_response(render_form(job, form, files, notice=notice), 429)


@bp.get("/jobs/<int:job_id>/draft/<secret>")
def reopen(job_id: int, secret: str):
    """The form as it was saved, the files shown as kept; a job closed since shows the closed
    job's page with what was saved; a link expired, revoked or sent shows how to start again."""
    now = utcnow()
    session = db_session()
    draft = store.live_draft(session, secret, now)
    if draft is None or draft.job_id != job_id:
        job = open_job(session, job_id, now)  # offered afresh, when it still takes applications
        return private(make_response(render_template("careers/draft_expired.html", job=job), 410))
    intake = Intake.for_app(current_app, session)
    form = apply_form_for(draft.job, formdata=store.formdata(draft))
    files = store.reopened_files(intake.storage, draft)
    hold_files(intake.held, form, files)
    if open_job(session, draft.job_id, now) is None:
        return private(make_response(render_closed(draft.job, form, files, now), 410))
    form.submission_key.data = secrets.token_hex(16)
    form.draft.data = secret
    return private(make_response(render_form(draft.job, form, files, notice=reopened_notice(draft))))


def reopened_notice(draft: Draft) -> Notice:
    return Notice(
        gettext("Welcome back"),
        gettext(
            "We filled in this form with what you saved. Check it, agree to the processing of "
            "your data and submit, or save it again until %(date)s.",
            date=format_date(draft.expires_at, "long"),
        ),
    )


def render_form(job: Job, form: ApplyFormBase, files: Files, **context) -> str:
    return render_template(
        "careers/apply.html",
        job=job,
        form=form,
        files=files,
        **context,
        consent_text=consent_text(),
        max_mb=current_app.config["MAX_UPLOAD_MB"],
        question_field_name=question_field_name,
        held_field_name=held_field_name,
    )


def render_closed(job: Job, form: ApplyFormBase, files: Files, now: datetime) -> str:
    similar = similar_open_jobs(db_session(), job, now)
    context = dict(job=job, form=form, resume=files.get("resume"), similar=similar)
    return render_template("careers/closed.html", carried=CARRIED, fields=CARRIED_FIELDS, **context)


def private(response: Response) -> Response:
    """A page of a draft's link: never cached or indexed, and its address (the secret) never
    sent on as a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
