"""Real servers for Chromium: the app on http://127.0.0.1:PORT and host pages on
http://localhost:PORT (another site), one allowed to embed us and one not.

Every embed test runs twice: with Chromium's default cookie settings and with third-party
cookies blocked, where the iframe gets no cookie at all.

Chromium is Debian's package at /usr/bin/chromium (CAREERS_CHROMIUM names another binary).
Without it the tests skip with one line saying how to install it, except in CI (CI=true),
where a missing browser is a failure: CI must never go green by running none of them.
"""

from __future__ import annotations

import os
import pathlib
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Application
from tests.conftest import add_job, app_config, warm_parser
from tests.support.servers import serving

CHROMIUM = Path(os.environ.get("CAREERS_CHROMIUM", "/usr/bin/chromium"))
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


class HostPages:
    """A host site's pages: the embed snippet loading our script, or (?frame=URL) a page
    framing a URL directly, without the snippet."""

    def __init__(self) -> None:
        self.app_url = ""

    def __call__(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        job = f'data-job="{query["job"][0]}"' if "job" in query else ""
        body = (HOST_PAGE % {"job": job, "app": self.app_url}).encode()
        if "frame" in query:
            body = f'<!doctype html><iframe id="raw" src="{escape(query["frame"][0])}"></iframe>'.encode()
        start_response(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        )
        return [body]


MISSING = (
    f"Chromium is missing at {CHROMIUM}, so the browser tests did not run: install it with "
    "`sudo apt-get install chromium` (Debian/Ubuntu), or run `make test` as root"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def chromium_missing() -> bool:
    return not os.access(CHROMIUM, os.X_OK)


def pytest_make_collect_report(collector):
    """Without Chromium (outside CI) the browser folder is reported as one skip, so the run ends
    with one line saying how to install it instead of one line per test or module."""
    here = collector.path == pathlib.Path(__file__).parent
    if isinstance(collector, pytest.Package) and here and chromium_missing() and not in_ci():
        return pytest.CollectReport(collector.nodeid, "skipped", (str(collector.path), None, MISSING), [])
    return None


@pytest.fixture(scope="session", autouse=True)
def chromium() -> Path:
    """In CI a missing browser fails every browser test: CI must never pass by running none."""
    if chromium_missing():
        pytest.fail(f"{MISSING}. CI needs them.", pytrace=False)
    return CHROMIUM


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
    pages = HostPages()
    with ExitStack() as servers:
        host = servers.enter_context(serving(pages))
        other = servers.enter_context(serving(pages))
        host_origin = host.replace("127.0.0.1", "localhost")
        app = create_app(
            app_config(
                tmp, SERVER_NAME=None, EMBED_ALLOWED_ORIGINS=[host_origin], APPLY_RATE_LIMIT="1000 per hour"
            )
        )
        pages.app_url = servers.enter_context(serving(app))
        job_id = add_job(app, title="Platform Engineer")
        warm_parser()
        yield Site(app, pages.app_url, host_origin, other.replace("127.0.0.1", "localhost"), job_id)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do: 5 s (Playwright's default) is short for a resume
    # parse while the other half of the suite runs beside the browser.
    expect.set_options(timeout=TIMEOUT_MS)
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


AXE_MISSING = "axe-core could not be loaded, so the accessibility checks did not run"


@pytest.fixture(scope="session")
def axe() -> str:
    """axe.min.js, pinned and checked (tests/browser/axe.py). Offline, the accessibility tests
    skip with one line saying why; in CI they fail, as a missing Chromium does."""
    from tests.browser.axe import AxeUnavailable, axe_script

    try:
        return axe_script()
    except AxeUnavailable as exc:
        if in_ci():
            pytest.fail(f"{AXE_MISSING}: {exc}. CI needs them.", pytrace=False)
        pytest.skip(f"{AXE_MISSING}: {exc}")
