"""A worker whose lease ran out while it stalled must not act on the delivery any more.

Acted out with two workers on one database and the Skailer sandbox in-process: worker A stalls
mid-delivery for longer than its lease, worker B claims the row and delivers it, then A wakes.
Time is the suite's fake clock, passed to both workers as `now=`; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app.ats import skailer
from app.ats.base import AuthError, NeedsReviewError, RetryableError, Submission, named
from app.ats.ratelimit import MemoryWindow
from app.ats.sandbox import skailer as skailer_sandbox
from app.ats.skailer_payloads import CANDIDATE
from app.extensions import db
from app.intake import delivery
from app.models import Delivery, Integration
from app.storage import storage_for
from tests.clock import FakeClock
from tests.support.applications import submit_application

TOKEN = "fencing-token"
LEASE = timedelta(seconds=15)
POLICY = delivery.Policy(max_attempts=3, backoff_base=10.0, backoff_cap=100.0, lease=LEASE)


class Recorder(httpx.BaseTransport):
    """Passes requests to the sandbox and keeps the method and path of each one sent."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path))
        return self.inner.handle_request(request)


class Worker:
    """One worker: its own adapter (and optional limiter) against the shared sandbox."""

    def __init__(self, app, sandbox, clock: FakeClock, *, limiter=None) -> None:
        self.app, self.clock = app, clock
        self.transport = Recorder(httpx.WSGITransport(app=sandbox))
        settings = {"base_url": "http://skailer.test", "token": TOKEN, "comment": "always"}
        self.adapter = skailer.build(settings, transport=self.transport, limiter=limiter)

    def deliver(self, application_id: int, adapter=None, **kwargs) -> str:
        # A fresh app context is a fresh session, as a second worker process would have.
        with self.app.app_context():
            return delivery.deliver(
                db.session,
                application_id,
                adapter=adapter or self.adapter,
                storage=storage_for(self.app),
                policy=POLICY,
                now=self.clock.datetime,
                jitter=lambda: 0.0,
                parse=lambda session, data, sha256: {"ok": False, "error_code": "unsupported"},
                **kwargs,
            ).status

    def candidates_sent(self) -> int:
        return self.transport.sent.count(("POST", CANDIDATE))


class Stalling:
    """The adapter with one step that first stalls (`stall()`), then does whatever `then` says."""

    name = "skailer"

    def __init__(self, adapter, step: str, stall: Callable[[], None], then: Callable) -> None:
        self._adapter, self._step, self._stall, self._then = adapter, step, stall, then

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        return self._adapter.find_existing(submission)

    def steps(self):
        return tuple(self._wrap(step) if step.name == self._step else step for step in self._adapter.steps())

    def _wrap(self, step):
        def run(submission, done):
            self._stall()
            return self._then(step, submission, done)

        return named(step.name, run, creates=step.creates)


@pytest.fixture
def sandbox():
    return skailer_sandbox.create_app({"token": TOKEN})


@pytest.fixture
def clock():
    return FakeClock()


def new_application(app) -> int:
    return submit_application(app)


def row(app, application_id) -> Delivery:
    with app.app_context():
        found = db.session.scalar(select(Delivery).where(Delivery.application_id == application_id))
        db.session.expunge(found)
        return found


def test_a_worker_whose_lease_ran_out_in_the_rate_limiter_sends_nothing_more(app, sandbox, clock):
    application_id = new_application(app)
    late = {"armed": False, "b": ""}
    b = Worker(app, sandbox, clock)

    def limiter_sleep(seconds: float) -> None:
        # A wait far longer than planned (an unfair limiter, a paused process): the lease runs
        # out and B, woken by the sweeper, claims the row and delivers it.
        if late["armed"]:
            late["armed"] = False
            clock.advance(LEASE + timedelta(seconds=1))
            late["b"] = b.deliver(application_id)
        clock.sleep(seconds)

    def arm(name: str, ids: Mapping[str, str]) -> None:
        late["armed"] = late["armed"] or name == "create_applicant"

    a = Worker(app, sandbox, clock, limiter=MemoryWindow(1, 1.0, clock=clock.time, sleep=limiter_sleep))
    assert a.deliver(application_id, after_step=arm) == "lost"

    assert late["b"] == "delivered"
    assert a.candidates_sent() == 0 and b.candidates_sent() == 1
    saved = row(app, application_id)
    assert saved.status == "delivered" and saved.last_error == "" and saved.claim_token is None
    assert {"assign_to_job", "comment"} <= set(saved.checkpoints)
    assert delivery.INFLIGHT not in saved.checkpoints
    assert skailer_sandbox.control(sandbox).count_applications("ada@example.com", "311") == 1


