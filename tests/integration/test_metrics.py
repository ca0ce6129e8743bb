"""Metrics counted by real deliveries: an application sent through the form and delivered to
the Skailer sandbox by a worker in this process shows in /metrics, and the worker's log records
of it carry the id of the request that took it in. Then the multiprocess mode: counts recorded by
separate processes are added up by the one that serves /metrics."""

from __future__ import annotations

import io
import json
import logging
import os
import textwrap

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.ats.sandbox import skailer as sandbox_module
from app.logging_setup import JsonFormatter
from tests.integration.conftest import CallLog
from tests.support.scripts import run_script

TOKEN = "metrics-token"
DATA_ENGINEER = "311"


def scrape(site) -> dict[tuple, float]:
    response = site.browser.get("/metrics")
    assert response.status_code == 200, response.text[:500]
    return {
        (s.name, *sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


@pytest.fixture
def json_records():
    """Every record of our loggers in this process, as the JSON lines a collector would read."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    ours = logging.getLogger("app")
    level = ours.level
    ours.addHandler(handler)
    ours.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    ours.removeHandler(handler)
    ours.setLevel(level)


def test_a_delivery_is_counted_and_its_worker_logs_carry_the_request_id(careers, served, json_records):
    sandbox = served(CallLog(sandbox_module.create_app({"token": TOKEN, "seed": 7})))
    site = careers(
        {"kind": "skailer", "base_url": sandbox.url, "token": TOKEN, "stage": "New"}, TRUSTED_PROXIES=1
    )
    site.sync_jobs()
    before = scrape(site)
    site.browser.headers["X-Request-ID"] = "apply-request-0001"
    application_id = site.apply(site.job_id(DATA_ENGINEER), email="counted@example.com")
    site.wait_for(application_id)
    del site.browser.headers["X-Request-ID"]
    after = scrape(site)

    def grew(*key) -> float:
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("careers_applications_received_total", ("target", "skailer")) == 1
    assert grew("careers_deliveries_total", ("ats", "skailer"), ("status", "delivered")) == 1
    created = ("careers_ats_call_seconds_count", ("method", "POST"), ("status", "2xx"), ("vendor", "skailer"))
    assert grew(*created) >= 3  # cv, applicant, assignment, comment
    assert after[("careers_delivery_queue_depth",)] == 0
    assert after[("careers_oldest_undelivered_application_age_seconds",)] == 0
    assert not any("/api/v1" in str(key) for key in after)  # no paths among the labels

    carried = {
        r["message"].split(" -> ")[0] for r in json_records() if r.get("request_id") == "apply-request-0001"
    }
    assert {"request POST /jobs/<int:job_id>/apply", "ats call skailer POST /api/v1/applicant"} <= carried


def test_counts_from_several_processes_are_added_up_by_the_one_serving_metrics(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    record = textwrap.dedent(
        """
        from app import telemetry
        telemetry.application_received("local")
        telemetry.delivery_ended("local", "delivered")
        telemetry.ats_call("skailer", "post", 201, 0.12)
        """
    )
    for _ in range(2):  # two workers, each its own process
        run_script(record, env)
    serve = textwrap.dedent(
        f"""
        from pathlib import Path
        from flask_migrate import upgrade
        from app import create_app
        from tests.conftest import app_config

        app = create_app(app_config(Path({str(tmp_path)!r})))
        with app.app_context():
            upgrade()
        print(app.test_client().get("/metrics").get_data(as_text=True))
        """
    )
    done = run_script(serve, env)
    values = {
        (s.name, *sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(done.stdout)
        for s in family.samples
    }
    assert values[("careers_applications_received_total", ("target", "local"))] == 2
    assert values[("careers_deliveries_total", ("ats", "local"), ("status", "delivered"))] == 2
    call = ("careers_ats_call_seconds_count", ("method", "POST"), ("status", "2xx"), ("vendor", "skailer"))
    assert values[call] == 2
    assert values[("careers_delivery_queue_depth",)] == 0
