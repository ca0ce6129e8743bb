"""Every admin route, for every role: what answers 200/302/303 and what answers 403 (the role
may not) or 404 (a recruiter asking for a job or application of another department).

The expectations below are written out here, apart from the policy in app/admin/roles.py, so a
change to the policy must be made twice to pass. Every POST carries a valid CSRF token: a 403
is the policy, never an expired form. One app serves the whole module (users sign in again
for each case); each case gets its own job, application, outbox message, erasure task,
library question and set, and user to act on, so that no case depends on another.
"""

from __future__ import annotations

import itertools
import shutil

import pytest
from flask import url_for
from werkzeug.security import generate_password_hash

from app import create_app
from app.admin.roles import ENDPOINTS
from app.extensions import db
from app.models import (
    Answer,
    Application,
    Delivery,
    Erasure,
    Job,
    LibraryQuestion,
    OutboxMessage,
    Question,
    QuestionSet,
    QuestionSetItem,
    User,
)
from app.storage import storage_for
from tests.conftest import PASSWORD, app_config, csrf_token_from

# What every signed-in user may use: the start page, signing out, their own account.
EVERYONE = {
    "admin.login",
    "admin.index",
    "admin.logout",
    "admin.account",
    "admin.set_up_two_factor",
    "admin.turn_off_two_factor",
    "admin.new_recovery_codes",
    "admin.sign_out_everywhere",
}
# Pages recruiters and viewers may read (GET only).
READS = {
    "admin.applications",
    "admin.export_applications",
    "admin.application",
    "admin.jobs",
    "admin.job_preview",
    "admin.job_edit",
    "admin.question_edit",
    "admin.library",
    "admin.library_question_edit",
    "admin.library_set_edit",
    "admin.embed_snippets",
}
# Resumes and file answers: recruiters, and viewers granted downloads.
DOWNLOADS = {"admin.resume", "admin.answer_file"}
# What a recruiter does on the jobs and applications of their departments (GET and POST).
RECRUITER_ACTS = {
    "admin.retry",
    "admin.retry_applications",
    "admin.erase_application",
    "admin.job_new",
    "admin.job_edit",
    "admin.description_preview",
    "admin.job_publish",
    "admin.job_unpublish",
    "admin.job_close",
    "admin.job_reopen",
    "admin.job_duplicate",
    "admin.job_delete",
    "admin.question_add",
    "admin.question_add_from_library",
    "admin.question_edit",
    "admin.question_delete",
}
# Admins only.
ADMIN_ONLY = {
    "admin.resume_target",
    "admin.ats_refresh",
    "admin.erasures",
    "admin.erasure_done",
    "admin.library_question_add",
    "admin.library_question_edit",
    "admin.library_question_delete",
    "admin.library_set_add",
    "admin.library_set_edit",
    "admin.library_set_delete",
    "admin.outbox",
    "admin.send_message_again",
    "admin.users",
    "admin.invite_user",
    "admin.user_access",
    "admin.resend_invite",
    "admin.revoke_invite",
    "admin.change_role",
    "admin.deactivate_user",
    "admin.reactivate_user",
    "admin.sign_out_user",
    "admin.reset_two_factor",
    "admin.security",
    "admin.audit_log",
    "admin.audit_export",
    "admin.settings_index",
    "admin.settings_branding",
    "admin.settings_embed",
    "admin.settings_ats",
    "admin.settings_ats_test",
    "admin.settings_consent",
    "admin.settings_consent_save",
    "admin.settings_notifications",
}
EVERY_ENDPOINT = sorted(EVERYONE | READS | DOWNLOADS | RECRUITER_ACTS | ADMIN_ONLY)
# The URL arguments that name a job or an application, whose department scopes a recruiter.
DEPARTMENT_ARGS = {"job_id", "application_id"}

