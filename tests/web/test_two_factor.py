"""Two-factor sign-in with an authenticator app: setting it up from a QR code, the code asked
after the password, codes used once, recovery codes, and an admin's rule that everyone must
have it."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from app.extensions import db
from app.models import RecoveryCode, User
from tests.conftest import csrf_token_from
from tests.support.accounts import make_user, post_form, sign_in, user_row

INBOX = "/admin/applications"
CODE_STEP = "/admin/login/code"
SECRET = pyotp.random_base32()


def code(secret: str = SECRET, steps_ahead: int = 0) -> str:
    """The app's code now, or for a later time step (still within the allowed drift)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


@pytest.fixture
def app(make_app):
    return make_app(LOGIN_RATE_LIMIT="100 per minute")


def enter_code(client, value: str):
    return post_form(client, CODE_STEP, code=value)


def secret_on(page: str) -> str:
    match = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page)
    assert match, "no secret on the page"
    return match.group(1)


def recovery_codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", page)


def test_a_user_sets_up_two_factor_with_the_qr_code_and_gets_recovery_codes(app):
    make_user(app)
    client = app.test_client()
    sign_in(client)
    page = client.get("/admin/account/two-factor")
    assert page.status_code == 200
    assert "<svg" in page.text and "otpauth" not in page.text  # the QR code inline, the URI only in it
    secret = secret_on(page.text)
    wrong = post_form(
        client, "/admin/account/two-factor", code="000000" if code(secret) != "000000" else "111111"
    )
    assert wrong.status_code == 400 and "not right" in wrong.text
    assert secret_on(wrong.text) == secret  # the same secret, so the app's entry still fits
    done = post_form(client, "/admin/account/two-factor", code=code(secret))
    assert done.status_code == 200
    assert len(set(recovery_codes_on(done.text))) == 10
    user = user_row(app, "hr@example.com")
    assert user.totp_secret == secret
    with app.app_context():
        stored = db.session.scalars(db.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(recovery_codes_on(done.text)) & set(stored)  # hashes only


def test_sign_in_asks_for_the_code_after_the_password(app):
    make_user(app, totp_secret=SECRET)
    client = app.test_client()
    response = sign_in(client)
    assert response.status_code == 302 and response.location.endswith(CODE_STEP)
    assert client.get(INBOX).status_code == 302  # not in yet
    done = enter_code(client, code())
    assert done.status_code == 302 and done.location.endswith(INBOX)
    assert client.get(INBOX).status_code == 200


def test_a_code_cannot_be_used_twice_even_within_its_window(app):
    make_user(app, totp_secret=SECRET)
    first, second = app.test_client(), app.test_client()
    now = code()
    sign_in(first)
    assert enter_code(first, now).status_code == 302
    sign_in(second)
    again = enter_code(second, now)
    assert again.status_code == 401 and "used already" in again.text
    assert second.get(INBOX).status_code == 302
    assert enter_code(second, code(steps_ahead=1)).status_code == 302  # the next one works


def test_a_wrong_code_is_refused_and_the_code_step_cannot_be_skipped(app):
    make_user(app, totp_secret=SECRET)
    client = app.test_client()
    assert client.get(CODE_STEP).status_code == 302  # no password given yet
    sign_in(client)
    wrong = "123456" if code() != "123456" else "654321"
    assert enter_code(client, wrong).status_code == 401
    assert enter_code(client, "not a code").status_code == 401
    assert client.get(INBOX).status_code == 302


def test_the_code_step_ends_when_the_sessions_of_the_user_were_ended(app):
    make_user(app, totp_secret=SECRET)
    client = app.test_client()
    sign_in(client)
    with app.app_context():
        db.session.scalar(db.select(User).where(User.email == "hr@example.com")).end_sessions()
        db.session.commit()
    assert client.get(CODE_STEP).status_code == 302


def test_a_recovery_code_signs_in_once(app):
    make_user(app)
    client = app.test_client()
    sign_in(client)
    secret = secret_on(client.get("/admin/account/two-factor").text)
    codes = recovery_codes_on(post_form(client, "/admin/account/two-factor", code=code(secret)).text)
    other = app.test_client()
    sign_in(other)
    assert enter_code(other, codes[3].upper()).status_code == 302
    third = app.test_client()
    sign_in(third)
    assert enter_code(third, codes[3]).status_code == 401
    assert enter_code(third, codes[4]).status_code == 302
    assert "8 unused recovery codes" in third.get("/admin/account").text


def test_turning_two_factor_off_needs_a_current_code(app):
    make_user(app, totp_secret=SECRET)
    client = app.test_client()
    sign_in(client)
    enter_code(client, code())
    post_form(client, "/admin/account", "/admin/account/two-factor/off", code="000000")
    assert user_row(app, "hr@example.com").two_factor
    post_form(client, "/admin/account", "/admin/account/two-factor/off", code=code(steps_ahead=1))
    assert not user_row(app, "hr@example.com").two_factor


def set_required(client, value: bool) -> None:
    data = {"required": "y"} if value else {}
    assert post_form(client, "/admin/users", "/admin/users/security", **data).status_code == 302


def test_when_an_admin_requires_two_factor_a_user_without_it_sets_it_up_at_sign_in(app):
    make_user(app, "admin@example.com")
    make_user(app, "recruiter@example.com", role="recruiter")
    admin = app.test_client()
    sign_in(admin, "admin@example.com")
    set_required(admin, True)
    assert "checked" in re.search(r'<input[^>]*name="required"[^>]*>', admin.get("/admin/users").text).group(
        0
    )
    client = app.test_client()
    response = sign_in(client, "recruiter@example.com")
    assert response.location.endswith("/admin/login/two-factor-setup")
    assert client.get(INBOX).status_code == 302  # not in before it is set up
    page = client.get("/admin/login/two-factor-setup")
    assert "requires a second step" in page.text
    secret = secret_on(page.text)
    done = client.post(
        "/admin/login/two-factor-setup", data={"csrf_token": csrf_token_from(page.text), "code": code(secret)}
    )
    assert done.status_code == 200 and len(recovery_codes_on(done.text)) == 10
    assert client.get(INBOX).status_code == 200
    assert user_row(app, "recruiter@example.com").totp_secret == secret
    # and it cannot be turned off while required
    post_form(client, "/admin/account", "/admin/account/two-factor/off", code=code(secret, 1))
    assert user_row(app, "recruiter@example.com").two_factor


def test_without_the_rule_a_user_without_two_factor_signs_in_with_the_password_alone(app):
    make_user(app)
    client = app.test_client()
    assert sign_in(client).location.endswith(INBOX)


def test_an_admin_clears_the_two_factor_of_a_user_who_lost_their_phone(app):
    make_user(app, "admin@example.com")
    user_id = make_user(app, "lost@example.com", role="viewer", totp_secret=SECRET)
    admin = app.test_client()
    sign_in(admin, "admin@example.com")
    post_form(admin, "/admin/users", f"/admin/users/{user_id}/two-factor/reset")
    assert not user_row(app, "lost@example.com").two_factor
    assert sign_in(app.test_client(), "lost@example.com").location.endswith(INBOX)
