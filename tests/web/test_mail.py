"""Mail through the outbox: what an application queues, what a real SMTP server on loopback
receives, and how refusals and dropped connections end. The worker's part is called directly
here (one attempt at a time, on a fake clock); tests/integration/test_mail.py runs it for real."""

from __future__ import annotations

import logging
import ssl
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import ConfigError
from app.extensions import db
from app.intake import outbox
from app.intake.incidents import close_incidents, note_delivery_outcome
from app.mail.settings import mail_settings
from app.mail.transport import SmtpTransport, dot_stuffed
from app.models import Job, OutboxMessage
from tests.clock import FakeClock
from tests.conftest import add_job, add_user, csrf_token_from, login
from tests.support.applications import submit_application
from tests.support.smtp import smtp_server
from tests.web.helpers import open_form, post_application, resume_file, valid_answers

HR = "hiring@corp.test"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_app(make_app, smtp):
    return make_app(MAIL_HR_RECIPIENTS=[HR], MAIL_SENDER="jobs@corp.test", **smtp.settings())


def apply(app, job_id: int | None = None, **answers) -> int:
    client = app.test_client()
    job_id = job_id or add_job(app, title="Compiler Engineer")
    response = post_application(
        client, job_id, open_form(client, job_id), valid_answers(**answers), {"resume": resume_file()}
    )
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalars(
            select(OutboxMessage.application_id).order_by(OutboxMessage.id.desc())
        ).first()


def stored(app, email: str = "grace@example.com", **fields) -> int:
    """An application stored through submit() directly, quicker than the form."""
    return submit_application(app, kind="local", ref="1", email=email, **fields)


def rows(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        statement = select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
        found = list(db.session.scalars(statement))
        db.session.expunge_all()
        return found


def send(app, outbox_id: int, clock: FakeClock | None = None, tls: ssl.SSLContext | None = None) -> str:
    clock = clock or FakeClock()
    with app.app_context():
        settings = mail_settings(app.config)
        return outbox.send_one(
            db.session(),
            outbox_id,
            transport=SmtpTransport(settings, tls_context=tls),
            settings=settings,
            now=clock.datetime,
            jitter=lambda: 0.0,
        ).status


def test_an_application_queues_its_confirmation_and_hr_notification_with_it(mail_app):
    application_id = apply(mail_app)
    queued = rows(mail_app, application_id=application_id)
    assert [(r.kind, r.to_address, r.status) for r in queued] == [
        ("confirmation", "grace@example.com", "pending"),
        ("new_application", HR, "pending"),
    ]
    assert len({r.message_id for r in queued}) == 2


def test_the_confirmation_received_carries_a_receipt_of_what_was_sent(mail_app, smtp):
    application_id = apply(mail_app)
    (confirmation,) = rows(mail_app, application_id=application_id, kind="confirmation")
    assert send(mail_app, confirmation.id) == "sent"
    (received,) = smtp.recorder.to("grace@example.com")
    message = received.message
    assert message["From"] == "jobs@corp.test" and message["To"] == "grace@example.com"
    assert message["Message-ID"] == confirmation.message_id
    assert "Compiler Engineer" in message["Subject"]
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    for subtype in ("plain", "html"):
        body = received.body(subtype)
        for sent in ("Hello Grace", "Compiler Engineer", "Hopper", "+12125550142", "New York", "resume.pdf"):
            assert sent in body, (subtype, sent)
        assert "I like compilers." in body
    assert len(received.data) < 20_000  # the file's name, never the file
    assert rows(mail_app, id=confirmation.id)[0].status == "sent"


def test_hr_is_told_of_a_new_application_by_the_jobs_subscribers_else_the_site_wide_list(mail_app, smtp):
    subscribed = add_job(mail_app, title="Data Engineer", notify_emails="lead@corp.test, Recruiter@corp.test")
    apply(mail_app, subscribed, email="ada@example.com")
    apply(mail_app)
    notices = rows(mail_app, kind="new_application")
    assert [r.to_address for r in notices] == ["lead@corp.test", "recruiter@corp.test", HR]
    for row in notices:
        assert send(mail_app, row.id) == "sent"
    (lead,) = smtp.recorder.to("lead@corp.test")
    assert "Data Engineer" in lead.message["Subject"] and "Grace Hopper" in lead.body("plain")
    assert f"/admin/applications/{notices[0].application_id}" in lead.body("html")


def test_without_smtp_settings_mail_is_written_as_eml_files(make_app):
    app = make_app()
    application_id = apply(app)
    assert "instance/mail" in mail_settings(app.config).describe()
    for row in rows(app, application_id=application_id):
        with app.app_context():
            assert app.extensions["careers.tasks"].send_mail.call_local(row.id) == "sent"
    files = sorted(Path(app.instance_path, "mail").glob("*.eml"))
    assert len(files) == 1  # the candidate's; no HR recipients are configured
    written = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert written["To"] == "grace@example.com"
    assert "resume.pdf" in written.get_body(("plain",)).get_content()


def test_a_permanent_refusal_fails_the_message_and_hr_sees_it(mail_app, smtp, caplog):
    application_id = apply(mail_app)
    (confirmation,) = rows(mail_app, application_id=application_id, kind="confirmation")
    smtp.recorder.refuse_next("550 5.1.1 <grace@example.com>: Recipient address rejected")
    caplog.clear()  # the lines of the sending only, not the request log of the application
    with caplog.at_level(logging.INFO):
        assert send(mail_app, confirmation.id) == "failed"
    row = rows(mail_app, id=confirmation.id)[0]
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "SMTP RCPT -> 550 5.1.1")
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("app.")]
    assert ours and all("grace" not in line and str(confirmation.id) in line for line in ours)
    assert smtp.recorder.received == []
    add_user(mail_app)
    client = mail_app.test_client()
    login(client)
    page = client.get(f"/admin/applications/{application_id}").text
    assert "Mail" in page and "failed" in page and "SMTP RCPT -&gt; 550 5.1.1" in page
    listing = client.get("/admin/outbox?status=failed").text
    assert f"/admin/applications/{application_id}" in listing and "550 5.1.1" in listing


