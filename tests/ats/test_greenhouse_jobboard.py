"""The Greenhouse Job Board adapter against its sandbox: consent as the job post's GDPR rule
asks and the candidate gave it, voluntary EEOC and Inclusion answers, where location and website
go, closed and unknown posts, and returning applicants."""

from __future__ import annotations

import copy

import httpx
import pytest

from app.ats import greenhouse
from app.ats.base import Answer, Job, PermanentError, Resume
from app.ats.demographics import DemographicChoice, DemographicOption, SyncedDemographic
from app.ats.greenhouse_jobboard_payloads import RETENTION
from app.ats.sandbox import greenhouse as sandbox
from tests.ats.harnesses import make_submission
from tests.ats.harnesses.greenhouse_jobboard import SETTINGS

EEOC_GENDER = DemographicChoice("eeoc", "gender", ("3",))
PRONOUNS = DemographicChoice("inclusion", "87", ("194", "196"), "they/them")


def board(jobs: list[dict] | None = None, choices=(), **config):
    """(adapter, sandbox state); the adapter reads `choices` as the stored voluntary answers."""
    app = sandbox.create_app({**config, **({"jobs": jobs} if jobs is not None else {})})
    adapter = greenhouse.build(
        SETTINGS, transport=httpx.WSGITransport(app=app), demographics=lambda submission: choices
    )
    return adapter, sandbox.sandbox_of(app).state


def sandbox_client() -> tuple[httpx.Client, sandbox.GreenhouseState]:
    app = sandbox.create_app()
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://boards.test")
    return http, sandbox.sandbox_of(app).state


POST, KEY = "/v1/boards/acme/jobs/5101", ("board-key", "")
NAMES = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
GIVEN = {"gdpr_processing_consent_given": True, "gdpr_retention_consent_given": False}


def deliver(adapter, submission) -> dict[str, str]:
    done: dict[str, str] = {}
    for step in adapter.steps():
        done.update(step(submission, done))
    return done


def posted(state) -> dict[str, list[str]]:
    return state.candidates[-1]["applications"][-1]["board_form"]


def jobs_with(**post) -> list[dict]:
    jobs = copy.deepcopy(sandbox.DEFAULT_JOBS)
    jobs[0].update(post)
    return jobs


def consents(form: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: v for k, v in form.items() if k.startswith("data_compliance[")}


# --- data compliance --------------------------------------------------------------------------


def test_processing_consent_is_sent_and_retention_is_refused_when_the_candidate_did_not_give_it():
    adapter, state = board()
    done = deliver(adapter, make_submission("5101"))
    assert consents(posted(state)) == {
        "data_compliance[gdpr_processing_consent_given]": ["true"],
        "data_compliance[gdpr_retention_consent_given]": ["false"],
    }
    assert "retention period" in done["note:consent"]


@pytest.mark.parametrize("given,sent", [(True, "true"), (False, "false")], ids=["yes", "no"])
def test_retention_consent_is_sent_as_the_candidate_answered_it(given, sent):
    adapter, state = board()
    answers = (Answer(RETENTION, "May we keep your application?", given),)
    done = deliver(adapter, make_submission("5101", answers=answers))
    assert posted(state)["data_compliance[gdpr_retention_consent_given]"] == [sent]
    assert not any(k.startswith("question_data") for k in posted(state))
    assert "note:consent" not in done


def test_the_consent_to_keep_for_future_openings_is_sent_as_the_posts_retention_consent():
    adapter, state = board()
    given = make_submission(
        "5101", future_consent_text="Keep it for other openings.", future_consent_version="2"
    )
    done = deliver(adapter, given)
    assert consents(posted(state)) == {
        "data_compliance[gdpr_processing_consent_given]": ["true"],
        "data_compliance[gdpr_retention_consent_given]": ["true"],
    }
    assert "note:consent" not in done
    assert not any("Keep it for other openings" in v for values in posted(state).values() for v in values)


def test_a_no_to_the_posts_own_retention_question_is_no_consent_whatever_the_form_box_says():
    adapter, state = board()
    answers = (Answer(RETENTION, "May we keep your application?", False),)
    deliver(
        adapter, make_submission("5101", answers=answers, future_consent_text="Keep it for other openings.")
    )
    assert posted(state)["data_compliance[gdpr_retention_consent_given]"] == ["false"]


