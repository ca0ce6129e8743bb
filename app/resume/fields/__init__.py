"""Structured fields from resume text, each with provenance and confidence.

The output is plain JSON: scalar fields are {"value", "source", "confidence"}
or None; lists of entries carry their own source and confidence.
"""

from __future__ import annotations

from .contacts import find_email, find_phone, find_urls, guess_region, split_profiles
from .education import find_education
from .experience import find_experience
from .found import Found, as_dict
from .lines import Line, to_lines
from .names import find_name, find_name_by_email
from .profile import find_location, find_skills, find_summary
from .sections import split_sections
from .words import is_title

__all__ = ["find_fields"]


MAX_TEXT_CHARS = 100_000  # a dense 20-page resume; the rest is not read for fields
MAX_SECTION_LINES = 150  # of one section read for entries: an academic CV lists hundreds
MAX_SEARCH_LINES = 300  # read for a phone when the top of the resume has none


def find_fields(text: str) -> dict:
    lines = to_lines(text[:MAX_TEXT_CHARS])
    sections = split_sections(lines)
    top = sections["top"] + sections.get("contact", [])
    email = find_email(top) or find_email(lines)
    address = str(email.value) if email else None
    name = (
        find_name_by_email(lines, address)
        or find_name(sections["top"] or lines, address)
        or find_name(lines, address)
    )
    linkedin, github, others = split_profiles(find_urls(lines))
    experience = find_experience(sections.get("experience", [])[:MAX_SECTION_LINES])
    current = next((job for job in experience if job["current"]), experience[0] if experience else None)
    return {
        "first_name": as_dict(name[0]) if name else None,
        "last_name": as_dict(name[1]) if name else None,
        "email": as_dict(email),
        "phone": as_dict(
            find_phone(top, guess_region(lines, email))
            or find_phone(lines[:MAX_SEARCH_LINES], guess_region(lines, email))
        ),
        "linkedin": as_dict(linkedin),
        "github": as_dict(github),
        "urls": [url.to_dict() for url in others],
        "location": as_dict(find_location(top) or find_location(lines)),
        "current_title": _from_job(current, "title") or as_dict(_headline(sections["top"], name)),
        "current_company": _from_job(current, "company"),
        "summary": as_dict(find_summary(sections.get("summary", []))),
        "skills": as_dict(find_skills(sections.get("skills", []))),
        "education": find_education(sections.get("education", [])[:MAX_SECTION_LINES]),
        "experience": experience,
    }


def _from_job(job: dict | None, key: str) -> dict | None:
    if not job or not job.get(key):
        return None
    return {"value": job[key], "source": job["source"], "confidence": job["confidence"]}


def _headline(top: list[Line], name) -> Found | None:
    """A title written under the name ("Senior Data Engineer") when there is no job to take it from."""
    sources = [line.source for line in top]
    start = sources.index(name[0].source) + 1 if name and name[0].source in sources else 0
    for line in top[start : start + 2]:
        if is_title(line.text) and len(line.text.split()) <= 6 and "@" not in line.text:
            return Found(line.text, line.source, 0.6)
    return None
