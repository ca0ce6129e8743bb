"""Each rule in docs/ats/nexivohr.md, shown by the NexivoHR sandbox refusing a request that breaks it.

Requests go straight to the sandbox (no adapter), so a rule holds whatever the adapter does.
"""

from __future__ import annotations

import hashlib
import hmac

import httpx
import pytest

from app.ats.sandbox import nexivohr as sandbox
from tests.clock import FakeClock

BASE = "http://nexivohr.test/ats/api/v1"
TOKEN = "nexivo-test-token"
VALIDATION = "Validation failed"


def open_sandbox(config: dict | None = None, *, token: str | None = TOKEN):
    app = sandbox.create_app(config)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url=BASE, headers=headers)
    return client, sandbox.sandbox_of(app)


def refused(response: httpx.Response, errors: dict) -> None:
    """The documented validation answer: 400 with an `errors` field (its shape ASSUMED)."""
    assert response.status_code == 400
    assert response.json() == {"message": VALIDATION, "errors": errors}


def answered(response: httpx.Response, status: int, message: str) -> None:
    assert (response.status_code, response.json()) == (status, {"message": message})


def a_candidate(client: httpx.Client, email: str = "ada@example.com") -> int:
    body = {"first_name": "Ada", "last_name": "Lovelace", "email": email}
    return client.post("/candidates", json=body).json()["data"]["id"]


# --- auth, plans, rate limits --------------------------------------------------------------


def test_a_request_without_a_bearer_token_is_refused():
    client, _ = open_sandbox(token=None)
    answered(client.get("/jobs"), 401, "Unauthenticated")


def test_the_token_under_another_scheme_is_refused():
    client, _ = open_sandbox(token=None)
    answered(client.get("/jobs", headers={"Authorization": f"Token {TOKEN}"}), 401, "Unauthenticated")


def test_a_wrong_token_is_refused():
    client, _ = open_sandbox(token="someone-elses")
    answered(client.get("/jobs"), 401, "Unauthenticated")


def test_a_starter_plan_has_no_api_access():
    client, _ = open_sandbox({"plan": "starter"})
    answered(client.get("/jobs"), 403, "API access is not available on your plan")


@pytest.mark.parametrize(("plan", "per_minute"), [("professional", 60), ("enterprise", 600)])
def test_requests_over_the_plans_minute_limit_are_answered_429_with_retry_after(plan, per_minute):
    clock = FakeClock()
    client, _ = open_sandbox({"plan": plan, "clock": clock})
    for _ in range(per_minute):
        assert client.get("/jobs").status_code == 200
    response = client.get("/jobs")
    answered(response, 429, "Too Many Requests")
    assert response.headers["Retry-After"] == "60"
    clock.advance(60)
    assert client.get("/jobs").status_code == 200


def test_requests_over_the_plans_day_limit_are_answered_429_until_the_next_day():
    clock = FakeClock(start=86_400 * 20_000)
    client, control = open_sandbox({"clock": clock, "limit_per_minute": 1_000_000})
    control.state.day[:] = [20_000, 10_000]  # the professional plan's 10,000 used today
    response = client.get("/jobs")
    answered(response, 429, "Too Many Requests")
    assert response.headers["Retry-After"] == str(86_400)
    clock.advance(86_400)
    assert client.get("/jobs").status_code == 200


# --- paths and methods ---------------------------------------------------------------------


def test_a_path_outside_the_base_url_is_not_found():
    client, _ = open_sandbox()
    answered(client.get("http://nexivohr.test/api/v1/jobs"), 404, "Not Found")


@pytest.mark.parametrize("path", ["/candidates/999", "/jobs/999", "/jobs/999/submissions"])
def test_an_unknown_resource_is_not_found(path):
    client, _ = open_sandbox()
    answered(client.get(path), 404, "Not Found")


def test_a_method_the_reference_does_not_list_is_refused():
    client, _ = open_sandbox()
    answered(client.put("/candidates/1", json={}), 405, "Method Not Allowed")


# --- GET /candidates: paging, status, q ---------------------------------------------------


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"per_page": 101}, {"per_page": ["must be at most 100"]}),
        ({"per_page": 0}, {"per_page": ["must be an integer of at least 1"]}),
        ({"page": 0}, {"page": ["must be an integer of at least 1"]}),
        ({"page": "two"}, {"page": ["must be an integer of at least 1"]}),
    ],
)
def test_paging_outside_the_documented_bounds_is_refused(params, errors):
    client, _ = open_sandbox()
    refused(client.get("/candidates", params=params), errors)
    refused(client.get("/jobs", params=params), errors)


def test_pages_default_to_25_items():
    client, _ = open_sandbox()
    for n in range(30):
        a_candidate(client, f"person{n}@example.com")
    body = client.get("/candidates").json()
    assert len(body["data"]) == 25 and body["meta"] == {"page": 1, "per_page": 25, "total": 30}


def test_a_status_filter_outside_the_documented_statuses_is_refused():
    client, _ = open_sandbox()
    refused(
        client.get("/candidates", params={"status": "inactive"}),
        {"status": ["must be one of new, screening, available, placed"]},
    )


