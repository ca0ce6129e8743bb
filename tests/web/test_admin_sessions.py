"""Signing out and changing a password end every session of that user, and sign-in does not
tell which accounts exist."""

from __future__ import annotations

import time

from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD, add_user, csrf_token_from, login

INBOX = "/admin/applications"


def session_cookie(client) -> str:
    cookie = client.get_cookie("session", domain="careers.test")
    assert cookie is not None
    return cookie.value


def with_cookie(app, value: str):
    """Another browser holding a copy of a captured session cookie."""
    other = app.test_client()
    other.set_cookie("session", value, domain="careers.test")
    return other


def sign_out(client) -> None:
    token = csrf_token_from(client.get(INBOX).text)
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 302


def test_a_cookie_captured_before_sign_out_no_longer_opens_the_admin_area(app, client):
    add_user(app)
    login(client)
    captured = session_cookie(client)
    assert with_cookie(app, captured).get(INBOX).status_code == 200
    sign_out(client)
    assert with_cookie(app, captured).get(INBOX).status_code == 302


def test_signing_out_in_one_browser_ends_the_session_in_another(app, client):
    add_user(app)
    login(client)
    laptop = app.test_client()
    login(laptop)
    sign_out(client)
    assert laptop.get(INBOX).status_code == 302
    login(laptop)  # signing in again works
    assert laptop.get(INBOX).status_code == 200


def test_a_password_change_from_the_command_line_ends_every_session(app, client):
    add_user(app)
    login(client)
    captured = session_cookie(client)
    with app.app_context():  # as `flask` runs it
        result = app.test_cli_runner().invoke(
            args=["users", "create", "hr@example.com", "--password", "a new long password"]
        )
    assert result.exit_code == 0, result.output
    assert client.get(INBOX).status_code == 302
    assert with_cookie(app, captured).get(INBOX).status_code == 302
    assert login(client, password="a new long password").status_code == 302


def test_a_session_of_a_user_id_without_its_version_is_refused(app, client):
    """Cookies made before sessions carried a version name only the user id."""
    add_user(app)
    login(client)
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id))
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
    assert client.get(INBOX).status_code == 302


def test_a_next_address_with_a_line_break_sends_to_the_inbox(app, client):
    add_user(app)
    page = client.get("/admin/login")
    for target in ("/admin/jobs\r\nSet-Cookie: x=1", "/admin/\x00", "//evil.example", "https://evil.example"):
        response = client.post(
            "/admin/login",
            query_string={"next": target},
            data={"email": "hr@example.com", "password": PASSWORD, "csrf_token": csrf_token_from(page.text)},
        )
        assert response.status_code == 302, target
        assert response.location.endswith(INBOX), target
        assert "\n" not in response.headers["Location"]
    ok = client.post(
        "/admin/login",
        query_string={"next": "/admin/jobs"},
        data={"email": "hr@example.com", "password": PASSWORD, "csrf_token": csrf_token_from(page.text)},
    )
    assert ok.location.endswith("/admin/jobs")


def timed_login(client, email: str) -> float:
    page = client.get("/admin/login")
    started = time.perf_counter()
    response = client.post(
        "/admin/login",
        data={"email": email, "password": "not the password", "csrf_token": csrf_token_from(page.text)},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 401
    return elapsed


def test_an_unknown_email_takes_as_long_to_refuse_as_a_known_one(make_app):
    app = make_app(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="100 per minute")
    add_user(app)
    client = app.test_client()
    timed_login(client, "nobody@example.com")  # the first one also makes the stand-in hash
    known = sorted(timed_login(client, "hr@example.com") for _ in range(5))[2]
    unknown = sorted(timed_login(client, f"nobody{i}@example.com") for i in range(5))[2]
    # one password hash each (tens of milliseconds); no hash at all took a few milliseconds
    assert unknown > known / 2, (known, unknown)


def attempt(app, password: str, address: str, email: str = "hr@example.com"):
    client = app.test_client()
    page = client.get("/admin/login")
    return client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": csrf_token_from(page.text)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failed_sign_ins_from_many_addresses_throttle_the_account(make_app):
    app = make_app(LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
    add_user(app)
    add_user(app, email="other@example.com")
    for i in range(3):
        assert attempt(app, "guess", f"203.0.113.{i}").status_code == 401
    assert attempt(app, "guess", "203.0.113.50").status_code == 429
    assert attempt(app, PASSWORD, "198.51.100.7").status_code == 429  # the account waits out the window
    assert attempt(app, PASSWORD, "203.0.113.51", email="other@example.com").status_code == 302
    assert attempt(app, "guess", "203.0.113.52", email=" HR@Example.com ").status_code == 429


def test_successful_sign_ins_do_not_count_against_the_account(make_app):
    app = make_app(LOGIN_ACCOUNT_RATE_LIMIT="2 per minute")
    add_user(app)
    for i in range(4):
        assert attempt(app, PASSWORD, f"198.51.100.{i}").status_code == 302


def test_the_account_throttle_lifts_when_its_window_has_passed(make_app):
    app = make_app(LOGIN_ACCOUNT_RATE_LIMIT="2 per 1 second")
    add_user(app)
    assert attempt(app, "guess", "203.0.113.1").status_code == 401
    assert attempt(app, "guess", "203.0.113.2").status_code == 401
    assert attempt(app, PASSWORD, "203.0.113.3").status_code == 429
    time.sleep(1.1)  # Flask-Limiter's windows run on the wall clock
    assert attempt(app, PASSWORD, "203.0.113.4").status_code == 302


def test_a_sign_in_over_https_without_a_referer_is_not_called_expired(make_app):
    """Browsers and privacy tools may drop the Referer; the session-bound token is the check."""
    app = make_app()
    add_user(app)
    client = app.test_client()
    page = client.get("/admin/login", base_url="https://careers.test")
    response = client.post(
        "/admin/login",
        base_url="https://careers.test",
        data={"email": "hr@example.com", "password": PASSWORD, "csrf_token": csrf_token_from(page.text)},
    )
    assert "Please sign in again" not in response.text
    assert response.status_code == 302
    assert client.get(INBOX, base_url="https://careers.test").status_code == 200


def test_with_the_strict_referrer_check_a_missing_referer_is_named_not_called_expired(make_app):
    app = make_app(WTF_CSRF_SSL_STRICT=True)
    add_user(app)
    client = app.test_client()
    page = client.get("/admin/login", base_url="https://careers.test")
    response = client.post(
        "/admin/login",
        base_url="https://careers.test",
        data={"email": "hr@example.com", "password": PASSWORD, "csrf_token": csrf_token_from(page.text)},
    )
    assert response.status_code == 400
    assert "did not say which page sent the form" in response.text
    assert "open too long" not in response.text
