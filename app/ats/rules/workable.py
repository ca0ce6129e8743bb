"""What Workable documents it refuses, so the sandbox refuses exactly the same requests.

The candidate fields and their entry schemas come from the seed page (`PATCH /candidates/:id`),
which the create endpoint shares. Checks return Workable's `validation_errors` shape, a field
name mapped to its messages, empty when the candidate is acceptable. docs/ats/workable.md lists
each rule with its source and the test that proves it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

Errors = dict[str, list[str]]

STRING_FIELDS = (
    "name",
    "firstname",
    "lastname",
    "email",
    "headline",
    "summary",
    "address",
    "phone",
    "cover_letter",
    "resume_url",
    "image_url",
)
TEXTING_CONSENT = ("forced", "declined")
SOCIAL_TYPES = (
    "academiaedu angellist behance bitbucket blogger crunchbase dandyid delicious deviantart digg "
    "doyoubuzz dribble dribbble econsultancy facebook flavorsme flickr fullcontact getglue gist "
    "github goodreads googleplus gravatar hackernews hiim klout lanyrd linkedin myspace ohloh orkut "
    "pinterest quora reddit scribd skype slideshare stackexchange stackoverflow tumblr twitter "
    "typepad vk wordpress xing"
).split()
RESUME_EXTENSIONS = (".pdf", ".doc", ".docx", ".rtf")
MAX_RESUME_BYTES = 20 * 1024 * 1024  # ASSUMED: the API documents no limit; the UI takes 20 MB
COMMENT_POLICIES = ("admin", "recruiting_admin", "hiring_manager", "simple", "reviewer", "recruiter")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def candidate_errors(candidate: Mapping[str, Any], *, creating: bool) -> Errors:
    """Every documented field rule; on create also the name and email requirements."""
    errors: Errors = {}
    if creating:
        if not candidate.get("name") and not (candidate.get("firstname") and candidate.get("lastname")):
            errors["name"] = ["name or firstname and lastname are required"]
        if not candidate.get("email"):
            errors["email"] = ["can't be blank"]
    for key in STRING_FIELDS:
        if candidate.get(key) is not None and not isinstance(candidate[key], str):
            errors.setdefault(key, []).append("must be a string")
    if "texting_consent" in candidate and candidate["texting_consent"] not in TEXTING_CONSENT:
        errors["texting_consent"] = ["must be forced or declined"]
    for key in ("skills", "tags"):
        value = candidate.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            errors[key] = ["must be a list of strings"]
    checks = (
        ("resume", resume_errors),
        ("image", image_errors),
        ("education_entries", education_errors),
        ("experience_entries", experience_errors),
        ("social_profiles", social_profile_errors),
    )
    for key, check in checks:
        if candidate.get(key) is not None:
            found = check(candidate[key])
            if found:
                errors[key] = found
    if candidate.get("image_source") is not None and candidate["image_source"] not in SOCIAL_TYPES:
        errors["image_source"] = ["is not a supported source"]
    return errors


def resume_errors(resume: Any) -> list[str]:
    """`{name, data}`: a .pdf, .doc, .docx or .rtf name and non-empty base64 data."""
    if not isinstance(resume, Mapping) or not resume.get("name") or not resume.get("data"):
        return ["must be an object with name and data"]
    if not str(resume["name"]).lower().endswith(RESUME_EXTENSIONS):
        return ["must be a .pdf, .doc, .docx or .rtf file"]
    data = decoded(resume["data"])
    if not data:
        return ["data must be base64"]
    if len(data) > MAX_RESUME_BYTES:
        return ["is too large"]
    return []


def image_errors(image: Any) -> list[str]:
    if not isinstance(image, Mapping) or not image.get("name") or not decoded(image.get("data")):
        return ["must be an object with name and base64 data"]
    if image.get("source") is not None and image["source"] not in SOCIAL_TYPES:
        return ["source is not a supported source"]
    return []


def education_errors(entries: Any) -> list[str]:
    """school required; degree, field_of_study strings; dates YYYY-MM-DD."""
    return entry_errors(entries, "school", ("degree", "field_of_study"), {})


def experience_errors(entries: Any) -> list[str]:
    """title required; summary, company, industry strings; dates YYYY-MM-DD; current boolean."""
    return entry_errors(entries, "title", ("summary", "company", "industry"), {"current": bool})


def entry_errors(
    entries: Any, required: str, strings: tuple[str, ...], typed: Mapping[str, type]
) -> list[str]:
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        return ["must be a list of objects"]
    errors = []
    for entry in entries:
        if not isinstance(entry.get(required), str) or not entry[required].strip():
            errors.append(f"{required} is required")
        for key in (*strings, "id"):
            if entry.get(key) is not None and not isinstance(entry[key], str):
                errors.append(f"{key} must be a string")
        for key, kind in typed.items():
            if entry.get(key) is not None and not isinstance(entry[key], kind):
                errors.append(f"{key} must be true or false")
        for key in ("start_date", "end_date"):
            if entry.get(key) is not None and not is_date(entry[key]):
                errors.append(f"{key} must be a date in YYYY-MM-DD format")
    return errors


def social_profile_errors(profiles: Any) -> list[str]:
    """type (one of the listed networks) and url required; one profile per type."""
    if not isinstance(profiles, list) or not all(isinstance(p, Mapping) for p in profiles):
        return ["must be a list of objects"]
    errors = []
    for profile in profiles:
        if profile.get("type") not in SOCIAL_TYPES:
            errors.append(f"type {profile.get('type')!r} is not a supported social profile")
        if not isinstance(profile.get("url"), str) or not profile["url"].strip():
            errors.append("url is required")
    kinds = [p.get("type") for p in profiles]
    if len(kinds) != len(set(kinds)):
        errors.append("one profile per type")
    return errors


def answer_errors(item: Mapping[str, Any], question: Mapping[str, Any]) -> list[str]:
    """One answer in the shape its question's type takes: `body` (free text), `choices` (choice
    ids, one when `single_answer`), `checked`, `date` (YYYY-MM-DD), `number`, or `file`
    `{name, data}` within the question's `supported_file_types` and `max_file_size`."""
    key, kind = question["id"], question.get("type", "free_text")
    if kind == "multiple_choice":
        valid = {c["id"] for c in question.get("choices", [])}
        picked = item.get("choices")
        if not isinstance(picked, list) or not picked or not set(picked) <= valid:
            return [f"invalid choices for {key!r}"]
        if question.get("single_answer") and len(picked) > 1:
            return [f"one choice only for {key!r}"]
        return []
    if kind == "boolean":
        return [] if isinstance(item.get("checked"), bool) else [f"checked must be true or false for {key!r}"]
    if kind == "date":
        return [] if is_date(item.get("date")) else [f"date must be YYYY-MM-DD for {key!r}"]
    if kind in ("number", "numeric"):
        number = item.get("number")
        ok = isinstance(number, (int, float)) and not isinstance(number, bool)
        return [] if ok else [f"number must be a number for {key!r}"]
    if kind == "file":
        return file_answer_errors(item.get("file"), question)
    body = item.get("body")
    return [] if isinstance(body, str) and body.strip() else [f"body is required for {key!r}"]


