"""Greenhouse specifics: Harvest v3 (the default) and the retired v1, returning applicants,
closed jobs and unknown stages, paging, OAuth; the Job Board flavour."""

from __future__ import annotations

import base64

import pytest

from app.ats.base import (
    AlreadyInAts,
    Answer,
    AuthError,
    Job,
    NeedsReviewError,
    PermanentError,
    Resume,
    RetryableError,
    SyncedQuestion,
)
from tests.ats.harnesses import PDF_BYTES, make_submission
from tests.ats.harnesses.greenhouse import make as make_harvest
from tests.ats.harnesses.greenhouse_jobboard import make as make_board
from tests.clock import FakeClock

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def deliver(harness, submission):
    done: dict[str, str] = {}
    for step in harness.adapter.steps():
        done.update(step(submission, done))
    return done


def requests(harness, method, suffix):
    return [r for r in harness.extra["state"].requests if r[0] == method and r[1].endswith(suffix)]


def applications_of(harness) -> list[dict]:
    return [a for c in harness.extra["state"].candidates for a in c["applications"]]


def test_harvest_v3_creates_candidate_application_resume_and_note():
    harness = make_harvest()
    parsed = {
        "skills": ["Python"],
        "experience": [{"title": "Analyst", "company": "Babbage", "start": "1842", "current": True}],
    }
    done = deliver(harness, make_submission("4101", stage="Phone Screen", parsed=parsed))
    [candidate] = harness.extra["state"].candidates
    [application] = candidate["applications"]
    assert done["candidate_ref"] == str(candidate["id"]) and done["application_ref"] == str(application["id"])
    assert application["current_stage"]["name"] == "Phone Screen"
    assert application["source"] == {"id": 12}  # "Careers site" matched by name
    [resume] = application["attachments"]
    assert base64.b64decode(resume["content"]) == PDF_BYTES and resume["type"] == "resume"
    assert candidate["tags"] == ["Python"] and candidate["title"] == "Analyst"
    [note] = harness.extra["state"].notes
    assert "Q: Years of experience\nA: 5" in note["body"] and "Employment: Analyst, Babbage" in note["body"]
    assert {candidate["acting_user"], application["acting_user"], note["acting_user"]} == {"9001"}
    assert not requests(harness, "POST", "/v1/candidates")


def test_harvest_v3_sends_no_resume_step_when_there_is_none():
    harness = make_harvest()
    done = deliver(harness, make_submission("4101", resume=None))
    assert "attachment_ref" not in done and not requests(harness, "POST", "/attachments")
    assert harness.sandbox.resume_types("ada@example.com") == []
    assert harness.sandbox.count_applications("ada@example.com", "4101") == 1


def test_a_returning_applicant_to_another_job_gets_a_second_application_on_the_same_candidate():
    harness = make_harvest()
    deliver(harness, make_submission("4101", resume=None))
    docx = Resume("cv.docx", DOCX, b"PK docx bytes")
    done = deliver(harness, make_submission("4102", application_id=2, resume=docx))
    [candidate] = harness.extra["state"].candidates
    assert [a["jobs"][0]["id"] for a in candidate["applications"]] == [4101, 4102]
    assert done["candidate_ref"] == str(candidate["id"]) and "note:returning" in done
    assert harness.sandbox.count_people("ada@example.com") == 1
    assert harness.sandbox.resume_types("ada@example.com") == [DOCX]
    assert len(requests(harness, "POST", "/v3/candidates")) == 1


def test_a_returning_applicant_to_the_same_job_is_already_in_the_ats_and_nothing_is_created():
    harness = make_harvest()
    first = deliver(harness, make_submission("4101"))
    before = harness.sandbox.count_records()
    with pytest.raises(AlreadyInAts) as raised:
        deliver(harness, make_submission("4101", application_id=2))
    assert first["application_ref"] in str(raised.value) and "4101" in str(raised.value)
    assert "ada@example.com" not in str(raised.value) and "Lovelace" not in str(raised.value)
    assert harness.sandbox.count_records() == before
    assert harness.sandbox.count_applications("ada@example.com", "4101") == 1


def test_a_rejected_application_on_the_job_does_not_stop_a_new_one():
    harness = make_harvest()
    deliver(harness, make_submission("4101"))
    applications_of(harness)[0]["status"] = "rejected"
    deliver(harness, make_submission("4101", application_id=2))
    assert [a["status"] for a in applications_of(harness)] == ["rejected", "active"]


