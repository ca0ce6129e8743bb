"""Voluntary self-identification on the apply form: imported from a Greenhouse Job Board post,
asked in their own optional section, stored apart from the application, sent to the post."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from app.ats import greenhouse
from app.ats.sandbox import greenhouse as sandbox
from app.extensions import db, db_session
from app.intake import delivery
from app.intake.demographics import read_choices
from app.intake.sync import sync_jobs
from app.models import Application, DemographicAnswer, DemographicQuestion, Job
from app.storage import storage_for
from tests.ats.harnesses.greenhouse_jobboard import SETTINGS
from tests.conftest import add_user, login
from tests.web.helpers import open_form, post_application, valid_answers

RETENTION = "data_compliance[gdpr_retention_consent_given]"


def job_board(app):
    """A Job Board sandbox, an adapter reading stored voluntary answers, and the synced job 5101."""
    board = sandbox.create_app()
    adapter = greenhouse.build(
        SETTINGS, transport=httpx.WSGITransport(app=board), demographics=read_choices(db_session)
    )
    with app.app_context():
        sync_jobs(db.session, adapter, "greenhouse")
        job = db.session.scalar(select(Job).where(Job.ref == "5101"))
        return adapter, sandbox.sandbox_of(board).state, job.id


def field_names(app, job_id: int) -> dict[str, str]:
    """Form field name of each synced question, by its ATS ref."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        names = {q.ref: f"q_{q.id}" for q in job.questions}
        names.update({q.ref: f"d_{q.id}" for q in job.demographic_questions})
        return names


def test_a_job_board_sync_imports_the_posts_voluntary_questions_and_its_retention_consent(app):
    _, _, job_id = job_board(app)
    with app.app_context():
        job = db.session.get(Job, job_id)
        voluntary = [(q.section, q.ref, q.kind) for q in job.demographic_questions]
        assert voluntary == [
            ("eeoc", "gender", "single_select"),
            ("eeoc", "veteran_status", "single_select"),
            ("inclusion", "87", "multi_select"),
        ]
        [retention] = [q for q in job.questions if q.ref == RETENTION]
        assert retention.kind == "yes_no" and not retention.required
        assert all(not q.ref.startswith(("gender", "87")) for q in job.questions)


def test_a_sync_keeps_the_voluntary_questions_while_the_post_asks_the_same(app):
    _, _, job_id = job_board(app)
    with app.app_context():
        before = [q.id for q in db.session.get(Job, job_id).demographic_questions]
    job_board(app)
    with app.app_context():
        assert [q.id for q in db.session.get(Job, job_id).demographic_questions] == before


def test_a_second_sync_adds_a_consent_question_the_post_started_to_require(app):
    _, _, job_id = job_board(app)
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.questions = [q for q in job.questions if q.ref != RETENTION]  # as before the GDPR rule
        db.session.commit()
    job_board(app)
    with app.app_context():
        refs = [q.ref for q in db.session.get(Job, job_id).questions]
        assert refs.count(RETENTION) == 1 and "question_q1" in refs


def test_the_form_asks_voluntary_questions_in_their_own_optional_section(app, client):
    _, _, job_id = job_board(app)
    page = client.get(f"/jobs/{job_id}/apply").text
    section = page[
        page.index('<fieldset class="demographics"') : page.index('<fieldset class="field choices consent')
    ]
    assert "Voluntary self-identification (optional)" in section
    assert "Declining to answer has no effect on your application." in section
    assert "Which pronouns do you use?" in section and "Decline To Self Identify" in section
    assert "aria-required" not in section and 'class="req"' not in section and " required" not in section
    assert page.index('class="demographics"') > page.index("<legend>Questions</legend>")


def test_voluntary_answers_are_stored_apart_from_the_application_and_reach_the_job_board(app, client):
    adapter, state, job_id = job_board(app)
    names = field_names(app, job_id)
    answers = valid_answers(
        **{
            names["question_q1"]: "5",
            names["gender"]: "3",
            names["87"]: ["194", "196"],
            f"{names['87']}_text": "they/them",
            names[RETENTION]: "yes",
        }
    )
    response = post_application(client, job_id, open_form(client, job_id), answers)
    assert response.status_code == 302
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert sorted(a.question.ref for a in application.answers) == sorted(["question_q1", RETENTION])
        stored = db.session.scalars(select(DemographicAnswer).order_by(DemographicAnswer.id)).all()
        assert [(s.section, s.question_ref, s.option_refs, s.text) for s in stored] == [
            ("eeoc", "gender", ["3"], ""),
            ("inclusion", "87", ["194", "196"], "they/them"),
        ]
        outcome = delivery.deliver(db_session(), application.id, adapter=adapter, storage=storage_for(app))
        assert outcome.status == "delivered", outcome
    form = state.candidates[0]["board_form"]
    assert form["gender"] == ["3"] and form[RETENTION] == ["true"]
    [entry] = state.candidates[0]["board_entries"]["demographic_answers"]
    assert entry["answer_options"][1] == {"answer_option_id": "196", "text": "they/them"}
    assert "they/them" not in form["cover_letter_text"][0]


def test_hr_never_sees_voluntary_answers_on_the_application_page(app, client):
    _, _, job_id = job_board(app)
    names = field_names(app, job_id)
    answers = valid_answers(
        **{names["question_q1"]: "5", names["87"]: ["196"], f"{names['87']}_text": "xyzzy"}
    )
    post_application(client, job_id, open_form(client, job_id), answers)
    add_user(app)
    login(client)
    with app.app_context():
        application_id = db.session.scalar(select(Application.id))
    page = client.get(f"/admin/applications/{application_id}").text
    assert "Years of experience" in page
    assert "xyzzy" not in page and "pronouns" not in page and "Let me type my own" not in page


def test_declining_every_voluntary_question_stores_nothing_and_the_application_is_taken(app, client):
    _, _, job_id = job_board(app)
    names = field_names(app, job_id)
    response = post_application(
        client, job_id, open_form(client, job_id), valid_answers(**{names["question_q1"]: "5"})
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Application)) is not None
        assert db.session.scalars(select(DemographicAnswer)).all() == []
        assert db.session.scalars(select(DemographicQuestion)).all() != []
