"""Signed, expiring links to a stored resume, for ATSs that take a link instead of the file.

The worker makes the links (NexivoHR's adapter puts one into the application) and the hooks
blueprint serves them, so the signing lives here, below both.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.ats.base import Submission

SALT = "resume-link"


def _signer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def resume_link_maker(app: Flask) -> Callable[[Submission], str]:
    """A function from a Submission to the absolute link an ATS can download its resume from."""
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    signer = _signer(app.config["SECRET_KEY"])

    def link(submission: Submission) -> str:
        token = signer.dumps({"a": submission.application_id, "p": submission.public_id})
        return f"{base}/files/resume/{token}"

    return link


def application_for_token(secret_key: str, token: str, max_age_days: int) -> tuple[int, str] | None:
    """(application id, public id) named by a genuine, unexpired link; None for any other."""
    try:
        data = _signer(secret_key).loads(token, max_age=max_age_days * 86400)
    except BadSignature:
        return None
    return int(data["a"]), str(data["p"])
