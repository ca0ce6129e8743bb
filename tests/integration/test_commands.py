"""The command-line tools against real servers: `ats sync-jobs` reaching a served Skailer
sandbox, and `sandbox` serving one from a process of its own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from app.ats.sandbox import skailer as skailer_sandbox
from app.extensions import db
from app.models import Job
from tests.support.servers import serving, serving_process

ROOT = Path(__file__).resolve().parents[2]


def invoke(app, **kwargs):
    """Run a command as `flask` does: inside the app's context."""
    with app.app_context():
        return app.test_cli_runner().invoke(**kwargs)


@pytest.fixture
def served_skailer():
    sandbox = skailer_sandbox.create_app({"token": "cli-token"})
    with serving(sandbox) as url:
        yield sandbox, url


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


def test_sandbox_serves_the_seeded_skailer_api(tmp_path):
    env = dict(
        os.environ,
        CAREERS_SECRET_KEY="cli-test",
        CAREERS_DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}",
        CAREERS_QUEUE_URL=f"sqlite:///{tmp_path / 'q.db'}",
        CAREERS_UPLOAD_DIR=str(tmp_path),
        CAREERS_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    command = [sys.executable, "-m", "flask", "--app", "app:create_app", "sandbox", "skailer", "--port", "0"]
    with serving_process(command, env=env, cwd=ROOT) as (_, url):
        response = httpx.post(
            f"{url}/api/v1/jobs/search", json={}, headers={"Authorization": "Bearer sandbox-token"}
        )
    assert response.status_code == 200
    assert [job["title"] for job in response.json()["items"]][:2] == ["Data Engineer", "Backend Engineer"]
