"""Dover specifics: PDF-only resumes, everything else in additional_comments, no ids to check."""

from __future__ import annotations

import io

import httpx
import pytest

from app.ats import dover
from app.ats.base import (
    AlreadyInAts,
    Answer,
    AuthError,
    Job,
    NeedsReviewError,
    PermanentError,
    Resume,
    RetryableError,
)
from app.ats.sandbox import dover as sandbox
from tests.ats.harnesses import PDF_BYTES, make_submission
from tests.ats.harnesses.dover import JOB_REF, make
from tests.support.servers import serving

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def deliver(harness, submission):
    (add_candidate,) = harness.adapter.steps()
    return add_candidate(submission, {})


def stored(harness):
    return harness.sandbox.state.candidates


def test_a_resume_that_is_not_a_pdf_is_not_sent_and_the_comments_say_so():
    """The delivery sends Dover a PDF rendition of any other format (tests/ats/test_resume_formats.py);
    the adapter itself never sends Dover a file it refuses."""
    harness = make()
    submission = make_submission(JOB_REF, resume=Resume("ada.docx", DOCX, b"PK\x03\x04 not a pdf"))
    deliver(harness, submission)
    (candidate,) = stored(harness)
    assert candidate["resume_filename"] == ""
    assert "ada.docx is not a PDF, which Dover requires, and was not sent" in candidate["additional_comments"]


def test_a_pdf_resume_is_sent_as_it_is():
    harness = make()
    deliver(harness, make_submission(JOB_REF))
    (candidate,) = stored(harness)
    assert candidate["resume_bytes"] == PDF_BYTES
    assert "Resume:" not in candidate["additional_comments"]


def test_additional_comments_carry_what_dover_has_no_field_for():
    harness = make()
    submission = make_submission(
        JOB_REF,
        answers=(
            Answer("q1", "Years of experience", "5"),
            Answer("q2", "Relocate?", True),
            Answer("q3", "Languages", ["English", "French"]),
        ),
        attribution={"utm_source": "linkedin", "utm_campaign": "autumn"},
    )
    deliver(harness, submission)
    (candidate,) = stored(harness)
    comments = candidate["additional_comments"]
    for expected in (
        "Phone: +44 20 7946 0958",
        "Location: London, UK",
        "I would love to work on engines.",
        "- Years of experience: 5",
        "- Relocate?: Yes",
        "- Languages: English, French",
        "Consent: I agree to the processing of my data. (version 1, given 2026-11-22",
        "Source: Careers site (utm_campaign=autumn, utm_source=linkedin)",
        "pub-1",
    ):
        assert expected in comments
    assert candidate["candidate_email"] == "ada@example.com"
    assert candidate["candidate_linkedin_url"] == "https://www.linkedin.com/in/ada"
    assert (candidate["candidate_first_name"], candidate["candidate_last_name"]) == ("Ada", "Lovelace")


def test_an_application_without_a_resume_is_still_sent_as_multipart():
    harness = make()
    deliver(harness, make_submission(JOB_REF, resume=None))
    (candidate,) = stored(harness)
    assert candidate["resume_bytes"] == b"" and candidate["candidate_first_name"] == "Ada"
    assert "No resume was attached" in candidate["additional_comments"]


def test_only_a_linkedin_address_goes_in_the_linkedin_field():
    harness = make()
    deliver(harness, make_submission(JOB_REF, url="https://linkedin.com.example.org/in/ada"))
    (candidate,) = stored(harness)
    assert candidate["candidate_linkedin_url"] == ""
    assert "Website: https://linkedin.com.example.org/in/ada" in candidate["additional_comments"]


def test_the_stage_is_the_jobs_own_else_the_configured_one_else_the_first():
    harness = make(stage="technical interview")
    stages = {s.name: s.ref for s in harness.adapter.stages(Job(JOB_REF, ""))}
    deliver(harness, make_submission(JOB_REF, stage=""))
    deliver(harness, make_submission(JOB_REF, stage="Offer", email="grace@example.com"))
    first, second = stored(harness)
    assert first["hiring_pipeline_stage_id"] == stages["Technical Interview"]
    assert second["hiring_pipeline_stage_id"] == stages["Offer"]
    unset = make()
    deliver(unset, make_submission(JOB_REF))
    assert stored(unset)[0]["hiring_pipeline_stage_id"] == stages["Applied"]


