"""Mapping between our canonical submission and Workable's JSON (CONTRACTS §5, §8).

Kept apart from the adapter so the field rules can be read and tested without HTTP. What the
resume parser found comes through the helpers every vendor shares (app.ats.payloads).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.ats import text
from app.ats.base import Answer, Job, QuestionKind, Submission, SyncedQuestion
from app.ats.payloads import education_entries, experience_entries, plain, skills

ATS_NAME = "workable"
SOCIAL_HOSTS = {
    "linkedin.com": "linkedin",
    "github.com": "github",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "stackoverflow.com": "stackoverflow",
    "behance.net": "behance",
    "dribbble.com": "dribbble",
    "facebook.com": "facebook",
    "xing.com": "xing",
}


def social_type(url: Any) -> str | None:
    """The network Workable files a link under, or None for a link it has no type for."""
    host = (urlsplit(str(url or "")).hostname or "").removeprefix("www.")
    return next(
        (name for domain, name in SOCIAL_HOSTS.items() if host == domain or host.endswith("." + domain)),
        None,
    )


def social_profiles(submission: Submission) -> list[dict]:
    """One profile per type (Workable's rule); parsed links we cannot type are left to the
    resume, the link the candidate typed in goes to the comment (`website_line`)."""
    urls = [submission.url, *(plain(submission.parsed.get("urls")) or [])]
    profiles: dict[str, dict] = {}
    for url in urls:
        kind = social_type(url)
        if kind and kind not in profiles:
            profiles[kind] = {"type": kind, "url": str(url)}
    return list(profiles.values())


def website_line(submission: Submission) -> str:
    """The candidate's own link when it is no social profile Workable can file."""
    url = submission.url.strip()
    return f"Website: {url}" if url and social_type(url) is None else ""


def answer(item: Answer, question: Mapping[str, Any] | None) -> dict:
    """One answer in the shape its question type asks for; unknown keys go as text and
    Workable refuses them, which is what we want: a mis-mapped form is a permanent error."""
    body: dict[str, Any] = {"question_key": item.question_ref}
    question = question or {}
    kind = question.get("type", "free_text")
    value = item.value
    if kind == "multiple_choice":
        # One id per chosen label: several when the question takes more than one answer.
        values = value if isinstance(value, (list, tuple)) else [value]
        by_label = {str(c.get("body", "")).lower(): c["id"] for c in question.get("choices") or []}
        body["choices"] = [by_label.get(str(v).lower(), str(v)) for v in values]
    elif kind == "boolean":
        body["checked"] = (
            value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
        )
    elif kind == "date":
        body["date"] = str(value)
    elif kind in ("number", "numeric"):
        body["number"] = float(value) if "." in str(value) else int(value)
    else:
        body["body"] = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return body


def candidate_body(
    submission: Submission,
    questions: Sequence[Mapping[str, Any]],
    *,
    sourced: bool,
    domain: str,
    details_in_comment: bool,
) -> dict:
    """The create body. Only answers to Workable's own questions go in `answers`; the rest, and
    the attribution, go to the comment, or to the cover letter when there is no comment step."""
    parsed = submission.parsed
    experience = experience_entries(parsed)
    headline = plain(parsed.get("headline")) or (experience[0]["title"] if experience else None)
    letter = submission.cover_letter
    if not details_in_comment:
        letter = "\n\n".join(p for p in (letter, details_text(submission)) if p)
    candidate: dict[str, Any] = {
        "firstname": submission.first_name,
        "lastname": submission.last_name,
        "email": submission.email,
        "phone": submission.phone or None,
        "address": submission.location or None,
        "headline": headline,
        "summary": plain(parsed.get("summary")) or None,
        "cover_letter": letter or None,
        "education_entries": education_entries(parsed),
        "experience_entries": experience,
        "skills": skills(parsed),
        "social_profiles": social_profiles(submission),
    }
    if submission.resume is not None:
        candidate["resume"] = {
            "name": submission.resume.filename,
            "data": base64.b64encode(submission.resume.data).decode("ascii"),
        }
    by_key = {q["id"]: q for q in questions}
    structured, _ = text.split_answers(submission.answers)
    candidate["answers"] = [answer(a, by_key.get(a.question_ref)) for a in structured]
    body = {"candidate": {k: v for k, v in candidate.items() if v not in (None, [], "")}, "sourced": sourced}
    if domain:
        body["domain"] = domain
    return body


def domain(submission: Submission, configured: str) -> str:
    """Workable's free-text origin: the configured site, else where the visitor came from."""
    attribution = submission.attribution
    return (
        configured
        or text.referrer_host(attribution)
        or attribution.get("utm_source", "")
        or submission.source
    )


def details_text(submission: Submission) -> str:
    """Answers Workable cannot take as answers, the candidate's website, where they came from
    and the consent they gave: the comment's content, for the cover letter when no comment."""
    _, written = text.split_answers(submission.answers)
    parts = [
        text.answers_block(written, "Answers on the careers site"),
        website_line(submission),
        text.source_line(submission),
        consent_line(submission),
        text.future_consent_line(submission),
    ]
    return "\n\n".join(p for p in parts if p)


def consent_line(submission: Submission) -> str:
    if not submission.consent_text:
        return ""
    return (
        f"Consent (v{submission.consent_version or '?'}, {submission.consent_at}): {submission.consent_text}"
    )


def comment_body(submission: Submission) -> str:
    """What Workable has no field for: answers to our own questions, attribution, consent."""
    _, written = text.split_answers(submission.answers)
    header = f"Applied via careers site (ref {submission.public_id})."
    lines = [header, *detail_lines(submission, written, "Answers on the careers site")]
    return "\n".join(line for line in lines if line)


def detail_lines(submission: Submission, answers: Sequence[Answer], heading: str) -> list[str]:
    lines = []
    if submission.source:
        lines.append(f"Source: {submission.source}")
    for key, value in sorted(submission.attribution.items()):
        lines.append(f"{key}: {value}")
    if answers:
        lines.append(text.answers_block(answers, heading))
    return [*lines, website_line(submission), consent_line(submission), text.future_consent_line(submission)]


def job_from(data: Mapping[str, Any]) -> Job:
    location = data.get("location") or {}
    return Job(
        ref=str(data["shortcode"]),
        title=data.get("full_title") or data.get("title", ""),
        location=location.get("location_str") or "",
        department=data.get("department") or "",
        remote=bool(location.get("telecommuting")),
        employment_type=EMPLOYMENT_TYPES.get(data.get("employment_type") or "", ""),
        description_html="".join(data.get(k) or "" for k in ("description", "requirements", "benefits")),
        open=data.get("state", "published") == "published",
    )


EMPLOYMENT_TYPES = {
    "Full-time": "FULL_TIME",
    "Part-time": "PART_TIME",
    "Contract": "CONTRACTOR",
    "Temporary": "TEMPORARY",
    "Internship": "INTERN",
}


# Workable question types as our form's kinds; "multiple_choice" depends on `single_answer`.
QUESTION_KINDS: dict[str, QuestionKind] = {
    "free_text": "long_text",
    "short_text": "short_text",
    "boolean": "yes_no",
    "file": "file",
}


def synced_question(data: Mapping[str, Any]) -> SyncedQuestion:
    """A job question as our form asks it. A multiple-choice question takes one answer unless
    `single_answer` is false; either way the answer goes back as choice ids (`answer`)."""
    kind: QuestionKind
    if data.get("type") == "multiple_choice":
        kind = "single_select" if data.get("single_answer", True) else "multi_select"
    else:
        kind = QUESTION_KINDS.get(data.get("type") or "free_text", "short_text")
    return SyncedQuestion(
        ref=str(data["id"]),
        label=str(data.get("body") or data["id"]),
        kind=kind,
        required=bool(data.get("required")),
        options=tuple(str(c.get("body") or c["id"]) for c in data.get("choices") or []),
    )


# --- 422 bodies -----------------------------------------------------------------------------

FIELD_NAME = re.compile(r"[A-Za-z_]{1,40}")


def validation_errors(response: httpx.Response) -> dict[str, list[str]]:
    """`validation_errors` of a 422 (DOC-3P WK-RB), or {} when the body has none."""
    try:
        body = response.json()
    except ValueError:
        return {}
    errors = body.get("validation_errors") if isinstance(body, Mapping) else None
    if not isinstance(errors, Mapping):
        return {}
    return {str(k): [str(m) for m in v] if isinstance(v, list) else [str(v)] for k, v in errors.items()}


def says_already_exists(errors: Mapping[str, list[str]]) -> bool:
    """Workable's duplicate refusal: `validation_errors.email` "candidate already exists"
    (C:395, DOC-3P). Only that; any other 422 is a refusal HR must see."""
    return any("already exists" in message.lower() for message in errors.get("email", []))


def refusal(request: str, errors: Mapping[str, list[str]]) -> str:
    """A 422 for HR: which fields Workable refused, never their values or its messages."""
    fields = sorted(k for k in errors if FIELD_NAME.fullmatch(k))[:6]
    message = f"{ATS_NAME}: {request} -> 422: Workable refused " + (
        ", ".join(fields) if fields else "the application"
    )
    if "resume" in fields:
        message += " (the resume: Workable takes .pdf, .doc, .docx or .rtf files)"
    return message