@pytest.mark.parametrize("reply, phase", [("451 4.3.0 try later", "RCPT"), ("452 4.3.1 full", "DATA")])
def test_a_temporary_refusal_is_retried_after_a_backoff_and_sent_once(mail_app, smtp, reply, phase):
    (confirmation,) = rows(mail_app, application_id=stored(mail_app), kind="confirmation")
    clock = FakeClock()
    smtp.recorder.refuse_next(reply, phase)
    assert send(mail_app, confirmation.id, clock) == "retry"
    row = rows(mail_app, id=confirmation.id)[0]
    assert row.status == "pending" and not row.in_doubt and phase in row.last_error
    assert send(mail_app, confirmation.id, clock) == "skipped"  # not before its time
    clock.advance(outbox.MailPolicy().backoff_base)
    assert send(mail_app, confirmation.id, clock) == "sent"
    assert len(smtp.recorder.to("grace@example.com")) == 1


def test_a_connection_dropped_before_the_message_was_sent_is_retried_and_delivered_once(mail_app, smtp):
    (confirmation,) = rows(mail_app, application_id=stored(mail_app), kind="confirmation")
    clock = FakeClock()
    smtp.recorder.drop_next("RCPT")
    assert send(mail_app, confirmation.id, clock) == "retry"
    assert not rows(mail_app, id=confirmation.id)[0].in_doubt  # nothing can have been accepted
    clock.advance(3600)
    assert send(mail_app, confirmation.id, clock) == "sent"
    assert len(smtp.recorder.to("grace@example.com")) == 1


