"""A delivery's timeline: every attempt against the local ATS and the Skailer sandbox (429, 5xx,
401, 422) leaves an entry with its times, outcome and a plain reason, written with the status it
sets; HR's retry appends to the history instead of wiping it; the page shows the timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from app.ats import skailer
from app.ats.base import AuthError, NeedsReviewError, PermanentError, RetryableError
from app.ats.sandbox import skailer as skailer_sandbox
from app.extensions import db
from app.intake import delivery, timeline
from app.intake.runner import StepCrashed
from app.models import Delivery, DeliveryAttempt
from app.storage import storage_for
from tests.ats.harnesses import local
from tests.clock import FakeClock
from tests.conftest import add_user, csrf_token_from, login
from tests.support.applications import submit_application

TOKEN = "timeline-token"
NOW = datetime(2026, 11, 22, 14, 4, 0)
POLICY = delivery.Policy(max_attempts=3, backoff_base=120.0, backoff_cap=600.0)  # first wait: 60 s


def no_parse(session, data, sha256):
    return {"ok": False, "error_code": "unsupported"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW.replace(tzinfo=UTC).timestamp())


@pytest.fixture
def sandbox():
    return skailer_sandbox.create_app({"token": TOKEN})


@pytest.fixture
def adapter(sandbox):
    return skailer.build(
        {"base_url": "http://skailer.test", "token": TOKEN}, transport=httpx.WSGITransport(app=sandbox)
    )


def run(app, application_id, adapter, clock, **kwargs):
    with app.app_context():
        return delivery.deliver(
            db.session,
            application_id,
            adapter=adapter,
            storage=storage_for(app),
            policy=POLICY,
            now=clock.datetime,
            jitter=lambda: 0.0,
            parse=no_parse,
            **kwargs,
        )


def entries(app, application_id) -> list[tuple[str, str]]:
    return [(e.outcome, e.reason) for e in attempts(app, application_id)]


def attempts(app, application_id) -> list[DeliveryAttempt]:
    with app.app_context():
        found = db.session.scalars(
            select(DeliveryAttempt)
            .join(Delivery)
            .where(Delivery.application_id == application_id)
            .order_by(DeliveryAttempt.id)
        ).all()
        db.session.expunge_all()
        return list(found)


def signed_in(app, client):
    add_user(app)
    login(client)
    return client


def test_a_delivery_to_the_local_ats_leaves_one_timed_delivered_entry(app, clock):
    harness = local.make()
    application_id = submit_application(app, kind="local", ref=harness.job_ref)
    assert run(app, application_id, harness.adapter, clock).status == "delivered"
    (entry,) = attempts(app, application_id)
    assert entry.outcome == "delivered" and entry.reason == "Delivered: the ATS accepted the application."
    assert entry.started_at == NOW and entry.ended_at == NOW


def test_a_server_error_of_the_local_ats_says_when_the_next_try_is(app, clock):
    harness = local.make()
    application_id = submit_application(app, kind="local", ref=harness.job_ref)
    harness.sandbox.fail_next("inbox", 503)
    assert run(app, application_id, harness.adapter, clock).status == "retry"
    clock.advance(60)
    assert run(app, application_id, harness.adapter, clock).status == "delivered"
    assert entries(app, application_id) == [
        ("retry", "The ATS had a server error (503); trying again at 14:05 UTC."),
        ("delivered", "Delivered: the ATS accepted the application."),
    ]


def test_a_busy_ats_429_is_told_with_the_time_of_the_next_try(app, sandbox, adapter, clock):
    application_id = submit_application(app)
    skailer_sandbox.control(sandbox).fail_next("upload_cv", 429)
    assert run(app, application_id, adapter, clock).status == "retry"
    (entry,) = attempts(app, application_id)
    assert entry.outcome == "retry" and entry.reason == "The ATS was busy (429); trying again at 14:05 UTC."
    assert "429" in entry.detail


def test_refused_credentials_pause_and_the_page_says_paused_with_the_reason(
    app, client, sandbox, adapter, clock
):
    application_id = submit_application(app)
    skailer_sandbox.control(sandbox).expire_token()
    assert run(app, application_id, adapter, clock).status == "paused"
    assert entries(app, application_id) == [
        ("paused", "The ATS refused the credentials; deliveries are paused until they are fixed.")
    ]
    page = signed_in(app, client).get(f"/admin/applications/{application_id}").text
    summary = page.split("Technical details")[0]
    assert "Paused</span>" in summary and "Why paused" in summary and "401" in summary
    assert "Waiting to send" not in summary and "Attempts" not in summary
    assert "The ATS refused the credentials; deliveries are paused until they are fixed." in summary


def test_giving_up_after_the_last_attempt_says_so(app, sandbox, adapter, clock):
    application_id = submit_application(app)
    skailer_sandbox.control(sandbox).faults.configure({"error_rate": 1.0})
    for _ in range(POLICY.max_attempts):
        run(app, application_id, adapter, clock)
        clock.advance(POLICY.backoff_cap)
    outcomes = entries(app, application_id)
    assert [outcome for outcome, _ in outcomes] == ["retry", "retry", "failed"]
    assert outcomes[-1][1].endswith("we gave up after 3 attempts. Retry once the ATS works again.")


def test_hr_retry_keeps_the_history_and_adds_an_entry_and_the_page_shows_it_all(
    app, client, sandbox, adapter, clock
):
    application_id = submit_application(app)
    skailer_sandbox.control(sandbox).fail_next("assign_to_job", 422)
    assert run(app, application_id, adapter, clock).status == "failed"
    hr = signed_in(app, client)
    page = hr.get(f"/admin/applications/{application_id}").text
    hr.post(f"/admin/applications/{application_id}/retry", data={"csrf_token": csrf_token_from(page)})
    clock.advance(120)
    assert run(app, application_id, adapter, clock).status == "delivered"
    assert [outcome for outcome, _ in entries(app, application_id)] == ["failed", "retried", "delivered"]
    assert entries(app, application_id)[0][1].startswith("The ATS rejected the application's data (422)")
    page = hr.get(f"/admin/applications/{application_id}").text
    timeline_html = page.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert (
        timeline_html.index("Failed")
        < timeline_html.index("Retried by HR")
        < timeline_html.index("Delivered")
    )
    assert '<details class="technical">' in page and "create_applicant=" in page.split("Technical details")[1]


def test_an_entry_is_written_only_with_the_status_it_belongs_to(app, clock):
    """A worker that lost its claim writes neither its status nor its timeline entry."""
    application_id = submit_application(app, kind="local", ref="local-job-1")
    with app.app_context():
        row = db.session.scalar(select(Delivery).where(Delivery.application_id == application_id))
        assert delivery.claim(db.session, row.id, NOW) is not None
        stale = delivery.Hold(db.session(), row.id, "not-the-token", clock.datetime, delivery.LEASE, NOW)
        with pytest.raises(delivery.LostClaim):
            stale.release("delivered", timeline.delivered())
    assert attempts(app, application_id) == []


def test_a_row_out_of_attempts_whose_worker_died_gets_a_final_entry(app, clock):
    application_id = submit_application(app, kind="local", ref="local-job-1")
    with app.app_context():
        delivery_id = db.session.scalar(select(Delivery.id).where(Delivery.application_id == application_id))
        for _ in range(POLICY.max_attempts):
            assert delivery.claim(db.session, delivery_id, clock.datetime(), max_attempts=POLICY.max_attempts)
            clock.advance(delivery.LEASE + timedelta(seconds=1))
        assert (
            delivery.claim(db.session, delivery_id, clock.datetime(), max_attempts=POLICY.max_attempts)
            is None
        )
    assert entries(app, application_id) == [
        (
            "failed",
            "The last attempt never finished (the worker stopped mid-way); we gave up after 3 attempts.",
        )
    ]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (RetryableError("x: GET /a -> timeout", ats="x"), "The ATS could not be reached"),
        (
            AuthError("x: GET /a -> 403", ats="x", status=403),
            "The ATS refused the credentials; deliveries are paused",
        ),
        (PermanentError("x: job 9 not found", ats="x", status=404), "The ATS does not know the job"),
        (
            PermanentError("x: job 9 is closed", ats="x"),
            "The ATS refused the application; trying again would",
        ),
        (StepCrashed("x", "find_job", KeyError("items")), "The ATS answered in a way we could not read"),
        (
            NeedsReviewError("x: no lookup", ats="x"),
            "We could not tell whether the ATS saved this application",
        ),
    ],
)
def test_each_kind_of_error_has_its_own_plain_sentence(error, reason):
    entry = timeline.retry_later(error, NOW) if isinstance(error, RetryableError) else timeline.stopped(error)
    assert entry.reason.startswith(reason) and entry.detail == str(error)


def test_a_single_attempt_is_counted_in_the_singular():
    busy = RetryableError("503", ats="local", status=503)
    assert "we gave up after 1 attempt." in timeline.gave_up(busy, 1).reason
    assert timeline.never_finished(1).reason.endswith("we gave up after 1 attempt.")
    assert "after 2 attempts" in timeline.never_finished(2).reason
