"""Real servers for Chromium: the app on http://127.0.0.1:PORT and host pages on
http://localhost:PORT (another site), one allowed to embed us and one not.

Every embed test runs twice: with Chromium's default cookie settings and with third-party
cookies blocked, where the iframe gets no cookie at all.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.models import Application
from tests.conftest import add_job, app_config

CHROMIUM = Path("/usr/bin/chromium")
BASE_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
COOKIE_MODES = {
    "cookies-allowed": [],
    "third-party-cookies-blocked": ["--test-third-party-cookie-phaseout"],
}
TIMEOUT_MS = 15_000

HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Corp careers</title></head>
<body>
<h1>Work with us</h1>
<script>
  window.careersEvents = [];
  ["careers:ready", "careers:submitted", "careers:error"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      window.careersEvents.push({ type: name, detail: event.detail });
    });
  });
</script>
<div id="careers" data-careers-embed %(job)s></div>
<script src="%(app)s/static/embed.js" async></script>
</body></html>
"""


class HostHandler(BaseHTTPRequestHandler):
    app_url = ""

    def do_GET(self):  # noqa: N802 (http.server's name)
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(self.path).query)
        job = f'data-job="{query["job"][0]}"' if "job" in query else ""
        body = (HOST_PAGE % {"job": job, "app": self.app_url}).encode()
        if "frame" in query:  # a page framing a given URL directly, without the snippet
            body = f'<!doctype html><iframe id="raw" src="{escape(query["frame"][0])}"></iframe>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


def serve(server) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@dataclass
class Site:
    app: object
    url: str  # the app, http://127.0.0.1:PORT
    host: str  # an allowed host site, http://localhost:PORT
    other_host: str  # a host site not in the allowlist
    job_id: int

    def applications(self, email: str) -> list[Application]:
        with self.app.app_context():
            rows = db.session.scalars(select(Application).where(Application.email == email)).all()
            for row in rows:
                db.session.expunge(row)
            return list(rows)


@pytest.fixture(scope="session")
def site(tmp_path_factory, migrated_db) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("browser")
    shutil.copy(migrated_db, tmp / "careers.db")
    host = ThreadingHTTPServer(("127.0.0.1", 0), HostHandler)
    other = ThreadingHTTPServer(("127.0.0.1", 0), HostHandler)
    host_origin = f"http://localhost:{host.server_port}"
    app = create_app(
        app_config(
            tmp, SERVER_NAME=None, EMBED_ALLOWED_ORIGINS=[host_origin], APPLY_RATE_LIMIT="1000 per hour"
        )
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    HostHandler.app_url = url
    threads = [serve(s) for s in (server, host, other)]
    job_id = add_job(app, title="Platform Engineer")
    yield Site(app, url, host_origin, f"http://localhost:{other.server_port}", job_id)
    for s in (server, host, other):
        s.shutdown()
        s.server_close()
    for thread in threads:
        thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def playwright_driver():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


def launch(driver, extra_args):
    return driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BASE_ARGS + extra_args)


@pytest.fixture(scope="session", params=sorted(COOKIE_MODES))
def cookie_mode(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def browsers(playwright_driver):
    launched = {}
    yield lambda mode: launched.setdefault(mode, launch(playwright_driver, COOKIE_MODES[mode]))
    for browser in launched.values():
        browser.close()


@pytest.fixture
def page(browsers, cookie_mode):
    context = browsers(cookie_mode).new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def full_page(browsers):
    context = browsers("cookies-allowed").new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
