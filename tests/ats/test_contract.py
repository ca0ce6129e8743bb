"""What every adapter must do, whatever its ATS does: deliver each application exactly once.

Cases that name a step are generated from what each harness declares (its steps, its
create steps), so an ATS without such a step simply has no case.
"""

from __future__ import annotations

import pytest

from app.ats.base import AuthError, NeedsReviewError, PermanentError, RetryableError
from app.intake.runner import INFLIGHT, run_steps
from tests.ats.harnesses import all_harnesses, make_submission


def _cases():
    steps, creates = [], []
    for kind, make in sorted(all_harnesses().items()):
        built = make()
        steps += [(kind, step.name) for step in built.adapter.steps()]
        creates += [(kind, name) for name in built.create_steps]
    return steps, creates


STEP_CASES, CREATE_CASES = _cases()


class Store:
    """Stands in for the Delivery row: the checkpoints as last saved."""

    def __init__(self):
        self.value: dict = {}

    def save(self, checkpoints):
        self.value = dict(checkpoints)


def deliver(harness, store, submission=None, **kw):
    submission = submission or make_submission(harness.job_ref)
    return run_steps(harness.adapter, submission, store.value, store.save, **kw)


def count(harness):
    return harness.sandbox.count_applications("ada@example.com", harness.job_ref)


def test_a_delivery_puts_exactly_one_application_in_the_ats(harness):
    store = Store()
    final = deliver(harness, store)
    assert count(harness) == 1
    assert [step.name for step in harness.adapter.steps()] == [k for k in final if k != INFLIGHT]
    assert INFLIGHT not in store.value


def test_delivering_a_finished_application_again_adds_nothing(harness):
    store = Store()
    deliver(harness, store)
    deliver(harness, store)
    assert count(harness) == 1


def _creates(harness, name):
    return next(step.creates for step in harness.adapter.steps() if step.name == name)


@pytest.mark.parametrize("kind,step", STEP_CASES)
def test_a_step_refused_with_a_server_error_is_retried_without_duplicates(make_harness, kind, step):
    harness, store = make_harness(kind), Store()
    harness.sandbox.fail_next(step, 500)
    with pytest.raises(RetryableError):
        deliver(harness, store)
    if harness.has_lookup or not _creates(harness, step):
        deliver(harness, store)
        assert count(harness) == 1
    else:
        # a 5xx to a create cannot be told apart from one the ATS saved: a person checks
        with pytest.raises(NeedsReviewError):
            deliver(harness, store)
        assert count(harness) == 0


@pytest.mark.parametrize("kind,step", STEP_CASES)
def test_a_step_refused_for_rate_is_retried_without_duplicates(make_harness, kind, step):
    harness, store = make_harness(kind), Store()
    harness.sandbox.fail_next(step, 429)
    with pytest.raises(RetryableError) as first:
        deliver(harness, store)
    assert not first.value.ambiguous
    deliver(harness, store)
    assert count(harness) == 1


@pytest.mark.parametrize("mode", ["500", "drop"])
@pytest.mark.parametrize("kind,step", CREATE_CASES)
def test_a_create_saved_by_the_ats_but_answered_with_a_failure_is_not_repeated(
    make_harness, kind, step, mode
):
    harness, store = make_harness(kind), Store()
    harness.sandbox.commit_then_fail_next(step, mode)
    with pytest.raises(RetryableError) as first:
        deliver(harness, store)
    assert first.value.ambiguous
    if harness.has_lookup:
        deliver(harness, store)
    else:
        with pytest.raises(NeedsReviewError):
            deliver(harness, store)
    assert count(harness) == 1


class Killed(Exception):
    """A worker dying right after the ATS answered, before the checkpoint was written."""


@pytest.mark.parametrize("kind,step", CREATE_CASES)
def test_a_worker_killed_between_the_ats_commit_and_the_checkpoint_causes_no_duplicate(
    make_harness, kind, step
):
    harness, store = make_harness(kind), Store()

    def kill(name, ids):
        if name == step:
            raise Killed

    with pytest.raises(Killed):
        deliver(harness, store, after_step=kill)
    if harness.has_lookup:
        deliver(harness, store)
    else:
        with pytest.raises(NeedsReviewError):
            deliver(harness, store)
    assert count(harness) == 1


@pytest.mark.parametrize("kind,step", STEP_CASES)
def test_a_validation_refusal_is_permanent(make_harness, kind, step):
    harness, store = make_harness(kind), Store()
    harness.sandbox.fail_next(step, 422)
    with pytest.raises(PermanentError) as raised:
        deliver(harness, store)
    assert raised.value.status == 422
    assert INFLIGHT not in store.value


def test_an_expired_token_is_an_auth_error_and_delivers_nothing(harness):
    harness.sandbox.expire_token()
    with pytest.raises(AuthError):
        deliver(harness, Store())
    assert count(harness) == 0
