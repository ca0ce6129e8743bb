"""Email, phone and links: the fields candidates most hate retyping."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from .found import Found
from .lines import Line, pieces
from .places import EMAIL_TLDS, city_of_address, region_of_place

# Every quantifier is bounded by what an address allows (RFC 5321: 64-character local part,
# 63-character labels), so a long line costs a fixed amount of work per character, not per pair.
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}"
    r"(?![A-Za-z])"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'|,;()]+|(?<![\w@./])(?:[a-z]{2,3}\.)?(?:linkedin\.com/in|github\.com)/[^\s<>\"'|,;()]+",
    re.I,
)
_BARE_DOMAIN = re.compile(
    r"(?<![\w@./-])(?:[a-z0-9-]+\.)+(?:com|dev|io|me|net|org|page|site|app|co|eu|info|tech|design|xyz|"
    r"uk|jp|de|fr|es|it|nl|pl|pt|br|ch|at|se|no|dk|fi|be|ca|au|nz|mx|ar|kr|ie|in|ai|cz)"
    r"(?:/[^\s|,;()]*)?(?![\w@])(?!\.\w)",
    re.I,
)
_PHONE_LABEL = re.compile(
    r"\b(phone|tel|mobile|cell|mob|t\.|m\.|tél|telefon|teléfono|móvil|telefone|cellulare|handy)\b", re.I
)
_DIGIT_THEN_LETTER = re.compile(r"(\d)([^\W\d_])")
_BETWEEN_NUMBERS = re.compile(r"\s+/\s+|\s+or\s+|\s+oder\s+|\s+ou\s+|\s+o\s+", re.I)  # "0161 ... / 0161 ..."
_BRACKETED_CODE = re.compile(r"\+\s?\((\d{1,3})\)")  # "+(39) 345 1729 892"
_OTHER_NUMBER = re.compile(
    r"\b(fax|passport|id|ssn|nif|dni|zip|postcode|postal|plz|cap|cep|date of birth|dob|born|geburtsdatum)\b",
    re.I,
)  # a table cell of another field: its number is no phone
MAX_PHONE_LINE = 300  # a number sits on a contact line, never inside a paragraph
_PHONE_LIKE = re.compile(r"(?:\+|00)?\(?\d[\d\s().\-/]{6,18}\d")
_DATES_INSIDE = re.compile(r"(?:19|20)\d\d\s*[-–/.]\s*(?:\d{1,2}[/.])?(?:19|20)\d\d|\d{1,2}/(?:19|20)\d\d")
_URL_TAIL = re.compile(r"^[a-z0-9][A-Za-z0-9\-._~/%?=&#]*$")
_WEB_LABEL = re.compile(r"\b(website|web|portfolio|blog|homepage|site)\b", re.I)
_BRACKET_AT = re.compile(
    r"(?<=[\w.+-])\s*[(\[{<]\s*(?:at|arroba|chez|ät)\s*[)\]}>]\s*(?=[A-Za-z0-9-]+\s*(?:\.|[(\[{<]\s*dot\s*[)\]}>]))",
    re.I,
)
_BRACKET_DOT = re.compile(r"\s*[(\[{<]\s*(?:dot|punto|point|ponto)\s*[)\]}>]\s*", re.I)
_SPACED_AT = re.compile(r"(?<=[\w.+-])\s+@\s*(?=[A-Za-z0-9-]+\.)|(?<=[\w.+-])\s*@\s+(?=[A-Za-z0-9-]+\.)")
_SPELLED = re.compile(
    r"(?<![\w.])([\w+-]{1,64}(?:\s{1,3}dot\s{1,3}[\w+-]{1,64}){0,4})\s{1,3}at\s{1,3}"
    r"([A-Za-z0-9-]{1,63}(?:\s{1,3}dot\s{1,3}[A-Za-z]{2,24}){1,4})\b",
    re.I,
)


def reveal_emails(text: str) -> str:
    """Undo the usual anti-spam spellings: "jane(at)x.de", "jane @ x.de", "jane dot doe at x dot com"."""
    if "@" not in text and not re.search(r"\bat\b|\(at\)|\[at\]|arroba", text, re.I):
        return text
    text = _BRACKET_AT.sub("@", text)
    if "@" in text:
        text = _BRACKET_DOT.sub(".", text)
    text = _SPACED_AT.sub("@", text)
    return _SPELLED.sub(lambda m: re.sub(r"\s+dot\s+", ".", f"{m.group(1)}@{m.group(2)}", flags=re.I), text)


def find_email(lines: list[Line]) -> Found | None:
    for line in lines:
        text = reveal_emails(line.text.replace("mailto:", " "))
        for match in _EMAIL.finditer(text):
            try:
                address = validate_email(match.group(0), check_deliverability=False).normalized
            except EmailNotValidError:
                continue
            return Found(address, line.source, 0.98 if match.group(0) in line.text else 0.9)
    return None


def guess_region(lines: list[Line], email: Found | None) -> str | None:
    """The country a local phone number belongs to: a location line, else the email's domain."""
    for line in lines[:25]:
        city = city_of_address(line.text)
        for part in ([city] if city else []) + pieces(line.text):
            region = region_of_place(part.strip())
            if region and len(part) < 60:
                return region
    if email:
        tld = str(email.value).rsplit(".", 1)[-1].lower()
        return EMAIL_TLDS.get(tld)
    return None