def test_a_connection_dropped_mid_data_before_the_server_kept_it_is_delivered_once(mail_app, smtp):
    (confirmation,) = rows(mail_app, application_id=stored(mail_app), kind="confirmation")
    clock = FakeClock()
    smtp.recorder.drop_next("DATA", keep=False)
    assert send(mail_app, confirmation.id, clock) == "retry"
    assert rows(mail_app, id=confirmation.id)[0].in_doubt  # the client cannot tell this from a kept one
    clock.advance(3600)
    assert send(mail_app, confirmation.id, clock) == "sent"
    (received,) = smtp.recorder.to("grace@example.com")
    assert received.message_id == confirmation.message_id


def test_a_message_kept_by_the_server_whose_reply_was_lost_is_resent_with_the_same_message_id(mail_app, smtp):
    """The unknown outcome: the server kept the message and the connection dropped before its
    250. Nothing can ask an SMTP server what it kept, so the message goes again, the same
    Message-ID on both copies for the receiving side to recognise, and the row says so."""
    (confirmation,) = rows(mail_app, application_id=stored(mail_app), kind="confirmation")
    clock = FakeClock()
    smtp.recorder.drop_next("DATA", keep=True)
    assert send(mail_app, confirmation.id, clock) == "retry"
    clock.advance(3600)
    assert send(mail_app, confirmation.id, clock) == "sent"
    copies = smtp.recorder.to("grace@example.com")
    assert [c.message_id for c in copies] == [confirmation.message_id] * 2
    assert copies[0].data == copies[1].data  # the same message, byte for byte
    row = rows(mail_app, id=confirmation.id)[0]
    assert (row.status, row.in_doubt, row.attempts) == ("sent", True, 2)


def test_a_message_claimed_by_one_worker_is_not_sent_by_another(mail_app, smtp):
    (confirmation,) = rows(mail_app, application_id=stored(mail_app), kind="confirmation")
    clock = FakeClock()
    with mail_app.app_context():
        assert outbox.claim(db.session(), confirmation.id, clock.datetime(), outbox.MailPolicy())
    assert send(mail_app, confirmation.id, clock) == "skipped"
    assert smtp.recorder.received == []
    clock.advance(outbox.MailPolicy().lease.total_seconds() + 1)  # the first worker died
    with mail_app.app_context():
        assert confirmation.id in outbox.due_messages(db.session(), clock.datetime())
    assert send(mail_app, confirmation.id, clock) == "sent"
    row = rows(mail_app, id=confirmation.id)[0]
    assert row.in_doubt and len(smtp.recorder.received) == 1


def test_a_message_out_of_attempts_is_failed(make_app, smtp):
    app = make_app(MAIL_MAX_ATTEMPTS=2, **smtp.settings())
    (confirmation,) = rows(app, application_id=stored(app), kind="confirmation")
    clock = FakeClock()
    for _ in range(2):
        smtp.recorder.refuse_next("421 4.7.0 busy")
        with app.app_context():
            settings = mail_settings(app.config)
            outbox.send_one(
                db.session(),
                confirmation.id,
                transport=SmtpTransport(settings),
                settings=settings,
                policy=outbox.MailPolicy(max_attempts=2),
                now=clock.datetime,
            )
        clock.advance(7200)
    row = rows(app, id=confirmation.id)[0]
    assert row.status == "failed" and "gave up after 2 attempts" in row.last_error


def test_lines_starting_with_a_dot_are_stuffed_and_the_message_ends_with_a_lone_dot():
    assert dot_stuffed(b"a\r\n.b\r\n..c") == b"a\r\n..b\r\n...c\r\n.\r\n"


