"""The candidate's name: usually the first short line of capitalised words."""

from __future__ import annotations

import re
import unicodedata

from .found import Found
from .lines import Line, pieces
from .places import looks_like_place
from .sections import HEADING_PHRASES, HEADING_TAILS, heading_of
from .words import is_title

PARTICLES = frozenset(
    {
        "van",
        "von",
        "de",
        "da",
        "del",
        "della",
        "der",
        "den",
        "di",
        "du",
        "la",
        "le",
        "bin",
        "al",
        "dos",
        "das",
        "do",
        "y",
        "ten",
        "ter",
        "zu",
        "e",
        "st.",
    }
)
NOT_NAMES = frozenset(
    {
        "resume",
        "résumé",
        "curriculum",
        "vitae",
        "cv",
        "lebenslauf",
        "page",
        "contact",
        "confidential",
        "references",
        "personal",
        "information",
        "email",
        "phone",
    }
)
_TOKEN = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’\-.])*$")
_LABEL = re.compile(r"^(?:full\s+)?name\s*[:\-]\s*", re.I)
_FAMILY_NOTE = re.compile(
    r"(?:family\s+name|surname|last\s+name|nachname|familienname|nom\s+de\s+famille|apellidos?"
    r"|sobrenome|cognome|nazwisko)\s*[:=\-]?\s*([^\W\d_][\w'’\- ]*?)\s*[)\],;]?$",
    re.I,
)


LABELS = frozenset(
    {"mobile", "cell", "tel", "tel.", "telefon", "telephone", "téléphone", "teléfono", "telefone", "handy"}
    | {"fax", "e-mail", "mail", "address", "adresse", "dirección", "endereço", "indirizzo", "website", "web"}
    | {"linkedin", "github", "portfolio", "born", "nationality", "contacts", "kontakt", "contatto"}
)  # a contact label under the name is not the end of a wrapped family name
EMAIL_NAMED_LINES = 40  # lines looked through for the name the email spells

CONNECTORS = frozenset({"and", "or", "of", "the", "for", "with", "und", "et", "&"})
_NICKNAME = re.compile(r"\s*\([^()]{1,30}\)\s*")


def find_name(lines: list[Line], email: str | None) -> tuple[Found, Found] | None:
    """(first, last) from the first plausible line near the top."""
    for position, line in enumerate(lines[:12]):
        text = _LABEL.sub("", line.text)
        if heading_of(line) or text.endswith(","):
            continue  # a line ending in a comma is a wrapped address ("Porto Alegre,"), not a name
        for candidate in _candidates(text, email):
            split = split_name(candidate)
            if not split:
                continue
            split = _wrapped(candidate, lines[position + 1 : position + 2]) or split
            split = _family_name_noted(split, lines[position + 1 : position + 3])
            confidence = 0.92 if position < 3 else 0.75
            if email and split[0].lower() in email.lower():
                confidence = min(0.99, confidence + 0.05)
            return Found(split[0], line.source, confidence), Found(split[1], line.source, confidence)
    return None


def find_name_by_email(lines: list[Line], email: str | None) -> tuple[Found, Found] | None:
    """A line further down (under a sidebar of skills, say) whose first and last names are
    both in the email's local part ("VINCENT TRÉLAT", vincent.trelat@...) is the name."""
    if not email:
        return None
    local = re.sub(r"[^a-z]", "", _folded(email.split("@")[0]))
    for position, line in enumerate(lines[:EMAIL_NAMED_LINES]):
        if heading_of(line):
            continue
        for candidate in _candidates(_LABEL.sub("", line.text), email):
            split = split_name(candidate)
            words = [w for part in split or () for w in re.sub(r"[^a-z ]", "", _folded(part)).split()]
            if split and words and all(len(w) >= 2 and w in local for w in words):
                split = _wrapped(candidate, lines[position + 1 : position + 2]) or split
                return Found(split[0], line.source, 0.95), Found(split[1], line.source, 0.95)
    return None


def _wrapped(candidate: str, following: list[Line]) -> tuple[str, str] | None:
    """ "JOÃO VICTOR" then "LISBOA PORCEL": a two-word name whose family name wrapped onto the
    next line, in the same lettering, as a line of one or two name-like words and nothing more."""
    tokens = candidate.split()
    if len(tokens) != 2 or not following:
        return None
    first_piece = next(iter(pieces(following[0].text)), "")
    more = first_piece.split()
    if not 1 <= len(more) <= 2 or candidate.isupper() != first_piece.isupper():
        return None
    if heading_of(Line(first_piece)):
        return None
    if any(not _TOKEN.match(t) or not t[0].isupper() or t.lower() in NOT_NAMES | LABELS for t in more):
        return None
    if is_title(first_piece) or looks_like_place(first_piece) or first_piece.casefold() in HEADING_PHRASES:
        return None
    return split_name(f"{candidate} {first_piece}")


