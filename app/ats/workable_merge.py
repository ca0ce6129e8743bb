"""A returning applicant in Workable: read, merge, write.

Workable keeps one candidate per email and job (WK-DUP) and refuses a second create on the
job, so a person who applies again is merged into the candidate they are. The seed's
`PATCH /candidates/:id` (S2) replaces every array it is sent and leaves keys not sent alone, so
the merge sends back the candidate's own entries (with their ids) plus ours, and only the keys
that gain something. What the profile cannot take goes to a comment, or is named in a note.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.ats.base import Resume, Submission
from app.ats.workable_payloads import detail_lines

ENTRY_FIELDS = {  # the documented keys of each entry (S2), the `id` keeping it in place
    "education_entries": ("id", "school", "degree", "field_of_study", "start_date", "end_date"),
    "experience_entries": (
        "id",
        "title",
        "summary",
        "company",
        "industry",
        "start_date",
        "end_date",
        "current",
    ),
    "social_profiles": ("type", "name", "username", "url"),
}
SAME_ENTRY = {  # what makes two entries one: one profile per network type (S2)
    "education_entries": ("school", "degree", "field_of_study", "start_date"),
    "experience_entries": ("title", "company", "start_date"),
    "social_profiles": ("type",),
}
PROFILE_TEXT = ("firstname", "lastname", "phone", "address", "headline", "summary")


@dataclass(frozen=True)
class Merge:
    """The PATCH for a returning candidate and what it could not write."""

    changes: dict[str, Any]  # only keys that gain something; keys not sent stay as they are
    kept: tuple[str, ...]  # fields where the profile's own value stays and this application differs
    resume_placed: bool  # our resume filled the profile's empty resume


def merge_candidate(existing: Mapping[str, Any], fresh: Mapping[str, Any]) -> Merge:
    """The candidate's own values and entries, with this application's added: a text field is
    filled only when empty, the cover letter grows, each array is sent back whole (ids kept)."""
    changes: dict[str, Any] = {}
    kept: list[str] = []
    for key in PROFILE_TEXT:
        ours, theirs = fresh.get(key), existing.get(key)
        if not ours:
            continue
        if not theirs:
            changes[key] = ours
        elif _same(ours) != _same(theirs):
            kept.append(key)
    letter = _grown_letter(existing.get("cover_letter"), fresh.get("cover_letter"))
    if letter:
        changes["cover_letter"] = letter
    for key in ENTRY_FIELDS:
        entries, differing = _merged_entries(key, existing.get(key), fresh.get(key))
        if entries is not None:
            changes[key] = entries
        if differing:
            kept.append(key)
    for key in ("skills", "tags"):
        names = _merged_names(existing.get(key), fresh.get(key))
        if names is not None:
            changes[key] = names
    placed = bool(fresh.get("resume")) and not (existing.get("resume_url") or existing.get("resume"))
    if placed:
        changes["resume"] = fresh["resume"]
    return Merge(changes, tuple(kept), placed)


def _same(value: Any) -> str:
    return " ".join(str(value or "").split()).lower()


def _grown_letter(theirs: Any, ours: Any) -> str | None:
    if not ours or _same(ours) in _same(theirs):
        return None
    return f"{theirs}\n\n{ours}" if str(theirs or "").strip() else str(ours)


def _merged_entries(key: str, theirs: Any, ours: Any) -> tuple[list[dict] | None, bool]:
    """(the whole array to send, or None when nothing is added; whether one of ours was left
    out because the profile holds a different one of its kind)."""
    fields, identity = ENTRY_FIELDS[key], SAME_ENTRY[key]
    kept = [{k: e[k] for k in fields if k in e} for e in theirs or [] if isinstance(e, Mapping)]
    seen = {tuple(_same(e.get(k)) for k in identity): e for e in kept}
    added, differing = [], False
    for entry in ours or []:
        same = seen.get(tuple(_same(entry.get(k)) for k in identity))
        if same is None:
            added.append(entry)
            seen[tuple(_same(entry.get(k)) for k in identity)] = entry
        elif key == "social_profiles" and _same(same.get("url")) != _same(entry.get("url")):
            differing = True
    return (kept + added if added else None), differing


def _merged_names(theirs: Any, ours: Any) -> list[str] | None:
    """Skills come back as `[{name}]` (DOC-3P) and go out as strings; tags are strings."""
    names = [str(n.get("name") if isinstance(n, Mapping) else n) for n in theirs or []]
    known = {_same(n) for n in names}
    added = []
    for name in ours or []:
        if _same(name) not in known:
            added.append(name)
            known.add(_same(name))
    return names + added if added else None


def attachment(resume: Resume | None) -> dict | None:
    """A comment's one attachment (WK-COMMENT): where a second resume goes, kept beside the first."""
    if resume is None:
        return None
    return {"name": resume.filename, "data": base64.b64encode(resume.data).decode("ascii")}


def returning_comment(submission: Submission, updated: Sequence[str], kept: Sequence[str]) -> str:
    """For HR on the existing candidate: that the person applied again, and everything of this
    application the profile could not take (answers, values that differ from the profile's)."""
    lines = [
        f"Applied again via careers site (ref {submission.public_id}); the profile was updated "
        f"with: {', '.join(updated) or 'nothing new'}."
    ]
    shown = {
        "phone": submission.phone,
        "address": submission.location,
        "firstname": submission.first_name,
        "lastname": submission.last_name,
        "social_profiles": submission.url,
    }
    for key in kept:
        if shown.get(key):
            lines.append(f"This application's {key} (the profile keeps its own): {shown[key]}")
    lines += detail_lines(submission, submission.answers, "Answers in this application")
    return "\n".join(line for line in lines if line)


def returning_note(
    submission: Submission, candidate_ref: str, merge: Merge, *, commented: bool, attached: bool
) -> str:
    """The admin's note: ids and field names only, never the values."""
    parts = [
        f"Already a candidate on job {submission.job_ref} (Workable candidate {candidate_ref}): "
        f"profile updated with {', '.join(sorted(merge.changes)) or 'nothing new'}"
    ]
    if merge.kept:
        parts.append(f"the profile keeps its own {', '.join(merge.kept)}")
    if commented:
        parts.append(
            "answers and details in a comment" + ("; the new resume attached to it" if attached else "")
        )
    else:
        unsent = ["answers"] if submission.answers else []
        if submission.resume is not None and not merge.resume_placed:
            unsent.append("the new resume (the profile has one)")
        if merge.kept:
            unsent.append("the differing values")
        if unsent:
            parts.append(f"not sent (no Workable member for comments): {', '.join(unsent)}")
    return "; ".join(parts)
