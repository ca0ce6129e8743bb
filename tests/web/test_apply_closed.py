"""A job that closes while someone fills in its form: a page that keeps what they wrote and
their resume, and points to similar open jobs, instead of a 404 that loses it all."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Application, Job
from tests.conftest import add_job
from tests.web.helpers import field_value, hidden_fields, open_form, post_application, valid_answers
from tests.web.test_embed import HOST, SAME_ORIGIN, embed_error, open_embed

LETTER = "Dear team,\nI have wanted to work on compilers <for years>."


def close(app, job_id: int) -> None:
    with app.app_context():
        db.session.get(Job, job_id).closed = True
        db.session.commit()


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Application))


def add_jobs(app) -> dict[str, int]:
    """The job that closes, and others of its team and place, or neither."""
    return {
        "closing": add_job(app, title="Compiler Engineer", department="Engineering", location="Berlin"),
        "other place": add_job(app, title="Engineer Lisbon", department="Engineering", location="Lisbon"),
        "other team": add_job(app, title="Sales Berlin", department="Sales", location="Berlin"),
        "same team and place": add_job(
            app, title="Engineer Berlin", department="Engineering", location="Berlin"
        ),
        "neither": add_job(app, title="Sales Lisbon", department="Sales", location="Lisbon"),
    }


def titles_offered(html: str) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)


def test_a_job_closed_while_the_form_was_open_keeps_what_was_sent_and_offers_similar_jobs(app, client):
    jobs = add_jobs(app)
    hidden = open_form(client, jobs["closing"])
    close(app, jobs["closing"])
    response = post_application(client, jobs["closing"], hidden, valid_answers(cover_letter=LETTER))
    assert response.status_code == 410
    assert "This position is no longer open" in response.text
    assert "Grace" in response.text and "grace@example.com" in response.text
    letter = re.search(r'<textarea id="kept-letter" readonly[^>]*>(.*?)</textarea>', response.text, re.S)
    assert letter and letter.group(1) == LETTER.replace("<", "&lt;").replace(">", "&gt;")
    assert "<dd>resume.pdf</dd>" in response.text
    assert titles_offered(response.text) == [
        "Engineer Berlin",
        "Engineer Lisbon",
        "Sales Berlin",
        "Sales Lisbon",
    ]
    assert stored(app) == 0


def test_a_similar_job_s_form_opens_filled_in_with_the_resume_and_is_taken_when_sent(app, client):
    jobs = add_jobs(app)
    hidden = open_form(client, jobs["closing"])
    close(app, jobs["closing"])
    closed = post_application(client, jobs["closing"], hidden, valid_answers(cover_letter=LETTER))
    carried = hidden_fields(closed.text)
    assert carried["held_resume"] and carried["carried_from"] == str(jobs["closing"])
    target = jobs["same team and place"]
    assert f'formaction="/jobs/{target}/apply"' in closed.text
    opened = client.post(f"/jobs/{target}/apply", data=carried)
    assert opened.status_code == 200
    assert field_value(opened.text, "email") == "grace@example.com"
    assert field_value(opened.text, "cover_letter") == LETTER
    assert "resume.pdf</strong> is attached" in opened.text
    assert "field-error" not in opened.text and stored(app) == 0
    form = hidden_fields(opened.text)
    assert form["submission_key"] != hidden["submission_key"]
    sent = post_application(client, target, form, valid_answers(cover_letter=LETTER), files={})
    assert sent.status_code == 302, sent.text
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert (application.job_id, application.resume_filename) == (target, "resume.pdf")
        assert application.cover_letter == LETTER


def test_opening_the_form_of_a_closed_job_says_so_and_offers_similar_jobs(app, client):
    jobs = add_jobs(app)
    close(app, jobs["closing"])
    response = client.get(f"/jobs/{jobs['closing']}/apply")
    assert response.status_code == 410
    assert titles_offered(response.text)[0] == "Engineer Berlin"


def test_unknown_and_unpublished_jobs_stay_not_found(app, client):
    draft = add_job(app, published=False)
    assert client.get(f"/jobs/{draft}/apply").status_code == 404
    assert client.post("/jobs/999/apply", data={"first_name": "Grace"}).status_code == 404


def test_in_the_embed_a_closed_job_shows_what_was_typed_and_the_host_hears_an_error(make_app):
    app = make_app(EMBED_ALLOWED_ORIGINS=[HOST])
    client = app.test_client()
    jobs = add_jobs(app)
    hidden, _ = open_embed(client, jobs["closing"])
    close(app, jobs["closing"])
    response = client.post(
        f"/embed/jobs/{jobs['closing']}/apply?origin={HOST}",
        data=dict(hidden, **valid_answers(cover_letter=LETTER)),
        content_type="multipart/form-data",
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 410
    assert embed_error(response.text) == "job_closed"
    assert 'class="site-header"' not in response.text and f'data-embed-origin="{HOST}"' in response.text
    assert "grace@example.com" in response.text and "I have wanted to work on compilers" in response.text
    assert f'href="/embed/jobs/{jobs["same team and place"]}/apply?origin=' in response.text
