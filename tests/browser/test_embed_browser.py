"""Chromium embeds the apply form from http://127.0.0.1 into a host page on http://localhost,
once with default cookie settings and once with third-party cookies blocked."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from app.embed.tokens import issue_token
from tests.conftest import FIXTURES

RESUME = FIXTURES / "files" / "resume.pdf"
APPLY_FRAME = re.compile(r"/embed/jobs/\d+/apply")


def open_embed(page, site, query: str = "", **goto):
    page.goto(f"{site.host}/?job={site.job_id}{query}", **goto)
    page.wait_for_function("window.careersEvents.some(e => e.type === 'careers:ready')")
    return page.frame(url=APPLY_FRAME)


def events(page, name: str) -> list[dict]:
    return page.evaluate(f"window.careersEvents.filter(e => e.type === '{name}').map(e => e.detail)")


def iframe_height(page) -> int:
    return page.locator("#careers iframe").evaluate("f => f.getBoundingClientRect().height")


def frame_height(frame) -> int:
    return frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")


def fill_in(frame, email: str) -> None:
    frame.locator("input[name=first_name]").fill("Ada")
    frame.locator("input[name=last_name]").fill("Lovelace")
    frame.locator("input[name=email]").fill(email)
    frame.set_input_files("input[name=resume]", str(RESUME))
    frame.locator("input[name=consent]").check()


def test_apply_with_autofill_resizes_and_the_host_hears_submitted(page, site, cookie_mode):
    frame = open_embed(page, site)
    page.wait_for_function("document.querySelector('#careers iframe').style.height !== '600px'")
    assert abs(iframe_height(page) - frame_height(frame)) <= 2
    form_height = iframe_height(page)

    frame.set_input_files("input[name=resume]", str(RESUME))
    expect(frame.locator("input[name=first_name]")).to_have_value("Grace")
    expect(frame.locator("input[name=email]")).to_have_value("grace.hopper@example.com")
    expect(frame.locator("input[name=last_name]")).to_have_value("Hopper")
    email = f"grace+{cookie_mode}@example.com"
    frame.locator("input[name=email]").fill(email)
    frame.locator("input[name=consent]").check()
    frame.locator("button[type=submit]:not(.secondary)").click()

    page.wait_for_function("window.careersEvents.some(e => e.type === 'careers:submitted')")
    submitted = events(page, "careers:submitted")[0]
    stored = site.applications(email)
    assert len(stored) == 1 and submitted["applicationId"] == stored[0].public_id
    assert submitted["jobId"] == str(site.job_id)
    assert stored[0].first_name == "Grace" and stored[0].resume_filename == "resume.pdf"
    thanks = page.frame(url=re.compile(r"/embed/applications/"))
    expect(thanks.get_by_role("heading", name="Thank you, Grace!")).to_be_visible()
    page.wait_for_function(
        f"document.querySelector('#careers iframe').getBoundingClientRect().height < {form_height}"
    )
    assert abs(iframe_height(page) - frame_height(thanks)) <= 2
    assert page.context.cookies() == []  # the embed never needed a cookie, in either mode


def test_attribution_from_the_host_url_reaches_the_application(page, site, cookie_mode):
    frame = open_embed(
        page,
        site,
        "&utm_source=newsletter&utm_campaign=spring&src=tw42&other=x",
        referer="https://news.example/article",
    )
    email = f"attribution+{cookie_mode}@example.com"
    fill_in(frame, email)
    frame.locator("button[type=submit]:not(.secondary)").click()
    page.wait_for_function("window.careersEvents.some(e => e.type === 'careers:submitted')")
    (application,) = site.applications(email)
    assert application.attribution == {
        "utm_source": "newsletter",
        "utm_campaign": "spring",
        "src": "tw42",
        "referrer": "news.example",
    }


def test_a_host_not_in_the_allowlist_cannot_frame_the_form(page, site, cookie_mode):
    with page.expect_response(lambda r: APPLY_FRAME.search(r.url)) as honest:
        page.goto(f"{site.other_host}/?job={site.job_id}")
    assert honest.value.status == 403  # the snippet says where it is: refused
    claimed = f"{site.url}/embed/jobs/{site.job_id}/apply?origin={quote(site.host, safe='')}"
    with page.expect_response(lambda r: APPLY_FRAME.search(r.url)) as lying:
        page.goto(f"{site.other_host}/?frame={quote(claimed, safe='')}")
    assert lying.value.status == 200  # it lies about its origin: CSP blocks it
    page.wait_for_function("document.querySelector('#raw') !== null")
    page.wait_for_load_state("load")
    blocked = [f for f in page.frames if f != page.main_frame]
    assert blocked and all(f.url.startswith("chrome-error://") for f in blocked)
    assert page.evaluate("window.careersEvents === undefined")


@pytest.mark.parametrize("attack", ["forged", "expired", "replayed"])
def test_a_bad_token_is_rejected_and_nothing_is_stored(page, site, cookie_mode, attack):
    frame = open_embed(page, site)
    email = f"{attack}+{cookie_mode}@example.com"
    fill_in(frame, email)
    if attack == "replayed":
        statuses = frame.evaluate("""async () => {
            const form = document.querySelector('form.apply');
            const send = () => fetch(form.action, {method: 'POST', body: new FormData(form)});
            const first = await send();
            const second = await send();
            return [first.status, first.url, second.status];
        }""")
        assert statuses[0] == 200 and "/embed/applications/" in statuses[1]
        assert statuses[2] == 409
        assert len(site.applications(email)) == 1
        return
    if attack == "forged":
        token = frame.locator("input[name=embed_token]").input_value()
        value = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    else:
        value, claims = issue_token(
            site.app.config["SECRET_KEY"], site.job_id, site.host, now=lambda: time.time() - 3 * 3600
        )
        frame.locator("input[name=submission_key]").evaluate("(el, v) => el.value = v", claims.nonce)
    frame.locator("input[name=embed_token]").evaluate("(el, v) => el.value = v", value)
    frame.locator("button[type=submit]:not(.secondary)").click()
    page.wait_for_function("window.careersEvents.some(e => e.type === 'careers:error')")
    code = "token_invalid" if attack == "forged" else "token_expired"
    assert events(page, "careers:error") == [{"code": code}]
    assert site.applications(email) == []
    if attack == "expired":  # the form comes back as typed, with a new token: send again
        frame = page.frame(url=APPLY_FRAME)
        expect(frame.get_by_role("heading", name="Please send the form again")).to_be_visible()
        expect(frame.locator("input[name=email]")).to_have_value(email)
        frame.locator("button[type=submit]:not(.secondary)").click()
        page.wait_for_function("window.careersEvents.some(e => e.type === 'careers:submitted')")
        (application,) = site.applications(email)
        assert application.resume_filename == "resume.pdf"


def test_the_full_page_apply_flow_lands_on_the_thanks_page(full_page, site):
    page = full_page
    page.goto(f"{site.url}/jobs/{site.job_id}/apply")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email").fill("ada.fullpage@example.com")
    page.get_by_label("Phone").fill("+44 20 7946 0958")
    page.set_input_files("input[name=resume]", str(RESUME))
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page).to_have_url(re.compile(r"/applications/[^/]+/thanks$"))
    expect(page.get_by_role("heading", name="Thank you, Ada!")).to_be_visible()
    (application,) = site.applications("ada.fullpage@example.com")
    assert application.first_name == "Ada" and application.resume_filename == "resume.pdf"
    assert application.phone == "+442079460958"


def test_the_board_leads_to_a_form_that_still_talks_to_the_host(page, site, cookie_mode):
    page.goto(f"{site.host}/?utm_source=board")
    page.wait_for_function("window.careersEvents.some(e => e.detail.page === 'jobs')")
    board = page.frame(url=re.compile(r"/embed/jobs\?"))
    board.get_by_role("link", name="Platform Engineer").click()
    page.wait_for_function("window.careersEvents.some(e => e.detail.page === 'job')")
    job = page.frame(url=re.compile(r"/embed/jobs/\d+\?"))
    expect(job.get_by_text("Build things.")).to_be_visible()  # the description, before the form
    job.get_by_role("link", name="Apply for this job").first.click()
    page.wait_for_function("window.careersEvents.some(e => e.detail.page === 'apply')")
    form = page.frame(url=APPLY_FRAME)
    assert "utm_source=board" in form.url
    assert form.locator("input[name=embed_token]").input_value()


def test_a_deep_link_on_the_host_page_opens_that_jobs_form(page, site, cookie_mode):
    page.goto(f"{site.host}/?careers_job={site.job_id}")
    page.wait_for_function("window.careersEvents.some(e => e.detail.page === 'apply')")
    assert page.frame(url=APPLY_FRAME).url.startswith(f"{site.url}/embed/jobs/{site.job_id}/apply?")
