"""The apply limit counts applications taken in, not forms sent back to be corrected; over it,
the form comes back with what was typed and the true wait."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.intake.waiting import wait_words
from app.models import Application
from tests.conftest import add_job, add_user, login
from tests.web.helpers import field_value, open_form, post_application, valid_answers
from tests.web.test_embed import HOST, embed_error, open_embed, post_embed


def test_forms_sent_back_with_errors_do_not_use_up_the_apply_limit(make_app):
    app = make_app(APPLY_RATE_LIMIT="1 per hour")
    client = app.test_client()
    job_id = add_job(app)
    corrected = [
        post_application(client, job_id, open_form(client, job_id), valid_answers(email="not-an-email"))
        for _ in range(3)
    ]
    assert [r.status_code for r in corrected] == [422, 422, 422]
    sent = post_application(client, job_id, open_form(client, job_id), valid_answers())
    again = post_application(client, job_id, open_form(client, job_id), valid_answers(email="b@example.com"))
    assert (sent.status_code, again.status_code) == (302, 429)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 1


@pytest.mark.parametrize(
    "seconds, words",
    [
        (10, "1 minute"),
        (3300, "55 minutes"),
        (3599.5, "1 hour"),
        (3900, "1 hour and 5 minutes"),
        (7200, "2 hours"),
    ],
)
def test_the_wait_is_said_in_minutes_and_hours(seconds, words):
    assert wait_words(seconds) == words


def test_a_form_too_large_to_take_does_not_use_up_the_apply_limit(make_app):
    app = make_app(APPLY_RATE_LIMIT="1 per hour", MAX_UPLOAD_MB=1)
    client = app.test_client()
    job_id = add_job(app)
    big = {"resume": (io.BytesIO(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)), "scan.pdf")}
    refused = post_application(client, job_id, open_form(client, job_id), valid_answers(), big)
    assert refused.status_code == 413
    assert post_application(client, job_id, open_form(client, job_id), valid_answers()).status_code == 302


def test_over_the_limit_the_form_comes_back_with_what_was_typed_and_the_true_wait(make_app):
    app = make_app(APPLY_RATE_LIMIT="1 per hour")
    client = app.test_client()
    job_id = add_job(app)
    assert post_application(client, job_id, open_form(client, job_id), valid_answers()).status_code == 302
    answers = valid_answers(email="ada@example.com", cover_letter="Second try.")
    limited = post_application(client, job_id, open_form(client, job_id), answers)
    assert limited.status_code == 429
    assert field_value(limited.text, "email") == "ada@example.com"
    assert field_value(limited.text, "cover_letter") == "Second try."
    assert "resume.pdf</strong> is attached" in limited.text
    retry_after = int(limited.headers["Retry-After"])
    assert 3500 < retry_after <= 3600
    assert f"Please try again in {wait_words(retry_after)}" in limited.text
    assert "a few minutes" not in limited.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_over_the_limit_the_embedded_form_is_kept_and_the_host_hears_an_error(make_app):
    app = make_app(APPLY_RATE_LIMIT="1 per hour", EMBED_ALLOWED_ORIGINS=[HOST])
    client = app.test_client()
    job_id = add_job(app)
    assert post_embed(client, job_id, open_embed(client, job_id)[0]).status_code == 302
    limited = post_embed(client, job_id, open_embed(client, job_id)[0], first_name="Ada")
    assert limited.status_code == 429
    assert embed_error(limited.text) == "too_many_requests"
    assert 'class="site-header"' not in limited.text
    assert field_value(limited.text, "first_name") == "Ada"
    assert f"Please try again in {wait_words(int(limited.headers['Retry-After']))}" in limited.text


def test_other_limits_say_the_true_wait_too(make_app):
    app = make_app(LOGIN_RATE_LIMIT="1 per hour")
    add_user(app)
    client = app.test_client()
    assert login(client, password="wrong").status_code == 401
    refused = login(client, password="wrong")
    assert refused.status_code == 429
    assert f"Please try again in {wait_words(int(refused.headers['Retry-After']))}" in refused.text