def test_hr_is_alerted_once_per_incident_and_again_after_the_target_recovered(mail_app, smtp):
    def outcome(status: str, application_id: int) -> bool:
        with mail_app.app_context():
            return note_delivery_outcome(
                db.session(),
                mail_app.extensions["careers.post"],
                target="skailer",
                status=status,
                application_id=application_id,
                error="skailer: POST /api/v1/candidate -> 422",
                now=FakeClock().datetime(),
            )

    assert outcome("failed", 1) is True
    assert outcome("failed", 2) is False
    assert outcome("needs_review", 3) is True  # another kind, another incident
    assert outcome("retry", 4) is False
    assert [(r.kind, r.to_address) for r in rows(mail_app, kind="alert")] == [("alert", HR)] * 2
    assert outcome("delivered", 5) is False
    assert outcome("failed", 6) is True
    alerts = rows(mail_app, kind="alert")
    assert len(alerts) == 3
    for row in alerts:
        assert send(mail_app, row.id) == "sent"
    first = smtp.recorder.to(HR)[0]
    assert "skailer" in first.message["Subject"] and "failed" in first.message["Subject"]
    assert "POST /api/v1/candidate -> 422" in first.body("plain") and "/admin/applications/1" in first.body(
        "html"
    )


def test_resuming_a_paused_target_closes_its_incident(mail_app):
    with mail_app.app_context():
        post = mail_app.extensions["careers.post"]
        args = dict(
            target="skailer", status="paused", application_id=1, error="401", now=FakeClock().datetime()
        )
        assert note_delivery_outcome(db.session(), post, **args)
        assert not note_delivery_outcome(db.session(), post, **args)
        close_incidents(db.session(), "skailer", "paused")
        assert note_delivery_outcome(db.session(), post, **args)


def test_the_smtp_password_is_kept_out_of_the_settings_text(make_app, smtp):
    app = make_app(MAIL_SMTP_USER="mailer", MAIL_SMTP_PASSWORD="s3cret-pass", **smtp.settings())
    settings = mail_settings(app.config)
    assert "s3cret-pass" not in repr(settings) and "s3cret-pass" not in settings.describe()
    assert settings.describe() == f"Mail goes through 127.0.0.1:{smtp.port} (none) from careers@127.0.0.1"


def signed_in(app):
    add_user(app)
    client = app.test_client()
    login(client)
    return client


def test_hr_names_a_jobs_subscribers_on_the_job_form(mail_app):
    client = signed_in(mail_app)
    page = client.get("/admin/jobs/new").text
    data = {"csrf_token": csrf_token_from(page), "title": "Platform Engineer", "employment_type": "FULL_TIME"}
    refused = client.post("/admin/jobs/new", data={**data, "notify_emails": "lead@corp.test, nobody"})
    assert refused.status_code == 200 and "Give email addresses separated by commas." in refused.text
    saved = client.post("/admin/jobs/new", data={**data, "notify_emails": "Lead@corp.test; ops@corp.test"})
    assert saved.status_code == 302
    with mail_app.app_context():
        job = db.session.scalar(select(Job).where(Job.title == "Platform Engineer"))
        assert job.notify_emails == "lead@corp.test, ops@corp.test"


def test_hr_sends_a_failed_message_again_with_the_same_message_id(mail_app, smtp):
    application_id = stored(mail_app)
    (confirmation,) = rows(mail_app, application_id=application_id, kind="confirmation")
    smtp.recorder.refuse_next("554 5.7.1 rejected")
    assert send(mail_app, confirmation.id) == "failed"
    client = signed_in(mail_app)
    page = client.get(f"/admin/applications/{application_id}").text
    assert "Send again" in page
    back = f"/admin/applications/{application_id}#mail"
    response = client.post(
        f"/admin/outbox/{confirmation.id}/send", data={"csrf_token": csrf_token_from(page), "back": back}
    )
    assert response.status_code == 302 and response.location.endswith(back)
    assert rows(mail_app, id=confirmation.id)[0].status == "pending"
    assert send(mail_app, confirmation.id) == "sent"
    (received,) = smtp.recorder.to("grace@example.com")
    assert received.message_id == confirmation.message_id


@pytest.mark.parametrize("back", ["https://evil.test/admin/", "//evil.test/admin/", "/admin/\\evil"])
def test_send_again_returns_only_to_a_page_of_the_admin_area(mail_app, back):
    client = signed_in(mail_app)
    page = client.get("/admin/outbox").text
    response = client.post("/admin/outbox/999/send", data={"csrf_token": csrf_token_from(page), "back": back})
    assert response.status_code == 404
    (confirmation,) = rows(mail_app, application_id=stored(mail_app), kind="confirmation")
    response = client.post(
        f"/admin/outbox/{confirmation.id}/send", data={"csrf_token": csrf_token_from(page), "back": back}
    )
    assert response.status_code == 302 and response.location.endswith("/admin/outbox")


