"""Save and finish later inside the embed: the iframe's form saves a draft with its embed token
(no session, no cookie), answers with the embed's own "saved" page that tells the host, mails
the link through a real SMTP server, and the link opens the careers site's full form, filled in
and carrying the embed's attribution. Forged, misbound or cross-site saves store nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.embed.tokens import issue_token
from app.extensions import db
from app.models import Application, Draft
from tests.conftest import add_job
from tests.support.smtp import smtp_server
from tests.web.helpers import field_value, hidden_fields, post_application, resume_file
from tests.web.test_drafts import link_in, send_all
from tests.web.test_embed import HOST, SAME_ORIGIN, embed_error

EMAIL = "grace@example.com"
PARTIAL = {"first_name": "Grace", "email": "Grace@Example.com", "cover_letter": "I like compilers."}


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def app(make_app, smtp):
    return make_app(
        EMBED_ALLOWED_ORIGINS=[HOST],
        MAIL_SENDER="jobs@corp.test",
        PUBLIC_BASE_URL="https://careers.test",
        **smtp.settings(),
    )


@pytest.fixture
def job_id(app):
    return add_job(app, title="Compiler Engineer")


def drafts(app) -> list[Draft]:
    with app.app_context():
        found = list(db.session.scalars(select(Draft)))
        db.session.expunge_all()
        return found


def open_embed(client, job_id: int, query: str = "") -> tuple[dict, str]:
    page = client.get(f"/embed/jobs/{job_id}/apply?origin={HOST}{query}")
    assert page.status_code == 200, page.text
    return hidden_fields(page.text), page.text


def save_in_embed(client, job_id: int, hidden: dict, *, headers=None, origin: str = HOST, **values):
    data = {**hidden, **PARTIAL, **values}
    return client.post(
        f"/embed/jobs/{job_id}/save?origin={origin}",
        data=data,
        content_type="multipart/form-data",
        headers=SAME_ORIGIN if headers is None else headers,
    )


def test_the_embedded_form_offers_save_and_finish_later_posting_to_the_embed(client, job_id):
    _hidden, html = open_embed(client, job_id)
    assert "Save and finish later" in html
    assert f'formaction="/embed/jobs/{job_id}/save?origin=' in html


def test_a_draft_saved_in_the_embed_is_mailed_and_opens_the_full_form_filled_in(app, smtp, job_id):
    client = app.test_client()
    hidden, _html = open_embed(client, job_id, "&utm_source=partnerblog")
    client.delete_cookie("session", domain="careers.test")
    response = save_in_embed(client, job_id, hidden, resume=resume_file())
    assert response.status_code == 200, response.text
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"
    page = response.text
    assert 'data-embed-page="saved"' in page and f'data-job="{job_id}"' in page
    assert f'data-embed-origin="{HOST}"' in page and "embed-frame.js" in page  # the host hears it
    assert "Your application is saved" in page and EMAIL in page
    assert 'href="/embed/jobs?origin=' in page  # back to the board, inside the frame
    (draft,) = drafts(app)
    assert draft.email == EMAIL and draft.typed["first_name"] == ["Grace"] and "resume" in draft.files
    assert "embed_token" not in draft.typed

    send_all(app)
    (received,) = smtp.recorder.to(EMAIL)
    link = link_in(received.body("plain"))
    assert link.startswith(f"/en/jobs/{job_id}/draft/")  # the careers site's form, not the frame

    other_device = app.test_client()
    form = other_device.get(link)
    assert form.status_code == 200
    assert field_value(form.text, "first_name") == "Grace" and "I like compilers." in form.text
    assert "<strong>resume.pdf</strong> is attached" in form.text
    sent = post_application(
        other_device,
        job_id,
        hidden_fields(form.text),
        {**PARTIAL, "last_name": "Hopper", "consent": "y"},
        {},
    )
    assert sent.status_code == 302, sent.text
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert application.email == EMAIL and application.resume_filename == "resume.pdf"
        assert application.attribution["utm_source"] == "partnerblog"  # where the embed was
    assert drafts(app) == []


def test_a_save_without_a_valid_email_comes_back_in_the_embed_with_its_token(client, job_id):
    hidden, _html = open_embed(client, job_id)
    response = save_in_embed(client, job_id, hidden, email="not-an-email")
    assert response.status_code == 422
    assert 'data-embed-page="apply"' in response.text and f'data-embed-origin="{HOST}"' in response.text
    assert hidden_fields(response.text)["embed_token"] == hidden["embed_token"]
    assert field_value(response.text, "first_name") == "Grace"
    assert drafts(client.application) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"embed_token": ""}, "token_missing"),
        ({"embed_token": "forged.token.value"}, "token_invalid"),
        ({"submission_key": "another-form"}, "token_invalid"),
    ],
)
def test_a_save_without_its_embed_token_is_refused_and_stores_nothing(client, job_id, change, code):
    hidden, _html = open_embed(client, job_id)
    response = save_in_embed(client, job_id, {**hidden, **change})
    assert response.status_code == 403 and embed_error(response.text) == code
    assert drafts(client.application) == []


def test_a_save_with_a_token_of_another_job_or_host_is_refused(app, client, job_id):
    other_job = add_job(app, title="Other")
    hidden, _html = open_embed(client, other_job)
    assert save_in_embed(client, job_id, hidden).status_code == 403
    signed, token = issue_token(app.config["SECRET_KEY"], job_id, "https://elsewhere.example")
    misbound = {**hidden, "embed_token": signed, "submission_key": token.nonce}
    assert save_in_embed(client, job_id, misbound).status_code == 403
    assert drafts(app) == []


def test_a_cross_site_save_is_refused(client, job_id):
    hidden, _html = open_embed(client, job_id)
    cross = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    response = save_in_embed(client, job_id, hidden, headers=cross)
    assert response.status_code == 403
    assert drafts(client.application) == []


def test_a_host_not_allowed_gets_the_blocked_page_and_nothing_is_saved(client, job_id):
    hidden, _html = open_embed(client, job_id)
    response = save_in_embed(client, job_id, hidden, origin="https://evil.example")
    assert response.status_code == 403 and 'data-embed-page="blocked"' in response.text
    assert drafts(client.application) == []


def test_too_many_saves_for_one_address_come_back_in_the_embed_and_tell_the_host(make_app, smtp):
    app = make_app(EMBED_ALLOWED_ORIGINS=[HOST], DRAFT_EMAIL_RATE_LIMIT="1 per hour", **smtp.settings())
    job_id = add_job(app)
    client = app.test_client()
    hidden, _html = open_embed(client, job_id)
    assert save_in_embed(client, job_id, hidden).status_code == 200
    again = save_in_embed(client, job_id, hidden, first_name="Gracie")
    assert again.status_code == 429 and embed_error(again.text) == "too_many_requests"
    assert (
        "Your application was not saved" in again.text and field_value(again.text, "first_name") == "Gracie"
    )
    assert f'data-embed-origin="{HOST}"' in again.text
    assert [d.typed["first_name"] for d in drafts(app)] == [["Grace"]]
