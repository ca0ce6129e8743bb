"""Request bodies Skailer receives and the ids read from its answers.

Paths and field names come from the vendor guide; the body shapes are ASSUMED (CONTRACTS §7)
and kept here, in one place, to be corrected once real documentation or a tenant is at hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.ats import text
from app.ats.base import Job, Submission

JOBS_SEARCH = "/api/v1/jobs/search"
PIPELINES = "/api/v1/pipelines/all"
SOURCES = "/api/v1/sources/all"
UPLOAD_CV = "/api/v1/upload-cv-file"
APPLICANT = "/api/v1/applicant"
CANDIDATE = "/api/v1/candidate"
ACTIONS = "/api/v1/candidates/{candidate_id}/actions"
# Not in the guide: lookups following the documented `/search` convention (ASSUMED).
APPLICANTS_SEARCH = "/api/v1/applicants/search"
CANDIDATES_SEARCH = "/api/v1/candidates/search"


def jobs_search(page: int) -> dict:
    return {"page": page}


def job_from(item: Mapping[str, Any]) -> Job:
    return Job(
        ref=str(item["id"]),
        title=item.get("title", ""),
        location=item.get("location", "") or "",
        open=item.get("status", "open") == "open",
    )


def is_last_page(body: Mapping[str, Any], seen: int) -> bool:
    return not body.get("items") or seen >= int(body.get("total", seen))


def applicant(submission: Submission, cv_ref: str | None, source_id: int | None) -> dict:
    city, _, country = (part.strip() for part in submission.location.rpartition(","))
    body: dict[str, Any] = {
        "first_name": submission.first_name,
        "last_name": submission.last_name,
        "email": submission.email,
        "phone": submission.phone,
        "linkedin_url": submission.url,
        "city": city or country,
        "country": country if city else "",
        "cv_ids": [int(cv_ref)] if cv_ref else [],
    }
    if source_id is not None:
        body["source_id"] = source_id
    return body


def duplicate_applicant_id(body: Mapping[str, Any]) -> str | None:
    """The existing applicant's id in a 422 "email already exists" answer, if given."""
    ids = (body.get("errors") or {}).get("applicant_id") or []
    return str(ids[0]) if ids else None


def candidate(
    job_id: int, applicant_ref: str, pipeline_id: int, stage_id: int, source_id: int | None
) -> dict:
    body = {
        "job_id": job_id,
        "applicant_id": int(applicant_ref),
        "pipeline_id": pipeline_id,
        "pipeline_stage_id": stage_id,
    }
    if source_id is not None:
        body["source_id"] = source_id
    return body


def source_name(submission: Submission, configured: str, known: Iterable[str]) -> str:
    """The source named by the visit's utm_source when Skailer has one of that name (spelled as
    Skailer spells it), else the configured one; the full attribution goes in the comment."""
    wanted = (submission.attribution.get("utm_source") or "").strip().lower()
    match = next((name for name in known if wanted and name.lower() == wanted), None)
    return match or submission.source or configured


def needs_comment(submission: Submission, *, source_known: bool) -> bool:
    """Whether the application holds anything the applicant and candidate fields do not."""
    return bool(
        submission.cover_letter.strip()
        or submission.answers
        or any(submission.attribution.values())
        or not source_known
    )


def comment(submission: Submission, source_name: str) -> dict:
    """One comment carrying what Skailer has no field for: letter, answers, consent, source."""
    parts = []
    if submission.cover_letter:
        parts.append("Cover letter:\n" + submission.cover_letter)
    if submission.answers:
        parts.append(text.answers_block(submission.answers))
    if submission.consent_text:
        parts.append(
            f"Consent (version {submission.consent_version or '-'}, given "
            f"{submission.consent_at or '-'}):\n{submission.consent_text}"
        )
    origin = [f"source: {source_name}"] if source_name else []
    origin += [f"{key}: {value}" for key, value in sorted(submission.attribution.items())]
    origin.append(f"application: {submission.public_id}")
    parts.append("Came from the careers site\n" + "\n".join(origin))
    return {"comment": "\n\n".join(parts)}


def applicants_search(email: str) -> dict:
    return {"query": email, "page": 1}


def candidates_search(applicant_ref: str, job_id: int) -> dict:
    return {"applicant_id": int(applicant_ref), "job_id": job_id, "page": 1}


def matching_applicant(items: Iterable[Mapping[str, Any]], email: str) -> str | None:
    return next((str(i["id"]) for i in items if str(i.get("email", "")).lower() == email.lower()), None)
