"""Workable: a person who applies again, refusals HR must see, and what stops a delivery before
anything is written (a closed job, a stage the job lacks, a rate header we cannot read)."""

from __future__ import annotations

import base64

import pytest

from app.ats.base import AlreadyInAts, Answer, Job, PermanentError, Resume, RetryableError
from app.intake.delivery import delivery_notes
from app.intake.runner import run_steps
from tests.ats.harnesses import PDF_BYTES, make_submission
from tests.ats.harnesses.workable import make

EMAIL = "ada@example.com"
FIRST = {
    "education": [{"school": "University of London", "degree": "BSc", "start": "1832"}],
    "experience": [{"title": "Collaborator", "company": "Babbage & Co", "start": "1842"}],
    "skills": ["Mathematics"],
}
AGAIN = {
    "education": [{"school": "University of London", "degree": "BSc", "start": "1832"}],
    "experience": [{"title": "Translator", "company": "Menabrea", "start": "1843"}],
    "skills": ["mathematics", "Poetry"],
    "urls": ["https://github.com/ada"],
}
DOCX = Resume(
    "ada.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04 cv"
)


class Store:
    """Stands in for the Delivery row's checkpoints."""

    def __init__(self) -> None:
        self.value: dict = {}

    def save(self, checkpoints: dict) -> None:
        self.value = dict(checkpoints)


def deliver(harness, submission, store: Store | None = None) -> dict:
    store = store or Store()
    return run_steps(harness.adapter, submission, store.value, store.save)


def state(harness):
    return harness.extra["state"]


def first_application(harness, **overrides) -> dict:
    """An earlier application, then what HR added in Workable by hand: a tag and an entry."""
    done = deliver(harness, make_submission("BE1", parsed=FIRST, **overrides))
    [record] = state(harness).candidates
    record["tags"] = ["shortlist-2026"]
    record["experience_entries"].append({"id": "hr1", "title": "Speaker", "company": "Royal Society"})
    return done


def test_a_returning_applicant_to_the_same_job_is_merged_in_and_ends_already_in_the_ats():
    harness = make()
    first = first_application(harness)
    [record] = state(harness).candidates
    before = {key: list(record[key]) for key in ("education_entries", "experience_entries", "tags")}
    again = make_submission(
        "BE1",
        application_id=2,
        parsed=AGAIN,
        phone="+44 20 0000 0000",
        cover_letter="Still keen on engines.",
        resume=DOCX,
    )
    store = Store()
    with pytest.raises(AlreadyInAts) as raised:
        deliver(harness, again, store)

    candidate_ref = first["create_candidate"]["candidate_ref"]
    assert candidate_ref in str(raised.value) and "BE1" in str(raised.value)
    assert EMAIL not in str(raised.value) and "Ada" not in str(raised.value)
    assert harness.sandbox.count_applications(EMAIL, "BE1") == 1
    [record] = state(harness).candidates
    for key, entries in before.items():  # nothing the candidate had is erased, ids kept
        assert all(entry in record[key] for entry in entries), key
    assert {e["title"] for e in record["experience_entries"]} == {"Collaborator", "Speaker", "Translator"}
    assert len(record["education_entries"]) == 1
    assert record["skills"] == ["Mathematics", "Poetry"]
    assert {p["type"] for p in record["social_profiles"]} == {"linkedin", "github"}
    assert record["phone"] == "+44 20 7946 0958"  # the profile keeps its own
    assert "I would love to work on engines." in record["cover_letter"]
    assert "Still keen on engines." in record["cover_letter"]
    assert record["resume"]["name"] == "ada.pdf"
    comment = state(harness).comments[-1]["comment"]
    assert comment["attachment"]["name"] == "ada.docx"
    assert "+44 20 0000 0000" in comment["body"] and "Years of experience: 5" in comment["body"]
    assert harness.sandbox.resume_types(EMAIL) == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    note = delivery_notes(store.value)["returning"]
    assert candidate_ref in note and "the new resume attached" in note and EMAIL not in note


