"""Sign-in through the company's identity provider (OpenID Connect, authorization code flow).

Authlib does the protocol: discovery from OIDC_ISSUER, `state` and `nonce` kept in the
session and checked on return, the id_token's signature checked against the provider's JWKS
and its issuer, audience, expiry and nonce validated. This module adds what is ours: the
provider must name itself as the issuer we were configured with, and the email it vouches for
must belong to a user invited here, unless OIDC_AUTO_CREATE lets a new one in with
OIDC_DEFAULT_ROLE. Every failure leaves here as OidcRefused, whose text holds no token, no
claim and no address.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask
from joserfc.errors import JoseError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.invites import ROLES, normalized_email
from app.models import User

log = logging.getLogger(__name__)

EXTENSION = "careers.oidc"
CLIENT = "company"
TIMEOUT = 10.0


class OidcRefused(Exception):
    """The provider's answer did not sign anyone in; the reason is for the log only."""


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    name: str
    auto_create: bool
    default_role: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OidcSettings | None:
        """None when sign-in by OpenID Connect is not configured."""
        if not (config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID")):
            return None
        role = str(config.get("OIDC_DEFAULT_ROLE") or "viewer")
        if role not in ROLES:
            raise ValueError(f"OIDC_DEFAULT_ROLE must be one of {', '.join(ROLES)}")
        return cls(
            issuer=str(config["OIDC_ISSUER"]).rstrip("/"),
            client_id=str(config["OIDC_CLIENT_ID"]),
            client_secret=str(config.get("OIDC_CLIENT_SECRET") or ""),
            name=str(config.get("OIDC_PROVIDER_NAME") or "single sign-on"),
            auto_create=bool(config.get("OIDC_AUTO_CREATE")),
            default_role=role,
        )


def oidc_client(app: Flask, settings: OidcSettings) -> Any:
    """The app's Authlib client for the provider, made on first use."""
    client = app.extensions.get(EXTENSION)
    if client is None:
        oauth = OAuth(app)
        client = oauth.register(
            CLIENT,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "default_timeout": TIMEOUT},
        )
        app.extensions[EXTENSION] = client
    return client


def start_redirect(client: Any, settings: OidcSettings, redirect_uri: str) -> Any:
    """The redirect to the provider's sign-in page (state and nonce go into the session)."""
    try:
        _check_issuer(client, settings)
        return client.authorize_redirect(redirect_uri)
    except (AuthlibBaseError, requests.RequestException, ValueError, KeyError) as exc:
        raise OidcRefused(f"discovery failed: {type(exc).__name__}") from exc


def claims_from_callback(client: Any, settings: OidcSettings) -> Mapping[str, Any]:
    """The verified id_token claims of the request the provider sent back."""
    try:
        issuer = _check_issuer(client, settings)
        token = client.authorize_access_token(claims_options=claims_options(issuer, settings))
        claims = token.get("userinfo")
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError) as exc:
        raise OidcRefused(f"callback refused: {type(exc).__name__}") from exc
    if not claims:
        raise OidcRefused("the provider sent no id_token")
    return claims


def _check_issuer(client: Any, settings: OidcSettings) -> str:
    """The issuer as discovery writes it, once it is the one configured."""
    issuer = str(client.load_server_metadata().get("issuer", ""))
    if issuer.rstrip("/") != settings.issuer:
        raise OidcRefused("the discovery document names another issuer")
    return issuer


def claims_options(issuer: str, settings: OidcSettings) -> dict[str, Any]:
    """The issuer and our client id are required, exactly: Authlib checks the audience only
    when told to (otherwise a token made for another client, naming us as `azp`, would pass)."""
    return {
        "iss": {"essential": True, "values": [issuer]},
        "aud": {"essential": True, "values": [settings.client_id]},
    }


def user_for_claims(
    session: Session, claims: Mapping[str, Any], settings: OidcSettings, now: datetime
) -> User:
    """The active user the provider vouched for (the caller commits). An invited user joins
    by signing in this way; an unknown address is refused unless auto-creation is on."""
    email = normalized_email(str(claims.get("email") or ""))
    if not email or claims.get("email_verified") is False:
        raise OidcRefused("no verified email in the id_token")
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        if not settings.auto_create:
            raise OidcRefused("no user has the email the provider vouched for")
        user = User(email=email, role=settings.default_role, password_hash="", active=True)
        session.add(user)
        session.flush()
        log.info("user %s created on first sign-in through the identity provider", user.id)
    if not user.active:
        raise OidcRefused(f"user {user.id} is deactivated")
    user.invite_nonce = None
    return user
