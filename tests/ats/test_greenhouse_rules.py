"""Every documented Greenhouse rule, proved by the sandbox refusing a request that breaks it.

Requests go straight to the sandbox, no adapter in between; docs/ats/greenhouse.md names the
test for each rule. Each test starts from a request the sandbox accepts and breaks one thing.
"""

from __future__ import annotations

import base64

import httpx
import pytest

from app.ats.rules import greenhouse as rules
from app.ats.sandbox import greenhouse as sandbox
from tests.ats.harnesses import make_submission
from tests.ats.harnesses.greenhouse_jobboard import make as make_board
from tests.clock import FakeClock

PDF = base64.b64encode(b"%PDF-1.4 resume").decode()
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BASIC = ("harvest-key", "")
WRITE = {"On-Behalf-Of": "9001"}


def client(config: dict | None = None) -> httpx.Client:
    app = sandbox.create_app(config)
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://greenhouse.test")


def candidate(**changes) -> dict:
    body = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email_addresses": [{"value": "ada@example.com", "type": "personal"}],
        "phone_numbers": [{"value": "+44 20 7946 0000", "type": "mobile"}],
        "employments": [
            {"company_name": "Babbage", "title": "Analyst", "start_date": "1842-01-01T00:00:00.000Z"}
        ],
        "applications": [
            {
                "job_id": 4101,
                "source_id": 12,
                "initial_stage_id": 880022,
                "attachments": [
                    {
                        "filename": "ada.pdf",
                        "type": "resume",
                        "content": PDF,
                        "content_type": "application/pdf",
                    }
                ],
            }
        ],
    }
    body.update(changes)
    return body


def application(**changes) -> dict:
    return {**candidate()["applications"][0], **changes}


def create(http: httpx.Client, body: dict, **kwargs) -> httpx.Response:
    headers = kwargs.pop("headers", WRITE)
    auth = kwargs.pop("auth", BASIC)
    return http.post("/v1/candidates", json=body, headers=headers, auth=auth, **kwargs)


def refused_fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["message"] == "Validation error"
    return {error["field"] for error in body["errors"]}


# --- Harvest v1: auth and headers ---------------------------------------------------------


def test_harvest_accepts_the_documented_candidate_and_answers_201():
    response = create(client(), candidate())
    assert response.status_code == 201
    assert response.json()["application_ids"]


@pytest.mark.parametrize(
    "auth",
    [None, ("wrong-key", ""), ("harvest-key", "a-password")],
    ids=["no-credentials", "unknown-key", "password-not-blank"],
)
def test_harvest_refuses_anything_but_basic_auth_with_the_key_and_a_blank_password(auth):
    http = client()
    response = http.get("/v1/jobs", auth=auth) if auth else http.get("/v1/jobs")
    assert response.status_code == 401


def test_harvest_v1_refuses_an_oauth_bearer_token():
    http = client()
    grant = http.post(
        "/token", auth=("client-1", "secret-1"), data={"grant_type": "client_credentials", "sub": "9001"}
    ).json()
    response = http.get("/v1/jobs", headers={"Authorization": f"Bearer {grant['access_token']}"})
    assert response.status_code == 401


def test_harvest_writes_without_on_behalf_of_are_refused():
    response = create(client(), candidate(), headers={})
    assert response.status_code == 403


@pytest.mark.parametrize("value", ["ada@example.com", "9001x", "-1"])
def test_harvest_refuses_an_on_behalf_of_that_is_not_a_numeric_user_id(value):
    http = client()
    response = create(http, candidate(), headers={"On-Behalf-Of": value})
    assert response.status_code == 403
    assert sandbox.sandbox_of(http._transport.app).state.candidates == []  # type: ignore[attr-defined]


def test_harvest_refuses_a_get_that_carries_a_body():
    response = client().request("GET", "/v1/jobs", content=b'{"status": "open"}', auth=BASIC)
    assert response.status_code == 403


def test_harvest_writes_must_be_json():
    response = client().post("/v1/candidates", data={"first_name": "Ada"}, headers=WRITE, auth=BASIC)
    assert refused_fields(response) == {"body"}


# --- Harvest v1: Add Candidate ------------------------------------------------------------


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_harvest_candidates_need_both_names(field):
    assert refused_fields(create(client(), candidate(**{field: ""}))) == {field}


@pytest.mark.parametrize("applications", [[], None], ids=["empty", "absent"])
def test_harvest_candidates_need_at_least_one_application(applications):
    body = candidate(applications=applications)
    assert "applications" in refused_fields(create(client(), body))


