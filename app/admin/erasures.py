"""HR's side of erasure: erase an application from its page (with a confirmation step), and
the list of erasures a person has to finish in the ATS, each with the ATS and its ids.

Admin routes: the blueprint's sign-in guard covers them.
"""

from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.admin import bp
from app.admin.forms import ActionForm
from app.admin.roles import MANAGE_ERASURES, may
from app.erasure.flow import AlreadyErased, Requester, ats_refs, reached_ats
from app.erasure.letters import Letters, ats_name
from app.erasure.start import erase_now
from app.extensions import db, db_session
from app.intake.post import EXTENSION as POST_EXTENSION
from app.models import ERASURE_OPEN, Application, Erasure, utcnow

log = logging.getLogger(__name__)
RECENT = 50


@bp.route("/applications/<int:application_id>/erase", methods=["GET", "POST"])
def erase_application(application_id: int):
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            erasure = erase_now(current_app, application, Requester("hr", user_id=current_user.id))
            log.info("erasure %s requested by HR user %s", erasure.id, current_user.id)
            flash("The candidate's data was erased here; the erasure in the ATS is under way.")
        except AlreadyErased:
            flash("This application was already erased.")
        # The list of erasure tasks is an admin's; a recruiter goes back to the inbox.
        return redirect(
            url_for("admin.erasures" if may(current_user, MANAGE_ERASURES) else "admin.applications")
        )
    delivery = application.delivery
    return render_template(
        "erasure/admin_confirm.html",
        application=application,
        action=form,
        sent=reached_ats(delivery.checkpoints if delivery is not None else {}),
        refs=ats_refs(delivery.checkpoints if delivery is not None else {}),
        target=delivery.target if delivery is not None else "",
    )


@bp.get("/erasures")
def erasures():
    session = db_session()
    open_tasks = session.scalars(
        select(Erasure)
        .where(Erasure.status.in_(ERASURE_OPEN), Erasure.done_at.is_(None))
        .order_by(Erasure.id)
    ).all()
    recent = session.scalars(select(Erasure).order_by(Erasure.id.desc()).limit(RECENT)).all()
    return render_template(
        "admin/erasures.html", open_tasks=open_tasks, recent=recent, action=ActionForm(), ats_name=ats_name
    )


@bp.post("/erasures/<int:erasure_id>/done")
def erasure_done(erasure_id: int):
    """HR erased the record in the ATS by hand. A task handed to HR already told the candidate;
    one that needed review or failed tells them now."""
    session = db_session()
    erasure = session.get(Erasure, erasure_id)
    if erasure is None:
        abort(404)
    if ActionForm().validate_on_submit() and erasure.is_open:
        erasure.done_at, erasure.done_by_user_id = utcnow(), current_user.id
        letters = Letters(current_app.extensions[POST_EXTENSION])
        mail = letters.receipt(session, erasure, "hr_done")
        erasure.receipt_to = ""
        audit.record("erasure_task_done", obj_kind="erasure", obj_id=erasure.id)
        session.commit()
        letters.wake(mail)
        flash(f"Erasure {erasure.id} marked done.")
    return redirect(url_for("admin.erasures"))
