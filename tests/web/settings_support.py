"""What the settings tests share: users of each role, and posting a settings form as a browser does."""

from __future__ import annotations

import base64

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD, csrf_token_from, login

SETTINGS_KEY = base64.urlsafe_b64encode(b"settings-key-for-tests-32-bytes!").decode()
PAGES = (
    "/admin/settings/branding",
    "/admin/settings/embed",
    "/admin/settings/ats",
    "/admin/settings/consent",
    "/admin/settings/notifications",
)


def signed_in(app, role: str = "admin", email: str | None = None):
    """A test client signed in as a new user of `role`."""
    email = email or f"{role}@example.com"
    with app.app_context():
        user = User(email=email, role=role)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def post_form(client, url: str, data: dict, *, page: str | None = None, token_name: str = "csrf_token"):
    """Post `data` with a CSRF token read from the page (`page`, else `url`)."""
    token = csrf_token_from(client.get(page or url).text)
    return client.post(url, data={token_name: token, **data})


def branding(**changes) -> dict:
    values = {
        "company_name": "Acme",
        "accent": "#2454d6",
        "accent_text": "",
        "text": "#1b1f24",
        "bg": "#ffffff",
        "home_intro": "",
    }
    return values | changes
