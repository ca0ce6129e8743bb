"""Fixtures shared by every test: a real app on a temporary SQLite file, its client and CLI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.models import Job, Question, User
from app.resume import parse_resume
from app.resume import shutdown as stop_parser_workers
from tests.support import engine_hooks

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
PASSWORD = "correct horse battery"
FOLDER_MARKERS = {
    "integration": [pytest.mark.integration],
    # One worker runs them all under xdist: one Chromium and one served site, not one per worker.
    "browser": [pytest.mark.browser, pytest.mark.xdist_group("browser")],
}


def pytest_configure(config) -> None:
    engine_hooks.register(config)


def pytest_collection_modifyitems(config, items) -> None:
    """Mark each test by its folder, so `-m "not integration and not browser"` is the fast
    loop without anyone remembering to decorate a new test."""
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        for marker in FOLDER_MARKERS.get(folder, []):
            item.add_marker(marker)
    engine_hooks.leave_out_without_engines(config, items)


def pytest_terminal_summary(terminalreporter) -> None:
    engine_hooks.summarize(terminalreporter)


def app_config(tmp: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp / 'careers.db'}",
        "QUEUE_URL": f"sqlite:///{tmp / 'queue.db'}",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "SESSION_COOKIE_SECURE": False,
        "SERVER_NAME": "careers.test",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session", autouse=True)
def parser_workers():
    """Resume parsing runs in a pool of child processes, started by the first parse of the run
    (a unit test or a request); they are stopped when the run ends."""
    yield
    stop_parser_workers()


def warm_parser() -> None:
    """Parse one resume with time to spare, so the pool's workers have started. A test that
    times a parse must not pay for a pool that another test in this process stopped, or for
    its first start on a busy machine."""
    parse_resume((FIXTURES / "files" / "resume.pdf").read_bytes(), timeout=30, budget=20)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """One database migrated with Alembic per run; each test gets a copy of it."""
    tmp = tmp_path_factory.mktemp("template")
    app = create_app(app_config(tmp))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return tmp / "careers.db"


@pytest.fixture
def make_app(tmp_path, migrated_db):
    """Build an app on a fresh copy of the migrated database, with settings overridden."""
    built = []

    def make(**overrides):
        shutil.copy(migrated_db, tmp_path / "careers.db")
        app = create_app(app_config(tmp_path, **overrides))
        built.append(app)
        return app

    yield make
    for app in built:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def add_job(app, **values) -> int:
    questions = values.pop("questions", [])
    defaults = dict(
        title="Backend Engineer",
        department="Engineering",
        location="Berlin, Germany",
        country="DE",
        description_html="<p>Build things.</p>",
        published=True,
    )
    defaults.update(values)
    with app.app_context():
        job = Job(**defaults)
        job.questions = [Question(position=i, **q) for i, q in enumerate(questions)]
        db.session.add(job)
        db.session.commit()
        return job.id


def add_user(app, email="hr@example.com", password=PASSWORD) -> None:
    with app.app_context():
        user = User(email=email, role="admin")
        user.set_password(password)
        db.session.add(user)
        db.session.commit()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "the page has no CSRF token"
    return match.group(1)


def login(client, email="hr@example.com", password=PASSWORD):
    page = client.get("/admin/login")
    return client.post(
        "/admin/login", data={"email": email, "password": password, "csrf_token": csrf_token_from(page.text)}
    )
