"""The autofill script follows a long parse through its polls to the final answer."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_embed_browser import open_embed
from tests.hostile.pdfs import many_text_ops


def test_a_resume_that_takes_long_to_read_ends_with_a_message_and_the_form_stays_usable(
    page, site, cookie_mode, tmp_path
):
    slow = tmp_path / f"slow-{cookie_mode}.pdf"
    slow.write_bytes(many_text_ops(3_000_000 + len(cookie_mode), compress=True))  # a new file for each mode
    frame = open_embed(page, site)
    frame.set_input_files("input[name=resume]", str(slow))
    status = frame.locator(".autofill-status")
    expect(status).to_contain_text("Reading this file took too long", timeout=15_000)
    expect(status).to_contain_text("You can still")
    frame.locator("input[name=first_name]").fill("Ada")
    expect(frame.locator("input[name=first_name]")).to_have_value("Ada")
