"""Guessing is slowed per account (a lockout that grows) and per client address, in words that
do not say whether the account exists; sessions end when idle and after a lifetime; the log
names user ids, never addresses or passwords."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from app.accounts.lockout import LockoutPolicy, lock_key, note_failure, wait_seconds
from app.extensions import db
from app.models import SignInLock
from tests.clock import FakeClock
from tests.conftest import PASSWORD
from tests.support.accounts import make_user, post_form, sign_in

INBOX = "/admin/applications"
LOOSE = {"LOGIN_RATE_LIMIT": "100 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "100 per minute"}


def attempt(app, email: str, password: str, address: str = "203.0.113.9"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return sign_in(client, email, password)


def test_after_five_failures_the_account_waits_even_for_the_right_password(make_app):
    app = make_app(**LOOSE)
    make_user(app)
    for i in range(5):
        assert attempt(app, "hr@example.com", "guess", f"203.0.113.{i}").status_code == 401
    locked = attempt(app, "hr@example.com", PASSWORD, "198.51.100.1")
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account. Try again in 1 minute." in locked.text
    assert attempt(app, "other@example.com", "guess").status_code == 401  # other names are not held


def test_a_locked_unknown_address_reads_exactly_like_a_locked_account(make_app):
    app = make_app(**LOOSE)
    make_user(app)
    answers = {}
    for email in ("hr@example.com", "nobody@example.com"):
        for _ in range(5):
            attempt(app, email, "guess")
        answer = attempt(app, email, "guess")
        page = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", answer.text)
        answers[email] = (answer.status_code, page.replace(email, "X"))
    assert answers["hr@example.com"] == answers["nobody@example.com"]
    assert answers["hr@example.com"][0] == 429


def test_when_the_wait_is_over_the_right_password_opens_and_clears_the_count(make_app):
    app = make_app(**LOOSE)
    make_user(app)
    for _ in range(5):
        attempt(app, "hr@example.com", "guess")
    with app.app_context():
        row = db.session.get(SignInLock, lock_key("hr@example.com"))
        row.locked_until -= timedelta(minutes=5)  # as if the wait had passed
        db.session.commit()
    assert attempt(app, "hr@example.com", PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.get(SignInLock, lock_key("hr@example.com")) is None


def test_each_further_failure_doubles_the_wait_up_to_the_longest(app):
    clock = FakeClock()
    policy = LockoutPolicy(after=3, first=30, longest=200)
    with app.app_context():
        delays = [note_failure(db.session(), " HR@example.com", clock.datetime(), policy) for _ in range(7)]
        assert delays == [0, 0, 30, 60, 120, 200, 200]
        assert wait_seconds(db.session(), "hr@example.com", clock.datetime()) == 200
        clock.advance(150)
        assert wait_seconds(db.session(), "hr@example.com", clock.datetime()) == 50
        clock.advance(51)
        assert wait_seconds(db.session(), "hr@example.com", clock.datetime()) == 0
        clock.advance(timedelta(days=2))  # old failures are forgotten
        assert note_failure(db.session(), "hr@example.com", clock.datetime(), policy) == 0


def test_wrong_codes_at_the_second_step_count_towards_the_lockout(make_app):
    app = make_app(**LOOSE)
    secret = pyotp.random_base32()
    make_user(app, totp_secret=secret)
    client = app.test_client()
    sign_in(client)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    statuses = [post_form(client, "/admin/login/code", code=wrong).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    locked = post_form(client, "/admin/login/code", code=pyotp.TOTP(secret).now())
    assert locked.status_code == 429 and client.get(INBOX).status_code == 302


def test_one_address_trying_many_accounts_is_rate_limited(make_app):
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    make_user(app)
    statuses = [attempt(app, f"user{i}@example.com", "guess", "203.0.113.7").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert attempt(app, "hr@example.com", PASSWORD, "203.0.113.8").status_code == 302


def test_sign_ins_failures_and_lockouts_are_logged_by_user_id_only(make_app, caplog):
    app = make_app(**LOOSE)
    user_id = make_user(app)
    caplog.set_level(logging.INFO, logger="app.accounts")
    for _ in range(5):
        attempt(app, "hr@example.com", "guess-word-123")
    attempt(app, "nobody@example.com", "guess-word-123")
    with app.app_context():
        db.session.execute(db.delete(SignInLock))
        db.session.commit()
    attempt(app, "hr@example.com", PASSWORD)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert f"sign-in failed at the password for user {user_id}" in text
    assert f"sign-in locked for 30s for user {user_id}" in text
    assert "sign-in failed at the password for user unknown" in text
    assert f"user {user_id} signed in (password)" in text
    for secret in ("hr@example.com", "nobody@example.com", "guess-word-123", PASSWORD, "example.com"):
        assert secret not in text


@pytest.fixture
def short_sessions(make_app):
    app = make_app(SESSION_IDLE_MINUTES=10, SESSION_LIFETIME_HOURS=2)
    make_user(app)
    return app


def shift_session(client, **ages: float) -> None:
    """Make the session's times `ages` seconds old, as if that time had passed."""
    with client.session_transaction() as session:
        for name, age in ages.items():
            session[name] = time.time() - age


def test_a_session_idle_longer_than_the_limit_ends(short_sessions):
    client = short_sessions.test_client()
    sign_in(client)
    shift_session(client, seen_at=9 * 60)
    assert client.get(INBOX).status_code == 200
    shift_session(client, seen_at=11 * 60)
    response = client.get(INBOX)
    assert response.status_code == 302 and "/admin/login" in response.location
    assert client.get(INBOX).status_code == 302  # ended, not just refused once


def test_a_busy_session_still_ends_after_its_lifetime(short_sessions):
    client = short_sessions.test_client()
    sign_in(client)
    shift_session(client, signed_in_at=2 * 3600 - 60, seen_at=5)
    assert client.get(INBOX).status_code == 200
    shift_session(client, signed_in_at=2 * 3600 + 60, seen_at=5)
    assert client.get(INBOX).status_code == 302


def test_each_request_keeps_an_active_session_alive(short_sessions):
    client = short_sessions.test_client()
    sign_in(client)
    shift_session(client, seen_at=8 * 60)
    assert client.get(INBOX).status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["seen_at"] < 5
    shift_session(client, signed_in_at=60)
    assert client.get(INBOX).status_code == 200


def test_a_session_without_its_sign_in_times_is_refused(short_sessions):
    client = short_sessions.test_client()
    sign_in(client)
    with client.session_transaction() as session:
        del session["signed_in_at"]
    assert client.get(INBOX).status_code == 302


def test_the_lockout_row_holds_no_address(make_app):
    app = make_app(**LOOSE)
    attempt(app, "hr@example.com", "guess")
    with app.app_context():
        (key,) = db.session.scalars(select(SignInLock.key)).all()
    assert "@" not in key and len(key) == 64
