"""Every documented Workable rule, proved by the sandbox refusing a request that breaks it.

Requests go straight to the sandbox, no adapter in between; docs/ats/workable.md names the test
for each rule. Each test starts from a request the sandbox accepts and breaks one thing.
"""

from __future__ import annotations

import base64

import httpx
import pytest

from app.ats.rules import workable as rules
from app.ats.sandbox import workable as sandbox
from tests.clock import FakeClock

BASE = "/spi/v3"
TOKEN = {"Authorization": "Bearer test-token"}
PDF = base64.b64encode(b"%PDF-1.4 resume").decode()


def client(config: dict | None = None) -> httpx.Client:
    """A sandbox whose window never fills unless a test asks for one."""
    app = sandbox.create_app({"rate_limit": 1000, **(config or {})})
    return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://acme.workable.test")


def candidate(**changes) -> dict:
    body = {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "email": "ada@example.com",
        "phone": "+44 20 7946 0000",
        "texting_consent": "declined",
        "resume": {"name": "ada.pdf", "data": PDF},
        "education_entries": [
            {"school": "University of London", "degree": "BSc", "start_date": "1832-01-01", "end_date": None}
        ],
        "experience_entries": [{"title": "Analyst", "company": "Babbage", "current": True}],
        "social_profiles": [{"type": "linkedin", "url": "https://www.linkedin.com/in/ada"}],
        "skills": ["Mathematics"],
        "tags": ["engines"],
        "answers": [{"question_key": "q1", "body": "5"}],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def create(http: httpx.Client, body: dict, shortcode: str = "BE1", **kwargs) -> httpx.Response:
    headers = kwargs.pop("headers", TOKEN)
    return http.post(f"{BASE}/jobs/{shortcode}/candidates", json=body, headers=headers, **kwargs)


def refused(response: httpx.Response) -> dict:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] and isinstance(body["validation_errors"], dict)
    return body["validation_errors"]


def created_id(http: httpx.Client, **changes) -> str:
    response = create(http, {"candidate": candidate(**changes), "sourced": False})
    assert response.status_code == 201, response.text
    return response.json()["candidate"]["id"]


# --- auth, scopes, rate window, JSON ------------------------------------------------------


def test_workable_accepts_the_documented_candidate_and_answers_201():
    response = create(client(), {"candidate": candidate(), "sourced": False, "domain": "careers.acme.com"})
    assert response.status_code == 201
    assert response.json()["status"] == "created" and response.json()["candidate"]["stage"] == "applied"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer unknown"}, {"Authorization": "Basic dGVzdC10b2tlbjo="}],
    ids=["none", "unknown-token", "basic"],
)
def test_workable_needs_a_known_bearer_token(headers):
    response = client().get(f"{BASE}/jobs", headers=headers)
    assert (response.status_code, response.json()) == (401, {"error": "Not authorized"})


@pytest.mark.parametrize(
    "method,path,scope",
    [
        ("GET", "/jobs", "r_jobs"),
        ("GET", "/candidates", "r_candidates"),
        ("POST", "/jobs/BE1/candidates", "w_candidates"),
        ("PATCH", "/candidates/any", "w_candidates"),
    ],
)
def test_workable_each_endpoint_needs_its_scope(method, path, scope):
    others = tuple(
        s for s in sandbox.ALL_SCOPES if s != scope and not (scope == "w_candidates" and s == "w_comments")
    )
    http = client({"tokens": {"narrow": others}})
    response = http.request(method, BASE + path, headers={"Authorization": "Bearer narrow"}, json={})
    assert response.status_code == 403


def test_comments_take_either_w_candidates_or_w_comments():
    http = client({"tokens": {"test-token": sandbox.ALL_SCOPES, "commenter": ("w_comments",)}})
    candidate_id = created_id(http)
    body = {"member_id": "m-100", "comment": {"body": "Applied via careers site"}}
    path = f"{BASE}/candidates/{candidate_id}/comments"
    assert http.post(path, json=body, headers={"Authorization": "Bearer commenter"}).status_code == 201


