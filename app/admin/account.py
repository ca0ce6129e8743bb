"""Your own account: two-factor sign-in on and off, new recovery codes, and signing out
everywhere (every browser and device this account is signed in on)."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, logout_user

from app import audit
from app.accounts import two_factor
from app.accounts.forms import CodeForm, ConfirmCodeForm
from app.accounts.settings import two_factor_required
from app.admin import bp
from app.admin.forms import ActionForm
from app.admin.login import accept_second_factor, confirmed_codes, setup_page, setup_secret
from app.extensions import db, db_session
from app.models import User

log = logging.getLogger("app.accounts.account")


def me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


@bp.get("/account")
def account():
    user = me()
    return render_template(
        "admin/account.html",
        user=user,
        codes_left=two_factor.recovery_codes_left(db_session(), user) if user.two_factor else 0,
        required=two_factor_required(db_session()),
        code_form=CodeForm(),
        action=ActionForm(),
    )


@bp.route("/account/two-factor", methods=["GET", "POST"])
def set_up_two_factor():
    user = me()
    if user.two_factor:
        return redirect(url_for("admin.account"))
    form = ConfirmCodeForm()
    secret = setup_secret()
    codes = confirmed_codes(user, form, secret)
    if codes is not None:
        db.session.commit()
        return render_template("admin/two_factor_codes.html", codes=codes, next_url=url_for("admin.account"))
    return setup_page(user, form, secret, required=False), 400 if request.method == "POST" else 200


def checked_code(form: CodeForm) -> bool:
    """A current code (or recovery code) of the signed-in user, for changes to the second factor."""
    if not form.validate_on_submit():
        return False
    try:
        accept_second_factor(me(), form.code.data or "")
    except two_factor.CodeRefused:
        db.session.rollback()
        flash(gettext("That code is not right, or it was used already. Nothing was changed."))
        return False
    return True


@bp.post("/account/two-factor/off")
def turn_off_two_factor():
    user = me()
    if two_factor_required(db_session()):
        flash(gettext("Two-factor sign-in is required for everyone here, so it cannot be turned off."))
    elif user.two_factor and checked_code(CodeForm()):
        two_factor.turn_off(db_session(), user)
        audit.record("two_factor_changed", obj_kind="user", obj_id=user.id, detail="turned off")
        db.session.commit()
        log.info("user %s turned two-factor sign-in off", user.id)
        flash(gettext("Two-factor sign-in is off."))
    return redirect(url_for("admin.account"))


@bp.post("/account/recovery-codes")
def new_recovery_codes():
    user = me()
    if not (user.two_factor and checked_code(CodeForm())):
        return redirect(url_for("admin.account"))
    codes = two_factor.new_recovery_codes(db_session(), user)
    audit.record("two_factor_changed", obj_kind="user", obj_id=user.id, detail="new recovery codes")
    db.session.commit()
    log.info("user %s made new recovery codes", user.id)
    return render_template("admin/two_factor_codes.html", codes=codes, next_url=url_for("admin.account"))


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere():
    if ActionForm().validate_on_submit():
        user = me()
        user.end_sessions()
        audit.record("sessions_ended", obj_kind="user", obj_id=user.id, detail="by the user")
        db.session.commit()
        log.info("user %s signed out everywhere", user.id)
        logout_user()
        flash(gettext("You are signed out on every device."))
        return redirect(url_for("admin.login"))
    return redirect(url_for("admin.account"))
