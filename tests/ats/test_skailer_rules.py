"""Each rule in docs/ats/skailer.md, shown by the Skailer sandbox refusing a request that breaks it.

Requests go straight to the sandbox (no adapter), so a rule holds whatever the adapter does.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest

from app.ats.sandbox import skailer as sandbox
from tests.ats.harnesses import PDF_BYTES
from tests.clock import FakeClock

BASE = "http://skailer.test"
TOKEN = "rules-token"
FILES = Path(__file__).parent.parent / "fixtures" / "files"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DAY = 24 * 3600


def open_sandbox(config: dict | None = None, *, token: str | None = TOKEN):
    app = sandbox.create_app({"token": TOKEN, **(config or {})})
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url=BASE, headers=headers)
    return client, sandbox.sandbox_of(app)


def refused(response: httpx.Response, errors: dict) -> None:
    """The documented validation answer: 422 with the field errors (body shape ASSUMED)."""
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": errors}


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(client: httpx.Client, filename: str, data: bytes, content_type: str) -> httpx.Response:
    return client.post("/api/v1/upload-cv-file", files={"file": (filename, data, content_type)})


def applicant(client: httpx.Client, **overrides) -> httpx.Response:
    cv_id = upload(client, "cv.pdf", PDF_BYTES, "application/pdf").json()["cv_id"]
    body = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "cv_ids": [cv_id],
        "source_id": 7,
    }
    return client.post("/api/v1/applicant", json={**body, **overrides})


def candidate_body(client: httpx.Client, **overrides) -> dict:
    applicant_id = applicant(client).json()["id"]
    body = {"job_id": 311, "applicant_id": applicant_id, "pipeline_id": 12, "pipeline_stage_id": 101}
    return {**body, **overrides}


def a_candidate(client: httpx.Client) -> int:
    return client.post("/api/v1/candidate", json=candidate_body(client)).json()["id"]


# --- auth, token lifetime, rate limit (Core Concepts) --------------------------------------


def test_a_request_without_a_bearer_token_is_refused():
    client, _ = open_sandbox(token=None)
    response = client.get("/api/v1/sources/all")
    assert (response.status_code, response.json()) == (401, {"message": "Unauthenticated."})


def test_an_unknown_token_is_refused():
    client, _ = open_sandbox(token="not-issued")
    assert client.get("/api/v1/sources/all").status_code == 401


def test_a_token_older_than_45_days_is_refused():
    clock = FakeClock()
    client, _ = open_sandbox({"clock": clock})
    clock.advance(45 * DAY - 1)
    assert client.get("/api/v1/sources/all").status_code == 200
    clock.advance(2)
    response = client.get("/api/v1/sources/all")
    assert (response.status_code, response.json()) == (401, {"message": "Unauthenticated."})


def test_the_101st_request_in_a_minute_is_throttled_with_retry_after():
    clock = FakeClock()
    client, _ = open_sandbox({"clock": clock})
    for _ in range(100):
        assert client.get("/api/v1/sources/all").status_code == 200
    response = client.get("/api/v1/sources/all")
    assert (response.status_code, response.json()) == (429, {"message": "Too Many Attempts."})
    assert int(response.headers["Retry-After"]) == 60
    clock.advance(60)
    assert client.get("/api/v1/sources/all").status_code == 200


# --- paths and methods (guide steps 1-7) ---------------------------------------------------


def test_a_path_the_guide_does_not_name_is_not_found():
    client, _ = open_sandbox()
    response = client.post("/api/v1/applicants", json={})
    assert (response.status_code, response.json()) == (404, {"message": "Not found."})


def test_a_documented_path_with_another_method_is_refused():
    client, _ = open_sandbox()
    response = client.get("/api/v1/jobs/search")
    assert response.status_code == 405
    assert response.json() == {"message": "The GET method is not supported for this route."}


# --- JSON only (Core Concepts) -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/jobs/search",
        "/api/v1/applicant",
        "/api/v1/candidate",
        "/api/v1/applicants/search",
        "/api/v1/candidates/search",
    ],
)
def test_a_form_encoded_body_is_refused_where_skailer_takes_json(path):
    client, control = open_sandbox()
    refused(
        client.post(path, data={"first_name": "Ada", "page": "1"}),
        {"body": ["The request body must be a JSON object."]},
    )
    assert control.state.applicants == {} and control.state.candidates == {}


# --- step 1: jobs search, paged 20 at a time -----------------------------------------------


def test_job_search_pages_hold_twenty_items():
    jobs = [
        {"id": 400 + n, "title": f"Role {n}", "pipeline_id": 12, "status": "open", "location": ""}
        for n in range(45)
    ]
    client, control = open_sandbox()
    control.state.jobs[:] = jobs
    pages = [client.post("/api/v1/jobs/search", json={"page": n}).json() for n in (1, 2, 3)]
    assert [len(page["items"]) for page in pages] == [20, 20, 5]
    assert {page["per_page"] for page in pages} == {20}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"page": "2"}, {"page": ["The page must be an integer."]}),
        ({"page": 0}, {"page": ["The page must be at least 1."]}),
        ({"query": 5}, {"query": ["The query must be a string."]}),
        ({"status": "archived"}, {"status": ["The selected status is invalid."]}),
    ],
)
def test_a_job_search_with_a_bad_page_query_or_status_is_refused(body, errors):
    client, _ = open_sandbox()
    refused(client.post("/api/v1/jobs/search", json=body), errors)


# --- step 4: the CV upload -----------------------------------------------------------------


def test_a_cv_sent_as_json_instead_of_multipart_is_refused():
    client, control = open_sandbox()
    response = client.post("/api/v1/upload-cv-file", json={"file": "JVBERi0x"})
    refused(response, {"file": ["The file must be sent as multipart/form-data."]})
    assert control.state.cvs == {}


def test_a_multipart_upload_without_the_file_part_is_refused():
    client, _ = open_sandbox()
    response = client.post("/api/v1/upload-cv-file", files={"cv": ("cv.pdf", PDF_BYTES, "application/pdf")})
    refused(response, {"file": ["The file field is required."]})


@pytest.mark.parametrize(
    ("filename", "data", "content_type"),
    [
        ("cv.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
        ("cv.docx", odt_bytes(), DOCX),  # an ODT renamed: still not a DOCX
        ("cv.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"Workbook", "application/msword"),
        ("cv.rtf", b"{\\rtf1\\ansi Ada Lovelace}", "application/rtf"),
        ("cv.txt", b"Ada Lovelace", "text/plain"),
        ("cv.pdf", b"PK\x03\x04 not a zip", "application/pdf"),
    ],
)
def test_a_cv_that_is_not_a_pdf_doc_or_docx_is_refused_whatever_its_name(filename, data, content_type):
    client, control = open_sandbox()
    refused(
        upload(client, filename, data, content_type),
        {"file": ["The file must be a file of type: pdf, doc, docx."]},
    )
    assert control.state.cvs == {}


@pytest.mark.parametrize("name", ["resume.pdf", "resume.doc", "resume.docx"])
def test_a_real_pdf_doc_or_docx_is_accepted(name):
    client, _ = open_sandbox()
    response = upload(client, name, (FILES / name).read_bytes(), "application/octet-stream")
    assert response.status_code == 201 and isinstance(response.json()["cv_id"], int)


def test_a_cv_over_ten_megabytes_is_refused():
    client, _ = open_sandbox()
    response = upload(client, "cv.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024), "application/pdf")
    refused(response, {"file": ["The file may not be greater than 10240 kilobytes."]})


# --- step 5: the applicant -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["first_name", "last_name", "email", "source_id"])
def test_an_applicant_without_a_required_field_is_refused(name):
    client, control = open_sandbox()
    refused(applicant(client, **{name: None}), {name: [f"The {name} field is required."]})
    refused(applicant(client, **{name: " "}), {name: [f"The {name} field is required."]})
    assert control.state.applicants == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", 4420, "The phone must be a string."),
        ("source_id", "7", "The source_id must be an integer."),
        ("cv_ids", 5000, "The cv_ids must be an array."),
        ("cv_ids", ["5000"], "The cv_ids must be an array of integers."),
        ("email", "ada-at-example.com", "The email must be a valid email address."),
    ],
)
def test_an_applicant_field_of_the_wrong_type_or_form_is_refused(field, value, message):
    client, _ = open_sandbox()
    refused(applicant(client, **{field: value}), {field: [message]})


def test_an_applicant_with_a_cv_id_that_was_never_uploaded_is_refused():
    client, _ = open_sandbox()
    refused(applicant(client, cv_ids=[999999]), {"cv_ids": ["Unknown cv id."]})


def test_an_applicant_with_a_source_not_in_the_directory_is_refused():
    client, _ = open_sandbox()
    refused(applicant(client, source_id=999), {"source_id": ["Unknown source."]})


def test_a_second_applicant_with_the_same_email_is_refused_with_the_existing_id():
    client, control = open_sandbox()
    first = applicant(client).json()["id"]
    refused(
        applicant(client, email="ADA@example.com"), {"email": ["already exists"], "applicant_id": [first]}
    )
    assert list(control.state.applicants) == [first]


def test_a_second_applicant_with_the_same_email_is_taken_when_the_switch_is_off():
    client, control = open_sandbox({"reject_duplicate_email": False})
    applicant(client)
    assert applicant(client).status_code == 201 and control.count_people("ada@example.com") == 2


# --- step 6: the candidate -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["job_id", "applicant_id", "pipeline_id", "pipeline_stage_id"])
def test_a_candidate_without_one_of_the_four_documented_ids_is_refused(name):
    client, control = open_sandbox()
    body = candidate_body(client)
    del body[name]
    refused(client.post("/api/v1/candidate", json=body), {name: [f"The {name} field is required."]})
    assert control.state.candidates == {}


@pytest.mark.parametrize("name", ["job_id", "applicant_id", "pipeline_id", "pipeline_stage_id"])
def test_a_candidate_id_that_is_not_an_integer_is_refused(name):
    client, _ = open_sandbox()
    body = candidate_body(client)
    body[name] = str(body[name])
    refused(client.post("/api/v1/candidate", json=body), {name: [f"The {name} must be an integer."]})


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"job_id": 999}, {"job_id": ["Unknown job."]}),
        ({"job_id": 313}, {"job_id": ["The job is closed."]}),
        ({"applicant_id": 999}, {"applicant_id": ["Unknown applicant."]}),
        ({"pipeline_id": 13}, {"pipeline_id": ["The pipeline is not the job's."]}),
        ({"pipeline_stage_id": 111}, {"pipeline_stage_id": ["The stage is not in the job's pipeline."]}),
        ({"source_id": 999}, {"source_id": ["Unknown source."]}),
    ],
)
def test_a_candidate_with_an_id_that_does_not_fit_is_refused(overrides, errors):
    client, control = open_sandbox()
    refused(client.post("/api/v1/candidate", json=candidate_body(client, **overrides)), errors)
    assert control.state.candidates == {}


def test_the_same_applicant_on_the_same_job_twice_is_refused():
    client, _ = open_sandbox()
    body = candidate_body(client)
    assert client.post("/api/v1/candidate", json=body).status_code == 201
    refused(
        client.post("/api/v1/candidate", json=body),
        {"applicant_id": ["The applicant is already a candidate for this job."]},
    )


# --- step 7: actions -----------------------------------------------------------------------


def test_an_action_on_an_unknown_candidate_is_not_found():
    client, _ = open_sandbox()
    response = client.post("/api/v1/candidates/999/actions", json={"comment": "hello"})
    assert (response.status_code, response.json()) == (404, {"message": "Not found."})


def test_an_action_without_a_comment_or_a_change_is_refused():
    client, _ = open_sandbox()
    candidate_id = a_candidate(client)
    response = client.post(f"/api/v1/candidates/{candidate_id}/actions", json={"reserved": False})
    refused(response, {"comment": ["An action needs a comment or a change."]})


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"comment": ["a", "b"]}, {"comment": ["The comment must be a string."]}),
        ({"reserved": "yes"}, {"reserved": ["The reserved must be true or false."]}),
        (
            {"disqualification_reason_id": "spam"},
            {"disqualification_reason_id": ["The disqualification_reason_id must be an integer."]},
        ),
        (
            {"pipeline_stage_id": 111},
            {"pipeline_stage_id": ["The stage is not in the candidate's pipeline."]},
        ),
        (
            {"comment": "Backfilled", "datetime_action_date": "last Tuesday"},
            {"datetime_action_date": ["The datetime_action_date is not a valid date."]},
        ),
    ],
)
def test_an_action_with_a_field_of_the_wrong_type_or_value_is_refused(body, errors):
    client, control = open_sandbox()
    candidate_id = a_candidate(client)
    refused(client.post(f"/api/v1/candidates/{candidate_id}/actions", json=body), errors)
    assert control.state.actions == {}


def test_an_action_can_be_undone_once_and_then_is_not_found():
    client, control = open_sandbox()
    candidate_id = a_candidate(client)
    action = client.post(f"/api/v1/candidates/{candidate_id}/actions", json={"comment": "hi"}).json()
    path = f"/api/v1/candidates/{candidate_id}/actions/{action['id']}"
    assert client.delete(path).status_code == 200 and control.state.actions == {}
    response = client.delete(path)
    assert (response.status_code, response.json()) == (404, {"message": "Not found."})


# --- reference lists and the ASSUMED search endpoints --------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/pipelines/all", "/api/v1/sources/all"])
def test_reference_lists_come_whole_without_paging(path):
    client, control = open_sandbox()
    body = client.get(path).json()
    assert isinstance(body, list) and body == (
        control.state.pipelines if "pipelines" in path else control.state.sources
    )


@pytest.mark.parametrize(
    ("path", "body", "errors"),
    [
        ("/api/v1/applicants/search", {"query": ["ada"]}, {"query": ["The query must be a string."]}),
        (
            "/api/v1/applicants/search",
            {"query": "ada", "page": 0},
            {"page": ["The page must be at least 1."]},
        ),
        (
            "/api/v1/candidates/search",
            {"applicant_id": "5001", "job_id": 311},
            {"applicant_id": ["The applicant_id must be an integer."]},
        ),
    ],
)
def test_an_applicant_or_candidate_search_with_mistyped_fields_is_refused(path, body, errors):
    client, _ = open_sandbox()
    refused(client.post(path, json=body), errors)


def test_search_pages_carry_no_total_as_skailer_documents_none():
    client, _ = open_sandbox()
    body = client.post("/api/v1/jobs/search", json={"page": 1}).json()
    assert "total" not in body and len(body["items"]) == 3
    empty = client.post("/api/v1/jobs/search", json={"page": 2}).json()
    assert empty == {"items": [], "page": 2, "per_page": 20}


# --- what the cross-vendor delivery tests ask of the sandbox -------------------------------


def test_the_control_counts_people_records_and_the_types_of_their_stored_cvs():
    client, control = open_sandbox()
    docx = (FILES / "resume.docx").read_bytes()
    first = upload(client, "cv.docx", docx, "application/octet-stream").json()["cv_id"]
    second = upload(client, "cv.pdf", PDF_BYTES, "application/pdf").json()["cv_id"]
    upload(client, "loose.pdf", PDF_BYTES, "application/pdf")  # attached to no one
    body = {"first_name": "Ada", "last_name": "L", "email": "ada@example.com", "source_id": 7}
    client.post("/api/v1/applicant", json={**body, "cv_ids": [first, second]})
    assert control.count_people("ADA@example.com") == 1 and control.count_people("bob@example.com") == 0
    assert control.resume_types("ada@example.com") == [DOCX, "application/pdf"]
    assert control.count_records() == 4  # three CVs, one applicant


def test_a_job_closed_through_the_control_takes_no_candidates():
    client, control = open_sandbox()
    control.close_job("311")
    refused(client.post("/api/v1/candidate", json=candidate_body(client)), {"job_id": ["The job is closed."]})
    open_jobs = client.post("/api/v1/jobs/search", json={"status": "open"}).json()["items"]
    assert [job["id"] for job in open_jobs] == [312]