def test_an_address_smtp_cannot_carry_fails_its_message_without_naming_it(mail_app, smtp, caplog):
    application_id = stored(mail_app, email="jösé@example.com")
    (confirmation,) = rows(mail_app, application_id=application_id, kind="confirmation")
    assert send(mail_app, confirmation.id) == "failed"
    row = rows(mail_app, id=confirmation.id)[0]
    assert row.last_error == "SMTP: the address is not ASCII, which needs SMTPUTF8"
    assert "jös" not in caplog.text and smtp.recorder.received == []


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_mail_goes_through_tls_with_the_configured_login(make_app, security):
    with smtp_server(tls=security, login=("mailer", "s3cret-pass")) as server:
        app = make_app(MAIL_SMTP_USER="mailer", MAIL_SMTP_PASSWORD="s3cret-pass", **server.settings())
        (confirmation,) = rows(app, application_id=stored(app), kind="confirmation")
        assert send(app, confirmation.id, tls=server.client_tls) == "sent"
        assert server.logins == ["mailer"] and len(server.recorder.to("grace@example.com")) == 1


def test_a_refused_login_is_retried_rather_than_failing_the_message(make_app, caplog):
    with smtp_server(tls="starttls", login=("mailer", "s3cret-pass")) as server:
        app = make_app(MAIL_SMTP_USER="mailer", MAIL_SMTP_PASSWORD="wrong-pass", **server.settings())
        (confirmation,) = rows(app, application_id=stored(app), kind="confirmation")
        with caplog.at_level(logging.INFO):
            assert send(app, confirmation.id, tls=server.client_tls) == "retry"
        row = rows(app, id=confirmation.id)[0]
        assert row.status == "pending" and row.last_error == "SMTP connect or login -> 535 5.7.8"
        assert "wrong-pass" not in caplog.text


def test_a_server_certificate_we_cannot_trust_is_not_sent_to(make_app):
    with smtp_server(tls="starttls") as server:
        app = make_app(**server.settings())
        (confirmation,) = rows(app, application_id=stored(app), kind="confirmation")
        assert send(app, confirmation.id) == "retry"  # the system's trust store, not the test's
        assert "SSLCertVerificationError" in rows(app, id=confirmation.id)[0].last_error
        assert server.recorder.received == []


def test_an_unknown_smtp_security_mode_is_refused_at_start(make_app):
    with pytest.raises(ConfigError, match="MAIL_SMTP_SECURITY must be one of none, starttls, tls"):
        make_app(MAIL_SMTP_HOST="mail.corp.test", MAIL_SMTP_SECURITY="ssl")


def test_messages_render_through_flask_babel_when_it_is_installed(make_app):
    """The templates' {% trans %} blocks work with Flask-Babel's callables as with the null
    translations installed when it is absent."""
    from flask_babel import Babel

    app = make_app(MAIL_HR_RECIPIENTS=[HR])
    Babel(app)
    application_id = stored(app)
    confirmation, notice = rows(app, application_id=application_id)
    assert confirmation.subject == "We received your application: Data Engineer"
    assert "Resume: ada.pdf" in confirmation.text_body and "Ada Lovelace applied" in notice.text_body


def test_what_a_candidate_typed_is_escaped_in_the_html_message(make_app):
    app = make_app()
    application_id = stored(app, first_name="<b>Ada</b>", cover_letter="<script>x()</script>")
    (confirmation,) = rows(app, application_id=application_id)
    assert "<b>Ada</b>" not in confirmation.html_body and "&lt;b&gt;Ada&lt;/b&gt;" in confirmation.html_body
    assert "<script>" not in confirmation.html_body and "Hello <b>Ada</b>," in confirmation.text_body