def test_workable_counts_requests_per_10_seconds_and_429s_carry_the_rate_headers():
    clock = FakeClock()
    app = sandbox.create_app({"rate_limit": 2, "clock": clock})
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://acme.workable.test")
    first = http.get(f"{BASE}/jobs", headers=TOKEN)
    assert first.headers["X-Rate-Limit-Limit"] == "2" and first.headers["X-Rate-Limit-Remaining"] == "1"
    http.get(f"{BASE}/jobs", headers=TOKEN)
    refused_429 = http.get(f"{BASE}/jobs", headers=TOKEN)
    assert refused_429.status_code == 429
    assert float(refused_429.headers["X-Rate-Limit-Reset"]) > clock.seconds
    assert "Retry-After" not in refused_429.headers
    clock.advance(10)
    assert http.get(f"{BASE}/jobs", headers=TOKEN).status_code == 200


@pytest.mark.parametrize(
    "reset_format,expected",
    [
        ("epoch", "1000010"),
        ("http-date", "Mon, 12 Jan 1970 13:46:50 GMT"),
        ("text", "soon"),
        ("missing", None),
    ],
)
def test_the_sandbox_can_write_the_reset_header_in_each_form_a_timestamp_may_take(reset_format, expected):
    clock = FakeClock(1_000_003.0)
    http = client({"clock": clock, "reset_format": reset_format})
    response = http.get(f"{BASE}/jobs", headers=TOKEN)
    assert response.status_code == 200
    assert response.headers.get("X-Rate-Limit-Reset") == expected
    assert response.headers["X-Rate-Limit-Remaining"] == "999"


def test_workable_writes_must_be_json():
    response = client().post(f"{BASE}/jobs/BE1/candidates", data={"candidate": "Ada"}, headers=TOKEN)
    assert "body" in refused(response)


def test_workable_unknown_jobs_and_candidates_are_404():
    http = client()
    assert create(http, {"candidate": candidate()}, shortcode="NOPE").status_code == 404
    assert http.patch(f"{BASE}/candidates/nope", json={"candidate": {}}, headers=TOKEN).status_code == 404


# --- create: required fields and types ----------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [{"firstname": None}, {"lastname": None}, {"firstname": None, "lastname": None}],
    ids=["no-firstname", "no-lastname", "no-names"],
)
def test_workable_needs_a_name_or_both_first_and_last_names(changes):
    assert "name" in refused(create(client(), {"candidate": candidate(**changes)}))


def test_workable_a_full_name_stands_in_for_first_and_last():
    body = candidate(firstname=None, lastname=None, name="Ada Lovelace")
    assert create(client(), {"candidate": body}).status_code == 201


def test_workable_needs_an_email():
    assert "email" in refused(create(client(), {"candidate": candidate(email=None)}))


def test_workable_candidate_is_required():
    assert "candidate" in refused(create(client(), {"sourced": False}))


@pytest.mark.parametrize("field", ["phone", "headline", "summary", "address", "cover_letter", "email"])
def test_workable_text_fields_are_strings(field):
    assert field in refused(create(client(), {"candidate": candidate(**{field: 44})}))


@pytest.mark.parametrize("value", ["yes", "accepted", True])
def test_workable_texting_consent_is_forced_or_declined(value):
    assert "texting_consent" in refused(create(client(), {"candidate": candidate(texting_consent=value)}))


@pytest.mark.parametrize("field", ["skills", "tags"])
def test_workable_skills_and_tags_are_lists_of_strings(field):
    assert field in refused(create(client(), {"candidate": candidate(**{field: "python, go"})}))
    assert field in refused(create(client(), {"candidate": candidate(**{field: [{"name": "python"}]})}))


def test_workable_sourced_is_a_boolean():
    assert "sourced" in refused(create(client(), {"candidate": candidate(), "sourced": "false"}))


