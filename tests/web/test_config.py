"""Settings: defaults, instance/config.py, CAREERS_* environment, and safe start-up."""

from __future__ import annotations

import pytest

from app import ConfigError, create_app
from tests.conftest import app_config


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    config = app_config(tmp_path, SECRET_KEY=None, TESTING=False)
    with pytest.raises(ConfigError, match="CAREERS_SECRET_KEY is not set"):
        create_app(config)


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    config = app_config(tmp_path, SECRET_KEY=None, TESTING=False, ENV="development")
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    assert len(first) == 64 and first == second
    key_file = tmp_path / "instance" / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_environment_overrides_the_instance_file(tmp_path, monkeypatch):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text("MAX_UPLOAD_MB = 3\nCOMPANY_NAME = 'From File'\n")
    monkeypatch.setenv("CAREERS_MAX_UPLOAD_MB", "5")
    monkeypatch.setenv("CAREERS_ATS", '{"kind": "skailer", "base_url": "http://127.0.0.1:1"}')
    config = app_config(tmp_path)
    app = create_app(config)
    assert app.config["MAX_UPLOAD_MB"] == 5
    assert app.config["MAX_UPLOAD_BYTES"] == 5 * 1024 * 1024
    assert app.config["COMPANY_NAME"] == "From File"
    assert app.config["ATS"]["kind"] == "skailer"


def test_the_upload_folder_defaults_to_the_instance_folder_not_static(tmp_path):
    config = app_config(tmp_path)
    config.pop("UPLOAD_DIR")
    app = create_app(config)
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "instance" / "uploads")
    assert "static" not in app.config["UPLOAD_DIR"]


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_a_key_generated_by_a_development_start_serves_later_commands(tmp_path):
    generated = create_app(app_config(tmp_path, SECRET_KEY=None, TESTING=False, ENV="development")).config[
        "SECRET_KEY"
    ]
    later = create_app(app_config(tmp_path, SECRET_KEY=None, TESTING=False))
    assert later.config["SECRET_KEY"] == generated
