"""The loopback helpers every real-server test relies on: each server gets the port it was
given by the kernel, answers there, and is gone when the block ends."""

from __future__ import annotations

import sys

import httpx
import pytest

from tests.support.servers import serving, serving_process


def hello(_environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def test_a_served_app_answers_and_its_port_is_closed_after_the_block():
    with serving(hello) as url:
        assert httpx.get(url).text == "hello"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


def test_a_server_process_is_found_on_the_port_it_bound_and_ended_after_the_block():
    command = [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1"]
    with serving_process(command) as (process, url):
        assert httpx.get(url).status_code == 200
    assert process.poll() is not None
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


def test_a_server_process_that_exits_before_listening_is_reported_with_its_output():
    command = [sys.executable, "-c", "print('no port today'); raise SystemExit(3)"]
    expected = r"exited \(3\) before listening:\nno port today"
    with pytest.raises(AssertionError, match=expected), serving_process(command):
        pass
