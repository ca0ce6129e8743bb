"""The receipt on an application's page: each field we hold and where it went in the ATS.

Read from the place table (app.ats.places), which a test holds to what the adapters really
send, and from the delivery's checkpoints (which steps ran, so which conditional places were
used) and notes (what the delivery layer did to a field, e.g. a resume sent as a PDF rendition).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.ats import places, text
from app.ats.base import Answer, Submission
from app.ats.payloads import plain
from app.intake.delivery import build_submission
from app.models import Application

SHORT = 60  # characters of a value shown on the receipt


@dataclass(frozen=True)
class Row:
    field: str
    value: str  # ours, shortened
    place: str  # where it went, or why not
    sent: bool


@dataclass(frozen=True)
class Receipt:
    ats: str
    rows: list[Row]
    caveat: str = ""


def receipt_for(
    application: Application, settings: Mapping[str, Any], notes: Mapping[str, str]
) -> Receipt | None:
    """None when no place table is known for the application's target."""
    target = application.delivery.target
    if settings.get("kind", "local") != target:
        settings = {"kind": target}  # delivered to a target since replaced: its default places
    try:
        table = places.table_for(settings)
    except ValueError:
        return None
    submission = submission_of(application)
    checkpoints = dict(application.delivery.checkpoints or {})
    rows = []
    for key, label in places.FIELDS.items():
        value = ours(key, submission)
        if value or not key.startswith("parsed."):  # resume data only where the parser found it
            rows.append(_row(label, value, table.fields[key], submission, checkpoints, notes.get(key)))
    rows += [
        _row(
            f"Answer: {a.label or a.question_ref}",
            _answer_value(a),
            table.answer(a),
            submission,
            checkpoints,
            None,
        )
        for a in submission.answers
    ]
    return Receipt(table.name, rows, table.caveat)


def _row(
    label: str,
    value: str,
    alternatives: places.Places,
    submission: Submission,
    checkpoints: Mapping[str, Any],
    note: str | None,
) -> Row:
    if not value:
        return Row(label, "", "nothing to send", False)
    place, words = alternatives[-1], alternatives[-1].text
    for candidate in alternatives:
        decided = candidate.when.holds(submission, checkpoints)
        if decided is None:
            place, words = candidate, f"{candidate.text} ({candidate.when.label})"
            break
        if decided:
            place, words = candidate, candidate.text
            break
    if note:
        words = f"{words} · {note}"
    return Row(label, _short(value), words, place.sent)


def ours(key: str, submission: Submission) -> str:
    """Our value of a field as HR recognises it."""
    if key == "resume":
        return submission.resume.filename if submission.resume else ""
    if key == "consent":
        given = f"version {submission.consent_version}, {submission.consent_at[:10]}"
        return f"{given}: {submission.consent_text}" if submission.consent_text else ""
    if key == "future_consent":
        given = f"version {submission.future_consent_version}, {submission.future_consent_at[:10]}"
        return f"{given}: {submission.future_consent_text}" if submission.future_consent_text else ""
    if key == "attribution":
        return text.attribution_tags(submission.attribution)
    if key.startswith("parsed."):
        return _parsed(key.removeprefix("parsed."), submission.parsed)
    return str(getattr(submission, key) or "")


def _parsed(name: str, parsed: Mapping[str, Any]) -> str:
    value = plain(parsed.get(name))
    if not isinstance(value, list):
        return str(value or "")
    return "; ".join(filter(None, (_entry(item) for item in value)))


def _entry(item: Any) -> str:
    """An experience or education entry as "title at company", a skill as itself."""
    if not isinstance(item, Mapping):
        return str(item)
    what = item.get("title") or item.get("degree")
    where = item.get("company") or item.get("school")
    return " at ".join(str(part) for part in (what, where) if part)


def _answer_value(answer: Answer) -> str:
    if text.is_file(answer.value):
        return str(answer.value.get("filename") or "file")
    return text.shown(answer.value)


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= SHORT else value[: SHORT - 1] + "…"


def submission_of(application: Application) -> Submission:
    """The submission the adapters are given, without reading the resume's bytes: the places
    depend on its name and type only."""
    return build_submission(application, None)
