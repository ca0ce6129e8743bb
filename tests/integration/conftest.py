"""Real things on 127.0.0.1: the careers app and an ATS sandbox as HTTP servers, the SQLite
queue and a Huey consumer in this process. Browsers are played by httpx.

Tests decorated `@on_both_engines` run twice: on SQLite + SqliteHuey (id `sqlite`) and on
PostgreSQL + RedisHuey (id `pg-redis`, marked `pg_redis`), each server started once per run
(tests/support/engines.py), each test on a fresh copy of a migrated database and an empty Redis.
The PostgreSQL run is a representative subset, kept small for the suite's time; every test that
moves an application through the database and the queue in a way another does not:

- the local ATS through the real queue (test_local_queue);
- Skailer through the form, complete; every create saved by the ATS before a failure; a worker
  killed after the ATS saved; a refused application that HR retries from the admin area; an
  expired token pausing the integration until HR resumes it (test_skailer);
- an application taken while Redis is down, delivered once it is back, and the site and the
  worker carrying on after PostgreSQL restarts (test_skailer, pg-redis only: SQLite has no
  server to stop);
- NexivoHR's stage webhooks shown in the admin area once each (test_ats_faults);
- a `flask worker` process stopped by SIGTERM with a delivery in flight, and the delivery
  finished by the next process (test_shutdown): two processes sharing PostgreSQL and Redis.

Migrations and the race-free delivery claim are proven on PostgreSQL in test_postgres.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.intake.tasks import start_consumer
from app.models import Application, Delivery, Job
from tests.ats.harnesses import PDF_BYTES
from tests.conftest import app_config
from tests.support.engine_hooks import engines_missing, not_run
from tests.support.engines import PostgresServer, RedisServer, postgres_server, redis_server
from tests.support.servers import serving
from tests.web.helpers import hidden_fields, valid_answers

FAST = {
    "SERVER_NAME": None,
    "APPLY_RATE_LIMIT": "1000 per minute",
    "DELIVERY_MAX_ATTEMPTS": 6,
    "DELIVERY_BACKOFF_BASE": 0.05,
    "DELIVERY_BACKOFF_CAP": 0.2,
}


@dataclass(frozen=True)
class Served:
    """A WSGI app served on 127.0.0.1 for the length of one test."""

    url: str


@dataclass
class Call:
    at: float
    method: str
    path: str
    status: int
    wall: float = 0.0  # time.time(), for reset timestamps
    headers: dict = field(default_factory=dict)  # the response headers


class CallLog:
    """WSGI middleware noting when each request reached the sandbox and how it was answered."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app, self.calls = wsgi_app, []

    def __call__(self, environ, start_response):
        arrived, wall = time.monotonic(), time.time()

        def noting(status, headers, *args):
            self.calls.append(
                Call(
                    arrived,
                    environ["REQUEST_METHOD"],
                    environ["PATH_INFO"],
                    int(status.split()[0]),
                    wall,
                    dict(headers),
                )
            )
            return start_response(status, headers, *args)

        return self.wsgi_app(environ, noting)

    def to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path == path]


