"""Location, summary and skills: the softer fields of a profile."""

from __future__ import annotations

import re

from .found import Found
from .lines import Line, pieces
from .places import CITIES, COUNTRIES, city_of_address, looks_like_place

_LOCATION_LABEL = re.compile(
    r"^(?:location|address|based in|city|lives in|ort|ubicación|adresse|wohnort)\s*[:\-]?\s*(.+)$", re.I
)
_SKILL_SPLIT = re.compile(r"\s*(?:[,;|•·●▪/\t]|\s{3,}|\s+-\s+)\s*")


def find_location(lines: list[Line]) -> Found | None:
    for line in lines[:25]:
        labelled = _LOCATION_LABEL.match(line.text)
        if labelled:
            return Found(labelled.group(1).strip(), line.source, 0.9)
    for postcode_first in (False, True):  # "Chicago, IL 60640" before a street's house number
        for line in lines[:25]:
            city = city_of_address(line.text, postcode_first=postcode_first)
            if city:
                return Found(city, line.source, 0.85)
    for line in _with_wrapped_commas(lines[:25]):
        parts = pieces(line.text)
        for part in parts:
            part = part.strip(" ,")
            if "," in part and looks_like_place(part):
                return Found(part, line.source, 0.8)
            if len(parts) > 1 and part.lower() in CITIES | COUNTRIES.keys():
                return Found(part, line.source, 0.7)
    return None


def _with_wrapped_commas(lines: list[Line]) -> list[Line]:
    """A narrow column wraps "Porto Alegre,\nBrasil": a line ending in a comma continues on the next."""
    joined = []
    for n, line in enumerate(lines):
        if line.text.endswith(",") and n + 1 < len(lines):
            joined.append(Line(f"{line.text} {lines[n + 1].text}", line.bullet))
        joined.append(line)
    return joined


def find_summary(lines: list[Line]) -> Found | None:
    if not lines:
        return None
    text = " ".join(line.text for line in lines)
    text = " ".join(text.split())
    return Found(text[:600], lines[0].source, 0.8) if len(text) > 15 else None


def find_skills(lines: list[Line]) -> Found | None:
    skills: dict[str, None] = {}
    for line in lines:
        text = line.text
        label, colon, rest = text.partition(":")
        if colon and len(label.split()) <= 3:
            text = rest
        for item in _SKILL_SPLIT.split(text):
            label, colon, rest = item.partition(":")
            if colon and len(label.split()) <= 3:
                item = rest
            item = item.strip(" .")
            if item and len(item) <= 40 and len(item.split()) <= 4:
                skills.setdefault(item, None)
    if not skills:
        return None
    return Found(list(skills), lines[0].source, 0.75)
