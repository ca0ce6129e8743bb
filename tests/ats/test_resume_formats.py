"""Every resume format we accept reaches every vendor, in a format that vendor takes.

Each adapter module declares its vendor's formats (`RESUME_FORMATS`); the strict sandboxes,
written from the vendors' documents, must agree with those declarations, and the delivery
sends anything else as a PDF rendition that still holds the document's text.
"""

from __future__ import annotations

import io

import pytest
from pdfminer.high_level import extract_text as pdf_text
from sqlalchemy import select

from app.ats.base import AtsError, Resume
from app.ats.pdf_rendition import system_fonts
from app.ats.registry import RESUME_FORMATS
from app.extensions import db
from app.intake import delivery
from app.intake.rendition import fit_resume
from app.intake.runner import run_steps
from app.intake.submit import Upload
from app.models import Application, Delivery
from app.resume.extract import extract_text
from app.resume.formats import ACCEPTED_FORMATS, CONTENT_TYPES, detect_format
from app.storage import storage_for
from tests.ats.harnesses import all_harnesses, make_submission
from tests.ats.harnesses import dover as dover_harness
from tests.ats.harnesses import skailer as skailer_harness
from tests.support.applications import submit_application
from tests.support.resume_files import (
    ACCEPTED_KINDS,
    RESUME_CYRILLIC,
    RESUME_GREEK,
    RESUME_HEADINGS,
    RESUME_ITEMS,
    RESUME_NAME,
    resume_document,
)

HARNESSES = all_harnesses()
# Adapters that upload the file itself, so their sandbox judges its format. (Dover's adapter
# holds back a file that is not a PDF; NexivoHR has no upload; local keeps every file.)
UPLOADERS = ("skailer", "workable", "greenhouse", "greenhouse_jobboard")
unicode_font = pytest.mark.skipif(
    not system_fonts().unicode, reason="no DejaVu Sans: apt-get install fonts-dejavu-core"
)


def submission_with(fmt: str, job_ref: str):
    data = resume_document(fmt)
    text = extract_text(data, fmt).text  # what the parser stored for the application
    return make_submission(
        job_ref, resume=Resume(f"ada.{fmt}", CONTENT_TYPES[fmt], data), parsed={"text": text}
    )


def deliver(harness, submission):
    return run_steps(harness.adapter, submission, {}, lambda _: None)


def rendered_text(data: bytes) -> str:
    return " ".join(pdf_text(io.BytesIO(data)).split())


def test_every_format_we_accept_is_one_the_form_offers_and_a_fixture_exists():
    assert set(ACCEPTED_KINDS) == ACCEPTED_FORMATS
    assert {detect_format(resume_document(fmt)) for fmt in ACCEPTED_KINDS} == ACCEPTED_FORMATS


def test_every_adapter_declares_its_resume_formats_and_all_take_pdf():
    declared = {make().adapter.name for make in HARNESSES.values()}
    assert declared == set(RESUME_FORMATS)
    for name, formats in RESUME_FORMATS.items():
        assert "pdf" in formats and formats <= ACCEPTED_FORMATS, name


def test_the_declared_formats_follow_each_vendors_documents():
    assert RESUME_FORMATS["skailer"] == {"pdf", "doc", "docx"}
    assert RESUME_FORMATS["workable"] == {"pdf", "doc", "docx", "rtf"}
    assert RESUME_FORMATS["greenhouse_job_board"] == {"pdf", "doc", "docx", "txt", "rtf"}
    assert RESUME_FORMATS["greenhouse"] == {"pdf", "doc", "docx", "txt", "html"}
    assert RESUME_FORMATS["dover"] == {"pdf"}
    assert RESUME_FORMATS["nexivohr"] == RESUME_FORMATS["local"] == ACCEPTED_FORMATS


@pytest.mark.parametrize("fmt", ACCEPTED_KINDS)
@pytest.mark.parametrize("kind", UPLOADERS)
def test_a_strict_sandbox_takes_a_resume_as_it_is_exactly_when_the_adapter_declares_its_format(kind, fmt):
    harness = HARNESSES[kind]()
    submission = submission_with(fmt, harness.job_ref)
    if fmt in RESUME_FORMATS[harness.adapter.name]:
        deliver(harness, submission)
        assert harness.sandbox.count_applications("ada@example.com", harness.job_ref) == 1
    else:
        with pytest.raises(AtsError):
            deliver(harness, submission)


