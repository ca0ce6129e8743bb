"""The apply form: happy paths per file type, and every error path keeps what was typed."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Application, Delivery
from tests.conftest import FIXTURES, add_job
from tests.web.helpers import error_for, field_value, open_form, post_application, resume_file, valid_answers

QUESTIONS = [
    {"label": "Years of Python", "kind": "short_text", "required": True},
    {"label": "Why us?", "kind": "long_text"},
    {"label": "Preferred office", "kind": "single_select", "options": ["Berlin", "Lisbon"], "required": True},
    {"label": "Tools", "kind": "multi_select", "options": ["Git", "Docker", "SQL"]},
    {"label": "Need a visa?", "kind": "yes_no", "required": True},
    {"label": "Portfolio", "kind": "url"},
    {"label": "Work sample", "kind": "file"},
]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "fixture, expected_type",
    [
        ("resume.pdf", "application/pdf"),
        ("resume.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("resume.doc", "application/msword"),
    ],
)
def test_an_application_with_a_resume_is_stored_with_a_pending_delivery(app, client, fixture, expected_type):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    response = post_application(client, job_id, hidden, valid_answers(), {"resume": resume_file(fixture)})
    assert response.status_code == 302
    assert "/applications/" in response.location and response.location.endswith("/thanks")
    thanks = client.get(response.location)
    assert "We received your application" in thanks.text
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert application.email == "grace@example.com"
        assert application.phone == "+12125550142"
        assert application.resume_content_type == expected_type
        assert application.consent_text.startswith("I agree")
        assert application.consent_version == app.config["CONSENT_VERSION"]
        assert application.delivery.status == "pending"
        assert application.delivery.target == "local"
        stored = Path(app.config["UPLOAD_DIR"]) / application.resume_key
        assert stored.read_bytes() == (FIXTURES / "files" / fixture).read_bytes()
        assert Path(app.static_folder) not in stored.parents
        assert fixture.split(".")[0] not in stored.name  # random name, not the candidate's


def test_answers_to_every_question_kind_are_stored(app, client):
    job_id = add_job(app, questions=QUESTIONS)
    hidden = open_form(client, job_id)
    answers = valid_answers(
        q_1="7", q_2="Because.", q_3="Lisbon", q_4=["Git", "SQL"], q_5="no", q_6="https://grace.example.com"
    )
    response = post_application(
        client,
        job_id,
        hidden,
        answers,
        {"resume": resume_file(), "q_7": resume_file("resume.docx", "sample.docx")},
    )
    assert response.status_code == 302, error_for(response.text, "q_7")
    with app.app_context():
        stored = {a.label: a.value for a in db.session.scalars(select(Answer))}
    assert stored["Years of Python"] == "7"
    assert stored["Preferred office"] == "Lisbon"
    assert stored["Tools"] == ["Git", "SQL"]
    assert stored["Need a visa?"] is False
    assert stored["Portfolio"] == "https://grace.example.com"
    assert stored["Work sample"]["filename"] == "sample.docx"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"first_name": ""}, "first_name", "Enter your first name."),
        ({"last_name": None}, "last_name", "Enter your last name."),
        ({"email": "grace-at-example"}, "email", "Enter an email address like name@example.com."),
        ({"email": ""}, "email", "Enter your email address."),
        ({"phone": "call me"}, "phone", "Enter a phone number"),
        ({"url": "linkedin/grace"}, "url", "Enter a web address like linkedin.com/in/your-name."),
        ({"consent": None}, "consent", "Please agree to the processing"),
    ],
)
def test_a_field_error_keeps_every_typed_value(app, client, change, field, message):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    answers = valid_answers(**change)
    response = post_application(client, job_id, hidden, answers)
    assert response.status_code == 422
    assert message in error_for(response.text, field)
    assert 'role="alert"' in response.text and 'aria-invalid="true"' in response.text
    for name in ("first_name", "last_name", "email", "phone", "url", "location", "cover_letter"):
        if name != field and name in answers:
            assert field_value(response.text, name) == answers[name]
    assert count(app, Application) == 0


def test_a_missing_required_question_is_refused_and_other_answers_are_kept(app, client):
    job_id = add_job(app, questions=QUESTIONS)
    hidden = open_form(client, job_id)
    answers = valid_answers(q_2="Because I like it.", q_3="Berlin", q_5="yes")  # q_1 missing
    response = post_application(client, job_id, hidden, answers)
    assert response.status_code == 422
    assert "Answer the question “Years of Python”." in error_for(response.text, "q_1")
    assert field_value(response.text, "q_2") == "Because I like it."
    berlin = re.search(r'<input[^>]*value="Berlin"[^>]*>', response.text).group(0)
    assert "checked" in berlin
    assert count(app, Application) == 0


def test_a_file_that_is_not_a_document_is_refused_whatever_its_name(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    fake = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 200), "resume.pdf")
    response = post_application(client, job_id, hidden, valid_answers(), {"resume": fake})
    assert response.status_code == 422
    assert "could not recognise this file" in error_for(response.text, "resume")
    assert field_value(response.text, "email") == "grace@example.com"
    assert count(app, Application) == 0


def test_a_file_over_the_limit_gets_a_message_on_the_form(make_app):
    app = make_app(MAX_UPLOAD_MB=1)
    client = app.test_client()
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    big = (io.BytesIO(b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)), "big.pdf")
    response = post_application(client, job_id, hidden, valid_answers(), {"resume": big})
    assert response.status_code == 413
    assert "larger than 1 MB" in error_for(response.text, "resume")
    assert field_value(response.text, "first_name") == "Grace"


def test_a_request_far_over_the_limit_gets_a_page_that_leads_back_to_the_form(make_app):
    app = make_app(MAX_UPLOAD_MB=1, MAX_APPLY_REQUEST_MB=2)
    client = app.test_client()
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    huge = (io.BytesIO(b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024)), "huge.pdf")
    response = post_application(client, job_id, hidden, valid_answers(), {"resume": huge})
    assert response.status_code == 413
    assert "Files can be up to 1 MB" in response.text
    assert f'href="/jobs/{job_id}/apply"' in response.text
    assert "Back" not in response.text


def test_a_missing_resume_is_asked_for(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    response = post_application(client, job_id, hidden, valid_answers(), files={})
    assert response.status_code == 422
    assert "Attach your resume" in error_for(response.text, "resume")


def test_a_good_resume_is_held_while_the_candidate_fixes_another_field(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    first = post_application(client, job_id, hidden, valid_answers(email="nope"))
    assert first.status_code == 422
    assert "resume.pdf</strong> is attached" in first.text
    held_token = field_value(first.text, "held_resume")
    assert held_token
    again = dict(hidden, held_resume=held_token, csrf_token=field_value(first.text, "csrf_token"))
    second = post_application(client, job_id, again, valid_answers(), files={})
    assert second.status_code == 302
    with app.app_context():
        application = db.session.scalar(select(Application))
        stored = Path(app.config["UPLOAD_DIR"]) / application.resume_key
        assert stored.read_bytes() == (FIXTURES / "files" / "resume.pdf").read_bytes()
    held_dir = Path(app.config["UPLOAD_DIR"]) / "held"
    assert not any(held_dir.iterdir())


def test_a_forged_held_file_token_is_ignored(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    forged = dict(hidden, held_resume="eyJrZXkiOiIuLi9zZWNyZXQifQ.forged")
    response = post_application(client, job_id, forged, valid_answers(), files={})
    assert response.status_code == 422
    assert "Attach your resume" in error_for(response.text, "resume")


def test_a_post_without_a_csrf_token_stores_nothing_and_keeps_the_values(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    hidden.pop("csrf_token")
    response = post_application(client, job_id, hidden, valid_answers())
    assert response.status_code == 422
    assert "The form expired" in response.text
    assert field_value(response.text, "email") == "grace@example.com"
    assert count(app, Application) == 0


def test_a_double_submit_creates_one_application(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    first = post_application(client, job_id, hidden, valid_answers())
    second = post_application(client, job_id, hidden, valid_answers())
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert count(app, Application) == 1
    assert count(app, Delivery) == 1


def test_a_filled_honeypot_stores_nothing(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    response = post_application(client, job_id, hidden, valid_answers(nickname="bot"))
    assert response.status_code == 302 and response.location.endswith("/applications/received")
    assert count(app, Application) == 0


def test_applying_is_rate_limited_per_address(make_app):
    app = make_app(APPLY_RATE_LIMIT="2 per hour")
    client = app.test_client()
    job_id = add_job(app)
    statuses = [
        post_application(
            client, job_id, open_form(client, job_id), valid_answers(email=f"c{n}@example.com")
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_an_unpublished_job_cannot_be_applied_to(app, client):
    job_id = add_job(app, published=False)
    assert client.get(f"/jobs/{job_id}/apply").status_code == 404
    assert client.post(f"/jobs/{job_id}/apply", data={}).status_code == 404


def test_attribution_in_the_page_address_is_stored(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id, "?utm_source=linkedin&utm_campaign=fall&evil=1")
    post_application(client, job_id, hidden, valid_answers())
    with app.app_context():
        application = db.session.scalar(select(Application))
    assert application.attribution == {"utm_source": "linkedin", "utm_campaign": "fall"}


def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(make_app):
    app = make_app(APPLY_RATE_LIMIT="1 per hour", TRUSTED_PROXIES=1)
    client = app.test_client()
    job_id = add_job(app)

    def apply_from(address: str) -> int:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = address
        answers = valid_answers(email=f"someone@{address}.example")
        return post_application(client, job_id, open_form(client, job_id), answers).status_code

    assert [apply_from("198.51.100.7"), apply_from("198.51.100.7"), apply_from("203.0.113.9")] == [
        302,
        429,
        302,
    ]
