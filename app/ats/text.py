"""Answers and attribution as text, for the free-text channel every ATS has (note, comment,
cover letter).

An ATS accepts a structured answer only for a question it knows. Questions HR wrote in our admin
reach the adapters with a `local-<id>` ref, and file answers reach them as a reference to our own
storage, not as bytes; sending either as a structured answer would make the ATS refuse the whole
application. Both are written out for the recruiter instead, with the helpers here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from app.ats.base import Answer, Submission

LOCAL_PREFIX = "local-"  # the same as app.intake.delivery.LOCAL_QUESTION_PREFIX


def is_file(value: Any) -> bool:
    """A file answer: the stored file's key and name, never its content."""
    return isinstance(value, Mapping) and "file_key" in value


def is_structured(answer: Answer) -> bool:
    """Whether the ATS can take this answer in its own answer field: its question came from the
    ATS and its value is not a file we hold."""
    return not answer.question_ref.startswith(LOCAL_PREFIX) and not is_file(answer.value)


def split_answers(answers: Iterable[Answer]) -> tuple[list[Answer], list[Answer]]:
    """(answers for the ATS's answer fields, answers to write out as text)."""
    structured: list[Answer] = []
    written: list[Answer] = []
    for answer in answers:
        (structured if is_structured(answer) else written).append(answer)
    return structured, written


def shown(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if is_file(value):
        return f"file attached in careers inbox: {value.get('filename') or 'unnamed file'}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


def answer_line(answer: Answer) -> str:
    return f"{answer.label or answer.question_ref}: {shown(answer.value)}"


def answers_block(answers: Iterable[Answer], heading: str = "Answers") -> str:
    lines = [f"- {answer_line(a)}" for a in answers]
    return f"{heading}:\n" + "\n".join(lines) if lines else ""


def attribution_tags(attribution: Mapping[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(attribution.items()) if value)


def source_line(submission: Submission, source: str = "") -> str:
    """`Source: <name> (utm_campaign=..., utm_source=...)`, or "" when nothing is known."""
    name = source or submission.source
    tags = attribution_tags(submission.attribution)
    if not name and not tags:
        return ""
    return "Source: " + (name or "careers site") + (f" ({tags})" if tags else "")


def referrer_host(attribution: Mapping[str, str]) -> str:
    """The referring site's host, whether the embed stored a host or a whole URL."""
    referrer = (attribution.get("referrer") or "").strip()
    if not referrer:
        return ""
    host = urlsplit(referrer if "//" in referrer else f"//{referrer}").hostname or ""
    return host.removeprefix("www.")


def future_consent_line(submission: Submission) -> str:
    """The consent to keep the application for future openings, where an ATS has no field for
    it; "" when the candidate did not give it (their application is for this opening only)."""
    if not submission.future_consent_text:
        return ""
    return (
        f"Consent to keep for future openings (version {submission.future_consent_version or '-'}, "
        f"given {submission.future_consent_at or '-'}): {submission.future_consent_text}"
    )
