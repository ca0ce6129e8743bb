"""The apply form offers and names exactly the resume formats the server accepts."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Application
from app.resume.formats import ACCEPTED_FORMATS, CONTENT_TYPES, EXTENSIONS, format_names
from tests.conftest import add_job
from tests.support.resume_files import ACCEPTED_KINDS, png_bytes, resume_document
from tests.web.helpers import error_for, open_form, post_application, valid_answers

NAMES = "PDF, DOC, DOCX, RTF, ODT, TXT, HTML or MHT"


def file_input(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, name
    return tag.group(0)


def accept_list(html: str, name: str) -> set[str]:
    accept = re.search(r'accept="([^"]*)"', file_input(html, name))
    assert accept
    return set(unescape(accept.group(1)).split(","))


def hint_for(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="hint" id="hint-{field_id}">(.*?)</p>', html, re.S)
    return unescape(match.group(1)) if match else ""


def test_the_server_names_its_formats_in_one_sentence():
    assert format_names(ACCEPTED_FORMATS) == NAMES


def test_the_resume_and_file_question_inputs_offer_exactly_the_accepted_formats(app, client):
    job_id = add_job(app, questions=[{"label": "Work sample", "kind": "file"}])
    page = client.get(f"/jobs/{job_id}/apply").text
    expected = {ending for fmt in ACCEPTED_FORMATS for ending in EXTENSIONS[fmt]}
    expected |= {CONTENT_TYPES[fmt] for fmt in ACCEPTED_FORMATS}
    assert accept_list(page, "resume") == expected
    assert accept_list(page, "q_1") == expected
    assert hint_for(page, "resume").startswith(f"{NAMES}, up to 10 MB.")
    assert hint_for(page, "q_1") == f"{NAMES}, up to 10 MB."


@pytest.mark.parametrize("fmt", ACCEPTED_KINDS)
def test_a_resume_in_each_accepted_format_is_taken(app, client, fmt):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    upload = (io.BytesIO(resume_document(fmt)), f"ada.{fmt}")
    response = post_application(client, job_id, hidden, valid_answers(), {"resume": upload})
    assert response.status_code == 302, error_for(response.text, "resume")
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert application.resume_content_type == CONTENT_TYPES[fmt]


def test_a_refused_file_is_told_the_same_formats(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    upload = (io.BytesIO(png_bytes() * 4), "resume.pdf")
    response = post_application(client, job_id, hidden, valid_answers(), {"resume": upload})
    assert response.status_code == 422
    error = error_for(response.text, "resume")
    assert f"as a {NAMES} document" in error and f"Please upload a {NAMES} file." in error


def test_a_missing_required_resume_is_asked_for_in_the_same_formats(app, client):
    job_id = add_job(app, resume_required=True)
    hidden = open_form(client, job_id)
    response = post_application(client, job_id, hidden, valid_answers(), {})
    assert error_for(response.text, "resume") == f"Attach your resume ({NAMES})."
