"""What one application becomes in Dover's `POST /candidates` form (CONTRACTS §3.2, §8).

Dover has four named candidate fields and a free-text `additional_comments` that shows in the
candidate's activity feed. Everything else we collected (phone, location, cover letter, answers,
consent, source) goes into that text, because it cannot be added after creation: Dover returns no
id to attach a note to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import urlsplit

from app.ats import text
from app.ats.base import Answer, Submission

PDF_MAGIC = b"%PDF-"
MAX_RESUME_BYTES = 10 * 1024 * 1024  # Dover's UI limit per resume; API limit assumed equal


@dataclass(frozen=True)
class ResumePart:
    """The file part to send (or None) and the sentence that tells HR what happened to it."""

    file: tuple[str, bytes, str] | None
    note: str


def candidate_form(submission: Submission, job_ref: str, stage_ref: str) -> dict[str, str]:
    form = {
        "job_id": job_ref,
        "hiring_pipeline_stage_id": stage_ref,
        "candidate_first_name": submission.first_name,
        "candidate_last_name": submission.last_name,
    }
    if submission.email:
        form["candidate_email"] = submission.email
    if is_linkedin_url(submission.url):
        form["candidate_linkedin_url"] = submission.url
    return form


def is_linkedin_url(url: str) -> bool:
    """Dover's field takes a LinkedIn profile URL; any other address goes in the comments."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and (host == "linkedin.com" or host.endswith(".linkedin.com"))


def resume_part(submission: Submission) -> ResumePart:
    """Dover takes PDF only. The delivery already turned any other format into a PDF rendition,
    so a file that is still not a PDF is not sent, and the comments say so."""
    resume = submission.resume
    if resume is None:
        return ResumePart(None, "No resume was attached to the application.")
    if not resume.data.startswith(PDF_MAGIC):
        return ResumePart(
            None,
            f"The resume {resume.filename} is not a PDF, which Dover requires, and was not sent; "
            "the careers site keeps the original.",
        )
    if len(resume.data) > MAX_RESUME_BYTES:
        return ResumePart(
            None,
            f"The resume {resume.filename} is larger than Dover accepts "
            "and was not sent; the careers site keeps the original.",
        )
    stem = PurePath(resume.filename).stem or "resume"
    return ResumePart((f"{stem}.pdf", resume.data, "application/pdf"), "")


def additional_comments(submission: Submission, resume_note: str) -> str:
    """One readable block for the activity feed; sections only appear when they have content."""
    parts = [f"Applied through the careers site (application {submission.public_id})."]
    details = [("Phone", submission.phone), ("Location", submission.location)]
    if submission.url and not is_linkedin_url(submission.url):
        details.append(("Website", submission.url))
    lines = [f"{label}: {value}" for label, value in details if value]
    if lines:
        parts.append("\n".join(lines))
    if submission.cover_letter:
        parts.append(f"Cover letter:\n{submission.cover_letter}")
    if submission.answers:
        parts.append("Answers:\n" + "\n".join(_answer_line(a) for a in submission.answers))
    if submission.consent_text:
        given = ", ".join(
            bit
            for bit in (
                f"version {submission.consent_version}" if submission.consent_version else "",
                f"given {submission.consent_at}" if submission.consent_at else "",
            )
            if bit
        )
        parts.append(f"Consent: {submission.consent_text}" + (f" ({given})" if given else ""))
    if submission.future_consent_text:
        parts.append(text.future_consent_line(submission))
    source = source_line(submission)
    if source:
        parts.append(source)
    if resume_note:
        parts.append(resume_note)
    return "\n\n".join(parts)


def source_line(submission: Submission) -> str:
    return text.source_line(submission)


def _answer_line(answer: Answer) -> str:
    return f"- {text.answer_line(answer)}"
