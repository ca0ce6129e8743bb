"""The autofill script speaks the page's language: its words come from the page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_embed_browser import RESUME


def test_autofill_tells_a_german_reader_in_german_what_it_filled(full_page, site):
    full_page.goto(f"{site.url}/de/jobs/{site.job_id}/apply")
    full_page.set_input_files("input[name=resume]", str(RESUME))
    expect(full_page.locator("input[name=first_name]")).to_have_value("Grace")
    status = full_page.locator(".autofill-status")
    expect(status).to_have_text(
        re.compile(r"^Wir haben \d+ Felder aus Ihrem Lebenslauf ausgefüllt\. Bitte prüfen Sie sie\.$")
    )
    note = full_page.locator("label[for=first_name] .autofill-note")
    expect(note).to_have_text(" (aus Ihrem Lebenslauf, bitte prüfen)")