def test_a_worker_that_lost_its_claim_mid_step_never_writes_over_the_finished_delivery(app, sandbox, clock):
    """A stalls after saving `_inflight=assign_to_job`, in the step itself where no limiter
    checks the lease; when it wakes its POST gets Skailer's 422 "already a candidate"."""
    application_id = new_application(app)
    a, b = Worker(app, sandbox, clock), Worker(app, sandbox, clock)
    outcome_b = []

    def stall() -> None:
        clock.advance(LEASE + timedelta(seconds=1))
        outcome_b.append(b.deliver(application_id))

    stalling = Stalling(a.adapter, "assign_to_job", stall, lambda step, s, done: step(s, done))
    assert a.deliver(application_id, adapter=stalling) == "lost"

    assert outcome_b == ["delivered"]
    assert a.candidates_sent() == 1  # refused with 422: the candidate B created exists
    saved = row(app, application_id)
    assert saved.status == "delivered" and saved.last_error == ""
    assert saved.checkpoints["assign_to_job"] == b_candidate(sandbox)
    assert delivery.INFLIGHT not in saved.checkpoints
    assert skailer_sandbox.control(sandbox).count_applications("ada@example.com", "311") == 1


def b_candidate(sandbox) -> dict:
    candidates = skailer_sandbox.control(sandbox).state.candidates
    return {"candidate_ref": str(next(iter(candidates.values()))["id"])}


def raising(error: Exception):
    def then(step, submission, done):
        raise error

    return then


@pytest.mark.parametrize(
    "then",
    [
        lambda step, submission, done: step(submission, done),
        raising(RetryableError("skailer: POST /x -> 503", ats="skailer", status=503)),
        raising(AuthError("skailer: POST /x -> 401", ats="skailer", status=401)),
        raising(NeedsReviewError("skailer: no lookup", ats="skailer")),
        raising(KeyError("id")),
    ],
    ids=["delivered", "retry", "paused", "needs_review", "failed"],
)
def test_no_final_status_of_a_worker_that_lost_its_claim_reaches_the_row(app, sandbox, clock, then):
    application_id = new_application(app)
    a, b = Worker(app, sandbox, clock), Worker(app, sandbox, clock)
    finished = {}

    def stall() -> None:
        clock.advance(LEASE + timedelta(seconds=1))
        assert b.deliver(application_id) == "delivered"
        finished.update(vars(row(app, application_id)))

    assert a.deliver(application_id, adapter=Stalling(a.adapter, "comment", stall, then)) == "lost"

    saved = vars(row(app, application_id))
    for column in ("status", "attempts", "checkpoints", "last_error", "next_attempt_at", "delivered_at"):
        assert saved[column] == finished[column], column
    with app.app_context():
        assert db.session.scalar(select(Integration).where(Integration.kind == "skailer")) is None


def test_hr_retry_takes_the_row_from_a_worker_still_running_an_old_attempt(app, sandbox, clock):
    application_id = new_application(app)
    a = Worker(app, sandbox, clock)

    def retry_by_hr() -> None:
        with app.app_context():
            found = db.session.scalar(select(Delivery).where(Delivery.application_id == application_id))
            delivery.retry_now(db.session, found)

    stalling = Stalling(a.adapter, "comment", retry_by_hr, lambda step, s, done: step(s, done))
    assert a.deliver(application_id, adapter=stalling) == "lost"
    saved = row(app, application_id)
    assert saved.status == "pending" and saved.attempts == 0
