"""Erasure in the ATS, end to end: an application delivered to a vendor sandbox by the real
delivery code, erased by the candidate's request, then by the worker's erase_one on a fake
clock. Greenhouse Harvest v3 deletes the candidate; Skailer, NexivoHR and Dover document no
deletion, so HR gets the task with the ATS's ids. Retries, a paused target, a worker killed
mid-erasure, and a delivery still running when the request comes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.ats.local import LocalAdapter
from app.erasure.run import due_erasures
from app.extensions import db
from app.intake.delivery import LEASE, Policy, claim_row, resume_integration
from app.intake.tasks import run_delivery
from app.models import Erasure, Integration
from tests.ats.harnesses import dover, greenhouse, nexivohr, skailer, workable
from tests.clock import FakeClock
from tests.web import test_erasure as shared
from tests.web.test_erasure import (
    EMAIL,
    HR,
    deliver,
    erasure,
    mail,
    request_erasure,
    run_erasure,
    send_all,
    stored,
)

LATER = 4_000_000_000  # a fake clock after any lease the real clock set

smtp = shared.smtp  # the fixtures, shared
erasure_app = shared.erasure_app


def delivered(app, harness, kind: str, ref: str = "") -> int:
    application_id = stored(app, kind=kind, ref=ref or harness.job_ref)
    assert deliver(app, application_id, harness.adapter) == "delivered"
    return application_id


def test_greenhouse_deletes_the_candidate_and_the_receipt_says_so(erasure_app, smtp):
    harness = greenhouse.make()
    application_id = delivered(erasure_app, harness, "greenhouse")
    assert harness.sandbox.count_people(EMAIL) == 1
    request_erasure(erasure_app, application_id, "/de")
    row = erasure(erasure_app)
    assert row.target == "greenhouse" and {"candidate_ref", "application_ref", "note_ref"} <= set(row.refs)
    assert run_erasure(erasure_app, harness.adapter) == "erased"
    assert harness.sandbox.count_records() == 0
    assert erasure(erasure_app).receipt_to == ""
    assert mail(erasure_app, "erasure_task") == []
    send_all(erasure_app, "erasure_receipt")
    (received,) = smtp.recorder.to(EMAIL)
    assert "Greenhouse" in received.body("plain") and "ebenfalls gelöscht" in received.body("plain")


@pytest.mark.parametrize(
    ("make", "kind", "ref"),
    [
        (skailer.make, "skailer", ""),
        (nexivohr.make, "nexivohr", ""),
        (dover.make, "dover", ""),
        (workable.make, "workable", "DA2"),  # a job without required questions
    ],
)
def test_an_ats_without_a_documented_deletion_becomes_an_hr_task_with_its_ids(
    erasure_app, smtp, make, kind, ref
):
    harness = make()
    application_id = delivered(erasure_app, harness, kind, ref)
    request_erasure(erasure_app, application_id)
    row = erasure(erasure_app)
    assert run_erasure(erasure_app, harness.adapter) == "hr_task"
    assert harness.sandbox.count_applications(EMAIL, ref or harness.job_ref) == 1  # nothing was asked of it
    assert erasure(erasure_app).status == "hr_task"
    send_all(erasure_app, "erasure_task")
    (alert,) = smtp.recorder.to(HR)
    assert (ref or harness.job_ref) in alert.body("plain") and "/admin/erasures" in alert.body("plain")
    for key, value in row.refs.items():
        assert f"{key}={value}" in alert.body("plain")
    if not row.refs:  # Dover answers a create with no ids at all
        assert "Dover returned no ids" in alert.body("plain")
    assert EMAIL not in alert.data.decode() and "Lovelace" not in alert.data.decode()
    send_all(erasure_app, "erasure_receipt")
    (receipt,) = smtp.recorder.to(EMAIL)
    assert "handed the erasure there to the hiring team" in receipt.body("plain")


def test_a_5xx_or_429_is_tried_again_later_and_then_succeeds(erasure_app):
    harness = greenhouse.make()
    request_erasure(erasure_app, delivered(erasure_app, harness, "greenhouse"))
    clock = FakeClock(start=LATER)
    policy = Policy(backoff_base=0.1)
    harness.sandbox.fail_next("erase", 503)
    assert run_erasure(erasure_app, harness.adapter, clock, policy=policy) == "retry"
    row = erasure(erasure_app)
    assert (row.status, row.attempts) == ("pending", 1) and "503" in row.last_error
    harness.sandbox.fail_next("erase", 429)
    clock.advance(1)
    assert run_erasure(erasure_app, harness.adapter, clock, policy=policy) == "retry"
    row = erasure(erasure_app)
    assert row.next_attempt_at == clock.datetime() + timedelta(seconds=1)  # the sandbox's Retry-After
    assert run_erasure(erasure_app, harness.adapter, clock, policy=policy) == "skipped"  # not yet
    clock.advance(1)
    assert run_erasure(erasure_app, harness.adapter, clock, policy=policy) == "erased"
    assert harness.sandbox.count_records() == 0 and erasure(erasure_app).attempts == 3


def test_an_erasure_out_of_attempts_fails_and_tells_hr(erasure_app):
    harness = greenhouse.make()
    request_erasure(erasure_app, delivered(erasure_app, harness, "greenhouse"))
    clock = FakeClock(start=LATER)
    policy = Policy(max_attempts=2, backoff_base=0.1)
    for _ in range(2):
        harness.sandbox.fail_next("erase", 500)
        clock.advance(60)
        run_erasure(erasure_app, harness.adapter, clock, policy=policy)
    row = erasure(erasure_app)
    assert row.status == "failed" and "gave up after 2 attempts" in row.last_error
    assert [m.to_address for m in mail(erasure_app, "erasure_task")] == [HR]
    assert mail(erasure_app, "erasure_receipt") == [] and row.receipt_to == EMAIL  # not done yet


def test_refused_credentials_pause_the_target_without_using_an_attempt(erasure_app):
    harness = greenhouse.make()
    request_erasure(erasure_app, delivered(erasure_app, harness, "greenhouse"))
    harness.sandbox.expire_token()
    assert run_erasure(erasure_app, harness.adapter) == "paused"
    row = erasure(erasure_app)
    assert (row.status, row.attempts) == ("pending", 0)
    with erasure_app.app_context():
        assert db.session.scalar(select(Integration.paused).where(Integration.kind == "greenhouse"))
    harness.sandbox.restore_token()
    assert run_erasure(erasure_app, harness.adapter) == "skipped"  # paused until HR resumes it
    with erasure_app.app_context():
        resume_integration(db.session(), "greenhouse")
        assert due_erasures(db.session(), FakeClock(start=LATER).datetime()) == [row.id]
    assert run_erasure(erasure_app, harness.adapter) == "erased"


def test_a_worker_killed_mid_erasure_loses_nothing(erasure_app):
    """The worker claimed the row and its DELETE reached Greenhouse, then it died before
    writing anything: after its lease the sweep finds the row, and the next worker finishes it
    (the candidate already gone is success), with one receipt."""
    harness = greenhouse.make()
    request_erasure(erasure_app, delivered(erasure_app, harness, "greenhouse"))
    clock = FakeClock(start=LATER)
    row = erasure(erasure_app)
    with erasure_app.app_context():
        session = db.session()
        token = claim_row(
            session,
            Erasure,
            row.id,
            clock.datetime(),
            busy="erasing",
            lease=LEASE,
            max_attempts=8,
            token="dead",
        )
        assert token == "dead"
    assert harness.adapter.erase(row.refs) == "erased"  # sent, and then the worker died
    assert run_erasure(erasure_app, harness.adapter, clock) == "skipped"  # its lease still holds
    with erasure_app.app_context():
        assert due_erasures(db.session(), clock.datetime()) == []
    clock.advance(LEASE + timedelta(seconds=1))
    with erasure_app.app_context():
        assert due_erasures(db.session(), clock.datetime()) == [row.id]
    assert run_erasure(erasure_app, harness.adapter, clock) == "erased"
    assert erasure(erasure_app).attempts == 2
    assert len(mail(erasure_app, "erasure_receipt")) == 1


def test_a_delivery_running_when_the_candidate_asks_sends_nothing_more_and_is_erased(erasure_app):
    """The request comes while a worker is between creating the application and attaching the
    resume: the worker is fenced off and stops, and once its lease is over the candidate goes,
    with the application whose create was in the air."""
    harness = greenhouse.make()
    application_id = stored(erasure_app, kind="greenhouse", ref=harness.job_ref)

    def ask_now(step: str, _ids) -> None:
        if step == "create_application":
            request_erasure(erasure_app, application_id)

    assert deliver(erasure_app, application_id, harness.adapter, after_step=ask_now) == "lost"
    state = harness.extra["state"]
    assert not any(path.endswith("/attachments") for method, path, _ in state.requests if method == "POST")
    row = erasure(erasure_app)
    assert row.refs["unknown_create"] == "create_application" and "candidate_ref" in row.refs
    assert row.not_before is not None  # the fenced worker's lease
    with erasure_app.app_context():
        assert due_erasures(db.session(), row.not_before - timedelta(seconds=1)) == []
        assert due_erasures(db.session(), row.not_before) == [row.id]
    assert run_erasure(erasure_app, harness.adapter) == "erased"
    assert harness.sandbox.count_records() == 0


def test_a_create_whose_answer_the_fence_cut_off_goes_to_hr_for_review(erasure_app):
    """The candidate's create reached Greenhouse but the fenced worker could not record its id:
    the erasure cannot name it, so HR is asked to look, and the receipt waits for HR."""
    harness = greenhouse.make()
    application_id = stored(erasure_app, kind="greenhouse", ref=harness.job_ref)

    def ask_now(step: str, _ids) -> None:
        if step == "create_candidate":
            request_erasure(erasure_app, application_id)

    assert deliver(erasure_app, application_id, harness.adapter, after_step=ask_now) == "lost"
    assert erasure(erasure_app).refs == {"unknown_create": "create_candidate"}
    assert run_erasure(erasure_app, harness.adapter) == "needs_review"
    assert harness.sandbox.count_people(EMAIL) == 1  # what HR is asked to find
    assert [m.to_address for m in mail(erasure_app, "erasure_task")] == [HR]
    assert mail(erasure_app, "erasure_receipt") == []


class OneAdapter:
    """Stands for the worker's Adapters: the same adapter for every kind."""

    def __init__(self, adapter) -> None:
        self.adapter = adapter

    def get(self, _kind: str):
        return self.adapter


