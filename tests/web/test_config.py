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


def test_text_settings_from_the_environment_stay_text_even_when_they_look_like_json(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERS_SECRET_KEY", "12345678901234567890")
    monkeypatch.setenv("CAREERS_COMPANY_NAME", "1984")
    monkeypatch.setenv("CAREERS_DATABASE_URL", f"sqlite:///{tmp_path / 'careers.db'}")
    monkeypatch.setenv("CAREERS_UPLOAD_DIR", str(tmp_path / "files"))
    config = app_config(tmp_path)
    for key in ("SECRET_KEY", "DATABASE_URL", "UPLOAD_DIR"):
        config.pop(key)
    app = create_app(config)
    assert app.config["SECRET_KEY"] == "12345678901234567890"
    assert app.config["COMPANY_NAME"] == "1984"
    assert app.config["UPLOAD_DIR"] == str(tmp_path / "files")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'careers.db'}"


def test_the_mapping_given_to_create_app_overrides_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERS_JOBS_PER_PAGE", "7")
    monkeypatch.setenv("CAREERS_TRUSTED_PROXIES", "true")
    app = create_app(app_config(tmp_path, JOBS_PER_PAGE=3))
    assert app.config["JOBS_PER_PAGE"] == 3
    assert app.config["TRUSTED_PROXIES"] is True


def test_one_field_of_a_json_setting_can_be_set_alone_without_touching_the_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERS_ATS__token", "from-env")
    app = create_app(app_config(tmp_path))
    assert app.config["ATS"] == {"kind": "local", "token": "from-env"}
    monkeypatch.delenv("CAREERS_ATS__token")
    assert create_app(app_config(tmp_path)).config["ATS"] == {"kind": "local"}


def test_the_instance_folder_can_be_named_in_the_environment(tmp_path, monkeypatch):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "config.py").write_text("COMPANY_NAME = 'Elsewhere Ltd'\n")
    monkeypatch.setenv("CAREERS_INSTANCE_PATH", str(folder))
    config = app_config(tmp_path)
    config.pop("INSTANCE_PATH")
    config.pop("UPLOAD_DIR")
    app = create_app(config)
    assert app.instance_path == str(folder)
    assert app.config["COMPANY_NAME"] == "Elsewhere Ltd"
    assert app.config["UPLOAD_DIR"] == str(folder / "uploads")