def test_a_post_without_single_purpose_consent_gets_the_one_gdpr_consent():
    rule = {"type": "gdpr", "requires_consent": True, "retention_period": 365}
    adapter, state = board(jobs_with(data_compliance=[rule]))
    deliver(adapter, make_submission("5101"))
    assert consents(posted(state)) == {"data_compliance[gdpr_consent_given]": ["true"]}


def test_a_post_without_a_gdpr_rule_gets_no_consent_fields():
    adapter, state = board(jobs_with(data_compliance=[]))
    deliver(adapter, make_submission("5101"))
    assert consents(posted(state)) == {}


def test_an_application_without_processing_consent_is_refused_before_anything_is_posted():
    adapter, state = board()
    with pytest.raises(PermanentError, match="consent to process"):
        deliver(adapter, make_submission("5101", consent_text=""))
    assert state.candidates == [] and not [r for r in state.requests if r[0] == "POST"]


def test_the_sandbox_refuses_a_post_missing_the_consents_the_post_requires():
    http, state = sandbox_client()
    refused = http.post(POST, files={k: (None, v) for k, v in NAMES.items()}, auth=KEY)
    assert refused.status_code == 422
    assert "gdpr_processing_consent_given is required" in refused.json()["error"]
    assert "gdpr_retention_consent_given is required" in refused.json()["error"]
    withheld = {**NAMES, "data_compliance": {**GIVEN, "gdpr_processing_consent_given": False}}
    assert "must be given to apply" in http.post(POST, json=withheld, auth=KEY).json()["error"]
    unknown = {**NAMES, "data_compliance": {**GIVEN, "gdpr_marketing_consent_given": True}}
    assert "not a documented consent" in http.post(POST, json=unknown, auth=KEY).json()["error"]
    not_boolean = {**NAMES, "data_compliance": {**GIVEN, "gdpr_retention_consent_given": "maybe"}}
    assert "must be true or false" in http.post(POST, json=not_boolean, auth=KEY).json()["error"]
    form_keys_in_json = {**NAMES, **{f"data_compliance[{k}]": str(v).lower() for k, v in GIVEN.items()}}
    assert "is required" in http.post(POST, json=form_keys_in_json, auth=KEY).json()["error"]
    assert state.candidates == []
    assert http.post(POST, json={**NAMES, "data_compliance": GIVEN}, auth=KEY).status_code == 200


def test_the_post_asks_for_retention_consent_as_an_optional_question_of_our_form():
    adapter, _ = board()
    [retention] = [q for q in adapter.questions(Job("5101", "")) if q.ref == RETENTION]
    assert retention.kind == "yes_no" and not retention.required and "365 days" in retention.label


# --- voluntary self-identification -------------------------------------------------------------


def test_the_posts_eeoc_and_inclusion_questions_are_offered_for_import():
    adapter, _ = board()
    gender, veteran, pronouns = adapter.demographic_questions(Job("5101", ""))
    assert gender == SyncedDemographic(
        "eeoc",
        "gender",
        "Gender",
        "single_select",
        (
            DemographicOption("1", "Male"),
            DemographicOption("2", "Female"),
            DemographicOption("3", "Decline To Self Identify"),
        ),
    )
    assert veteran.ref == "veteran_status"
    assert pronouns.section == "inclusion" and pronouns.ref == "87" and pronouns.kind == "multi_select"
    assert pronouns.options[2] == DemographicOption("196", "Let me type my own", free_form=True)


def test_voluntary_answers_are_sent_as_the_job_board_documents_them():
    adapter, state = board(choices=(EEOC_GENDER, PRONOUNS))
    done = deliver(adapter, make_submission("5101"))
    form = posted(state)
    assert form["gender"] == ["3"]
    [entry] = state.candidates[0]["applications"][0]["board_entries"]["demographic_answers"]
    assert entry == {
        "question_id": "87",
        "answer_options": [{"answer_option_id": "194"}, {"answer_option_id": "196", "text": "they/them"}],
    }
    assert "gender" not in form.get("cover_letter_text", [""])[0].lower()
    assert "note:demographics" not in done  # every voluntary answer was sent


def test_voluntary_answers_the_post_no_longer_asks_are_left_out_and_hr_is_told():
    stale = (DemographicChoice("eeoc", "race", ("2",)), DemographicChoice("inclusion", "87", ("999",)))
    adapter, state = board(choices=stale)
    done = deliver(adapter, make_submission("5101"))
    assert "race" not in posted(state) and state.candidates[0]["board_entries"]["demographic_answers"] == []
    assert "2 voluntary self-identification answer(s)" in done["note:demographics"]


