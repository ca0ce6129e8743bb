"""The HR area: every page needs a login; jobs, questions, inbox and resume download work."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Application, Job, Question
from tests.conftest import PASSWORD, add_job, add_user, csrf_token_from, login
from tests.web.helpers import open_form, post_application, valid_answers


def admin_urls(app) -> list[tuple[str, str]]:
    """Every admin route with sample values for its arguments, and one of its methods."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint == "admin.login":
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{argument}>", "1" if argument != "kind" else "local", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    return urls


def test_every_admin_route_needs_a_login(app, client):
    add_job(app)
    urls = admin_urls(app)
    assert len(urls) >= 15
    token = csrf_token_from(client.get("/admin/login").text)  # a valid token, but no login
    for method, path in urls:
        response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code in (302, 401), (method, path, response.status_code)
        if response.status_code == 302:
            assert "/admin/login" in response.location, (method, path)


def test_login_with_the_right_password_opens_the_inbox(app, client):
    add_user(app)
    response = login(client)
    assert response.status_code == 302 and response.location.endswith("/admin/applications")
    assert client.get("/admin/applications").status_code == 200


def test_login_with_a_wrong_password_is_refused(app, client):
    add_user(app)
    response = login(client, password="wrong password")
    assert response.status_code == 401
    assert "Email or password is not right." in response.text
    assert client.get("/admin/applications").status_code == 302


def test_login_without_a_csrf_token_is_refused(app, client):
    add_user(app)
    response = client.post("/admin/login", data={"email": "hr@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/applications").status_code == 302


def test_an_expired_login_page_asks_again_with_the_email_kept_and_a_fresh_token(app, client):
    add_user(app)
    client.get("/admin/login")
    response = client.post(
        "/admin/login", data={"email": "hr@example.com", "password": PASSWORD, "csrf_token": "stale-token"}
    )
    assert response.status_code == 400 and "Please sign in again" in response.text
    assert 'value="hr@example.com"' in response.text and PASSWORD not in response.text
    again = client.post(
        "/admin/login",
        data={"email": "hr@example.com", "password": PASSWORD, "csrf_token": csrf_token_from(response.text)},
    )
    assert again.status_code == 302 and client.get("/admin/applications").status_code == 200


def test_login_attempts_are_rate_limited(make_app):
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    add_user(app)
    client = app.test_client()
    statuses = [login(client, password="wrong").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_session_cookies_are_http_only_and_secure_outside_development(make_app):
    app = make_app(SESSION_COOKIE_SECURE=None)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


@pytest.fixture
def hr(app, client):
    add_user(app)
    login(client)
    return client


def submit_one(app, client, **answers) -> None:
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.title == "Backend Engineer"))
        job_id = job.id if job else None
    if job_id is None:
        job_id = add_job(
            app,
            title="Backend Engineer",
            questions=[{"label": "Years of Python", "kind": "short_text", "required": True}],
        )
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.job_id == job_id))
    public = app.test_client()
    hidden = open_form(public, job_id)
    response = post_application(public, job_id, hidden, valid_answers(**{f"q_{question_id}": "6"}, **answers))
    assert response.status_code == 302


def test_hr_sees_applications_newest_first_with_details_and_the_resume(app, hr):
    submit_one(app, hr, email="first@example.com")
    submit_one(app, hr, email="second@example.com", first_name="Second")
    inbox = hr.get("/admin/applications").text
    assert inbox.index("second@example.com") < inbox.index("first@example.com")
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.email == "first@example.com"))
        application_id = application.id
    detail = hr.get(f"/admin/applications/{application_id}").text
    assert "first@example.com" in detail and "Years of Python" in detail and "pending" in detail
    download = hr.get(f"/admin/applications/{application_id}/resume")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.data.startswith(b"%PDF")
    assert download.headers["Cache-Control"] == "no-store"


def test_hr_filters_applications_by_delivery_status(app, hr):
    submit_one(app, hr)
    assert "grace@example.com" in hr.get("/admin/applications?status=pending").text
    assert "grace@example.com" not in hr.get("/admin/applications?status=delivered").text


def test_hr_creates_publishes_and_unpublishes_a_job(app, hr):
    form = hr.get("/admin/jobs/new").text
    response = hr.post(
        "/admin/jobs/new",
        data={
            "csrf_token": csrf_token_from(form),
            "title": "Platform Engineer",
            "department": "Engineering",
            "location": "Remote",
            "employment_type": "FULL_TIME",
            "remote": "y",
            "description": "<p>Run things.</p><script>alert(1)</script>",
            "resume_required": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.title == "Platform Engineer"))
        assert job.published is False and "<script" not in job.description_html
        job_id = job.id
    assert hr.get(f"/jobs/{job_id}").status_code == 404
    jobs_page = hr.get("/admin/jobs").text
    hr.post(f"/admin/jobs/{job_id}/publish", data={"csrf_token": csrf_token_from(jobs_page)})
    assert hr.get(f"/jobs/{job_id}").status_code == 200
    hr.post(
        f"/admin/jobs/{job_id}/unpublish", data={"csrf_token": csrf_token_from(jobs_page), "confirm": "yes"}
    )
    assert hr.get(f"/jobs/{job_id}").status_code == 404


