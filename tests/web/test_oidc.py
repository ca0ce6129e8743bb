"""Sign-in through the company's OpenID Connect provider, against a real provider on
127.0.0.1 (tests/support/oidc.py): discovery, state, nonce and the id_token's signature,
issuer and audience are checked, and only users who exist here (or, when allowed, new ones
with the default role) get in."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest

from tests.conftest import csrf_token_from
from tests.support.accounts import make_user, user_row
from tests.support.oidc import oidc_provider

INBOX = "/admin/applications"


@pytest.fixture
def provider():
    with oidc_provider() as running:
        yield running


@pytest.fixture
def oidc_app(make_app, provider):
    def make(**overrides):
        settings = {
            "OIDC_ISSUER": provider.url,
            "OIDC_CLIENT_ID": provider.client_id,
            "OIDC_CLIENT_SECRET": provider.client_secret,
            "OIDC_PROVIDER_NAME": "Corp ID",
            "PUBLIC_BASE_URL": "https://careers.test",
        }
        return make_app(**{**settings, **overrides})

    return make


def at_provider(client, provider) -> str:
    """Start the sign-in and let the provider answer; the callback address it sends back."""
    start = client.get("/admin/login/oidc")
    assert start.status_code == 302, start.status_code
    assert start.location.startswith(f"{provider.url}/authorize?")
    answer = httpx.get(start.location)
    assert answer.status_code == 302, answer.text
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == "https://careers.test"
    return f"{target.path}?{target.query}"


def through_provider(client, provider):
    return client.get(at_provider(client, provider))


def test_the_sign_in_page_offers_the_provider_only_when_configured(oidc_app, make_app):
    assert "Sign in with Corp ID" in oidc_app().test_client().get("/admin/login").text
    plain = make_app().test_client()
    assert "Sign in with" not in plain.get("/admin/login").text
    assert plain.get("/admin/login/oidc").status_code == 404


def test_an_existing_user_signs_in_through_the_provider(oidc_app, provider):
    app = oidc_app()
    make_user(app, "hr@example.com", role="recruiter")
    client = app.test_client()
    done = through_provider(client, provider)
    assert done.status_code == 302 and done.location.endswith(INBOX)
    assert client.get(INBOX).status_code == 200
    (sent,) = provider.token_requests
    assert sent["redirect_uri"] == "https://careers.test/admin/login/oidc/callback"
    assert "client_secret" not in sent  # sent in the Authorization header


def test_the_authorization_request_carries_a_state_and_a_nonce(oidc_app, provider):
    client = oidc_app().test_client()
    query = parse_qs(urlsplit(client.get("/admin/login/oidc").location).query)
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert "openid" in query["scope"][0].split()


def test_an_invited_user_joins_by_signing_in_through_the_provider(oidc_app, provider):
    app = oidc_app()
    make_user(app, "hr@example.com", role="viewer", invite_nonce="pending")
    assert through_provider(app.test_client(), provider).status_code == 302
    assert not user_row(app, "hr@example.com").invited


def test_an_unknown_address_is_refused_unless_auto_creation_is_on(oidc_app, provider):
    refused = through_provider(oidc_app().test_client(), provider)
    assert refused.status_code == 403 and "Sign-in refused" in refused.text
    provider.sign_in_as = {"email": "New.Person@example.com", "email_verified": True}
    app = oidc_app(OIDC_AUTO_CREATE=True, OIDC_DEFAULT_ROLE="recruiter")
    client = app.test_client()
    assert through_provider(client, provider).status_code == 302
    assert client.get(INBOX).status_code == 200
    assert user_row(app, "new.person@example.com").role == "recruiter"


@pytest.mark.parametrize(
    "fault",
    [
        {"tamper": {"nonce": "not-the-nonce-we-sent"}},
        {"tamper": {"aud": "another-client"}},
        {"tamper": {"aud": "another-client", "azp": "careers-site"}},
        {"tamper": {"aud": ["another-client", "careers-site"], "azp": "another-client"}},
        {"tamper": {"iss": "https://impostor.example"}},
        {"tamper": {"exp": 1_000_000_000, "iat": 999_999_000}},
        {"sign_with_other_key": True},
    ],
    ids=[
        "wrong nonce",
        "wrong audience",
        "another audience naming us as the party",
        "issued to another party",
        "wrong issuer",
        "expired",
        "unknown key",
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(oidc_app, provider, fault, caplog):
    app = oidc_app()
    make_user(app, "hr@example.com")
    for name, value in fault.items():
        setattr(provider, name, value)
    client = app.test_client()
    refused = through_provider(client, provider)
    assert refused.status_code == 403
    assert client.get(INBOX).status_code == 302
    assert "hr@example.com" not in caplog.text


def test_a_callback_with_another_browsers_state_is_refused(oidc_app, provider):
    app = oidc_app()
    make_user(app, "hr@example.com")
    victim, attacker = app.test_client(), app.test_client()
    victim.get("/admin/login")
    callback = at_provider(attacker, provider)  # the attacker's own code and state
    assert victim.get(callback).status_code == 403
    assert victim.get(INBOX).status_code == 302


def test_a_discovery_document_naming_another_issuer_is_refused(oidc_app, provider):
    provider.discovery_issuer = "https://impostor.example"
    app = oidc_app()
    make_user(app, "hr@example.com")
    assert app.test_client().get("/admin/login/oidc").status_code == 403


def test_an_unverified_email_or_a_deactivated_user_is_refused(oidc_app, provider):
    app = oidc_app()
    make_user(app, "hr@example.com")
    make_user(app, "gone@example.com", active=False)
    provider.sign_in_as = {"email": "hr@example.com", "email_verified": False}
    assert through_provider(app.test_client(), provider).status_code == 403
    provider.sign_in_as = {"email": "gone@example.com", "email_verified": True}
    assert through_provider(app.test_client(), provider).status_code == 403


def test_a_user_with_two_factor_is_asked_for_the_code_after_the_provider(oidc_app, provider):
    app = oidc_app()
    secret = pyotp.random_base32()
    make_user(app, "hr@example.com", totp_secret=secret)
    client = app.test_client()
    done = through_provider(client, provider)
    assert done.location.endswith("/admin/login/code")
    assert client.get(INBOX).status_code == 302
    page = client.get("/admin/login/code")
    token = csrf_token_from(page.text)
    code = pyotp.TOTP(secret).at(time.time())
    assert client.post("/admin/login/code", data={"csrf_token": token, "code": code}).status_code == 302
    assert client.get(INBOX).status_code == 200
