"""The command-line tools, run through Flask's CLI runner (and one real process for `sandbox`)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app.ats.sandbox import skailer as skailer_sandbox
from app.extensions import db
from app.models import Job, User
from tests.conftest import app_config

ROOT = Path(__file__).resolve().parents[2]


def invoke(app, **kwargs):
    """Run a command as `flask` does: inside the app's context."""
    with app.app_context():
        return app.test_cli_runner().invoke(**kwargs)


@pytest.fixture
def served_skailer():
    sandbox = skailer_sandbox.create_app({"token": "cli-token"})
    server = make_server("127.0.0.1", 0, sandbox, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sandbox, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_users_create_prompts_for_the_password_and_stores_only_its_hash(app):
    result = invoke(
        app, args=["users", "create", "HR@Example.com"], input="a long passphrase\na long passphrase\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "hr@example.com (admin) saved" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "hr@example.com"))
        assert user.password_hash != "a long passphrase" and user.check_password("a long passphrase")


def test_users_create_refuses_a_short_password(app):
    result = invoke(app, args=["users", "create", "hr@example.com", "--password", "short"])
    assert result.exit_code != 0 and "at least 10 characters" in result.output
    with app.app_context():
        assert db.session.scalar(select(User.id)) is None


def test_jobs_load_creates_jobs_from_a_valid_file(app, tmp_path):
    path = tmp_path / "jobs.json"
    path.write_text(
        json.dumps(
            [
                {
                    "ref": "a1",
                    "title": "Welder",
                    "location": "Hamburg",
                    "description_html": "<p>Weld.</p><script>x()</script>",
                }
            ]
        )
    )
    result = invoke(app, args=["jobs", "load", str(path)])
    assert result.exit_code == 0 and "1 jobs created, 0 updated" in result.output
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.ref == "a1"))
        assert job.title == "Welder" and "<script" not in job.description_html


def test_jobs_load_explains_a_bad_file_and_loads_nothing(app, tmp_path):
    path = tmp_path / "jobs.json"
    path.write_text('[{"title": ')
    result = invoke(app, args=["jobs", "load", str(path)])
    assert result.exit_code == 1 and "Error: cannot read" in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalar(select(Job.id)) is None


def test_ats_sync_jobs_pulls_the_configured_ats_jobs(make_app, served_skailer):
    sandbox, url = served_skailer
    app = make_app(ATS={"kind": "skailer", "base_url": url, "token": "cli-token"})
    result = invoke(app, args=["ats", "sync-jobs"])
    assert result.exit_code == 0, result.output
    assert "Jobs from skailer: 2 created, 0 updated, 0 closed" in result.output
    skailer_sandbox.control(sandbox).state.jobs[0]["status"] = "closed"
    result = invoke(app, args=["ats", "sync-jobs"])
    assert "0 created, 0 updated, 1 closed" in result.output
    with app.app_context():
        assert {j.ref: j.closed for j in db.session.scalars(select(Job))} == {"311": True, "312": False}


def test_ats_sync_jobs_says_why_when_there_is_nothing_to_sync_or_the_ats_refuses(make_app, served_skailer):
    result = invoke(make_app(), args=["ats", "sync-jobs"])
    assert result.exit_code == 1 and '"local"' in result.output
    _, url = served_skailer
    wrong = make_app(ATS={"kind": "skailer", "base_url": url, "token": "wrong-token"})
    result = invoke(wrong, args=["ats", "sync-jobs"])
    assert result.exit_code == 1 and "Sync failed" in result.output and "401" in result.output


def test_prepare_migrates_a_new_database_and_loads_the_demo_jobs(tmp_path):
    from app import create_app

    app = create_app(
        app_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'new.db'}", LOAD_DEMO_JOBS=True)
    )
    result = invoke(app, args=["prepare"])
    assert result.exit_code == 0, result.output
    assert "demo jobs" in result.output
    with app.app_context():
        assert db.session.scalar(select(Job.id).limit(1)) is not None
        db.engine.dispose()


def test_sandbox_refuses_an_unknown_kind(app):
    result = invoke(app, args=["sandbox", "nosuch", "--port", "1"])
    assert result.exit_code == 1 and "known: dover, greenhouse, nexivohr, skailer, workable" in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_sandbox_serves_the_seeded_skailer_api(tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        CAREERS_SECRET_KEY="cli-test",
        CAREERS_DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}",
        CAREERS_QUEUE_URL=f"sqlite:///{tmp_path / 'q.db'}",
        CAREERS_UPLOAD_DIR=str(tmp_path),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app:create_app", "sandbox", "skailer", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/api/v1/jobs/search",
                    json={},
                    headers={"Authorization": "Bearer sandbox-token"},
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        assert response.status_code == 200
        assert [job["title"] for job in response.json()["items"]][:2] == ["Data Engineer", "Backend Engineer"]
    finally:
        process.terminate()
        process.wait(10)
