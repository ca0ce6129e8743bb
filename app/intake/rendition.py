"""A resume in a format the target ATS does not take is sent as a PDF rendition of its text.

We take eight formats; Skailer takes three, Dover one. Rather than each adapter converting (or
dropping) what its vendor refuses, the delivery decides once for every vendor, from what each
adapter module declares (`RESUME_FORMATS`, named in the registry). The rendition is drawn from
the text the resume parser already extracted in its sandboxed worker, so no document is opened
again here; the original stays in our storage, downloadable from the admin area, and HR is told
in a note on the delivery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import PurePath

from app.ats.base import Resume, Submission
from app.ats.pdf_rendition import Block, Fonts, render_pdf
from app.ats.registry import resume_formats
from app.resume.fields.lines import BULLETS, Line
from app.resume.fields.sections import heading_of
from app.resume.formats import detect_format
from app.resume.service import MAX_STORED_TEXT

VENDOR_NAMES = {
    "local": "the inbox",
    "skailer": "Skailer",
    "dover": "Dover",
    "nexivohr": "NexivoHR",
    "workable": "Workable",
    "greenhouse": "Greenhouse Harvest",
    "greenhouse_job_board": "Greenhouse Job Board",
}
_BULLET = re.compile(rf"^[{re.escape(BULLETS)}]\s+|^[•●▪■◦‣∙○□➢✓]\s*")
MAX_HEADING_CHARS = 60


@dataclass(frozen=True)
class Fitted:
    """The submission to send, and what HR should know about its resume (empty: sent as is)."""

    submission: Submission
    note: str = ""


def fit_resume(submission: Submission, adapter_name: str, *, fonts: Fonts | None = None) -> Fitted:
    """The submission with a resume its ATS takes: the original when it can, else a PDF of it."""
    resume = submission.resume
    accepted = resume_formats(adapter_name)
    if resume is None or accepted is None:
        return Fitted(submission)
    fmt = detect_format(resume.data)
    if fmt is None or fmt in accepted:
        return Fitted(submission)
    vendor = VENDOR_NAMES.get(adapter_name, adapter_name)
    kind = fmt.upper()
    text = str(submission.parsed.get("text") or "").strip()
    origin = ""
    if not text:
        text = application_details(submission)
        origin = " made from the application's details (no text could be read from the file)"
    elif len(text) >= MAX_STORED_TEXT:
        origin = f" of the first {MAX_STORED_TEXT:,} characters of its text"
    footer = (
        f"PDF rendition of {resume.filename}: {vendor} does not take {kind} files. "
        "The careers site keeps the original."
    )
    pdf = render_pdf(document_blocks(text), footer=footer, fonts=fonts)
    stem = PurePath(resume.filename).stem or "resume"
    sent = replace(submission, resume=Resume(f"{stem}.pdf", "application/pdf", pdf))
    note = (
        f"The resume was sent as a PDF rendition{origin} because {vendor} does not take {kind}; "
        f"the original {kind} file is kept here."
    )
    return Fitted(sent, note)


def document_blocks(text: str) -> list[Block]:
    """The extracted lines as paragraphs, list items (a leading bullet) and section headings
    (the lines the resume parser itself takes for headings)."""
    blocks = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        bullet = _BULLET.match(line)
        if bullet:
            blocks.append(Block("item", line[bullet.end() :]))
            continue
        heading = heading_of(Line(line)) if len(line) <= MAX_HEADING_CHARS else None
        blocks.append(Block("heading" if heading and not heading[1] else "paragraph", line))
    return blocks


def application_details(submission: Submission) -> str:
    """What the candidate typed, for a resume whose text could not be read."""
    lines = [
        f"{submission.first_name} {submission.last_name}",
        submission.email,
        submission.phone,
        submission.location,
        submission.url,
    ]
    if submission.cover_letter:
        lines += ["Cover letter", submission.cover_letter]
    return "\n".join(line for line in lines if line)