def test_a_job_stage_the_dover_job_lacks_is_refused_before_anything_is_created():
    harness = make(stage="Applied")
    with pytest.raises(PermanentError) as refused:
        deliver(harness, make_submission(JOB_REF, stage="No such stage"))
    assert "stage 'No such stage' is not a stage of job" in str(refused.value)
    assert harness.sandbox.count_records() == 0


def test_a_configured_stage_the_job_lacks_is_refused_before_anything_is_created():
    harness = make(stage="Onsite")  # a stage of another job
    with pytest.raises(PermanentError) as refused:
        deliver(harness, make_submission(JOB_REF))
    assert "'Onsite'" in str(refused.value) and JOB_REF in str(refused.value)
    assert harness.sandbox.count_records() == 0
    assert ("POST", "/candidates") not in harness.sandbox.state.requests


def test_a_job_closed_in_dover_is_refused_before_anything_is_created():
    harness = make()
    deliver(harness, make_submission(JOB_REF, email="grace@example.com"))  # jobs now cached
    before = harness.sandbox.count_records()
    harness.sandbox.close_job(JOB_REF)
    with pytest.raises(PermanentError) as refused:
        deliver(harness, make_submission(JOB_REF))
    assert refused.value.status == 404 and f"job {JOB_REF} is closed" in str(refused.value)
    assert harness.sandbox.count_records() == before
    fresh = make()
    fresh.sandbox.close_job(JOB_REF)
    with pytest.raises(PermanentError) as unlisted:
        deliver(fresh, make_submission(JOB_REF))
    assert f"job {JOB_REF} is closed or unknown" in str(unlisted.value)
    assert ("POST", "/candidates") not in fresh.sandbox.state.requests


def test_a_returning_applicant_to_another_job_is_added_to_it_as_the_same_person():
    harness = make()
    other = "7d2b9c1e-3f4a-4b5c-8d6e-9f0a1b2c3d4e"
    deliver(harness, make_submission(JOB_REF, application_id=1))
    ids = deliver(harness, make_submission(other, application_id=2, resume=None))
    assert ids["dover_candidate"] == "added"
    assert harness.sandbox.count_people("ada@example.com") == 1
    assert harness.sandbox.count_applications("ada@example.com", JOB_REF) == 1
    assert harness.sandbox.count_applications("ada@example.com", other) == 1
    assert harness.sandbox.resume_types("ada@example.com") == ["application/pdf"]


def test_a_returning_applicant_dover_says_is_already_on_the_job_is_already_in_the_ats():
    harness = make()
    deliver(harness, make_submission(JOB_REF, application_id=1))
    before = harness.sandbox.count_records()
    with pytest.raises(AlreadyInAts) as already:
        deliver(harness, make_submission(JOB_REF, application_id=2))
    assert JOB_REF in str(already.value) and "pub-2" in str(already.value)
    assert "ada@example.com" not in str(already.value)
    assert harness.sandbox.count_records() == before
    assert harness.sandbox.count_applications("ada@example.com", JOB_REF) == 1


def test_a_returning_applicant_dover_takes_silently_is_delivered_and_kept_on_the_one_application():
    harness = make({"duplicate_mode": "accept"})
    deliver(harness, make_submission(JOB_REF, application_id=1))
    ids = deliver(harness, make_submission(JOB_REF, application_id=2, cover_letter="Second try."))
    assert ids["dover_candidate"] == "added"
    assert [c["duplicate"] for c in stored(harness)] == [False, True]
    assert "Second try." in stored(harness)[1]["additional_comments"]
    assert harness.sandbox.count_applications("ada@example.com", JOB_REF) == 1
    assert harness.sandbox.count_people("ada@example.com") == 1