# --- create: resume, image ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["ada.odt", "ada.txt", "ada.html", "ada"])
def test_workable_resumes_are_pdf_doc_docx_or_rtf(name):
    body = candidate(resume={"name": name, "data": PDF})
    assert "resume" in refused(create(client(), {"candidate": body}))


@pytest.mark.parametrize("name", ["ada.pdf", "ada.doc", "ada.docx", "ada.rtf", "ADA.PDF"])
def test_workable_accepts_each_documented_resume_format(name):
    assert create(client(), {"candidate": candidate(resume={"name": name, "data": PDF})}).status_code == 201


@pytest.mark.parametrize(
    "resume",
    [{"name": "ada.pdf"}, {"data": PDF}, {"name": "ada.pdf", "data": "not base64!"}, "ada.pdf"],
    ids=["no-data", "no-name", "not-base64", "not-an-object"],
)
def test_workable_resume_is_a_name_and_base64_data(resume):
    assert "resume" in refused(create(client(), {"candidate": candidate(resume=resume)}))


def test_workable_resumes_over_20_mb_are_refused():
    data = base64.b64encode(b"%PDF" + b"0" * rules.MAX_RESUME_BYTES).decode()
    body = candidate(resume={"name": "ada.pdf", "data": data})
    assert "resume" in refused(create(client(), {"candidate": body}))


def test_workable_image_sources_are_the_listed_networks():
    assert "image_source" in refused(create(client(), {"candidate": candidate(image_source="myblog")}))
    image = {"name": "me.jpg", "data": PDF, "source": "orkut2"}
    assert "image" in refused(create(client(), {"candidate": candidate(image=image)}))
    assert create(client(), {"candidate": candidate(image_source="github")}).status_code == 201


# --- create: entries and profiles ---------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        {"degree": "BSc"},
        {"school": "London", "start_date": "1832"},
        {"school": "London", "end_date": "1835-13-01"},
        {"school": "London", "degree": 3},
    ],
    ids=["no-school", "year-only", "month-13", "degree-not-text"],
)
def test_workable_education_entries_need_a_school_and_iso_dates(entry):
    assert "education_entries" in refused(
        create(client(), {"candidate": candidate(education_entries=[entry])})
    )


@pytest.mark.parametrize(
    "entry",
    [
        {"company": "Babbage"},
        {"title": "Analyst", "current": "yes"},
        {"title": "Analyst", "start_date": "01/03/1842"},
        {"title": "Analyst", "industry": ["engines"]},
    ],
    ids=["no-title", "current-not-boolean", "not-iso-date", "industry-not-text"],
)
def test_workable_experience_entries_need_a_title_iso_dates_and_a_boolean_current(entry):
    assert "experience_entries" in refused(
        create(client(), {"candidate": candidate(experience_entries=[entry])})
    )


@pytest.mark.parametrize(
    "profiles",
    [
        [{"type": "mastodon", "url": "https://m.example/@ada"}],
        [{"type": "github"}],
        [
            {"type": "github", "url": "https://github.com/a"},
            {"type": "github", "url": "https://github.com/b"},
        ],
    ],
    ids=["unlisted-network", "no-url", "two-of-one-type"],
)
def test_workable_social_profiles_are_one_per_listed_network_with_a_url(profiles):
    assert "social_profiles" in refused(create(client(), {"candidate": candidate(social_profiles=profiles)}))


# --- create: answers, stage, duplicates ---------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        [{"question_key": "q1", "body": "5"}, {"question_key": "q9", "body": "?"}],
        [{"question_key": "q1", "body": " "}],
        [{"question_key": "q1", "body": "5"}, {"question_key": "q2", "checked": "yes"}],
        [{"question_key": "q1", "body": "5"}, {"question_key": "q3", "choices": ["c9"]}],
        [{"question_key": "q1", "body": "5"}, {"question_key": "q3", "choices": ["c1", "c2"]}],
        [{"question_key": "q2", "checked": True}],
        "q1=5",
    ],
    ids=[
        "unknown-question",
        "blank-free-text",
        "boolean-not-boolean",
        "unknown-choice",
        "two-on-single-answer",
        "required-unanswered",
        "not-a-list",
    ],
)
def test_workable_answers_must_fit_the_jobs_questions(answers):
    assert "answers" in refused(create(client(), {"candidate": candidate(answers=answers)}))


