"""The delivery service on a real database and the vendor sandboxes in-process: the claim and
its lease, the retry schedule, giving up, pausing on refused credentials, needs-review."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import event, select

from app.ats import dover, skailer
from app.ats.sandbox import dover as dover_sandbox
from app.ats.sandbox import skailer as skailer_sandbox
from app.extensions import db
from app.intake import delivery
from app.intake.runner import backoff_delay
from app.models import Application, Delivery, Integration
from app.storage import Storage, storage_for
from tests.clock import FakeClock
from tests.conftest import add_user, csrf_token_from, login
from tests.support.applications import submit_application

TOKEN = "unit-token"
NOW = datetime(2026, 11, 22, 10, 0, 0)
POLICY = delivery.Policy(max_attempts=3, backoff_base=10.0, backoff_cap=100.0)


def no_parse(session, data, sha256):
    return {"ok": False, "error_code": "unsupported"}


def clock_at_now() -> FakeClock:
    return FakeClock(NOW.replace(tzinfo=UTC).timestamp())


@pytest.fixture
def sandbox():
    return skailer_sandbox.create_app({"token": TOKEN})


@pytest.fixture
def adapter(sandbox):
    return skailer.build(
        {"base_url": "http://skailer.test", "token": TOKEN}, transport=httpx.WSGITransport(app=sandbox)
    )


def new_application(app, *, kind="skailer", ref="311", email="ada@example.com") -> int:
    return submit_application(app, kind=kind, ref=ref, email=email, cover_letter="Engines.")


def storage(app) -> Storage:
    return storage_for(app)


def run(app, application_id, adapter, **kwargs):
    with app.app_context():
        kwargs.setdefault("parse", no_parse)
        kwargs.setdefault("policy", POLICY)
        return delivery.deliver(db.session, application_id, adapter=adapter, storage=storage(app), **kwargs)


def row(app, application_id) -> Delivery:
    with app.app_context():
        found = db.session.scalar(select(Delivery).where(Delivery.application_id == application_id))
        db.session.expunge(found)
        return found


def candidates(sandbox) -> int:
    return skailer_sandbox.control(sandbox).count_applications("ada@example.com", "311")


def test_a_claimed_delivery_cannot_be_claimed_again_until_its_lease_runs_out(app):
    application_id = new_application(app)
    delivery_id = row(app, application_id).id
    with app.app_context():
        assert delivery.claim(db.session, delivery_id, NOW)
        assert not delivery.claim(db.session, delivery_id, NOW + timedelta(minutes=4))
        assert delivery.claim(db.session, delivery_id, NOW + delivery.LEASE + timedelta(seconds=1))


def test_a_delivery_whose_last_attempt_never_finished_is_failed_by_the_claim_not_run_again(
    app, sandbox, adapter
):
    application_id = new_application(app)
    delivery_id = row(app, application_id).id
    clock = clock_at_now()
    with app.app_context():
        for _ in range(POLICY.max_attempts):  # each worker died mid-way; its lease ran out
            assert delivery.claim(db.session, delivery_id, clock.datetime(), max_attempts=POLICY.max_attempts)
            clock.advance(delivery.LEASE + timedelta(seconds=1))
        assert delivery.due_deliveries(db.session, clock.datetime()) == [application_id]
    assert run(app, application_id, adapter, now=clock.datetime).status == "skipped"
    saved = row(app, application_id)
    assert saved.status == "failed" and saved.attempts == POLICY.max_attempts
    assert saved.last_error == "gave up after 3 attempts; the last one did not finish"
    assert candidates(sandbox) == 0
    with app.app_context():
        assert delivery.due_deliveries(db.session, clock.datetime()) == []


def test_a_crash_in_a_step_is_recorded_and_fails_the_delivery_for_hr_to_see(app, client):
    application_id = new_application(app)
    answers_empty = skailer.build(  # every answer a 200 with `{}`: the adapter finds no id
        {"base_url": "http://skailer.test", "token": TOKEN},
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json={})),
    )
    assert run(app, application_id, answers_empty).status == "failed"
    saved = row(app, application_id)
    assert saved.last_error == "skailer: find_job -> unexpected KeyError 'items'"
    assert saved.attempts == 1 and saved.lease_until is None
    add_user(app)
    login(client)
    page = client.get(f"/admin/applications/{application_id}")
    assert "skailer: find_job -&gt; unexpected KeyError" in page.text


def test_an_error_outside_the_steps_is_retried_and_recorded_until_the_attempts_run_out(app, adapter):
    application_id = new_application(app)
    with app.app_context():
        storage(app).delete(db.session.get(Application, application_id).resume_key)
    clock = clock_at_now()
    statuses = []
    for _ in range(POLICY.max_attempts):
        statuses.append(run(app, application_id, adapter, now=clock.datetime, jitter=lambda: 0.0).status)
        assert row(app, application_id).last_error.startswith("skailer: unexpected MissingFile")
        clock.advance(POLICY.backoff_cap)
    assert statuses == ["retry", "retry", "failed"]
    assert row(app, application_id).status == "failed"


def test_two_workers_at_once_deliver_the_application_once(app, sandbox):
    skailer_sandbox.control(sandbox).faults.configure({"latency": 0.05})
    application_id = new_application(app)
    outcomes = []

    def worker():
        outcomes.append(
            run(
                app,
                application_id,
                skailer.build(
                    {"base_url": "http://skailer.test", "token": TOKEN},
                    transport=httpx.WSGITransport(app=sandbox),
                ),
            ).status
        )

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["delivered", "skipped"]
    assert candidates(sandbox) == 1
    assert row(app, application_id).attempts == 1


def test_a_retryable_failure_schedules_the_next_attempt_by_the_backoff(app, sandbox, adapter):
    application_id = new_application(app)
    skailer_sandbox.control(sandbox).fail_next("assign_to_job", 500)
    clock = clock_at_now()
    outcome = run(app, application_id, adapter, now=clock.datetime, jitter=lambda: 0.5)
    expected = backoff_delay(1, base=10.0, cap=100.0, jitter=lambda: 0.5)
    assert outcome.status == "retry" and outcome.delay == pytest.approx(expected)
    saved = row(app, application_id)
    assert saved.status == "pending" and saved.next_attempt_at == NOW + timedelta(seconds=expected)
    assert "500" in saved.last_error and "create_applicant" in saved.checkpoints
    assert run(app, application_id, adapter, now=clock.datetime).status == "skipped"  # not due yet
    clock.advance(expected)
    assert run(app, application_id, adapter, now=clock.datetime).status == "delivered"
    assert candidates(sandbox) == 1 and row(app, application_id).attempts == 2


def test_retry_after_from_the_ats_wins_over_a_shorter_backoff(app, sandbox, adapter):
    application_id = new_application(app)
    skailer_sandbox.control(sandbox).fail_next("upload_cv", 429)
    outcome = run(
        app,
        application_id,
        adapter,
        now=clock_at_now().datetime,
        jitter=lambda: 0.0,
        policy=delivery.Policy(backoff_base=0.1, backoff_cap=0.1),
    )
    assert outcome.status == "retry" and outcome.delay >= 1.0


def test_the_delivery_fails_after_the_last_allowed_attempt(app, sandbox, adapter):
    application_id = new_application(app)
    skailer_sandbox.control(sandbox).faults.configure({"error_rate": 1.0})
    clock = clock_at_now()
    statuses = []
    for _ in range(POLICY.max_attempts):
        statuses.append(run(app, application_id, adapter, now=clock.datetime, jitter=lambda: 0.0).status)
        clock.advance(POLICY.backoff_cap)
    assert statuses == ["retry", "retry", "failed"]
    saved = row(app, application_id)
    assert saved.status == "failed" and "gave up after 3 attempts" in saved.last_error
    with app.app_context():
        assert delivery.due_deliveries(db.session, clock.datetime()) == []


def test_a_permanent_error_fails_at_once(app, sandbox, adapter):
    application_id = new_application(app)
    skailer_sandbox.control(sandbox).fail_next("assign_to_job", 422)
    assert run(app, application_id, adapter).status == "failed"
    assert row(app, application_id).attempts == 1 and candidates(sandbox) == 0


def test_refused_credentials_pause_the_target_until_hr_resumes_it(app, sandbox, adapter):
    application_id = new_application(app)
    control = skailer_sandbox.control(sandbox)
    control.expire_token()
    assert run(app, application_id, adapter).status == "paused"
    saved = row(app, application_id)
    assert saved.status == "pending" and saved.attempts == 0 and "401" in saved.last_error
    with app.app_context():
        integration = db.session.scalar(select(Integration).where(Integration.kind == "skailer"))
        assert integration.paused and "401" in integration.paused_reason
    control.state.tokens[TOKEN] = time.time()  # HR fixed the token
    assert run(app, application_id, adapter).status == "skipped"  # still paused
    with app.app_context():
        delivery.resume_integration(db.session, "skailer")
    assert run(app, application_id, adapter).status == "delivered"
    assert candidates(sandbox) == 1


def test_two_workers_refused_at_once_both_pause_the_target_and_leave_their_deliveries_pending(
    app, sandbox, adapter
):
    first, second = new_application(app), new_application(app, email="bob@example.com")
    skailer_sandbox.control(sandbox).expire_token()
    other = []

    def refused_meanwhile(session, context, instances):
        # The first worker found no Integration row and is about to insert one: the second
        # worker, refused too, pauses the target in between.
        if not other and any(isinstance(item, Integration) for item in session.new):
            other.append(run(app, second, adapter).status)

    with app.app_context():
        session = db.session()
        event.listen(session, "before_flush", refused_meanwhile)
        outcome = delivery.deliver(
            session, first, adapter=adapter, storage=storage(app), policy=POLICY, parse=no_parse
        )
    assert [outcome.status, *other] == ["paused", "paused"]
    for application_id in (first, second):
        saved = row(app, application_id)
        assert saved.status == "pending" and saved.attempts == 0 and "401" in saved.last_error
    with app.app_context():
        (integration,) = db.session.scalars(select(Integration).where(Integration.kind == "skailer"))
        assert integration.paused and "401" in integration.paused_reason


def test_an_unverifiable_create_goes_to_review_instead_of_being_repeated(app):
    sandbox = dover_sandbox.create_app({})
    adapter = dover.build(
        {"api_key": "dover-test-key", "base_url": "http://dover.test/api/v1/external"},
        transport=httpx.WSGITransport(app=sandbox),
    )
    job_ref = str(dover_sandbox.sandbox_of(sandbox).state.jobs[0]["id"])
    application_id = new_application(app, kind="dover", ref=job_ref)
    dover_sandbox.sandbox_of(sandbox).commit_then_fail_next("add_candidate", "drop")
    assert run(app, application_id, adapter, jitter=lambda: 0.0).status == "retry"
    assert (
        run(app, application_id, adapter, now=lambda: datetime.now() + timedelta(hours=1)).status
        == "needs_review"
    )
    assert dover_sandbox.sandbox_of(sandbox).count_applications("ada@example.com", job_ref) == 1
    assert row(app, application_id).status == "needs_review"


def test_the_resume_is_parsed_once_and_a_parser_failure_does_not_block_delivery(app, sandbox, adapter):
    first, second = new_application(app), new_application(app, email="bob@example.com")
    seen = []

    def parse(session, data, sha256):
        seen.append(sha256)
        return {"ok": True, "fields": {"skills": ["Python"]}}

    def broken(session, data, sha256):
        raise RuntimeError("parser crashed")

    assert run(app, first, adapter, parse=parse).status == "delivered"
    assert run(app, second, adapter, parse=broken).status == "delivered"
    with app.app_context():
        assert db.session.get(Application, first).parsed["fields"] == {"skills": ["Python"]}
        assert db.session.get(Application, second).parsed == {"ok": False, "error_code": "unavailable"}
    assert len(seen) == 1
    assert delivery.parsed_fields({"ok": True, "fields": {"skills": ["Go"]}})["skills"] == ["Go"]


class _ReturningApplicant:
    """An adapter whose ATS already holds the person on this job, after a first step that tells
    HR something: the shape every vendor's returning-applicant path takes."""

    name = "skailer"

    def steps(self):
        from app.ats.base import AlreadyInAts, named

        def find(submission, done):
            return {"applicant_ref": "77", "note:resume": "the new resume went in as a link"}

        def assign(submission, done):
            raise AlreadyInAts("already a candidate on this job (applicant 77)", ats=self.name)

        return [named("find_applicant", find, creates=False), named("assign_to_job", assign)]

    def find_existing(self, submission):
        return {}


def test_a_candidate_already_on_the_job_ends_already_in_the_ats_and_hr_sees_why(app, client):
    application_id = new_application(app)
    assert run(app, application_id, _ReturningApplicant()).status == "already_in_ats"
    saved = row(app, application_id)
    assert saved.status == "already_in_ats" and saved.delivered_at is not None
    assert saved.last_error == "already a candidate on this job (applicant 77)"
    with app.app_context():
        assert delivery.due_deliveries(db.session, datetime.now() + timedelta(days=1)) == []
    add_user(app)
    login(client)
    page = client.get(f"/admin/applications/{application_id}").text
    assert "already in ats" in page and "In the ATS" in page
    assert "Note: resume" in page and "the new resume went in as a link" in page
    assert "Retry delivery" not in page
    token = csrf_token_from(client.get("/admin/applications").text)
    client.post(f"/admin/applications/{application_id}/retry", data={"csrf_token": token})
    assert row(app, application_id).status == "already_in_ats"
