"""HR's daily digest (HR_NOTIFY_MODE "daily"): one message a day per recipient, listing the
day's new applications by job, sent through the outbox to a real SMTP server, and never twice."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.config import ConfigError
from app.extensions import db
from app.intake import outbox
from app.intake.digest import send_digests
from app.intake.post import EXTENSION as POST_EXTENSION
from app.mail.settings import mail_settings
from app.mail.transport import SmtpTransport
from app.models import Application, DigestSent, OutboxMessage, utcnow
from tests.conftest import add_job
from tests.support.smtp import smtp_server
from tests.web.helpers import open_form, post_application, valid_answers

HR = "hiring@corp.test"
LEAD = "lead@corp.test"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def digest_app(make_app, smtp):
    return make_app(
        HR_NOTIFY_MODE="daily", MAIL_HR_RECIPIENTS=[HR], MAIL_SENDER="jobs@corp.test", **smtp.settings()
    )


def apply(app, job_id: int, email: str, first_name: str) -> int:
    client = app.test_client()
    answers = valid_answers(email=email, first_name=first_name)
    assert post_application(client, job_id, open_form(client, job_id), answers).status_code == 302
    with app.app_context():
        return db.session.scalar(select(Application.id).where(Application.email == email))


def digests(app, now: datetime) -> int:
    with app.app_context():
        return send_digests(db.session(), app.extensions[POST_EXTENSION], now=now)


def queued(app, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).filter_by(kind=kind).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def send_all(app) -> None:
    with app.app_context():
        settings = mail_settings(app.config)
        for row in queued(app, "digest"):
            assert (
                outbox.send_one(
                    db.session(), row.id, transport=SmtpTransport(settings), settings=settings
                ).status
                == "sent"
            )


def test_each_recipient_gets_one_digest_of_the_days_applications_by_job_and_never_twice(digest_app, smtp):
    subscribed = add_job(digest_app, title="Compiler Engineer", notify_emails=LEAD)
    other = add_job(digest_app, title="Data Engineer")
    grace = apply(digest_app, subscribed, "grace@example.com", "Grace")
    ada = apply(digest_app, subscribed, "ada@example.com", "Ada")
    alan = apply(digest_app, other, "alan@example.com", "Alan")
    old = apply(digest_app, other, "old@example.com", "Edsger")
    with digest_app.app_context():
        db.session.get(Application, old).created_at -= timedelta(days=10)  # long digested, or never due
        db.session.commit()
    assert queued(digest_app, "new_application") == []  # no message per application

    assert digests(digest_app, utcnow()) == 0  # today is not over
    tomorrow = utcnow() + timedelta(days=1)
    assert digests(digest_app, tomorrow) == 2
    assert digests(digest_app, tomorrow + timedelta(hours=5)) == 0  # a later run, a restarted worker
    assert [r.to_address for r in queued(digest_app, "digest")] == [LEAD, HR]
    with digest_app.app_context():
        recorded = {r.recipient: r.application_ids for r in db.session.scalars(select(DigestSent))}
    assert recorded == {LEAD: [grace, ada], HR: [alan]}

    send_all(digest_app)
    (lead,) = smtp.recorder.to(LEAD)
    assert lead.message["Subject"].startswith("2 new applications on ")
    body = lead.body("plain")
    assert "Compiler Engineer (2)" in body and "Grace Hopper" in body and "Ada Hopper" in body
    assert f"/admin/applications/{grace}" in body and "Data Engineer" not in body
    (hr,) = smtp.recorder.to(HR)
    assert hr.message["Subject"].startswith("1 new application on ")
    assert "Alan Hopper" in hr.body("html") and "Edsger" not in hr.body("html")
    assert digests(digest_app, tomorrow + timedelta(days=1)) == 0
    assert len(smtp.recorder.received) == 2


def test_in_the_default_mode_hr_gets_a_message_per_application_and_no_digest(make_app, smtp):
    app = make_app(MAIL_HR_RECIPIENTS=[HR], **smtp.settings())
    apply(app, add_job(app), "grace@example.com", "Grace")
    assert [r.to_address for r in queued(app, "new_application")] == [HR]
    assert digests(app, utcnow() + timedelta(days=1)) == 0


def test_an_unknown_notify_mode_stops_the_app_from_starting(make_app):
    with pytest.raises(ConfigError, match="HR_NOTIFY_MODE"):
        make_app(HR_NOTIFY_MODE="weekly")
