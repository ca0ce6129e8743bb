"""Recruiters work on the jobs and applications of their departments only: in the inbox list,
its count and filter menus, the CSV export, the bulk retry and the jobs list; they keep new and
edited jobs in their departments. Admins give departments and viewers' downloads on the Users
page, and each role sees only the buttons it may use."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from sqlalchemy import select

from app.admin.roles import permitted
from app.extensions import db
from app.models import Application, Delivery, Job, User
from tests.conftest import csrf_token_from
from tests.support.accounts import make_user, post_form, sign_in, user_row

_keys = itertools.count()


def add_job(app, title: str, department: str) -> int:
    with app.app_context():
        job = Job(title=title, department=department, published=True)
        db.session.add(job)
        db.session.commit()
        return job.id


def add_application(app, job_id: int, name: str, status: str = "failed") -> int:
    with app.app_context():
        application = Application(
            job_id=job_id,
            submission_key=f"scope-{next(_keys)}",
            first_name=name,
            last_name="Candidate",
            email=f"{name.lower()}@example.com",
        )
        application.delivery = Delivery(target="local", status=status)
        db.session.add(application)
        db.session.commit()
        return application.id


@pytest.fixture
def two_teams(app):
    """A failed application in Engineering and one in Sales."""
    backend = add_job(app, "Backend Engineer", "Engineering")
    seller = add_job(app, "Account Executive", "Sales")
    return {
        "backend": backend,
        "seller": seller,
        "ada": add_application(app, backend, "Ada"),
        "sam": add_application(app, seller, "Sam"),
    }


def signed_in_as(app, email: str, role: str, **values):
    make_user(app, email, role=role, **values)
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


@pytest.fixture
def recruiter(app):
    return signed_in_as(app, "rita@example.com", "recruiter", departments=["Engineering"])


def delivery_status(app, application_id: int) -> str:
    with app.app_context():
        return db.session.get(Application, application_id).delivery.status


def test_a_recruiter_sees_only_their_departments_in_the_inbox_its_count_and_its_menus(recruiter, two_teams):
    page = recruiter.get("/admin/applications").text
    assert "Ada Candidate" in page and "Sam Candidate" not in page
    assert "Showing 1–1 of 1 application" in page
    assert "Backend Engineer" in page and "Account Executive" not in page
    assert ">Sales<" not in page
    searched = recruiter.get("/admin/applications?department=Sales").text
    assert "No applications match" in searched


def test_an_admin_and_a_viewer_see_every_department(app, two_teams):
    for email, role in (("boss@example.com", "admin"), ("vera@example.com", "viewer")):
        page = signed_in_as(app, email, role).get("/admin/applications").text
        assert "Ada Candidate" in page and "Sam Candidate" in page


def test_a_recruiter_without_departments_sees_no_application(app, two_teams):
    client = signed_in_as(app, "new@example.com", "recruiter")
    assert "No applications match" in client.get("/admin/applications").text
    assert client.get(f"/admin/applications/{two_teams['ada']}").status_code == 404


def test_the_csv_export_of_a_recruiter_holds_only_their_departments(recruiter, two_teams):
    rows = list(csv.reader(io.StringIO(recruiter.get("/admin/applications/export.csv").text)))
    assert [row[0] for row in rows[1:]] == [str(two_teams["ada"])]


def test_a_bulk_retry_by_id_leaves_other_departments_alone(app, recruiter, two_teams):
    response = post_form(
        recruiter,
        "/admin/applications",
        "/admin/applications/retry",
        scope="selected",
        id=[str(two_teams["ada"]), str(two_teams["sam"])],
    )
    assert response.status_code == 302
    assert delivery_status(app, two_teams["ada"]) == "pending"
    assert delivery_status(app, two_teams["sam"]) == "failed"


def test_retry_all_failed_retries_only_the_recruiters_departments(app, recruiter, two_teams):
    response = post_form(recruiter, "/admin/applications", "/admin/applications/retry", scope="failed")
    assert response.status_code == 302
    assert delivery_status(app, two_teams["ada"]) == "pending"
    assert delivery_status(app, two_teams["sam"]) == "failed"


def test_the_jobs_list_of_a_recruiter_shows_only_their_departments(recruiter, two_teams):
    page = recruiter.get("/admin/jobs").text
    assert "Backend Engineer" in page and "Account Executive" not in page


def test_a_recruiter_cannot_put_a_job_in_another_department(app, recruiter, two_teams):
    page = recruiter.get("/admin/jobs/new").text
    data = {"csrf_token": csrf_token_from(page), "title": "Closer", "department": "Sales", "description": "x"}
    refused = recruiter.post("/admin/jobs/new", data=data)
    assert refused.status_code == 200 and "Choose one of your departments: Engineering." in refused.text
    moved = recruiter.post(f"/admin/jobs/{two_teams['backend']}", data={**data, "title": "Backend Engineer"})
    assert "Choose one of your departments" in moved.text
    with app.app_context():
        assert db.session.scalar(select(Job).where(Job.title == "Closer")) is None
        assert db.session.get(Job, two_teams["backend"]).department == "Engineering"


def test_an_admin_gives_departments_and_downloads_on_the_users_page(app, two_teams):
    admin = signed_in_as(app, "boss@example.com", "admin")
    viewer_id = make_user(app, "vera@example.com", role="viewer")
    recruiter_id = make_user(app, "rita@example.com", role="recruiter")
    page = admin.get("/admin/users").text
    assert f'action="/admin/users/{recruiter_id}/access"' in page
    assert "Departments of the jobs now: Engineering, Sales." in page
    post_form(
        admin, "/admin/users", f"/admin/users/{recruiter_id}/access", departments=" Sales, Design ,Sales"
    )
    post_form(admin, "/admin/users", f"/admin/users/{viewer_id}/access", departments="", can_download="y")
    assert user_row(app, "rita@example.com").departments == ["Sales", "Design"]
    assert user_row(app, "vera@example.com").can_download is True
    rita = app.test_client()
    sign_in(rita, "rita@example.com")
    assert "Sam Candidate" in rita.get("/admin/applications").text


def test_a_viewer_sees_no_button_for_what_they_may_not_do(app, two_teams):
    viewer = signed_in_as(app, "vera@example.com", "viewer")
    page = viewer.get(f"/admin/applications/{two_teams['ada']}").text
    assert "Retry delivery" not in page and "Erase this candidate" not in page
    inbox = viewer.get("/admin/applications").text
    assert "Retry selected" not in inbox and 'name="id"' not in inbox
    jobs = viewer.get("/admin/jobs").text
    assert "New job" not in jobs and "Duplicate" not in jobs and "Delete…" not in jobs
    assert "Save" not in viewer.get(f"/admin/jobs/{two_teams['backend']}").text
    assert "/admin/users" not in jobs and "/admin/outbox" not in jobs
    assert viewer.get("/admin/users").status_code == 403


def test_a_recruiter_sees_the_actions_of_their_departments_but_not_admin_pages(recruiter, two_teams):
    page = recruiter.get(f"/admin/applications/{two_teams['ada']}").text
    assert "Retry delivery" in page and "Erase this candidate" in page
    assert "/admin/erasures" not in page
    jobs = recruiter.get("/admin/jobs").text
    assert "New job" in jobs and "Duplicate" in jobs
    assert "/admin/users" not in jobs and "/admin/outbox" not in jobs


def test_a_viewer_downloads_a_resume_only_when_granted(app, two_teams):
    with app.app_context():
        from app.storage import storage_for

        application = db.session.get(Application, two_teams["ada"])
        application.resume_key = storage_for(app).save(b"%PDF-1.4")
        application.resume_filename = "ada.pdf"
        application.resume_content_type = "application/pdf"
        db.session.commit()
    viewer = signed_in_as(app, "vera@example.com", "viewer")
    assert viewer.get(f"/admin/applications/{two_teams['ada']}/resume").status_code == 403
    assert (
        'href="/admin/applications/' + str(two_teams["ada"]) + '/resume"'
        not in viewer.get(f"/admin/applications/{two_teams['ada']}").text
    )
    with app.app_context():
        db.session.scalar(select(User).where(User.email == "vera@example.com")).can_download = True
        db.session.commit()
    assert viewer.get(f"/admin/applications/{two_teams['ada']}/resume").status_code == 200


def test_a_route_missing_from_the_policy_is_for_admins_only():
    admin, viewer = User(role="admin"), User(role="viewer")
    assert permitted(admin, "admin.some_new_page", "GET")
    assert not permitted(viewer, "admin.some_new_page", "GET")
    assert not permitted(User(role="recruiter", departments=["Sales"]), "admin.some_new_page", "POST")


def test_a_recruiter_who_erases_an_application_goes_back_to_the_inbox(app, recruiter, two_teams):
    page = f"/admin/applications/{two_teams['ada']}/erase"
    response = post_form(recruiter, page)
    assert response.status_code == 302 and response.location.endswith("/admin/applications")
    assert recruiter.get(response.location).status_code == 200
    with app.app_context():
        assert db.session.get(Application, two_teams["ada"]) is None
