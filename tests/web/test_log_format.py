"""CAREERS_LOG_FORMAT=json: one JSON object per line, carrying the request id of the request
the record belongs to."""

from __future__ import annotations

import io
import json
import logging
import os
import textwrap

import pytest

from app.logging_setup import JsonFormatter, request_id_set
from tests.support.scripts import run_script


def test_a_record_becomes_one_json_line_with_its_request_id_and_traceback():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.json_format")
    logger.addHandler(handler)
    try:
        with request_id_set("req-12345678"):
            try:
                raise RuntimeError("boom")
            except RuntimeError:
                logger.error("delivery %s ended\nfailed", 7, exc_info=True)
        logger.error("outside any request")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "delivery 7 ended\nfailed"
    assert first["request_id"] == "req-12345678"
    assert first["level"] == "ERROR" and first["logger"] == "tests.json_format"
    assert "RuntimeError: boom" in first["exception"]
    assert "request_id" not in second


def test_an_unknown_log_format_is_refused_by_name(tmp_path):
    script = "from app.logging_setup import configure_logging; configure_logging()"
    env = {**os.environ, "CAREERS_LOG_FORMAT": "yaml"}
    done = run_script(script, env, check=False)
    assert done.returncode != 0
    assert "CAREERS_LOG_FORMAT must be one of text, json, not 'yaml'" in done.stderr


@pytest.mark.parametrize("trusted", [True, False])
def test_a_request_logs_json_lines_that_carry_its_request_id(tmp_path, trusted):
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from app import create_app
        from app.logging_setup import configure_logging
        from tests.conftest import app_config

        configure_logging()
        app = create_app(app_config(Path({str(tmp_path)!r}), TRUSTED_PROXIES={int(trusted)}))
        response = app.test_client().get("/api/health", headers={{"X-Request-ID": "proxy-id-42"}})
        print(response.headers["X-Request-ID"])
        """
    )
    env = {**os.environ, "CAREERS_LOG_FORMAT": "json"}
    done = run_script(script, env)
    returned = done.stdout.strip()
    assert (returned == "proxy-id-42") is trusted
    records = [json.loads(line) for line in done.stderr.splitlines()]  # every line is JSON
    request_lines = [r for r in records if r["logger"] == "app.requests"]
    assert [r["message"].split(" in ")[0] for r in request_lines] == ["request GET /api/health -> 200"]
    assert request_lines[0]["request_id"] == returned


def test_text_stays_the_default_format(tmp_path):
    script = (
        "from app.logging_setup import configure_logging; import logging; configure_logging(); "
        "logging.getLogger('app.x').info('plain line')"
    )
    env = {k: v for k, v in os.environ.items() if k != "CAREERS_LOG_FORMAT"}
    done = run_script(script, env, check=False)
    assert done.stderr.rstrip().endswith("INFO app.x: plain line")
