"""Stage and source for new applicants, picked from the ATS's own lists: the job sync stores
them, HR's "Refresh from ATS" queues a sync, and the job form offers them as selects."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app.ats import skailer, workable
from app.ats.base import Job as AtsJob
from app.ats.sandbox import skailer as skailer_sandbox
from app.ats.sandbox import workable as workable_sandbox
from app.extensions import db
from app.intake.ats_lists import refresh_ats_lists
from app.intake.sync import sync_jobs
from app.models import AtsChoice, Job, utcnow
from tests.conftest import add_job, add_user, csrf_token_from, login
from tests.web.helpers import error_for

TOKEN = "lists-token"
SKAILER = {
    "kind": "skailer",
    "base_url": "http://skailer.test",
    "token": TOKEN,
    "stage": "New",
    "source": "Careers site",
}


@pytest.fixture
def sandbox():
    return skailer_sandbox.create_app({"token": TOKEN})


def adapter(sandbox):
    """A fresh adapter per sync, as the periodic task builds one."""
    return skailer.build(
        {"base_url": "http://skailer.test", "token": TOKEN}, transport=httpx.WSGITransport(app=sandbox)
    )


def sync(sandbox) -> None:
    sync_jobs(db.session, adapter(sandbox), "skailer")


@pytest.fixture
def skailer_app(make_app):
    return make_app(ATS=SKAILER)


@pytest.fixture
def hr(skailer_app):
    client = skailer_app.test_client()
    add_user(skailer_app)
    login(client)
    return client


def stored(list_name: str, job_id: int | None = None) -> list[str]:
    query = select(AtsChoice.name).where(AtsChoice.list_name == list_name).order_by(AtsChoice.position)
    if job_id is not None:
        query = query.where(AtsChoice.job_id == job_id)
    return list(db.session.scalars(query))


def job_id_of(ref: str) -> int:
    return db.session.scalar(select(Job.id).where(Job.ats_kind == "skailer", Job.ref == ref))


def test_the_job_sync_stores_each_jobs_stages_and_the_ats_sources(skailer_app, sandbox):
    with skailer_app.app_context():
        sync(sandbox)
        assert stored("stage", job_id_of("311")) == ["New", "Screening", "Interview"]
        assert stored("stage", job_id_of("312")) == ["New", "Tech screen"]
        assert stored("source") == ["Careers site", "LinkedIn", "Referral"]


def test_every_sync_reads_the_sources_and_a_jobs_stages_once_they_are_a_day_old(skailer_app, sandbox):
    state = skailer_sandbox.control(sandbox).state
    with skailer_app.app_context():
        sync(sandbox)
        state.sources = [{"id": 7, "name": "Careers site"}, {"id": 10, "name": "Job fair"}]
        state.pipelines[1]["stages"].append({"id": 113, "name": "Offer", "position": 2})
        sync(sandbox)
        assert stored("source") == ["Careers site", "Job fair"]
        assert stored("stage", job_id_of("312")) == ["New", "Tech screen"]  # read an instant ago
        job = db.session.get(Job, job_id_of("312"))
        found = AtsJob(ref="312", title="Backend Engineer")
        refresh_ats_lists(
            db.session, adapter(sandbox), "skailer", [(job, found)], utcnow() + timedelta(hours=23)
        )
        assert stored("stage", job.id) == ["New", "Tech screen"]
        refresh_ats_lists(
            db.session, adapter(sandbox), "skailer", [(job, found)], utcnow() + timedelta(hours=25)
        )
        assert stored("stage", job.id) == ["New", "Tech screen", "Offer"]


def test_a_closed_jobs_stages_are_dropped_by_the_next_sync(skailer_app, sandbox):
    state = skailer_sandbox.control(sandbox).state
    with skailer_app.app_context():
        sync(sandbox)
        state.jobs[1]["status"] = "closed"
        sync(sandbox)
        assert stored("stage", job_id_of("312")) == []
        assert stored("stage", job_id_of("311")) == ["New", "Screening", "Interview"]


def test_the_job_form_offers_the_synced_lists_with_the_configured_default(skailer_app, hr, sandbox):
    with skailer_app.app_context():
        sync(sandbox)
        job_id = job_id_of("312")
    page = hr.get(f"/admin/jobs/{job_id}").text
    assert '<select id="stage" name="stage">' in page and '<select id="source" name="source">' in page
    assert '<option value="">Default from settings (New)</option>' in page
    assert '<option value="Tech screen">Tech screen</option>' in page
    assert '<option value="">Default from settings (Careers site)</option>' in page
    assert '<option value="Referral">Referral</option>' in page


def test_hr_saves_a_stage_and_source_from_the_lists_and_cannot_save_others(skailer_app, hr, sandbox):
    with skailer_app.app_context():
        sync(sandbox)
        job_id = job_id_of("312")
    base = {"title": "Backend Engineer", "employment_type": "FULL_TIME", "workplace": "on_site"}
    page = hr.get(f"/admin/jobs/{job_id}").text
    wrong = hr.post(
        f"/admin/jobs/{job_id}",
        data={"csrf_token": csrf_token_from(page), **base, "stage": "Interview", "source": "Billboard"},
    )
    assert wrong.status_code == 200
    assert (
        error_for(wrong.text, "stage") == "Choose a stage the ATS offers for this job."
    )  # job 311's, not this
    assert error_for(wrong.text, "source") == "Choose a source the ATS offers."
    right = hr.post(
        f"/admin/jobs/{job_id}",
        data={"csrf_token": csrf_token_from(page), **base, "stage": "Tech screen", "source": "Referral"},
    )
    assert right.status_code == 302
    with skailer_app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.stage, job.source) == ("Tech screen", "Referral")


def test_stage_and_source_are_free_text_when_the_ats_offers_no_list(app, client):
    add_user(app)
    login(client)
    job_id = add_job(app)
    page = client.get(f"/admin/jobs/{job_id}").text
    assert re.search(r'<input [^>]*name="stage" type="text"', page) and '<select id="stage"' not in page
    response = client.post(
        f"/admin/jobs/{job_id}",
        data={
            "csrf_token": csrf_token_from(page),
            "title": "Backend Engineer",
            "employment_type": "FULL_TIME",
            "stage": "Phone screen",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Job, job_id).stage == "Phone screen"


def test_refresh_from_the_ats_queues_a_job_sync_without_calling_the_ats(skailer_app, hr):
    huey = skailer_app.extensions["careers.tasks"].huey
    before = huey.pending_count()
    page = hr.get("/admin/jobs").text
    assert "Refresh from ATS" in page
    response = hr.post(
        "/admin/jobs/refresh-ats", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True
    )
    assert "Refresh requested" in response.text
    assert [task.name for task in huey.pending()][before:] == ["sync_jobs"]


def test_refresh_without_a_csrf_token_queues_nothing(skailer_app, hr):
    huey = skailer_app.extensions["careers.tasks"].huey
    before = huey.pending_count()
    hr.post("/admin/jobs/refresh-ats")
    assert huey.pending_count() == before


def workable_sync(sandbox) -> None:
    adapter = workable.build(
        {"base_url": "http://acme.workable.test/spi/v3", "token": "test-token"},
        transport=httpx.WSGITransport(app=sandbox),
    )
    sync_jobs(db.session, adapter, "workable")


def test_the_sync_sets_the_workplace_from_the_ats_and_keeps_hrs_hybrid(app):
    sandbox = workable_sandbox.create_app({})
    with app.app_context():
        workable_sync(sandbox)
        jobs = {job.ref: job for job in db.session.scalars(select(Job).where(Job.ats_kind == "workable"))}
        assert (jobs["DA2"].workplace, jobs["DA2"].remote) == ("remote", True)
        assert (jobs["BE1"].workplace, jobs["BE1"].remote) == ("on_site", False)
        jobs["BE1"].workplace = "hybrid"
        db.session.commit()
        workable_sync(sandbox)
        assert db.session.get(Job, jobs["BE1"].id).workplace == "hybrid"


def test_a_description_the_ats_changed_replaces_hrs_markdown_source(app):
    sandbox = workable_sandbox.create_app({})
    with app.app_context():
        workable_sync(sandbox)
        job = db.session.scalar(select(Job).where(Job.ref == "BE1"))
        job.description_md, job.description_html = (
            "Our **own** words",
            "<p>Our <strong>own</strong> words</p>",
        )
        db.session.commit()
        workable_sync(sandbox)  # the ATS owns the description: its text comes back
        job = db.session.scalar(select(Job).where(Job.ref == "BE1"))
        assert job.description_html == "<p>Build the engine.</p>" and job.description_md == ""
