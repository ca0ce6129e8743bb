"""Login, one application and its delivery; the inbox list is in app/admin/inbox.py."""

from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from app import audit
from app.accounts import lockout
from app.accounts.oidc import OidcSettings
from app.admin import bp
from app.admin.forms import ActionForm, LoginForm
from app.admin.inbox import details_for
from app.admin.login import (
    SIGN_IN_EMAIL,
    account_key,
    authenticate,
    begin_sign_in,
    locked_message,
    note_failure,
    user_id_of,
)
from app.admin.receipt import receipt_for
from app.extensions import db, db_session, limiter, login_manager
from app.intake.delivery import delivery_notes, resume_integration, retry_now
from app.intake.downloads import send_stored
from app.intake.incidents import close_incidents
from app.models import Application, User, utcnow
from app.settings import current as current_settings
from app.storage import storage_for

log = logging.getLogger("app.accounts.sign_in")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of a session id "<id>:<session version>"; None once that version was ended."""
    ident, _, version = user_id.partition(":")
    if not (ident.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _safe_next(target: str | None) -> str:
    """Only a path inside the admin area, printable (no CR/LF to split the Location header)."""
    if target and target.startswith("/admin") and target.isprintable() and "\\" not in target:
        return target
    return url_for("admin.applications")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"],
    key_func=account_key,
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 401,
)
def login():
    """The password step (app/admin/login.py has the rest). A locked account is refused before
    its password is checked, with the same words whether or not the account exists."""
    form = LoginForm()
    if request.method == "GET" and session.get(SIGN_IN_EMAIL):
        form.email.data = session.pop(SIGN_IN_EMAIL)  # after a password was set by a link
    status = 200 if request.method == "GET" else 400
    if form.validate_on_submit():
        wait = lockout.wait_seconds(db_session(), form.email.data or "", utcnow())
        if wait:
            log.info("sign-in refused while locked for user %s", user_id_of(form.email.data))
            audit.record_now(
                "sign_in_failed", obj_kind="user", obj_id=user_id_of(form.email.data), detail="locked"
            )
            form.password.errors = [locked_message(wait)]
            return _login_page(form), 429
        user = authenticate(db_session(), form.email.data, form.password.data)
        if user is not None:
            return begin_sign_in(user, "password", _safe_next(request.args.get("next")))
        note_failure(form.email.data or "", "password")
        form.password.errors = ["Email or password is not right."]
        status = 401
    return _login_page(form), status


def _login_page(form: LoginForm) -> str:
    settings = OidcSettings.from_config(current_app.config)
    return render_template("admin/login.html", form=form, oidc=settings)


@bp.post("/logout")
def logout():
    """Signing out ends every session of this user, not only this browser's cookie."""
    if ActionForm().validate_on_submit():
        user = current_user._get_current_object()
        if isinstance(user, User):
            user.end_sessions()
            audit.record("sign_out", obj_kind="user", obj_id=user.id)
            db.session.commit()
        logout_user()
    return redirect(url_for("admin.login"))


@bp.get("/")
def index():
    return redirect(url_for("admin.applications"))


def _application_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    return application


@bp.get("/applications/<int:application_id>")
def application(application_id: int):
    found = _application_or_404(application_id)
    audit.record_now("application_viewed", obj_kind="application", obj_id=found.id)
    notes = delivery_notes(found.delivery.checkpoints)
    return render_template(
        "admin/application.html",
        application=found,
        action=ActionForm(),
        notes=notes,
        receipt=receipt_for(found, current_settings().value("ATS") or {}, notes),
        details=details_for(found),
    )


@bp.get("/applications/<int:application_id>/resume")
def resume(application_id: int):
    application = _application_or_404(application_id)
    if not application.resume_key:
        abort(404)
    audit.record_now("resume_viewed", obj_kind="application", obj_id=application.id)
    return send_stored(
        storage_for(current_app),
        application.resume_key,
        content_type=application.resume_content_type,
        filename=application.resume_filename or "resume",
    )


@bp.get("/applications/<int:application_id>/files/<int:answer_id>")
def answer_file(application_id: int, answer_id: int):
    application = _application_or_404(application_id)
    answer = next((a for a in application.answers if a.id == answer_id), None)
    if answer is None or not isinstance(answer.value, dict) or "file_key" not in answer.value:
        abort(404)
    audit.record_now(
        "file_downloaded", obj_kind="application", obj_id=application.id, detail=f"answer {answer.id}"
    )
    return send_stored(
        storage_for(current_app),
        answer.value["file_key"],
        content_type=answer.value["content_type"],
        filename=answer.value["filename"],
    )


@bp.post("/applications/<int:application_id>/retry")
def retry(application_id: int):
    application = _application_or_404(application_id)
    finished = application.delivery.status in ("delivered", "already_in_ats")
    if ActionForm().validate_on_submit() and not finished:
        audit.record("retry", obj_kind="application", obj_id=application.id)
        retry_now(db_session(), application.delivery)
        current_app.extensions["careers.tasks"].enqueue_delivery(application.id)
        flash("Delivery queued again.")
    return redirect(url_for("admin.application", application_id=application.id))


@bp.post("/integrations/<kind>/resume")
def resume_target(kind: str):
    if ActionForm().validate_on_submit():
        resume_integration(db_session(), kind)
        close_incidents(db_session(), kind, "paused")
        current_app.extensions["careers.tasks"].sweep.call_local()
        flash(f"Deliveries to {kind} resumed.")
    return redirect(url_for("admin.applications"))
