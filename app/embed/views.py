"""Routes of the embed: the job list, the apply form and the thank-you page inside an iframe."""

from __future__ import annotations

import re

from flask import Response, current_app, render_template, request, url_for

from app.careers.listing import ListingQuery, search
from app.careers.views import (
    ATTRIBUTION_KEYS,
    ApplyVariant,
    application_or_404,
    attribution_from,
    open_job_or_404,
    render_apply,
    show_again,
    take_application,
)
from app.embed import bp
from app.embed.tokens import TokenRejected, check_same_origin, issue_token, read_token
from app.extensions import csrf, db, limiter
from app.html import plain_text
from app.intake.submit import find_by_submission_key
from app.models import Job

THEME_KEYS = {"accent": "--accent", "accent_text": "--accent-text", "text": "--text", "bg": "--bg"}
HEX_COLOUR = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
PAGE_ENDPOINTS = ("embed.jobs", "embed.apply", "embed.thanks", "embed.received")


def hex_colour(value: str | None) -> str | None:
    match = HEX_COLOUR.fullmatch(value or "")
    return f"#{match.group(1).lower()}" if match else None


def theme() -> dict[str, str]:
    """Colours from HR config, overridden by the host's query (each one a validated hex colour)."""
    colours = {k: hex_colour(v) for k, v in current_app.config["EMBED_THEME"].items()}
    colours.update({k: hex_colour(request.args.get(k)) for k in THEME_KEYS if request.args.get(k)})
    return {k: v[1:] for k, v in colours.items() if k in THEME_KEYS and v}


def host_origin() -> str | None:
    """The host page's origin from the query, only when HR allowed it."""
    origin = request.args.get("origin", "")
    return origin if origin in current_app.config["EMBED_ALLOWED_ORIGINS"] else None


@bp.url_defaults
def carry_embed_args(endpoint: str, values: dict) -> None:
    """Links between embed pages keep the host origin, theme and attribution."""
    if endpoint in PAGE_ENDPOINTS and request:
        for key in ("origin", *THEME_KEYS, *ATTRIBUTION_KEYS):
            if key in request.args:
                values.setdefault(key, request.args[key])


@bp.after_request
def no_store(response: Response) -> Response:
    if request.endpoint != "embed.theme_css":
        response.headers["Cache-Control"] = "no-store"  # every form render has its own token
    return response


def page(template: str, status: int = 200, **context):
    origin = host_origin()
    return render_template(template, host_origin=origin, theme=theme(), **context), status


def refused(code: str, message: str, job: Job | None = None, status: int = 403):
    return page("embed/error.html", status, code=code, message=message, job=job)


@bp.get("/jobs")
def jobs():
    if host_origin() is None:
        return page("embed/blocked.html", 403)
    query = ListingQuery.from_args(request.args)
    listing = search(query, current_app.config["JOBS_PER_PAGE"])
    return page("embed/jobs.html", listing=listing, query=query, snippet=plain_text)


def embed_variant(job: Job, origin: str, signed_token: str, *, expired: bool = False) -> ApplyVariant:
    def thanks_url(public_id: str | None) -> str:
        if public_id is None:
            return url_for("embed.received")
        return url_for("embed.thanks", public_id=public_id)

    return ApplyVariant(
        template="embed/apply.html",
        csrf=False,
        thanks_url=thanks_url,
        context={
            "embed_token": signed_token,
            "host_origin": origin,
            "theme": theme(),
            "expired": expired,
            "action": url_for("embed.apply", job_id=job.id),
        },
    )


@bp.route("/jobs/<int:job_id>/apply", methods=["GET", "POST"])
@csrf.exempt  # no session cookie in a third-party iframe: the embed token replaces it
@limiter.limit(lambda: current_app.config["APPLY_RATE_LIMIT"], methods=["POST"])
def apply(job_id: int):
    job = open_job_or_404(job_id)
    origin = host_origin()
    if origin is None:
        return page("embed/blocked.html", 403)
    secret = current_app.config["SECRET_KEY"]
    if request.method == "GET":
        signed, token = issue_token(secret, job.id, origin)
        variant = embed_variant(job, origin, signed)
        form = variant.form_for(job, formdata=None)
        form.submission_key.data = token.nonce
        form.utm.data = attribution_from(request.args)
        return render_apply(job, form, variant=variant)
    signed = request.form.get("embed_token", "")
    try:
        check_same_origin(own_origin(), request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"))
        token = read_token(secret, signed, job_id=job.id, origin=origin)
        if request.form.get("submission_key") != token.nonce:
            raise TokenRejected("token_invalid", "The form's security token is for another form.")
    except TokenRejected as exc:
        if exc.code == "token_expired":
            return renewed(job, origin)
        return refused(exc.code, str(exc), job)
    if find_by_submission_key(db.session, token.nonce) is not None:
        return refused("token_used", "This application was already sent.", job, 409)
    return take_application(job, embed_variant(job, origin, signed))


def renewed(job: Job, origin: str):
    """A form left open too long, but genuine and from the right host: it comes back with what
    the candidate typed and attached and a new token. Nothing is stored until they send again;
    the host still hears `error` with code token_expired."""
    if find_by_submission_key(db.session, request.form.get("submission_key", "")) is not None:
        return refused("token_used", "This application was already sent.", job, 409)
    signed, token = issue_token(current_app.config["SECRET_KEY"], job.id, origin)
    return show_again(job, embed_variant(job, origin, signed, expired=True), token.nonce)


def own_origin() -> str:
    return request.host_url.rstrip("/")


@bp.get("/applications/<public_id>/thanks")
def thanks(public_id: str):
    application = application_or_404(public_id)
    return page("embed/thanks.html", application=application, job=application.job)


@bp.get("/applications/received")
def received():
    return page("embed/thanks.html", application=None, job=None)


@bp.get("/theme.css")
def theme_css():
    rules = "".join(f"{THEME_KEYS[k]}: #{v}; " for k, v in sorted(theme().items()))
    css = f":root {{ {rules}}}\n" if rules else ""
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def allows_autofill() -> bool:
    """A cookie-less iframe may call the autofill endpoint with its form's token (not consumed)."""
    try:
        check_same_origin(own_origin(), request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site"))
        token = read_token(
            current_app.config["SECRET_KEY"], request.headers.get("X-Embed-Token"), job_id=None, origin=None
        )
    except TokenRejected:
        return False
    return token.origin in current_app.config["EMBED_ALLOWED_ORIGINS"]
