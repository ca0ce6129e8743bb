"""Every adapter's calls are logged by our own line, and no line holds the candidate's email.

Workable, NexivoHR and Greenhouse look candidates up by email in the query string, so a log
line with a full URL would put personal data in the logs.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from app.ats.base import RetryableError
from app.ats.http import make_client, send
from tests.ats.conftest import HARNESSES
from tests.ats.harnesses import make_submission

CANARY = "canary7f3a"  # the local part of the email: matches it raw and URL-encoded
WITH_HTTP = sorted(kind for kind in HARNESSES if kind != "local")


def deliver_and_look_up(harness, submission) -> None:
    done: dict[str, str] = {}
    for step in harness.adapter.steps():
        done.update(step(submission, done))
    if harness.has_lookup:
        harness.adapter.find_existing(submission)


@pytest.mark.parametrize("kind", WITH_HTTP)
def test_each_call_is_logged_as_method_path_and_status_without_the_email(kind, caplog):
    harness = HARNESSES[kind]()
    submission = make_submission(harness.job_ref, email=f"{CANARY}@example.com")
    with caplog.at_level(logging.DEBUG):
        deliver_and_look_up(harness, submission)
    lines = [record.getMessage() for record in caplog.records]
    calls = [line for line in lines if line.startswith(f"ats call {harness.adapter.name} ")]
    assert {line.split()[3] for line in calls} >= {"GET", "POST"}
    assert all(" -> " in line and line.endswith(" ms") for line in calls)
    assert not [line for line in lines if CANARY in line.lower()]
    assert not [r for r in caplog.records if r.name.split(".")[0] in ("httpx", "httpcore")]


def test_a_call_that_fails_in_transit_is_named_by_its_path_never_its_query(caplog):
    def cut_off(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out mid-body", request=request)

    client = make_client("https://ats.example/v1", ats="greenhouse", transport=httpx.MockTransport(cut_off))
    next_page = f"https://ats.example/v1/candidates?email={CANARY}%40example.com&page=2"
    with caplog.at_level(logging.DEBUG), pytest.raises(RetryableError) as raised:
        send(client, "GET", next_page, ats="greenhouse")
    assert str(raised.value) == "greenhouse: GET /v1/candidates -> timeout"
    assert "ats call greenhouse GET /v1/candidates -> timeout" in caplog.text
    assert CANARY not in caplog.text
