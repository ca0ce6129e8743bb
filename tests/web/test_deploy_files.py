"""The reference deployment in docs/deploy/ stays true to the code: the container copies paths
that exist, the units run the documented commands, and the example settings are real ones."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
READ_BEFORE_THE_APP = {"INSTANCE_PATH", "LOG_FORMAT"}  # read from the environment itself


def test_the_container_copies_only_paths_that_exist():
    copied = re.findall(r"^COPY (.+) \S+$", (DEPLOY / "Containerfile").read_text(), re.M)
    sources = [source for line in copied for source in line.split()]
    assert sources and all((ROOT / source).exists() for source in sources), sources


def test_the_units_run_gunicorn_with_our_settings_and_the_worker_command():
    web = (DEPLOY / "careers-web.service").read_text()
    worker = (DEPLOY / "careers-worker.service").read_text()
    assert "gunicorn 'app:create_app()' -c python:app.gunicorn_config" in web
    assert re.search(r"^ExecStart=\S*flask --app app worker\b", worker, re.M)
    for unit in (web, worker):
        assert "KillSignal=SIGTERM" in unit and "EnvironmentFile=/etc/careers/careers.env" in unit


def test_every_example_setting_is_one_the_app_reads():
    names = re.findall(r"^CAREERS_(\w+)=", (DEPLOY / "careers.env.example").read_text(), re.M)
    unknown = [name for name in names if name not in DEFAULTS and name not in READ_BEFORE_THE_APP]
    assert names and not unknown, unknown
