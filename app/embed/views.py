"""Routes of the embed: the job list, the apply form, saving it to finish later, and the
thank-you page inside an iframe."""

from __future__ import annotations

import re
import time

from flask import Response, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_limiter import RequestLimit
from markupsafe import Markup
from sqlalchemy import select

from app.colors import theme_variables
from app.drafts.links import email_limit_key
from app.drafts.saving import draft_files, save_posted
from app.embed import bp
from app.embed.tokens import EmbedToken, TokenRejected, check_same_origin, issue_token, own_origin, read_token
from app.extensions import application_stored, csrf, db, db_session, limiter
from app.html import sanitize
from app.i18n import N_, consent_text, current_language
from app.intake.apply import (
    ATTRIBUTION_KEYS,
    AppliedBefore,
    Files,
    Intake,
    ToFix,
    attribution_from,
    check_again,
    hold_files,
    take_application,
)
from app.intake.closed import CARRIED_FIELDS, closed_job, open_job, similar_open_jobs
from app.intake.form import ApplyFormBase, apply_form_for, held_field_name, question_field_name
from app.intake.listing import ListingQuery, facet, open_jobs, search
from app.intake.submit import find_by_submission_key
from app.intake.waiting import Notice, too_many_notice, wait_words
from app.models import Application, Job, utcnow
from app.settings import current as current_settings
from app.settings.store import LOGO, file_of

THEME_KEYS = {"accent": "--accent", "accent_text": "--accent-text", "text": "--text", "bg": "--bg"}
HEX_COLOUR = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
PAGE_ENDPOINTS = ("embed.jobs", "embed.job", "embed.apply", "embed.save", "embed.thanks", "embed.received")


def hex_colour(value: str | None) -> str | None:
    match = HEX_COLOUR.fullmatch(value or "")
    return f"#{match.group(1).lower()}" if match else None


def theme() -> dict[str, str]:
    """Colours from HR config, overridden by the host's query (each one a validated hex colour)."""
    colours = {k: hex_colour(v) for k, v in current_settings().theme.items()}
    colours.update({k: hex_colour(request.args.get(k)) for k in THEME_KEYS if request.args.get(k)})
    return {k: v[1:] for k, v in colours.items() if k in THEME_KEYS and v}


def host_origin() -> str | None:
    """The host page's origin from the query, only when HR allowed it."""
    origin = request.args.get("origin", "")
    return origin if origin in current_settings().embed_origins else None


@bp.url_defaults
def carry_embed_args(endpoint: str, values: dict) -> None:
    """Links between embed pages keep the host origin, theme and attribution."""
    if endpoint in PAGE_ENDPOINTS and request:
        for key in ("origin", *THEME_KEYS, *ATTRIBUTION_KEYS):
            if key in request.args:
                values.setdefault(key, request.args[key])


@bp.after_request
def no_store(response: Response) -> Response:
    if request.endpoint not in ("embed.theme_css", "embed.logo"):
        response.headers["Cache-Control"] = "no-store"  # every form render has its own token
    return response


def page(template: str, status: int = 200, **context):
    origin = host_origin()
    return render_template(template, host_origin=origin, theme=theme(), **context), status


def blocked():
    """Our own message for a site not allowed to embed us, instead of the browser's "refused to
    connect". Any site may frame this page (it holds no form, no data and no action, only a
    link to the careers site), and it tells its host `error` with code origin_not_allowed.
    The form and the board themselves are still framed only by the allowed origins."""
    g.frame_ancestors = "*"
    return render_template("embed/blocked.html", host_origin="*", theme=theme()), 403


def open_job_or_404(job_id: int) -> Job:
    return db.first_or_404(open_jobs(utcnow()).where(Job.id == job_id))


def refused(code: str, message: str, job: Job | None = None, status: int = 403):
    """The embed's error page; `message` is an English msgid, shown in the page's language."""
    return page("embed/error.html", status, code=code, message=gettext(message), job=job)


@bp.get("/jobs")
def jobs():
    if host_origin() is None:
        return blocked()
    now = utcnow()
    query = ListingQuery.from_args(request.args)
    listing = search(query, current_app.config["JOBS_PER_PAGE"], now)
    past_the_end = listing.total > 0 and not listing.items
    return page(
        "embed/jobs.html",
        404 if past_the_end else 200,
        listing=listing,
        query=query,
        past_the_end=past_the_end,
        departments=facet(Job.department, now),
        locations=facet(Job.location, now),
    )


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    """The job's description inside the board, between the list and the form."""
    job = open_job_or_404(job_id)
    if host_origin() is None:
        return blocked()
    return page("embed/job.html", job=job, description=Markup(sanitize(job.description_html)))


