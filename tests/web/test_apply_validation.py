"""The apply form's checks as a candidate meets them: addresses typed without https://, errors
that name their question, and summary links that lead to a control that can take focus."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.intake.form import with_scheme
from app.models import Answer, Application
from tests.conftest import add_job
from tests.web.helpers import error_for, open_form, post_application, valid_answers

QUESTIONS = [
    {"label": "Years of Python", "kind": "short_text", "required": True},
    {"label": "Preferred office", "kind": "single_select", "options": ["Berlin", "Lisbon"], "required": True},
    {"label": "Portfolio", "kind": "url"},
]


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("linkedin.com/in/grace", "https://linkedin.com/in/grace"),
        ("  www.example.com ", "https://www.example.com"),
        ("//grace.example.com/cv", "https://grace.example.com/cv"),
        ("http://grace.example.com", "http://grace.example.com"),
        ("", ""),
    ],
)
def test_an_address_without_a_scheme_means_https(typed, kept):
    assert with_scheme(typed) == kept


def test_addresses_typed_without_https_are_taken_and_stored_with_it(app, client):
    job_id = add_job(app, questions=QUESTIONS)
    answers = valid_answers(url="linkedin.com/in/grace", q_1="7", q_2="Berlin", q_3="grace.example.com")
    response = post_application(client, job_id, open_form(client, job_id), answers)
    assert response.status_code == 302, response.text
    with app.app_context():
        application = db.session.scalar(select(Application))
        portfolio = db.session.scalar(select(Answer).where(Answer.label == "Portfolio"))
        assert application.url == "https://linkedin.com/in/grace"
        assert portfolio.value == "https://grace.example.com"


def summary_links(html: str) -> dict[str, str]:
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    return {text: href for href, text in re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary)}


def test_the_error_summary_names_each_question_and_links_a_choice_to_its_first_option(app, client):
    job_id = add_job(app, questions=QUESTIONS)
    response = post_application(client, job_id, open_form(client, job_id), valid_answers())
    assert response.status_code == 422
    links = summary_links(response.text)
    assert links["Answer the question “Years of Python”."] == "q_1"
    assert links["Choose one option for “Preferred office”."] == "q_2-0"
    assert 'id="q_2-0"' in response.text  # the first radio button, which can take focus
    assert "Choose one option for “Preferred office”." in error_for(response.text, "q_2")


def test_the_summary_script_brings_the_label_into_view_before_focusing(client):
    script = client.get("/static/apply.js").text
    assert "scrollIntoView" in script and "preventScroll: true" in script


def test_the_consent_has_a_link_to_the_privacy_notice(make_app):
    app = make_app(PRIVACY_NOTICE_URL="https://corp.example/privacy")
    client = app.test_client()
    job_id = add_job(app)
    page = client.get(f"/jobs/{job_id}/apply").text
    consent = page[page.index('class="field choices consent') :]
    assert 'href="https://corp.example/privacy"' in consent[: consent.index("</fieldset>")]


def test_without_a_privacy_notice_address_no_link_is_shown(make_app):
    app = make_app(PRIVACY_NOTICE_URL="")
    client = app.test_client()
    page = client.get(f"/jobs/{add_job(app)}/apply").text
    assert "privacy notice" not in page
