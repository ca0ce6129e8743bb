"""Routes of the status page, its receipt and data download, and re-sending the links."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import format_datetime

from app.extensions import db, db_session, limiter
from app.intake.post import EXTENSION as POST_EXTENSION
from app.intake.status_links import application_for_status_token, status_token
from app.models import Application
from app.status import bp
from app.status.export import export_zip
from app.status.progress import progress
from app.status.receipt import receipt_pdf
from app.status.resend import LinksForm, email_key, send_links
from app.status.sent import sent_rows
from app.storage import storage_for

MAX_TOKEN = 200  # a genuine token is about 60 characters; longer ones are not worth checking


class NotFound(Exception):
    """The link names no application we hold (mistyped, forged, or the application is gone)."""


@bp.after_request
def private(response: Response) -> Response:
    """The link is the key: it must not leave in a Referer, sit in a cache, or be indexed."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.errorhandler(NotFound)
def not_found(_error: NotFound):
    return render_template("status/not_found.html"), 404


@bp.app_template_global()
def status_path(application: Application) -> str:
    """The application's status page, in the page's language (for the thank-you pages)."""
    token = status_token(current_app.config["SECRET_KEY"], application.id, application.public_id)
    return url_for("status.page", token=token)


def application_for(token: str) -> Application:
    """The application the link names, or NotFound for any link that names none we hold."""
    if len(token) > MAX_TOKEN:
        raise NotFound
    named = application_for_status_token(current_app.config["SECRET_KEY"], token)
    application = db.session.get(Application, named[0]) if named else None
    if application is None or named is None or application.public_id != named[1]:
        raise NotFound
    return application


@bp.get("/status/<token>")
def page(token: str):
    application = application_for(token)
    return render_template(
        "status/page.html",
        application=application,
        job=application.job,
        progress=progress(application.delivery),
        sent=sent_rows(application),
        erase_path=url_for("status.erase", token=token),
        when=lambda moment: format_datetime(moment, "long"),
    )


@bp.get("/status/<token>/receipt.pdf")
def receipt(token: str):
    application = application_for(token)
    pdf = receipt_pdf(application, current_app.config["COMPANY_NAME"])
    return _download(pdf, "application/pdf", "application-receipt.pdf")


@bp.get("/status/<token>/data")
def data(token: str):
    application = application_for(token)
    archive = export_zip(application, storage_for(current_app))
    return _download(archive, "application/zip", "application-data.zip")


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/status", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["STATUS_LINKS_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["STATUS_LINKS_EMAIL_RATE_LIMIT"],
    key_func=email_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 303,
)
def links():
    form = LinksForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("status/links.html", form=form), status
    send_links(db_session(), current_app.extensions[POST_EXTENSION], form.email.data or "")
    return redirect(url_for("status.links_sent"), 303)


@bp.get("/status/sent")
def links_sent():
    return render_template("status/links_sent.html")