def test_a_returning_applicant_whose_profile_had_no_resume_gets_this_one_on_the_profile():
    harness = make()
    first_application(harness, resume=None)
    with pytest.raises(AlreadyInAts):
        deliver(harness, make_submission("BE1", application_id=2))
    [record] = state(harness).candidates
    assert base64.b64decode(record["resume"]["data"]) == PDF_BYTES
    assert harness.sandbox.resume_types(EMAIL) == ["application/pdf"]
    assert "attachment" not in state(harness).comments[-1]["comment"]


def test_without_a_member_the_note_names_what_a_returning_application_could_not_send():
    harness = make(member_id="")
    first_application(harness)
    store = Store()
    with pytest.raises(AlreadyInAts):
        deliver(harness, make_submission("BE1", application_id=2, resume=DOCX), store)
    note = delivery_notes(store.value)["returning"]
    assert "not sent" in note and "answers" in note and "the new resume" in note
    assert state(harness).comments == []


def test_a_merge_answered_with_a_500_after_it_was_saved_is_read_back_not_written_twice():
    harness = make()
    first_application(harness, resume=None)
    harness.sandbox.commit_then_fail_next("update_candidate")
    with pytest.raises(AlreadyInAts):
        deliver(harness, make_submission("BE1", application_id=2, parsed=AGAIN))
    patches = [r for r in state(harness).requests if r[0] == "PATCH"]
    assert [status for *_, status in patches] == [500]
    [record] = state(harness).candidates
    assert [e["title"] for e in record["experience_entries"]].count("Translator") == 1
    assert harness.sandbox.resume_types(EMAIL) == ["application/pdf"]  # not attached again
    assert len(state(harness).comments) == 2  # the first application's and this one's


def test_a_comment_refused_for_rate_after_the_merge_is_retried_without_sending_anything_twice():
    harness = make()
    first_application(harness, resume=None)
    harness.sandbox.fail_next("comment", 429)
    store = Store()
    again = make_submission("BE1", application_id=2, parsed=AGAIN)
    with pytest.raises(RetryableError):
        deliver(harness, again, store)
    with pytest.raises(AlreadyInAts):
        deliver(harness, again, store)
    assert len([r for r in state(harness).requests if r[0] == "PATCH"]) == 1
    assert harness.sandbox.resume_types(EMAIL) == ["application/pdf"]
    assert "attachment" not in state(harness).comments[-1]["comment"]
    assert len(state(harness).comments) == 2


def test_the_same_person_on_another_job_is_created_there_once_and_is_still_one_person():
    harness = make()
    first_application(harness)
    done = deliver(harness, make_submission("DA2", application_id=2, answers=()))
    assert "existing_ref" not in done["find_candidate"]
    assert harness.sandbox.count_applications(EMAIL, "DA2") == 1
    assert harness.sandbox.count_applications(EMAIL, "BE1") == 1
    assert harness.sandbox.count_people(EMAIL) == 1


def test_a_duplicate_refusal_after_the_lookup_is_merged_and_already_in_the_ats():
    harness = make()
    store = Store()
    store.value = {"check_job": {"stage_ref": "new"}, "find_candidate": {}}
    first_application(harness)
    with pytest.raises(AlreadyInAts):
        deliver(harness, make_submission("BE1", application_id=2, parsed=AGAIN), store)
    posts = [s for m, p, s in state(harness).requests if m == "POST" and p.endswith("/BE1/candidates")]
    assert posts == [201, 422]
    assert "Translator" in {e["title"] for e in state(harness).candidates[0]["experience_entries"]}


def test_a_422_that_does_not_say_already_exists_is_never_taken_for_a_duplicate():
    harness = make()
    store = Store()
    store.value = {"check_job": {"stage_ref": "new"}, "find_candidate": {}}
    first_application(harness)
    harness.sandbox.fail_next("create_candidate", 422)
    with pytest.raises(PermanentError) as raised:
        deliver(harness, make_submission("BE1", application_id=2), store)
    assert raised.value.status == 422 and not isinstance(raised.value, AlreadyInAts)


