"""Jobs in the experience section, each anchored on its date range.

Resumes put title, company and dates in many orders: on one line, over two
or three lines, dates first (table layouts) or last. We anchor every entry on
a date range, take the short non-bullet lines next to it as its header, and
tell title from company by vocabulary, falling back to "title first".
"""

from __future__ import annotations

import re
from typing import Any

from .dates import find_span
from .lines import Line, pieces
from .places import looks_like_place
from .words import company_score, title_score

MAX_HEADER_WORDS = 12
_SUFFIXES = frozenset(
    {
        "inc",
        "ltd",
        "llc",
        "s.a",
        "sa",
        "gmbh",
        "co",
        "lda",
        "ltda",
        "s.l",
        "sl",
        "s.r.l",
        "srl",
        "s.p.a",
        "spa",
        "b.v",
        "bv",
        "ag",
        "ab",
        "sas",
        "sarl",
        "pty ltd",
        "plc",
        "kg",
    }
)
_OPEN_RANGE = re.compile(r"(?:19|20)\d\d\s{0,3}[-–—]$|(?:19|20)\d\d\s{1,3}(?:to|bis|à|a)$", re.I)
_LINK = re.compile(r"(?:https?://|www\.)\S{1,200}", re.I)
_LONE_STOP = re.compile(r"\s+\.(?=\s|$)")
_BRACKETED = re.compile(r"\(([^()]{1,80})\)")
_AT = re.compile(r"\s+(?:at|@|chez|bei|en|for|für|pour|para|per)\s+|\s+:\s+", re.I)


def find_experience(lines: list[Line]) -> list[dict]:
    lines = join_split_ranges(lines)
    anchors = [
        (i, span)
        for i, line in enumerate(lines)
        if (span := find_span(line.text)) and (not line.bullet or _is_job_bullet(span.remainder))
    ]
    entries: list[dict[str, Any]] = []
    used_until = 0
    for number, (index, span) in enumerate(anchors):
        next_anchor = anchors[number + 1][0] if number + 1 < len(anchors) else len(lines)
        before = _header_before(lines, index, used_until)
        header = [text for text in (*[lines[i].text for i in before], span.remainder) if text]
        body_start = index + 1
        if not _has_title_and_company(header):
            after = _header_after(lines, index + 1, next_anchor)
            header += [lines[i].text for i in after]
            body_start = (after[-1] + 1) if after else body_start
        if not after_title(header):
            header += _title_below(lines, body_start, next_anchor)
        if entries and before:
            entries[-1]["_end"] = min(entries[-1]["_end"], before[0])
        title, company = classify(header)
        source = " | ".join(lines[i].source for i in (*before, index))
        entries.append(
            {
                "title": title,
                "company": company,
                "start": span.start,
                "end": span.end,
                "current": span.current,
                "_body": body_start,
                "_end": next_anchor,
                "source": source,
                "confidence": 0.8 if title and company else 0.5,
            }
        )
        used_until = body_start
    for entry in entries:
        body = [line.text for line in lines[entry.pop("_body") : entry.pop("_end")]]
        entry["summary"] = " ".join(" ".join(body).split())[:500] or None
    return entries


def join_split_ranges(lines: list[Line]) -> list[Line]:
    """ "Apr, 2016-" then "present": a date range that a narrow column broke over two lines."""
    joined: list[Line] = []
    for line in lines:
        previous = joined[-1] if joined else None
        if previous and _OPEN_RANGE.search(previous.text) and find_span(previous.text + " " + line.text):
            joined[-1] = Line(f"{previous.text} {line.text}", previous.bullet)
        else:
            joined.append(line)
    return joined


def _is_job_bullet(text: str) -> bool:
    """ "▪ Site Manager, Harbour Construction Ltd, Since 2021": a whole job written as a bullet."""
    parts = _split_commas(text)
    if not 2 <= len(parts) <= 3 or len(text.split()) > MAX_HEADER_WORDS or _is_sentence(text):
        return False
    return any(title_score(part) == 2 for part in parts) and not text.endswith(".")


