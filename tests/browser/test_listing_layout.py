"""Chromium at desktop size: each filter label sits on its own control and Tab follows the order
the eye reads, on the listing, the embedded board and HR's applications; a site that may not
embed us shows our message instead of the browser's refusal."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, add_job, add_user

DESKTOP = {"width": 1280, "height": 800}
HR_EMAIL = "layout-hr@example.com"

LABEL_BOXES = """form => Array.from(form.querySelectorAll('label[for]')).map(label => {
    const control = document.getElementById(label.htmlFor);
    const a = label.getBoundingClientRect(), b = control.getBoundingClientRect();
    return {label: label.textContent.trim(), left: a.left, bottom: a.bottom,
            controlLeft: b.left, controlTop: b.top};
})"""

FOCUSABLE_BOXES = """form => Array.from(form.querySelectorAll('input:not([type=hidden]), select, button'))
    .map(el => { const r = el.getBoundingClientRect();
                 return {name: el.name || el.textContent.trim(), top: r.top, bottom: r.bottom,
                         left: r.left}; })"""


@pytest.fixture(scope="module")
def teams(site):
    """Jobs in two teams and places, so the filters have choices."""
    add_job(site.app, title="Layout Designer", department="Design", location="Lisbon, Portugal")
    add_job(site.app, title="Layout Analyst", department="Data", location="Remote", remote=True)
    add_user(site.app, email=HR_EMAIL)


def sign_in(page, site) -> None:
    page.goto(f"{site.url}/admin/login")
    page.get_by_label("Email").fill(HR_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page.get_by_role("heading", name="Applications")).to_be_visible()


def reading_order(boxes: list[dict]) -> list[str]:
    """Left to right along each line, lines top to bottom; boxes that overlap vertically share a line."""
    lines: list[dict] = []
    for box in sorted(boxes, key=lambda b: b["top"]):
        if lines and box["top"] < lines[-1]["bottom"]:
            lines[-1]["boxes"].append(box)
            lines[-1]["bottom"] = max(lines[-1]["bottom"], box["bottom"])
        else:
            lines.append({"bottom": box["bottom"], "boxes": [box]})
    return [b["name"] for line in lines for b in sorted(line["boxes"], key=lambda b: b["left"])]


def tab_to_next_control(page, current: str) -> str:
    """Tab until focus leaves the control named `current`: Chromium stops on a date input's
    month, day and year in turn, all one control."""
    for _ in range(4):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.name || document.activeElement.textContent.trim()")
        if name != current:
            return name
    return current


def check_filter_bar(page) -> None:
    form = page.locator("form.filters")
    for box in form.evaluate(LABEL_BOXES):
        assert abs(box["left"] - box["controlLeft"]) <= 2, box  # in the control's column
        assert 0 <= box["controlTop"] - box["bottom"] <= 12, box  # right above it
    fields = form.evaluate(FOCUSABLE_BOXES)
    first = form.locator("input:not([type=hidden]), select, button").first
    first.focus()
    tabbed = [first.evaluate("el => el.name || el.textContent.trim()")]
    for _ in fields[1:]:
        tabbed.append(tab_to_next_control(page, tabbed[-1]))
    assert tabbed == reading_order(fields)


@pytest.mark.parametrize("where", ["listing", "board", "applications"])
def test_filter_labels_sit_on_their_own_controls_and_tab_follows_the_eye(full_page, site, teams, where):
    page = full_page
    page.set_viewport_size(DESKTOP)
    if where == "applications":
        sign_in(page, site)
    url = {
        "listing": f"{site.url}/jobs",
        "board": f"{site.url}/embed/jobs?origin={site.host}",
        "applications": f"{site.url}/admin/applications",
    }[where]
    page.goto(url)
    check_filter_bar(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_site_not_allowed_to_embed_shows_our_message_and_hears_why(full_page, site):
    page = full_page
    page.goto(f"{site.other_host}/?job={site.job_id}")
    page.wait_for_function("window.careersEvents.some(e => e.type === 'careers:error')")
    frame = page.frame(url=re.compile(r"/embed/jobs/\d+/apply"))
    expect(frame.get_by_role("heading", name="This form is not available on this site")).to_be_visible()
    assert frame.locator("form").count() == 0
    errors = page.evaluate("window.careersEvents.filter(e => e.type === 'careers:error').map(e => e.detail)")
    assert errors == [{"code": "origin_not_allowed"}]