@pytest.mark.parametrize("mode", ["500", "drop"])
def test_an_ambiguous_failure_goes_to_review_instead_of_a_second_create(mode):
    harness = make()
    submission = make_submission(JOB_REF)
    harness.sandbox.commit_then_fail_next("add_candidate", mode)
    with pytest.raises(RetryableError) as failure:
        deliver(harness, submission)
    assert failure.value.ambiguous
    with pytest.raises(NeedsReviewError) as review:
        harness.adapter.find_existing(submission)
    assert JOB_REF in str(review.value) and "pub-1" in str(review.value)
    assert "ada@example.com" not in str(review.value)
    assert harness.sandbox.count_applications("ada@example.com", JOB_REF) == 1


def test_other_refusals_keep_their_meaning():
    harness = make()
    with pytest.raises(PermanentError) as unknown:
        deliver(harness, make_submission("00000000-0000-0000-0000-000000000000"))
    assert unknown.value.status == 404
    harness.sandbox.fail_next("add_candidate", 400)
    with pytest.raises(PermanentError):
        deliver(harness, make_submission(JOB_REF))
    harness.sandbox.fail_next("add_candidate", 429)
    with pytest.raises(RetryableError) as limited:
        deliver(harness, make_submission(JOB_REF))
    assert limited.value.retry_after == 1.0 and not limited.value.ambiguous
    harness.sandbox.expire_token()
    with pytest.raises(AuthError):
        harness.adapter.list_jobs()
    assert stored(harness) == []


def test_jobs_are_read_across_pages_and_reused_between_deliveries():
    harness = make()
    assert [job.title for job in harness.adapter.list_jobs()] == [
        "Senior Software Engineer",
        "Product Designer",
        "Data Analyst",
    ]
    deliver(harness, make_submission(JOB_REF))
    deliver(harness, make_submission(JOB_REF, email="grace@example.com"))
    requests = harness.sandbox.state.requests
    assert requests.count(("GET", "/jobs")) == 2  # two pages, fetched once
    assert requests.count(("POST", "/candidates")) == 2
    assert harness.adapter.sources() == []


def test_the_sandbox_checks_auth_fields_and_pdf_magic():
    client = sandbox.create_app().test_client()
    url = "/api/v1/external/candidates"
    assert client.post(url).status_code == 401
    auth = {"Authorization": "Bearer dover-test-key"}
    missing = client.post(url, headers=auth, data={"job_id": JOB_REF}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "candidate_first_name" in missing.get_json()
    stage = client.get("/api/v1/external/jobs", headers=auth).get_json()["results"][0][
        "hiring_pipeline_stages"
    ][0]["id"]
    form = {
        "job_id": JOB_REF,
        "hiring_pipeline_stage_id": stage,
        "candidate_first_name": "A",
        "candidate_last_name": "B",
        "resume": (io.BytesIO(b"PK\x03\x04"), "cv.pdf"),
    }
    not_pdf = client.post(url, headers=auth, data=form, content_type="multipart/form-data")
    assert not_pdf.status_code == 400 and "resume" in not_pdf.get_json()
    form |= {"hiring_pipeline_stage_id": "elsewhere", "resume": (io.BytesIO(PDF_BYTES), "cv.pdf")}
    wrong_stage = client.post(url, headers=auth, data=form, content_type="multipart/form-data")
    assert wrong_stage.status_code == 400 and "hiring_pipeline_stage_id" in wrong_stage.get_json()


@pytest.fixture
def served_sandbox():
    with serving(sandbox.create_app()) as base:
        yield base


@pytest.mark.integration
def test_a_real_server_drops_the_connection_after_saving(served_sandbox):
    base = served_sandbox
    httpx.post(
        f"{base}/_sandbox/faults", json={"commit_then_fail": {"step": "add_candidate", "mode": "drop"}}
    )
    adapter = dover.build({"api_key": "dover-test-key", "base_url": f"{base}/api/v1/external"})
    with pytest.raises(RetryableError) as failure:
        adapter.steps()[0](make_submission(JOB_REF), {})
    assert failure.value.ambiguous
    assert len(httpx.get(f"{base}/_sandbox/state").json()["candidates"]) == 1
