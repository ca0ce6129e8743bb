"""The command-line tools, run through Flask's CLI runner (the ones that need a served ATS or
a real process are in tests/integration/test_commands.py)."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.extensions import db
from app.models import Job, User
from tests.conftest import app_config


def invoke(app, **kwargs):
    """Run a command as `flask` does: inside the app's context."""
    with app.app_context():
        return app.test_cli_runner().invoke(**kwargs)


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
