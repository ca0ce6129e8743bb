"""The embed: framing headers, the cookie-less token (forged, expired, replayed, misbound), the
same-origin check, start-up validation of the allowlist, attribution, autofill and admin snippets."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from app import ConfigError, create_app
from app.embed.tokens import issue_token
from app.extensions import db
from app.models import Application, utcnow
from tests.conftest import add_job, add_user, app_config, login
from tests.web.helpers import hidden_fields, resume_file, valid_answers

HOST = "https://www.corp.example"
OTHER_HOST = "http://localhost:8000"
OURS = "http://careers.test"  # SERVER_NAME of the test app
SAME_ORIGIN = {"Origin": OURS, "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def app(make_app):
    return make_app(EMBED_ALLOWED_ORIGINS=[HOST, OTHER_HOST])


@pytest.fixture
def job_id(app):
    return add_job(app)


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Application))


def open_embed(client, job_id: int, query: str = f"origin={HOST}") -> tuple[dict, str]:
    page = client.get(f"/embed/jobs/{job_id}/apply?{query}")
    assert page.status_code == 200, page.text
    return hidden_fields(page.text), page.text


def post_embed(client, job_id: int, hidden: dict, *, origin: str = HOST, headers=None, **answers):
    data = dict(hidden)
    data.update(valid_answers(**answers))
    data["resume"] = resume_file()
    return client.post(
        f"/embed/jobs/{job_id}/apply?origin={origin}",
        data=data,
        content_type="multipart/form-data",
        headers=SAME_ORIGIN if headers is None else headers,
    )


def embed_error(html: str) -> str:
    match = re.search(r'data-embed-error="([^"]+)"', html)
    return match.group(1) if match else ""


def test_an_embedded_application_is_stored_without_any_cookie(app, client, job_id):
    hidden, html = open_embed(client, job_id)
    assert "csrf_token" not in hidden and hidden["embed_token"]
    assert f'data-embed-origin="{HOST}"' in html
    client.delete_cookie("session", domain="careers.test")
    response = post_embed(client, job_id, hidden)
    assert response.status_code == 302, response.text
    assert response.headers["Location"].startswith("/embed/applications/")
    assert "Set-Cookie" not in response.headers
    thanks = client.get(response.headers["Location"])
    assert 'data-application-id="' in thanks.text and f'data-embed-origin="{HOST}"' in thanks.text
    assert stored(app) == 1


def test_an_embedded_form_with_the_honeypot_filled_is_thanked_in_the_embed_and_stores_nothing(
    app, client, job_id
):
    hidden, _ = open_embed(client, job_id)
    response = post_embed(client, job_id, hidden, nickname="bot")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/embed/applications/received")
    assert stored(app) == 0


def test_no_embed_page_sets_a_cookie(client, job_id):
    for url in (f"/embed/jobs?origin={HOST}", f"/embed/jobs/{job_id}/apply?origin={HOST}"):
        assert "Set-Cookie" not in client.get(url).headers


def test_attribution_from_the_host_is_stored(app, client, job_id):
    hidden, _ = open_embed(
        client,
        job_id,
        f"origin={HOST}&utm_source=newsletter&utm_campaign=spring&src=tw42&referrer=news.example&ignored=x",
    )
    assert post_embed(client, job_id, hidden).status_code == 302
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert application.attribution == {
            "utm_source": "newsletter",
            "utm_campaign": "spring",
            "src": "tw42",
            "referrer": "news.example",
        }


def test_links_inside_the_embed_keep_origin_and_attribution(client, job_id):
    board = client.get(f"/embed/jobs?origin={HOST}&utm_source=ads&accent=0a7d5a")
    assert board.status_code == 200
    job_page = unescape(re.search(r'href="(/embed/jobs/\d+\?[^"]*)"', board.text).group(1))
    page = client.get(job_page)
    assert page.status_code == 200
    link = unescape(re.search(r'href="(/embed/jobs/\d+/apply[^"]*)"', page.text).group(1))
    for url in (job_page, link):
        assert f"origin={HOST}" in url
        assert "utm_source=ads" in url and "accent=0a7d5a" in url


def test_the_board_opens_the_job_description_before_the_form(app, client):
    job_id = add_job(app, title="Writer", description_html="<p>Write <b>guides</b> for our API.</p>")
    board = client.get(f"/embed/jobs?origin={HOST}").text
    assert f'<a href="/embed/jobs/{job_id}?origin=' in board
    page = client.get(f"/embed/jobs/{job_id}?origin={HOST}")
    assert page.status_code == 200 and 'data-embed-page="job"' in page.text
    assert "Write <b>guides</b> for our API." in page.text
    assert f'href="/embed/jobs/{job_id}/apply?origin=' in page.text
    assert f"frame-ancestors {HOST} {OTHER_HOST}" in page.headers["Content-Security-Policy"]


def test_a_forged_token_is_rejected_and_nothing_stored(app, client, job_id):
    hidden, _ = open_embed(client, job_id)
    hidden["embed_token"] = hidden["embed_token"][:-4] + (
        "AAAA" if not hidden["embed_token"].endswith("AAAA") else "BBBB"
    )
    response = post_embed(client, job_id, hidden)
    assert response.status_code == 403 and embed_error(response.text) == "token_invalid"
    assert stored(app) == 0


def test_a_missing_token_is_rejected(app, client, job_id):
    hidden, _ = open_embed(client, job_id)
    del hidden["embed_token"]
    response = post_embed(client, job_id, hidden)
    assert response.status_code == 403 and embed_error(response.text) == "token_missing"
    assert stored(app) == 0


def expired_token(job_id: int, origin: str = HOST) -> tuple[str, str]:
    signed, token = issue_token("test-secret-key", job_id, origin, now=lambda: time.time() - 2 * 3600 - 5)
    return signed, token.nonce


def test_an_expired_token_brings_the_form_back_with_what_was_typed_and_stores_nothing(app, client, job_id):
    hidden, _ = open_embed(client, job_id)
    signed, nonce = expired_token(job_id)
    hidden.update(embed_token=signed, submission_key=nonce)
    response = post_embed(
        client, job_id, hidden, email="late@example.com", cover_letter="Written over a long lunch."
    )
    assert response.status_code == 422 and embed_error(response.text) == "token_expired"
    assert "Please send the form again" in response.text
    assert 'value="late@example.com"' in response.text and "Written over a long lunch." in response.text
    again = hidden_fields(response.text)
    assert again["embed_token"] != signed and again["submission_key"] != nonce
    assert again["held_resume"], "the resume is held, not lost"
    assert stored(app) == 0
    again.update(valid_answers(email="late@example.com", cover_letter="Written over a long lunch."))
    sent = client.post(
        f"/embed/jobs/{job_id}/apply?origin={HOST}",
        data=again,
        content_type="multipart/form-data",
        headers=SAME_ORIGIN,
    )
    assert sent.status_code == 302, sent.text
    with app.app_context():
        (application,) = db.session.scalars(select(Application)).all()
        assert application.email == "late@example.com" and application.resume_filename == "resume.pdf"


def test_an_expired_token_of_another_job_or_host_is_refused_not_renewed(app, client, job_id):
    other_job = add_job(app, title="Other role")
    for signed, nonce in (expired_token(other_job), expired_token(job_id, OTHER_HOST)):
        hidden, _ = open_embed(client, job_id)
        hidden.update(embed_token=signed, submission_key=nonce)
        response = post_embed(client, job_id, hidden)
        assert response.status_code == 403 and embed_error(response.text) == "token_invalid"
    assert stored(app) == 0


def test_an_expired_token_from_another_site_is_refused_before_anything_else(app, client, job_id):
    hidden, _ = open_embed(client, job_id)
    signed, nonce = expired_token(job_id)
    hidden.update(embed_token=signed, submission_key=nonce)
    response = post_embed(
        client, job_id, hidden, headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403 and embed_error(response.text) == "origin_mismatch"
    assert "embed_token" not in hidden_fields(response.text)


def test_an_expired_form_whose_application_was_sent_is_not_offered_again(app, client, job_id):
    hidden, _ = open_embed(client, job_id)
    assert post_embed(client, job_id, hidden).status_code == 302
    with app.app_context():
        key = db.session.scalar(select(Application.submission_key))
    signed, _ = expired_token(job_id)
    hidden.update(embed_token=signed, submission_key=key)
    response = post_embed(client, job_id, hidden)
    assert response.status_code == 409 and embed_error(response.text) == "token_used"
    assert stored(app) == 1


def test_a_token_just_under_two_hours_old_is_accepted(app, client, job_id):
    hidden, _ = open_embed(client, job_id)
    signed, token = issue_token("test-secret-key", job_id, HOST, now=lambda: time.time() - 7100)
    hidden.update(embed_token=signed, submission_key=token.nonce)
    assert post_embed(client, job_id, hidden).status_code == 302
    assert stored(app) == 1


def test_a_replayed_token_is_rejected_and_stores_nothing_more(app, client, job_id):
    hidden, _ = open_embed(client, job_id)
    assert post_embed(client, job_id, hidden).status_code == 302
    again = post_embed(client, job_id, hidden, email="other@example.com")
    assert again.status_code == 409 and embed_error(again.text) == "token_used"
    hidden["submission_key"] = "f" * 32
    assert post_embed(client, job_id, hidden).status_code == 403
    assert stored(app) == 1


def test_a_token_for_another_job_is_rejected(app, client, job_id):
    other_job = add_job(app, title="Designer")
    hidden, _ = open_embed(client, other_job)
    response = post_embed(client, job_id, hidden)
    assert response.status_code == 403 and embed_error(response.text) == "token_invalid"
    assert stored(app) == 0


def test_a_token_for_another_host_is_rejected(app, client, job_id):
    hidden, _ = open_embed(client, job_id, f"origin={OTHER_HOST}")
    response = post_embed(client, job_id, hidden, origin=HOST)
    assert response.status_code == 403 and embed_error(response.text) == "token_invalid"
    assert stored(app) == 0


@pytest.mark.parametrize(
    "headers, code",
    [
        ({"Origin": "https://evil.example"}, "origin_mismatch"),
        ({"Origin": "null"}, "origin_mismatch"),
        ({"Origin": OURS, "Sec-Fetch-Site": "cross-site"}, "origin_mismatch"),
        ({"Sec-Fetch-Site": "same-site"}, "origin_mismatch"),
        ({}, "origin_missing"),
    ],
)
def test_a_post_from_another_site_is_rejected(app, client, job_id, headers, code):
    hidden, _ = open_embed(client, job_id)
    response = post_embed(client, job_id, hidden, headers=headers)
    assert response.status_code == 403 and embed_error(response.text) == code
    assert stored(app) == 0


def test_a_validation_error_keeps_the_token_and_a_corrected_form_is_taken(app, client, job_id):
    hidden, _ = open_embed(client, job_id)
    first = post_embed(client, job_id, hidden, email="not-an-email")
    assert first.status_code == 422 and stored(app) == 0
    again = hidden_fields(first.text)
    assert again["embed_token"] == hidden["embed_token"] and again["held_resume"]
    assert post_embed(client, job_id, again).status_code == 302
    assert stored(app) == 1


def test_a_host_not_in_the_allowlist_gets_our_message_which_any_site_may_frame(client, job_id):
    for url in (
        f"/embed/jobs/{job_id}/apply?origin=https://evil.example",
        f"/embed/jobs/{job_id}/apply",
        f"/embed/jobs/{job_id}?origin=https://evil.example",
        "/embed/jobs?origin=https://evil.example",
    ):
        page = client.get(url)
        assert page.status_code == 403
        assert "This form is not available on this site" in page.text
        assert "embed_token" not in page.text and "<form" not in page.text and "Build things" not in page.text
        assert 'data-embed-origin="*"' in page.text and embed_error(page.text) == "origin_not_allowed"
        assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in page.headers


def test_embed_pages_may_be_framed_only_by_the_allowed_hosts(client, job_id):
    for url in (f"/embed/jobs?origin={HOST}", f"/embed/jobs/{job_id}/apply?origin={HOST}"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert f"frame-ancestors {HOST} {OTHER_HOST}" in csp and csp.count("frame-ancestors") == 1
        assert "X-Frame-Options" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"


def test_every_other_page_keeps_frame_ancestors_none(client, job_id):
    for url in ("/jobs", f"/jobs/{job_id}", f"/jobs/{job_id}/apply", "/admin/login", "/api/health"):
        response = client.get(url)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url
        assert response.headers["X-Frame-Options"] == "DENY", url


def test_with_an_empty_allowlist_no_embed_page_but_our_message_can_be_framed(make_app):
    app = make_app()
    job = add_job(app)
    response = app.test_client().get(f"/embed/jobs/{job}/apply?origin={HOST}")
    assert response.status_code == 403
    assert "embed_token" not in response.text and "This form is not available" in response.text
    thanks = app.test_client().get(f"/embed/applications/received?origin={HOST}")
    assert "frame-ancestors 'none'" in thanks.headers["Content-Security-Policy"]
    assert thanks.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "entry, says",
    [
        ("*", "no wildcards"),
        ("https://*.corp.example", "no wildcards"),
        ("http://corp.example", "plain http"),
        ("https://corp.example/careers", "path"),
        ("https://corp.example/", "path"),
        ("https://user@corp.example", "user part"),
        ("corp.example", "must be an origin"),
        ("https://Corp.Example", "must be written as 'https://corp.example'"),
    ],
)
def test_an_unsafe_allowlist_entry_is_refused_at_start_up(tmp_path, entry, says):
    with pytest.raises(ConfigError, match="EMBED_ALLOWED_ORIGINS") as caught:
        create_app(app_config(tmp_path, EMBED_ALLOWED_ORIGINS=[entry]))
    assert says in str(caught.value)


def test_local_http_and_ports_are_accepted_and_the_env_may_list_them(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "CAREERS_EMBED_ALLOWED_ORIGINS",
        '["http://localhost:8000", "http://127.0.0.1:5001", "https://corp.example:8443"]',
    )
    app = create_app(app_config(tmp_path))
    assert app.config["EMBED_ALLOWED_ORIGINS"] == [
        "http://localhost:8000",
        "http://127.0.0.1:5001",
        "https://corp.example:8443",
    ]


def test_theme_colours_come_from_config_and_valid_query_values(make_app):
    app = make_app(EMBED_ALLOWED_ORIGINS=[HOST], EMBED_THEME={"accent": "#112233", "bg": "#ffffff"})
    client = app.test_client()
    page = client.get(f"/embed/jobs?origin={HOST}&accent=A1B2C3&text=red&bg=%3Cscript%3E")
    href = unescape(re.search(r'href="(/embed/theme.css[^"]*)"', page.text).group(1))
    css = client.get(href)
    assert css.mimetype == "text/css"
    assert "--accent: #a1b2c3;" in css.text and "--bg: #ffffff;" in css.text
    assert "--text" not in css.text and "script" not in css.text


def test_autofill_takes_the_embed_token_instead_of_a_session(client, job_id):
    hidden, _ = open_embed(client, job_id)
    with_token = client.post(
        "/api/resume/parse",
        data={"resume": resume_file()},
        headers={**SAME_ORIGIN, "X-Embed-Token": hidden["embed_token"]},
        content_type="multipart/form-data",
    )
    assert with_token.status_code != 400, with_token.text  # not refused by CSRF
    forged = client.post(
        "/api/resume/parse",
        data={"resume": resume_file()},
        headers={**SAME_ORIGIN, "X-Embed-Token": hidden["embed_token"] + "x"},
        content_type="multipart/form-data",
    )
    assert forged.status_code == 400
    cross_site = client.post(
        "/api/resume/parse",
        data={"resume": resume_file()},
        headers={"Origin": "https://evil.example", "X-Embed-Token": hidden["embed_token"]},
        content_type="multipart/form-data",
    )
    assert cross_site.status_code == 400


def test_the_admin_page_shows_a_snippet_for_the_board_and_each_job(app, client, job_id):
    add_user(app)
    login(client)
    page = client.get("/admin/embed")
    assert page.status_code == 200
    text = unescape(page.text)
    script = app.config["PUBLIC_BASE_URL"] + "/static/embed.js"
    assert f'<div data-careers-embed></div>\n<script src="{script}" async>' in text
    assert f'<div data-careers-embed data-job="{job_id}"></div>' in text
    assert HOST in text


def test_the_admin_page_offers_no_snippet_for_a_job_past_its_closing_date(app, client, job_id):
    expired = add_job(app, title="Expired", valid_through=utcnow() - timedelta(minutes=1))
    add_user(app)
    login(client)
    text = unescape(client.get("/admin/embed").text)
    assert f'data-job="{job_id}"' in text and f'data-job="{expired}"' not in text
