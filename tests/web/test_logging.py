"""Logging belongs to the process that runs the app: neither the app factory nor the database
migration may switch loggers off or change their levels."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

from app import create_app
from app.extensions import db
from tests.conftest import app_config

ROOT = Path(__file__).resolve().parents[2]


def test_an_app_logger_still_speaks_after_the_migration(tmp_path, caplog):
    from flask_migrate import upgrade

    delivery_log = logging.getLogger("app.intake.delivery")  # exists before the migration runs
    app = create_app(app_config(tmp_path))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    with caplog.at_level(logging.INFO):
        delivery_log.warning("delivery 7 ended failed")
    assert not delivery_log.disabled
    assert "delivery 7 ended failed" in caplog.text


def test_a_bare_migration_run_leaves_the_app_loggers_on(tmp_path):
    """`flask db upgrade` with no logging set up applies Alembic's own config, loggers kept."""
    script = textwrap.dedent(
        f"""
        import logging
        from flask_migrate import upgrade
        from app import create_app
        from tests.conftest import app_config
        from pathlib import Path

        delivery_log = logging.getLogger("app.intake.delivery")
        app = create_app(app_config(Path({str(tmp_path)!r})))
        with app.app_context():
            upgrade()
        delivery_log.warning("still heard after the migration")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert "still heard after the migration" in done.stderr


def test_creating_the_app_leaves_global_logging_alone(tmp_path):
    app_logger, root = logging.getLogger("app"), logging.getLogger()
    before = (app_logger.level, root.level, list(root.handlers))
    app_logger.setLevel(logging.NOTSET)
    try:
        create_app(app_config(tmp_path))
        assert app_logger.level == logging.NOTSET
        assert (root.level, root.handlers) == before[1:]
    finally:
        app_logger.setLevel(before[0])
