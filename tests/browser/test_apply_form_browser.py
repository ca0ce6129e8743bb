"""The apply form's script as a candidate meets it: a second resume refreshes only the fields
they did not touch, a file over the limit is refused before it is sent, and the error summary's
links show each field with its label and focus a control, radio groups included."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import FIXTURES, add_job

RESUMES = FIXTURES / "resumes"
JANE = RESUMES / "00-pdf-one-whitaker.pdf"
JOSE = RESUMES / "01-pdf-two-alvarez-garcia.pdf"


def test_a_second_resume_refills_the_fields_the_candidate_did_not_touch(full_page, site):
    page = full_page
    page.goto(f"{site.url}/jobs/{site.job_id}/apply")
    page.set_input_files("input[name=resume]", str(JANE))
    expect(page.locator("input[name=email]")).to_have_value("jane.whitaker@example.com")
    page.locator("input[name=phone]").fill("+1 415 555 0000")
    page.set_input_files("input[name=resume]", str(JOSE))
    expect(page.locator("input[name=email]")).to_have_value("jose.alvarez@example.es")
    expect(page.locator("input[name=first_name]")).to_have_value("José")
    expect(page.locator("input[name=location]")).to_have_value("Madrid, Spain")
    expect(page.locator("input[name=phone]")).to_have_value("+1 415 555 0000")


def test_a_file_over_the_limit_is_refused_before_it_is_sent(full_page, site):
    page = full_page
    page.goto(f"{site.url}/jobs/{site.job_id}/apply")
    parses = []
    page.on(
        "request", lambda request: parses.append(request.url) if "/api/resume/parse" in request.url else None
    )
    big = {
        "name": "scan.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024),
    }
    page.set_input_files("input[name=resume]", files=[big])
    error = page.locator("#size-error-resume")
    expect(error).to_contain_text("Files can be up to 10 MB")
    expect(page.locator("input[name=resume]")).to_have_attribute("aria-invalid", "true")
    assert page.locator("input[name=resume]").evaluate("input => input.files.length") == 0
    page.set_input_files("input[name=resume]", str(JANE))
    expect(error).to_have_count(0)
    expect(page.locator("input[name=email]")).to_have_value("jane.whitaker@example.com")
    assert len(parses) == 1


def test_summary_links_show_the_label_and_focus_the_field_or_the_first_option(full_page, site):
    job_id = add_job(
        site.app,
        title="Office Manager",
        resume_required=False,
        description_html="<p>" + "Long text. " * 400 + "</p>",
        questions=[
            {
                "label": "Preferred office",
                "kind": "single_select",
                "options": ["Berlin", "Lisbon"],
                "required": True,
            }
        ],
    )
    page = full_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{site.url}/jobs/{job_id}/apply")
    page.get_by_role("button", name="Submit application").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Choose one option for “Preferred office”.").click()
    first_option = page.locator("input[name^=q_][type=radio]").first
    expect(first_option).to_be_focused()
    expect(page.locator("fieldset.choices legend").first).to_be_in_viewport()
    page.evaluate("window.scrollTo(0, 0)")
    summary.get_by_role("link", name="Please agree to the processing").click()
    expect(page.locator("input[name=consent]")).to_be_focused()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    summary.get_by_role("link", name="Enter your first name.").click()
    expect(page.locator("input[name=first_name]")).to_be_focused()
    label_top = page.locator("label[for=first_name]").evaluate("label => label.getBoundingClientRect().top")
    assert label_top >= 0
