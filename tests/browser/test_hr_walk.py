"""HR's whole day in Chromium, as a person meets it: an admin invites a colleague by email, the
colleague sets a password from the link the SMTP server received, turns on two-factor sign-in
and signs in again with a code, writes a job with two questions while the preview follows the
typing, publishes it; a candidate applies on the public page; the delivery fails (the ATS
answers 503) and HR retries it from the application page, whose timeline then shows the
failure, the retry and the delivery; last, HR exports the inbox as CSV and finds the candidate.

`walk` drives the pages; tests/browser/hr_screenshots.py walks the same way and photographs
the pages afterwards.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyotp
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from app import create_app
from app.extensions import db
from app.intake import delivery
from app.storage import storage_for
from tests.ats.harnesses import local
from tests.conftest import FIXTURES, PASSWORD, app_config, warm_parser
from tests.support.accounts import link_in, make_user, send_outbox
from tests.support.servers import serving
from tests.support.smtp import SmtpServer, smtp_server

ADMIN = "admin@corp.example"
NEWCOMER = "new.recruiter@corp.example"
NEW_PASSWORD = "a river of quiet stones"
RESUME = FIXTURES / "resumes" / "00-pdf-one-whitaker.pdf"
CANDIDATE = "jane.whitaker@example.com"
JOB = "Site Reliability Engineer"
TIMEOUT_MS = 15_000
ONE_TRY = delivery.Policy(max_attempts=1)  # the first 503 is final: HR must retry


@dataclass
class HrSite:
    app: Flask
    url: str
    smtp: SmtpServer


@contextmanager
def hr_site(folder: Path, migrated_db: Path) -> Iterator[HrSite]:
    """The app served on 127.0.0.1 and sending mail through a real SMTP server, with one admin."""
    shutil.copy(migrated_db, folder / "careers.db")
    with ExitStack() as stack:
        smtp = stack.enter_context(smtp_server())
        app = create_app(
            app_config(
                folder,
                SERVER_NAME=None,
                MAIL_SENDER="jobs@corp.example",
                APPLY_RATE_LIMIT="1000 per hour",
                LOGIN_RATE_LIMIT="100 per minute",
                **smtp.settings(),
            )
        )
        make_user(app, ADMIN)
        url = stack.enter_context(serving(app))
        yield HrSite(app, url, smtp)
    with app.app_context():
        db.engine.dispose()


@dataclass
class Walked:
    """What the walk made, for the screenshots: the two people's pages and the ids."""

    admin: Page
    hr: Page
    job_id: int
    application_id: int
    secret: str


def new_page(browser: Browser, **options) -> Page:
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_in(page: Page, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/admin/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def invite(admin: Page, site: HrSite) -> str:
    """The admin invites a colleague; the path of the link in the mail the SMTP server got."""
    admin.get_by_role("link", name="Users").click()
    admin.get_by_label("Email").fill(NEWCOMER)
    admin.get_by_label("Role", exact=True).select_option("admin")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.locator(".flash")).to_contain_text(f"Invitation sent to {NEWCOMER}")
    expect(admin.locator("tr", has_text=NEWCOMER)).to_contain_text("invited")
    assert send_outbox(site.app) == 1  # what the worker does with the outbox
    (mail,) = site.smtp.recorder.to(NEWCOMER)
    assert "invited" in mail.message["Subject"]
    return link_in(mail)


def join(hr: Page, site: HrSite, link: str) -> None:
    hr.goto(site.url + link)
    expect(hr.get_by_role("heading", level=1)).to_have_text("Join the HR area")
    expect(hr.locator("main")).to_contain_text(f"For {NEWCOMER}.")
    hr.get_by_label(re.compile(r"^New password\W*$")).fill(NEW_PASSWORD)
    hr.get_by_label("New password again").fill(NEW_PASSWORD)
    hr.get_by_role("button", name="Set password").click()
    hr.wait_for_url(re.compile(r"/admin/login"))
    expect(hr.get_by_label("Email")).to_have_value(NEWCOMER)  # filled in for them
    hr.get_by_label("Password").fill(NEW_PASSWORD)
    hr.get_by_role("button", name="Sign in", exact=True).click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Applications")


def enrol_two_factor(hr: Page) -> str:
    """Turns two-factor on as an authenticator app would; the key shown on the page."""
    hr.get_by_role("link", name="Your account").click()
    expect(hr.locator("main")).to_contain_text("Off.")
    hr.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(hr.locator(".qr svg")).to_be_visible()
    secret = hr.locator("#totp-secret").inner_text()
    hr.get_by_label("Six-digit code from the app").fill(pyotp.TOTP(secret).now())
    hr.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(hr.locator(".recovery-codes li")).to_have_count(10)
    hr.get_by_role("link", name="I have saved them").click()
    return secret