@pytest.mark.parametrize("legacy", [False, True], ids=["v3", "v1"])
def test_an_unknown_stage_fails_before_anything_is_created(legacy):
    harness = make_harvest(legacy=legacy)
    with pytest.raises(PermanentError) as raised:
        deliver(harness, make_submission("4101", stage="No such stage"))
    assert "stage" in str(raised.value)
    assert harness.sandbox.count_records() == 0


def test_a_job_closed_in_greenhouse_fails_before_anything_is_created():
    harness = make_harvest()
    harness.adapter.list_jobs()  # the job list is cached while open; the delivery reads it fresh
    harness.sandbox.close_job("4101")
    with pytest.raises(PermanentError) as raised:
        deliver(harness, make_submission("4101"))
    assert "closed" in str(raised.value)
    with pytest.raises(PermanentError, match="not in Greenhouse"):
        deliver(harness, make_submission("999"))
    assert harness.sandbox.count_records() == 0


def test_jobs_stages_and_sources_follow_cursor_pages_and_are_cached():
    harness = make_harvest({"page_size": 1})
    jobs = harness.adapter.list_jobs()
    assert [(j.ref, j.title, j.location, j.department) for j in jobs] == [
        ("4101", "Backend Engineer", "London", "Engineering"),
        ("4102", "Data Analyst", "Remote", ""),
    ]
    assert len(requests(harness, "GET", "/v3/jobs")) == 2
    assert [s.name for s in harness.adapter.stages(jobs[0])] == ["New", "Application Review", "Phone Screen"]
    assert [s.ref for s in harness.adapter.sources()] == ["12", "13"]
    calls = len(harness.extra["state"].requests)
    harness.adapter.list_jobs(), harness.adapter.stages(jobs[0]), harness.adapter.sources()
    assert len(harness.extra["state"].requests) == calls


def test_oauth_token_is_fetched_once_and_renewed_after_expiry():
    clock = FakeClock()
    harness = make_harvest(clock=clock)
    deliver(harness, make_submission("4101"))
    assert len(requests(harness, "POST", "/token")) == 1
    clock.advance(3600)
    harness.adapter.find_existing(make_submission("4101"))
    assert len(requests(harness, "POST", "/token")) == 2
    assert harness.sandbox.count_applications("ada@example.com", "4101") == 1


def test_a_token_refused_before_its_expiry_is_renewed_once():
    harness = make_harvest()
    harness.adapter.sources()
    harness.extra["state"].issued.clear()  # Greenhouse revoked it
    assert [j.ref for j in harness.adapter.list_jobs()] == ["4101", "4102"]
    assert len(requests(harness, "POST", "/token")) == 2


def test_credentials_refused_after_a_new_token_are_an_auth_error():
    harness = make_harvest()
    harness.sandbox.expire_token()
    with pytest.raises(AuthError) as raised:
        harness.adapter.list_jobs()
    assert raised.value.status == 401
    assert len(requests(harness, "POST", "/token")) == 2  # the first token, then one renewal
    with pytest.raises(AuthError):
        make_harvest(client_secret="wrong").adapter.list_jobs()


@pytest.mark.parametrize(
    "user_id,acting", [("9001", "9001"), ("", "service-account")], ids=["sub", "service-account"]
)
def test_harvest_v3_writes_act_as_the_configured_user_through_the_token(user_id, acting):
    harness = make_harvest(user_id=user_id)
    deliver(harness, make_submission("4101"))
    [candidate] = harness.extra["state"].candidates
    assert candidate["acting_user"] == acting


def test_the_token_url_may_be_a_path_on_the_harvest_host():
    from app.ats.greenhouse import HarvestSettings

    settings = HarvestSettings.from_dict({"base_url": "http://127.0.0.1:5000/v3", "token_url": "/token"})
    assert settings.token_endpoint == "http://127.0.0.1:5000/token"
    default = HarvestSettings.from_dict({})
    assert (default.base_url, default.token_endpoint) == (
        "https://harvest.greenhouse.io/v3",
        "https://auth.greenhouse.io/token",
    )