@pytest.mark.parametrize("fmt", ACCEPTED_KINDS)
@pytest.mark.parametrize("kind", sorted(HARNESSES))
def test_every_format_reaches_every_vendor_in_a_format_it_takes(kind, fmt):
    harness = HARNESSES[kind]()
    submission = submission_with(fmt, harness.job_ref)
    fitted = fit_resume(submission, harness.adapter.name)
    deliver(harness, fitted.submission)
    assert harness.sandbox.count_applications("ada@example.com", harness.job_ref) == 1
    accepted = RESUME_FORMATS[harness.adapter.name]
    sent = fitted.submission.resume
    assert sent is not None and detect_format(sent.data) in accepted
    if fmt in accepted:
        assert fitted.submission is submission and fitted.note == ""
    else:
        assert (sent.filename, sent.content_type) == ("ada.pdf", "application/pdf")
        assert f"does not take {fmt.upper()}" in fitted.note
        first_line = next(line for line in submission.parsed["text"].splitlines() if line.strip())
        assert first_line.strip() in rendered_text(sent.data)


@pytest.mark.parametrize("fmt", ["docx", "rtf", "odt", "txt", "html", "mht"])
def test_dover_stores_a_pdf_rendition_holding_the_documents_text(fmt):
    harness = dover_harness.make()
    fitted = fit_resume(submission_with(fmt, harness.job_ref), "dover")
    deliver(harness, fitted.submission)
    (candidate,) = harness.sandbox.state.candidates
    assert (candidate["resume_filename"], candidate["resume_content_type"]) == ("ada.pdf", "application/pdf")
    text = rendered_text(candidate["resume_bytes"])
    for line in (RESUME_NAME, *RESUME_HEADINGS, *RESUME_ITEMS):
        assert line in text
    assert f"Dover does not take {fmt.upper()} files" in text
    assert "Dover does not take" in fitted.note


@unicode_font
@pytest.mark.parametrize("fmt", ["rtf", "odt", "txt", "html", "mht", "docx"])
def test_a_rendition_keeps_greek_and_cyrillic_lines(fmt):
    fitted = fit_resume(submission_with(fmt, "311"), "dover")
    assert fitted.submission.resume is not None
    text = rendered_text(fitted.submission.resume.data)
    assert RESUME_GREEK in text and RESUME_CYRILLIC in text


def test_a_resume_whose_text_was_not_read_is_rendered_from_the_application_details():
    submission = make_submission("311", resume=Resume("cv.rtf", "application/rtf", resume_document("rtf")))
    fitted = fit_resume(submission, "skailer")
    assert fitted.submission.resume is not None
    text = rendered_text(fitted.submission.resume.data)
    assert "ada@example.com" in text and "I would love to work on engines." in text
    assert "made from the application's details" in fitted.note


def test_a_rendition_of_a_text_the_parser_shortened_says_so():
    long_text = "Engine notes " * 3000  # longer than the parser keeps
    submission = make_submission(
        "311",
        resume=Resume("cv.odt", CONTENT_TYPES["odt"], resume_document("odt")),
        parsed={"text": long_text[:30_000]},
    )
    assert "of the first 30,000 characters of its text" in fit_resume(submission, "skailer").note


def test_no_resume_and_an_undeclared_adapter_leave_the_submission_as_it_is():
    bare = make_submission("311", resume=None)
    assert fit_resume(bare, "skailer").submission is bare
    odt = submission_with("odt", "311")
    assert fit_resume(odt, "a-fake-with-no-declaration").submission is odt


def parse_in_process(session, data, sha256):
    """The parser's own extraction, run here instead of in its worker pool."""
    fmt = detect_format(data)
    return {"ok": True, "format": fmt, "fields": {}, "text": extract_text(data, fmt).text}


def test_the_delivery_sends_skailer_a_rendition_keeps_the_original_and_tells_hr(app):
    harness = skailer_harness.make()
    original = resume_document("rtf")
    upload = Upload.from_bytes(original, "ada.rtf", CONTENT_TYPES["rtf"])
    application_id = submit_application(app, kind="skailer", resume=upload)
    with app.app_context():
        storage = storage_for(app)
        outcome = delivery.deliver(
            db.session, application_id, adapter=harness.adapter, storage=storage, parse=parse_in_process
        )
        assert outcome.status == "delivered"
        row = db.session.scalar(select(Delivery).where(Delivery.application_id == application_id))
        notes = delivery.delivery_notes(row.checkpoints)
        assert "PDF rendition because Skailer does not take RTF" in notes["resume"]
        application = db.session.get(Application, application_id)
        assert (application.resume_filename, application.resume_content_type) == (
            "ada.rtf",
            "application/rtf",
        )
        assert storage.read(application.resume_key) == original
    (cv,) = harness.extra["state"].cvs.values()
    assert cv["filename"] == "ada.pdf"
