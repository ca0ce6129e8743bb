"""Headers every response carries, the hosts the site answers for, and friendly answers to an
oversized upload or field, an unknown page, too many requests and a refused CSRF token."""

from __future__ import annotations

import time

from flask import Flask, Response, g, render_template, request
from flask_wtf.csrf import CSRFError

from app.extensions import limiter
from app.hosts import register_hosts
from app.intake.oversize import refuse_too_large
from app.intake.waiting import wait_words
from app.models import ValueTooLong
from app.settings import current as current_settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors {ancestors}"
)


def frame_ancestors(app: Flask) -> str:
    """Only /embed pages may be framed, and only by the host origins HR allowed (a page that
    holds nothing to protect may widen this through g.frame_ancestors)."""
    if g.get("frame_ancestors"):
        return str(g.frame_ancestors)
    if request.blueprint == "embed" and current_settings().embed_origins:
        return " ".join(current_settings().embed_origins)
    return "'none'"


def register_security(app: Flask) -> None:
    register_hosts(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        ancestors = frame_ancestors(app)
        response.headers.setdefault("Content-Security-Policy", CSP.format(ancestors=ancestors))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if ancestors == "'none'":
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith(("/admin", "/applications")):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(413)
    def too_large(_error):
        return refuse_too_large(app.config["MAX_UPLOAD_BYTES"])

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/not_found.html"), 404

    @app.errorhandler(ValueTooLong)
    def too_long(_error):
        return render_template("errors/too_long.html"), 400

    @app.errorhandler(429)
    def too_many(error):
        if getattr(error, "response", None) is not None:  # the view's own answer (the apply forms)
            return error.response
        current = limiter.current_limit
        wait = wait_words(current.reset_at - time.time()) if current else None
        return render_template("errors/too_many.html", wait=wait), 429

    @app.errorhandler(CSRFError)
    def expired_form(error):
        # The apply forms and HR's job and question forms check their own tokens and keep what
        # was typed; what lands here is the login and the one-click HR actions.
        no_referrer = "referrer" in (error.description or "")  # only with WTF_CSRF_SSL_STRICT
        if request.endpoint == "admin.login":
            from app.admin.forms import LoginForm

            form = LoginForm()
            return render_template("admin/login.html", form=form, expired=True, no_referrer=no_referrer), 400
        return render_template("errors/expired.html", no_referrer=no_referrer), 400