@pytest.mark.parametrize(
    "key,kinds",
    [
        ("phone_numbers", rules.PHONE_TYPES),
        ("addresses", rules.ADDRESS_TYPES),
        ("email_addresses", rules.EMAIL_TYPES),
        ("website_addresses", rules.WEBSITE_TYPES),
    ],
)
def test_harvest_contact_types_must_be_one_of_the_documented_values(key, kinds):
    http = client()
    assert refused_fields(create(http, candidate(**{key: [{"value": "x", "type": "mobile2"}]}))) == {
        f"{key}.type"
    }
    body = candidate(**{key: [{"value": "x", "type": kind} for kind in kinds]})
    assert create(http, body).status_code == 201


def test_harvest_contact_entries_need_a_value():
    body = candidate(phone_numbers=[{"type": "mobile"}], social_media_addresses=[{"value": ""}])
    assert refused_fields(create(client(), body)) == {"phone_numbers.value", "social_media_addresses.value"}


def test_harvest_tags_are_strings():
    assert refused_fields(create(client(), candidate(tags=["python", 3]))) == {"tags"}


@pytest.mark.parametrize("field", ["company_name", "title", "start_date"])
def test_harvest_employments_need_company_title_and_start_date(field):
    employment = {"company_name": "Babbage", "title": "Analyst", "start_date": "1842-01-01T00:00:00Z"}
    del employment[field]
    assert refused_fields(create(client(), candidate(employments=[employment]))) == {f"employments.{field}"}


def test_harvest_employment_dates_are_iso_8601_timestamps():
    employment = {"company_name": "Babbage", "title": "Analyst", "start_date": "March 1842"}
    assert refused_fields(create(client(), candidate(employments=[employment]))) == {"employments.start_date"}


@pytest.mark.parametrize(
    "education,field",
    [
        ({"school": "University of London"}, "educations.school"),
        ({"school_id": "London"}, "educations.school_id"),
        ({"start_month": 13, "start_year": 1990}, "educations.start_month"),
        ({"end_month": 6, "end_year": 1899}, "educations.end_year"),
        ({"start_date": "1832"}, "educations.start_date"),
    ],
    ids=["free-text-school", "text-id", "month-13", "year-before-1900", "not-a-timestamp"],
)
def test_harvest_educations_take_ids_and_bounded_dates_never_free_text(education, field):
    assert refused_fields(create(client(), candidate(educations=[education]))) == {field}


def test_harvest_inline_notes_follow_the_note_rules():
    notes = [{"user_id": "9001", "body": "Applied", "visibility": "everyone"}]
    assert refused_fields(create(client(), candidate(activity_feed_notes=notes))) == {"user_id", "visibility"}


# --- Harvest v1: applications and attachments ---------------------------------------------


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"job_id": "4101"}, "job_id"),
        ({"job_id": 9999}, "job_id"),
        ({"source_id": "12"}, "source_id"),
        ({"source_id": 77}, "source_id"),
        ({"initial_stage_id": 880031}, "initial_stage_id"),
        ({"referrer": {"type": "friend", "value": "1"}}, "referrer.type"),
    ],
    ids=[
        "job-id-as-text",
        "unknown-job",
        "source-as-text",
        "unknown-source",
        "stage-of-another-job",
        "referrer",
    ],
)
def test_harvest_applications_take_integer_ids_of_real_jobs_sources_and_stages(changes, field):
    body = candidate(applications=[application(**changes)])
    assert field in refused_fields(create(client(), body))


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"filename": ""}, "attachments.filename"),
        ({"type": "cv"}, "attachments.type"),
        ({"type": "admin_only"}, "attachments.type"),
        ({"content_type": None}, "attachments.content_type"),
        ({"content_type": "application/vnd.oasis.opendocument.text"}, "attachments.content_type"),
        ({"content_type": "application/rtf"}, "attachments.content_type"),
        ({"content": "not base64!"}, "attachments.content"),
        ({"content": ""}, "attachments.content"),
        ({"content": None}, "attachments.content"),
        ({"visibility": "everyone", "type": "other"}, "attachments.visibility"),
    ],
    ids=[
        "no-filename",
        "unknown-type",
        "candidate-only-type",
        "no-content-type",
        "odt",
        "rtf",
        "not-base64",
        "empty",
        "neither-content-nor-url",
        "visibility",
    ],
)
def test_harvest_application_attachments_follow_the_documented_rules(changes, field):
    attachment = {**application()["attachments"][0], **changes}
    body = candidate(applications=[application(attachments=[attachment])])
    assert refused_fields(create(client(), body)) == {field}


@pytest.mark.parametrize("content_type", rules.ATTACHMENT_CONTENT_TYPES)
def test_harvest_accepts_every_documented_attachment_content_type(content_type):
    attachment = {**application()["attachments"][0], "content_type": content_type}
    body = candidate(applications=[application(attachments=[attachment])])
    assert create(client(), body).status_code == 201