def _header_before(lines: list[Line], index: int, floor: int) -> list[int]:
    picked: list[int] = []
    for i in range(index - 1, max(floor, index - 3) - 1, -1):
        if not _is_header_line(lines[i]):
            break
        picked.insert(0, i)
    return picked


def _header_after(lines: list[Line], start: int, stop: int) -> list[int]:
    picked = []
    for i in range(start, min(stop, start + 2)):
        if not _is_header_line(lines[i]):
            break
        picked.append(i)
        if _has_title_and_company([lines[j].text for j in picked]):
            break
    return picked


def after_title(header: list[str]) -> str | None:
    """The title the header names by its words, if any."""
    title, _ = classify(header)
    return title if title and title_score(title) > 0 else None


def _title_below(lines: list[Line], start: int, stop: int) -> list[str]:
    """A title written under a line about the company ("DELOITTE ... Feb 2017 - present",
    "Deloitte is one of the Big Four ...", "Executive Assistant - Management Office")."""
    for i in range(start, min(stop, start + 2)):
        line = lines[i]
        if _is_header_line(line) and title_score(line.text) > company_score(line.text):
            return [line.text]
    return []


def _is_header_line(line: Line) -> bool:
    text = line.text
    return (
        not line.bullet
        and len(text.split()) <= MAX_HEADER_WORDS
        and not _is_sentence(text)
        and find_span(text) is None
    )


def _is_sentence(text: str) -> bool:
    """Descriptions end with a full stop; "Acme S.L." or "Nordwind Co." do not count."""
    tokens = text.split()
    if not text.endswith(".") or not tokens or tokens[-1].count(".") > 1 or company_score(tokens[-1]):
        return False
    return len(tokens) >= 6 or (tokens[-1].count(".") == 1 and tokens[-1][:1].islower())


def _has_title_and_company(header: list[str]) -> bool:
    """Both found, and at least one of them by its words: "ORKIN • Atlanta, Georgia" alone
    is a company and a place, so the title is still to come on the next line."""
    title, company = classify(header)
    if not title or not company:
        return False
    return title_score(title) > 0 or company_score(company) > 0


def classify(header: list[str]) -> tuple[str | None, str | None]:
    """(title, company) from header texts; places and remote/hybrid notes are dropped."""
    parts = [p for text in header for part in _AT.split(_bare(text)) for p in _split_commas(part)]
    parts = [p for p in (part.strip(" ()•·|–—") for part in parts) if p and not _not_a_job_part(p)]
    title = next((p for p in parts if title_score(p) > company_score(p)), None)
    company = next((p for p in parts if company_score(p) > title_score(p) and p != title), None)
    rest = [p for p in parts if p not in (title, company)]
    if title is None and rest:
        title = rest.pop(0)
    if company is None and rest:
        company = rest.pop(0)
    return title, company


def _bare(text: str) -> str:
    """Without links and bracketed places: "Analyst for Nordwind (Lyon, France). https://..."."""
    text = _LINK.sub(" ", text)
    text = _BRACKETED.sub(lambda m: " " if "," in m[1] or looks_like_place(m[1]) else m[0], text)
    return _LONE_STOP.sub("", text).strip()


def _not_a_job_part(part: str) -> bool:
    """A place, or contact details that stand next to the first job ("715-839-5419")."""
    digits = sum(ch.isdigit() for ch in part)
    return looks_like_place(part) or "@" in part or digits * 2 > len(part.replace(" ", ""))


def _split_commas(text: str) -> list[str]:
    """Pieces, also split at commas unless a comma only precedes "Inc." and friends."""
    result = []
    for piece in pieces(text):
        parts = [p.strip() for p in piece.split(",")]
        merged: list[str] = []
        for part in parts:
            if merged and (part.lower().rstrip(".") in _SUFFIXES or not part):
                merged[-1] = f"{merged[-1]}, {part}" if part else merged[-1]
            else:
                merged.append(part)
        result += [p for p in merged if p]
    return result