def file_answer_errors(file: Any, question: Mapping[str, Any]) -> list[str]:
    key = question["id"]
    if not isinstance(file, Mapping) or not file.get("name") or not decoded(file.get("data")):
        return [f"file must be an object with name and base64 data for {key!r}"]
    types = [str(t).lower().lstrip(".") for t in question.get("supported_file_types") or []]
    if types and str(file["name"]).lower().rsplit(".", 1)[-1] not in types:
        return [f"file type not supported for {key!r}"]
    limit = question.get("max_file_size")
    if limit and len(decoded(file["data"])) > int(limit):
        return [f"file too large for {key!r}"]
    return []


def comment_errors(body: Mapping[str, Any]) -> Errors:
    """member_id and comment.body required; policy from the documented roles; one attachment."""
    errors: Errors = {}
    if not body.get("member_id"):
        errors["member_id"] = ["is required"]
    comment = body.get("comment")
    if not isinstance(comment, Mapping) or not str(comment.get("body") or "").strip():
        errors["comment"] = ["body is required"]
        return errors
    policy = comment.get("policy")
    if policy is not None and (not isinstance(policy, list) or not set(policy) <= set(COMMENT_POLICIES)):
        errors["policy"] = [f"must be a list of: {', '.join(COMMENT_POLICIES)}"]
    attachment = comment.get("attachment")
    if attachment is not None and (
        not isinstance(attachment, Mapping)
        or not attachment.get("name")
        or not decoded(attachment.get("data"))
    ):
        errors["attachment"] = ["must be one object with name and base64 data"]
    return errors


def decoded(data: Any) -> bytes:
    try:
        return base64.b64decode(data if isinstance(data, str) else "", validate=True)
    except (binascii.Error, ValueError):
        return b""


def is_date(value: Any) -> bool:
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
