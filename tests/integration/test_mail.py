"""Mail end to end: the apply form over HTTP, the real queue and worker, and a real SMTP server
on loopback reading what arrived; a worker killed mid-send; HR alerted once per incident."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.ats.sandbox import skailer as sandbox_module
from app.extensions import db
from app.intake import outbox
from app.mail.settings import mail_settings
from app.mail.transport import SmtpTransport
from app.models import OutboxMessage, utcnow
from tests.conftest import add_job
from tests.integration.conftest import on_both_engines, wait_until
from tests.support.smtp import smtp_server

HR = "hiring@corp.test"
CANDIDATE = "grace@example.com"
TOKEN = "integration-token"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


def mail_rows(site) -> list[OutboxMessage]:
    with site.app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return found


@on_both_engines
def test_an_application_through_the_form_mails_the_candidate_and_hr(careers, smtp):
    site = careers({"kind": "local"}, MAIL_HR_RECIPIENTS=[HR], **smtp.settings())
    job_id = site_job(site)
    application_id = site.apply(job_id, email=CANDIDATE)
    wait_until(lambda: len(smtp.recorder.received) == 2, what="two messages at the SMTP server")
    (confirmation,) = smtp.recorder.to(CANDIDATE)
    (notice,) = smtp.recorder.to(HR)
    assert "Compiler Engineer" in confirmation.message["Subject"] and "grace.pdf" in confirmation.body(
        "plain"
    )
    assert f"/admin/applications/{application_id}" in notice.body("plain")
    wait_until(lambda: all(r.status == "sent" for r in mail_rows(site)), what="both rows sent")
    site.wait_for(application_id)


class WorkerKilled(BaseException):
    """Stands for the process dying: nothing below it gets to run."""


class DyingTransport:
    """The real SMTP transport in a worker that dies before or after handing the message over."""

    def __init__(self, real: SmtpTransport, *, after_sending: bool) -> None:
        self.real, self.after_sending = real, after_sending

    def send(self, message) -> None:
        if self.after_sending:
            self.real.send(message)
        raise WorkerKilled


@on_both_engines
@pytest.mark.parametrize("after_sending", [False, True], ids=["before-smtp", "after-smtp-accepted"])
def test_a_worker_killed_mid_send_loses_nothing_and_sends_one_message(careers, smtp, after_sending):
    """Killed holding the row, the message waits out the lease and the sweep sends it. Killed
    after the server accepted it but before the row said so, the outcome is unknown to us: it
    goes again with the same Message-ID, so the server holds one message, perhaps as two copies
    the receiving side recognises as one."""
    site = careers({"kind": "local"}, worker=False, **smtp.settings())
    site.apply(site_job(site), email=CANDIDATE)
    (row,) = mail_rows(site)
    app = site.app
    settings = mail_settings(app.config)
    with app.app_context(), pytest.raises(WorkerKilled):
        outbox.send_one(
            db.session(),
            row.id,
            transport=DyingTransport(SmtpTransport(settings), after_sending=after_sending),
            settings=settings,
            policy=outbox.MailPolicy(lease=timedelta(seconds=1)),
            now=lambda: utcnow() - timedelta(minutes=10),  # its lease has run out by now
        )
    assert mail_rows(site)[0].status == "sending"
    site.tasks.huey.flush()  # the killed worker's wake-up is gone too
    site.start_worker()
    site.tasks.sweep()
    wait_until(lambda: mail_rows(site)[0].status == "sent", what="the message sent")
    (sent,) = mail_rows(site)
    assert {r.message_id for r in smtp.recorder.to(CANDIDATE)} == {row.message_id}
    assert len(smtp.recorder.to(CANDIDATE)) == (2 if after_sending else 1)
    assert sent.in_doubt and sent.attempts == 2


def site_job(site) -> int:
    return add_job(site.app, title="Compiler Engineer")


@pytest.fixture
def skailer(served):
    sandbox = sandbox_module.create_app({"token": TOKEN, "seed": 7})
    return sandbox_module.sandbox_of(sandbox), served(sandbox).url


def test_hr_is_alerted_once_while_deliveries_keep_failing_and_again_after_one_worked(careers, smtp, skailer):
    control, url = skailer
    site = careers(
        {"kind": "skailer", "base_url": url, "token": TOKEN}, MAIL_HR_RECIPIENTS=[HR], **smtp.settings()
    )
    site.sync_jobs()
    job_id = site.job_id("311")

    def alerts() -> list:
        return [r for r in smtp.recorder.to(HR) if "delivery" in str(r.message["Subject"]).lower()]

    for email in ("ada@example.com", "alan@example.com"):
        control.fail_next("assign_to_job", 422)
        site.wait_for(site.apply(job_id, email=email), "failed")
    wait_until(lambda: len(alerts()) == 1, what="the alert")
    site.wait_for(site.apply(job_id, email="grace@example.com"))  # the target works again
    control.fail_next("assign_to_job", 422)
    site.wait_for(site.apply(job_id, email="edsger@example.com"), "failed")
    wait_until(lambda: len(alerts()) == 2, what="the alert of the new incident")
    assert "failed" in str(alerts()[0].message["Subject"])
    assert "POST /api/v1/candidate -> 422" in alerts()[0].body("plain")