@bp.route("/jobs/<int:job_id>/apply", methods=["GET", "POST"])
@csrf.exempt  # no session cookie in a third-party iframe: the embed token replaces it
@limiter.limit(
    lambda: current_app.config["APPLY_RATE_LIMIT"],
    methods=["POST"],
    deduct_when=application_stored,
    on_breach=lambda limit: apply_limited(limit),
)
def apply(job_id: int):
    origin = host_origin()
    if origin is None:
        return blocked()
    job = open_job(db_session(), job_id, utcnow())
    if job is None:
        return job_closed(job_id)
    secret = current_app.config["SECRET_KEY"]
    if request.method == "GET":
        signed, token = issue_token(secret, job.id, origin)
        form = embed_form(job, formdata=None)
        form.submission_key.data = token.nonce
        form.utm.data = attribution_from(request.args, request.referrer)
        return render_apply(job, form, origin, signed)
    signed = request.form.get("embed_token", "")
    try:
        token = checked_token(job, origin, signed)
    except TokenRejected as exc:
        if exc.code == "token_expired":
            return renewed(job, origin)
        return refused(exc.code, str(exc), job)
    if find_by_submission_key(db_session(), token.nonce) is not None:
        return refused("token_used", N_("This application was already sent."), job, 409)
    form = embed_form(job)
    # Without cookies the embed cannot know that this browser applied before: a second
    # application is stored as an update without asking (see take_application).
    outcome = take_application(
        Intake.for_app(current_app, db_session()), job, form, request.files, now=utcnow()
    )
    if isinstance(outcome, AppliedBefore):
        return render_apply(job, form, origin, signed, outcome.files, applied_before=outcome.earlier), 409
    if isinstance(outcome, ToFix):
        error = "file_too_large" if outcome.status == 413 else None
        return render_apply(job, form, origin, signed, outcome.files, error=error), outcome.status
    if outcome.public_id is None:
        return redirect(url_for("embed.received"))
    return redirect(url_for("embed.thanks", public_id=outcome.public_id))


def checked_token(job: Job, origin: str, signed: str) -> EmbedToken:
    """The form's embed token, genuine, for this job and host, and sent from our own page: what
    the session's CSRF token is on the careers site. Raises TokenRejected."""
    headers = request.headers
    check_same_origin(own_origin(request), headers.get("Origin"), headers.get("Sec-Fetch-Site"))
    token = read_token(current_app.config["SECRET_KEY"], signed, job_id=job.id, origin=origin)
    if request.form.get("submission_key") != token.nonce:
        raise TokenRejected("token_invalid", N_("The form's security token is for another form."))
    return token


@bp.post("/jobs/<int:job_id>/save")
@csrf.exempt  # as the embed's apply: its token replaces the session's
@limiter.limit(
    lambda: current_app.config["DRAFT_SAVE_RATE_LIMIT"], on_breach=lambda limit: save_limited(limit)
)
@limiter.limit(
    lambda: current_app.config["DRAFT_EMAIL_RATE_LIMIT"],
    key_func=lambda: email_limit_key(request.form.get("email") or ""),
    deduct_when=lambda _response: bool(g.get("draft_saved")),  # a link mailed, not a form sent back
    on_breach=lambda limit: save_limited(limit),
)
def save(job_id: int):
    """Save and finish later, inside the iframe: the draft and its mailed link as on the careers
    site. The link opens the careers site's own form, not the embed: a link opened from an
    email has no host page around it to frame the form."""
    origin = host_origin()
    if origin is None:
        return blocked()
    now = utcnow()
    job = open_job(db_session(), job_id, now)
    if job is None:
        return job_closed(job_id)
    signed = request.form.get("embed_token", "")
    try:
        checked_token(job, origin, signed)
    except TokenRejected as exc:
        if exc.code == "token_expired":
            return renewed(job, origin)
        return refused(exc.code, str(exc), job)
    form = embed_form(job)
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
        error = "file_too_large" if outcome.status == 413 else None
        return render_apply(job, form, origin, signed, outcome.files, error=error), outcome.status
    g.draft_saved = True
    return page("embed/saved.html", job=job, email=outcome.email, until=outcome.expires_at)


