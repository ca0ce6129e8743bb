"""Mapping between our canonical submission and Workable's JSON (CONTRACTS §5, §8).

Kept apart from the adapter so the field rules can be read and tested without HTTP. The resume
parser's output (`submission.parsed`) may hold plain values or `{"value": ..., <provenance>}`
wrappers; `plain` removes the wrappers wherever they appear.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from app.ats import text
from app.ats.base import Answer, Job, Submission

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


def plain(value: Any) -> Any:
    """The bare value of a parser field, unwrapping `{"value": ...}` at any depth."""
    if isinstance(value, Mapping):
        if "value" in value:
            return plain(value["value"])
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def entry_date(value: Any) -> str | None:
    """Workable wants YYYY-MM-DD; the parser gives years or year-months, so pad them."""
    text = str(plain(value) or "").strip()
    match = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2}))?(?:[-/.](\d{1,2}))?", text)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "1", match.group(3) or "1"
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _text(entry: Mapping[str, Any], key: str) -> str | None:
    value = plain(entry.get(key))
    return str(value).strip() or None if value not in (None, "") else None


def education_entries(parsed: Mapping[str, Any]) -> list[dict]:
    entries = []
    for raw in plain(parsed.get("education")) or []:
        if not isinstance(raw, Mapping) or not _text(raw, "school"):
            continue  # school is the one required key of an education entry
        entries.append(
            {
                "school": _text(raw, "school"),
                "degree": _text(raw, "degree"),
                "field_of_study": _text(raw, "field"),
                "start_date": entry_date(raw.get("start")),
                "end_date": entry_date(raw.get("end")),
            }
        )
    return entries


def experience_entries(parsed: Mapping[str, Any]) -> list[dict]:
    entries = []
    for raw in plain(parsed.get("experience")) or []:
        if not isinstance(raw, Mapping) or not _text(raw, "title"):
            continue  # title is the one required key of an experience entry
        current = bool(plain(raw.get("current")))
        entries.append(
            {
                "title": _text(raw, "title"),
                "company": _text(raw, "company"),
                "summary": _text(raw, "summary"),
                "start_date": entry_date(raw.get("start")),
                "end_date": None if current else entry_date(raw.get("end")),
                "current": current,
            }
        )
    return entries


def skills(parsed: Mapping[str, Any]) -> list[str]:
    seen: dict[str, str] = {}
    for item in plain(parsed.get("skills")) or []:
        text = str(item).strip()
        if text and text.lower() not in seen:
            seen[text.lower()] = text
    return list(seen.values())


def social_profiles(submission: Submission) -> list[dict]:
    """One profile per type (Workable's rule); links we cannot type are left to the resume."""
    urls = [submission.url, *(plain(submission.parsed.get("urls")) or [])]
    profiles: dict[str, dict] = {}
    for url in urls:
        host = urlsplit(str(url or "")).hostname or ""
        host = host.removeprefix("www.")
        kind = next(
            (name for domain, name in SOCIAL_HOSTS.items() if host == domain or host.endswith("." + domain)),
            None,
        )
        if kind and kind not in profiles:
            profiles[kind] = {"type": kind, "url": str(url)}
    return list(profiles.values())


def answer(item: Answer, question: Mapping[str, Any] | None) -> dict:
    """One answer in the shape its question type asks for; unknown keys go as text and
    Workable refuses them, which is what we want: a mis-mapped form is a permanent error."""
    body: dict[str, Any] = {"question_key": item.question_ref}
    kind = (question or {}).get("type", "free_text")
    value = item.value
    if kind == "multiple_choice":
        values = value if isinstance(value, (list, tuple)) else [value]
        by_label = {c["body"].lower(): c["id"] for c in question.get("choices", [])}
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
    """Answers Workable cannot take as answers, and where the candidate came from."""
    _, written = text.split_answers(submission.answers)
    parts = [text.answers_block(written, "Answers on the careers site"), text.source_line(submission)]
    return "\n\n".join(p for p in parts if p)


def comment_body(submission: Submission) -> str:
    """What Workable has no field for: answers to our own questions, attribution, consent."""
    lines = [f"Applied via careers site (ref {submission.public_id})."]
    if submission.source:
        lines.append(f"Source: {submission.source}")
    for key, value in sorted(submission.attribution.items()):
        lines.append(f"{key}: {value}")
    _, written = text.split_answers(submission.answers)
    if written:
        lines.append(text.answers_block(written, "Answers on the careers site"))
    if submission.consent_text:
        lines.append(
            f"Consent (v{submission.consent_version or '?'}, {submission.consent_at}): "
            f"{submission.consent_text}"
        )
    return "\n".join(lines)


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


def question_for_form(data: Mapping[str, Any]) -> dict:
    """A question as our form renders it, whatever the ATS."""
    return {
        "key": str(data["id"]),
        "body": data.get("body", ""),
        "type": data.get("type", "free_text"),
        "required": bool(data.get("required")),
        "choices": [{"key": str(c["id"]), "body": c.get("body", "")} for c in data.get("choices") or []],
    }