def test_publishing_without_a_csrf_token_changes_nothing(app, hr):
    job_id = add_job(app, published=False)
    response = hr.post(f"/admin/jobs/{job_id}/publish")
    assert response.status_code == 400 and "This page expired" in response.text
    assert hr.get(f"/jobs/{job_id}").status_code == 404


def test_hr_adds_edits_and_removes_a_question_and_the_form_follows(app, hr):
    job_id = add_job(app)
    page = hr.get(f"/admin/jobs/{job_id}").text
    hr.post(
        f"/admin/jobs/{job_id}/questions",
        data={
            "csrf_token": csrf_token_from(page),
            "label": "Favourite editor",
            "kind": "single_select",
            "required": "y",
            "choices_text": "vim\nemacs\n",
            "position": "1",
        },
    )
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.job_id == job_id))
        assert question.options == ["vim", "emacs"] and question.required
        question_id = question.id
    assert "Favourite editor" in hr.get(f"/jobs/{job_id}/apply").text
    edit = hr.get(f"/admin/jobs/{job_id}/questions/{question_id}").text
    hr.post(
        f"/admin/jobs/{job_id}/questions/{question_id}",
        data={
            "csrf_token": csrf_token_from(edit),
            "label": "Editor of choice",
            "kind": "short_text",
            "position": "1",
        },
    )
    assert "Editor of choice" in hr.get(f"/jobs/{job_id}/apply").text
    hr.post(
        f"/admin/jobs/{job_id}/questions/{question_id}/delete",
        data={"csrf_token": csrf_token_from(edit), "confirm": "yes"},
    )
    assert "Editor of choice" not in hr.get(f"/jobs/{job_id}/apply").text


def test_logout_ends_the_session(app, hr):
    page = hr.get("/admin/applications").text
    hr.post("/admin/logout", data={"csrf_token": csrf_token_from(page)})
    assert hr.get("/admin/applications").status_code == 302


def test_an_expired_job_form_comes_back_with_the_changes_kept_and_saves_on_resend(app, hr):
    job_id = add_job(app)
    changes = {
        "title": "Staff Data Engineer",
        "description": "<p>A long rewrite.</p>",
        "employment_type": "FULL_TIME",
        "resume_required": "y",
        "published": "y",
    }
    response = hr.post(f"/admin/jobs/{job_id}", data={"csrf_token": "expired-token", **changes})
    assert response.status_code == 200 and "Please send the form again" in response.text
    assert 'value="Staff Data Engineer"' in response.text and "A long rewrite." in response.text
    with app.app_context():
        assert db.session.get(Job, job_id).title != "Staff Data Engineer"  # nothing saved yet
    fresh = csrf_token_from(response.text)
    again = hr.post(f"/admin/jobs/{job_id}", data={"csrf_token": fresh, **changes})
    assert again.status_code == 302
    with app.app_context():
        assert db.session.get(Job, job_id).title == "Staff Data Engineer"


def test_an_expired_new_job_form_creates_nothing_and_keeps_the_typed_title(app, hr):
    response = hr.post(
        "/admin/jobs/new", data={"title": "Site Reliability Engineer", "employment_type": "FULL_TIME"}
    )
    assert response.status_code == 200 and "Please send the form again" in response.text
    assert 'value="Site Reliability Engineer"' in response.text
    with app.app_context():
        assert db.session.scalar(select(Job).where(Job.title == "Site Reliability Engineer")) is None


def test_an_expired_question_form_comes_back_with_the_label_kept(app, hr):
    job_id = add_job(app)
    page = hr.get(f"/admin/jobs/{job_id}").text
    hr.post(
        f"/admin/jobs/{job_id}/questions",
        data={"csrf_token": csrf_token_from(page), "label": "Notice period", "kind": "short_text"},
    )
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.job_id == job_id))
    response = hr.post(
        f"/admin/jobs/{job_id}/questions/{question_id}",
        data={"csrf_token": "expired-token", "label": "Notice period in weeks", "kind": "short_text"},
    )
    assert response.status_code == 200 and "Please send the form again" in response.text
    assert 'value="Notice period in weeks"' in response.text
    with app.app_context():
        assert db.session.get(Question, question_id).label == "Notice period"
