"""The outbox as HR sees it: every message, its state, and Send again for a failed one."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.admin import bp
from app.admin.forms import ActionForm
from app.extensions import db, db_session
from app.intake.listing import MAX_PAGE
from app.intake.outbox import send_again
from app.models import OUTBOX_STATES, OutboxMessage


@bp.get("/outbox")
def outbox():
    status = request.args.get("status", "")
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in OUTBOX_STATES:
        statement = statement.where(OutboxMessage.status == status)
    number = min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)
    page = db.paginate(statement, page=number, per_page=50, error_out=False)
    return render_template(
        "admin/outbox.html", page=page, status=status, states=OUTBOX_STATES, action=ActionForm()
    )


@bp.post("/outbox/<int:outbox_id>/send")
def send_message_again(outbox_id: int):
    row = db.session.get(OutboxMessage, outbox_id)
    if row is None:
        abort(404)
    if ActionForm().validate_on_submit() and row.status == "failed":
        send_again(db_session(), row)
        current_app.extensions["careers.tasks"].enqueue_mail(row.id)
        flash("Message queued again.")
    return redirect(_back(request.form.get("back")))


def _back(target: str | None) -> str:
    """Back to the page the button was on: a path inside the admin area only."""
    if target and target.startswith("/admin/") and target.isprintable() and "\\" not in target:
        return target
    return url_for("admin.outbox")
