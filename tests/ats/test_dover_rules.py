"""Each rule in docs/ats/dover.md, shown by the Dover sandbox refusing a request that breaks it.

Requests go straight to the sandbox (no adapter), so a rule holds whatever the adapter does.
"""

from __future__ import annotations

import httpx
import pytest

from app.ats.sandbox import dover as sandbox
from tests.ats.harnesses import PDF_BYTES

BASE = "http://dover.test/api/v1/external"
KEY = "dover-test-key"
JOB = "550e8400-e29b-41d4-a716-446655440000"
OTHER_JOB = "7d2b9c1e-3f4a-4b5c-8d6e-9f0a1b2c3d4e"
INACTIVE_JOB = "0d0d0d0d-0000-4000-8000-000000000000"
REQUIRED = ("job_id", "hiring_pipeline_stage_id", "candidate_first_name", "candidate_last_name")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def client_for(config: dict | None = None, *, key: str | None = KEY, app=None) -> httpx.Client:
    app = app or sandbox.create_app(config)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url=BASE, headers=headers)


def first_stage(client: httpx.Client, job_id: str = JOB) -> str:
    jobs, url = [], "/jobs"
    while url:
        body = client.get(url).json()
        jobs += body["results"]
        url = body["next"]
    job = next(j for j in jobs if j["id"] == job_id)
    return job["hiring_pipeline_stages"][0]["id"]


def fields(client: httpx.Client, **overrides: str) -> dict[str, str]:
    values = {
        "job_id": JOB,
        "hiring_pipeline_stage_id": first_stage(client),
        "candidate_first_name": "Ada",
        "candidate_last_name": "Lovelace",
        "candidate_email": "ada@example.com",
    }
    return {**values, **overrides}


def multipart(client: httpx.Client, form: dict[str, str], resume: tuple | None = None) -> httpx.Response:
    parts = [(name, (None, value)) for name, value in form.items()]
    if resume is not None:
        parts.append(("resume", resume))
    return client.post("/candidates", files=parts)


def assert_refused(response: httpx.Response, status: int, body: dict) -> None:
    assert (response.status_code, response.json()) == (status, body)


# --- auth ----------------------------------------------------------------------------------


def test_a_request_without_an_authorization_header_is_refused():
    with client_for(key=None) as client:
        assert_refused(client.get("/jobs"), 401, {"detail": "Authentication credentials were not provided."})


def test_the_key_under_another_scheme_than_bearer_is_refused():
    with client_for(key=None) as client:
        response = client.get("/jobs", headers={"Authorization": f"Token {KEY}"})
        assert_refused(response, 401, {"detail": "Authentication credentials were not provided."})


def test_a_wrong_api_key_is_refused():
    with client_for(key="someone-elses-key") as client:
        assert_refused(client.get("/jobs"), 401, {"detail": "Invalid token."})


# --- paths and methods ---------------------------------------------------------------------


def test_a_path_outside_the_external_api_is_not_found():
    with client_for() as client:
        assert_refused(client.get("http://dover.test/api/v1/jobs"), 404, {"detail": "Not found."})


def test_a_method_dover_does_not_document_is_refused():
    with client_for() as client:
        assert_refused(client.get("/candidates"), 405, {"detail": 'Method "GET" not allowed.'})
        assert_refused(client.post("/jobs"), 405, {"detail": 'Method "POST" not allowed.'})


# --- content type --------------------------------------------------------------------------


