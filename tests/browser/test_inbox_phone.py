"""The HR inbox on a phone (320 px): each application a stacked card, no sideways page scroll,
and an application's delivery timeline readable at that width too."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from app.extensions import db
from app.models import Application, Delivery, DeliveryAttempt, Job
from tests.conftest import PASSWORD, add_user

NARROW = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def crowded(site) -> dict:
    """Applications with long names and emails, a duplicate and a timeline, and an HR account."""
    tag = uuid4().hex[:8]
    start = datetime(2026, 11, 1, 9)
    with site.app.app_context():
        job = Job(title="Senior Platform Reliability Engineer (Kubernetes)", department="Engineering")
        db.session.add(job)
        db.session.flush()
        ids = []
        for n, status in enumerate(["failed", "delivered", "needs_review", "failed"]):
            email = f"maximiliane.oberschwester-{tag}@very-long-company-domain.example.com"
            application = Application(
                job_id=job.id,
                submission_key=f"phone-{tag}-{n}",
                first_name="Maximiliane",
                last_name=f"Oberschwester-Hohenzollern {n}",
                email=email if n < 2 else f"other{n}-{tag}@example.com",  # the first two: a duplicate
                created_at=start + timedelta(hours=n),
            )
            application.delivery = Delivery(target="local", status=status, last_error="local: POST /x -> 503")
            db.session.add(application)
            db.session.flush()
            db.session.add(
                DeliveryAttempt(
                    delivery_id=application.delivery.id,
                    started_at=start,
                    ended_at=start,
                    outcome="retry",
                    reason="The ATS had a server error (503); trying again at 09:05 UTC.",
                    detail="local: POST /x -> 503",
                )
            )
            ids.append(application.id)
        db.session.commit()
    hr_email = f"hr-phone-{tag}@example.com"
    add_user(site.app, email=hr_email)
    return {"ids": ids, "hr_email": hr_email, "tag": tag}


@pytest.fixture
def phone(browsers, site, crowded):
    context = browsers("cookies-allowed").new_context(viewport=NARROW)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{site.url}/admin/login")
    page.fill("input[name=email]", crowded["hr_email"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/applications"))
    yield page
    context.close()


def sideways(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def test_at_320px_the_inbox_rows_are_cards_and_the_page_never_scrolls_sideways(site, phone, crowded):
    phone.goto(f"{site.url}/admin/applications?q={crowded['tag']}")
    rows = phone.locator("table.inbox tbody tr")
    assert rows.count() == 4
    assert sideways(phone) <= 0
    assert rows.first.evaluate("row => getComputedStyle(row).display") == "block"
    for cell in ("Candidate", "Job", "Delivery", "Received"):
        box = rows.first.locator(f"td[data-label={cell}]").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], cell
    assert rows.first.locator(".status").inner_text().strip().endswith("Failed")
    assert rows.nth(2).locator(".duplicate").count() == 1  # sorted newest first: the duplicate pair is last


def test_at_320px_an_applications_timeline_fits_the_screen(site, phone, crowded):
    phone.goto(f"{site.url}/admin/applications/{crowded['ids'][0]}")
    assert phone.locator("ol.timeline li").first.is_visible()
    assert sideways(phone) <= 0
