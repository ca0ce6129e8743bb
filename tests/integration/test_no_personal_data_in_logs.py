"""No candidate email and no ATS key in any log or in the queue: for every kind of ATS, an
application with a canary email goes through the form (in this process) and is delivered by a
real `flask worker` process to the vendor's sandbox, configured with a canary key; then both
canaries are looked for in the worker's output, in every log record of this process and in the
queue's database file."""

from __future__ import annotations

import json
import logging
import signal
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.ats.sandbox import skailer
from app.ats.sandbox.workable import ALL_SCOPES
from app.logging_setup import JsonFormatter
from tests.conftest import add_job
from tests.integration.conftest import FAST, Careers, Served
from tests.integration.test_other_ats import TARGETS, required_answers
from tests.integration.test_shutdown import Process, environment, flask

WORKER = flask("worker", "--threads", "1")
SITE = "http://127.0.0.1:5000"  # the default PUBLIC_BASE_URL, a host the site answers


def sandbox_keyed(kind: str, key: str) -> tuple:
    """(sandbox module, its config, our ATS settings, url suffix, job ref) for `kind`, the
    sandbox accepting only `key` and our settings holding it."""
    if kind == "skailer":
        settings = {"kind": "skailer", "token": key, "stage": "New"}
        return skailer, {"token": key, "seed": 7}, settings, "", "311"
    module, config, settings, suffix, job_ref = TARGETS[kind]
    sandbox_config = {
        "dover": {"api_key": key},
        "nexivohr": {"api_token": key},
        "workable": {"tokens": {key: ALL_SCOPES}},
        "greenhouse_harvest": {"clients": {"client-1": key}},
        "greenhouse_harvest_v1": {"api_key": key},
        "greenhouse_job_board": {"board_key": key},
    }[kind]
    secret = {"workable": "token", "nexivohr": "api_token", "greenhouse_harvest": "client_secret"}.get(
        kind, "api_key"
    )
    return module, {**config, **sandbox_config}, {**settings, secret: key}, suffix, job_ref


@pytest.fixture
def canaries() -> tuple[str, str]:
    """The email's and the key's unique parts: found in any encoding of either (a URL's
    `%40` and `%2B`, JSON), since they are plain hex."""
    return uuid.uuid4().hex, uuid.uuid4().hex


def site_on(make_app, ats: dict) -> Careers:
    """The careers site in this process, its form filled through a WSGI transport: no server of
    ours writes an access log here, so every werkzeug record comes from a sandbox."""
    app = make_app(**{**FAST, "ATS": {**ats, "source": "Careers site"}})
    return Careers(app, Served(SITE), httpx.Client(transport=httpx.WSGITransport(app=app), base_url=SITE))


@pytest.fixture
def worker_of(tmp_path):
    """start(site, **settings) -> a `flask worker` Process on the site's settings (and these
    CAREERS_* ones); killed after the test if still running."""
    started: list[Process] = []

    def start(site: Careers, **settings: str) -> Process:
        started.append(Process(WORKER, environment(site.app, **settings), tmp_path, "worker"))
        return started[-1]

    yield start
    for process in started:
        process.end()


def queue_files(site: Careers) -> list[Path]:
    path = Path(site.app.config["QUEUE_URL"].removeprefix("sqlite:///"))
    return [p for p in (path, path.with_name(path.name + "-wal")) if p.exists()]


# Workable searches candidates by email only when a create's outcome is unknown: its create is
# saved and then answered with a 500, so the worker's retry runs that search.
AMBIGUOUS_WORKABLE = "workable_after_an_unknown_create"


@dataclass(frozen=True)
class Traces:
    """What a delivery left outside this process: the worker's output and the queue's files."""

    output: str
    queued: bytes


def deliver_a_canary(make_app, served, worker_of, kind, canaries, *, ambiguous=False, **worker_env) -> Traces:
    email_id, key = canaries
    email = f"canary.{email_id}+x@example.com"
    if kind == "local":
        site, job_ref = site_on(make_app, {"kind": "local", "token": key}), ""
    else:
        module, config, settings, suffix, job_ref = sandbox_keyed(kind, key)
        sandbox_app = module.create_app(config)
        if ambiguous:
            module.sandbox_of(sandbox_app).commit_then_fail_next("create_candidate", "500")
        sandbox = served(sandbox_app)
        site = site_on(make_app, {**settings, "base_url": sandbox.url + suffix})
        site.sync_jobs()
    job_id = add_job(site.app) if kind == "local" else site.job_id(job_ref)
    assert job_id is not None, "the job was not synced"
    application_id = site.apply(job_id, email=email, answers=required_answers(site, job_id))

    worker = worker_of(site, **worker_env)
    site.wait_for(application_id, timeout=30)
    worker.stop(signal.SIGTERM)
    site.browser.close()
    queued = b"".join(path.read_bytes() for path in queue_files(site))
    assert queued, "no queue file found"
    return Traces(worker.output(), queued)


def assert_no_canary(traces: Traces, records: list[logging.LogRecord], canaries, formatter) -> None:
    # The sandboxes' werkzeug lines are the vendor's own access log (a real ATS keeps one too),
    # not ours: they are the one place a canary may show.
    logged = "\n".join(formatter.format(record) for record in records if record.name != "werkzeug")
    for canary in canaries:
        assert canary not in traces.output, f"{canary} in the worker's output:\n{traces.output}"
        assert canary not in logged, f"{canary} in this process's log:\n{logged}"
        assert canary.encode() not in traces.queued, f"{canary} in the queue"


@pytest.mark.parametrize("kind", ["local", "skailer", *sorted(TARGETS), AMBIGUOUS_WORKABLE])
def test_a_delivery_leaves_no_email_or_key_in_any_log_or_in_the_queue(
    make_app, served, worker_of, caplog, kind, canaries
):
    ambiguous = kind == AMBIGUOUS_WORKABLE
    kind = "workable" if ambiguous else kind
    caplog.set_level(logging.DEBUG)
    traces = deliver_a_canary(make_app, served, worker_of, kind, canaries, ambiguous=ambiguous)
    output = traces.output
    if kind == "local":
        assert "deliver" in output and "executed in" in output, output
    else:
        assert "INFO app.ats.http: ats call " in output, output
    if ambiguous:
        assert "ats call workable GET /spi/v3/candidates -> 200" in output, output  # the search ran
    assert_no_canary(traces, caplog.records, canaries, logging.Formatter())


@pytest.mark.parametrize("kind", ["local", "skailer"])
def test_json_log_lines_of_a_delivery_hold_no_email_or_key(
    make_app, served, worker_of, caplog, kind, canaries
):
    caplog.set_level(logging.DEBUG)
    traces = deliver_a_canary(make_app, served, worker_of, kind, canaries, LOG_FORMAT="json")
    records = [json.loads(line) for line in traces.output.splitlines()]  # every line is one object
    messages = [r["message"] for r in records]
    if kind == "local":
        assert any("executed in" in m for m in messages), messages
    else:
        assert any(r["logger"] == "app.ats.http" and r["message"].startswith("ats call ") for r in records)
    assert_no_canary(traces, caplog.records, canaries, JsonFormatter())
