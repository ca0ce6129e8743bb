"""The candidate's erasure pages, reached from their status link: a confirmation page saying
what goes, here and in the company's ATS, and the request itself (CSRF protected).

They join the status blueprint: private pages (no referrer, no cache, not indexed) in the
candidate's language, under the same language prefixes (/de, /fr, /es) as the status page.
"""

from __future__ import annotations

import logging

from flask import abort, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm

from app.erasure.flow import AlreadyErased, Requester, reached_ats
from app.erasure.letters import ats_name
from app.erasure.start import application_for_token, erase_now
from app.extensions import db_session
from app.i18n import current_language
from app.status import bp

log = logging.getLogger(__name__)


class EraseForm(FlaskForm):
    """No fields: the CSRF token, so no other site can erase a candidate's application."""


@bp.route("/status/<token>/erase", methods=["GET", "POST"])
def erase(token: str):
    application = application_for_token(db_session(), current_app.config["SECRET_KEY"], token)
    if application is None:
        abort(404)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            erasure = erase_now(current_app, application, Requester("candidate", language=current_language()))
            log.info("erasure %s requested by the candidate", erasure.id)
        except AlreadyErased:
            pass  # a second click: the first one did it
        return redirect(url_for("status.erasure_requested"))
    delivery = application.delivery
    sent = reached_ats(delivery.checkpoints if delivery is not None else {})
    target = delivery.target if delivery is not None else ""
    return render_template(
        "erasure/confirm.html",
        application=application,
        form=form,
        sent_to_ats=sent and target != "local",
        ats=ats_name(target),
    )


@bp.get("/status/erased")
def erasure_requested():
    return render_template("erasure/requested.html")
