"""A PostgreSQL restart under the site: the next request succeeds, and a request caught in
flight by the restart (held on a table lock until the server goes down) is tried once more
when the database is back, instead of answering 500. The apply POST stores its application
exactly once. Runs on a PostgreSQL of the test's own (tests/support/engines.py); without
PostgreSQL installed it is skipped with one line, and in CI (CI=true) it fails instead."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import psycopg
import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Application, Delivery
from tests.ats.harnesses import PDF_BYTES
from tests.conftest import add_job, app_config
from tests.integration.conftest import FAST, wait_until
from tests.support.engines import PostgresServer, postgres_missing, postgres_server
from tests.web.helpers import hidden_fields, valid_answers


@pytest.fixture
def postgres():
    missing = postgres_missing()
    if missing:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{missing}: CI must run the database restart tests")
        pytest.skip(f"{missing}: the database restart tests did not run")
    with postgres_server() as server:
        yield server


@pytest.fixture
def site(postgres, tmp_path, served):
    from flask_migrate import upgrade

    app = create_app(app_config(tmp_path, **FAST, DATABASE_URL=postgres.url))
    with app.app_context():
        upgrade()
    job_id = add_job(app)
    server = served(app)
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        yield app, browser, job_id
    with app.app_context():
        db.engine.dispose()


def direct(server: PostgresServer, **options) -> psycopg.Connection:
    return psycopg.connect(host=str(server.root), dbname="careers", user="postgres", **options)


@contextmanager
def lock_held(server: PostgresServer, statement: str) -> Iterator[None]:
    """A session of its own holds the lock until the server ends it (no commit to wait for)."""
    holder = direct(server)
    try:
        holder.execute(statement)
        yield
    finally:
        holder.close()


def in_background(call: Callable[[], httpx.Response]) -> Callable[[], httpx.Response]:
    """Start `call` in a thread; the returned function waits for its response."""
    outcome: dict = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("response", call()), daemon=True)
    thread.start()

    def response() -> httpx.Response:
        thread.join(60)
        return outcome["response"]

    return response


def wait_for_a_blocked_query(server: PostgresServer) -> None:
    with direct(server, autocommit=True) as watcher:
        query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        wait_until(lambda: watcher.execute(query).fetchone()[0] > 0, 15, "a query waiting on the lock")


def apply_form(browser: httpx.Client, job_id: int, email: str) -> dict:
    page = browser.get(f"/jobs/{job_id}/apply")
    assert page.status_code == 200
    return {**hidden_fields(page.text), **valid_answers(email=email)}


def send(browser: httpx.Client, job_id: int, form: dict) -> httpx.Response:
    resume = {"resume": ("grace.pdf", PDF_BYTES, "application/pdf")}
    return browser.post(f"/jobs/{job_id}/apply", data=form, files=resume)


def stored(app, email: str) -> tuple[int, int]:
    with app.app_context():
        applications = db.session.scalar(select(func.count()).where(Application.email == email))
        deliveries = db.session.scalar(
            select(func.count()).select_from(Delivery).join(Application).where(Application.email == email)
        )
        return applications, deliveries


def test_the_first_requests_after_a_restart_succeed(site, postgres):
    app, browser, job_id = site
    form = apply_form(browser, job_id, "after.restart@example.com")
    postgres.restart()
    assert browser.get(f"/jobs/{job_id}/apply").status_code == 200
    assert send(browser, job_id, form).status_code in (302, 303)
    assert stored(app, "after.restart@example.com") == (1, 1)


def test_a_page_read_in_flight_across_a_restart_is_read_again(site, postgres):
    _, browser, job_id = site
    with lock_held(postgres, "LOCK TABLE job IN ACCESS EXCLUSIVE MODE"):
        response = in_background(lambda: browser.get(f"/jobs/{job_id}/apply"))
        wait_for_a_blocked_query(postgres)
        postgres.restart()  # ends the holder's session and the page's
    assert response().status_code == 200


def test_an_application_in_flight_across_a_restart_is_stored_once_not_answered_500(site, postgres, tmp_path):
    app, browser, job_id = site
    email = "in.flight@example.com"
    form = apply_form(browser, job_id, email)
    # Reads go on; the insert of the Delivery row, inside the application's commit, waits.
    with lock_held(postgres, "LOCK TABLE delivery IN EXCLUSIVE MODE"):
        response = in_background(lambda: send(browser, job_id, form))
        wait_for_a_blocked_query(postgres)
        started = time.monotonic()
        postgres.restart()
    answer = response()
    assert answer.status_code in (302, 303), answer.text[:500]
    assert answer.headers["location"].endswith("/thanks")
    assert time.monotonic() - started < 15
    assert stored(app, email) == (1, 1)
    # The first try's commit was cut off with its outcome unknown, so its resume file was kept
    # (had the commit gone through, the application would name it); the orphan sweep removes it.
    assert len(list((tmp_path / "uploads" / "resumes").iterdir())) == 2
    assert send(browser, job_id, form).headers["location"] == answer.headers["location"]  # sent again: same
    assert stored(app, email) == (1, 1)
