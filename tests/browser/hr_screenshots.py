"""Screenshots of the HR area after the walk of tests/browser/test_hr_walk.py: the inbox at
1280 px and 320 px, an application with its delivery timeline, the job editor with its
preview, the question library, the users page and the two-factor set-up page.

    .venv/bin/python tests/browser/hr_screenshots.py [--out /work/screenshots]

Serves the app in this process on a fresh migrated database in a temporary folder, walks it in
Debian's Chromium (CAREERS_CHROMIUM names another) as the test does, adds a few more
applications so the inbox looks lived in, and writes one full-page PNG per page, named
`hr-<page>.png`; prints each path. Not part of the suite: the pictures are for reviewing by eye.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Application, Delivery, Job  # noqa: E402
from tests.browser.conftest import BASE_ARGS, CHROMIUM  # noqa: E402
from tests.browser.test_hr_walk import TIMEOUT_MS, Walked, hr_site, walk  # noqa: E402
from tests.conftest import app_config, warm_parser  # noqa: E402

WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 720}
PEOPLE = [
    ("Amara", "Okafor", "delivered"),
    ("Lukas", "Brandt", "failed"),
    ("Sofía", "Herrera Martínez", "needs_review"),
    ("Mei", "Tanaka", "pending"),
    ("Jane", "Whitaker", "delivered"),  # applied twice: flagged as a duplicate
]
LIBRARY = [
    ("Do you need a visa to work here?", "yes_no", ""),
    ("Notice period", "single_select", "None\nOne month\nThree months"),
]


def migrated(folder: Path) -> Path:
    """A database with every migration applied, as the suite's `migrated_db` fixture makes."""
    from flask_migrate import upgrade

    template = folder / "template"
    app = create_app(app_config(template))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return template / "careers.db"


def add_applications(app, job_id: int) -> None:
    start = datetime(2026, 11, 30, 9, 15)
    with app.app_context():
        job = db.session.get(Job, job_id)
        for n, (first, last, status) in enumerate(PEOPLE):
            email = "jane.whitaker@example.com" if first == "Jane" else f"{first.lower()}@example.com"
            application = Application(
                job_id=job.id,
                submission_key=f"screenshot-{n}",
                first_name=first,
                last_name=last,
                email=email,
                created_at=start - timedelta(hours=5 * n),
            )
            application.delivery = Delivery(target="local", status=status)
            db.session.add(application)
        db.session.commit()


def add_to_library(page: Page, url: str) -> None:
    page.goto(f"{url}/admin/library")
    form = page.locator("form[action$='/library/questions']")
    for label, kind, options in LIBRARY:
        form.get_by_role("textbox", name="Question", exact=True).fill(label)
        form.get_by_label("Type", exact=True).select_option(kind)
        form.get_by_label("Options").fill(options)
        form.get_by_role("button", name="Add to the library").click()
    page.get_by_label("Name of the set").fill("Working here")
    for label, _, _ in LIBRARY:
        page.get_by_label(label).check()
    page.get_by_role("button", name="Add the set").click()


def capture(page: Page, url: str, out: Path) -> Path:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out), full_page=True)
    return out


def shoot(walked: Walked, url: str, out: Path) -> list[Path]:
    hr, admin = walked.hr, walked.admin
    hr.set_viewport_size(WIDE)
    admin.set_viewport_size(WIDE)
    add_to_library(hr, url)
    written = [
        capture(hr, f"{url}/admin/applications", out / "hr-inbox-1280.png"),
        capture(hr, f"{url}/admin/applications/{walked.application_id}", out / "hr-application.png"),
        capture(hr, f"{url}/admin/jobs/{walked.job_id}", out / "hr-job-editor.png"),
        capture(hr, f"{url}/admin/library", out / "hr-library.png"),
        capture(admin, f"{url}/admin/users", out / "hr-users.png"),
        capture(admin, f"{url}/admin/account/two-factor", out / "hr-two-factor.png"),
        capture(admin, f"{url}/admin/settings/branding", out / "hr-settings-branding.png"),
        capture(admin, f"{url}/admin/settings/ats", out / "hr-settings-ats.png"),
        capture(admin, f"{url}/admin/settings/consent", out / "hr-settings-consent.png"),
        capture(admin, f"{url}/admin/audit", out / "hr-audit.png"),
    ]
    hr.set_viewport_size(NARROW)
    written.append(capture(hr, f"{url}/admin/applications", out / "hr-inbox-320.png"))
    written.append(
        capture(hr, f"{url}/admin/applications/{walked.application_id}", out / "hr-application-320.png")
    )
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/work/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=TIMEOUT_MS)
    warm_parser()
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BASE_ARGS)
        with hr_site(Path(folder), migrated(Path(folder))) as site:
            walked = walk(browser, site)
            add_applications(site.app, walked.job_id)
            for path in shoot(walked, site.url, args.out):
                print(path)
        browser.close()


if __name__ == "__main__":
    main()
