"""Signed links to a candidate's status page, which also carries their data rights.

No login: whoever holds the link sees that one application. The link does not expire on its
own; it stops working when the application is deleted (retention or erasure), since it names
the application by id and public id together.
"""

from __future__ import annotations

from flask import Flask
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "status-link"


def _signer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def status_token(secret_key: str, application_id: int, public_id: str) -> str:
    return _signer(secret_key).dumps({"a": application_id, "p": public_id})


def application_for_status_token(secret_key: str, token: str) -> tuple[int, str] | None:
    """(application id, public id) named by a genuine link; None for any other."""
    try:
        data = _signer(secret_key).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int) or not isinstance(data.get("p"), str):
        return None
    return data["a"], data["p"]


def status_url(app: Flask, application_id: int, public_id: str, *, language: str = "") -> str:
    """The absolute link for emails: `PUBLIC_BASE_URL[/<language>]/status/<token>`."""
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    prefix = f"/{language}" if language else ""
    return f"{base}{prefix}/status/{status_token(app.config['SECRET_KEY'], application_id, public_id)}"