ROLES = ("admin", "recruiter", "viewer", "viewer_downloads")
USERS = {
    "admin": {"role": "admin"},
    "recruiter": {"role": "recruiter", "departments": ["Engineering"]},
    "viewer": {"role": "viewer"},
    "viewer_downloads": {"role": "viewer", "can_download": True},
}
ALLOWED = {200, 302, 303}
# After these the cached client signs in again: they end its session, or start a new one.
SESSION_CHANGERS = {"admin.login", "admin.logout", "admin.sign_out_everywhere"}
# The view ran and its own form refused what was sent: a setup code is never right here, and a
# settings page refuses a save that leaves its required fields empty.
REFUSED_BY_THE_FORM = {
    ("admin.set_up_two_factor", "POST"): 400,
    ("admin.settings_branding", "POST"): 400,
    ("admin.settings_ats", "POST"): 400,
    ("admin.settings_consent_save", "POST"): 400,
}
_serial = itertools.count()


def ran(endpoint: str, method: str, status: int) -> bool:
    return status in ALLOWED or REFUSED_BY_THE_FORM.get((endpoint, method)) == status


def allowed(role: str, endpoint: str, method: str) -> bool:
    if role == "admin" or endpoint in EVERYONE:
        return True
    if endpoint in READS and method == "GET":
        return True
    if endpoint in DOWNLOADS:
        return role in ("recruiter", "viewer_downloads")
    return role == "recruiter" and endpoint in RECRUITER_ACTS


@pytest.fixture(scope="module")
def app(tmp_path_factory, migrated_db):
    tmp = tmp_path_factory.mktemp("roles")
    shutil.copy(migrated_db, tmp / "careers.db")
    built = create_app(app_config(tmp, LOGIN_RATE_LIMIT="100000 per minute"))
    with built.app_context():
        for name, values in USERS.items():
            # A cheap hash: each case signs in again, and the hash is not what is tested.
            hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
            db.session.add(User(email=f"{name}@example.com", password_hash=hashed, **values))
        db.session.commit()
    yield built
    with built.app_context():
        db.engine.dispose()


def add_department(app, department: str) -> dict[str, int]:
    """A job of `department` with a question and an application (with a resume and a file
    answer), and a job nobody applied to (one that may be deleted)."""
    n = next(_serial)
    storage = storage_for(app)
    job = Job(title=f"Job {n}", department=department, published=True)
    question = Question(position=0, label="Work sample", kind="file")
    job.questions = [question]
    application = Application(
        job=job,
        submission_key=f"roles-{n}",
        first_name="Ada",
        last_name="Lovelace",
        email=f"ada{n}@example.com",
        resume_key=storage.save(b"%PDF-1.4 resume"),
        resume_filename="resume.pdf",
        resume_content_type="application/pdf",
    )
    application.delivery = Delivery(target="local", status="pending")
    answer = Answer(
        question=question,
        label="Work sample",
        value={"file_key": storage.save(b"sample"), "filename": "sample.txt", "content_type": "text/plain"},
    )
    application.answers = [answer]
    empty = Job(title=f"Draft {n}", department=department)
    db.session.add_all([job, application, empty])
    db.session.flush()
    return {
        "job_id": job.id,
        "question_id": question.id,
        "application_id": application.id,
        "answer_id": answer.id,
        "empty_job_id": empty.id,
    }


@pytest.fixture
def objects(app) -> dict[str, dict]:
    """Fresh objects for one case: "ours" in the recruiter's department, "theirs" in another."""
    n = next(_serial)
    with app.app_context():
        ours = add_department(app, "Engineering")
        theirs = add_department(app, "Sales")
        library_question = LibraryQuestion(label=f"Notice period {n}")
        question_set = QuestionSet(name=f"Basics {n}")
        question_set.items = [QuestionSetItem(question=library_question, position=0)]
        mail = OutboxMessage(
            kind="confirmation",
            application_id=ours["application_id"],
            to_address="ada@example.com",
            subject="Thanks",
            text_body="Thanks",
            html_body="<p>Thanks</p>",
            message_id=f"<roles-{n}@careers.test>",
            status="failed",
        )
        erasure = Erasure(application_id=0, target="local", requested_by="hr", status="hr_task")
        user = User(email=f"someone{n}@example.com", password_hash="", role="viewer")
        db.session.add_all([library_question, question_set, mail, erasure, user])
        db.session.commit()
        shared = {
            "library_question_id": library_question.id,
            "set_id": question_set.id,
            "outbox_id": mail.id,
            "erasure_id": erasure.id,
            "user_id": user.id,
            "kind": "local",
            "consent_kind": "processing",
        }
        return {"ours": {**shared, **ours}, "theirs": {**shared, **theirs}}


