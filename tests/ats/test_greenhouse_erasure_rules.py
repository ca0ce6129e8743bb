"""Greenhouse erasure: the sandbox's DELETE /v3/candidates/{id} held to what Harvest documents
("DELETE: Delete Candidate": a write by an authenticated user, an unknown id a 404, the
candidate's applications, attachments and notes deleted with it), and the adapter's erase()
against it: deleted, already gone, retried, refused, and a create never answered."""

from __future__ import annotations

import pytest

from app.ats.base import UNKNOWN_CREATE, AuthError, Eraser, NeedsReviewError, RetryableError
from app.intake.runner import refs, run_steps
from tests.ats.harnesses import make_submission
from tests.ats.harnesses.greenhouse import make
from tests.ats.harnesses.greenhouse_jobboard import make as make_board
from tests.ats.test_greenhouse_rules import v3_client


def delivered(harness) -> dict[str, str]:
    """Deliver one application through the adapter; the ids its steps returned."""
    checkpoints = run_steps(harness.adapter, make_submission(harness.job_ref), {}, lambda _: None)
    return refs(checkpoints)


def test_deleting_a_candidate_takes_a_bearer_token():
    http, bearer = v3_client()
    made = http.post("/v3/candidates", json={"first_name": "Ada", "last_name": "Lovelace"}, headers=bearer)
    ref = made.json()["id"]
    assert http.delete(f"/v3/candidates/{ref}").status_code == 401
    assert http.delete(f"/v3/candidates/{ref}", auth=("harvest-key", "")).status_code == 401
    assert (
        http.delete(f"/v3/candidates/{ref}", headers={"Authorization": "Bearer made-up"}).status_code == 401
    )
    deleted = http.delete(f"/v3/candidates/{ref}", headers=bearer)
    assert deleted.status_code == 200
    assert deleted.json() == {"message": f"Person {ref} has been deleted."}


def test_deleting_an_unknown_candidate_is_a_404():
    http, bearer = v3_client()
    response = http.delete("/v3/candidates/424242", headers=bearer)
    assert response.status_code == 404
    assert response.json() == {"message": "Resource not found"}


def test_deleting_a_candidate_deletes_their_applications_attachments_and_notes():
    harness = make()
    ids = delivered(harness)
    state = harness.extra["state"]
    assert harness.sandbox.count_records() > 1
    assert harness.adapter.erase(ids) == "erased"
    assert harness.sandbox.count_records() == 0
    assert harness.sandbox.count_applications("ada@example.com", harness.job_ref) == 0
    assert state.deleted == [int(ids["candidate_ref"])]


def test_erasing_a_candidate_already_gone_succeeds():
    """An earlier attempt's DELETE went through but its answer was lost, or HR deleted it."""
    harness = make()
    ids = delivered(harness)
    assert harness.adapter.erase(ids) == "erased"
    assert harness.adapter.erase(ids) == "erased"
    assert [r for r in harness.extra["state"].requests if r[0] == "DELETE"][-1][2] == 404


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_failing_greenhouse_is_worth_another_try(status):
    harness = make()
    ids = delivered(harness)
    harness.sandbox.fail_next("erase", status)
    with pytest.raises(RetryableError) as raised:
        harness.adapter.erase(ids)
    assert raised.value.status == status
    assert harness.sandbox.count_applications("ada@example.com", harness.job_ref) == 1
    assert harness.adapter.erase(ids) == "erased"


def test_refused_credentials_are_an_auth_error():
    harness = make()
    ids = delivered(harness)
    harness.sandbox.expire_token()
    with pytest.raises(AuthError):
        harness.adapter.erase(ids)


def test_without_a_candidate_id_nothing_was_created_unless_its_create_went_unanswered():
    harness = make()
    assert harness.adapter.erase({}) == "erased"
    assert [r for r in harness.extra["state"].requests if r[0] == "DELETE"] == []
    with pytest.raises(NeedsReviewError):
        harness.adapter.erase({UNKNOWN_CREATE: "create_candidate"})


def test_an_unanswered_create_after_the_candidate_goes_with_the_candidate():
    harness = make()
    ids = delivered(harness)
    assert (
        harness.adapter.erase({"candidate_ref": ids["candidate_ref"], UNKNOWN_CREATE: "add_note"}) == "erased"
    )
    assert harness.sandbox.count_records() == 0


def test_only_harvest_v3_erases_through_the_api():
    assert isinstance(make().adapter, Eraser)
    assert not isinstance(make(legacy=True).adapter, Eraser)  # v1 is retired
    assert not isinstance(make_board().adapter, Eraser)  # the Job Board API only creates
