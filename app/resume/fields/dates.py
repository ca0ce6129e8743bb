"""Date ranges as resumes write them: "Jan 2019 – Present", "03/2018 - 12/2020", "2016–2018"."""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1,
    "january": 1,
    "januar": 1,
    "janvier": 1,
    "enero": 1,
    "ene": 1,
    "janeiro": 1,
    "gennaio": 1,
    "janv": 1,
    "feb": 2,
    "february": 2,
    "februar": 2,
    "février": 2,
    "fév": 2,
    "févr": 2,
    "febrero": 2,
    "fevereiro": 2,
    "fev": 2,
    "mar": 3,
    "march": 3,
    "märz": 3,
    "mars": 3,
    "marzo": 3,
    "março": 3,
    "mär": 3,
    "apr": 4,
    "april": 4,
    "avril": 4,
    "abril": 4,
    "abr": 4,
    "aprile": 4,
    "avr": 4,
    "may": 5,
    "mai": 5,
    "mayo": 5,
    "maio": 5,
    "maggio": 5,
    "jun": 6,
    "june": 6,
    "juni": 6,
    "juin": 6,
    "junio": 6,
    "junho": 6,
    "giugno": 6,
    "jul": 7,
    "july": 7,
    "juli": 7,
    "juillet": 7,
    "juil": 7,
    "julio": 7,
    "julho": 7,
    "luglio": 7,
    "aug": 8,
    "august": 8,
    "août": 8,
    "agosto": 8,
    "ago": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "septembre": 9,
    "septiembre": 9,
    "setembro": 9,
    "settembre": 9,
    "set": 9,
    "oct": 10,
    "october": 10,
    "oktober": 10,
    "octobre": 10,
    "octubre": 10,
    "outubro": 10,
    "ottobre": 10,
    "okt": 10,
    "nov": 11,
    "november": 11,
    "novembre": 11,
    "noviembre": 11,
    "novembro": 11,
    "dec": 12,
    "december": 12,
    "dezember": 12,
    "décembre": 12,
    "déc": 12,
    "diciembre": 12,
    "dic": 12,
    "dezembro": 12,
    "dicembre": 12,
    "dez": 12,
}
PRESENT = (
    r"(?:present|current|now|today|ongoing|heute|aktuell|jetzt|actuel|aujourd['’]hui|à ce jour|en cours"
    r"|presente|actualidad|actual|actualmente|hoy|atual|atualmente|oggi|ad oggi|in corso|heden|nu|obecnie"
    r"|nadal|teraz|idag|nå|nyt)"
)
_MONTH_NAMES = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
DATE = (
    rf"(?:(?:0?[1-9]|[12]\d|3[01])\s*[/.]\s*(?:0?[1-9]|1[0-2])\s*[/.]\s*(?:19|20)\d\d"
    rf"|(?:{_MONTH_NAMES})\.?,?(?:\s+|\s*/\s*)(?:19|20)\d\d|(?:0?[1-9]|1[0-2])\s*[/.]\s*(?:19|20)\d\d"
    rf"|(?:19|20)\d\d\s*[-/.]\s*(?:0[1-9]|1[0-2])(?!\d)|(?:19|20)\d\d)"
)
SHORT_YEAR = rf"(?:{_MONTH_NAMES})\.?\s*['’]?\d\d(?![\d.:])"  # "May 98", "Oct '97": in ranges only
_SEP = r"\s*(?:-|–|—|‒|to|until|till|bis|à|au|a|al|hasta|até|–)\s*"
RANGE = re.compile(
    rf"(?<![\w/])(?P<start>{DATE}|{SHORT_YEAR}){_SEP}(?P<end>{DATE}|{SHORT_YEAR}|{PRESENT})(?![\w/])", re.I
)
SINCE = re.compile(
    rf"(?<!\w)(?:since|seit|depuis|desde|dal|dall['’]|od|från|fra|vanaf|sinds)\s*(?P<start>{DATE})(?![\w/])",
    re.I,
)
SINGLE = re.compile(rf"(?<![\w/])(?P<date>{DATE})(?![\w/])", re.I)
_PARTS = re.compile(rf"(?P<month>{_MONTH_NAMES})|(?P<num>\d+)", re.I)


@dataclass(frozen=True)
class Span:
    start: str | None
    end: str | None
    current: bool
    remainder: str


def find_span(text: str) -> Span | None:
    """The first date range (or "since ...") in a line, with the line minus the dates."""
    match = RANGE.search(text)
    if match:
        end_text = match.group("end")
        current = re.fullmatch(PRESENT, end_text, re.I) is not None
        return Span(
            normalise_date(match.group("start")),
            None if current else normalise_date(end_text),
            current,
            _without(text, match),
        )
    match = SINCE.search(text)
    if match:
        return Span(normalise_date(match.group("start")), None, True, _without(text, match))
    return None


def find_single_date(text: str) -> tuple[str | None, str] | None:
    """A lone date such as a graduation year: (normalised, line without it)."""
    match = SINGLE.search(text)
    if not match:
        return None
    return normalise_date(match.group("date")), _without(text, match)


def normalise_date(text: str) -> str | None:
    """ "Jan 2019" -> "2019-01", "03/2018" -> "2018-03", "2016" -> "2016", "May 98" -> "1998-05"."""
    year = re.search(r"(19|20)\d\d", text)
    if not year:
        return _short_year_date(text)
    month = None
    for part in _PARTS.finditer(text.lower()):
        if part.group("month"):
            month = MONTHS[part.group("month").lower()]
        elif part.group("num") != year.group(0) and len(part.group("num")) <= 2:
            month = int(part.group("num"))
    return f"{year.group(0)}-{month:02d}" if month and 1 <= month <= 12 else year.group(0)


def _short_year_date(text: str) -> str | None:
    """ "May 98" -> "1998-05": a two-digit year from 50 on is of the 1900s."""
    found = re.fullmatch(rf"(?P<month>{_MONTH_NAMES})\.?\s*['’]?(?P<year>\d\d)", text.strip(), re.I)
    if not found:
        return None
    year = int(found.group("year"))
    return f"{1900 + year if year >= 50 else 2000 + year}-{MONTHS[found.group('month').lower()]:02d}"


def _without(text: str, match: re.Match) -> str:
    rest = text[: match.start()] + " " + text[match.end() :]
    rest = re.sub(r"\(\s*\)|\[\s*\]", " ", rest)
    return " ".join(rest.split()).strip(" ,;:|-–—()")