def test_workable_refuses_a_stage_that_is_not_a_pipeline_slug():
    http = client()
    assert "stage" in refused(create(http, {"candidate": candidate()}, params={"stage": "Interviewing"}))
    assert create(http, {"candidate": candidate()}, params={"stage": "phone-screen"}).status_code == 201


def test_workable_refuses_a_second_candidate_with_the_same_email_on_the_same_job():
    http = client()
    created_id(http)
    response = create(http, {"candidate": candidate(email="ADA@example.com")})
    assert response.json() == {
        "error": "Validation failed",
        "validation_errors": {"email": ["candidate already exists"]},
    }
    assert create(http, {"candidate": candidate(answers=[])}, shortcode="DA2").status_code == 201


# --- PATCH /candidates/:id ----------------------------------------------------------------


def patch(http: httpx.Client, candidate_id: str, changes: dict) -> httpx.Response:
    return http.patch(f"{BASE}/candidates/{candidate_id}", json={"candidate": changes}, headers=TOKEN)


def stored(http: httpx.Client, candidate_id: str) -> dict:
    response = http.get(f"{BASE}/candidates/{candidate_id}", headers=TOKEN)
    assert response.status_code == 200
    return response.json()["candidate"]


def without_ids(entries: list[dict]) -> list[dict]:
    return [{k: v for k, v in entry.items() if k != "id"} for entry in entries]


def test_patch_replaces_each_array_sent_whole_and_leaves_keys_not_sent():
    http = client()
    candidate_id = created_id(http)
    new_entry = {"school": "Cambridge", "degree": "MA"}
    assert patch(http, candidate_id, {"education_entries": [new_entry], "tags": []}).status_code == 200
    after = stored(http, candidate_id)
    assert without_ids(after["education_entries"]) == [new_entry] and after["tags"] == []
    assert without_ids(after["experience_entries"]) == candidate()["experience_entries"]
    assert after["phone"] == candidate()["phone"]


def test_patch_updates_an_entry_sent_with_its_id_and_deletes_entries_not_sent():
    http = client()
    candidate_id = created_id(http, education_entries=[{"school": "London"}, {"school": "Cambridge"}])
    london, cambridge = stored(http, candidate_id)["education_entries"]
    assert london["id"] and cambridge["id"] and london["id"] != cambridge["id"]
    changes = {
        "education_entries": [{"id": london["id"], "school": "University of London"}, {"school": "Paris"}]
    }
    assert patch(http, candidate_id, changes).status_code == 200
    first, added = stored(http, candidate_id)["education_entries"]
    assert first == {"id": london["id"], "school": "University of London"}
    assert added["school"] == "Paris" and added["id"] not in (london["id"], cambridge["id"])


def test_patch_refuses_an_entry_id_the_candidate_does_not_have():
    http = client()
    candidate_id = created_id(http)
    errors = refused(patch(http, candidate_id, {"experience_entries": [{"id": "e999", "title": "Analyst"}]}))
    assert errors == {"experience_entries": [sandbox.ASSUMED["unknown_entry_id"]]}


def test_the_full_candidate_shows_skills_as_names_and_the_resume_as_a_url():
    http = client()
    candidate_id = created_id(http)
    shown = stored(http, candidate_id)
    assert shown["skills"] == [{"name": "Mathematics"}]
    assert shown["resume_url"].endswith("/ada.pdf") and "resume" not in shown