def test_the_delivery_task_of_an_application_erased_while_it_ran_ends_quietly(erasure_app):
    application_id = stored(erasure_app)

    def inbox(_submission) -> None:  # the local inbox step, running when the candidate asks
        request_erasure(erasure_app, application_id)

    with erasure_app.app_context():
        assert run_delivery(erasure_app, OneAdapter(LocalAdapter(inbox)), application_id) == "lost"
    assert erasure(erasure_app).status == "erased"  # the inbox step returned nothing yet


class StalledEraser:
    """Greenhouse's adapter, with a worker that stalls inside erase() past its lease while
    another worker takes the row over and finishes it."""

    def __init__(self, adapter, meanwhile) -> None:
        self.name, self._adapter, self._meanwhile = adapter.name, adapter, meanwhile

    def erase(self, refs):
        self._meanwhile()
        return self._adapter.erase(refs)


def test_a_worker_whose_erasure_was_taken_over_writes_nothing(erasure_app):
    harness = greenhouse.make()
    request_erasure(erasure_app, delivered(erasure_app, harness, "greenhouse"))
    clock = FakeClock(start=LATER)

    def another_worker() -> None:
        later = FakeClock(start=LATER + LEASE.total_seconds() + 1)
        assert run_erasure(erasure_app, harness.adapter, later) == "erased"

    assert run_erasure(erasure_app, StalledEraser(harness.adapter, another_worker), clock) == "lost"
    row = erasure(erasure_app)
    assert (row.status, row.attempts, row.claim_token) == ("erased", 2, None)
    assert len(mail(erasure_app, "erasure_receipt")) == 1
