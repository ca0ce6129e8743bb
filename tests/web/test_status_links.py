"""The status link reaches the candidate by email: in their confirmation, and again on request
at /status, which answers alike whether or not the address applied and is rate limited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.intake import outbox
from app.mail.settings import mail_settings
from app.mail.transport import SmtpTransport
from app.models import OutboxMessage
from tests.clock import FakeClock
from tests.conftest import add_job, csrf_token_from
from tests.support.applications import submit_application
from tests.support.smtp import smtp_server
from tests.web.helpers import open_form, post_application, resume_file, valid_answers

BASE = "https://jobs.corp.test"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_app(make_app, smtp):
    return make_app(MAIL_SENDER="jobs@corp.test", PUBLIC_BASE_URL=BASE, **smtp.settings())


def send_all(app) -> None:
    """Send every queued message through the SMTP server, as the worker would."""
    with app.app_context():
        settings = mail_settings(app.config)
        pending = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending"))
        for outbox_id in list(pending):
            sent = outbox.send_one(
                db.session(),
                outbox_id,
                transport=SmtpTransport(settings),
                settings=settings,
                now=FakeClock().datetime,
                jitter=lambda: 0.0,
            )
            assert sent.status == "sent"


def links_in(text: str) -> list[str]:
    return re.findall(rf"{re.escape(BASE)}(/(?:[a-z]{{2}}/)?status/[A-Za-z0-9_.-]+)", text)


def ask_for_links(client, email: str, prefix: str = "", address: str = "127.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    form = client.get(f"{prefix}/status", environ_base=environ)
    data = {"email": email, "csrf_token": csrf_token_from(form.text)}
    return client.post(f"{prefix}/status", data=data, environ_base=environ)


def outbox_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_the_link_in_the_confirmation_email_opens_the_status_page(mail_app, smtp):
    client = mail_app.test_client()
    job_id = add_job(mail_app, title="Compiler Engineer")
    assert post_application(client, job_id, open_form(client, job_id), valid_answers()).status_code == 302
    send_all(mail_app)
    (confirmation,) = smtp.recorder.to("grace@example.com")
    plain, html = confirmation.body("plain"), confirmation.body("html")
    (link,) = links_in(plain)
    assert links_in(html) == [link]
    page = mail_app.test_client().get(link)  # another browser: the link alone opens it
    assert page.status_code == 200
    assert "Your application for Compiler Engineer" in page.text and "Hopper" in page.text


def test_a_confirmation_in_german_links_to_the_german_status_page(mail_app, smtp):
    client = mail_app.test_client()
    job_id = add_job(mail_app)
    hidden = open_form(client, job_id)
    data = {**hidden, **valid_answers(), "resume": resume_file()}
    response = client.post(f"/de/jobs/{job_id}/apply", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    send_all(mail_app)
    (confirmation,) = smtp.recorder.to("grace@example.com")
    (link,) = links_in(confirmation.body("plain"))
    assert link.startswith("/de/status/")
    assert "Was Sie gesendet haben" in client.get(link).text


def test_asking_for_the_links_emails_one_message_listing_every_application_of_that_address(mail_app, smtp):
    first = submit_application(mail_app, kind="local", ref="1", email="grace@example.com")
    submit_application(mail_app, kind="local", ref="3", email="someone@example.com")
    client = mail_app.test_client()
    job_id = add_job(mail_app, title="Compiler Engineer")
    assert post_application(client, job_id, open_form(client, job_id), valid_answers()).status_code == 302
    with mail_app.app_context():
        second = db.session.scalar(select(func.max(OutboxMessage.application_id)))
    send_all(mail_app)  # the confirmations
    smtp.recorder.received.clear()
    response = ask_for_links(client, " Grace@Example.com ")
    assert response.status_code == 303
    send_all(mail_app)
    (message,) = smtp.recorder.received
    assert message.rcpt_tos == ["grace@example.com"]
    assert message.message["Subject"] == "Your applications at Example Corp"
    assert "Compiler Engineer" in message.body("plain") and "Data Engineer" in message.body("html")
    links = links_in(message.body("plain"))
    assert len(links) == 2 and links_in(message.body("html")) == links
    with mail_app.app_context():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "status_links"))
        assert row.application_id == second  # goes with the newest, and is erased with it
    pages = [client.get(link) for link in links]
    assert all(page.status_code == 200 for page in pages)
    assert {first, second} == {id_on(mail_app, link) for link in links}


def id_on(app, link: str) -> int:
    from app.intake.status_links import application_for_status_token

    named = application_for_status_token(app.config["SECRET_KEY"], link.rsplit("/", 1)[1])
    assert named is not None
    return named[0]


def test_links_asked_for_in_german_come_in_german(mail_app, smtp):
    submit_application(mail_app, kind="local", ref="1", email="grace@example.com")
    send_all(mail_app)
    smtp.recorder.received.clear()
    assert ask_for_links(mail_app.test_client(), "grace@example.com", prefix="/de").status_code == 303
    send_all(mail_app)
    (message,) = smtp.recorder.received
    assert message.message["Subject"] == "Ihre Bewerbungen bei Example Corp"
    assert all(link.startswith("/de/status/") for link in links_in(message.body("plain")))


def test_the_answer_is_the_same_whether_or_not_the_address_applied(mail_app):
    submit_application(mail_app, kind="local", ref="1", email="grace@example.com")
    client = mail_app.test_client()
    before = outbox_count(mail_app)
    known = ask_for_links(client, "grace@example.com")
    assert outbox_count(mail_app) == before + 1
    unknown = ask_for_links(client, "nobody@example.com")
    assert outbox_count(mail_app) == before + 1
    assert (
        (known.status_code, known.location)
        == (unknown.status_code, unknown.location)
        == (303, "/status/sent")
    )
    assert client.get(known.location).text == client.get(unknown.location).text
    assert "If we have applications from that address" in client.get(known.location).text


def test_links_are_limited_per_email_address_from_any_client(make_app):
    app = make_app(STATUS_LINKS_EMAIL_RATE_LIMIT="2 per hour", STATUS_LINKS_RATE_LIMIT="100 per hour")
    submit_application(app, kind="local", ref="1", email="grace@example.com")
    client = app.test_client()
    answers = [
        ask_for_links(client, "grace@example.com", address=f"10.0.0.{n}").status_code for n in range(3)
    ]
    assert answers == [303, 303, 429]
    assert ask_for_links(client, "nobody@example.com", address="10.0.0.9").status_code == 303
    nobody = [ask_for_links(client, "nobody@example.com", address="10.0.0.9").status_code for _ in range(2)]
    assert nobody == [303, 429]  # the same limit whether or not the address applied
    with app.app_context():
        kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.kind == "status_links"))
        assert len(list(kinds)) == 2


def test_links_are_limited_per_client_address(make_app):
    app = make_app(STATUS_LINKS_RATE_LIMIT="3 per hour")
    client = app.test_client()
    answers = [ask_for_links(client, f"person{n}@example.com").status_code for n in range(4)]
    assert answers == [303, 303, 303, 429]
    assert ask_for_links(client, "person9@example.com", address="10.0.0.2").status_code == 303


def test_asking_needs_the_forms_csrf_token_and_a_valid_address(app, client):
    assert client.post("/status", data={"email": "grace@example.com"}).status_code == 400
    refused = ask_for_links(client, "not-an-address")
    assert refused.status_code == 400 and "Enter an email address like name@example.com." in refused.text
    assert outbox_count(app) == 0


def test_the_form_reads_in_each_language(client):
    for prefix, words in (
        ("/de", "Ihre Bewerbungen finden"),
        ("/fr", "Retrouver vos candidatures"),
        ("/es", "Encontrar sus candidaturas"),
    ):
        assert words in client.get(f"{prefix}/status").text