def test_a_refused_resume_is_a_permanent_error_naming_the_field_and_no_personal_data():
    harness = make()
    odt = Resume("ada-lovelace.odt", "application/vnd.oasis.opendocument.text", b"PK odt")
    with pytest.raises(PermanentError) as raised:
        deliver(harness, make_submission("BE1", resume=odt))
    message = str(raised.value)
    assert raised.value.status == 422 and "resume" in message
    assert "ada" not in message.lower() and "lovelace" not in message.lower()
    assert harness.sandbox.count_records() == 0


def test_a_configured_stage_the_job_lacks_fails_before_anything_is_created():
    harness = make()
    with pytest.raises(PermanentError) as raised:
        deliver(harness, make_submission("BE1", stage="No such stage"))
    assert "stage" in str(raised.value)
    assert harness.sandbox.count_records() == 0
    assert not [r for r in state(harness).requests if r[0] != "GET"]


def test_a_stage_added_since_the_last_lookup_is_found_by_reading_the_stages_again():
    harness = make()
    harness.adapter.stages(Job(ref="BE1", title=""))  # cached without it
    state(harness).stages.append({"slug": "referred", "name": "Referred", "kind": "applied", "position": 4})
    deliver(harness, make_submission("BE1", stage="Referred"))
    assert state(harness).candidates[0]["stage"] == "referred"


def test_a_job_closed_in_workable_fails_before_anything_is_created():
    harness = make()
    harness.adapter.list_jobs()  # the open job is cached; the delivery reads it fresh
    harness.sandbox.close_job("BE1")
    with pytest.raises(PermanentError) as raised:
        deliver(harness, make_submission("BE1"))
    assert "closed" in str(raised.value) and "BE1" in str(raised.value)
    assert harness.sandbox.count_records() == 0


@pytest.mark.parametrize("reset_format", ["text", "missing"])
def test_a_429_with_a_reset_header_we_cannot_read_is_retryable_after_one_window(reset_format):
    harness = make({"rate_429": 1.0, "reset_format": reset_format})
    with pytest.raises(RetryableError) as raised:
        harness.adapter.list_jobs()
    assert raised.value.status == 429 and raised.value.retry_after == 10.0


def test_a_429_with_the_reset_as_an_http_date_waits_until_that_time():
    harness = make({"rate_429": 1.0, "reset_format": "http-date"})
    clock = harness.extra["clock"]
    with pytest.raises(RetryableError) as raised:
        harness.adapter.list_jobs()
    next_window = (clock() // 10 + 1) * 10
    assert raised.value.retry_after == pytest.approx(next_window - clock(), abs=1.0)


@pytest.mark.parametrize("reset_format", ["http-date", "text", "missing"])
def test_pacing_goes_on_whatever_form_the_reset_header_takes(reset_format):
    harness = make({"rate_limit": 2, "reset_format": reset_format})
    for n in range(5):
        harness.adapter.find_existing(make_submission("BE1", email=f"p{n}@example.com"))
    requests = state(harness).requests
    assert len(requests) == 5 and all(status == 200 for *_, status in requests)
    assert all(0 < pause <= 10 for pause in harness.extra["clock"].sleeps)


def test_answers_to_the_jobs_questions_reach_a_returning_candidate_in_the_comment():
    harness = make()
    first_application(harness)
    answers = (Answer("q1", "Years of experience", "7"), Answer("q3", "Preferred stack", "Go"))
    with pytest.raises(AlreadyInAts):
        deliver(harness, make_submission("BE1", application_id=2, answers=answers))
    body = state(harness).comments[-1]["comment"]["body"]
    assert "Years of experience: 7" in body and "Preferred stack: Go" in body
