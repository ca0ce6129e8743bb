"""The apply form's two consents, on the careers page and in the embed: processing (required)
and keeping the application for future openings (optional, off by default), each stored with
the text the candidate read in their language, its version and the period it promised, and
both shown to HR."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.config import ConfigError
from app.extensions import db
from app.models import Application, ApplicationConsent
from tests.conftest import add_job, add_user, login
from tests.web.helpers import (
    error_for,
    hidden_fields,
    open_form,
    post_application,
    resume_file,
    valid_answers,
)

HOST = "https://www.corp.example"
SAME_ORIGIN = {"Origin": "http://careers.test", "Sec-Fetch-Site": "same-origin"}
PROCESSING = "I agree that my application data and resume are processed for this job opening"
FUTURE = "You may also keep my application for up to"


@pytest.fixture
def app(make_app):
    return make_app(EMBED_ALLOWED_ORIGINS=[HOST], RETENTION_MONTHS={"processing": 6, "future": 24})


@pytest.fixture
def job_id(app):
    return add_job(app)


def consents(app) -> dict[str, ApplicationConsent]:
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        for consent in application.consents:
            db.session.expunge(consent)
        return {c.purpose: c for c in application.consents}


def checkbox(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no {name} checkbox"
    return match.group(0)


def test_the_form_offers_both_consents_with_their_periods_and_the_future_one_unticked(client, job_id):
    page = client.get(f"/jobs/{job_id}/apply").text
    assert f"{PROCESSING} and kept for up to 6 months." in page
    assert f"{FUTURE} 24 months to consider me for other job openings." in page
    assert "required" in checkbox(page, "consent")
    assert "checked" not in checkbox(page, "future_consent")
    assert "required" not in checkbox(page, "future_consent")


def test_an_application_without_the_future_consent_keeps_only_its_processing_consent(app, client, job_id):
    response = post_application(client, job_id, open_form(client, job_id), valid_answers())
    assert response.status_code == 302
    given = consents(app)
    assert set(given) == {"processing"}
    processing = given["processing"]
    assert processing.text == f"{PROCESSING} and kept for up to 6 months."
    assert processing.version == app.config["CONSENT_VERSION"] and processing.language == "en"
    assert timedelta(days=181) <= processing.keep_until - processing.given_at <= timedelta(days=184)


def test_the_future_consent_is_stored_in_the_language_the_candidate_read_it(app, client, job_id):
    page = client.get(f"/de/jobs/{job_id}/apply").text
    future = "Sie dürfen meine Bewerbung außerdem bis zu 24 Monate lang aufbewahren"
    assert future in page
    response = client.post(
        f"/de/jobs/{job_id}/apply",
        data={**hidden_fields(page), **valid_answers(future_consent="y"), "resume": resume_file()},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    given = consents(app)
    assert given["future"].text.startswith(future) and given["future"].language == "de"
    assert given["future"].version == app.config["CONSENT_FUTURE_VERSION"]
    assert given["processing"].text.startswith("Ich bin damit einverstanden")
    assert timedelta(days=730) <= given["future"].keep_until - given["future"].given_at <= timedelta(days=731)


def test_an_application_without_the_processing_consent_is_refused_even_with_the_future_one(
    app, client, job_id
):
    answers = valid_answers(consent=None, future_consent="y")
    response = post_application(client, job_id, open_form(client, job_id), answers)
    assert response.status_code == 422
    assert "agree to the processing" in error_for(response.text, "consent")
    with app.app_context():
        assert db.session.scalars(select(Application)).all() == []


def test_the_embedded_form_asks_and_stores_both_consents(app, client, job_id):
    page = client.get(f"/embed/jobs/{job_id}/apply?origin={HOST}").text
    assert PROCESSING in page and FUTURE in page
    assert "checked" not in checkbox(page, "future_consent")
    response = client.post(
        f"/embed/jobs/{job_id}/apply?origin={HOST}",
        data={**hidden_fields(page), **valid_answers(future_consent="y"), "resume": resume_file()},
        content_type="multipart/form-data",
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 302
    assert set(consents(app)) == {"processing", "future"}


def test_hr_sees_both_consents_on_the_application_page_and_its_receipt(app, client, job_id):
    post_application(client, job_id, open_form(client, job_id), valid_answers(future_consent="y"))
    add_user(app)
    login(client)
    with app.app_context():
        application_id = db.session.scalars(select(Application.id)).one()
    page = client.get(f"/admin/applications/{application_id}").text
    processing = re.search(r'<dd class="consent-processing">(.*?)</dd>', page, re.S).group(1)
    future = re.search(r'<dd class="consent-future">(.*?)</dd>', page, re.S).group(1)
    assert PROCESSING in processing and ", en, " in processing and "kept until" in processing
    assert FUTURE in future and "version" in future
    receipt = re.search(
        r'<tr class="sent"><th scope="row">Consent to keep for future openings</th><td>(.*?)</td>', page, re.S
    )
    assert receipt and "You may also keep" in receipt.group(1)


def test_hr_reads_that_the_future_consent_was_not_given(app, client, job_id):
    post_application(client, job_id, open_form(client, job_id), valid_answers())
    add_user(app)
    login(client)
    with app.app_context():
        application_id = db.session.scalars(select(Application.id)).one()
    page = client.get(f"/admin/applications/{application_id}").text
    assert re.search(r'<dd class="consent-future">not given</dd>', page)


@pytest.mark.parametrize(
    "months",
    [{"future": "a year"}, {"processing": 0}, {"procesing": 6}, 12],
    ids=["text", "zero", "typo", "number"],
)
def test_a_retention_period_that_is_not_whole_months_for_a_known_consent_stops_the_start(make_app, months):
    with pytest.raises(ConfigError, match="RETENTION_MONTHS must give whole months"):
        make_app(RETENTION_MONTHS=months)
