"""What the resume parser found, as the plain entries every vendor's payload maps from.

The parser's output (`submission.parsed`) may hold plain values or `{"value": ..., <provenance>}`
wrappers; `plain` removes the wrappers wherever they appear. Entries missing the one key a
vendor cannot do without (a school, a job title) are left out here, once, for every vendor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


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
    """YYYY-MM-DD; the parser gives years or year-months, so pad them."""
    text = str(plain(value) or "").strip()
    match = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2}))?(?:[-/.](\d{1,2}))?", text)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "1", match.group(3) or "1"
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _text(entry: Mapping[str, Any], key: str) -> str | None:
    value = plain(entry.get(key))
    return str(value).strip() or None if value not in (None, "") else None


def education_entries(parsed: Mapping[str, Any]) -> list[dict[str, Any]]:
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


def experience_entries(parsed: Mapping[str, Any]) -> list[dict[str, Any]]:
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
    """Skills once each, whatever their case, spelled as first seen."""
    seen: dict[str, str] = {}
    for item in plain(parsed.get("skills")) or []:
        text = str(item).strip()
        if text and text.lower() not in seen:
            seen[text.lower()] = text
    return list(seen.values())
