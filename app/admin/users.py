"""The Users page, for admins only: invite by email, resend or revoke an invitation, change a
role, deactivate and reactivate, sign a user out everywhere, clear a lost second factor, and
require two-factor sign-in for everyone.

An admin cannot deactivate or demote themselves here, nor leave the site without an active
admin: somebody must always be able to reach this page.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select

from app import audit
from app.accounts import two_factor
from app.accounts.forms import InviteForm, RequireTwoFactorForm, RoleForm, role_choices
from app.accounts.invites import AlreadyMember, invite, invite_link_token, renew, revoke
from app.accounts.mail import INVITE, queue_account_mail
from app.accounts.settings import REQUIRE_TWO_FACTOR, two_factor_required, write_setting
from app.admin import bp
from app.admin.forms import ActionForm
from app.admin.roles import AccessForm
from app.extensions import db, db_session
from app.intake.post import current_post
from app.models import Job, User, utcnow

log = logging.getLogger("app.accounts.users")


def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if getattr(current_user, "role", None) != "admin":
            abort(403)
        return view(*args, **kwargs)

    return guarded


def users_page(invite_form: InviteForm | None = None, status: int = 200) -> tuple[str, int]:
    users = db.session.scalars(select(User).order_by(User.invite_nonce.is_not(None), User.email)).all()
    return render_template(
        "admin/users.html",
        users=users,
        invite_form=invite_form or InviteForm(),
        security_form=RequireTwoFactorForm(required=two_factor_required(db_session())),
        roles=role_choices(),
        action=ActionForm(),
        access=AccessForm(formdata=None),
        departments=known_departments(),
    ), status


def known_departments() -> list[str]:
    """The teams of the jobs, offered when giving a recruiter departments."""
    teams = select(Job.department).where(Job.department != "").distinct().order_by(Job.department)
    return list(db.session.scalars(teams))


@bp.get("/users")
@admin_only
def users():
    return users_page()


def send_invitation(user: User) -> None:
    post = current_post()
    assert post is not None, "the app's mail Post is set up with its tasks"
    token = invite_link_token(current_app.config["SECRET_KEY"], user, time.time())
    path = url_for("account.accept_invite", token=token)
    rows = queue_account_mail(db_session(), post, INVITE, user.email, path, user=user)
    db.session.commit()
    post.wake(rows)


@bp.post("/users/invite")
@admin_only
def invite_user():
    form = InviteForm()
    if not form.validate_on_submit():
        return users_page(form, 400)
    try:
        user = invite(db_session(), form.email.data or "", form.role.data or "viewer", utcnow())
    except AlreadyMember:
        form.email.errors = [gettext("A user with this email address exists already.")]
        return users_page(form, 400)
    db.session.flush()
    audit.record("user_invited", obj_kind="user", obj_id=user.id, diff={"role": [None, user.role]})
    send_invitation(user)
    log.info("user %s invited user %s", current_user.id, user.id)
    flash(gettext("Invitation sent to %(email)s.", email=user.email))
    return redirect(url_for("admin.users"))


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def acted(view: Callable[[User], str | None]) -> Callable[[int], Any]:
    """An admin's one-click action on a user: CSRF-checked, then back to the Users page with
    what happened (or why not) said at the top."""

    @functools.wraps(view)
    def act(user_id: int) -> Any:
        user = user_or_404(user_id)
        if ActionForm().validate_on_submit():
            message = view(user)
            if message:
                flash(message)
        return redirect(url_for("admin.users"))

    return admin_only(act)


@bp.post("/users/<int:user_id>/resend", endpoint="resend_invite")
@acted
def resend_invite(user: User) -> str:
    if not user.invited:
        return gettext("This user has joined already.")
    renew(user, utcnow())
    audit.record("user_invited", obj_kind="user", obj_id=user.id, detail="sent again")
    send_invitation(user)
    log.info("user %s sent the invitation of user %s again", current_user.id, user.id)
    return gettext("Invitation sent again to %(email)s; the earlier link no longer works.", email=user.email)


@bp.post("/users/<int:user_id>/revoke", endpoint="revoke_invite")
@acted
def revoke_invite(user: User) -> str:
    try:
        audit.record("invitation_revoked", obj_kind="user", obj_id=user.id)
        revoke(db_session(), user)
    except AlreadyMember:
        return gettext("This user has joined already; deactivate them instead.")
    db.session.commit()
    log.info("user %s revoked an invitation", current_user.id)
    return gettext("Invitation revoked.")


def active_admins() -> int:
    return (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.role == "admin", User.active.is_(True), User.invite_nonce.is_(None)
            )
        )
        or 0
    )


def keeps_an_admin(user: User) -> bool:
    """Whether the site keeps an active admin other than `user` if `user` stops being one."""
    return not (user.role == "admin" and user.active and not user.invited and active_admins() <= 1)


@bp.post("/users/<int:user_id>/deactivate", endpoint="deactivate_user")
@acted
def deactivate_user(user: User) -> str:
    if user.id == current_user.id:
        return gettext("You cannot deactivate yourself.")
    if not keeps_an_admin(user):
        return gettext("The site needs at least one active admin.")
    user.active = False
    user.end_sessions()
    audit.record_change("user_deactivated", user)
    db.session.commit()
    log.info("user %s deactivated user %s", current_user.id, user.id)
    return gettext("%(email)s is deactivated and signed out everywhere.", email=user.email)


@bp.post("/users/<int:user_id>/reactivate", endpoint="reactivate_user")
@acted
def reactivate_user(user: User) -> str:
    user.active = True
    audit.record_change("user_reactivated", user)
    db.session.commit()
    log.info("user %s reactivated user %s", current_user.id, user.id)
    return gettext("%(email)s can sign in again.", email=user.email)


@bp.post("/users/<int:user_id>/role", endpoint="change_role")
@admin_only
def change_role(user_id: int):
    user = user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit() and form.role.data != user.role:
        if user.id == current_user.id:
            flash(gettext("You cannot change your own role."))
        elif form.role.data != "admin" and not keeps_an_admin(user):
            flash(gettext("The site needs at least one active admin."))
        else:
            user.role = form.role.data or user.role
            audit.record_change("role_changed", user)
            db.session.commit()
            log.info("user %s gave user %s the role %s", current_user.id, user.id, user.role)
            flash(
                gettext("%(email)s is now %(role)s.", email=user.email, role=dict(role_choices())[user.role])
            )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/access", endpoint="user_access")
@admin_only
def user_access(user_id: int):
    """A recruiter's departments and a viewer's download grant."""
    user = user_or_404(user_id)
    form = AccessForm()
    if form.validate_on_submit():
        user.departments = form.department_list()
        user.can_download = bool(form.can_download.data)
        db.session.commit()
        log.info("user %s changed the access of user %s", current_user.id, user.id)
        flash(gettext("Access of %(email)s saved.", email=user.email))
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/sign-out", endpoint="sign_out_user")
@acted
def sign_out_user(user: User) -> str:
    user.end_sessions()
    audit.record("sessions_ended", obj_kind="user", obj_id=user.id, detail="by an admin")
    db.session.commit()
    log.info("user %s signed user %s out everywhere", current_user.id, user.id)
    return gettext("%(email)s is signed out everywhere.", email=user.email)


@bp.post("/users/<int:user_id>/two-factor/reset", endpoint="reset_two_factor")
@acted
def reset_two_factor(user: User) -> str:
    """For a user who lost their device and their recovery codes: they set it up again."""
    audit.record(
        "two_factor_changed", obj_kind="user", obj_id=user.id, diff={"totp_secret": [user.totp_secret, None]}
    )
    two_factor.turn_off(db_session(), user)
    user.end_sessions()
    db.session.commit()
    log.info("user %s cleared the two-factor sign-in of user %s", current_user.id, user.id)
    return gettext("Two-factor sign-in of %(email)s is cleared.", email=user.email)


@bp.post("/users/security")
@admin_only
def security():
    form = RequireTwoFactorForm()
    if form.validate_on_submit():
        audit.record(
            "settings_changed",
            obj_kind="setting",
            obj_id=REQUIRE_TWO_FACTOR,
            diff={REQUIRE_TWO_FACTOR: [two_factor_required(db_session()), bool(form.required.data)]},
        )
        write_setting(db_session(), REQUIRE_TWO_FACTOR, bool(form.required.data))
        db.session.commit()
        log.info("user %s set require_two_factor to %s", current_user.id, bool(form.required.data))
        if form.required.data:
            flash(
                gettext(
                    "Two-factor sign-in is now required: users without it set it up at their next sign-in."
                )
            )
        else:
            flash(gettext("Two-factor sign-in is now optional."))
    return redirect(url_for("admin.users"))
