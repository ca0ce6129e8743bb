"""The candidate's name: usually the first short line of capitalised words."""
from __future__ import annotations

import re

from .found import Found
from .lines import Line, pieces
from .places import looks_like_place
from .sections import heading_of
from .words import is_title

PARTICLES = frozenset({"van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le",
                       "bin", "al", "dos", "das", "do", "y", "ten", "ter", "zu", "e", "st."})
NOT_NAMES = frozenset({"resume", "résumé", "curriculum", "vitae", "cv", "lebenslauf", "page", "contact",
                       "confidential", "references", "personal", "information", "email", "phone"})
_TOKEN = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’\-.])*$")
_LABEL = re.compile(r"^(?:full\s+)?name\s*[:\-]\s*", re.I)


def find_name(lines: list[Line], email: str | None) -> tuple[Found, Found] | None:
    """(first, last) from the first plausible line near the top."""
    for position, line in enumerate(lines[:12]):
        text = _LABEL.sub("", line.text)
        if heading_of(line) or "@" in text:
            continue
        candidate = pieces(text)[0] if pieces(text) else ""
        split = split_name(candidate)
        if split:
            confidence = 0.92 if position < 3 else 0.75
            if email and split[0].lower() in email.lower():
                confidence = min(0.99, confidence + 0.05)
            return Found(split[0], line.source, confidence), Found(split[1], line.source, confidence)
    return None


def split_name(text: str) -> tuple[str, str] | None:
    """First token is the first name; the rest (particles kept, initials dropped) the last name."""
    text = " ".join(text.split())
    if looks_like_place(text):
        return None
    if "," in text:
        last, _, first = text.partition(",")
        flipped = split_name(f"{first.strip()} {last.strip()}") if first.strip() else None
        return flipped if flipped and len(last.split()) <= 2 else None
    tokens = text.split()
    if not 2 <= len(tokens) <= 5 or not all(_TOKEN.match(t) for t in tokens):
        return None
    if any(t.lower().strip(".") in NOT_NAMES for t in tokens) or is_title(text) or looks_like_place(text):
        return None
    if not tokens[0][0].isupper() or not tokens[-1][0].isupper():
        return None
    if any(not t[0].isupper() and t.lower() not in PARTICLES for t in tokens):
        return None
    tokens = [_fix_case(t) if text.isupper() else t for t in tokens]
    rest = [t for t in tokens[1:] if not re.fullmatch(r"[^\W\d_]\.?", t)]
    if not rest:
        return None
    return tokens[0], " ".join(rest)


def _fix_case(token: str) -> str:
    if token.lower() in PARTICLES:
        return token.lower()
    return "-".join(part[:1].upper() + part[1:].lower() for part in token.split("-"))