def wait_until(check: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Careers:
    """The careers site served for real, with its queue and (when started) a worker."""

    app: Any
    site: Served
    browser: httpx.Client
    consumer: Any = None
    stopped: list = field(default_factory=list)

    @property
    def tasks(self):
        return self.app.extensions["careers.tasks"]

    def start_worker(self, workers: int = 4) -> None:
        self.consumer = start_consumer(self.tasks.huey, workers, max_delay=0.1, periodic=False)

    def sync_jobs(self) -> None:
        with self.app.app_context():
            from app.intake.tasks import sync_target_jobs

            sync_target_jobs(self.app, self.app.extensions["careers.adapters"])

    def job_id(self, ref: str) -> int:
        with self.app.app_context():
            return db.session.scalar(select(Job.id).where(Job.ref == ref))

    def apply(
        self,
        job_id: int,
        email: str = "grace@example.com",
        answers: dict | None = None,
        resume: tuple | None = ("grace.pdf", PDF_BYTES, "application/pdf"),
    ) -> int:
        """Fill in and send the apply form as a browser does; the new application's id."""
        page = self.browser.get(f"/jobs/{job_id}/apply")
        assert page.status_code == 200
        data = {**hidden_fields(page.text), **valid_answers(email=email), **(answers or {})}
        response = self.browser.post(
            f"/jobs/{job_id}/apply", data=data, files={"resume": resume} if resume else None
        )
        if response.status_code == 409:  # applied to this job lately: the candidate sends an update
            data.update(hidden_fields(response.text))  # the update's confirmation and the held resume
            response = self.browser.post(f"/jobs/{job_id}/apply", data=data)
        assert response.status_code in (302, 303), response.text[:2000]
        assert response.headers["location"].endswith("/thanks")
        with self.app.app_context():
            return db.session.scalar(
                select(Application.id).where(Application.email == email).order_by(Application.id.desc())
            )

    def delivery(self, application_id: int) -> Delivery:
        with self.app.app_context():
            row = db.session.scalar(select(Delivery).where(Delivery.application_id == application_id))
            db.session.expunge(row)
            return row

    def wait_for(self, application_id: int, status: str = "delivered", timeout: float = 15.0):
        try:
            return wait_until(
                lambda: settled(self.delivery(application_id), status),
                timeout,
                f"delivery {application_id} to be {status}",
            )
        except AssertionError:
            row = self.delivery(application_id)
            raise AssertionError(
                f"delivery {application_id} is {row.status} after {row.attempts} "
                f"attempts ({row.last_error}), not {status}"
            ) from None

    def question_fields(self, job_id: int) -> dict[str, str]:
        """Form field name by the ATS's question key, for the job's imported questions."""
        with self.app.app_context():
            job = db.session.get(Job, job_id)
            return {q.ref: f"q_{q.id}" for q in job.questions}


def settled(row: Delivery, wanted: str):
    """The row once it reached `wanted`; an error when it ended in another final state."""
    if row.status == wanted:
        return row
    if row.status in ("delivered", "already_in_ats", "failed", "needs_review"):
        raise AssertionError(f"delivery ended {row.status} ({row.last_error}), not {wanted}")
    return None


@pytest.fixture
def served():
    """Serve WSGI apps for the test; all are shut down after it."""
    with ExitStack() as servers:
        yield lambda wsgi_app: Served(servers.enter_context(serving(wsgi_app)))


TEMPLATE = "careers_template"
ENGINES = ("sqlite", pytest.param("pg-redis", marks=pytest.mark.pg_redis))
on_both_engines = pytest.mark.parametrize("engines", ENGINES, indirect=True)
_databases = itertools.count(1)


def demand_engines() -> None:
    """Reached only where the servers are installed or in CI: elsewhere the tests were skipped
    at collection (tests/support/engine_hooks.py)."""
    if engines_missing():
        pytest.fail(f"{not_run()}. CI needs them.", pytrace=False)


@pytest.fixture(scope="session")
def postgres(tmp_path_factory) -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the run, holding a database migrated with Alembic that each
    test copies (CREATE DATABASE ... TEMPLATE, far faster than migrating again)."""
    demand_engines()
    with postgres_server() as server:
        app = create_app(
            app_config(tmp_path_factory.mktemp("pg-template"), DATABASE_URL=server.create_database(TEMPLATE))
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            db.engine.dispose()  # a template must have no one connected when it is copied
        yield server


@pytest.fixture(scope="session")
def redis() -> Iterator[RedisServer]:
    demand_engines()
    with redis_server() as server:
        yield server


@pytest.fixture
def new_database(postgres) -> Iterator[Callable[..., str]]:
    """new_database(template=None) -> the URL of a new PostgreSQL database, dropped after the test:
    empty, or a copy of `template` (TEMPLATE: migrated)."""
    names: list[str] = []

    def create(template: str | None = None) -> str:
        names.append(f"test_{next(_databases)}")
        return postgres.create_database(names[-1], template=template)

    yield create
    for name in names:
        postgres.drop_database(name)


@pytest.fixture
def pg_redis(new_database, redis) -> dict[str, str]:
    """Settings for a fresh migrated PostgreSQL database and an empty Redis, for one test."""
    redis.flush()
    return {"DATABASE_URL": new_database(TEMPLATE), "QUEUE_URL": redis.url}


@pytest.fixture
def engines(request) -> dict[str, str]:
    """The database and queue settings of the test's apps: none (its SQLite copy and SqliteHuey)
    unless the test is parametrized `@on_both_engines` and this is its `pg-redis` run."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return {}
    return request.getfixturevalue("pg_redis")


@pytest.fixture
def careers(make_app, served, engines):
    """start(ats_settings, **config) -> Careers, for one ATS target."""
    started: list[Careers] = []

    def start(ats: dict, worker: bool = True, **config) -> Careers:
        app = make_app(**{**FAST, **engines, "ATS": ats, **config})
        site = served(app)
        stack = Careers(app, site, httpx.Client(base_url=site.url, timeout=30))
        if worker:
            stack.start_worker()
        started.append(stack)
        return stack

    yield start
    for stack in started:
        if stack.consumer is not None:
            stop_workers(stack.consumer)
        stack.browser.close()


def stop_workers(consumer) -> None:
    """Stop the consumer once its workers finished their task; the scheduler thread (which
    sleeps up to a second) is left to notice the stop flag on its own."""
    consumer.stop_flag.set()
    for _, thread in consumer.worker_threads:
        thread.join(10)
