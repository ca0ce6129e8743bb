"""What Greenhouse documents it refuses, so the sandbox refuses exactly the same requests.

Each check names the documented rule it enforces; docs/ats/greenhouse.md lists them with their
sources and the tests that prove them. Checks return `(field, message)` pairs, empty when the
request is acceptable, so one request can be refused for every reason at once, as Harvest's 422
body does.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

Errors = list[tuple[str, str]]

# Harvest v1 enumerations (harvest _candidates.md "Noteworthy attributes", _applications.md).
PHONE_TYPES = ("home", "work", "mobile", "skype", "other")
ADDRESS_TYPES = ("home", "work", "other")
EMAIL_TYPES = ("personal", "work", "other")
WEBSITE_TYPES = ("personal", "company", "portfolio", "blog", "other")
APPLICATION_ATTACHMENT_TYPES = (
    "resume",
    "cover_letter",
    "other",
    "take_home_test",
    "offer_letter",
    "signed_offer_letter",
)
CANDIDATE_ATTACHMENT_TYPES = ("resume", "cover_letter", "admin_only")
ATTACHMENT_VISIBILITY = ("public", "private", "admin_only")
NOTE_VISIBILITY = ("admin_only", "private", "public")
REFERRER_TYPES = ("id", "email", "outside")
ATTACHMENT_CONTENT_TYPES = (
    "application/atom+xml",
    "application/javascript",
    "application/json",
    "application/msgpack",
    "application/msword",
    "application/pdf",
    "application/rss+xml",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-powerpoint",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/x-yaml",
    "application/zip",
    "multipart/form-data",
    "image/bmp",
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "text/calendar",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/plain",
    "text/vcard",
    "video/mpeg",
)
MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024  # ASSUMED: the product's upload cap (GH-UPL)

# Job Board (job-board _applications.md "Validations on POST Requests").
BOARD_FILE_TYPES = (".pdf", ".doc", ".docx", ".txt", ".rtf")
BOARD_MAX_LENGTH = 255
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
URL = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(com|net|org|io|co|de|uk|fr)(/\S*)?\b", re.IGNORECASE)
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?")


def one_of(values: Iterable[str]) -> str:
    return "Must be one of: " + ", ".join(values)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_timestamp(value: Any) -> bool:
    return isinstance(value, str) and ISO_TIMESTAMP.fullmatch(value) is not None


# --- Harvest v1 ---------------------------------------------------------------------------


def candidate_errors(body: Mapping[str, Any]) -> Errors:
    """POST /v1/candidates: names, typed contact arrays, employments, educations, tags."""
    errors: Errors = [(f, "is required") for f in ("first_name", "last_name") if not body.get(f)]
    errors += [
        (f, "must be a string")
        for f in ("first_name", "last_name", "company", "title")
        if body.get(f) is not None and not isinstance(body[f], str)
    ]
    if "is_private" in body and not isinstance(body["is_private"], bool):
        errors.append(("is_private", "must be true or false"))
    for key, kinds in (
        ("phone_numbers", PHONE_TYPES),
        ("addresses", ADDRESS_TYPES),
        ("email_addresses", EMAIL_TYPES),
        ("website_addresses", WEBSITE_TYPES),
    ):
        errors += typed_values(key, body.get(key), kinds)
    errors += typed_values("social_media_addresses", body.get("social_media_addresses"), None)
    tags = body.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        errors.append(("tags", "must be an array of strings"))
    for entry in listed(body, "employments", errors):
        errors += employment_errors(entry)
    for entry in listed(body, "educations", errors):
        errors += education_errors(entry)
    for note in listed(body, "activity_feed_notes", errors):
        errors += note_errors(note)
    return errors


def listed(body: Mapping[str, Any], key: str, errors: Errors) -> list[Mapping[str, Any]]:
    """The entries of an array field; a non-array or a non-object entry is itself an error."""
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        errors.append((key, "must be an array of objects"))
        return []
    return value


def typed_values(key: str, items: Any, kinds: tuple[str, ...] | None) -> Errors:
    """`[{value, type}]` arrays: a value, and a type from the documented list."""
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        return [(key, "must be an array of objects")]
    errors: Errors = []
    for item in items:
        if not isinstance(item.get("value"), str) or not item["value"].strip():
            errors.append((f"{key}.value", "is required"))
        if kinds is not None and item.get("type") not in kinds:
            errors.append((f"{key}.type", one_of(kinds)))
    return errors


def employment_errors(entry: Mapping[str, Any]) -> Errors:
    """Add Employment: company_name, title and an ISO-8601 start_date are required."""
    errors: Errors = [
        (f"employments.{f}", "is required")
        for f in ("company_name", "title", "start_date")
        if not entry.get(f)
    ]
    for key in ("start_date", "end_date"):
        if entry.get(key) and not is_timestamp(entry[key]):
            errors.append((f"employments.{key}", "must be an ISO-8601 timestamp"))
    return errors


def education_errors(entry: Mapping[str, Any]) -> Errors:
    """Add Education: ids from the schools/disciplines/degrees lists, never free text;
    a date, or a month (1-12) and year (1900-2100)."""
    allowed = {"school_id", "discipline_id", "degree_id", "start_date", "end_date"}
    allowed |= {"start_month", "start_year", "end_month", "end_year"}
    errors: Errors = [(f"educations.{k}", "is not a parameter") for k in entry if k not in allowed]
    errors += [
        (f"educations.{k}", "must be an integer")
        for k in ("school_id", "discipline_id", "degree_id")
        if k in entry and not is_int(entry[k])
    ]
    for side in ("start", "end"):
        month, year = entry.get(f"{side}_month"), entry.get(f"{side}_year")
        if month is not None and not (is_int(month) and 1 <= month <= 12):
            errors.append((f"educations.{side}_month", "must be between 1-12"))
        if year is not None and not (is_int(year) and 1900 <= year <= 2100):
            errors.append((f"educations.{side}_year", "must be between 1900-2100"))
        if entry.get(f"{side}_date") and not is_timestamp(entry[f"{side}_date"]):
            errors.append((f"educations.{side}_date", "must be an ISO-8601 timestamp"))
    return errors


def note_errors(body: Mapping[str, Any]) -> Errors:
    """Add Note: an integer user_id, a body and a documented visibility."""
    errors: Errors = []
    if not is_int(body.get("user_id")):
        errors.append(("user_id", "is required and must be an integer"))
    if not isinstance(body.get("body"), str) or not body["body"].strip():
        errors.append(("body", "is required"))
    if body.get("visibility") not in NOTE_VISIBILITY:
        errors.append(("visibility", one_of(NOTE_VISIBILITY)))
    return errors


def application_errors(body: Mapping[str, Any], jobs: list[dict], source_ids: set[int]) -> Errors:
    """Add Application (and each element of a candidate's `applications`)."""
    if not is_int(body.get("job_id")):
        return [("job_id", "is required and must be an integer")]
    job = next((j for j in jobs if j["id"] == body["job_id"]), None)
    if job is None:
        return [("job_id", "is not a valid job")]
    errors: Errors = []
    for key in ("source_id", "initial_stage_id", "recruiter_id", "coordinator_id"):
        if key in body and body[key] is not None and not is_int(body[key]):
            errors.append((key, "must be an integer"))
    if is_int(body.get("source_id")) and body["source_id"] not in source_ids:
        errors.append(("source_id", "is not a valid source"))
    stage = body.get("initial_stage_id")
    if is_int(stage) and stage not in {s["id"] for s in job["stages"]}:
        errors.append(("initial_stage_id", "is not a stage of this job"))
    referrer = body.get("referrer")
    if referrer is not None and (
        not isinstance(referrer, Mapping) or referrer.get("type") not in REFERRER_TYPES
    ):
        errors.append(("referrer.type", one_of(REFERRER_TYPES)))
    attachments = body.get("attachments") or []
    if not isinstance(attachments, list):
        return [*errors, ("attachments", "must be an array")]
    for item in attachments:
        errors += attachment_errors(item, APPLICATION_ATTACHMENT_TYPES)
    return errors


def attachment_errors(item: Any, kinds: tuple[str, ...]) -> Errors:
    """Add Attachment: filename, a documented type, base64 `content` with an accepted
    `content_type`, or a `url`."""
    if not isinstance(item, Mapping):
        return [("attachments", "must be an object")]
    errors: Errors = []
    if not item.get("filename"):
        errors.append(("attachments.filename", "is required"))
    if item.get("type") not in kinds:
        errors.append(("attachments.type", one_of(kinds)))
    if item.get("visibility") is not None and item["visibility"] not in ATTACHMENT_VISIBILITY:
        errors.append(("attachments.visibility", one_of(ATTACHMENT_VISIBILITY)))
    if item.get("content") is None:
        if not item.get("url"):
            errors.append(("attachments.content", "content or url is required"))
        return errors
    if item.get("content_type") not in ATTACHMENT_CONTENT_TYPES:
        errors.append(("attachments.content_type", one_of(ATTACHMENT_CONTENT_TYPES)))
    content = decoded(item["content"])
    if not content:
        errors.append(("attachments.content", "must be non-empty base64"))
    elif len(content) > MAX_ATTACHMENT_BYTES:
        errors.append(("attachments.content", "is too large"))
    return errors


def decoded(data: Any) -> bytes:
    """The bytes of a base64 string; empty when it is not one."""
    try:
        return base64.b64decode(data if isinstance(data, str) else "", validate=True)
    except (binascii.Error, ValueError):
        return b""


# --- Job Board ----------------------------------------------------------------------------


def board_errors(
    fields: Mapping[str, list[str]], files: Mapping[str, tuple[str, bytes]], questions: list[dict]
) -> list[str]:
    """The Job Board's documented field, question and attachment validations."""
    errors = [f"{f} is required" for f in ("first_name", "last_name", "email") if not first(fields, f)]
    errors += [
        f"{f} cannot be greater than {BOARD_MAX_LENGTH} characters"
        for f in ("first_name", "last_name", "email")
        if len(first(fields, f)) > BOARD_MAX_LENGTH
    ]
    errors += [
        f"{f} must not contain a URL"
        for f in ("first_name", "last_name", "phone")
        if URL.search(first(fields, f))
    ]
    email = first(fields, "email")
    if email and not EMAIL.fullmatch(email):
        errors.append("email must contain a valid email address")
    errors += [
        f"{name} must be a supported file type ({', '.join(t[1:] for t in BOARD_FILE_TYPES)})"
        for name, (filename, _) in files.items()
        if not filename.lower().endswith(BOARD_FILE_TYPES)
    ]
    errors += [f"{name} must be larger than 0 bytes" for name, (_, data) in files.items() if not data]
    errors += [
        f"{name} must name a supported file type"
        for name in fields
        if name.endswith("_url_filename") and not first(fields, name).lower().endswith(BOARD_FILE_TYPES)
    ]
    errors += question_errors(fields, files, questions)
    return errors


def first(fields: Mapping[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return str(values[0]).strip()


def question_errors(
    fields: Mapping[str, list[str]], files: Mapping[str, tuple[str, bytes]], questions: list[dict]
) -> list[str]:
    """Values must match the type of the post's question; a question the post does not have
    cannot be answered. Required questions are not enforced: Greenhouse says it does not."""
    by_name = {f["name"]: f for q in questions for f in q.get("fields") or []}
    errors = []
    for name in sorted({*fields, *files}):
        base = re.sub(r"_(content|url)(_filename)?$", "", name)
        if not base.startswith("question_"):
            continue
        field = by_name.get(base)
        if field is None:
            errors.append(f"{base} is not a question of this job post")
            continue
        kind = field.get("type")
        if kind == "input_file" and base not in files and not fields.get(f"{base}_url"):
            errors.append(f"{base} must be a file")
        elif kind != "input_file" and (base in files or base != name):
            errors.append(f"{base} must not be a file")
        elif kind in ("multi_value_single_select", "multi_value_multi_select"):
            errors += option_errors(base, fields.get(base) or [], field)
    return errors


def option_errors(name: str, picked: list[str], field: Mapping[str, Any]) -> list[str]:
    allowed = {str(v["value"]) for v in field.get("values") or []}
    if not picked or any(str(p) not in allowed for p in picked):
        return [f"{name} must be one of the question's option values: {', '.join(sorted(allowed))}"]
    if field.get("type") == "multi_value_single_select" and len(picked) > 1:
        return [f"{name} takes one option"]
    return []


def board_employment_errors(entries: list[Mapping[str, Any]]) -> list[str]:
    """company_name, title, start_date and current (true/false); end_date unless current;
    start before end."""
    errors = []
    for entry in entries:
        missing = [f for f in ("company_name", "title", "start_date") if not entry.get(f)]
        errors += [f"employments {f} is required" for f in missing]
        current = str(entry.get("current", "")).lower()
        if current not in ("true", "false"):
            errors.append("employments current must be true or false")
        if current == "false" and not entry.get("end_date"):
            errors.append("employments end_date is required when current is false")
        errors += date_order_errors("employments", entry)
    return errors


def board_education_errors(entries: list[Mapping[str, Any]]) -> list[str]:
    errors = []
    for entry in entries:
        keys = ("school_name_id", "degree_id", "discipline_id", "start_date", "end_date")
        errors += [f"educations {k} is required" for k in keys if not entry.get(k)]
        errors += [
            f"educations {k} must be a valid id"
            for k in keys[:3]
            if entry.get(k) and not str(entry[k]).isdigit()
        ]
        errors += date_order_errors("educations", entry)
    return errors


def demographic_errors(entries: list[Mapping[str, Any]], questions: list[dict] | None) -> list[str]:
    """Each demographic answer names its question; picked options are the question's own, one
    for a single select, free text only on a free-form option. The answers are optional."""
    errors = []
    by_id = {str(q["id"]): q for q in questions or []}
    for entry in entries:
        if not entry.get("question_id"):
            errors.append("demographic_answers question_id is required")
            continue
        question = by_id.get(str(entry["question_id"]))
        if questions is None:
            continue
        if question is None:
            errors.append(f"demographic question {entry['question_id']} is not asked on this job post")
            continue
        errors += demographic_option_errors(entry.get("answer_options") or [], question)
    return errors


def demographic_option_errors(picked: list[Any], question: Mapping[str, Any]) -> list[str]:
    options = {str(o["id"]): o for o in question.get("answer_options") or []}
    errors = []
    for item in picked:
        option = options.get(str(item.get("answer_option_id"))) if isinstance(item, Mapping) else None
        if option is None:
            errors.append(f"demographic question {question['id']} has no such answer option")
        elif item.get("text") and not option.get("free_form"):
            errors.append(f"demographic option {option['id']} takes no free text")
    if question.get("type") == "multi_value_single_select" and len(picked) > 1:
        errors.append(f"demographic question {question['id']} takes one option")
    return errors


# Job Board GDPR answers (job-board _applications.md `data_compliance`, _jobs.md "Data Compliance")
# and EEOC fields (_applications.md JSON example: `gender`, `race`, `veteran_status`,
# `disability_status`; _jobs.md `compliance`).
CONSENT_KEYS = (
    "gdpr_consent_given",
    "gdpr_processing_consent_given",
    "gdpr_retention_consent_given",
    "gdpr_demographic_data_consent_given",
)
TRUTH = {"true": True, "1": True, "false": False, "0": False}
EEOC_FIELDS = ("gender", "race", "hispanic_ethnicity", "veteran_status", "disability_status")


def data_compliance_errors(fields: Mapping[str, list[str]], post_rules: list[dict]) -> list[str]:
    """The answers the post's GDPR rule requires: single-purpose consent (processing,
    retention) where the rule names it, else `gdpr_consent_given`. Each is true or false;
    consent to process the application must be given (refusing false is ASSUMED)."""
    given = {name[16:-1]: first(fields, name) for name in fields if name.startswith("data_compliance[")}
    errors = [f"data_compliance {k} is not a documented consent" for k in given if k not in CONSENT_KEYS]
    errors += [
        f"data_compliance {k} must be true or false" for k, v in given.items() if v.lower() not in TRUTH
    ]
    for rule in post_rules:
        if rule.get("type") != "gdpr":
            continue
        single = rule.get("requires_processing_consent") or rule.get("requires_retention_consent")
        needed = {
            "gdpr_processing_consent_given": bool(rule.get("requires_processing_consent")),
            "gdpr_retention_consent_given": bool(rule.get("requires_retention_consent")),
            "gdpr_consent_given": bool(rule.get("requires_consent")) and not single,
        }
        for key in (k for k, wanted in needed.items() if wanted):
            if key not in given:
                errors.append(f"data_compliance {key} is required by this job post")
            elif key != "gdpr_retention_consent_given" and TRUTH.get(given[key].lower()) is False:
                errors.append(f"data_compliance {key} must be given to apply")
    return errors


def eeoc_errors(fields: Mapping[str, list[str]], compliance: list[dict] | None) -> list[str]:
    """An EEOC field answers one of the post's `compliance` questions with one of its values;
    a post without the question has no such field (the refusal is ASSUMED)."""
    asked = {
        f["name"]: f
        for block in compliance or []
        for question in block.get("questions") or []
        for f in question.get("fields") or []
    }
    errors = []
    for name in sorted({*EEOC_FIELDS, *asked}):
        if name not in fields:
            continue
        if name not in asked:
            errors.append(f"{name} is not a compliance question of this job post")
        else:
            errors += option_errors(name, fields[name], asked[name])
    return errors


def date_order_errors(kind: str, entry: Mapping[str, Any]) -> list[str]:
    start, end = month_of(entry.get("start_date")), month_of(entry.get("end_date"))
    if entry.get("start_date") and start is None or entry.get("end_date") and end is None:
        return [f"{kind} dates must be a month (1-12) and a year"]
    if start and end and start > end:
        return [f"{kind} start_date must be before end_date"]
    return []


def month_of(value: Any) -> datetime | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return datetime(int(value.get("year", "")), int(value.get("month", "")), 1)
    except (TypeError, ValueError):
        return None
