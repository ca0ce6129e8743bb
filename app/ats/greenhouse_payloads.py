"""Mapping between our canonical submission and Greenhouse's two APIs (CONTRACTS §6, §8).

Harvest takes structured JSON but no answers and no free-text schools, so what it cannot hold
goes into one activity-feed note. The Job Board API takes a form post with `question_<id>`
fields, answering the post's own questions (`synced_question`) that a job sync puts on our form.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping
from typing import Any

from app.ats import text
from app.ats.base import Job, QuestionKind, Submission, SyncedQuestion
from app.ats.payloads import education_entries, experience_entries, plain, skills

STANDARD_FIELDS = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "resume",
    "resume_text",
    "cover_letter",
    "cover_letter_text",
    "location",
}
# Job Board field types as our form's kinds; hidden fields are not asked at all.
FIELD_KINDS: dict[str, QuestionKind] = {
    "input_text": "short_text",
    "textarea": "long_text",
    "input_file": "file",
    "multi_value_single_select": "single_select",
    "multi_value_multi_select": "multi_select",
}
HIDDEN_FIELD = "input_hidden"


# Harvest ------------------------------------------------------------------------------------
def harvest_job(data: Mapping[str, Any]) -> Job:
    offices = data.get("offices") or []
    departments = data.get("departments") or []
    return Job(
        ref=str(data["id"]),
        title=data.get("name", ""),
        location=offices[0].get("name", "") if offices else "",
        department=departments[0].get("name", "") if departments else "",
        open=data.get("status", "open") == "open",
    )


def attachments(submission: Submission) -> list[dict]:
    resume = submission.resume
    if resume is None:
        return []
    return [
        {
            "filename": resume.filename,
            "type": "resume",
            "content_type": resume.content_type,
            "content": base64.b64encode(resume.data).decode("ascii"),
        }
    ]


def application(submission: Submission, *, source_id: str, stage_id: str) -> dict:
    body: dict[str, Any] = {"job_id": int(submission.job_ref), "attachments": attachments(submission)}
    if source_id:
        body["source_id"] = int(source_id)
    if stage_id:
        body["initial_stage_id"] = int(stage_id)
    return body


def employments(parsed: Mapping[str, Any]) -> list[dict]:
    """Harvest requires company, title and a start date; entries missing one stay in the note."""
    return [
        {
            "company_name": e["company"],
            "title": e["title"],
            "start_date": f"{e['start_date']}T00:00:00.000Z",
            "end_date": f"{e['end_date']}T00:00:00.000Z" if e["end_date"] else None,
        }
        for e in experience_entries(parsed)
        if e["company"] and e["start_date"]
    ]


def candidate(submission: Submission, *, source_id: str, stage_id: str) -> dict:
    parsed = submission.parsed
    experience = experience_entries(parsed)
    body: dict[str, Any] = {
        "first_name": submission.first_name,
        "last_name": submission.last_name,
        "email_addresses": [{"value": submission.email, "type": "personal"}],
        "tags": skills(parsed),
        "employments": employments(parsed),
        "applications": [application(submission, source_id=source_id, stage_id=stage_id)],
    }
    if experience:
        body["title"], body["company"] = experience[0]["title"], experience[0]["company"]
    if submission.phone:
        body["phone_numbers"] = [{"value": submission.phone, "type": "mobile"}]
    if submission.location:
        body["addresses"] = [{"value": submission.location, "type": "home"}]
    if submission.url:
        body["social_media_addresses"] = [{"value": submission.url}]
    return body


def note(submission: Submission) -> str:
    """Everything Harvest has no write field for: answers, cover letter, education, consent."""
    lines = [f"Applied via careers site (ref {submission.public_id})."]
    if submission.source:
        lines.append(f"Source: {submission.source}")
    lines += [f"{key}: {value}" for key, value in sorted(submission.attribution.items())]
    for answer in submission.answers:
        lines.append(f"Q: {answer.label or answer.question_ref}\nA: {text.shown(answer.value)}")
    summary = plain(submission.parsed.get("summary"))
    if summary:
        lines.append(f"Summary: {summary}")
    for entry in education_entries(submission.parsed):
        parts = [entry["degree"], entry["field_of_study"], entry["school"]]
        lines.append("Education: " + ", ".join(p for p in parts if p))
    if submission.cover_letter:
        lines.append(f"Cover letter:\n{submission.cover_letter}")
    if submission.consent_text:
        lines.append(
            f"Consent (v{submission.consent_version or '?'}, {submission.consent_at}): "
            f"{submission.consent_text}"
        )
    if submission.future_consent_text:
        lines.append(text.future_consent_line(submission))
    return "\n\n".join(lines)


# Job Board ----------------------------------------------------------------------------------
def board_job(data: Mapping[str, Any]) -> Job:
    departments = data.get("departments") or []
    return Job(
        ref=str(data["id"]),
        title=data.get("title", ""),
        location=(data.get("location") or {}).get("name", ""),
        department=departments[0].get("name", "") if departments else "",
        description_html=html.unescape(data.get("content") or ""),
    )


def synced_question(question: Mapping[str, Any]) -> SyncedQuestion | None:
    """A job-post question as our form asks it; None for standard fields (our form's own)
    and hidden ones. The ref is the field name the post wants the answer under."""
    fields = question.get("fields") or []
    if not fields or fields[0]["name"] in STANDARD_FIELDS or fields[0].get("type") == HIDDEN_FIELD:
        return None
    first = fields[0]
    return SyncedQuestion(
        ref=str(first["name"]),
        label=str(question.get("label") or first["name"]),
        kind=FIELD_KINDS.get(first.get("type") or "", "short_text"),
        required=bool(question.get("required")),
        options=tuple(str(v.get("label") or v["value"]) for v in first.get("values") or []),
    )


def choice_values(questions: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Field name -> option label (lower case) -> the value the post wants, for every question
    with options: our form stores the label the candidate saw."""
    values: dict[str, dict[str, str]] = {}
    for question in questions:
        for field in question.get("fields") or []:
            options = field.get("values") or []
            if options:
                values[str(field["name"])] = {
                    str(v.get("label") or v["value"]).lower(): str(v["value"]) for v in options
                }
    return values


def field_name(question_ref: str) -> str:
    return question_ref if question_ref.startswith("question_") else f"question_{question_ref}"


def mapped_url_token(submission: Submission, configured: str) -> str:
    """The visit's gh_src, else the `src` token the embed read from the host page, else ours."""
    attribution = submission.attribution
    return attribution.get("gh_src") or attribution.get("src") or configured
