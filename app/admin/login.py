"""Signing in, step by step, so that no step tells which accounts exist.

First factor: a password, or the company's identity provider. An unknown email costs the
same password hash as a known one, and failures count per account name (known or not): a
fixed window in Flask-Limiter and a growing lockout (app/accounts/lockout.py), besides the
limit per client address. Second factor: a user with two-factor sign-in is asked for a code
after the password; when an admin requires it, a user without it sets it up first. Between
the steps the session holds only a short-lived "pending" note naming the user.

The pages here are reached without a session, so they live on their own blueprint
(`account`, under /admin too), outside the admin area's login guard.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import time
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from app import audit
from app.accounts import lockout, sessions, two_factor
from app.accounts.forms import CodeForm, ConfirmCodeForm
from app.accounts.invites import normalized_email
from app.accounts.settings import two_factor_required
from app.extensions import db, db_session, limiter
from app.intake.waiting import wait_words
from app.models import User, utcnow

log = logging.getLogger("app.accounts.sign_in")

account_bp = Blueprint("account", "app.admin")

PENDING = "pending_sign_in"
PENDING_SECONDS = 300  # between the password and the code
SETUP_SECRET = "two_factor_setup"
SIGN_IN_EMAIL = "sign_in_email"  # filled in on the sign-in page after a link set the password


@functools.cache
def _dummy_hash() -> str:
    """A hash made with the same method and cost as real ones, of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(session: Session, email: str | None, password: str) -> User | None:
    """The active user with this email and password; one password hash whatever the outcome."""
    user = session.scalar(select(User).where(User.email == normalized_email(email)))
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return None
    if user.check_password(password) and user.active:
        return user
    return None


def account_key() -> str:
    """The rate-limit key of the account a sign-in names; hashed, so no email reaches the store."""
    email = normalized_email(request.form.get("email"))
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()


def lockout_policy() -> lockout.LockoutPolicy:
    return lockout.LockoutPolicy.from_config(current_app.config)


def locked_message(seconds: float) -> str:
    return gettext(
        "Too many failed sign-ins for this account. Try again in %(wait)s.", wait=wait_words(seconds)
    )


def user_id_of(email: str | None) -> str:
    """For the log: the user's id, or "unknown"; never the address."""
    found = db.session.scalar(select(User.id).where(User.email == normalized_email(email)))
    return str(found) if found is not None else "unknown"


def note_failure(email: str, step: str) -> None:
    delay = lockout.note_failure(db_session(), normalized_email(email), utcnow(), lockout_policy())
    user = user_id_of(email)
    log.info("sign-in failed at the %s for user %s", step, user)
    audit.record("sign_in_failed", obj_kind="user", obj_id=user, detail=step)
    if delay:
        log.warning("sign-in locked for %.0fs for user %s", delay, user)
        audit.record("lockout", obj_kind="user", obj_id=user, detail=f"{delay:.0f} seconds")
    db.session.commit()


def begin_sign_in(user: User, method: str, next_url: str) -> Response:
    """After the first factor: in at once, or on to the code (or to setting one up)."""
    if user.two_factor or two_factor_required(db_session()):
        session.pop(SETUP_SECRET, None)
        session[PENDING] = {
            "u": user.id,
            "v": user.session_version,
            "t": time.time(),
            "next": next_url,
            "m": method,
        }
        return redirect(url_for("account.two_factor" if user.two_factor else "account.set_up_two_factor"))
    sign_in(user, method)
    return redirect(next_url)


def sign_in(user: User, method: str) -> None:
    """The user is in: the session starts, failures are forgotten, the sign-in is logged."""
    session.pop(PENDING, None)
    session.pop(SETUP_SECRET, None)
    login_user(user)
    sessions.start(session, time.time())
    user.last_sign_in_at = utcnow()
    lockout.clear_failures(db_session(), user.email)
    audit.record("sign_in", obj_kind="user", obj_id=user.id, actor=user, detail=method)
    db.session.commit()
    log.info("user %s signed in (%s)", user.id, method)