def test_harvest_is_v3_unless_the_retired_v1_is_asked_for_by_name():
    from app.ats import greenhouse, greenhouse_v3

    assert isinstance(greenhouse.build({"client_id": "c"}), greenhouse_v3.GreenhouseHarvestV3Adapter)
    legacy = greenhouse.build({"harvest_api": "v1", "base_url": "https://harvest.greenhouse.io/v1"})
    assert isinstance(legacy, greenhouse.GreenhouseHarvestV1Adapter)
    assert isinstance(
        greenhouse.build({"api_key": "k", "user_id": "1"}), greenhouse_v3.GreenhouseHarvestV3Adapter
    )


def test_the_harvest_sandbox_window_sends_rate_headers_and_retry_after():
    harness = make_harvest({"rate_limit": 2})
    harness.adapter.sources()
    with pytest.raises(RetryableError) as raised:
        harness.adapter.find_existing(make_submission("4101"))
        harness.adapter.find_existing(make_submission("4101"))
    assert raised.value.status == 429 and raised.value.retry_after >= 1


# --- Harvest v1 (retired: only on "harvest_api": "v1") -------------------------------------


def test_legacy_v1_creates_candidate_application_resume_and_note():
    harness = make_harvest(legacy=True)
    done = deliver(harness, make_submission("4101", stage="Phone Screen"))
    [candidate] = harness.extra["state"].candidates
    [application] = candidate["applications"]
    assert done["application_ref"] == str(application["id"])
    assert application["current_stage"]["name"] == "Phone Screen"
    assert base64.b64decode(application["attachments"][0]["content"]) == PDF_BYTES
    [note] = harness.extra["state"].notes
    assert note["user_id"] == 9001 and "Q: Years of experience\nA: 5" in note["body"]
    assert not requests(harness, "POST", "/token")


def test_legacy_v1_gives_an_existing_candidate_a_new_application_not_a_twin():
    harness = make_harvest(legacy=True)
    deliver(harness, make_submission("4101"))
    deliver(harness, make_submission("4102", application_id=2))
    [candidate] = harness.extra["state"].candidates
    assert [a["jobs"][0]["id"] for a in candidate["applications"]] == [4101, 4102]
    assert len(requests(harness, "POST", "/applications")) == 1


def test_legacy_v1_application_already_on_the_job_is_already_in_the_ats():
    harness = make_harvest(legacy=True)
    deliver(harness, make_submission("4101"))
    with pytest.raises(AlreadyInAts):
        deliver(harness, make_submission("4101", application_id=2))
    assert harness.sandbox.count_applications("ada@example.com", "4101") == 1


def test_legacy_v1_writes_without_on_behalf_of_are_refused():
    harness = make_harvest(legacy=True, user_id="")
    with pytest.raises(AuthError):
        harness.adapter.steps()[0](make_submission("4101"), {})
    assert harness.extra["state"].candidates == []


def test_legacy_v1_truncated_create_still_delivers_with_the_ids_it_holds():
    harness = make_harvest(legacy=True)
    harness.sandbox.truncate_next_create()
    done = deliver(harness, make_submission("4101"))
    [candidate] = harness.extra["state"].candidates
    assert done["candidate_ref"] == str(candidate["id"])
    assert done["application_ref"] == str(candidate["applications"][0]["id"])
    assert harness.adapter.find_existing(make_submission("4101")) == {
        "candidate_ref": done["candidate_ref"],
        "application_ref": done["application_ref"],
    }


def test_legacy_v1_pages_with_link_headers():
    harness = make_harvest({"page_size": 1}, legacy=True)
    assert [j.ref for j in harness.adapter.list_jobs()] == ["4101", "4102"]
    assert len(requests(harness, "GET", "/v1/jobs")) == 2


def test_a_422_body_is_a_permanent_error():
    harness = make_harvest()
    with pytest.raises(PermanentError) as raised:
        deliver(harness, make_submission("4101", first_name=""))
    assert raised.value.status == 422
    response = (
        harness.extra["app"]
        .test_client()
        .post(
            "/v1/candidates",
            json={"first_name": "A"},
            headers={"On-Behalf-Of": "1"},
            auth=("harvest-key", ""),
        )
    )
    assert response.get_json()["errors"][0] == {"message": "is required", "field": "last_name"}