def _candidates(text: str, email: str | None) -> list[str]:
    """The pieces of a line that may be a name, each cleaned of what sits beside names.

    A name shares its line with contact details ("Jane Doe | jane@x.org"), a nickname in
    brackets ("Qi (Kerith) Chen"), the heading printed after it ("JANE DOE PROFILE") or a
    second person's name ("Jane Doe Peter Miller", a reference or a company owner).
    """
    found = []
    for piece in pieces(text):
        if "@" in piece or any(ch.isdigit() for ch in piece):
            continue
        tokens = _NICKNAME.sub(" ", piece).split()
        tokens = _without_heading(tokens)
        found.append(" ".join(_own_name(tokens, email)))
    return found


def _without_heading(tokens: list[str]) -> list[str]:
    for cut in range(2, len(tokens)):
        if " ".join(tokens[cut:]).casefold() in HEADING_PHRASES:
            return tokens[:cut]
    return tokens


def _own_name(tokens: list[str], email: str | None) -> list[str]:
    """Of four or more words, the first two when the email names them and not the rest."""
    if len(tokens) < 4 or not email:
        return tokens
    local = re.sub(r"[^a-z]", "", _folded(email.split("@")[0]))
    named = [bool(_folded(t).strip(".")) and _folded(t).strip(".") in local for t in tokens]
    if named[0] and named[1] and not any(named[2:]):
        return tokens[:2]
    return tokens


def _folded(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if ch.isascii())


def split_name(text: str) -> tuple[str, str] | None:
    """First token is the first name; the rest (particles kept, initials dropped) the last name."""
    text = " ".join(text.split())
    if looks_like_place(text):
        return None
    if "," in text:
        if text.count(",") > 1:
            return None  # "Python, C, LaTeX, Git" is a list, "Doe, Jane" a name
        last, _, first = (part.strip() for part in text.partition(","))
        if not first or len(last.split()) > 3 or not split_name(f"{first} {last}"):
            return None
        fix = text.isupper() or _is_caps(last)
        return first, " ".join(_fix_case(t) if fix and _is_caps(t) else t for t in last.split())
    tokens = text.split()
    if not 2 <= len(tokens) <= 5 or not all(_TOKEN.match(t) for t in tokens):
        return None
    if any(t.casefold() in CONNECTORS for t in tokens) or text.casefold() in HEADING_TAILS:
        return None  # "And Awards": the wrapped end of a heading, not a person
    if any(t.lower().strip(".") in NOT_NAMES for t in tokens) or is_title(text) or looks_like_place(text):
        return None
    if not tokens[0][0].isupper() or not tokens[-1][0].isupper():
        return None
    if any(not t[0].isupper() and t.lower() not in PARTICLES for t in tokens):
        return None
    family_first = _family_name_first(tokens)
    if family_first:
        return family_first
    tokens = [_fix_case(t) if text.isupper() or (n and _is_caps(t)) else t for n, t in enumerate(tokens)]
    rest = [t for t in tokens[1:] if not re.fullmatch(r"[^\W\d_]\.?", t)]
    if not rest:
        return None
    if len(tokens) == 4 and not any(t.lower() in PARTICLES for t in tokens) and len(rest) == 3:
        return " ".join(tokens[:2]), " ".join(
            tokens[2:]
        )  # "María José García López": two given names, two surnames
    return tokens[0], " ".join(rest)


def _is_caps(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _family_name_first(tokens: list[str]) -> tuple[str, str] | None:
    """ "NGUYEN Thi Lan", "VAN DER MEER Sanne": an upper-case family name written before mixed-case
    given names."""
    leading = 0
    while leading < len(tokens) and _is_caps(tokens[leading]):
        leading += 1
    if not 1 <= leading < len(tokens) or any(_is_caps(t) for t in tokens[leading:]):
        return None
    if leading == 1 and tokens[0].lower() in PARTICLES:
        return None
    return " ".join(tokens[leading:]), " ".join(_fix_case(t) for t in tokens[:leading])


def _family_name_noted(split: tuple[str, str], notes: list[Line]) -> tuple[str, str]:
    """ "Tanaka Hiroshi" followed by "(family name: Tanaka)": trust the note over word order."""
    for line in notes:
        note = _FAMILY_NOTE.search(line.text.strip(" ()[]"))
        if not note:
            continue
        family = " ".join(note.group(1).split()).casefold()
        whole = f"{split[0]} {split[1]}"
        if split[0].casefold() == family:
            return split[1], split[0]
        if whole.casefold().startswith(family + " ") and split[1].casefold() != family:
            return whole[len(family) :].strip(), whole[: len(family)]
        return split
    return split


def _fix_case(token: str) -> str:
    if token.lower() in PARTICLES:
        return token.lower()
    return "-".join(part[:1].upper() + part[1:].lower() for part in token.split("-"))