def find_phone(lines: list[Line], region: str | None) -> Found | None:
    """E.164 when the number or the resume tells us the country; as written otherwise."""
    short = [(index, line) for index, line in enumerate(lines) if len(line.text) <= MAX_PHONE_LINE]
    labelled = {index for index, line in short if _PHONE_LABEL.search(line.text)}
    ordered = sorted(short, key=lambda pair: pair[0] not in labelled)  # labelled lines first
    for _, line in ordered:
        text = _BRACKETED_CODE.sub(r"+\1 ", line.text.replace("(0)", ""))
        text = _DIGIT_THEN_LETTER.sub(r"\1 \2", text)  # "408-555-0142Work: ..." from a table row
        for match in phonenumbers.PhoneNumberMatcher(
            text, region or "ZZ", leniency=phonenumbers.Leniency.VALID
        ):
            if _DATES_INSIDE.search(match.raw_string):
                continue
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            return Found(e164, line.source, 0.95)
    for index, line in ordered:
        if index not in labelled and index > 12:
            continue
        for written in (m for part in _phone_pieces(line.text) for m in _PHONE_LIKE.finditer(part)):
            digits = re.sub(r"\D", "", written.group(0))
            if 7 <= len(digits) <= 15 and not _looks_like_years(written.group(0)):
                return Found(" ".join(written.group(0).split()), line.source, 0.5)
    return None


def _phone_pieces(text: str) -> list[str]:
    """The pieces of a line that may hold a phone: a table row's cells are pieces, and a cell
    labelled as another field ("Passport No | 123456789") or after such a label is skipped."""
    parts = pieces(_DIGIT_THEN_LETTER.sub(r"\1 \2", text))
    kept = [
        part
        for n, part in enumerate(parts)
        if not _OTHER_NUMBER.search(part) and not (n and _OTHER_NUMBER.search(parts[n - 1]))
    ]
    return [number for part in kept for number in _BETWEEN_NUMBERS.split(part)]


def _looks_like_years(text: str) -> bool:
    return bool(re.fullmatch(r"\s*(19|20)\d\d\s*[-/–]\s*((19|20)\d\d|\d\d)\s*", text))


def find_urls(lines: list[Line]) -> list[Found]:
    """Every link once, normalised, in order of appearance."""
    found: dict[str, Found] = {}
    for index, line in enumerate(lines):
        text = _EMAIL.sub(" ", reveal_emails(line.text))
        matches = [_with_wrapped_tail(m, text, lines, index) for m in _URL.finditer(text)]
        if index < 15 or _WEB_LABEL.search(text) or matches:
            rest = _URL.sub(" ", text)
            matches += [m.group(0) for m in _BARE_DOMAIN.finditer(rest) if not _shouts_tld(m.group(0))]
        for raw in matches:
            url = normalise_url(raw)
            if url and url not in found:
                found[url] = Found(url, line.source, 0.97)
    return list(found.values())


def _shouts_tld(text: str) -> bool:
    """ "ASP.NET" is a product; a typed link ends in a lower-case top-level domain."""
    return text.split("/")[0].rsplit(".", 1)[-1].isupper()


def _with_wrapped_tail(match: re.Match, text: str, lines: list[Line], index: int) -> str:
    """A link wrapped in a narrow column continues on the next line: rejoin it."""
    url = match.group(0)
    wrapped_path = "/" in re.sub(r"^https?://", "", url)  # a line breaks a link inside its path
    if wrapped_path and match.end() == len(text.rstrip()) and index + 1 < len(lines):
        tail = lines[index + 1].text.strip()
        if _URL_TAIL.match(tail) and "." not in tail and len(tail) < 40:
            return url + tail
    return url


def normalise_url(raw: str) -> str | None:
    """One spelling per link: https, lower-case host, LinkedIn/GitHub profile form."""
    url = raw.strip().rstrip(".,;:)]}>\"'")
    url = re.sub(r"^https?://", "", url, flags=re.I)
    host, _, path = url.partition("/")
    host = host.lower().removeprefix("www.")
    if "." not in host or "@" in host:
        return None
    path = path.split("?")[0].split("#")[0].rstrip("/")
    if host.endswith("linkedin.com"):
        segments = path.split("/")
        if len(segments) >= 2 and segments[0] in ("in", "pub"):
            return f"https://www.linkedin.com/in/{segments[1].lower()}"
        return None
    if host == "github.com":
        user = path.split("/")[0]
        return f"https://github.com/{user}" if user else None
    return f"https://{host}/{path}".rstrip("/")


def split_profiles(urls: list[Found]) -> tuple[Found | None, Found | None, list[Found]]:
    """(LinkedIn, GitHub, the rest)."""
    linkedin = next((u for u in urls if "linkedin.com/" in str(u.value)), None)
    github = next((u for u in urls if str(u.value).startswith("https://github.com/")), None)
    others = [u for u in urls if u is not linkedin and u is not github]
    return linkedin, github, others
