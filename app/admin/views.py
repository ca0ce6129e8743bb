"""Login, the applications inbox and the delivery log."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.admin import bp
from app.admin.forms import ActionForm, LoginForm
from app.admin.login import account_key, authenticate
from app.admin.receipt import receipt_for
from app.extensions import db, db_session, limiter, login_manager
from app.intake.delivery import delivery_notes, resume_integration, retry_now
from app.intake.downloads import send_stored
from app.intake.incidents import close_incidents
from app.intake.listing import MAX_PAGE
from app.models import DELIVERY_STATES, Application, Delivery, Integration, Job, User
from app.settings import current as current_settings
from app.storage import storage_for


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of a session id "<id>:<session version>"; None once that version was ended."""
    ident, _, version = user_id.partition(":")
    if not (ident.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_version != int(version):
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
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db_session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors = ["Email or password is not right."]
    return render_template(
        "admin/login.html", form=form
    ), 200 if request.method == "GET" else 401 if form.password.errors else 400


@bp.post("/logout")
def logout():
    """Signing out ends every session of this user, not only this browser's cookie."""
    if ActionForm().validate_on_submit():
        user = current_user._get_current_object()
        if isinstance(user, User):
            user.end_sessions()
            db.session.commit()
        logout_user()
    return redirect(url_for("admin.login"))


@bp.get("/")
def index():
    return redirect(url_for("admin.applications"))


@bp.get("/applications")
def applications():
    job_id = request.args.get("job", type=int)
    status = request.args.get("status", "")
    statement = (
        select(Application).join(Delivery).order_by(Application.created_at.desc(), Application.id.desc())
    )
    if job_id:
        statement = statement.where(Application.job_id == job_id)
    if status in DELIVERY_STATES:
        statement = statement.where(Delivery.status == status)
    number = min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)
    page = db.paginate(statement, page=number, per_page=25, error_out=False)
    jobs = db.session.scalars(select(Job).order_by(Job.title)).all()
    paused = db.session.scalars(select(Integration).where(Integration.paused.is_(True))).all()
    return render_template(
        "admin/applications.html",
        page=page,
        jobs=jobs,
        job_id=job_id,
        status=status,
        states=DELIVERY_STATES,
        paused=paused,
        action=ActionForm(),
    )


def _application_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    return application


@bp.get("/applications/<int:application_id>")
def application(application_id: int):
    found = _application_or_404(application_id)
    notes = delivery_notes(found.delivery.checkpoints)
    return render_template(
        "admin/application.html",
        application=found,
        action=ActionForm(),
        notes=notes,
        receipt=receipt_for(found, current_settings().value("ATS") or {}, notes),
    )


@bp.get("/applications/<int:application_id>/resume")
def resume(application_id: int):
    application = _application_or_404(application_id)
    if not application.resume_key:
        abort(404)
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