def url_args(app, endpoint: str, found: dict) -> dict:
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    names = {
        "kind": "consent_kind" if endpoint == "admin.settings_consent_save" else "kind",
        "question_id": "library_question_id" if endpoint.startswith("admin.library") else "question_id",
        "job_id": "empty_job_id" if endpoint == "admin.job_delete" else "job_id",
    }
    return {arg: found[names.get(arg, arg)] for arg in rule.arguments}


def methods_of(app, endpoint: str) -> list[str]:
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    return sorted(rule.methods & {"GET", "POST"})


def form_for(endpoint: str, role: str) -> dict:
    """What the view needs to act (or to answer its own form's error), besides the token."""
    return {
        "admin.login": {"email": f"{role}@example.com", "password": PASSWORD},
        "admin.description_preview": {"description": "**Hello**"},
        "admin.retry_applications": {"scope": "failed"},
        "admin.invite_user": {"email": f"new{next(_serial)}@example.com", "role": "viewer"},
        "admin.user_access": {"departments": "Sales", "can_download": "y"},
    }.get(endpoint, {})


@pytest.fixture(scope="module")
def clients(app):
    """A signed-in client and its CSRF token per role, kept while its session lasts."""
    return {}


def signed_in(app, role: str):
    client = app.test_client()
    page = client.get("/admin/login")
    response = client.post(
        "/admin/login",
        data={"email": f"{role}@example.com", "password": PASSWORD, "csrf_token": csrf_token_from(page.text)},
    )
    assert response.status_code == 302, response.status_code
    return client, csrf_token_from(client.get("/admin/account").text)


def answers(app, clients: dict, role: str, endpoint: str, found: dict) -> dict[str, int]:
    """The status of each method of the endpoint (GET first: only a POST may end the session)."""
    statuses = {}
    with app.test_request_context():
        url = url_for(endpoint, **url_args(app, endpoint, found))
    client, token = clients.get(role) or signed_in(app, role)
    clients[role] = client, token
    for method in methods_of(app, endpoint):
        if method == "GET":
            statuses[method] = client.get(url).status_code
        else:
            data = {"csrf_token": token, **form_for(endpoint, role)}
            statuses[method] = client.post(url, data=data).status_code
    if endpoint in SESSION_CHANGERS:
        del clients[role]
    return statuses


def test_every_admin_route_is_in_the_policy_and_in_this_matrix(app):
    routes = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    assert routes == set(ENDPOINTS)
    assert routes == set(EVERY_ENDPOINT)


@pytest.mark.parametrize("endpoint", EVERY_ENDPOINT)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_it_may(app, clients, objects, role, endpoint):
    statuses = answers(app, clients, role, endpoint, objects["ours"])
    expected = {m: ("allowed" if allowed(role, endpoint, m) else 403) for m in statuses}
    shown = {m: ("allowed" if ran(endpoint, m, s) else s) for m, s in statuses.items()}
    assert shown == expected, statuses


SCOPED = [e for e in EVERY_ENDPOINT if e in RECRUITER_ACTS | READS | DOWNLOADS]


@pytest.mark.parametrize("endpoint", SCOPED)
def test_a_recruiter_finds_nothing_of_another_department(app, clients, objects, endpoint):
    """404, as for an id that does not exist, where the URL names a job or application of
    another department; the same answers as in their own department elsewhere."""
    statuses = answers(app, clients, "recruiter", endpoint, objects["theirs"])
    names_one = bool(DEPARTMENT_ARGS & set(url_args(app, endpoint, objects["theirs"])))
    for method, status in statuses.items():
        if not allowed("recruiter", endpoint, method):
            assert status == 403
        elif names_one:
            assert status == 404, (method, status)
        else:
            assert ran(endpoint, method, status), (method, status)
