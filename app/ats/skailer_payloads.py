"""Request bodies Skailer receives, the ids read from its answers, and the words HR reads.

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
PER_PAGE = 20  # the documented default page size of every /search endpoint (SK-CON)

NO_ATTACH = "Skailer documents no way to add a CV to an applicant it already holds"


def resume_note(*, linked: bool, unattached_cv: str = "") -> str:
    """What HR is told when a returning applicant's new resume could not go onto their record."""
    if unattached_cv:
        what = f"{NO_ATTACH}: CV {unattached_cv}, uploaded before Skailer named the person, is on no record"
    else:
        what = f"{NO_ATTACH}, so the new resume was not uploaded"
    where = "it is linked in the comment on the candidate" if linked else "it was not sent: download it here"
    return f"{what}; {where}"


def open_jobs_titled(title: str) -> dict:
    """The search asking whether a job is still open: by its title (ASSUMED to match as text)."""
    return {"query": title, "status": "open"} if title else {"status": "open"}


def job_from(item: Mapping[str, Any]) -> Job:
    return Job(
        ref=str(item["id"]),
        title=item.get("title", ""),
        location=item.get("location", "") or "",
        open=is_open(item),
    )


def is_open(item: Mapping[str, Any]) -> bool:
    return item.get("status", "open") == "open"


def is_last_page(body: Mapping[str, Any], on_page: int, seen: int) -> bool:
    """Skailer documents paging (20 a page) but no `total`: a page shorter than the page size,
    or an empty one, is the last. A `total`, where one is given, is believed."""
    if on_page == 0:
        return True
    if body.get("total") is not None:
        return seen >= int(body["total"])
    return on_page < int(body.get("per_page") or PER_PAGE)


def applicant(submission: Submission, cv_ref: str | None, source_id: int) -> dict:
    city, country = split_location(submission.location)
    return {
        "first_name": submission.first_name,
        "last_name": submission.last_name,
        "email": submission.email,
        "phone": submission.phone,
        "linkedin_url": submission.url,
        "city": city,
        "country": country,
        "source_id": source_id,
        "cv_ids": [int(cv_ref)] if cv_ref else [],
    }


def split_location(location: str) -> tuple[str, str]:
    """("London", "UK") from "London, UK"; a single word is taken for the city."""
    city, _, country = (part.strip() for part in location.rpartition(","))
    return (city, country) if city else (country, "")


def duplicate_applicant_id(body: Mapping[str, Any]) -> str | None:
    """The existing applicant's id in a 422 "email already exists" answer, if given."""
    errors = body.get("errors") or {}
    ids = errors.get("applicant_id") if isinstance(errors, Mapping) else None
    return str(ids[0]) if isinstance(ids, list) and ids else None


def names_email(body: Mapping[str, Any]) -> bool:
    errors = body.get("errors") or {}
    return isinstance(errors, Mapping) and "email" in errors


def candidate(job_id: int, applicant_ref: str, pipeline_id: int, stage_id: int, source_id: int) -> dict:
    return {
        "job_id": job_id,
        "applicant_id": int(applicant_ref),
        "pipeline_id": pipeline_id,
        "pipeline_stage_id": stage_id,
        "source_id": source_id,
    }


def source_name(submission: Submission, configured: str, known: Iterable[str]) -> str:
    """The source named by the visit's utm_source when Skailer has one of that name (spelled as
    Skailer spells it), else the job's, else the configured one; the full attribution goes in
    the comment."""
    wanted = (submission.attribution.get("utm_source") or "").strip().lower()
    match = next((name for name in known if wanted and name.lower() == wanted), None)
    return match or submission.source or configured


def source_note(wanted: str, filed_under: str) -> str:
    return f"Skailer has no source named {wanted!r}: the application is filed under {filed_under!r}"


def already_in_ats(applicant_ref: str, candidate_ref: str, job_ref: str) -> str:
    return (
        f"skailer: applicant {applicant_ref} is already candidate {candidate_ref} on job "
        f"{job_ref} in Skailer: nothing more was sent"
    )


def returning_note(applicant_ref: str) -> str:
    return (
        f"Skailer already held this person as applicant {applicant_ref}: they were put on this job "
        "as that applicant, and the details given now are in the comment"
    )


def needs_comment(submission: Submission, done: Mapping[str, str]) -> bool:
    """Whether the application holds anything the applicant and candidate fields do not. The
    consent to process is the same for every application; the one to keep it for future
    openings is the candidate's own choice, which HR must see."""
    return bool(
        submission.cover_letter.strip()
        or submission.answers
        or submission.future_consent_text
        or any(submission.attribution.values())
        or "note:source" in done
        or "note:applicant" in done
        or "note:resume" in done
    )


def comment(submission: Submission, source: str, *, returning: bool, resume_link: str) -> dict:
    """One comment carrying what Skailer has no field for: letter, answers, consent, source, and
    for a person Skailer already held, what they gave this time (contacts, the resume's link)."""
    parts = []
    if returning:
        parts.append(given_now(submission, resume_link))
    elif resume_link:
        parts.append(f"Resume sent with this application: {resume_link}")
    if submission.cover_letter:
        parts.append("Cover letter:\n" + submission.cover_letter)
    if submission.answers:
        parts.append(text.answers_block(submission.answers))
    if submission.consent_text:
        parts.append(
            f"Consent (version {submission.consent_version or '-'}, given "
            f"{submission.consent_at or '-'}):\n{submission.consent_text}"
        )
    if submission.future_consent_text:
        parts.append(text.future_consent_line(submission))
    origin = [f"source: {source}"] if source else []
    origin += [f"{key}: {value}" for key, value in sorted(submission.attribution.items())]
    origin.append(f"application: {submission.public_id}")
    parts.append("Came from the careers site\n" + "\n".join(origin))
    return {"comment": "\n\n".join(parts)}


def given_now(submission: Submission, resume_link: str) -> str:
    """The fields an applicant Skailer already held gave with this application, which no
    applicant field receives since the record is not created again."""
    lines = [
        f"{label}: {value}"
        for label, value in (
            ("Name", f"{submission.first_name} {submission.last_name}".strip()),
            ("Phone", submission.phone),
            ("LinkedIn / website", submission.url),
            ("Location", submission.location),
        )
        if value
    ]
    if submission.resume is not None:
        lines.append(f"Resume: {resume_link or 'kept in the careers site (not sent)'}")
    return "Applied again; details given with this application:\n" + "\n".join(lines)


def source_line(wanted: str, filed_under: str) -> str:
    if not wanted or wanted.lower() == filed_under.lower():
        return filed_under
    return f"{wanted} (not in Skailer's source directory; filed under {filed_under})"


def candidates_search(applicant_ref: str, job_ref: str) -> dict:
    return {"applicant_id": int(applicant_ref), "job_id": int(job_ref), "page": 1}


def matching_applicant(items: Iterable[Mapping[str, Any]], email: str) -> str | None:
    return next((str(i["id"]) for i in items if str(i.get("email", "")).lower() == email.lower()), None)