def test_patch_validates_the_fields_it_is_sent_by_the_same_rules():
    http = client()
    candidate_id = created_id(http)
    errors = refused(patch(http, candidate_id, {"texting_consent": "ok", "experience_entries": [{}]}))
    assert set(errors) == {"texting_consent", "experience_entries"}
    assert "resume" in refused(patch(http, candidate_id, {"resume": {"name": "ada.odt", "data": PDF}}))
    assert "candidate" in refused(http.patch(f"{BASE}/candidates/{candidate_id}", json={}, headers=TOKEN))


def test_patch_needs_no_name_or_email():
    http = client()
    candidate_id = created_id(http)
    assert patch(http, candidate_id, {"headline": "Analyst"}).status_code == 200


# --- comments, job paging -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body,field",
    [
        ({"comment": {"body": "Applied"}}, "member_id"),
        ({"member_id": "m-100", "comment": {"body": " "}}, "comment"),
        ({"member_id": "m-100", "comment": {"body": "Applied", "policy": ["everyone"]}}, "policy"),
        ({"member_id": "m-100", "comment": {"body": "Applied", "policy": "admin"}}, "policy"),
        ({"member_id": "m-100", "comment": {"body": "Hi", "attachment": [{"name": "a.pdf"}]}}, "attachment"),
    ],
    ids=["no-member", "no-body", "unknown-policy", "policy-not-a-list", "attachment-not-one-object"],
)
def test_comments_need_a_member_a_body_documented_policies_and_one_attachment(body, field):
    http = client()
    candidate_id = created_id(http)
    response = http.post(f"{BASE}/candidates/{candidate_id}/comments", json=body, headers=TOKEN)
    assert field in refused(response)


def test_jobs_page_at_most_100_with_paging_next_only_when_more_exist():
    jobs = [dict(sandbox.DEFAULT_JOBS[1], id=f"j{i}", shortcode=f"S{i}") for i in range(130)]
    http = client({"jobs": jobs})
    first = http.get(f"{BASE}/jobs", params={"limit": 500}, headers=TOKEN).json()
    assert len(first["jobs"]) == 100
    rest = http.get(first["paging"]["next"], headers=TOKEN).json()
    assert len(rest["jobs"]) == 30 and "paging" not in rest


TYPED_QUESTIONS = [
    {"id": "d1", "body": "Start date", "type": "date", "required": False},
    {"id": "n1", "body": "Notice (weeks)", "type": "number", "required": False},
    {
        "id": "f1",
        "body": "Portfolio",
        "type": "file",
        "required": False,
        "supported_file_types": ["pdf"],
        "max_file_size": 10,
    },
]


@pytest.mark.parametrize(
    "answer",
    [
        {"question_key": "d1", "date": "01/02/2027"},
        {"question_key": "n1", "number": "four"},
        {"question_key": "n1", "number": True},
        {"question_key": "f1", "file": {"name": "work.docx", "data": PDF}},
        {"question_key": "f1", "file": {"name": "work.pdf", "data": base64.b64encode(b"x" * 11).decode()}},
        {"question_key": "f1", "file": {"name": "work.pdf"}},
    ],
    ids=["date-format", "number-as-text", "number-as-boolean", "file-type", "file-size", "file-without-data"],
)
def test_workable_date_number_and_file_answers_take_their_documented_shape(answer):
    jobs = [dict(sandbox.DEFAULT_JOBS[1], questions=TYPED_QUESTIONS)]
    http = client({"jobs": jobs})
    assert "answers" in refused(create(http, {"candidate": candidate(answers=[answer])}, shortcode="DA2"))
    good = [
        {"question_key": "d1", "date": "2027-02-01"},
        {"question_key": "n1", "number": 4},
        {"question_key": "f1", "file": {"name": "work.pdf", "data": base64.b64encode(b"%PDF").decode()}},
    ]
    assert create(http, {"candidate": candidate(answers=good)}, shortcode="DA2").status_code == 201