def test_q_reads_boolean_terms_so_a_quoted_address_matches_and_a_minus_term_excludes():
    client, _ = open_sandbox()
    a_candidate(client, "ada+jobs@ex-ample.com")
    a_candidate(client, "ada@example.com")
    a_candidate(client, "ada.jobs@ex.com")

    def emails(q: str) -> set[str]:
        return {c["email"] for c in client.get("/candidates", params={"q": q}).json()["data"]}

    assert emails('"ada+jobs@ex-ample.com"') == {"ada+jobs@ex-ample.com"}
    assert emails(r"ada\+jobs@ex\-ample.com") == {"ada+jobs@ex-ample.com"}
    assert emails("ada -jobs") == {"ada@example.com"}
    assert emails("ada +jobs") == {"ada+jobs@ex-ample.com", "ada.jobs@ex.com"}


def test_q_takes_an_unquoted_plus_or_minus_inside_an_address_for_an_operator():
    client, _ = open_sandbox()
    a_candidate(client, "ada+jobs@ex-ample.com")
    a_candidate(client, "ada.jobs@ex.com")
    found = client.get("/candidates", params={"q": "ada+jobs@ex-ample.com"}).json()["data"]
    assert [c["email"] for c in found] == ["ada.jobs@ex.com"]  # "+jobs@ex", "-ample.com"


def test_q_reads_a_backslash_escaped_quote_inside_a_phrase():
    client, _ = open_sandbox()
    a_candidate(client, "ada@example.com")
    body = {"first_name": 'Ada "The Countess"', "last_name": "Lovelace", "email": "countess@example.com"}
    client.post("/candidates", json=body)
    found = client.get("/candidates", params={"q": r'"ada \"the countess\""'}).json()["data"]
    assert [c["email"] for c in found] == ["countess@example.com"]


# --- POST/PATCH/DELETE /candidates --------------------------------------------------------


def test_a_candidate_sent_as_a_form_instead_of_json_is_refused():
    client, control = open_sandbox()
    refused(
        client.post("/candidates", data={"first_name": "Ada", "last_name": "Lovelace"}),
        {"body": ["must be a JSON object"]},
    )
    assert control.state.candidates == {}


@pytest.mark.parametrize("name", ["first_name", "last_name"])
def test_a_candidate_without_a_name_is_refused(name):
    client, _ = open_sandbox()
    body = {"first_name": "Ada", "last_name": "Lovelace", name: " "}
    refused(client.post("/candidates", json=body), {name: ["can't be blank"]})


@pytest.mark.parametrize(
    "name", ["first_name", "last_name", "email", "phone", "current_title", "city", "state"]
)
def test_a_documented_candidate_field_that_is_not_a_string_is_refused(name):
    client, _ = open_sandbox()
    body = {"first_name": "Ada", "last_name": "Lovelace", name: ["not", "a", "string"]}
    refused(client.post("/candidates", json=body), {name: ["must be a string"]})


def test_an_invalid_email_is_refused():
    client, _ = open_sandbox()
    body = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada-at-example.com"}
    refused(client.post("/candidates", json=body), {"email": ["is invalid"]})


def test_a_second_candidate_with_the_same_email_is_refused():
    client, _ = open_sandbox()
    a_candidate(client)
    body = {"first_name": "Ada", "last_name": "L", "email": "ADA@example.com"}
    refused(client.post("/candidates", json=body), {"email": ["has already been taken"]})


def test_other_candidate_fields_are_accepted_and_echoed():
    client, control = open_sandbox()
    body = {"first_name": "Ada", "last_name": "Lovelace", "resume_url": "https://careers.example.com/r/1"}
    created = client.post("/candidates", json=body)
    assert created.status_code == 201
    assert created.json()["data"]["resume_url"] == body["resume_url"]
    (stored,) = control.state.candidates.values()
    assert stored["resume_url"] == body["resume_url"]


def test_an_update_changes_only_the_fields_sent_and_is_checked_like_a_create():
    client, control = open_sandbox()
    candidate_id = a_candidate(client)
    other = a_candidate(client, "grace@example.com")
    assert client.patch(f"/candidates/{candidate_id}", json={"city": "London"}).status_code == 200
    assert control.state.candidates[candidate_id]["first_name"] == "Ada"
    assert control.state.candidates[candidate_id]["city"] == "London"
    refused(
        client.patch(f"/candidates/{candidate_id}", json={"first_name": ""}),
        {"first_name": ["can't be blank"]},
    )
    refused(
        client.patch(f"/candidates/{other}", json={"email": "ada@example.com"}),
        {"email": ["has already been taken"]},
    )
    answered(client.patch("/candidates/999", json={"city": "Paris"}), 404, "Not Found")


def test_a_deleted_candidate_is_kept_as_inactive_and_no_longer_found_by_search():
    client, control = open_sandbox()
    candidate_id = a_candidate(client)
    assert client.delete(f"/candidates/{candidate_id}").json()["data"]["status"] == "inactive"
    assert control.state.candidates[candidate_id]["status"] == "inactive"
    assert client.get("/candidates", params={"q": "ada@example.com"}).json()["data"] == []