def pending_sign_in() -> tuple[User, dict[str, Any]] | None:
    """The user between password and code, while the note is fresh and still theirs."""
    note = session.get(PENDING)
    if not isinstance(note, dict) or time.time() - float(note.get("t", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, note.get("u"))
    if user is None or not user.active or user.session_version != note.get("v"):
        return None
    return user, note


def session_ended() -> bool:
    """Whether the signed-in session has been idle too long or lived too long; if so it is
    ended here (and the page asks for a sign-in), else its last request is noted."""
    now = time.time()
    if sessions.has_ended(session, now, sessions.SessionLimits.from_config(current_app.config)):
        log.info("session of user %s expired", getattr(current_user, "id", "unknown"))
        logout_user()
        session.pop(sessions.SIGNED_IN_AT, None)
        session.pop(sessions.SEEN_AT, None)
        return True
    sessions.touch(session, now)
    return False


def back_to_sign_in() -> Response:
    session.pop(PENDING, None)
    return redirect(url_for("admin.login"))


@account_bp.route("/login/code", methods=["GET", "POST"], endpoint="two_factor")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def ask_for_code():
    pending = pending_sign_in()
    if pending is None or not pending[0].two_factor:
        return back_to_sign_in()
    user, note = pending
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        wait = lockout.wait_seconds(db_session(), user.email, utcnow())
        if wait:
            log.info("sign-in refused while locked for user %s", user.id)
            form.code.errors = [locked_message(wait)]
            return render_template("admin/login_code.html", form=form), 429
        try:
            accept_second_factor(user, form.code.data or "")
        except two_factor.CodeRefused:
            db.session.rollback()
            note_failure(user.email, "code")
            form.code.errors = [gettext("That code is not right, or it was used already.")]
            status = 401
        else:
            sign_in(user, f"{note['m']} and code")
            return redirect(note["next"])
    elif request.method == "POST":
        status = 400
    return render_template("admin/login_code.html", form=form), status


def accept_second_factor(user: User, code: str) -> None:
    """A current code of the user's app, or one of their recovery codes, used up."""
    if len("".join(code.split()).replace("-", "")) == 10:
        two_factor.use_recovery_code(db_session(), user, code, utcnow())
        log.info("user %s used a recovery code", user.id)
    else:
        two_factor.use_code(db_session(), user, code, time.time())


def setup_secret() -> str:
    """The secret being set up, kept in the session until a code confirms it."""
    secret = session.get(SETUP_SECRET)
    if not isinstance(secret, str) or not secret:
        secret = two_factor.new_secret()
        session[SETUP_SECRET] = secret
    return secret


def confirm_setup(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor sign-in on once a code from the app matches; the new recovery codes.
    Raises CodeRefused."""
    user.totp_last_counter = two_factor.check_code(secret, code, time.time(), None)
    user.totp_secret = secret
    session.pop(SETUP_SECRET, None)
    log.info("user %s turned two-factor sign-in on", user.id)
    audit.record("two_factor_changed", obj_kind="user", obj_id=user.id, actor=user, detail="turned on")
    return two_factor.new_recovery_codes(db_session(), user)


def confirmed_codes(user: User, form: ConfirmCodeForm, secret: str) -> list[str] | None:
    """The recovery codes once the posted code confirms the setup; None, with the form's error
    set when the code was wrong, for the setup page to come back (as 400)."""
    if not form.validate_on_submit():
        return None
    try:
        return confirm_setup(user, secret, form.code.data or "")
    except two_factor.CodeRefused:
        form.code.errors = [gettext("That code is not right. Check the clock of your device and try again.")]
        return None


def setup_page(user: User, form: ConfirmCodeForm, secret: str, **context: Any) -> str:
    uri = two_factor.setup_uri(secret, user.email, str(current_app.config["COMPANY_NAME"]))
    return render_template(
        "admin/two_factor_setup.html", form=form, secret=secret, qr=two_factor.qr_svg(uri), **context
    )


@account_bp.route("/login/two-factor-setup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def set_up_two_factor():
    """Required for everyone, and this user has none yet: set it up before going in."""
    pending = pending_sign_in()
    if pending is None or pending[0].two_factor:
        return back_to_sign_in()
    user, note = pending
    form = ConfirmCodeForm()
    secret = setup_secret()
    codes = confirmed_codes(user, form, secret)
    if codes is not None:
        sign_in(user, f"{note['m']} and new two-factor setup")
        return render_template("admin/two_factor_codes.html", codes=codes, next_url=note["next"])
    return setup_page(user, form, secret, required=True), 400 if request.method == "POST" else 200


from app.admin import account_links, oidc_login  # noqa: E402,F401
