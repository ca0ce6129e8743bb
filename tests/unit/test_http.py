"""The shared HTTP layer: status table, transport errors, Retry-After, logging, the client."""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from app.ats.base import AuthError, PermanentError, RetryableError
from app.ats.http import bearer, check_status, json_body, make_client, retry_after_seconds, send
from app.ats.ratelimit import MemoryWindow
from tests.clock import FakeClock


def response(status, method="POST", headers=None, content=b"{}"):
    request = httpx.Request(method, "https://ats.example/api/v1/applicant")
    return httpx.Response(status, headers=headers, content=content, request=request)


def echo_app(environ, start_response):
    """A tiny WSGI server standing in for any ATS: answers the status asked for in the path."""
    status = int(environ["PATH_INFO"].rsplit("/", 1)[-1])
    body = json.dumps({"auth": environ.get("HTTP_AUTHORIZATION", "")}).encode()
    start_response(f"{status} X", [("Content-Type", "application/json"), ("Retry-After", "7")])
    return [body]


@pytest.mark.parametrize("status", [200, 201, 204])
def test_any_2xx_is_success(status):
    assert check_status(response(status), "skailer").status_code == status


@pytest.mark.parametrize(
    "status,error",
    [
        (422, PermanentError),
        (404, PermanentError),
        (400, PermanentError),
        (401, AuthError),
        (403, AuthError),
        (429, RetryableError),
        (500, RetryableError),
        (503, RetryableError),
    ],
)
def test_statuses_map_to_our_errors(status, error):
    with pytest.raises(error) as raised:
        check_status(response(status), "skailer")
    assert raised.value.status == status
    assert str(raised.value) == f"skailer: POST /api/v1/applicant -> {status}"


def test_a_5xx_to_a_post_is_ambiguous_but_to_a_get_is_not():
    with pytest.raises(RetryableError) as post:
        check_status(response(500, "POST"), "x")
    with pytest.raises(RetryableError) as get:
        check_status(response(500, "GET"), "x")
    assert post.value.ambiguous and not get.value.ambiguous


def test_a_429_is_never_ambiguous_and_carries_its_wait():
    with pytest.raises(RetryableError) as raised:
        check_status(response(429, headers={"Retry-After": "12"}), "x")
    assert raised.value.retry_after == 12 and not raised.value.ambiguous


def test_retry_after_as_an_http_date_counts_from_now():
    now = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC)
    later = format_datetime(datetime(2026, 11, 22, 10, 1, 30, tzinfo=UTC), usegmt=True)
    assert retry_after_seconds(response(429, headers={"Retry-After": later}), now=now.timestamp()) == 90


def test_retry_after_in_the_past_or_garbled_is_no_wait():
    past = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert retry_after_seconds(response(429, headers={"Retry-After": past})) == 0
    assert retry_after_seconds(response(429, headers={"Retry-After": "soon"})) is None
    assert retry_after_seconds(response(429)) is None


def test_a_refused_connection_is_retryable_and_not_ambiguous():
    with socket.socket() as closed_port:  # bound and held, never listening: connections are refused
        closed_port.bind(("127.0.0.1", 0))
        client = make_client(f"http://127.0.0.1:{closed_port.getsockname()[1]}", ats="x")
        with pytest.raises(RetryableError) as raised:
            send(client, "POST", "/api/v1/applicant", ats="x")
    assert not raised.value.ambiguous
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


def test_a_read_timeout_after_sending_a_post_is_ambiguous():
    def slow(request):
        raise httpx.ReadTimeout("mid-body", request=request)

    client = make_client("https://ats.example", ats="x", transport=httpx.MockTransport(slow))
    with pytest.raises(RetryableError) as raised:
        send(client, "POST", "/api/v1/candidate", ats="x")
    assert raised.value.ambiguous
    with pytest.raises(RetryableError) as read:
        send(client, "GET", "/api/v1/sources/all", ats="x")
    assert not read.value.ambiguous


def test_statuses_listed_as_accepted_are_returned_for_the_caller_to_read():
    client = make_client("http://ats.example", ats="x", transport=httpx.WSGITransport(app=echo_app))
    assert send(client, "POST", "/x/422", ats="x", accept=(422,)).status_code == 422
    with pytest.raises(PermanentError):
        send(client, "POST", "/x/422", ats="x")


def test_the_client_sends_the_bearer_token_but_the_log_never_shows_it(caplog):
    client = make_client(
        "http://ats.example", bearer("s3cret-token"), ats="x", transport=httpx.WSGITransport(app=echo_app)
    )
    with caplog.at_level(logging.DEBUG):
        body = json_body(send(client, "GET", "/api/v1/thing/200", ats="x"), "x")
    assert body == {"auth": "Bearer s3cret-token"}
    logged = caplog.text
    assert "GET /api/v1/thing/200 -> 200" in logged
    assert "s3cret-token" not in logged


def test_the_client_has_explicit_connect_and_read_timeouts():
    client = make_client("http://ats.example", ats="x", timeout=httpx.Timeout(5.0, connect=1.0))
    assert client.timeout.connect == 1.0 and client.timeout.read == 5.0


def test_send_waits_for_the_limiter_before_each_request():
    clock = FakeClock()
    limiter = MemoryWindow(1, 60, clock=clock, sleep=clock.sleep)
    client = make_client("http://ats.example", ats="x", transport=httpx.WSGITransport(app=echo_app))
    send(client, "GET", "/a/200", ats="x", limiter=limiter)
    send(client, "GET", "/a/200", ats="x", limiter=limiter)
    assert clock.sleeps == [60]


def test_a_malformed_json_body_is_a_retryable_vendor_fault():
    def error_page(_environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<html>oops"]

    client = make_client("https://ats.example", ats="x", transport=httpx.WSGITransport(app=error_page))
    with pytest.raises(RetryableError, match="malformed JSON"):
        json_body(send(client, "GET", "/api/v1/sources/all", ats="x"), "x")
