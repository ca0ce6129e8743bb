"""Workable specifics: what the sandbox received, answers, duplicates, rate pacing, paging."""

from __future__ import annotations

import base64
import copy

import pytest

from app.ats.base import Answer, AuthError, Job, PermanentError, RetryableError, SyncedQuestion
from app.ats.payloads import entry_date
from app.ats.sandbox import workable as sandbox
from tests.ats.harnesses import PDF_BYTES, make_submission
from tests.ats.harnesses.workable import make

PARSED = {
    "headline": {"value": "Analytical Engine Programmer", "source": "resume", "confidence": 0.9},
    "summary": "First programmer.",
    "education": [
        {
            "school": {"value": "University of London", "page": 1},
            "degree": "BSc",
            "field": {"value": "Mathematics"},
            "start": "1832",
            "end": {"value": "1835-06"},
        },
        {"value": {"school": "Home tutoring", "degree": None, "field": None}},
        {"degree": "No school given"},
    ],
    "experience": [
        {
            "title": {"value": "Collaborator"},
            "company": "Babbage & Co",
            "summary": "Notes on the engine",
            "start": "1842-01",
            "end": "",
            "current": {"value": True},
        },
        {"company": "No title given"},
    ],
    "skills": [{"value": "Mathematics"}, "Poetry", "mathematics"],
    "urls": ["https://github.com/ada", "https://example.com/blog"],
}


def deliver(harness, submission):
    done: dict[str, str] = {}
    for step in harness.adapter.steps():
        done.update(step(submission, done))
    return done


def stored(harness) -> list[dict]:
    return harness.extra["state"].candidates


def without_ids(entries: list[dict]) -> list[dict]:
    return [{k: v for k, v in entry.items() if k != "id"} for entry in entries]


def test_a_full_application_reaches_workable_with_entries_answers_and_resume():
    harness = make()
    answers = (
        Answer("q1", "Years of experience", "5"),
        Answer("q2", "Relocate?", "yes"),
        Answer("q3", "Stack", "python"),
    )
    done = deliver(harness, make_submission("BE1", parsed=PARSED, answers=answers, stage=""))

    [candidate] = stored(harness)
    assert done["candidate_ref"] == candidate["id"]
    assert candidate["headline"] == "Analytical Engine Programmer"
    assert without_ids(candidate["education_entries"]) == [
        {
            "school": "University of London",
            "degree": "BSc",
            "field_of_study": "Mathematics",
            "start_date": "1832-01-01",
            "end_date": "1835-06-01",
        },
        {
            "school": "Home tutoring",
            "degree": None,
            "field_of_study": None,
            "start_date": None,
            "end_date": None,
        },
    ]
    assert without_ids(candidate["experience_entries"]) == [
        {
            "title": "Collaborator",
            "company": "Babbage & Co",
            "summary": "Notes on the engine",
            "start_date": "1842-01-01",
            "end_date": None,
            "current": True,
        }
    ]
    assert candidate["skills"] == ["Mathematics", "Poetry"]
    assert candidate["social_profiles"] == [
        {"type": "linkedin", "url": "https://www.linkedin.com/in/ada"},
        {"type": "github", "url": "https://github.com/ada"},
    ]
    assert candidate["answers"] == [
        {"question_key": "q1", "body": "5"},
        {"question_key": "q2", "checked": True},
        {"question_key": "q3", "choices": ["c1"]},
    ]
    assert base64.b64decode(candidate["resume"]["data"]) == PDF_BYTES
    assert (candidate["sourced"], candidate["stage"], candidate["domain"]) == (
        False,
        "applied",
        "careers.example.com",
    )
    [comment] = harness.extra["state"].comments
    assert comment["member_id"] == "m-100" and "Consent (v1" in comment["comment"]["body"]


def test_an_unknown_question_key_is_a_permanent_error_and_stores_nothing():
    harness = make()
    submission = make_submission(
        "BE1", answers=(Answer("q1", "Years", "5"), Answer("q9", "Not on this job", "x"))
    )
    with pytest.raises(PermanentError) as raised:
        deliver(harness, submission)
    assert raised.value.status == 422
    assert stored(harness) == []


def test_a_missing_required_answer_is_refused_by_the_sandbox():
    harness = make()
    with pytest.raises(PermanentError):
        deliver(harness, make_submission("BE1", answers=()))
    assert stored(harness) == []


def test_the_same_email_on_another_job_is_a_new_candidate():
    harness = make()
    deliver(harness, make_submission("BE1"))
    deliver(harness, make_submission("DA2", answers=()))
    assert [c["job"]["shortcode"] for c in stored(harness)] == ["BE1", "DA2"]


def test_rate_limit_headers_pace_requests_so_no_429_is_ever_caused():
    harness = make()
    clock = harness.extra["clock"]
    for n in range(25):
        harness.adapter.find_existing(make_submission("BE1", email=f"p{n}@example.com"))
    requests = harness.extra["state"].requests
    assert len(requests) == 25 and all(status == 200 for _, _, status in requests)
    assert len(clock.sleeps) == 2 and all(0 < s <= 10 for s in clock.sleeps)
    windows = harness.extra["state"].windows
    assert max(windows.values()) == 10