def test_a_urlencoded_candidate_is_refused_because_dover_requires_multipart():
    app = sandbox.create_app({})
    with client_for(app=app) as client:
        response = client.post("/candidates", data=fields(client))
        assert_refused(
            response,
            415,
            {"detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'},
        )
        assert sandbox.sandbox_of(app).state.candidates == []


def test_a_json_candidate_is_refused_because_dover_requires_multipart():
    with client_for() as client:
        response = client.post("/candidates", json=fields(client))
        assert_refused(response, 415, {"detail": 'Unsupported media type "application/json" in request.'})


def test_a_multipart_candidate_without_a_resume_is_accepted():
    with client_for() as client:
        response = multipart(client, fields(client))
        assert response.status_code == 201
        assert response.json() == {"success": True, "message": "Candidate added successfully"}


# --- required fields and their types -------------------------------------------------------


@pytest.mark.parametrize("name", REQUIRED)
def test_each_required_field_missing_is_refused(name):
    with client_for() as client:
        form = fields(client)
        del form[name]
        assert_refused(multipart(client, form), 400, {name: ["This field is required."]})


@pytest.mark.parametrize("name", REQUIRED)
def test_each_required_field_blank_is_refused(name):
    with client_for() as client:
        form = fields(client, **{name: "  "})
        assert_refused(multipart(client, form), 400, {name: ["This field may not be blank."]})


@pytest.mark.parametrize("name", ["job_id", "hiring_pipeline_stage_id"])
def test_an_id_that_is_not_a_uuid_is_refused(name):
    with client_for() as client:
        form = fields(client, **{name: "311"})
        assert_refused(multipart(client, form), 400, {name: ["Must be a valid UUID."]})


def test_an_unknown_job_is_not_found():
    with client_for() as client:
        form = fields(client, job_id="00000000-0000-4000-8000-000000000000")
        assert_refused(multipart(client, form), 404, {"detail": "Not found."})


def test_a_job_that_is_not_active_is_neither_listed_nor_accepted():
    inactive = {
        "id": INACTIVE_JOB,
        "title": "Closed role",
        "active": False,
        "hiring_pipeline_stages": [{"id": "0d0d0d0d-0000-4000-8000-000000000001", "name": "Applied"}],
    }
    with client_for({"jobs": [*sandbox.default_jobs(), inactive]}) as client:
        listed = client.get("/jobs", params={"offset": 2}).json()
        assert INACTIVE_JOB not in [job["id"] for job in listed["results"]] and listed["count"] == 3
        form = fields(
            client, job_id=INACTIVE_JOB, hiring_pipeline_stage_id="0d0d0d0d-0000-4000-8000-000000000001"
        )
        assert_refused(multipart(client, form), 404, {"detail": "Not found."})


def test_a_stage_of_another_job_is_refused():
    with client_for() as client:
        form = fields(client, hiring_pipeline_stage_id=first_stage(client, OTHER_JOB))
        assert_refused(
            multipart(client, form), 400, {"hiring_pipeline_stage_id": ["Stage does not belong to this job."]}
        )


def test_an_invalid_candidate_email_is_refused():
    with client_for() as client:
        form = fields(client, candidate_email="ada-at-example.com")
        assert_refused(multipart(client, form), 400, {"candidate_email": ["Enter a valid email address."]})


@pytest.mark.parametrize(
    "url",
    ["www.linkedin.com/in/ada", "https://github.com/ada", "https://linkedin.com.example.org/in/ada"],
)
def test_a_linkedin_field_that_is_not_a_linkedin_url_is_refused(url):
    with client_for() as client:
        form = fields(client, candidate_linkedin_url=url)
        assert_refused(
            multipart(client, form), 400, {"candidate_linkedin_url": ["Enter a valid LinkedIn profile URL."]}
        )


# --- the resume ----------------------------------------------------------------------------


def test_a_resume_sent_as_text_instead_of_a_file_is_refused():
    with client_for() as client:
        form = fields(client, resume="https://example.org/cv.pdf")
        assert_refused(
            multipart(client, form),
            400,
            {"resume": ["The submitted data was not a file. Check the encoding type on the form."]},
        )


def test_a_resume_that_is_not_a_pdf_is_refused_whatever_its_name():
    with client_for() as client:
        response = multipart(client, fields(client), ("cv.pdf", b"PK\x03\x04 a docx", DOCX))
        assert_refused(response, 400, {"resume": ["Resume must be a PDF file."]})


def test_a_resume_over_ten_megabytes_is_refused():
    with client_for() as client:
        big = PDF_BYTES + b"0" * (10 * 1024 * 1024)
        response = multipart(client, fields(client), ("cv.pdf", big, "application/pdf"))
        assert_refused(response, 413, {"detail": "Resume file too large."})


def test_a_pdf_resume_within_the_limit_is_stored():
    app = sandbox.create_app({})
    with client_for(app=app) as client:
        response = multipart(client, fields(client), ("cv.pdf", PDF_BYTES, "application/pdf"))
        assert response.status_code == 201
        (stored,) = sandbox.sandbox_of(app).state.candidates
        assert stored["resume_bytes"] == PDF_BYTES


def test_additional_comments_are_stored_as_sent_for_the_activity_feed():
    app = sandbox.create_app({})
    comments = "Phone: +44 20 7946 0958\n\nCover letter:\nDear team,"
    with client_for(app=app) as client:
        assert multipart(client, fields(client, additional_comments=comments)).status_code == 201
    (stored,) = sandbox.sandbox_of(app).state.candidates
    assert stored["additional_comments"] == comments


# --- duplicates, paging, throttling --------------------------------------------------------


def test_a_second_candidate_with_the_same_email_on_the_job_is_refused_by_default():
    with client_for() as client:
        assert multipart(client, fields(client)).status_code == 201
        assert_refused(
            multipart(client, fields(client)),
            400,
            {"non_field_errors": ["Candidate already exists for this job."]},
        )


def test_a_second_candidate_with_the_same_email_on_the_job_is_kept_flagged_on_one_application():
    app = sandbox.create_app({"duplicate_mode": "accept"})
    control = sandbox.sandbox_of(app)
    with client_for(app=app) as client:
        assert multipart(client, fields(client)).status_code == 201
        again = multipart(client, fields(client, additional_comments="Applied again"))
        assert again.json() == {"success": True, "message": "Candidate added successfully"}
    assert [c["duplicate"] for c in control.state.candidates] == [False, True]
    assert control.count_applications("ada@example.com", JOB) == 1
    assert control.state.candidates[1]["additional_comments"] == "Applied again"


def test_the_same_email_on_another_job_is_the_same_person():
    app = sandbox.create_app({})
    control = sandbox.sandbox_of(app)
    other = "c0ffee00-1234-4abc-9def-0123456789ab"
    with client_for(app=app) as client:
        assert multipart(client, fields(client, candidate_email="ADA@example.com")).status_code == 201
        second = fields(client, job_id=other, hiring_pipeline_stage_id=first_stage(client, other))
        assert multipart(client, second).status_code == 201
        assert multipart(client, fields(client, candidate_email="")).status_code == 201
    assert control.count_people("ada@example.com") == 1
    assert [c["person_id"] for c in control.state.candidates] == [1, 1, 2]
    assert control.count_records() == 2 + 3 + 0  # two people, three applications, no files or notes


def test_a_job_closed_in_dover_is_no_longer_listed_and_takes_no_candidates():
    app = sandbox.create_app({})
    control = sandbox.sandbox_of(app)
    with client_for(app=app) as client:
        form = fields(client)
        control.close_job(JOB)
        listed = client.get("/jobs").json()
        assert JOB not in {job["id"] for job in listed["results"]} and listed["count"] == 2
        assert_refused(multipart(client, form), 404, {"detail": "Not found."})
    assert control.count_records() == 0


def test_jobs_are_paged_by_offset_with_a_next_link_and_a_bad_offset_is_refused():
    with client_for() as client:
        first = client.get("/jobs").json()
        assert first["count"] == 3 and len(first["results"]) == 2
        second = client.get(first["next"]).json()
        assert len(second["results"]) == 1 and second["next"] is None
        assert_refused(
            client.get("/jobs", params={"offset": "two"}), 400, {"offset": ["A valid integer is required."]}
        )


def test_a_throttled_request_is_answered_429_with_retry_after():
    app = sandbox.create_app({})
    sandbox.sandbox_of(app).fail_next("add_candidate", 429)
    with client_for(app=app) as client:
        response = multipart(client, fields(client))
        assert_refused(response, 429, {"detail": "Request was throttled."})
        assert response.headers["Retry-After"] == "1"
