"""Password reset by email: the request answers the same whether or not the account exists,
the link arrives through a real SMTP server, works once, for one hour, and only while the
password it was made for is still the one set; new passwords follow the rules."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from app.accounts.invites import reset_link_token
from app.extensions import db
from app.models import OutboxMessage, User
from tests.conftest import PASSWORD, csrf_token_from
from tests.support.accounts import link_in, make_user, post_form, send_outbox, sign_in, user_row
from tests.support.smtp import smtp_server

FORGOT = "/admin/password/forgot"
NEW_PASSWORD = "seven blue kites at noon"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_app(make_app, smtp):
    app = make_app(MAIL_SENDER="jobs@corp.test", PUBLIC_BASE_URL="https://careers.test", **smtp.settings())
    make_user(app, "hr@example.com")
    return app


def ask_for_link(app, email: str):
    return post_form(app.test_client(), FORGOT, email=email)


def mailed_link(app, smtp, email: str = "hr@example.com") -> str:
    assert ask_for_link(app, email).status_code == 200
    send_outbox(app)
    return link_in(smtp.recorder.to(email)[-1])


def choose(client, link: str, password: str, confirm: str | None = None):
    page = client.get(link)
    assert page.status_code == 200, page.status_code
    return client.post(
        link,
        data={"csrf_token": csrf_token_from(page.text), "password": password, "confirm": confirm or password},
    )


def outbox_size(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutboxMessage.id)))


def test_the_request_answers_the_same_for_a_known_and_an_unknown_address(mail_app, smtp):
    known = ask_for_link(mail_app, "hr@example.com")
    unknown = ask_for_link(mail_app, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("hr@example.com", "X") == unknown.text.replace("nobody@example.com", "X")
    assert "If an account has this address" in known.text
    assert send_outbox(mail_app) == 1
    assert len(smtp.recorder.to("hr@example.com")) == 1 and smtp.recorder.to("nobody@example.com") == []


def test_no_link_is_sent_to_a_deactivated_or_invited_account(mail_app):
    make_user(mail_app, "gone@example.com", active=False)
    make_user(mail_app, "pending@example.com", invite_nonce="abc")
    for email in ("gone@example.com", "pending@example.com"):
        assert ask_for_link(mail_app, email).status_code == 200
    assert outbox_size(mail_app) == 0


def test_the_link_sets_a_new_password_ends_every_session_and_works_once(mail_app, smtp):
    signed_in = mail_app.test_client()
    sign_in(signed_in)
    link = mailed_link(mail_app, smtp)
    assert "Choose a new password" in smtp.recorder.to("hr@example.com")[0].message["Subject"]
    client = mail_app.test_client()
    done = choose(client, link, NEW_PASSWORD)
    assert done.status_code == 302 and "/admin/login" in done.location
    assert signed_in.get("/admin/applications").status_code == 302
    assert sign_in(client, password=PASSWORD).status_code == 401
    assert sign_in(client, password=NEW_PASSWORD).status_code == 302
    used = mail_app.test_client().get(link)
    assert used.status_code == 404 and "used already" in used.text


def test_a_link_stops_working_once_the_password_changed_another_way(mail_app, smtp):
    link = mailed_link(mail_app, smtp)
    with mail_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "hr@example.com"))
        user.set_password("changed on the command line")
        db.session.commit()
    assert mail_app.test_client().get(link).status_code == 404


def test_an_older_link_is_void_when_a_newer_one_was_used(mail_app, smtp):
    first = mailed_link(mail_app, smtp)
    second = mailed_link(mail_app, smtp)
    assert choose(mail_app.test_client(), second, NEW_PASSWORD).status_code == 302
    assert mail_app.test_client().get(first).status_code == 404


def test_a_link_older_than_one_hour_has_expired(mail_app):
    with mail_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "hr@example.com"))
        key = mail_app.config["SECRET_KEY"]
        fresh = reset_link_token(key, user, time.time() - 59 * 60)
        stale = reset_link_token(key, user, time.time() - 61 * 60)
    client = mail_app.test_client()
    assert client.get(f"/admin/password/reset/{fresh}").status_code == 200
    expired = client.get(f"/admin/password/reset/{stale}")
    assert expired.status_code == 410 and "one hour" in expired.text


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", None, "at least 10 characters"),
        ("password123", None, "among the most common"),
        ("Qwertyuiop", None, "among the most common"),
        ("hr@example.com", None, "must not be your email address"),
        (NEW_PASSWORD, "something else entirely", "not the same"),
    ],
)
def test_a_weak_password_is_refused_with_a_clear_error_and_not_shown_again(
    mail_app, smtp, password, confirm, message
):
    link = mailed_link(mail_app, smtp)
    response = choose(mail_app.test_client(), link, password, confirm)
    assert response.status_code == 400
    assert message in response.text
    for field in ("password", "confirm"):
        (tag,) = re.findall(rf'<input[^>]*name="{field}"[^>]*>', response.text)
        assert re.search(r"value=\"[^\"]", tag) is None, tag
    assert 'value="hr@example.com"' in response.text  # the account, for password managers
    assert user_row(mail_app, "hr@example.com").check_password(PASSWORD)  # unchanged
    assert mail_app.test_client().get(link).status_code == 200  # still usable


def test_the_request_form_keeps_a_mistyped_address(mail_app):
    response = ask_for_link(mail_app, "hr at example")
    assert response.status_code == 400 and 'value="hr at example"' in response.text


def test_one_address_gets_a_limited_number_of_reset_mails(make_app, smtp):
    app = make_app(PASSWORD_RESET_RATE_LIMIT="2 per hour", **smtp.settings())
    make_user(app, "hr@example.com")
    assert [ask_for_link(app, "hr@example.com").status_code for _ in range(3)] == [200, 200, 429]
    assert outbox_size(app) == 2
    assert ask_for_link(app, "nobody@example.com").status_code == 200  # another address is not held


def test_the_sign_in_page_links_to_the_reset(app, client):
    assert FORGOT in client.get("/admin/login").text


def test_the_pages_reached_from_the_mails_speak_english_like_the_rest_of_the_hr_area(app, client):
    page = client.get(FORGOT, headers={"Accept-Language": "de"})
    assert 'lang="en"' in page.text and "Forgot your password?" in page.text
    assert "Content-Language" not in page.headers