@pytest.mark.parametrize(
    "field,value,reason",
    [("gender", "9", "option values"), ("race", "1", "not a compliance question")],
    ids=["foreign-value", "not-asked"],
)
def test_the_sandbox_refuses_eeoc_values_the_post_does_not_offer(field, value, reason):
    http, state = sandbox_client()
    good = {**NAMES, "data_compliance": GIVEN, "gender": "2"}
    refused = http.post(POST, json={**good, field: value}, auth=KEY)
    assert refused.status_code == 422 and reason in refused.json()["error"]
    assert state.candidates == []
    assert http.post(POST, json=good, auth=KEY).status_code == 200


# --- location and website ----------------------------------------------------------------------


def test_location_and_website_travel_in_the_cover_letter_text_when_the_post_has_no_field_for_them():
    adapter, state = board()
    deliver(adapter, make_submission("5101"))
    form = posted(state)
    [letter] = form["cover_letter_text"]
    assert "Location: London, UK" in letter and "Website: https://www.linkedin.com/in/ada" in letter
    assert "location" not in form  # without coordinates Greenhouse would ignore it


def test_the_website_goes_to_the_posts_own_website_question_when_it_has_one():
    jobs = jobs_with()
    jobs[0]["questions"] = [
        *jobs[0]["questions"],
        {
            "label": "LinkedIn Profile",
            "required": False,
            "fields": [{"name": "question_5555", "type": "input_text"}],
        },
    ]
    adapter, state = board(jobs)
    deliver(adapter, make_submission("5101"))
    form = posted(state)
    assert form["question_5555"] == ["https://www.linkedin.com/in/ada"]
    assert "Website:" not in form["cover_letter_text"][0]


# --- closed and unknown posts ------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["5102", "9999"], ids=["closed", "unknown"])
def test_a_closed_or_unknown_post_is_a_permanent_error_before_anything_is_posted(ref):
    jobs = copy.deepcopy(sandbox.DEFAULT_JOBS)
    jobs[1]["status"] = "closed"
    adapter, state = board(jobs)
    with pytest.raises(PermanentError):
        deliver(adapter, make_submission(ref))
    assert state.candidates == [] and not [r for r in state.requests if r[0] == "POST"]


def test_a_post_closed_after_it_was_cached_is_still_refused_before_posting():
    adapter, state = board()
    adapter.questions(Job("5101", ""))  # cached by a job sync
    state.jobs[0]["status"] = "closed"
    with pytest.raises(PermanentError):
        deliver(adapter, make_submission("5101"))
    assert not [r for r in state.requests if r[0] == "POST"]


# --- returning applicants ----------------------------------------------------------------------


def test_a_returning_applicant_is_one_person_with_one_application_per_delivery_when_auto_merge_is_on():
    adapter, state = board()
    deliver(adapter, make_submission("5101", application_id=1))
    deliver(adapter, make_submission("5102", application_id=2, answers=()))
    deliver(adapter, make_submission("5101", application_id=3))
    [person] = state.candidates
    assert [a["jobs"][0]["id"] for a in person["applications"]] == [4101, 4102, 4101]


def test_without_auto_merge_a_returning_applicant_is_a_second_candidate():
    adapter, state = board(auto_merge=False)
    deliver(adapter, make_submission("5101", application_id=1))
    deliver(adapter, make_submission("5102", application_id=2, answers=()))
    assert len(state.candidates) == 2


@pytest.mark.parametrize(
    "filename,content_type",
    [
        ("ada.pdf", "application/pdf"),
        ("ada.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("ada.rtf", "application/rtf"),
    ],
)
def test_each_documented_resume_type_reaches_the_application(filename, content_type):
    adapter, state = board()
    deliver(adapter, make_submission("5101", resume=Resume(filename, content_type, b"resume bytes")))
    [attachment] = state.candidates[0]["applications"][0]["attachments"]
    assert attachment == {"type": "resume", "filename": filename, "content_type": content_type}


def test_a_configured_stage_is_not_sent_and_hr_is_told_why():
    adapter, state = board()
    done = deliver(adapter, make_submission("5101", stage="Phone Screen"))
    assert state.candidates[0]["applications"][0]["current_stage"]["name"] == "Application Review"
    assert "'Phone Screen' was not applied" in done["note:stage"]
    assert "note:stage" not in deliver(adapter, make_submission("5102", stage="", answers=()))