def test_job_board_delivers_form_answers_consent_and_source_token():
    harness = make_board()
    answers = (Answer("q1", "Years", "5"), Answer("6002", "Permit", True))
    deliver(harness, make_submission("5101", answers=answers, attribution={"gh_src": "li-123"}))
    [candidate] = harness.extra["state"].candidates
    form = candidate["board_form"]
    assert form["question_q1"] == ["5"] and form["question_6002"] == ["1"]
    assert form["data_compliance[gdpr_processing_consent_given]"] == ["true"]
    assert form["mapped_url_token"] == ["li-123"] and candidate["files"] == ["resume"]
    assert harness.sandbox.count_applications("ada@example.com", "5101") == 1


def test_job_board_has_no_lookup_so_an_unknown_outcome_needs_review():
    with pytest.raises(NeedsReviewError):
        make_board().adapter.find_existing(make_submission("5101"))


def test_job_board_questions_come_in_our_forms_terms_and_jobs_carry_content():
    harness = make_board()
    questions = harness.adapter.questions(Job(ref="5101", title=""))
    assert questions == [
        SyncedQuestion("question_q1", "Years of experience", "short_text", required=True),
        SyncedQuestion("question_6002", "Work permit?", "single_select", options=("Yes", "No")),
        SyncedQuestion(
            "data_compliance[gdpr_retention_consent_given]",
            "May we keep your application for 365 days to consider you for other roles? (optional)",
            "yes_no",
        ),
    ]
    jobs = harness.adapter.list_jobs()
    assert [j.ref for j in jobs] == ["5101", "5102"]
    assert jobs[0].description_html == "<p>Build the engine.</p>"


def test_job_board_refuses_a_wrong_key():
    from app.ats.base import AuthError

    harness = make_board(api_key="wrong")
    with pytest.raises(AuthError):
        deliver(harness, make_submission("5101"))
    assert harness.extra["state"].candidates == []


# --- the sandbox's answers to the cross-vendor questions ------------------------------------


def test_the_sandbox_counts_people_resumes_and_records_over_harvest_and_the_job_board():
    harvest = make_harvest()
    deliver(harvest, make_submission("4101"))
    assert harvest.sandbox.count_records() == 4  # candidate, application, resume, note
    board = make_board()
    deliver(board, make_submission("5101", resume=Resume("cv.docx", DOCX, b"PK docx bytes")))
    deliver(board, make_submission("5101", email="grace@example.com", resume=None))
    assert board.sandbox.resume_types("ada@example.com") == [DOCX]
    assert board.sandbox.resume_types("grace@example.com") == []
    assert board.sandbox.count_people("ADA@example.com") == 1
    assert board.sandbox.count_records() == 2 + 2 + 1  # two people, two applications, one file
    assert harvest.sandbox.resume_types("ada@example.com") == ["application/pdf"]
    assert harvest.sandbox.count_people("nobody@example.com") == 0


def test_closing_a_job_in_the_sandbox_closes_it_for_both_apis():
    harvest = make_harvest()
    harvest.sandbox.close_job("5101")  # by its post's id
    assert [j.ref for j in harvest.adapter.list_jobs()] == ["4102"]
    board = make_board()
    board.sandbox.close_job("4101")  # by the Harvest job id
    assert [j.ref for j in board.adapter.list_jobs()] == ["5102"]
    with pytest.raises(PermanentError):
        deliver(board, make_submission("5101"))
    assert board.sandbox.count_records() == 0


@pytest.mark.parametrize("step,kind", [("attach_resume", "attachments"), ("add_note", "notes")])
def test_a_resume_or_note_saved_but_answered_with_a_failure_is_not_sent_twice(step, kind):
    from app.intake.runner import run_steps

    harness, saved = make_harvest(), {}
    harness.sandbox.commit_then_fail_next(step)
    with pytest.raises(RetryableError):
        run_steps(harness.adapter, make_submission("4101"), {}, saved.update)
    final = run_steps(harness.adapter, make_submission("4101"), saved, saved.update)
    [application] = applications_of(harness)
    assert len(application["attachments"]) == 1 and len(harness.extra["state"].notes) == 1
    assert final["attach_resume"]["attachment_ref"] == str(application["attachments"][0]["id"])
    assert len(requests(harness, "GET", f"/v3/{kind}")) == 1
