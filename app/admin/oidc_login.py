"""Sign-in through the company's identity provider, when OIDC_ISSUER and OIDC_CLIENT_ID are set.

The provider's answer passes the same second step as a password: a user with two-factor
sign-in here is asked for the code, and when it is required for everyone, set it up.
"""

from __future__ import annotations

import logging

from flask import abort, current_app, render_template, url_for

from app import audit
from app.accounts.oidc import (
    OidcRefused,
    OidcSettings,
    claims_from_callback,
    oidc_client,
    start_redirect,
    user_for_claims,
)
from app.admin.login import account_bp, begin_sign_in
from app.extensions import db, db_session, limiter
from app.models import utcnow

log = logging.getLogger("app.accounts.sign_in")


def configured() -> OidcSettings:
    settings = OidcSettings.from_config(current_app.config)
    if settings is None:
        abort(404)
    return settings


def refused(reason: OidcRefused) -> tuple[str, int]:
    log.warning("sign-in through the identity provider refused: %s", reason)
    return render_template("admin/login_refused.html"), 403


@account_bp.get("/login/oidc")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def oidc_start():
    settings = configured()
    client = oidc_client(current_app._get_current_object(), settings)  # type: ignore[attr-defined]
    try:
        return start_redirect(client, settings, public_url(url_for("account.oidc_callback")))
    except OidcRefused as reason:
        return refused(reason)


@account_bp.get("/login/oidc/callback")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def oidc_callback():
    settings = configured()
    client = oidc_client(current_app._get_current_object(), settings)  # type: ignore[attr-defined]
    try:
        claims = claims_from_callback(client, settings)
        user = user_for_claims(db_session(), claims, settings, utcnow())
    except OidcRefused as reason:
        db.session.rollback()
        audit.record_now("sign_in_failed", obj_kind="user", obj_id="unknown", detail="identity provider")
        return refused(reason)
    db.session.commit()
    return begin_sign_in(user, "identity provider", url_for("admin.applications"))


def public_url(path: str) -> str:
    """The callback address registered with the provider: on PUBLIC_BASE_URL, never the
    request's own host."""
    return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/") + path
