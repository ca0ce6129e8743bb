"""Job sync rules against the vendor sandboxes in-process: create, update ATS fields, keep HR's,
close what the ATS closed."""

from __future__ import annotations

import copy
from typing import get_args

import httpx
import pytest
from sqlalchemy import select

from app.ats import skailer, workable
from app.ats.base import QuestionKind
from app.ats.sandbox import skailer as skailer_sandbox
from app.ats.sandbox import workable as workable_sandbox
from app.extensions import db
from app.intake.sync import sync_jobs
from app.models import QUESTION_KINDS, Job, Question, utcnow

TOKEN = "sync-token"


@pytest.fixture
def sandbox():
    return skailer_sandbox.create_app({"token": TOKEN})


def skailer_adapter(sandbox):
    """A fresh adapter per sync, as the CLI and the periodic task build one."""
    return skailer.build(
        {"base_url": "http://skailer.test", "token": TOKEN}, transport=httpx.WSGITransport(app=sandbox)
    )


def jobs_by_ref(kind="skailer") -> dict[str, Job]:
    return {job.ref: job for job in db.session.scalars(select(Job).where(Job.ats_kind == kind))}


def test_open_jobs_are_created_published_and_closed_ones_are_not_created(app, sandbox):
    with app.app_context():
        report = sync_jobs(db.session, skailer_adapter(sandbox), "skailer")
        jobs = jobs_by_ref()
    assert report.created == 2 and report.closed == 0
    assert set(jobs) == {"311", "312"}  # 313 is closed in Skailer
    assert jobs["311"].title == "Data Engineer" and jobs["311"].location == "Madrid"
    assert all(job.published and not job.closed and job.is_open(utcnow()) for job in jobs.values())


def test_a_second_sync_updates_ats_fields_and_keeps_what_hr_set(app, sandbox):
    with app.app_context():
        sync_jobs(db.session, skailer_adapter(sandbox), "skailer")
        job = jobs_by_ref()["312"]
        job.published, job.stage, job.source = False, "Tech screen", "Referral"
        job.questions = [Question(label="Notice period?", kind="short_text")]
        db.session.commit()
        state = skailer_sandbox.control(sandbox).state
        state.jobs[1]["title"], state.jobs[1]["location"] = "Senior Backend Engineer", "Lisbon"
        report = sync_jobs(db.session, skailer_adapter(sandbox), "skailer")
        job = jobs_by_ref()["312"]
        assert (report.created, report.updated) == (0, 1)
        assert (job.title, job.location) == ("Senior Backend Engineer", "Lisbon")
        assert (job.published, job.stage, job.source) == (False, "Tech screen", "Referral")
        assert [q.label for q in job.questions] == ["Notice period?"]


def test_a_job_closed_or_gone_in_the_ats_is_closed_here_and_reopens_with_the_ats(app, sandbox):
    state = skailer_sandbox.control(sandbox).state
    with app.app_context():
        sync_jobs(db.session, skailer_adapter(sandbox), "skailer")
        state.jobs[0]["status"] = "closed"  # 311 closed
        state.jobs = [j for j in state.jobs if j["id"] != 312]  # 312 deleted
        report = sync_jobs(db.session, skailer_adapter(sandbox), "skailer")
        jobs = jobs_by_ref()
        assert report.closed == 2
        assert jobs["311"].closed and jobs["312"].closed and not jobs["311"].is_open(utcnow())
        state.jobs[0]["status"] = "open"
        report = sync_jobs(db.session, skailer_adapter(sandbox), "skailer")
        assert report.reopened == 1 and not jobs_by_ref()["311"].closed


def test_closed_jobs_disappear_from_the_listing(app, sandbox):
    with app.app_context():
        sync_jobs(db.session, skailer_adapter(sandbox), "skailer")
        skailer_sandbox.control(sandbox).state.jobs[0]["status"] = "closed"
        sync_jobs(db.session, skailer_adapter(sandbox), "skailer")
    listing = app.test_client().get("/jobs").text
    assert "Backend Engineer" in listing and "Data Engineer" not in listing


def test_jobs_of_other_kinds_are_left_alone(app, sandbox):
    with app.app_context():
        db.session.add(Job(ats_kind="local", ref=None, title="Our own job", published=True))
        db.session.commit()
        sync_jobs(db.session, skailer_adapter(sandbox), "skailer")
        own = db.session.scalar(select(Job).where(Job.ats_kind == "local"))
        assert not own.closed and own.title == "Our own job"


def test_descriptions_are_sanitised_and_workable_questions_are_imported_with_their_keys(app):
    sandbox = workable_sandbox.create_app({})
    workable_sandbox.sandbox_of(sandbox).state.job("BE1")["description"] = (
        "<p onclick='x()'>Build the engine.</p><script>alert(1)</script>"
    )
    adapter = workable.build(
        {"base_url": "http://acme.workable.test/spi/v3", "token": "test-token"},
        transport=httpx.WSGITransport(app=sandbox),
    )
    with app.app_context():
        report = sync_jobs(db.session, adapter, "workable")
        job = jobs_by_ref("workable")["BE1"]
        assert "<script" not in job.description_html and "onclick" not in job.description_html
        assert "Build the engine." in job.description_html
        assert job.employment_type == "FULL_TIME" and job.department == "Engineering"
        questions = [(q.ref, q.kind, q.required, q.options) for q in job.questions]
        assert report.questions == 3
        assert questions == [
            ("q1", "long_text", True, []),
            ("q2", "yes_no", False, []),
            ("q3", "single_select", False, ["Python", "Go"]),
        ]


def workable_adapter(*questions: dict):
    """Workable whose job BE1 asks exactly `questions`."""
    jobs = copy.deepcopy(workable_sandbox.DEFAULT_JOBS)
    jobs[0]["questions"] = list(questions)
    sandbox = workable_sandbox.create_app({"jobs": jobs})
    return workable.build(
        {"base_url": "http://acme.workable.test/spi/v3", "token": "test-token"},
        transport=httpx.WSGITransport(app=sandbox),
    )


def imported_questions(app, adapter) -> list[tuple]:
    with app.app_context():
        sync_jobs(db.session, adapter, "workable")
        job = jobs_by_ref("workable")["BE1"]
        return [(q.ref, q.kind, q.required, q.options) for q in job.questions]


def test_a_workable_question_taking_several_answers_is_imported_as_multi_select(app):
    languages = {
        "id": "q4",
        "body": "Languages you write",
        "type": "multiple_choice",
        "required": True,
        "single_answer": False,
        "choices": [{"id": "c1", "body": "Python"}, {"id": "c2", "body": "Go"}],
    }
    assert imported_questions(app, workable_adapter(languages)) == [
        ("q4", "multi_select", True, ["Python", "Go"])
    ]


def test_a_required_choice_question_without_options_is_imported_as_plain_text(app):
    office = {
        "id": "q5",
        "body": "Preferred office",
        "type": "multiple_choice",
        "required": True,
        "single_answer": True,
        "choices": [],
    }
    assert imported_questions(app, workable_adapter(office)) == [("q5", "short_text", True, [])]


def test_a_sync_imports_only_kinds_our_form_renders():
    assert set(get_args(QuestionKind)) == set(QUESTION_KINDS)
