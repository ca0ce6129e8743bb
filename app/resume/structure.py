"""Is an upload a document of the kind it claims to be? Cheap checks on the bytes alone.

detect_format says which reader to try; these checks say whether what was sent can be a
resume at all: a PDF header with nothing behind it, one byte, a web page or a script named
".pdf", or a PDF that starts as a web page (a polyglot) are refused with a reason the
candidate can act on. Each check reads a bounded part of the file, so this is safe in the
web request; whether the document really opens is checked in the parse pool (runner).
"""

from __future__ import annotations

import re

MIN_BYTES = 64  # the smallest real PDF or Word file is several hundred bytes
MIN_TEXT_CHARS = 20
PDF_TAIL = 4096  # startxref sits in the last kilobyte; some writers append a little junk
SCAN_BYTES = 1024 * 1024

KIND_NAMES = {
    "pdf": "PDF",
    "docx": "Word (DOCX)",
    "doc": "Word (DOC)",
    "odt": "OpenDocument",
    "rtf": "RTF",
    "html": "web page",
    "mht": "web archive",
    "txt": "text",
}
# What a file's name may say for what its bytes are. Word and PDF files are renamed between
# each other, and job boards export web pages as ".doc"; a page or a script is never a ".pdf".
DOCUMENTS = frozenset({"pdf", "docx", "doc", "odt", "rtf"})
NAMED = {
    "pdf": DOCUMENTS,
    "doc": DOCUMENTS | {"html", "mht", "txt"},
    "docx": DOCUMENTS,
    "odt": DOCUMENTS,
    "rtf": DOCUMENTS | {"txt"},
    "htm": {"html", "mht", "txt"},
    "html": {"html", "mht", "txt"},
    "mht": {"html", "mht"},
    "mhtml": {"html", "mht"},
    "txt": {"txt", "rtf"},
}
_ACTIVE_CONTENT = re.compile(
    rb"<\s*(?:script|svg|iframe|object|embed)\b|javascript\s*:|<\?xml-stylesheet", re.I
)
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|div|img)\b", re.I)


class NotADocument(ValueError):
    """The upload cannot be a resume; the message says why, in the candidate's words."""


def check_structure(data: bytes, fmt: str, filename: str) -> None:
    """Raise NotADocument unless these bytes can be a `fmt` document named `filename`."""
    if len(data) < MIN_BYTES:
        raise NotADocument(f"This file is too small to be a resume ({len(data)} bytes).")
    _check_name(fmt, filename)
    if fmt == "pdf":
        _check_pdf(data)
    elif fmt in ("html", "mht", "txt"):
        _check_text(data)


def _check_name(fmt: str, filename: str) -> None:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    allowed = NAMED.get(extension)
    if allowed is not None and fmt not in allowed:
        raise NotADocument(
            f"This file is named .{extension} but it is a {KIND_NAMES[fmt]} file, not a "
            f"{KIND_NAMES.get(extension, extension.upper())} document."
        )


def _check_pdf(data: bytes) -> None:
    header = data.find(b"%PDF-", 0, 1024)
    first_object = data.find(b" obj", header, header + 64 * 1024)
    if _MARKUP.search(data, 0, first_object if first_object > 0 else 1024):
        raise NotADocument("This PDF also holds web page code, so we cannot accept it.")
    if b"startxref" not in data[-PDF_TAIL:]:
        raise NotADocument(
            "This PDF is incomplete: its end is missing (it may not have finished downloading)."
        )
    if first_object < 0:
        raise NotADocument("This PDF has no content.")


def _check_text(data: bytes) -> None:
    head = data[:SCAN_BYTES]
    if _ACTIVE_CONTENT.search(head):
        raise NotADocument("This file holds scripts or web page code, so we cannot accept it.")
    if len(re.findall(rb"[^\s\x00]", head[:4096])) < MIN_TEXT_CHARS:
        raise NotADocument("This file holds almost no text.")