def test_harvest_candidate_attachments_take_only_resume_cover_letter_or_admin_only():
    http = client()
    candidate_id = create(http, candidate()).json()["id"]
    attachment = {"filename": "ada.docx", "type": "other", "content": PDF, "content_type": DOCX}
    path = f"/v1/candidates/{candidate_id}/attachments"
    assert refused_fields(http.post(path, json=attachment, headers=WRITE, auth=BASIC)) == {"attachments.type"}
    attachment["type"] = "cover_letter"
    assert http.post(path, json=attachment, headers=WRITE, auth=BASIC).status_code == 201


def test_harvest_adding_an_application_to_an_unknown_candidate_is_404():
    response = client().post("/v1/candidates/123/applications", json=application(), headers=WRITE, auth=BASIC)
    assert response.status_code == 404


def test_harvest_refuses_a_second_active_application_on_the_same_job():
    http = client()
    candidate_id = create(http, candidate()).json()["id"]
    path = f"/v1/candidates/{candidate_id}/applications"
    assert refused_fields(http.post(path, json=application(), headers=WRITE, auth=BASIC)) == {"job_id"}
    other = application(job_id=4102, initial_stage_id=880031)
    assert http.post(path, json=other, headers=WRITE, auth=BASIC).status_code == 201


@pytest.mark.parametrize(
    "note,fields",
    [
        ({"body": "Applied", "visibility": "public"}, {"user_id"}),
        ({"user_id": "9001", "body": "Applied", "visibility": "public"}, {"user_id"}),
        ({"user_id": 9001, "body": " ", "visibility": "public"}, {"body"}),
        ({"user_id": 9001, "body": "Applied", "visibility": "everyone"}, {"visibility"}),
    ],
    ids=["no-user", "user-as-text", "blank-body", "visibility"],
)
def test_harvest_notes_need_an_integer_user_a_body_and_a_documented_visibility(note, fields):
    http = client()
    candidate_id = create(http, candidate()).json()["id"]
    path = f"/v1/candidates/{candidate_id}/activity_feed/notes"
    assert refused_fields(http.post(path, json=note, headers=WRITE, auth=BASIC)) == fields


# --- Harvest v1: asynchronous creation, paging, rate limit --------------------------------


def test_a_truncated_create_body_still_holds_the_candidate_and_application_ids():
    app = sandbox.create_app()
    sandbox.sandbox_of(app).truncate_next_create()
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://greenhouse.test")
    body = create(http, candidate()).json()
    [stored] = sandbox.sandbox_of(app).state.candidates
    assert body == {"id": stored["id"], "application_ids": [stored["applications"][0]["id"]]}


def test_a_candidate_still_being_built_answers_404_until_it_is_ready():
    clock = FakeClock()
    http = client({"build_seconds": 30, "clock": clock})
    candidate_id = create(http, candidate()).json()["id"]
    assert http.get(f"/v1/candidates/{candidate_id}", auth=BASIC).status_code == 404
    clock.advance(30)
    assert http.get(f"/v1/candidates/{candidate_id}", auth=BASIC).status_code == 200


@pytest.mark.parametrize("per_page", ["0", "501", "ten"])
def test_harvest_per_page_must_be_an_integer_between_1_and_500(per_page):
    response = client().get("/v1/jobs", params={"per_page": per_page}, auth=BASIC)
    assert refused_fields(response) == {"per_page"}


def test_harvest_lists_page_with_link_headers_and_skip_count_drops_last():
    http = client({"page_size": 1})
    first = http.get("/v1/jobs", auth=BASIC)
    assert set(first.links) == {"next", "last"}
    assert len(first.json()) == 1
    following = http.get(first.links["next"]["url"] + "&skip_count=true", auth=BASIC)
    assert set(following.links) == {"next", "prev"}


def test_harvest_counts_requests_in_10_second_windows_and_429s_carry_reset_and_retry_after():
    clock = FakeClock()
    http = client({"rate_limit": 2, "clock": clock})
    assert http.get("/v1/sources", auth=BASIC).headers["X-RateLimit-Remaining"] == "1"
    http.get("/v1/sources", auth=BASIC)
    refused = http.get("/v1/sources", auth=BASIC)
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Limit"] == "2"
    assert int(refused.headers["X-RateLimit-Reset"]) > clock.seconds
    assert int(refused.headers["Retry-After"]) >= 1
    clock.advance(10)
    assert http.get("/v1/sources", auth=BASIC).status_code == 200


# --- the v3 token endpoint ----------------------------------------------------------------


