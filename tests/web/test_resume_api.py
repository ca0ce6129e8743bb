"""POST /api/resume/parse: autofill suggestions, cached by file hash, CSRF and rate limits."""

from __future__ import annotations

import io
import time

from sqlalchemy import func, select

from app.extensions import db
from app.models import Application, ParsedResume
from tests.conftest import FIXTURES, add_job, csrf_token_from
from tests.support.resume_files import scanned_pdf
from tests.web.helpers import open_form, post_application, valid_answers


def parse(client, token: str, name: str = "resume.pdf", data: bytes | None = None):
    """The answer the autofill script ends with: the POST's, or the last poll's."""
    return follow(client, post(client, token, name, data))


def post(client, token: str, name: str = "resume.pdf", data: bytes | None = None):
    body = data if data is not None else (FIXTURES / "files" / name).read_bytes()
    return client.post(
        "/api/resume/parse",
        data={"resume": (io.BytesIO(body), name)},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )


def follow(client, response, polls: int = 100):
    """Poll a parse left running, as the script does (bounded: a parse ends within seconds)."""
    for _ in range(polls):
        if response.status_code != 202:
            return response
        time.sleep(0.1)
        response = client.get(response.get_json()["poll"])
    raise AssertionError("the parse never finished")


def page_token(app, client) -> str:
    job_id = add_job(app)
    return csrf_token_from(client.get(f"/jobs/{job_id}/apply").text)


def test_a_resume_is_parsed_into_fields_with_their_source_lines(app, client):
    response = parse(client, page_token(app, client))
    assert response.status_code == 200
    result = response.get_json()
    assert result["ok"] is True and result["format"] == "pdf"
    fields = result["fields"]
    assert fields["email"]["value"] == "grace.hopper@example.com"
    assert fields["phone"]["value"] == "+12125550142"
    assert fields["first_name"]["value"] == "Grace" and fields["last_name"]["value"] == "Hopper"
    assert "grace.hopper@example.com" in fields["email"]["source"]
    assert 0 < fields["email"]["confidence"] <= 1


def test_the_same_file_is_parsed_once(app, client):
    token = page_token(app, client)
    first = parse(client, token).get_json()
    second = parse(client, token).get_json()
    assert first == second
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParsedResume)) == 1


def test_a_docx_and_a_doc_resume_are_parsed(app, client):
    token = page_token(app, client)
    assert (
        parse(client, token, "resume.docx").get_json()["fields"]["email"]["value"]
        == "alan.turing@example.org"
    )
    assert (
        parse(client, token, "resume.doc").get_json()["fields"]["email"]["value"] == "alan.turing@example.org"
    )


def test_a_file_that_is_not_a_resume_gets_a_clear_message(app, client):
    response = parse(client, page_token(app, client), "photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    assert response.status_code == 422
    assert "could not recognise this file" in response.get_json()["message"]


def test_a_scanned_pdf_is_named_as_such(app, client):
    response = parse(client, page_token(app, client), "scan.pdf", scanned_pdf())
    result = response.get_json()
    assert result["ok"] is False and result["error_code"] == "scanned"
    assert "scanned" in result["message"].lower()


def test_parsing_needs_the_csrf_token(app, client):
    page_token(app, client)
    response = parse(client, "not-a-token")
    assert response.status_code == 400


def test_parsing_is_rate_limited(app, client):
    token = page_token(app, client)
    statuses = [post(client, token).status_code for _ in range(31)]
    assert set(statuses[:30]) <= {200, 202} and statuses[30] == 429


def test_an_application_keeps_the_parse_of_its_resume(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    parse(client, hidden["csrf_token"])
    post_application(client, job_id, hidden, valid_answers())
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert application.parsed["fields"]["email"]["value"] == "grace.hopper@example.com"


def test_a_long_parse_is_answered_at_once_with_a_token_and_ends_through_polling(app, client):
    from tests.hostile.pdfs import many_text_ops

    response = post(client, page_token(app, client), "slow.pdf", many_text_ops(3_000_000, compress=True))
    assert response.status_code == 202
    pending = response.get_json()
    assert pending["pending"] is True and response.headers["Location"] == pending["poll"]
    result = follow(client, response).get_json()
    assert result["ok"] is False and result["error_code"] == "timeout"
    assert "You can still apply" in result["message"]


def test_a_forged_poll_token_finds_nothing(app, client):
    response = client.get("/api/resume/parse/" + "e" * 64)
    assert response.status_code == 404 and response.get_json()["ok"] is False