# --- jobs ---------------------------------------------------------------------------------


def test_a_job_without_a_title_is_refused_and_delete_closes_a_job():
    client, control = open_sandbox()
    refused(client.post("/jobs", json={"location": "Madrid"}), {"title": ["can't be blank"]})
    job_id = client.post("/jobs", json={"title": "Analyst"}).json()["data"]["id"]
    refused(client.patch(f"/jobs/{job_id}", json={"title": 5}), {"title": ["must be a string"]})
    assert client.delete(f"/jobs/{job_id}").json()["data"]["status"] == "closed"
    assert control.state.jobs[job_id]["status"] == "closed"


# --- submissions --------------------------------------------------------------------------


def test_a_submission_to_an_unknown_job_is_not_found():
    client, _ = open_sandbox()
    answered(
        client.post("/jobs/999/submissions", json={"candidate_id": a_candidate(client)}), 404, "Not Found"
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"candidate_id": ["can't be blank"]}),
        ({"candidate_id": "4801"}, {"candidate_id": ["must be an integer"]}),
        ({"candidate_id": 999}, {"candidate_id": ["does not exist"]}),
    ],
)
def test_a_submission_without_a_known_integer_candidate_id_is_refused(body, errors):
    client, control = open_sandbox()
    a_candidate(client)
    refused(client.post("/jobs/77/submissions", json=body), errors)
    assert control.state.submissions == {}


def test_a_submission_with_notes_that_are_not_text_is_refused():
    client, _ = open_sandbox()
    body = {"candidate_id": a_candidate(client), "notes": {"text": "hi"}}
    refused(client.post("/jobs/77/submissions", json=body), {"notes": ["must be a string"]})


def test_submission_notes_are_stored_as_sent_with_their_line_breaks():
    client, control = open_sandbox()
    notes = "Applied via the careers site\n\nCover letter:\nDear team,\n\nURL: https://ada.example.com"
    created = client.post("/jobs/77/submissions", json={"candidate_id": a_candidate(client), "notes": notes})
    assert created.status_code == 201
    (record,) = control.state.submissions.values()
    assert record["notes"] == notes


def test_a_job_closed_by_hr_reads_closed_and_takes_no_submissions():
    client, control = open_sandbox()
    candidate_id = a_candidate(client)
    control.close_job("77")
    assert client.get("/jobs/77").json()["data"]["status"] == "closed"
    refused(
        client.post("/jobs/77/submissions", json={"candidate_id": candidate_id}), {"job_id": ["is closed"]}
    )
    assert control.count_records() == 1 and control.count_people("ADA@example.com") == 1


def test_a_submission_to_a_closed_job_is_refused():
    client, control = open_sandbox()
    refused(
        client.post("/jobs/79/submissions", json={"candidate_id": a_candidate(client)}),
        {"job_id": ["is closed"]},
    )
    assert control.state.submissions == {}


def test_the_same_candidate_submitted_twice_to_a_job_is_refused():
    client, _ = open_sandbox()
    body = {"candidate_id": a_candidate(client)}
    assert client.post("/jobs/77/submissions", json=body).status_code == 201
    refused(
        client.post("/jobs/77/submissions", json=body), {"candidate_id": ["already submitted to this job"]}
    )


def test_a_stage_outside_the_documented_five_is_refused():
    client, control = open_sandbox()
    created = client.post("/jobs/77/submissions", json={"candidate_id": a_candidate(client)}).json()["data"]
    refused(
        client.patch(f"/submissions/{created['id']}", json={"stage": "hired"}),
        {"stage": ["must be one of screening, interview, offer, placed, rejected"]},
    )
    assert control.state.submissions[created["id"]]["stage"] == "submitted"
    answered(client.patch("/submissions/999", json={"stage": "offer"}), 404, "Not Found")


# --- webhooks -----------------------------------------------------------------------------


def test_a_webhook_is_signed_with_hmac_sha256_of_its_raw_body():
    received = {}

    def receiver(request: httpx.Request) -> httpx.Response:
        received["body"], received["signature"] = request.content, request.headers[sandbox.SIGNATURE_HEADER]
        return httpx.Response(200)

    event = {"id": "evt_1", "event": "candidate.created", "data": {"id": 4801}}
    with httpx.Client(transport=httpx.MockTransport(receiver)) as client:
        sandbox.send_event("http://intake.test/hooks/nexivohr", b"secret", event, client=client)
    expected = hmac.new(b"secret", received["body"], hashlib.sha256).hexdigest()
    assert received["signature"] == expected


def test_an_email_cleared_by_an_update_leaves_the_sandbox_answering():
    client, _ = open_sandbox()
    candidate_id = a_candidate(client)
    assert client.patch(f"/candidates/{candidate_id}", json={"email": None}).status_code == 200
    assert (
        client.post(
            "/candidates", json={"first_name": "Ada", "last_name": "L", "email": "ada@example.com"}
        ).status_code
        == 201
    )
