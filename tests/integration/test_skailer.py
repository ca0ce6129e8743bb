"""Skailer end to end: the apply form over HTTP, the real queue and worker, the sandbox served
on loopback, with every fault it can act out. Exactly one applicant and candidate, always."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app.ats.sandbox import skailer as sandbox_module
from app.extensions import db
from app.intake import delivery as delivery_service
from app.models import Integration, utcnow
from app.storage import storage_for
from tests.ats.harnesses import PDF_BYTES
from tests.conftest import PASSWORD, add_user, csrf_token_from
from tests.integration.conftest import CallLog, on_both_engines, wait_until

TOKEN = "integration-token"
EMAIL = "grace@example.com"
DATA_ENGINEER = "311"
BACKEND_ENGINEER = "312"
CREATES = ("upload_cv", "create_applicant", "assign_to_job", "comment")


@pytest.fixture
def skailer(served):
    app = sandbox_module.create_app({"token": TOKEN, "seed": 7})
    log = CallLog(app)
    server = served(log)
    return sandbox_module.sandbox_of(app), log, server.url


@pytest.fixture
def site(careers, skailer):
    """The careers site targeting the served sandbox, jobs synced, worker running."""
    _, _, url = skailer
    stack = careers(
        {"kind": "skailer", "base_url": url, "token": TOKEN, "stage": "New", "source": "Careers site"}
    )
    stack.sync_jobs()
    return stack


def applicants(control, email=EMAIL) -> list[dict]:
    return [a for a in control.state.applicants.values() if a["email"] == email]


def assert_delivered_once(control, email=EMAIL):
    assert len(applicants(control, email)) == 1
    assert control.count_applications(email, DATA_ENGINEER) == 1


@on_both_engines
def test_an_application_sent_through_the_form_lands_in_skailer_complete(site, skailer):
    control, _, _ = skailer
    application_id = site.apply(site.job_id(DATA_ENGINEER))
    row = site.wait_for(application_id)
    state = control.state
    (applicant,) = applicants(control)
    (candidate,) = state.candidates.values()
    (cv,) = state.cvs.values()
    (action,) = state.actions.values()
    assert (applicant["first_name"], applicant["last_name"]) == ("Grace", "Hopper")
    assert applicant["cv_ids"] == [cv["id"]] and cv["filename"] == "grace.pdf"
    assert candidate["applicant_id"] == applicant["id"] and candidate["job_id"] == 311
    assert (candidate["pipeline_id"], candidate["pipeline_stage_id"]) == (12, 101)  # "New"
    assert candidate["source_id"] == 7  # Careers site
    assert "I like compilers." in action["comment"] and action["candidate_id"] == candidate["id"]
    assert row.checkpoints["assign_to_job"] == {"candidate_ref": str(candidate["id"])}
    assert row.attempts == 1 and row.last_error == ""


def test_random_server_errors_delay_but_never_duplicate(careers, skailer):
    control, _, url = skailer
    site = careers({"kind": "skailer", "base_url": url, "token": TOKEN}, DELIVERY_MAX_ATTEMPTS=40)
    site.sync_jobs()
    control.faults.configure({"error_rate": 0.25})
    emails = [f"person{i}@example.com" for i in range(4)]
    ids = [site.apply(site.job_id(DATA_ENGINEER), email=email) for email in emails]
    for application_id in ids:
        site.wait_for(application_id, timeout=30)
    for email in emails:
        assert_delivered_once(control, email)


def test_a_429_is_retried_no_sooner_than_its_retry_after(site, skailer):
    control, log, _ = skailer
    control.fail_next("create_applicant", 429)
    application_id = site.apply(site.job_id(DATA_ENGINEER))
    row = site.wait_for(application_id)
    refused, accepted = log.to("POST", "/api/v1/applicant")
    assert (refused.status, accepted.status) == (429, 201)
    assert accepted.at - refused.at >= 1.0  # the sandbox said Retry-After: 1
    assert row.attempts == 2
    assert_delivered_once(control)


def test_a_slow_ats_still_gets_the_application(site, skailer):
    control, log, _ = skailer
    control.faults.configure({"latency": 0.3})
    started = time.monotonic()
    application_id = site.apply(site.job_id(DATA_ENGINEER))
    site.wait_for(application_id)
    assert time.monotonic() - started >= 4 * 0.3  # four steps, each held back
    assert_delivered_once(control)


@pytest.mark.parametrize("step", ["find_job", "pick_stage", "pick_source", "find_applicant", *CREATES])
def test_a_failure_at_any_step_is_retried_to_exactly_one_delivery(careers, skailer, step):
    control, _, url = skailer
    site = careers({"kind": "skailer", "base_url": url, "token": TOKEN})
    site.sync_jobs()  # reads stages and sources for HR's lists, which warms the shared lookups:
    site.app.extensions["careers.adapters"].fresh("skailer")  # cold again, so the worker calls each step
    control.fail_next(step, 500)
    application_id = site.apply(site.job_id(DATA_ENGINEER))
    row = site.wait_for(application_id)
    assert row.attempts == 2
    assert_delivered_once(control)
    assert len(control.state.actions) == 1


@on_both_engines
@pytest.mark.parametrize("mode", ["500", "drop"])
@pytest.mark.parametrize("step", CREATES)
def test_a_create_saved_before_a_failure_is_not_repeated(site, skailer, step, mode):
    control, _, _ = skailer
    control.commit_then_fail_next(step, mode)
    application_id = site.apply(site.job_id(DATA_ENGINEER))
    row = site.wait_for(application_id)
    assert row.attempts == 2
    assert_delivered_once(control)
    (candidate,) = control.state.candidates.values()
    assert row.checkpoints["assign_to_job"]["candidate_ref"] == str(candidate["id"])


class WorkerKilled(BaseException):
    """Stands for the process dying: nothing below it gets to run."""


@on_both_engines
@pytest.mark.parametrize("step", ["create_applicant", "assign_to_job"])
def test_a_worker_killed_after_the_ats_saved_leaves_no_duplicate(careers, skailer, step):
    control, _, url = skailer
    site = careers(
        {"kind": "skailer", "base_url": url, "token": TOKEN}, worker=False, DELIVERY_LEASE_SECONDS=1
    )
    site.sync_jobs()
    application_id = site.apply(site.job_id(DATA_ENGINEER))

    def die_after(name, ids):
        if name == step:
            raise WorkerKilled

    app = site.app
    with app.app_context(), pytest.raises(WorkerKilled):
        delivery_service.deliver(
            db.session,
            application_id,
            adapter=app.extensions["careers.adapters"].get("skailer"),
            storage=storage_for(app),
            policy=delivery_service.Policy(lease=timedelta(seconds=1)),
            after_step=die_after,
            now=lambda: utcnow() - timedelta(minutes=10),  # its lease has run out by now
        )
    assert site.delivery(application_id).status == "in_progress"
    site.tasks.huey.flush()  # the killed worker's message is gone too
    site.start_worker()
    site.tasks.sweep()  # the periodic sweeper, on the real queue
    row = site.wait_for(application_id)
    assert_delivered_once(control)
    assert len(control.state.actions) == 1
    assert row.checkpoints[step]


def login(browser) -> None:
    page = browser.get("/admin/login")
    response = browser.post(
        "/admin/login",
        data={"email": "hr@example.com", "password": PASSWORD, "csrf_token": csrf_token_from(page.text)},
    )
    assert response.status_code in (302, 303)


@on_both_engines
def test_a_rejected_application_fails_at_once_and_hr_can_retry_it(site, skailer):
    control, _, _ = skailer
    control.fail_next("assign_to_job", 422)
    application_id = site.apply(site.job_id(DATA_ENGINEER))
    row = site.wait_for(application_id, "failed")
    assert row.attempts == 1 and "422" in row.last_error
    add_user(site.app)
    login(site.browser)
    page = site.browser.get(f"/admin/applications/{application_id}")
    assert "failed" in page.text and "POST /api/v1/candidate -&gt; 422" in page.text
    assert f'action="/admin/applications/{application_id}/retry"' in page.text
    assert "Retry delivery" in page.text
    site.browser.post(
        f"/admin/applications/{application_id}/retry", data={"csrf_token": csrf_token_from(page.text)}
    )
    site.wait_for(application_id)
    assert_delivered_once(control)


@on_both_engines
def test_an_expired_token_pauses_deliveries_and_resuming_after_the_fix_delivers(site, skailer):
    control, _, _ = skailer
    control.expire_token()
    application_id = site.apply(site.job_id(DATA_ENGINEER))
    wait_until(lambda: site.delivery(application_id).last_error, what="the refusal")
    with site.app.app_context():
        integration = db.session.scalar(select(Integration).where(Integration.kind == "skailer"))
        assert integration.paused
    assert site.delivery(application_id).status == "pending"
    add_user(site.app)
    login(site.browser)
    inbox = site.browser.get("/admin/applications")
    assert "Deliveries to skailer are paused" in inbox.text and "401" in inbox.text
    control.state.tokens[TOKEN] = time.time()  # HR renewed the token
    site.browser.post("/admin/integrations/skailer/resume", data={"csrf_token": csrf_token_from(inbox.text)})
    site.wait_for(application_id)
    assert_delivered_once(control)
    assert "are paused" not in site.browser.get("/admin/applications").text


def test_an_application_taken_while_the_queue_was_down_is_delivered_by_the_sweeper(
    careers, skailer, tmp_path
):
    control, _, url = skailer
    ats = {"kind": "skailer", "base_url": url, "token": TOKEN}
    queue = tmp_path / "web-queue.db"
    web = careers(ats, worker=False, QUEUE_URL=f"sqlite:///{queue}")
    web.sync_jobs()
    for path in tmp_path.glob("web-queue.db*"):  # the queue's disk is gone:
        path.unlink()  # every enqueue now fails
    queue.mkdir()
    application_id = web.apply(web.job_id(DATA_ENGINEER))
    assert web.delivery(application_id).status == "pending"
    assert control.state.applicants == {}
    worker = careers(ats, QUEUE_URL=f"sqlite:///{tmp_path / 'worker-queue.db'}")
    assert worker.tasks.huey.pending_count() == 0  # nothing queued: the message was lost
    worker.tasks.sweep()
    worker.wait_for(application_id)
    assert_delivered_once(control)


@pytest.mark.parametrize("engines", [pytest.param("pg-redis", marks=pytest.mark.pg_redis)], indirect=True)
def test_an_application_taken_while_redis_was_down_is_delivered_once_redis_is_back(careers, skailer, redis):
    """Redis stopped under a running worker: the form still takes the application (the row is
    the truth), the worker rides out the outage, and the sweep after the restart delivers it."""
    control, _, url = skailer
    site = careers({"kind": "skailer", "base_url": url, "token": TOKEN})
    site.sync_jobs()
    redis.stop()
    try:
        application_id = site.apply(site.job_id(DATA_ENGINEER))
        assert site.delivery(application_id).status == "pending"
        time.sleep(0.5)  # the worker's reads fail meanwhile
    finally:
        redis.start()
    assert control.state.applicants == {}
    site.tasks.sweep()
    site.wait_for(application_id)
    assert_delivered_once(control)


@pytest.mark.parametrize("engines", [pytest.param("pg-redis", marks=pytest.mark.pg_redis)], indirect=True)
def test_the_site_and_the_worker_carry_on_after_postgresql_restarts(site, skailer, postgres):
    """Every pooled connection of the web process and the worker dies with the restart; the
    next request and the next delivery open new ones instead of failing on the old."""
    control, _, _ = skailer
    site.wait_for(site.apply(site.job_id(DATA_ENGINEER)))
    postgres.restart()
    site.wait_for(site.apply(site.job_id(BACKEND_ENGINEER)))
    assert control.count_applications(EMAIL, DATA_ENGINEER) == 1
    assert control.count_applications(EMAIL, BACKEND_ENGINEER) == 1
    assert control.count_people(EMAIL) == 1


def test_the_checkpoint_names_every_id_skailer_returned(site, skailer):
    control, _, _ = skailer
    application_id = site.apply(site.job_id(DATA_ENGINEER))
    row = site.wait_for(application_id)
    refs = {
        key: value for ids in row.checkpoints.values() if isinstance(ids, dict) for key, value in ids.items()
    }
    assert set(refs) == {
        *("job_ref", "pipeline_ref", "stage_ref", "source_ref"),
        *("cv_ref", "applicant_ref", "candidate_ref", "comment_ref"),
    }
    assert all(re.fullmatch(r"\d+", value) for value in refs.values())


def test_a_returning_applicant_reaches_another_job_with_the_new_resume_as_a_working_link(site, skailer):
    control, _, _ = skailer
    site.app.config["PUBLIC_BASE_URL"] = site.site.url
    site.wait_for(site.apply(site.job_id(DATA_ENGINEER)))
    cvs = len(control.state.cvs)
    again = site.apply(site.job_id(BACKEND_ENGINEER), resume=("grace-2026.pdf", PDF_BYTES, "application/pdf"))
    row = site.wait_for(again)
    assert control.count_people(EMAIL) == 1 and control.count_applications(EMAIL, BACKEND_ENGINEER) == 1
    assert len(control.state.cvs) == cvs  # nothing uploaded that no applicant holds
    comment = control.state.actions[int(row.checkpoints["comment"]["comment_ref"])]["comment"]
    link = next(word for word in comment.split() if "/files/resume/" in word)
    download = httpx.get(link)
    assert download.status_code == 200 and download.content == PDF_BYTES
    add_user(site.app)
    login(site.browser)
    page = site.browser.get(f"/admin/applications/{again}").text
    assert "Skailer documents no way to add a CV to an applicant it already holds" in page


def test_applying_again_to_the_same_job_ends_already_in_the_ats_with_nothing_sent(site, skailer):
    control, _, _ = skailer
    site.wait_for(site.apply(site.job_id(DATA_ENGINEER)))
    records = control.count_records()
    again = site.apply(site.job_id(DATA_ENGINEER))
    row = site.wait_for(again, "already_in_ats")
    assert row.attempts == 1 and "already candidate" in row.last_error and "on job 311" in row.last_error
    assert control.count_records() == records
