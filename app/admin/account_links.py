"""The pages an emailed link opens: accepting an invitation, and resetting a forgotten password.

Asking for a reset answers the same whether or not the address has an account, and is
limited per client address and per address asked for, so nobody can flood a mailbox.
"""

from __future__ import annotations

import logging
import time

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext

from app import audit
from app.accounts import tokens
from app.accounts.forms import ForgotForm, NewPasswordForm
from app.accounts.invites import (
    invited_user,
    reset_candidate,
    reset_link_token,
    resetting_user,
    set_new_password,
)
from app.accounts.mail import PASSWORD_RESET, queue_account_mail
from app.accounts.passwords import MIN_LENGTH
from app.admin.login import SIGN_IN_EMAIL, account_bp, account_key
from app.extensions import db, db_session, limiter
from app.intake.post import current_post
from app.models import User

log = logging.getLogger("app.accounts.links")


def link_refused(error: tokens.LinkInvalid, purpose: str) -> tuple[str, int]:
    expired = isinstance(error, tokens.LinkExpired)
    return render_template(
        "admin/account_link.html", expired=expired, purpose=purpose
    ), 410 if expired else 404


@account_bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def accept_invite(token: str):
    try:
        user = invited_user(db_session(), current_app.config["SECRET_KEY"], token, time.time())
    except tokens.LinkInvalid as error:
        return link_refused(error, tokens.INVITE)
    form = NewPasswordForm(email=user.email)
    if form.validate_on_submit():
        set_new_password(db_session(), user, form.password.data or "")
        audit.record(
            "password_set", obj_kind="user", obj_id=user.id, actor=user, detail="invitation accepted"
        )
        db.session.commit()
        log.info("user %s accepted the invitation", user.id)
        flash(gettext("Your password is set. Sign in to continue."))
        session[SIGN_IN_EMAIL] = user.email
        return redirect(url_for("admin.login"))
    status = 400 if form.errors else 200
    return render_template(
        "admin/account_password.html", form=form, user=user, invite=True, min_length=MIN_LENGTH
    ), status


@account_bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], key_func=account_key, methods=["POST"]
)
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        user = reset_candidate(db_session(), form.email.data or "")
        if user is not None:
            send_reset_link(user)
        return render_template("admin/account_forgot.html", form=form, sent=True)
    status = 400 if form.errors else 200
    return render_template("admin/account_forgot.html", form=form, sent=False), status


def send_reset_link(user: User) -> None:
    post = current_post()
    assert post is not None, "the app's mail Post is set up with its tasks"
    token = reset_link_token(current_app.config["SECRET_KEY"], user, time.time())
    path = url_for("account.reset_password", token=token)
    rows = queue_account_mail(db_session(), post, PASSWORD_RESET, user.email, path, user=user)
    db.session.commit()
    post.wake(rows)
    log.info("password reset link sent to user %s", user.id)


@account_bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def reset_password(token: str):
    try:
        user = resetting_user(db_session(), current_app.config["SECRET_KEY"], token, time.time())
    except tokens.LinkInvalid as error:
        return link_refused(error, tokens.RESET)
    form = NewPasswordForm(email=user.email)
    if form.validate_on_submit():
        set_new_password(db_session(), user, form.password.data or "")
        audit.record("password_set", obj_kind="user", obj_id=user.id, actor=user, detail="reset by link")
        db.session.commit()
        flash(gettext("Your password is changed and every earlier sign-in has ended. Sign in again."))
        session[SIGN_IN_EMAIL] = user.email
        return redirect(url_for("admin.login"))
    status = 400 if form.errors else 200
    return render_template(
        "admin/account_password.html", form=form, user=user, invite=False, min_length=MIN_LENGTH
    ), status
