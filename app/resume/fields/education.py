"""Education entries: school, degree, field of study, start and end.

Lines are read in order and grouped: a new entry starts when a school,
degree or date appears that the current entry already has.
"""

from __future__ import annotations

import re

from .dates import find_single_date, find_span
from .lines import Line, pieces
from .places import looks_like_place

SCHOOL = re.compile(
    r"\b(univers\w*|univ\.|college|school|institut\w*|academy|akademie|academia|polytechnic|"
    r"politecnico|politécnica|hochschule|école|ecole|escuela|faculdade|facultad|conservatoire|"
    r"conservatory|lyceum|gymnasium|liceo|mit|eth|epfl|kth|tu|uc|ucla|insead|iit|uni|uniwersytet\w*|"
    r"politechnik\w*|akademia|szkoła|iut|hogeschool|högskola?n?|yliopisto|universidade|fachhochschule)\b",
    re.I,
)
DEGREE = re.compile(
    r"^(?P<degree>(?:bachelor|master|doctor|associate)(?:'?s)?(?:\s+of\s+(?:science|arts|engineering|business"
    r"administration|fine arts|laws|education|technology|philosophy|applied science|commerce))?|"
    r"b\.?\s?sc\.?|m\.?\s?sc\.?|b\.?\s?a\.?|m\.?\s?a\.?|b\.?\s?s\.?|m\.?\s?s\.?|b\.?\s?eng\.?|m\.?\s?eng\.?|"
    r"b\.?\s?tech\.?|m\.?\s?tech\.?|b\.?\s?des\.?|m\.?\s?des\.?|mba|ph\.?\s?d\.?|dphil|llb|llm|jd|md|hnd|"
    r"diploma|diplom(?:-[^\W\d_]+)?|bacharelado|licenciado|licenciada|magister|mgr\.?|licencjat|inżynier|"
    r"licence\s+professionnelle|laurea\s+triennale|bachiller|tecnólogo|técnico\s+superior|"
    r"licenciatura|licence|licenza|laurea(?:\s+magistrale)?|grado|máster|master's|bachelor's|"
    r"abitur|baccalauréat|a-levels|high school diploma|certificate|mestrado|maestría|ingeniero|ingénieur|"
    r"dipl\.-ing\.?)(?:\s*\([^)]*\))?(?=$|[\s,:\-–])"
    r"(?:\s*(?:in|of|en|em|in|of the)\s+|\s*[,:\-–]\s*|\s+)?(?P<field>.*)$",
    re.I,
)
_STUDY_NOISE = re.compile(r"\b(gpa|grade|honou?rs|thesis|cum laude|magna|summa|note)\b", re.I)


CONNECTORS = frozenset(
    {"of", "de", "di", "da", "do", "and", "&", "for", "at", "du", "des", "der", "für", "-", "–", "—", "("}
)


def find_education(lines: list[Line]) -> list[dict]:
    entries: list[dict] = []
    current: dict | None = None
    for line in rejoin_wrapped(lines):
        if line.bullet and current and current["school"]:
            continue
        facts = _facts(line.text)
        if current is not None and len(facts) > 1 and any(current.get(kind) is not None for kind, _ in facts):
            current = None  # "BSc Accounting, University of Kent, 2013 – 2016": a line that is a whole entry
        for kind, value in facts:
            if current is None or current.get(kind) is not None:
                current = _new_entry()
                entries.append(current)
            current[kind] = value
            current["_sources"].append(line.source)
    return [_finish(entry) for entry in entries if entry["school"] or entry["degree"]]


def rejoin_wrapped(lines: list[Line]) -> list[Line]:
    """Narrow sidebars wrap long school names and date ranges; glue the pieces back."""
    merged: list[Line] = []
    for line in lines:
        if merged and not line.bullet and _continues(merged[-1].text, line.text):
            merged[-1] = Line(f"{merged[-1].text} {line.text}", merged[-1].bullet)
        else:
            merged.append(line)
    return merged


def _continues(previous: str, text: str) -> bool:
    last = previous.split()[-1].lower() if previous.split() else ""
    if last in CONNECTORS or previous.endswith(("–", "-", "—", "(")):
        return True
    kinds_before = [kind for kind, _ in _facts(previous)]
    if kinds_before != ["school"]:
        return False
    kinds_now = [kind for kind, _ in _facts(text)]
    short_tail = not kinds_now and len(text.split()) <= 3 and text[:1].isupper()
    return short_tail or kinds_now == ["school"]


def _new_entry() -> dict:
    return {"school": None, "degree": None, "field": None, "dates": None, "_sources": []}


def _facts(text: str) -> list[tuple[str, object]]:
    """(kind, value) pairs a line states, in the order they appear."""
    facts: list[tuple[str, object]] = []
    span = find_span(text)
    if span:
        facts.append(("dates", (span.start, span.end)))
        text = span.remainder
    elif (single := find_single_date(text)) and len(text) < 120:
        facts.append(("dates", (None, single[0])))
        text = single[1]
    for piece in pieces(text):
        for part in _comma_parts(piece):
            degree = DEGREE.match(part)
            if degree and not SCHOOL.search(degree.group("degree")):
                facts.append(
                    ("degree", (_clean_degree(degree.group("degree")), _clean_field(degree.group("field"))))
                )
            elif SCHOOL.search(part) and not _STUDY_NOISE.search(part):
                facts.append(("school", part.strip(" ()")))
    return sorted(facts, key=lambda fact: 0 if fact[0] == "school" else 1) if len(facts) > 1 else facts


def _comma_parts(piece: str) -> list[str]:
    """Split at commas, but keep "University of California, Berkeley" whole."""
    parts = [p.strip() for p in piece.split(",") if p.strip()]
    merged: list[str] = []
    for part in parts:
        if (
            merged
            and SCHOOL.search(merged[-1])
            and not DEGREE.match(part)
            and not SCHOOL.search(part)
            and not looks_like_place(part)
            and len(part.split()) <= 2
            and part[:1].isupper()
        ) or (
            merged
            and DEGREE.match(merged[-1])
            and not SCHOOL.search(part)
            and not DEGREE.match(part)
            and not looks_like_place(part)
        ):
            merged[-1] = f"{merged[-1]}, {part}"
        else:
            merged.append(part)
    return [p for p in merged if not looks_like_place(p)]


def _clean_degree(text: str) -> str:
    return " ".join(text.split()).strip(" ,:-–")


def _clean_field(text: str) -> str | None:
    text = re.split(r"\s*[(;]|\s+[-–—]\s+|,", text)[0]
    text = " ".join(text.split()).strip(" ,:-–")
    return text or None


def _finish(entry: dict) -> dict:
    degree = entry["degree"] or (None, None)
    start, end = entry["dates"] or (None, None)
    return {
        "school": entry["school"],
        "degree": degree[0],
        "field": degree[1],
        "start": start,
        "end": end,
        "source": " | ".join(dict.fromkeys(entry["_sources"])),
        "confidence": 0.8 if entry["school"] and entry["degree"] else 0.55,
    }