def test_a_429_without_retry_after_waits_until_the_window_resets():
    harness = make({"rate_429": 1.0})
    with pytest.raises(RetryableError) as raised:
        harness.adapter.list_jobs()
    assert raised.value.status == 429 and not raised.value.ambiguous
    clock = harness.extra["clock"]
    next_window = (clock() // 10 + 1) * 10
    assert raised.value.retry_after == pytest.approx(next_window - clock())


def test_published_jobs_are_listed_across_pages_with_their_details():
    harness = make({"max_limit": 1})
    jobs = harness.adapter.list_jobs()
    assert [job.ref for job in jobs] == ["BE1", "DA2"]
    first = jobs[0]
    assert (first.title, first.location, first.department, first.employment_type) == (
        "Backend Engineer - BE1",
        "London, United Kingdom",
        "Engineering",
        "FULL_TIME",
    )
    assert first.description_html == "<p>Build the engine.</p>" and jobs[1].remote
    pages = [p for m, p, s in harness.extra["state"].requests if p.endswith("/jobs")]
    assert len(pages) == 2


def test_questions_come_in_our_forms_terms():
    harness = make()
    questions = harness.adapter.questions(Job(ref="BE1", title=""))
    assert questions == [
        SyncedQuestion("q1", "Years of experience", "long_text", required=True),
        SyncedQuestion("q2", "Willing to relocate?", "yes_no"),
        SyncedQuestion("q3", "Preferred stack", "single_select", options=("Python", "Go")),
    ]


MULTI_ANSWER = {
    "id": "q4",
    "body": "Languages you write",
    "type": "multiple_choice",
    "required": True,
    "single_answer": False,
    "choices": [{"id": "c1", "body": "Python"}, {"id": "c2", "body": "Go"}, {"id": "c3", "body": "Rust"}],
}


def with_multi_answer_question() -> dict:
    jobs = copy.deepcopy(sandbox.DEFAULT_JOBS)
    jobs[0]["questions"].append(MULTI_ANSWER)
    return {"jobs": jobs}


def test_a_multi_answer_question_is_asked_as_multi_select_and_each_choice_reaches_workable():
    harness = make(with_multi_answer_question())
    [*_, question] = harness.adapter.questions(Job(ref="BE1", title=""))
    assert question == SyncedQuestion(
        "q4", "Languages you write", "multi_select", required=True, options=("Python", "Go", "Rust")
    )
    answers = (Answer("q1", "Years", "5"), Answer("q4", "Languages you write", ["Python", "Rust"]))
    deliver(harness, make_submission("BE1", answers=answers))
    [candidate] = stored(harness)
    assert {"question_key": "q4", "choices": ["c1", "c3"]} in candidate["answers"]


def test_stages_are_listed_and_a_configured_stage_name_places_the_candidate():
    harness = make()
    assert [s.ref for s in harness.adapter.stages(Job(ref="BE1", title=""))] == [
        "sourced",
        "applied",
        "phone-screen",
        "new",
    ]
    deliver(harness, make_submission("BE1", stage="Phone Screen"))
    assert stored(harness)[0]["stage"] == "phone-screen"


def test_without_a_member_there_is_no_comment_step():
    harness = make(member_id="")
    assert [step.name for step in harness.adapter.steps()] == [
        "check_job",
        "find_candidate",
        "create_candidate",
    ]


def test_a_token_without_the_write_scope_is_an_auth_error():
    harness = make({"tokens": {"test-token": ["r_jobs", "r_candidates"]}})
    with pytest.raises(AuthError):
        deliver(harness, make_submission("BE1"))
    assert stored(harness) == []


def test_sourced_true_leaves_the_candidate_in_sourced():
    harness = make(sourced=True)
    deliver(harness, make_submission("BE1", stage=""))
    assert stored(harness)[0]["stage"] == "sourced"


def test_a_dropped_connection_after_create_is_found_by_lookup():
    harness = make()
    harness.sandbox.commit_then_fail_next("create_candidate", "drop")
    with pytest.raises(RetryableError) as raised:
        deliver(harness, make_submission("BE1"))
    assert raised.value.ambiguous
    found = harness.adapter.find_existing(make_submission("BE1"))
    assert found == {"candidate_ref": stored(harness)[0]["id"]}


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2019", "2019-01-01"),
        ("2019-3", "2019-03-01"),
        ("2019-03-15", "2019-03-15"),
        ("March 2019", None),
        ({"value": "2020-11"}, "2020-11-01"),
        (None, None),
    ],
)
def test_entry_dates_are_padded_to_full_dates(raw, expected):
    assert entry_date(raw) == expected


def test_the_sandbox_state_endpoint_shows_what_was_stored():
    harness = make()
    deliver(harness, make_submission("BE1"))
    client = harness.extra["app"].test_client()
    assert client.get("/_sandbox/state").get_json()["candidates"][0]["email"] == "ada@example.com"
    assert sandbox.ASSUMED["retry_after_on_429"] is False


def test_a_website_workable_has_no_profile_type_for_reaches_the_comment():
    harness = make()
    deliver(harness, make_submission("BE1", url="https://ada.example.org/notes"))
    [candidate] = stored(harness)
    assert "social_profiles" not in candidate
    [comment] = harness.extra["state"].comments
    assert "Website: https://ada.example.org/notes" in comment["comment"]["body"]


def test_without_a_member_the_website_and_consent_reach_the_cover_letter():
    harness = make(member_id="")
    deliver(harness, make_submission("BE1", url="https://ada.example.org/notes"))
    letter = stored(harness)[0]["cover_letter"]
    assert "Website: https://ada.example.org/notes" in letter
    assert "Consent (v1, 2026-11-22T10:00:00+00:00): I agree to the processing of my data." in letter