def sign_in_with_code(hr: Page, url: str, secret: str) -> None:
    hr.get_by_role("button", name="Sign out", exact=True).click()
    expect(hr.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    sign_in(hr, url, NEWCOMER, NEW_PASSWORD)
    expect(hr.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    # The code of the next 30 s step: the one used to turn it on cannot be used twice.
    hr.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(time.time() + 30))
    hr.get_by_role("button", name="Continue").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Applications")
    hr.get_by_role("link", name="Your account").click()
    expect(hr.locator("main")).to_contain_text("On. You have 10 unused recovery codes.")


def write_job(hr: Page) -> int:
    """A new job whose Markdown description shows as HTML before it is saved; its id."""
    hr.get_by_role("link", name="Jobs", exact=True).click()
    hr.get_by_role("link", name="New job").click()
    hr.get_by_label("Title").fill(JOB)
    hr.get_by_label("Team").fill("Platform")
    hr.get_by_label("Location (city)").fill("Berlin")
    hr.get_by_label("Country").select_option(label="Germany")
    hr.get_by_label("Description (Markdown)").fill(
        "## What you will do\n\nKeep **every** service up.\n\n- on call, fairly"
    )
    preview = hr.locator("[data-preview]")
    expect(preview.get_by_role("heading", name="What you will do")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("every")
    expect(preview.locator("li")).to_have_text("on call, fairly")
    # Set apart from the form, and its button second to Save: an outline, not a filled one.
    expect(hr.locator(".description-preview")).to_have_css("border-top-style", "solid")
    preview_button = hr.get_by_role("button", name="Preview the description")
    expect(preview_button).to_have_css("background-color", "rgba(0, 0, 0, 0)")
    hr.get_by_role("button", name="Save", exact=True).click()
    expect(hr.locator(".flash")).to_contain_text("Job created.")
    return int(re.search(r"/admin/jobs/(\d+)", hr.url).group(1))


def add_questions(hr: Page) -> None:
    form = hr.locator("form[action$='/questions']")
    form.get_by_role("textbox", name="Question", exact=True).fill("Which office would you work from?")
    form.get_by_label("Type", exact=True).select_option("single_select")
    form.get_by_label("Required", exact=True).check()
    form.get_by_label("Options").fill("Berlin\nLisbon")
    form.get_by_role("button", name="Add question").click()
    form.get_by_role("textbox", name="Question", exact=True).fill("Years running production systems")
    form.get_by_label("Type", exact=True).select_option("short_text")
    form.get_by_role("button", name="Add question").click()
    questions = hr.locator("ul.questions li")
    expect(questions).to_have_count(2)
    expect(questions.first).to_contain_text("Which office would you work from? (single select, required)")
    expect(questions.nth(1)).to_contain_text("Years running production systems (short text)")


def publish(hr: Page) -> None:
    hr.get_by_role("link", name="← Jobs").click()
    row = hr.locator("tr", has_text=JOB)
    expect(row).to_contain_text("draft")
    row.get_by_role("button", name="Publish").click()
    expect(hr.locator(".flash")).to_contain_text("Job published.")
    expect(row).to_contain_text("published")
    expect(row.get_by_role("link", name="View", exact=True)).to_be_visible()


def apply(candidate: Page, url: str) -> None:
    """The candidate finds the job on the listing and applies with a resume."""
    candidate.goto(f"{url}/jobs")
    candidate.get_by_role("link", name=JOB).click()
    expect(candidate.get_by_role("heading", name="What you will do")).to_be_visible()
    candidate.goto(candidate.url.split("?")[0].rstrip("/") + "/apply")
    candidate.set_input_files("input[name=resume]", str(RESUME))
    expect(candidate.locator("input[name=email]")).to_have_value(CANDIDATE)  # read from the resume
    candidate.get_by_label("Lisbon").check()
    # The options read as options, in normal weight beside their button, not as field labels.
    for option in candidate.locator("fieldset.choices label.choice").all():
        expect(option).to_have_css("font-weight", "400")
    candidate.get_by_label("Years running production systems").fill("7")
    candidate.locator("input[name=consent]").check()
    candidate.get_by_role("button", name="Submit application").click()
    expect(candidate.locator("main")).to_contain_text("Thank")


def deliver(site: HrSite, application_id: int, ats: local.LocalInbox) -> str:
    """One run of the delivery worker against the local ATS's stand-in; the outcome."""
    adapter = local.build({"kind": "local"}, inbox=ats)
    with site.app.app_context():
        return delivery.deliver(
            db.session, application_id, adapter=adapter, storage=storage_for(site.app), policy=ONE_TRY
        ).status


def find_application(hr: Page) -> int:
    hr.get_by_role("link", name="Applications").click()
    hr.get_by_label("Search").fill(CANDIDATE)
    hr.get_by_label("Search").press("Enter")
    row = hr.locator("table.inbox tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Jane")
    expect(row).to_contain_text(JOB)
    link = row.locator("td[data-label=Candidate] a").first
    return int(link.get_attribute("href").rsplit("/", 1)[1])


def retry_failed_delivery(hr: Page, site: HrSite, application_id: int) -> None:
    ats = local.LocalInbox()
    ats.fail_next("inbox", 503)
    assert deliver(site, application_id, ats) == "failed"
    hr.reload()
    expect(hr.locator("table.inbox tbody tr .status")).to_contain_text("Failed")
    hr.locator("table.inbox tbody tr td[data-label=Candidate] a").first.click()
    timeline = hr.locator("ol.timeline li")
    expect(timeline).to_have_count(1)
    expect(timeline.first).to_contain_text("Failed")
    expect(timeline.first).to_contain_text("503")
    hr.get_by_role("button", name="Retry delivery").click()
    expect(hr.locator(".flash")).to_contain_text("Delivery queued again.")
    assert deliver(site, application_id, ats) == "delivered"
    assert [s.email for s in ats.received] == [CANDIDATE]
    hr.reload()
    expect(timeline).to_have_count(3)
    expect(timeline.nth(0)).to_contain_text("Failed")
    expect(timeline.nth(1)).to_contain_text("Retried by HR")
    expect(timeline.nth(2)).to_contain_text("Delivered")
    expect(hr.get_by_role("button", name="Retry delivery")).to_have_count(0)


# How many lines an element's text is laid out on: the distinct tops of its text's boxes.
LINES_OF_TEXT = """element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map(box => Math.round(box.top))).size;
}"""


def read_on_a_phone(hr: Page) -> None:
    """The application page at 320 px: no sideways page scroll, and the mail table's address
    wraps at most once instead of one letter per line."""
    hr.set_viewport_size({"width": 320, "height": 640})
    expect(hr.locator("ol.timeline li").first).to_be_visible()
    assert hr.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    address = hr.locator("table.mail td", has_text=CANDIDATE)
    lines = address.evaluate(LINES_OF_TEXT)
    assert lines <= 2, f"the address takes {lines} lines"
    hr.set_viewport_size({"width": 1280, "height": 720})


def export_csv(hr: Page) -> list[dict[str, str]]:
    hr.get_by_role("link", name="← Applications").click()
    with hr.expect_download() as download:
        hr.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def walk(browser: Browser, site: HrSite) -> Walked:
    admin = new_page(browser)
    sign_in(admin, site.url, ADMIN)
    expect(admin.get_by_role("heading", level=1)).to_have_text("Applications")
    link = invite(admin, site)
    hr = new_page(browser)
    join(hr, site, link)
    admin.reload()
    expect(admin.locator("tr", has_text=NEWCOMER)).to_contain_text("active")
    secret = enrol_two_factor(hr)
    sign_in_with_code(hr, site.url, secret)
    job_id = write_job(hr)
    add_questions(hr)
    publish(hr)
    candidate = new_page(browser)
    apply(candidate, site.url)
    candidate.context.close()
    application_id = find_application(hr)
    retry_failed_delivery(hr, site, application_id)
    read_on_a_phone(hr)
    rows = export_csv(hr)
    (row,) = [r for r in rows if r["Email"] == CANDIDATE]
    assert (row["Application"], row["First name"], row["Job"]) == (str(application_id), "Jane", JOB)
    assert row["Delivery"] == "Delivered"
    return Walked(admin, hr, job_id, application_id, secret)


def test_hr_invites_a_colleague_who_publishes_a_job_retries_its_failed_delivery_and_exports_it(
    browsers, tmp_path, migrated_db
):
    warm_parser()
    with hr_site(tmp_path, migrated_db) as site:
        walked = walk(browsers("cookies-allowed"), site)
        walked.admin.context.close()
        walked.hr.context.close()