@pytest.mark.parametrize(
    "auth,data,status,error",
    [
        (("client-1", "wrong"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (("client-1", "secret-1"), {"grant_type": "password"}, 400, "unsupported_grant_type"),
        (
            ("client-1", "secret-1"),
            {"grant_type": "client_credentials", "sub": "ada"},
            400,
            "invalid_request",
        ),
    ],
    ids=["wrong-secret", "other-grant", "sub-not-a-user-id"],
)
def test_the_token_endpoint_takes_client_credentials_and_a_numeric_sub(auth, data, status, error):
    response = client().post("/token", auth=auth, data=data)
    assert (response.status_code, response.json()) == (status, {"error": error})


def test_the_token_endpoint_takes_a_form_encoded_body_only():
    response = client().post(
        "/token", auth=("client-1", "secret-1"), json={"grant_type": "client_credentials"}
    )
    assert response.status_code == 400


# --- Job Board API ------------------------------------------------------------------------

BOARD_KEY = ("board-key", "")
POST = "/v1/boards/acme/jobs/5101"


CONSENTS = {  # what the posts' default GDPR rule requires
    "data_compliance[gdpr_processing_consent_given]": "true",
    "data_compliance[gdpr_retention_consent_given]": "false",
}


def board_form(**changes) -> dict:
    form = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "+44 20 7946"}
    form.update(CONSENTS)
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def board_json(**changes) -> dict:
    """The same application as a JSON body: consents in the documented `data_compliance` object."""
    body = {k: v for k, v in board_form(**changes).items() if not k.startswith("data_compliance[")}
    return {
        **body,
        "data_compliance": {"gdpr_processing_consent_given": True, "gdpr_retention_consent_given": False},
    }


def resume(name: str = "ada.pdf", data: bytes = b"%PDF-1.4 resume") -> dict:
    return {"resume": (name, data, "application/octet-stream")}


def apply(
    http: httpx.Client, form: dict, files: dict | None = None, path: str = POST, **kwargs
) -> httpx.Response:
    return http.post(
        path, data=form, files=files if files is not None else resume(), auth=BOARD_KEY, **kwargs
    )


def board_refusal(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["status"] == 422
    return body["error"]


def test_job_board_accepts_the_documented_form_and_answers_success():
    response = apply(client(), board_form(question_q1="5", question_6002="1"))
    assert response.status_code == 200
    assert response.json() == {"success": "Candidate saved successfully"}


def test_job_board_accepts_the_documented_json_body_with_base64_files():
    body = {**board_json(), "resume_content": PDF, "resume_content_filename": "ada.pdf", "question_6002": 1}
    app = sandbox.create_app()
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://boards.test")
    assert http.post(POST, json=body, auth=BOARD_KEY).status_code == 200
    [stored] = sandbox.sandbox_of(app).state.candidates
    assert stored["files"] == ["resume"] and stored["board_form"]["question_6002"] == ["1"]


@pytest.mark.parametrize("auth", [None, ("harvest-key", "")], ids=["none", "harvest-key"])
def test_job_board_posts_need_the_job_board_key(auth):
    http = client()
    response = (
        http.post(POST, data=board_form(), files=resume(), auth=auth)
        if auth
        else http.post(POST, data=board_form())
    )
    assert response.status_code == 401
    assert response.json() == {"error": "Failed to save person", "status": 401}


def test_job_board_posts_are_multipart_or_json_never_urlencoded():
    response = client().post(POST, data=board_form(), auth=BOARD_KEY)
    assert "Unsupported content type" in board_refusal(response)


@pytest.mark.parametrize(
    "path", ["/v1/boards/other/jobs/5101", "/v1/boards/acme/jobs/9999"], ids=["board", "post"]
)
def test_job_board_posts_must_exist_on_the_board_named_in_the_path(path):
    assert apply(client(), board_form(), path=path).status_code == 404


def test_job_board_refuses_applications_to_a_job_that_is_not_live():
    jobs = [dict(sandbox.DEFAULT_JOBS[1], status="closed")]
    http = client({"jobs": jobs})
    assert apply(http, board_form(), path="/v1/boards/acme/jobs/5102").status_code == 404
    assert http.get("/v1/boards/acme/jobs").json()["jobs"] == []


@pytest.mark.parametrize("field", ["first_name", "last_name", "email"])
def test_job_board_needs_first_name_last_name_and_email(field):
    assert f"{field} is required" in board_refusal(apply(client(), board_form(**{field: None})))


@pytest.mark.parametrize("field", ["first_name", "last_name", "email"])
def test_job_board_fields_are_at_most_255_characters(field):
    value = "a" * 256 if field != "email" else "a" * 244 + "@example.com"
    assert "255 characters" in board_refusal(apply(client(), board_form(**{field: value})))


@pytest.mark.parametrize("field", ["first_name", "last_name", "phone"])
def test_job_board_names_and_phone_must_not_contain_a_url(field):
    response = apply(client(), board_form(**{field: "see https://ada.example"}))
    assert f"{field} must not contain a URL" in board_refusal(response)


@pytest.mark.parametrize("email", ["ada", "ada@example", "ada @example.com", "ada@@example.com"])
def test_job_board_email_must_be_a_valid_address(email):
    assert "valid email" in board_refusal(apply(client(), board_form(email=email)))


@pytest.mark.parametrize(
    "answer",
    [{"question_6002": "2"}, {"question_6002": "Yes"}, {"question_6002[]": ["1", "0"]}],
    ids=["unknown-value", "label-not-value", "two-on-single-select"],
)
def test_job_board_select_answers_must_be_the_questions_option_values(answer):
    assert "question_6002" in board_refusal(apply(client(), board_form(**answer)))


def test_job_board_multi_select_answers_may_pick_several_of_the_options_only():
    question = {
        "label": "Languages",
        "required": False,
        "fields": [
            {
                "name": "question_7001",
                "type": "multi_value_multi_select",
                "values": [{"value": 11, "label": "Python"}, {"value": 12, "label": "Go"}],
            }
        ],
    }
    jobs = [dict(sandbox.DEFAULT_JOBS[1], questions=[question])]
    http = client({"jobs": jobs})
    path = "/v1/boards/acme/jobs/5102"
    assert apply(http, board_form(**{"question_7001[]": ["11", "12"]}), path=path).status_code == 200
    refused = apply(http, board_form(**{"question_7001[]": ["11", "13"]}), path=path)
    assert "question_7001" in board_refusal(refused)


def test_job_board_refuses_answers_to_questions_the_post_does_not_have():
    response = apply(client(), board_form(question_424242="hello"))
    assert "question_424242 is not a question of this job post" in board_refusal(response)


def test_job_board_file_and_text_questions_take_only_their_own_kind():
    question = {
        "label": "Portfolio",
        "required": False,
        "fields": [{"name": "question_7002", "type": "input_file"}],
    }
    jobs = [dict(sandbox.DEFAULT_JOBS[0], questions=[*sandbox.DEFAULT_JOBS[0]["questions"], question])]
    http = client({"jobs": jobs})
    assert "question_7002 must be a file" in board_refusal(
        apply(http, board_form(question_7002="see my site"))
    )
    text_as_file = {**resume(), "question_q1": ("years.pdf", b"%PDF 5", "application/pdf")}
    assert "question_q1 must not be a file" in board_refusal(apply(http, board_form(), files=text_as_file))
    file_answer = {**resume(), "question_7002": ("work.pdf", b"%PDF work", "application/pdf")}
    assert apply(http, board_form(), files=file_answer).status_code == 200


def test_job_board_does_not_enforce_required_questions():
    """Greenhouse documents that it will not reject an application missing required fields."""
    response = client().post(POST, json={**board_json(), "resume_text": "Engines"}, auth=BOARD_KEY)
    assert response.status_code == 200


@pytest.mark.parametrize("part", ["resume", "cover_letter"])
@pytest.mark.parametrize("name", ["ada.odt", "ada.html", "ada.png", "ada"])
def test_job_board_attachments_must_be_pdf_doc_docx_txt_or_rtf(part, name):
    files = {part: (name, b"some bytes", "application/octet-stream")}
    assert f"{part} must be a supported file type" in board_refusal(
        apply(client(), board_form(), files=files)
    )


@pytest.mark.parametrize("name", ["ada.pdf", "ada.doc", "ada.docx", "ada.txt", "ada.rtf", "ADA.PDF"])
def test_job_board_accepts_each_documented_attachment_type(name):
    assert apply(client(), board_form(), files=resume(name)).status_code == 200


def test_job_board_attachments_must_not_be_empty():
    assert "resume must be larger than 0 bytes" in board_refusal(
        apply(client(), board_form(), files=resume(data=b""))
    )


def test_job_board_url_attachments_must_name_a_supported_file_type():
    body = board_json(resume_url="https://files.example/ada", resume_url_filename="ada.odt")
    response = client().post(POST, json=body, auth=BOARD_KEY)
    assert "resume_url_filename must name a supported file type" in board_refusal(response)


def employment_fields(**entry) -> dict:
    return {f"employments[][{k}]": v for k, v in entry.items()}


@pytest.mark.parametrize(
    "entry,reason",
    [
        ({"title": "Analyst", "current": "true"}, "company_name is required"),
        ({"company_name": "Babbage", "current": "true"}, "title is required"),
        (
            {"company_name": "Babbage", "title": "Analyst", "current": "maybe"},
            "current must be true or false",
        ),
        ({"company_name": "Babbage", "title": "Analyst", "current": "false"}, "end_date is required"),
    ],
    ids=["company", "title", "current", "end-date"],
)
def test_job_board_employments_follow_the_documented_rules(entry, reason):
    dated = {**entry, "start_date][month": "1", "start_date][year": "2016"}
    response = apply(client(), board_form(**employment_fields(**dated)))
    assert reason in board_refusal(response)


def test_job_board_employment_start_date_is_required_and_before_the_end_date():
    entry = {"company_name": "Babbage", "title": "Analyst", "current": "true"}
    assert "start_date is required" in board_refusal(
        apply(client(), board_form(**employment_fields(**entry)))
    )
    dated = {
        **entry,
        "current": "false",
        "start_date][month": "3",
        "start_date][year": "2018",
        "end_date][month": "2",
        "end_date][year": "2018",
    }
    assert "start_date must be before end_date" in board_refusal(
        apply(client(), board_form(**employment_fields(**dated)))
    )


def test_job_board_educations_need_valid_ids_and_both_dates():
    body = {
        **board_json(),
        "resume_text": "Mathematics",
        "educations": [{"school_name_id": "London", "degree_id": "5494452", "discipline_id": "5494865"}],
    }
    response = client().post(POST, json=body, auth=BOARD_KEY)
    refusal = board_refusal(response)
    assert "school_name_id must be a valid id" in refusal and "start_date is required" in refusal


def test_job_board_ignores_a_location_sent_without_latitude_and_longitude():
    app = sandbox.create_app()
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://boards.test")
    apply(http, board_form(location="London"))
    apply(http, board_form(email="ada2@example.com", location="London", latitude="51.5", longitude="-0.12"))
    first, second = sandbox.sandbox_of(app).state.candidates
    assert "location" not in first["board_form"] and second["board_form"]["location"] == ["London"]


def test_job_board_demographic_answers_each_name_their_question():
    body = {**board_json(), "resume_text": "Engines", "demographic_answers": [{"answer_options": []}]}
    assert "question_id is required" in board_refusal(client().post(POST, json=body, auth=BOARD_KEY))
    body["demographic_answers"] = [{"question_id": 87, "answer_options": []}]
    assert client().post(POST, json=body, auth=BOARD_KEY).status_code == 200
    form = board_form(**{"demographic_answers[][answer_options][][answer_option_id]": "194"})
    assert "question_id is required" in board_refusal(apply(client(), form))


def test_the_job_board_adapter_posts_multipart_also_without_a_resume():
    harness = make_board()
    for step in harness.adapter.steps():
        step(make_submission("5101", resume=None), {})
    [stored] = harness.extra["state"].candidates
    assert stored["files"] == [] and stored["board_form"]["email"] == ["ada@example.com"]


# --- Harvest v3 ---------------------------------------------------------------------------


def v3_client(config: dict | None = None, sub: str | None = "9001") -> tuple[httpx.Client, dict]:
    app = sandbox.create_app(config)
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://harvest.test")
    form = {"grant_type": "client_credentials", **({"sub": sub} if sub else {})}
    token = http.post("/token", auth=("client-1", "secret-1"), data=form).json()["access_token"]
    return http, {"Authorization": f"Bearer {token}"}


def test_harvest_v3_takes_only_a_bearer_token_from_the_token_endpoint():
    clock = FakeClock()
    http, bearer = v3_client({"clock": clock})
    assert http.get("/v3/jobs", headers=bearer).status_code == 200
    assert http.get("/v3/jobs", auth=BASIC).status_code == 401
    assert http.get("/v3/jobs", headers={"Authorization": "Bearer made-up"}).status_code == 401
    clock.advance(3600)
    assert http.get("/v3/jobs", headers=bearer).json() == {"error": "invalid_token"}


def test_harvest_v3_writes_act_as_the_tokens_sub_or_the_service_account():
    http, bearer = v3_client()
    created = http.post("/v3/candidates", json={"first_name": "Ada", "last_name": "Lovelace"}, headers=bearer)
    assert created.status_code == 201
    http2, service = v3_client(sub=None)
    http2.post("/v3/candidates", json={"first_name": "Ada", "last_name": "Lovelace"}, headers=service)
    stored = sandbox.sandbox_of(http._transport.app).state.candidates  # type: ignore[attr-defined]
    assert stored[0]["acting_user"] == "9001"
    other = sandbox.sandbox_of(http2._transport.app).state.candidates  # type: ignore[attr-defined]
    assert other[0]["acting_user"] == "service-account"


def test_harvest_v3_pages_by_cursor_with_only_a_next_link():
    http, bearer = v3_client({"page_size": 1})
    first = http.get("/v3/jobs", params={"per_page": 1}, headers=bearer)
    assert set(first.links) == {"next"}
    following = http.get(first.links["next"]["url"], headers=bearer)
    third = http.get(following.links["next"]["url"], headers=bearer)
    assert [j["id"] for j in (*first.json(), *following.json(), *third.json())] == [4101, 4102, 4103]
    assert "next" not in third.links


@pytest.mark.parametrize(
    "extra,field",
    [({"per_page": "2"}, "cursor"), ({"status": "open"}, "cursor")],
    ids=["per_page", "filter"],
)
def test_harvest_v3_a_cursor_must_be_the_only_query_parameter(extra, field):
    http, bearer = v3_client({"page_size": 1})
    cursor = http.get("/v3/jobs", headers=bearer).links["next"]["url"].split("cursor=")[1]
    response = http.get("/v3/jobs", params={"cursor": cursor, **extra}, headers=bearer)
    assert refused_fields(response) == {field}


@pytest.mark.parametrize(
    "params,field",
    [({"page": "2"}, "page"), ({"per_page": "501"}, "per_page"), ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor")],
    ids=["page-gone", "per-page-bound", "forged-cursor"],
)
def test_harvest_v3_lists_refuse_pages_unknown_filters_and_forged_cursors(params, field):
    http, bearer = v3_client()
    assert refused_fields(http.get("/v3/candidates", params=params, headers=bearer)) == {field}


def v3_candidate() -> dict:
    return {k: v for k, v in candidate().items() if k not in ("applications", "employments")}


@pytest.mark.parametrize(
    "key,value",
    [
        ("applications", candidate()["applications"]),
        ("employments", candidate()["employments"]),
        ("educations", [{"school_id": 1, "degree_id": 2, "discipline_id": 3}]),
        ("attachments", candidate()["applications"][0]["attachments"]),
        ("activity_feed_notes", [{"user_id": 9001, "body": "Hi", "visibility": "admin_only"}]),
    ],
    ids=["applications", "employments", "educations", "attachments", "notes"],
)
def test_harvest_v3_candidates_take_no_nested_resources(key, value):
    http, bearer = v3_client()
    assert refused_fields(
        http.post("/v3/candidates", json={**v3_candidate(), key: value}, headers=bearer)
    ) == {key}
    assert http.post("/v3/candidates", json=v3_candidate(), headers=bearer).status_code == 201


def test_harvest_v3_candidates_keep_the_v1_contact_rules():
    http, bearer = v3_client()
    body = {**v3_candidate(), "phone_numbers": [{"value": "+44", "type": "cell"}], "last_name": ""}
    assert refused_fields(http.post("/v3/candidates", json=body, headers=bearer)) == {
        "phone_numbers.type",
        "last_name",
    }


def test_harvest_v3_records_are_flat_parents_and_stages_by_id():
    http, bearer = v3_client()
    created = http.post("/v3/candidates", json=v3_candidate(), headers=bearer).json()
    assert not {"applications", "application_ids", "attachments", "employments"} & set(created)
    plain = {k: v for k, v in application().items() if k != "attachments"}
    made = http.post("/v3/applications", json={**plain, "candidate_id": created["id"]}, headers=bearer).json()
    assert made == {
        "id": made["id"],
        "candidate_id": created["id"],
        "job_id": 4101,
        "stage_id": 880022,
        "source_id": 12,
        "status": "active",
        "prospect": False,
    }
    listed = http.get("/v3/applications", params={"job_id": "4101"}, headers=bearer).json()
    assert listed == [made]


def test_harvest_v3_writes_ignore_on_behalf_of_and_refuse_basic_auth():
    http, bearer = v3_client()
    assert http.post("/v3/candidates", json=v3_candidate(), auth=BASIC, headers=WRITE).status_code == 401
    other = {**bearer, "On-Behalf-Of": "42"}
    http.post("/v3/candidates", json=v3_candidate(), headers=other)
    [stored] = sandbox.sandbox_of(http._transport.app).state.candidates  # type: ignore[attr-defined]
    assert stored["acting_user"] == "9001"


def test_harvest_v3_creates_candidates_and_applications_as_separate_resources():
    http, bearer = v3_client()
    nested = http.post("/v3/candidates", json=candidate(), headers=bearer)
    assert "applications" in refused_fields(nested)
    body = v3_candidate()
    candidate_id = http.post("/v3/candidates", json=body, headers=bearer).json()["id"]
    with_files = {**application(), "candidate_id": candidate_id}
    assert "attachments" in refused_fields(http.post("/v3/applications", json=with_files, headers=bearer))
    plain = {k: v for k, v in with_files.items() if k != "attachments"}
    assert refused_fields(
        http.post("/v3/applications", json={**plain, "candidate_id": "x"}, headers=bearer)
    ) == {"candidate_id"}
    assert http.post("/v3/applications", json=plain, headers=bearer).status_code == 201
    assert refused_fields(http.post("/v3/applications", json=plain, headers=bearer)) == {"job_id"}
    found = http.get("/v3/applications", params={"candidate_ids": str(candidate_id)}, headers=bearer).json()
    assert [a["job_id"] for a in found] == [4101]


def test_harvest_v3_attachments_name_one_owner_and_follow_the_attachment_rules():
    http, bearer = v3_client()
    body = v3_candidate()
    candidate_id = http.post("/v3/candidates", json=body, headers=bearer).json()["id"]
    resume = {"filename": "ada.pdf", "type": "resume", "content": PDF, "content_type": "application/pdf"}
    assert "candidate_id" in refused_fields(http.post("/v3/attachments", json=resume, headers=bearer))
    odt = {**resume, "candidate_id": candidate_id, "content_type": "application/vnd.oasis.opendocument.text"}
    assert refused_fields(http.post("/v3/attachments", json=odt, headers=bearer)) == {
        "attachments.content_type"
    }
    good = {**resume, "candidate_id": candidate_id}
    assert http.post("/v3/attachments", json=good, headers=bearer).status_code == 201


def test_harvest_v3_notes_follow_the_note_rules():
    http, bearer = v3_client()
    candidate_id = http.post(
        "/v3/candidates", json={"first_name": "A", "last_name": "L"}, headers=bearer
    ).json()["id"]
    note = {"candidate_id": candidate_id, "body": "Applied", "visibility": "everyone"}
    assert refused_fields(http.post("/v3/notes", json=note, headers=bearer)) == {"visibility"}
    assert (
        http.post("/v3/notes", json={**note, "visibility": "admin_only"}, headers=bearer).status_code == 201
    )


DEMOGRAPHIC = {
    "header": "Diversity at Acme",
    "questions": [
        {
            "id": 87,
            "label": "Gender",
            "required": False,
            "type": "multi_value_single_select",
            "answer_options": [
                {"id": 194, "label": "Woman", "free_form": False},
                {"id": 195, "label": "Prefer to self-describe", "free_form": True},
            ],
        }
    ],
}


@pytest.mark.parametrize(
    "answer",
    [
        {"question_id": 99, "answer_options": []},
        {"question_id": 87, "answer_options": [{"answer_option_id": 300}]},
        {"question_id": 87, "answer_options": [{"answer_option_id": 194}, {"answer_option_id": 195}]},
        {"question_id": 87, "answer_options": [{"answer_option_id": 194, "text": "woman"}]},
    ],
    ids=["unknown-question", "unknown-option", "two-on-single-select", "text-on-fixed-option"],
)
def test_job_board_demographic_answers_pick_the_posts_own_options(answer):
    jobs = [dict(sandbox.DEFAULT_JOBS[1], demographic_questions=DEMOGRAPHIC)]
    http = client({"jobs": jobs})
    path = "/v1/boards/acme/jobs/5102"
    assert http.get(path, params={"questions": "true"}).json()["demographic_questions"] == DEMOGRAPHIC
    body = {**board_json(), "resume_text": "Engines", "demographic_answers": [answer]}
    assert "demographic" in board_refusal(http.post(path, json=body, auth=BOARD_KEY))
    fine = {"question_id": 87, "answer_options": [{"answer_option_id": 195, "text": "my words"}]}
    assert http.post(path, json={**body, "demographic_answers": [fine]}, auth=BOARD_KEY).status_code == 200
    form = board_form(
        **{
            "demographic_answers[][question_id]": "87",
            "demographic_answers[][answer_options][][answer_option_id]": "300",
        }
    )
    assert "no such answer option" in board_refusal(apply(http, form, path=path))


def test_job_board_posts_show_their_data_compliance_rule():
    post = client().get(POST, params={"questions": "true"}).json()
    [rule] = post["data_compliance"]
    assert set(rule) == {
        "type",
        "requires_consent",
        "requires_processing_consent",
        "requires_retention_consent",
        "retention_period",
    }


def test_harvest_v3_attachments_and_notes_are_listed_by_their_owner_without_file_contents():
    http, bearer = v3_client()
    candidate_id = http.post("/v3/candidates", json=v3_candidate(), headers=bearer).json()["id"]
    resume = {"filename": "ada.pdf", "type": "resume", "content": PDF, "content_type": "application/pdf"}
    made = http.post("/v3/attachments", json={**resume, "candidate_id": candidate_id}, headers=bearer).json()
    http.post(
        "/v3/notes",
        json={"candidate_id": candidate_id, "body": "Hi", "visibility": "private"},
        headers=bearer,
    )
    [listed] = http.get("/v3/attachments", params={"candidate_ids": str(candidate_id)}, headers=bearer).json()
    assert listed == made and "content" not in listed
    assert http.get("/v3/attachments", params={"application_ids": "1"}, headers=bearer).json() == []
    [note] = http.get("/v3/notes", params={"candidate_ids": str(candidate_id)}, headers=bearer).json()
    assert note["body"] == "Hi"
    assert refused_fields(http.get("/v3/notes", params={"email": "a@b.c"}, headers=bearer)) == {"email"}
