"""A file over the size limit: refused on the form itself, before upload (the script knows the
limit) and after (413 with the form kept), in the embed's own layout, and named by autofill."""

from __future__ import annotations

import io

import pytest

from tests.conftest import add_job
from tests.web.helpers import error_for, field_value, open_form, post_application, valid_answers
from tests.web.test_embed import HOST, SAME_ORIGIN, embed_error, open_embed

MB = 1024 * 1024


def pdf_of(size: int, name: str = "scan.pdf"):
    return (io.BytesIO(b"%PDF-1.4\n" + b"0" * size), name)


@pytest.fixture
def app(make_app):
    return make_app(MAX_UPLOAD_MB=1, EMBED_ALLOWED_ORIGINS=[HOST])


def test_the_form_tells_its_script_the_file_limit(app, client):
    page = client.get(f"/jobs/{add_job(app)}/apply").text
    assert f'data-max-bytes="{MB}"' in page and 'data-max-mb="1"' in page
    script = client.get("/static/apply.js").text
    assert "file.size" in script and "data-max-bytes" in script


def test_a_file_larger_than_a_whole_request_may_be_comes_back_on_the_form_with_what_was_typed(app, client):
    job_id = add_job(app)
    answers = valid_answers(cover_letter="Dear team,\nI like compilers.")
    response = post_application(
        client, job_id, open_form(client, job_id), answers, {"resume": pdf_of(4 * MB)}
    )
    assert response.status_code == 413
    assert "larger than 1 MB" in error_for(response.text, "resume")
    assert field_value(response.text, "first_name") == "Grace"
    assert field_value(response.text, "cover_letter") == "Dear team,\nI like compilers."
    assert 'class="site-header"' in response.text  # the site's page, with the form on it


def test_in_the_embed_a_large_file_comes_back_on_the_embedded_form_and_the_host_hears_an_error(app, client):
    job_id = add_job(app)
    hidden, _ = open_embed(client, job_id)
    data = dict(hidden, **valid_answers(), resume=pdf_of(4 * MB))
    response = client.post(
        f"/embed/jobs/{job_id}/apply?origin={HOST}",
        data=data,
        content_type="multipart/form-data",
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 413
    assert 'class="site-header"' not in response.text
    assert embed_error(response.text) == "file_too_large"
    assert f'data-embed-origin="{HOST}"' in response.text
    assert "larger than 1 MB" in error_for(response.text, "resume")
    assert field_value(response.text, "email") == "grace@example.com"


def test_in_the_embed_a_request_too_large_to_read_gets_the_embed_error_page(make_app):
    app = make_app(MAX_UPLOAD_MB=1, MAX_APPLY_REQUEST_MB=2, EMBED_ALLOWED_ORIGINS=[HOST])
    client = app.test_client()
    job_id = add_job(app)
    hidden, _ = open_embed(client, job_id)
    response = client.post(
        f"/embed/jobs/{job_id}/apply?origin={HOST}",
        data=dict(hidden, **valid_answers(), resume=pdf_of(4 * MB)),
        content_type="multipart/form-data",
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 413
    assert 'class="site-header"' not in response.text
    assert embed_error(response.text) == "file_too_large"
    assert f'data-embed-origin="{HOST}"' in response.text
    assert f"/embed/jobs/{job_id}/apply?origin=" in response.text


def test_autofill_names_the_limit_for_a_file_too_large_to_read(app, client):
    job_id = add_job(app)
    open_form(client, job_id)
    token = open_form(client, job_id)["csrf_token"]
    response = client.post(
        "/api/resume/parse",
        data={"resume": pdf_of(4 * MB)},
        content_type="multipart/form-data",
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert response.status_code == 413
    assert response.json["ok"] is False and response.json["error_code"] == "too_large"
    assert "larger than 1 MB" in response.json["message"]