def save_limited(limit: RequestLimit) -> Response:
    """Too many saves from this connection or to this email: nothing is saved or sent; the form
    comes back with what was typed and the true wait, and the host hears `error` with code
    too_many_requests."""
    job = open_job_or_404(int((request.view_args or {})["job_id"]))
    origin = host_origin()
    if origin is None:
        return make_response(blocked())
    form = embed_form(job)
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
    signed = request.form.get("embed_token", "")
    html = render_apply(job, form, origin, signed, files, error="too_many_requests", notice=notice)
    return make_response(html, 429)


def job_closed(job_id: int):
    """A job that closed while its form was open (410): what was typed is shown back to copy,
    with similar open jobs; the host hears `error` with code job_closed."""
    database = db_session()
    job = closed_job(database, job_id, utcnow())
    if job is None:
        abort(404)
    form = embed_form(job) if request.method == "POST" else None
    similar = similar_open_jobs(database, job, utcnow())
    return page(
        "embed/closed.html", 410, job=job, form=form, resume=None, similar=similar, fields=CARRIED_FIELDS
    )


def renewed(job: Job, origin: str):
    """A form left open too long, but genuine and from the right host: it comes back with what
    the candidate typed and attached and a new token. Nothing is stored until they send again;
    the host still hears `error` with code token_expired."""
    if find_by_submission_key(db_session(), request.form.get("submission_key", "")) is not None:
        return refused("token_used", N_("This application was already sent."), job, 409)
    signed, token = issue_token(current_app.config["SECRET_KEY"], job.id, origin)
    form = embed_form(job)
    checked = check_again(Intake.for_app(current_app, db_session()), job, form, request.files)
    form.submission_key.data = token.nonce
    return render_apply(job, form, origin, signed, checked.files, expired=True), checked.status


def apply_limited(limit: RequestLimit) -> Response:
    """The apply limit was reached: the embedded form comes back with what was typed and the
    true wait; the host hears `error` with code too_many_requests."""
    job = open_job_or_404(int((request.view_args or {})["job_id"]))
    origin = host_origin()
    if origin is None:
        return make_response(blocked())
    form = embed_form(job)
    checked = check_again(Intake.for_app(current_app, db_session()), job, form, request.files)
    notice = too_many_notice(limit.reset_at, time.time())
    signed = request.form.get("embed_token", "")
    html = render_apply(job, form, origin, signed, checked.files, error="too_many_requests", notice=notice)
    return make_response(html, 429)


def embed_form(job: Job, **kwargs) -> ApplyFormBase:
    """The apply form without the session-bound CSRF token: the embed token stands in for it."""
    return apply_form_for(job, meta={"csrf": False}, **kwargs)


def render_apply(
    job: Job,
    form: ApplyFormBase,
    origin: str,
    signed_token: str,
    files: Files | None = None,
    *,
    expired: bool = False,
    error: str | None = None,
    notice: Notice | None = None,
    applied_before: Application | None = None,
) -> str:
    return render_template(
        "embed/apply.html",
        job=job,
        form=form,
        files=files or {},
        consent_text=consent_text(),
        max_mb=current_app.config["MAX_UPLOAD_MB"],
        question_field_name=question_field_name,
        held_field_name=held_field_name,
        embed_token=signed_token,
        host_origin=origin,
        theme=theme(),
        expired=expired,
        error="token_expired" if expired else error,
        notice=notice,
        applied_before=applied_before,
        action=url_for("embed.apply", job_id=job.id),
    )


@bp.get("/applications/<public_id>/thanks")
def thanks(public_id: str):
    application = db.first_or_404(select(Application).where(Application.public_id == public_id))
    return page("embed/thanks.html", application=application, job=application.job)


@bp.get("/applications/received")
def received():
    return page("embed/thanks.html", application=None, job=None)


@bp.get("/theme.css")
def theme_css():
    """The host's colours and those derived from them to stay readable (app/colors.py)."""
    rules = "".join(f"{name}: {value}; " for name, value in sorted(theme_variables(theme()).items()))
    css = f":root {{ {rules}}}\n" if rules else ""
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/logo/<digest>")
def logo(digest: str):
    """The company's logo, for the careers pages too; its address changes with its content."""
    found = file_of(db_session(), LOGO)
    if found is None or found[1].get("digest") != digest:
        abort(404)
    data, meta = found
    response = Response(data, mimetype=meta["content_type"])
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
