"""Save and finish later: a draft kept with its files, its magic link mailed through the
outbox to a real SMTP server on loopback, the form opened again from the link, and the draft
gone once the application is sent or its time is up."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.intake import outbox
from app.intake.tasks import sweep_once
from app.mail.settings import mail_settings
from app.mail.transport import SmtpTransport
from app.models import Application, Draft, Job, OutboxMessage
from tests.clock import FakeClock
from tests.conftest import add_job
from tests.support.smtp import smtp_server
from tests.web.helpers import error_for, field_value, hidden_fields, open_form, post_application, resume_file

EMAIL = "grace@example.com"
QUESTIONS = [
    {"label": "Years of Rust?", "kind": "short_text", "required": True},
    {"label": "Portfolio", "kind": "file", "required": False},
]


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_app(make_app, smtp):
    return make_app(MAIL_SENDER="jobs@corp.test", PUBLIC_BASE_URL="https://careers.test", **smtp.settings())


def question_ids(app, job_id: int) -> list[int]:
    with app.app_context():
        return [q.id for q in db.session.get(Job, job_id).questions]


def save(
    client, job_id: int, hidden: dict, answers: dict, files: dict | None = None, *, path: str = "", **kw
):
    data = {**hidden, **answers, **(files or {})}
    return client.post(f"{path}/jobs/{job_id}/save", data=data, content_type="multipart/form-data", **kw)


def drafts(app) -> list[Draft]:
    with app.app_context():
        found = list(db.session.scalars(select(Draft).order_by(Draft.id)))
        db.session.expunge_all()
        return found


def mail(app, kind: str = "draft") -> list[OutboxMessage]:
    with app.app_context():
        found = list(
            db.session.scalars(select(OutboxMessage).filter_by(kind=kind).order_by(OutboxMessage.id))
        )
        db.session.expunge_all()
        return found


def send_all(app, kind: str = "draft") -> None:
    with app.app_context():
        settings = mail_settings(app.config)
        for row in mail(app, kind):
            if row.status == "pending":
                sent = outbox.send_one(
                    db.session(), row.id, transport=SmtpTransport(settings), settings=settings
                )
                assert sent.status == "sent"


def link_in(body: str) -> str:
    match = re.search(r"https://careers\.test(/\S*/draft/[\w-]+)", body)
    assert match, body
    return match.group(1)


def stored_files(app, folder: str) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"], folder)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_saved_draft_is_mailed_reopened_filled_in_and_gone_once_sent(mail_app, smtp):
    client = mail_app.test_client()
    job_id = add_job(mail_app, title="Compiler Engineer", questions=QUESTIONS)
    rust, portfolio = question_ids(mail_app, job_id)
    partial = {
        "first_name": "Grace",
        "email": "Grace@Example.com",
        "cover_letter": "I like compilers.",
        f"q_{rust}": "seven",
    }
    files = {"resume": resume_file(), f"q_{portfolio}": resume_file("resume.docx", "work.docx")}
    response = save(client, job_id, open_form(client, job_id), partial, files)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    (draft,) = drafts(mail_app)
    until = draft.expires_at
    assert until - draft.created_at == timedelta(days=14)
    assert EMAIL in page.text and str(until.year) in page.text and until.strftime("%B") in page.text
    assert len(stored_files(mail_app, "drafts")) == 2

    send_all(mail_app)
    (received,) = smtp.recorder.to(EMAIL)
    assert "Compiler Engineer" in received.message["Subject"]
    link = link_in(received.body("plain"))
    assert link_in(received.body("html")) == link and link.startswith(f"/en/jobs/{job_id}/draft/")
    secret = link.rsplit("/", 1)[1]
    assert secret not in str(draft.secret_hash) and len(draft.secret_hash) == 64

    other_device = mail_app.test_client()
    form = other_device.get(link)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    for name, value in [("first_name", "Grace"), ("email", "Grace@Example.com"), (f"q_{rust}", "seven")]:
        assert field_value(form.text, name) == value
    assert "I like compilers." in form.text
    assert "<strong>resume.pdf</strong> is attached" in form.text
    assert "<strong>work.docx</strong> is attached" in form.text

    hidden = hidden_fields(form.text)
    unfinished = post_application(other_device, job_id, hidden, {**partial, "last_name": "Hopper"}, {})
    assert unfinished.status_code == 422 and len(drafts(mail_app)) == 1  # kept while it cannot be sent
    hidden = hidden_fields(unfinished.text)
    sent = post_application(
        other_device, job_id, hidden, {**partial, "last_name": "Hopper", "consent": "y"}, {}
    )
    assert sent.status_code == 302, sent.text
    with mail_app.app_context():
        application = db.session.scalar(select(Application))
        assert (application.first_name, application.last_name, application.email) == (
            "Grace",
            "Hopper",
            EMAIL,
        )
        assert application.resume_filename == "resume.pdf" and application.resume_key
        assert {a.label: a.value for a in application.answers}[QUESTIONS[0]["label"]] == "seven"
        assert {a.label: a.value for a in application.answers}["Portfolio"]["filename"] == "work.docx"
    assert drafts(mail_app) == []
    assert stored_files(mail_app, "drafts") == []
    gone = other_device.get(link)
    assert gone.status_code == 410 and "This link no longer works" in gone.text
    assert f'href="/en/jobs/{job_id}/apply"' in gone.text  # a fresh form of the same job


def test_saving_again_from_the_reopened_form_updates_the_same_draft(mail_app, smtp):
    client = mail_app.test_client()
    job_id = add_job(mail_app)
    save(
        client,
        job_id,
        open_form(client, job_id),
        {"email": EMAIL, "first_name": "Grace"},
        {"resume": resume_file()},
    )
    send_all(mail_app)
    link = link_in(smtp.recorder.to(EMAIL)[0].body("plain"))
    (first,) = drafts(mail_app)
    form = client.get(link)
    again = save(
        client, job_id, hidden_fields(form.text), {"email": EMAIL, "first_name": "Grace", "location": "Paris"}
    )
    assert again.status_code == 302
    (draft,) = drafts(mail_app)
    assert (draft.id, draft.secret_hash) == (first.id, first.secret_hash)
    assert draft.typed["location"] == ["Paris"] and draft.files["resume"]["name"] == "resume.pdf"
    assert len(stored_files(mail_app, "drafts")) == 1  # the resume kept, the earlier copy gone
    send_all(mail_app)
    assert [link_in(r.body("plain")) for r in smtp.recorder.to(EMAIL)] == [link, link]
    assert field_value(client.get(link).text, "location") == "Paris"


def test_a_draft_needs_a_valid_email_and_keeps_what_was_typed_when_refused(mail_app):
    client = mail_app.test_client()
    job_id = add_job(mail_app)
    typed = {"first_name": "Grace", "email": "grace-at-example", "cover_letter": "Dear team,"}
    refused = save(client, job_id, open_form(client, job_id), typed, {"resume": resume_file()})
    assert refused.status_code == 422
    assert error_for(refused.text, "email") == "Enter an email address like name@example.com."
    assert error_for(refused.text, "last_name") == ""  # other fields are not asked for
    assert (
        field_value(refused.text, "first_name") == "Grace"
        and field_value(refused.text, "email") == "grace-at-example"
    )
    assert "Dear team," in refused.text and "<strong>resume.pdf</strong> is attached" in refused.text
    assert drafts(mail_app) == [] and mail(mail_app) == []


def test_a_draft_checks_the_files_content_and_the_forms_token(mail_app):
    client = mail_app.test_client()
    job_id = add_job(mail_app)
    fake = {"resume": (io.BytesIO(b"MZ\x90\x00 not a document"), "resume.pdf")}
    refused = save(client, job_id, open_form(client, job_id), {"email": EMAIL}, fake)
    assert refused.status_code == 422 and "could not recognise this file" in error_for(refused.text, "resume")
    stale = {**open_form(client, job_id), "csrf_token": "forged"}
    forged = save(client, job_id, stale, {"email": EMAIL, "first_name": "Grace"})
    assert forged.status_code == 422 and "Please send the form again" in forged.text
    assert field_value(forged.text, "first_name") == "Grace"
    assert drafts(mail_app) == [] and stored_files(mail_app, "drafts") == []


def test_an_expired_draft_is_swept_with_its_files_and_its_link_says_so(mail_app, smtp):
    client = mail_app.test_client()
    job_id = add_job(mail_app)
    save(client, job_id, open_form(client, job_id), {"email": EMAIL}, {"resume": resume_file()})
    send_all(mail_app)
    link = link_in(smtp.recorder.to(EMAIL)[0].body("plain"))
    clock = FakeClock(start=time.time())
    clock.advance(timedelta(days=13, hours=23))
    with mail_app.app_context():
        sweep_once(mail_app, now=clock.time())
    assert len(drafts(mail_app)) == 1 and len(stored_files(mail_app, "drafts")) == 1
    (sent,) = mail(mail_app)
    assert link.rsplit("/", 1)[1] not in sent.text_body + sent.html_body  # no link kept once sent
    assert client.get(link).status_code == 200
    clock.advance(timedelta(hours=2))
    with mail_app.app_context():
        sweep_once(mail_app, now=clock.time())
    assert drafts(mail_app) == [] and stored_files(mail_app, "drafts") == []
    expired = client.get(link)
    assert expired.status_code == 410 and "This link no longer works" in expired.text
    assert f"/jobs/{job_id}/apply" in expired.text


def test_a_draft_of_a_job_closed_since_shows_the_closed_page_with_what_was_saved(mail_app, smtp):
    client = mail_app.test_client()
    job_id = add_job(mail_app, title="Compiler Engineer")
    add_job(mail_app, title="Runtime Engineer")
    save(
        client,
        job_id,
        open_form(client, job_id),
        {"email": EMAIL, "first_name": "Grace"},
        {"resume": resume_file()},
    )
    send_all(mail_app)
    link = link_in(smtp.recorder.to(EMAIL)[0].body("plain"))
    with mail_app.app_context():
        db.session.get(Job, job_id).closed = True
        db.session.commit()
    page = client.get(link)
    assert page.status_code == 410 and "This position is no longer open" in page.text
    assert "Grace" in page.text and "resume.pdf" in page.text and "Runtime Engineer" in page.text
    assert len(drafts(mail_app)) == 1


def test_a_draft_saved_in_german_is_mailed_in_german_with_a_german_link(mail_app, smtp):
    client = mail_app.test_client()
    job_id = add_job(mail_app, title="Compiler Engineer")
    hidden = hidden_fields(client.get(f"/de/jobs/{job_id}/apply").text)
    response = save(client, job_id, hidden, {"email": EMAIL}, path="/de")
    assert response.headers["Location"] == f"/de/jobs/{job_id}/saved"
    page = client.get(response.headers["Location"])
    assert "Wir haben einen Link an <strong>grace@example.com</strong> gesendet" in page.text
    send_all(mail_app)
    (received,) = smtp.recorder.to(EMAIL)
    assert received.message["Subject"] == "Bewerbung abschließen: Compiler Engineer"
    body = received.body("plain")
    assert "gilt bis" in body and link_in(body).startswith(f"/de/jobs/{job_id}/draft/")
    assert client.get(link_in(body)).headers["Content-Language"] == "de"


def test_saves_are_limited_per_email_address_from_any_connection(make_app):
    app = make_app(DRAFT_EMAIL_RATE_LIMIT="2 per hour")
    job_id = add_job(app)
    statuses = []
    for number in range(3):
        client = app.test_client()
        hidden = open_form(client, job_id)
        statuses.append(
            save(
                client,
                job_id,
                hidden,
                {"email": EMAIL, "first_name": "Grace"},
                environ_base={"REMOTE_ADDR": f"10.0.0.{number + 1}"},
            )
        )
    assert [r.status_code for r in statuses] == [302, 302, 429]
    assert "not saved" in statuses[2].text and field_value(statuses[2].text, "first_name") == "Grace"
    assert len(mail(app)) == 2
    client = app.test_client()
    other = save(
        client,
        job_id,
        open_form(client, job_id),
        {"email": "ada@example.com"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 302


def test_saves_are_limited_per_connection_whatever_the_email(make_app):
    app = make_app(DRAFT_SAVE_RATE_LIMIT="2 per hour")
    job_id = add_job(app)
    client = app.test_client()
    hidden = open_form(client, job_id)
    statuses = [
        save(client, job_id, hidden, {"email": f"person{n}@example.com"}).status_code for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(mail(app)) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 2


def test_a_form_saved_after_its_job_closed_shows_the_closed_page_with_what_was_typed(mail_app):
    client = mail_app.test_client()
    job_id = add_job(mail_app, title="Compiler Engineer")
    hidden = open_form(client, job_id)
    with mail_app.app_context():
        db.session.get(Job, job_id).closed = True
        db.session.commit()
    page = save(client, job_id, hidden, {"email": EMAIL, "first_name": "Grace"}, {"resume": resume_file()})
    assert page.status_code == 410 and "This position is no longer open" in page.text
    assert "Grace" in page.text and "resume.pdf" in page.text
    assert drafts(mail_app) == [] and mail(mail_app) == []


def test_a_file_over_the_limit_comes_back_on_the_form_with_what_was_typed(make_app):
    app = make_app(MAX_UPLOAD_MB=1)
    client = app.test_client()
    job_id = add_job(app)
    big = {"resume": (io.BytesIO(b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024)), "scan.pdf")}
    refused = save(client, job_id, open_form(client, job_id), {"email": EMAIL, "first_name": "Grace"}, big)
    assert refused.status_code == 413
    assert "larger than 1 MB" in error_for(refused.text, "resume")
    assert field_value(refused.text, "first_name") == "Grace" and drafts(app) == []
