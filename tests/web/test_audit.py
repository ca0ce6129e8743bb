"""The audit log: every kind of action leaves an entry through the real routes, diffs are masked,
entries cannot be changed or deleted through the ORM, admins search, page and export them, and
the daily purge keeps them only as long as AUDIT_RETENTION_DAYS says."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app import audit
from app.ats.base import Submission
from app.config import ConfigError
from app.extensions import db
from app.intake.links import resume_link_maker
from app.intake.tasks import run_audit_purge
from app.models import Answer, Application, AuditEvent, AuditRowLocked, Delivery, Erasure, Job, User
from app.storage import storage_for
from tests.clock import FakeClock
from tests.conftest import PASSWORD, csrf_token_from
from tests.support.accounts import make_user, post_form, sign_in

CANDIDATE_EMAIL = "ada.lovelace@example.org"
CANDIDATE_NAME = "Lovelace"
ADMIN_EMAIL = "admin@example.com"


@pytest.fixture
def admin(app):
    make_user(app, ADMIN_EMAIL)
    client = app.test_client()
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    return client


def entries(app, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        statement = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            statement = statement.where(AuditEvent.action == action)
        rows = list(db.session.scalars(statement))
        for row in rows:
            db.session.expunge(row)
        return rows


def only(app, action: str) -> AuditEvent:
    found = entries(app, action)
    assert len(found) == 1, [e.action for e in entries(app)]
    return found[0]


def add_job(app, **values) -> int:
    with app.app_context():
        job = Job(title="Data Engineer", department="Data", published=False, **values)
        db.session.add(job)
        db.session.commit()
        return job.id


def add_application(app, job_id: int, status: str = "failed") -> int:
    """A stored application with a resume and a file answer, written directly."""
    with app.app_context():
        storage = storage_for(app)
        application = Application(
            job_id=job_id,
            submission_key="audit-key",
            first_name="Ada",
            last_name=CANDIDATE_NAME,
            email=CANDIDATE_EMAIL,
            resume_key=storage.save(b"%PDF-1.4 resume"),
            resume_filename="cv.pdf",
            resume_content_type="application/pdf",
        )
        application.delivery = Delivery(target="local", status=status)
        db.session.add(application)
        db.session.flush()
        file_value = {
            "file_key": storage.save(b"portfolio"),
            "content_type": "text/plain",
            "filename": "p.txt",
        }
        db.session.add(
            Answer(application_id=application.id, question_id=None, label="Portfolio", value=file_value)
        )
        db.session.commit()
        return application.id


def answer_id_of(app, application_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Answer.id).where(Answer.application_id == application_id))


def every_stored_value(app) -> str:
    """Everything every audit row holds, as one text to search for leaks."""
    return json.dumps(
        [
            [e.actor_role, e.action, e.obj_kind, e.obj_id, e.detail, e.diff, e.ip, e.request_id]
            for e in entries(app)
        ]
    )


def test_a_sign_in_and_a_failed_one_and_a_sign_out_are_recorded_without_the_email(app):
    user_id = make_user(app, ADMIN_EMAIL)
    client = app.test_client()
    assert sign_in(client, ADMIN_EMAIL, "not the password").status_code == 401
    assert sign_in(client, "nobody@example.com", "whatever").status_code == 401
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    post_form(client, "/admin/applications", "/admin/logout")
    failed = entries(app, "sign_in_failed")
    assert [(e.obj_id, e.detail) for e in failed] == [(str(user_id), "password"), ("unknown", "password")]
    signed_in = only(app, "sign_in")
    assert (signed_in.actor_id, signed_in.actor_role, signed_in.obj_id) == (user_id, "admin", str(user_id))
    assert signed_in.detail == "password" and signed_in.ip == "127.0.0.0"
    assert only(app, "sign_out").actor_id == user_id
    stored = every_stored_value(app)
    assert "@" not in stored and PASSWORD not in stored and "not the password" not in stored


def test_repeated_failures_record_a_lockout(make_app):
    app = make_app(LOGIN_LOCKOUT_AFTER=2)
    user_id = make_user(app, ADMIN_EMAIL)
    client = app.test_client()
    for _ in range(2):
        sign_in(client, ADMIN_EMAIL, "wrong")
    assert only(app, "lockout").obj_id == str(user_id)


def test_viewing_an_application_its_resume_and_a_file_is_recorded_by_id_only(app, admin):
    application_id = add_application(app, add_job(app))
    assert admin.get(f"/admin/applications/{application_id}").status_code == 200
    assert admin.get(f"/admin/applications/{application_id}/resume").status_code == 200
    answer_id = answer_id_of(app, application_id)
    assert admin.get(f"/admin/applications/{application_id}/files/{answer_id}").status_code == 200
    for action in ("application_viewed", "resume_viewed", "file_downloaded"):
        entry = only(app, action)
        assert (entry.obj_kind, entry.obj_id, entry.actor_role) == (
            "application",
            str(application_id),
            "admin",
        )
    assert only(app, "file_downloaded").detail == f"answer {answer_id}"
    stored = every_stored_value(app)
    assert CANDIDATE_EMAIL not in stored and CANDIDATE_NAME not in stored and "Ada" not in stored


def test_a_resume_fetched_by_its_signed_link_is_recorded_as_a_link_view(app):
    application_id = add_application(app, add_job(app))
    with app.app_context():
        public_id = db.session.get(Application, application_id).public_id
    submission = Submission(
        application_id=application_id,
        public_id=public_id,
        job_ref="1",
        first_name="A",
        last_name="L",
        email="a@example.org",
    )
    link = resume_link_maker(app)(submission)
    assert app.test_client().get("/files/" + link.split("/files/", 1)[1]).status_code == 200
    entry = only(app, "resume_viewed")
    assert (entry.actor_id, entry.actor_role, entry.obj_id, entry.detail) == (
        None,
        "link",
        str(application_id),
        "signed link",
    )


def test_a_retry_a_bulk_retry_and_an_export_are_recorded(app, admin):
    job_id = add_job(app)
    application_id = add_application(app, job_id)
    post_form(admin, f"/admin/applications/{application_id}", f"/admin/applications/{application_id}/retry")
    assert only(app, "retry").obj_id == str(application_id)
    with app.app_context():
        db.session.get(Application, application_id).delivery.status = "failed"
        db.session.commit()
    post_form(admin, "/admin/applications", "/admin/applications/retry", id=str(application_id))
    assert only(app, "bulk_retry").diff == {"application_ids": [None, [application_id]]}
    assert admin.get(f"/admin/applications/export.csv?q={CANDIDATE_NAME}").status_code == 200
    exported = only(app, "export_csv")
    assert exported.detail == "filter: q" and CANDIDATE_NAME not in every_stored_value(app)


def job_form(admin, path: str, **changes) -> dict:
    values = {
        "title": "Data Engineer",
        "department": "Data",
        "location": "Berlin",
        "country": "DE",
        "workplace": "on_site",
        "employment_type": "FULL_TIME",
        "description": "We move data.",
        "resume_required": "y",
        "notify_emails": "lead@example.com",
    }
    values.update(changes)
    return {"csrf_token": csrf_token_from(admin.get(path).text), **values}


def test_job_changes_carry_a_field_diff_with_the_description_hashed_and_emails_masked(app, admin):
    assert admin.post("/admin/jobs/new", data=job_form(admin, "/admin/jobs/new")).status_code == 302
    created = only(app, "job_created")
    assert created.obj_kind == "job" and created.diff["title"] == [None, "Data Engineer"]
    long_text = "Long description. " * 40
    path = f"/admin/jobs/{created.obj_id}"
    changed = job_form(
        admin, path, title="Senior Data Engineer", description=long_text, notify_emails="x@example.com"
    )
    assert admin.post(path, data=changed).status_code == 302
    diff = only(app, "job_changed").diff
    assert diff["title"] == ["Data Engineer", "Senior Data Engineer"]
    assert diff["notify_emails"] == ["(changed)", "(changed)"]
    before, after = diff["description_md"]
    assert before.startswith("sha256:") and after == audit.masked({"d": [None, long_text]})["d"][1]
    assert after.endswith(f"({len(long_text)} chars)")
    assert "department" not in diff  # unchanged fields are left out
    stored = every_stored_value(app)
    assert "Long description" not in stored and "@" not in stored


def test_each_job_action_is_recorded(app, admin):
    job_id = add_job(app)
    post_form(admin, "/admin/jobs", f"/admin/jobs/{job_id}/publish")
    post_form(admin, "/admin/jobs", f"/admin/jobs/{job_id}/unpublish", confirm="yes")
    post_form(admin, "/admin/jobs", f"/admin/jobs/{job_id}/close", confirm="yes")
    post_form(admin, "/admin/jobs", f"/admin/jobs/{job_id}/reopen")
    post_form(admin, "/admin/jobs", f"/admin/jobs/{job_id}/duplicate")
    post_form(admin, "/admin/jobs", f"/admin/jobs/{job_id}/delete", confirm="yes")
    actions = [e.action for e in entries(app) if e.action.startswith("job_")]
    assert actions == [
        "job_published",
        "job_unpublished",
        "job_closed",
        "job_reopened",
        "job_duplicated",
        "job_deleted",
    ]
    assert only(app, "job_published").diff == {"published": [False, True]}
    assert only(app, "job_closed").diff["closed"] == [False, True]
    copy = only(app, "job_duplicated")
    assert copy.obj_id != str(job_id) and copy.detail == f"copy of job {job_id}"
    assert only(app, "job_deleted").obj_id == str(job_id)


def test_question_changes_are_recorded_with_their_diff(app, admin):
    job_id = add_job(app)
    page = f"/admin/jobs/{job_id}"
    post_form(admin, page, f"{page}/questions", label="Notice period?", kind="short_text", position="0")
    added = only(app, "question_added")
    assert added.diff["label"] == [None, "Notice period?"] and added.detail == f"job {job_id}"
    question = f"{page}/questions/{added.obj_id}"
    post_form(admin, question, label="Notice period (weeks)?", kind="short_text", position="0")
    assert only(app, "question_changed").diff == {"label": ["Notice period?", "Notice period (weeks)?"]}
    post_form(admin, page, f"{question}/delete", confirm="yes")
    assert only(app, "question_removed").obj_id == added.obj_id


def test_library_questions_and_sets_are_recorded(app, admin):
    library = "/admin/library"
    post_form(admin, library, f"{library}/questions", label="Start date?", kind="short_text")
    question = only(app, "question_added")
    assert (question.obj_kind, question.diff["label"]) == ("library_question", [None, "Start date?"])
    post_form(admin, library, f"{library}/sets", name="Basics", question_ids=question.obj_id)
    added = only(app, "question_set_added")
    assert added.diff["name"] == [None, "Basics"] and added.detail == "1 questions"
    post_form(
        admin, library, f"{library}/sets/{added.obj_id}", name="Essentials", question_ids=question.obj_id
    )
    assert only(app, "question_set_changed").diff == {"name": ["Basics", "Essentials"]}  # same questions
    post_form(admin, library, f"{library}/sets/{added.obj_id}/delete", confirm="yes")
    post_form(admin, library, f"{library}/questions/{question.obj_id}/delete", confirm="yes")
    assert only(app, "question_set_removed").obj_id == added.obj_id
    assert only(app, "question_removed").obj_kind == "library_question"


def test_user_administration_is_recorded_and_secrets_never_stored(app, admin):
    other = make_user(app, "recruiter@example.com", role="recruiter", totp_secret="JBSWY3DPEHPK3PXP")
    post_form(admin, "/admin/users", f"/admin/users/{other}/role", role="viewer")
    post_form(admin, "/admin/users", f"/admin/users/{other}/deactivate")
    post_form(admin, "/admin/users", f"/admin/users/{other}/reactivate")
    post_form(admin, "/admin/users", f"/admin/users/{other}/two-factor/reset")
    post_form(admin, "/admin/users", "/admin/users/security", required="y")
    assert only(app, "role_changed").diff == {"role": ["recruiter", "viewer"]}
    assert only(app, "user_deactivated").diff["active"] == [True, False]
    assert only(app, "user_reactivated").diff["active"] == [False, True]
    cleared = only(app, "two_factor_changed")
    assert cleared.diff["totp_secret"] == ["***", None] and cleared.obj_id == str(other)
    assert only(app, "settings_changed").diff == {"require_two_factor": [False, True]}
    stored = every_stored_value(app)
    assert "JBSWY3DPEHPK3PXP" not in stored and "@" not in stored


def test_an_invitation_is_recorded_with_the_role_and_not_the_address(make_app):
    app = make_app(MAIL_SENDER="jobs@corp.test", PUBLIC_BASE_URL="https://careers.test")
    make_user(app, ADMIN_EMAIL)
    client = app.test_client()
    sign_in(client, ADMIN_EMAIL)
    post_form(client, "/admin/users", "/admin/users/invite", email="new@example.com", role="recruiter")
    invited = only(app, "user_invited")
    assert invited.diff == {"role": [None, "recruiter"]} and "new@" not in every_stored_value(app)


def test_an_erasure_request_is_recorded(app, admin):
    application_id = add_application(app, add_job(app), status="delivered")
    page = f"/admin/applications/{application_id}/erase"
    post_form(admin, page)
    entry = only(app, "erasure_requested")
    assert (entry.obj_id, entry.detail, entry.actor_role) == (str(application_id), "by hr", "admin")


def test_an_erasure_task_marked_done_is_recorded(app, admin):
    with app.app_context():
        task = Erasure(application_id=5, target="skailer", requested_by="hr", status="hr_task")
        db.session.add(task)
        db.session.commit()
        task_id = task.id
    post_form(admin, "/admin/erasures", f"/admin/erasures/{task_id}/done")
    entry = only(app, "erasure_task_done")
    assert (entry.obj_kind, entry.obj_id, entry.actor_role) == ("erasure", str(task_id), "admin")


def test_audit_entries_cannot_be_changed_or_deleted_through_the_orm(app):
    with app.app_context():
        entry = audit.record("retry", obj_kind="application", obj_id=1, actor=audit.SYSTEM)
        db.session.commit()
        entry.action = "bulk_retry"
        with pytest.raises(AuditRowLocked):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEvent, entry.id))
        with pytest.raises(AuditRowLocked):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AuditRowLocked):
            db.session.execute(update(AuditEvent).values(action="sign_in"))
        with pytest.raises(AuditRowLocked):
            db.session.execute(delete(AuditEvent))
        db.session.rollback()
        assert db.session.scalar(select(AuditEvent.action)) == "retry"


def test_an_action_outside_the_vocabulary_is_refused(app):
    with app.app_context(), pytest.raises(audit.UnknownAction):
        audit.record("job_renamed")


def test_masking_hides_secrets_and_personal_values_and_keeps_the_rest():
    diff = audit.masked(
        {
            "password_hash": ["a", "b"],
            "api_token": [None, "t0k3n"],
            "email": ["a@example.com", "b@example.com"],
            "last_name": ["X", "Y"],
            "title": ["A", "B"],
            "ATS": [{"kind": "local"}, {"kind": "skailer", "api_token": "t0k3n"}],
        }
    )
    assert diff == {
        "password_hash": ["***", "***"],
        "api_token": [None, "***"],
        "email": ["(changed)", "(changed)"],
        "last_name": ["(changed)", "(changed)"],
        "title": ["A", "B"],
        "ATS": [{"kind": "local"}, {"kind": "skailer", "api_token": "***"}],
    }


def test_a_settings_save_records_the_changed_keys_with_credentials_masked(app):
    with app.app_context():
        entry = audit.record_settings(
            {
                "COMPANY_NAME": ("Acme", "Acme GmbH"),
                "ATS_API_KEY": ("old-key", "new-key"),
                "MAIL_SMTP_PASSWORD": ("", "hunter2"),
                "EMBED_ORIGINS": (["https://a.test"], ["https://a.test"]),
            }
        )
        assert audit.record_settings({"COMPANY_NAME": ("Acme", "Acme")}) is None
        db.session.commit()
    assert entry is not None
    stored = only(app, "settings_changed")
    assert stored.obj_id == "ATS_API_KEY,COMPANY_NAME,MAIL_SMTP_PASSWORD"
    assert stored.diff == {
        "COMPANY_NAME": ["Acme", "Acme GmbH"],
        "ATS_API_KEY": ["***", "***"],
        "MAIL_SMTP_PASSWORD": ["", "***"],
    }


def seed(app, count: int) -> None:
    with app.app_context():
        for number in range(count):
            audit.record("retry", obj_kind="application", obj_id=number, actor=audit.SYSTEM)
        audit.record(
            "job_published", obj_kind="job", obj_id=7, actor=audit.SYSTEM, detail="=cmd|' /C calc'!A0"
        )
        db.session.commit()


def test_a_viewer_or_recruiter_cannot_open_the_audit_log(app):
    for role in ("viewer", "recruiter"):
        make_user(app, f"{role}@example.com", role=role)
        client = app.test_client()
        sign_in(client, f"{role}@example.com")
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit/export.csv").status_code == 403


def test_the_audit_log_searches_and_pages(app, admin):
    seed(app, 60)
    first = admin.get("/admin/audit")
    assert first.status_code == 200 and "Entries 1–50 of 62" in first.text  # 60 + the job + sign_in
    assert "Entries 51–62 of 62" in admin.get("/admin/audit?page=2").text
    by_action = admin.get("/admin/audit?action=job_published")
    assert by_action.text.count('class="audit-entry"') == 1
    by_object = admin.get("/admin/audit?obj_kind=application&obj_id=42")
    assert by_object.text.count('class="audit-entry"') == 1
    assert admin.get("/admin/audit?q=calc").text.count('class="audit-entry"') == 1
    assert admin.get("/admin/audit?actor=system").text.count('class="audit-entry"') == 50
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL))
    mine = admin.get(f"/admin/audit?actor={admin_id}")
    assert mine.text.count('class="audit-entry"') == 1 and "sign_in" in mine.text
    assert admin.get("/admin/audit?from=2000-01-01&to=2000-12-31").text.count('class="audit-entry"') == 0


def test_the_csv_export_holds_the_whole_filter_with_formulas_neutralised(app, admin):
    seed(app, 60)
    response = admin.get("/admin/audit/export.csv?actor=system")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert len(rows) == 1 + 61
    published = next(row for row in rows if row[3] == "job_published")
    assert published[6] == "'=cmd|' /C calc'!A0"
    assert published[1] == "system"


def test_the_daily_purge_deletes_entries_past_the_retention_and_records_itself(make_app):
    app = make_app(AUDIT_RETENTION_DAYS=30)
    clock = FakeClock()
    with app.app_context():
        old = audit.record("retry", obj_kind="application", obj_id=1, actor=audit.SYSTEM)
        old.at = clock.datetime() - timedelta(days=31)
        recent = audit.record("retry", obj_kind="application", obj_id=2, actor=audit.SYSTEM)
        recent.at = clock.datetime() - timedelta(days=29)
        db.session.commit()
        assert run_audit_purge(app, now=clock.datetime()) == 1
    left = entries(app)
    assert [(e.action, e.obj_id) for e in left] == [("retry", "2"), ("audit_purged", "")]
    assert left[1].actor_role == "system" and left[1].detail == "1 older than 30 days"
    clock.advance(timedelta(days=2))
    with app.app_context():
        assert run_audit_purge(app, now=clock.datetime()) == 1


@pytest.mark.parametrize("days", [0, -5, "400", True])
def test_a_retention_that_is_not_whole_days_stops_the_start(make_app, days):
    with pytest.raises(ConfigError, match="AUDIT_RETENTION_DAYS"):
        make_app(AUDIT_RETENTION_DAYS=days)
