"""The magic link of a draft: a random secret in the address, only its hash in the database.

Whoever holds the link opens that one draft, on any device; the database alone cannot, and
deleting the row revokes the link.
"""

from __future__ import annotations

import hashlib
import secrets

SECRET_BYTES = 32
MAIL_KIND = "draft"  # the outbox kind of the message carrying the link


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def draft_url(base_url: str, language: str, job_id: int, secret: str) -> str:
    """The absolute link for the email: `PUBLIC_BASE_URL[/<language>]/jobs/<id>/draft/<secret>`.
    The job is in the address so that a link whose draft is gone can still offer its form."""
    prefix = f"/{language}" if language else ""
    return f"{base_url.rstrip('/')}{prefix}/jobs/{job_id}/draft/{secret}"


def email_limit_key(email: str) -> str:
    """The save limit per email address counts the address typed, from any connection; the
    limiter's store (Redis) holds a hash of it, not the address."""
    address = email.strip().lower()[:254]
    return "draft-email:" + hashlib.sha256(address.encode()).hexdigest()[:32]
