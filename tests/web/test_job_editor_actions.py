"""Whole-job actions: scheduled opening and closing, close, reopen, duplicate, delete and
unpublish, each destructive one only after its confirmation step; and HR's preview of a job
page the public cannot reach."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Job, Question, utcnow
from tests.conftest import add_job, add_user, csrf_token_from, login
from tests.web.helpers import open_form, post_application, valid_answers

NOW = datetime(2030, 6, 15, 12, 0)


@pytest.fixture
def hr(app, client):
    add_user(app)
    login(client)
    return client


def token(hr) -> str:
    return csrf_token_from(hr.get("/admin/jobs").text)


def job(app, job_id: int) -> Job | None:
    with app.app_context():
        found = db.session.get(Job, job_id)
        if found is not None:
            db.session.expunge(found)
        return found


def apply_to(app, job_id: int) -> None:
    public = app.test_client()
    response = post_application(public, job_id, open_form(public, job_id), valid_answers())
    assert response.status_code == 302


def test_is_open_in_python_and_in_sql_agree_on_opening_and_closing_dates(app):
    moments = (None, NOW - timedelta(days=1), NOW, NOW + timedelta(days=1))
    with app.app_context():
        for published, closed, opens_at, valid_through in product(
            (True, False), (False, True), moments, moments
        ):
            db.session.add(
                Job(
                    title="j",
                    published=published,
                    closed=closed,
                    opens_at=opens_at,
                    valid_through=valid_through,
                )
            )
        db.session.commit()
        jobs = db.session.scalars(select(Job)).all()
        in_sql = set(db.session.scalars(select(Job.id).where(Job.is_open(NOW))))
        in_python = {j.id for j in jobs if j.is_open(NOW)}
        assert in_sql == in_python
        opened_today = next(
            j for j in jobs if j.published and not j.closed and j.opens_at == NOW and j.valid_through is None
        )
        assert opened_today.id in in_sql  # open from its opening moment on
        not_yet = next(
            j
            for j in jobs
            if j.published
            and not j.closed
            and j.opens_at == NOW + timedelta(days=1)
            and j.valid_through is None
        )
        assert not_yet.id not in in_sql


def test_a_job_scheduled_to_open_later_is_not_public_until_then(app, client):
    later = add_job(app, title="Opens tomorrow", opens_at=utcnow() + timedelta(days=1))
    earlier = add_job(app, title="Opened yesterday", opens_at=utcnow() - timedelta(days=1))
    listing = client.get("/jobs").text
    assert "Opened yesterday" in listing and "Opens tomorrow" not in listing
    assert client.get(f"/jobs/{later}").status_code == 404
    assert client.get(f"/jobs/{earlier}").status_code == 200
    assert f"/jobs/{later}" not in client.get("/sitemap.xml").text


def test_unpublish_without_the_confirm_step_changes_nothing_and_asks_first(app, hr):
    job_id = add_job(app)
    asked = hr.post(f"/admin/jobs/{job_id}/unpublish", data={"csrf_token": token(hr)})
    assert asked.status_code == 200 and "Unpublish “Backend Engineer”?" in asked.text
    assert 'name="confirm" value="yes"' in asked.text
    assert job(app, job_id).published is True
    done = hr.post(
        f"/admin/jobs/{job_id}/unpublish", data={"csrf_token": csrf_token_from(asked.text), "confirm": "yes"}
    )
    assert done.status_code == 302 and job(app, job_id).published is False


def test_the_jobs_list_leads_to_confirmation_pages_not_to_one_click_actions(app, hr):
    job_id = add_job(app)
    page = hr.get("/admin/jobs").text
    for action in ("unpublish", "close", "delete"):
        assert f'<a href="/admin/jobs/{job_id}/{action}">' in page
        confirm_page = hr.get(f"/admin/jobs/{job_id}/{action}")
        assert confirm_page.status_code == 200 and 'name="confirm" value="yes"' in confirm_page.text
    after = job(app, job_id)
    assert after.published and not after.closed


def test_a_confirmation_without_a_csrf_token_changes_nothing(app, hr):
    job_id = add_job(app)
    response = hr.post(f"/admin/jobs/{job_id}/close", data={"confirm": "yes"})
    assert response.status_code in (200, 400)
    assert job(app, job_id).closed is False
    assert hr.get(f"/jobs/{job_id}").status_code == 200


def test_a_closed_job_takes_no_applications_and_reopens_on_request(app, hr):
    job_id = add_job(app)
    hr.post(f"/admin/jobs/{job_id}/close", data={"csrf_token": token(hr)})
    assert job(app, job_id).closed is False  # no confirm step: nothing happened
    hr.post(f"/admin/jobs/{job_id}/close", data={"csrf_token": token(hr), "confirm": "yes"})
    closed = job(app, job_id)
    assert closed.closed is True and closed.valid_through is not None and closed.valid_through <= utcnow()
    assert hr.get(f"/jobs/{job_id}").status_code == 404
    assert hr.get(f"/jobs/{job_id}/apply").status_code == 410
    assert "Reopen" in hr.get("/admin/jobs").text
    hr.post(f"/admin/jobs/{job_id}/reopen", data={"csrf_token": token(hr)})
    reopened = job(app, job_id)
    assert reopened.closed is False and reopened.valid_through is None
    assert hr.get(f"/jobs/{job_id}").status_code == 200


def test_duplicate_makes_an_unpublished_copy_with_the_questions(app, hr):
    job_id = add_job(
        app,
        salary_min=50000,
        salary_currency="EUR",
        questions=[
            {"label": "Notice period", "kind": "short_text", "required": True},
            {"label": "Editor", "kind": "single_select", "options": ["vim", "emacs"]},
        ],
    )
    response = hr.post(f"/admin/jobs/{job_id}/duplicate", data={"csrf_token": token(hr)})
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.scalar(select(Job).where(Job.title == "Backend Engineer (copy)"))
        assert copy is not None and copy.id != job_id and response.location.endswith(f"/admin/jobs/{copy.id}")
        assert copy.published is False and copy.closed is False
        assert (copy.salary_min, copy.salary_currency, copy.description_html) == (
            50000,
            "EUR",
            "<p>Build things.</p>",
        )
        assert [(q.label, q.kind, q.required, q.options) for q in copy.questions] == [
            ("Notice period", "short_text", True, []),
            ("Editor", "single_select", False, ["vim", "emacs"]),
        ]
        original = db.session.get(Job, job_id)
        assert len(original.questions) == 2 and original.published is True
        assert {q.id for q in copy.questions}.isdisjoint({q.id for q in original.questions})


def test_a_job_nobody_applied_to_is_deleted_after_confirmation(app, hr):
    job_id = add_job(app, published=False, questions=[{"label": "Notice period", "kind": "short_text"}])
    hr.post(f"/admin/jobs/{job_id}/delete", data={"csrf_token": token(hr)})
    assert job(app, job_id) is not None
    response = hr.post(f"/admin/jobs/{job_id}/delete", data={"csrf_token": token(hr), "confirm": "yes"})
    assert response.status_code == 302
    assert job(app, job_id) is None
    with app.app_context():
        assert db.session.scalar(select(Question)) is None


def test_a_job_with_applications_cannot_be_deleted_and_close_is_offered(app, hr):
    job_id = add_job(app)
    apply_to(app, job_id)
    page = hr.get(f"/admin/jobs/{job_id}/delete")
    assert "cannot be deleted" in page.text and f'href="/admin/jobs/{job_id}/close"' in page.text
    assert 'name="confirm"' not in page.text
    response = hr.post(f"/admin/jobs/{job_id}/delete", data={"csrf_token": token(hr), "confirm": "yes"})
    assert response.status_code == 409
    assert job(app, job_id) is not None


def test_removing_a_question_needs_its_confirmation(app, hr):
    job_id = add_job(app, questions=[{"label": "Notice period", "kind": "short_text"}])
    with app.app_context():
        question_id = db.session.scalar(select(Question.id))
    url = f"/admin/jobs/{job_id}/questions/{question_id}/delete"
    asked = hr.post(url, data={"csrf_token": token(hr)})
    assert asked.status_code == 200 and "Remove the question “Notice period”?" in asked.text
    assert "Notice period" in hr.get(f"/jobs/{job_id}/apply").text
    hr.post(url, data={"csrf_token": token(hr), "confirm": "yes"})
    assert "Notice period" not in hr.get(f"/jobs/{job_id}/apply").text


def test_hr_previews_an_unpublished_job_as_candidates_will_see_it(app, hr):
    job_id = add_job(app, published=False, description_html="<p>Build <strong>things</strong>.</p>")
    page = hr.get(f"/admin/jobs/{job_id}/preview")
    assert page.status_code == 200
    assert "Preview — not published" in page.text and f'href="/admin/jobs/{job_id}"' in page.text
    assert "Share this job" not in page.text
    assert "<p>Build <strong>things</strong>.</p>" in page.text
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    assert "application/ld+json" not in page.text
    assert page.headers["Cache-Control"] == "no-store"


def test_the_preview_of_an_unpublished_job_is_not_public(app, client):
    job_id = add_job(app, published=False)
    preview = client.get(f"/admin/jobs/{job_id}/preview")
    assert preview.status_code == 302 and "/admin/login" in preview.location
    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert "Backend Engineer" not in client.get("/jobs").text


def test_the_preview_of_a_scheduled_job_says_it_is_not_open(app, hr):
    job_id = add_job(app, opens_at=utcnow() + timedelta(days=3))
    page = hr.get(f"/admin/jobs/{job_id}/preview").text
    assert "Preview — not open for applications" in page


def test_the_form_of_a_job_not_open_yet_is_not_found_rather_than_closed(app, client):
    job_id = add_job(app, opens_at=utcnow() + timedelta(days=1))
    assert client.get(f"/jobs/{job_id}/apply").status_code == 404


def test_a_job_opening_after_it_was_created_is_posted_on_its_opening_day(app, client):
    created = utcnow() - timedelta(days=10)
    job_id = add_job(app, date_posted=created, opens_at=utcnow() - timedelta(days=2))
    page = client.get(f"/jobs/{job_id}").text
    posted = (utcnow() - timedelta(days=2)).date().isoformat()
    assert f'"datePosted": "{posted}"' in page
