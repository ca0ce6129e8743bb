"""The production web server of docs/deploy.md, gunicorn with threaded (gthread) workers, keeps
answering while clients trickle request bodies in at one byte a second."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import add_job
from tests.support.servers import serving_process

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SLOW_CLIENTS = 2
WATCH_SECONDS = 6.0
PROMPT = 2.0  # seconds; with sync workers the listing waits until a slow client is done or dropped


def environment(app) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERS_")}
    settings = {
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["DATABASE_URL"],
        "QUEUE_URL": app.config["QUEUE_URL"],
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "INSTANCE_PATH": app.instance_path,
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "PAGE_CACHE_SECONDS": "0",  # every GET renders the listing from the database
        "SESSION_COOKIE_SECURE": "false",
    }
    env.update({f"CAREERS_{k}": v for k, v in settings.items()})
    return env


@pytest.fixture
def gunicorn(make_app):
    """gunicorn on the settings module docs/deploy.md names, on a loopback port it binds itself."""
    app = make_app()
    add_job(app)
    command = [str(GUNICORN), "--chdir", str(ROOT), "--config", "python:app.gunicorn_config"]
    command += ["--bind", "127.0.0.1:0", "--no-control-socket", "app:create_app()"]
    with serving_process(command, env=environment(app), timeout=30) as (_process, base):
        yield base


def slow_upload(base: str) -> socket.socket:
    """A client that announced a large apply form and sends its body a byte at a time."""
    port = int(base.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        b"POST /jobs/1/apply HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
    )
    return sock


def test_the_listing_answers_promptly_while_two_clients_trickle_their_bodies(gunicorn):
    with httpx.Client(base_url=gunicorn, timeout=10) as browser:
        assert browser.get("/jobs").status_code == 200  # workers booted
        slow = [slow_upload(gunicorn) for _ in range(SLOW_CLIENTS)]
        timings = []
        try:
            started = time.monotonic()
            while time.monotonic() - started < WATCH_SECONDS:
                for sock in slow:
                    sock.sendall(b"a")
                began = time.monotonic()
                response = browser.get("/jobs", headers={"Connection": "close"})
                timings.append(time.monotonic() - began)
                assert response.status_code == 200
                time.sleep(max(0.0, 1.0 - timings[-1]))
        finally:
            for sock in slow:
                sock.close()
    assert len(timings) >= 4
    assert max(timings) < PROMPT, timings
