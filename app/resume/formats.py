"""Decide what kind of document an upload is from its bytes, never its name.

Candidates rename files freely: job boards export HTML as ".doc" and some
".pdf" files are Word documents. This runs inside the web request, so it only
looks at the first bytes and, for containers, at the directory listing.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

# Every format we take, in the order candidates read them, with the file name endings a
# browser's file picker should offer. The form's hint, its `accept` list and the upload errors
# are all made from this one table.
EXTENSIONS = {
    "pdf": (".pdf",),
    "doc": (".doc",),
    "docx": (".docx",),
    "rtf": (".rtf",),
    "odt": (".odt",),
    "txt": (".txt",),
    "html": (".html", ".htm"),
    "mht": (".mht", ".mhtml"),
}
ACCEPTED_FORMATS = frozenset(EXTENSIONS)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "html": "text/html",
    "mht": "multipart/related",
    "rtf": "application/rtf",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
}


def format_names(formats: Iterable[str] = EXTENSIONS) -> str:
    """ "PDF, DOC, DOCX, ..., HTML or MHT": the formats as a sentence, in the table's order."""
    names = [fmt.upper() for fmt in EXTENSIONS if fmt in set(formats)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def accept_attribute() -> str:
    """The file input's `accept` list: every ending and content type of every accepted format."""
    endings = [ending for fmt in EXTENSIONS for ending in EXTENSIONS[fmt]]
    return ",".join(endings + [CONTENT_TYPES[fmt] for fmt in EXTENSIONS])


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta ", b"<div", b"<p>", b"<table")
_BINARY_CONTROL = set(range(0, 9)) | {
    11,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    25,
    26,
    27,
    28,
    29,
    30,
    31,
}


def detect_format(data: bytes) -> str | None:
    """Return one of ACCEPTED_FORMATS, or None when we cannot read this kind of file."""
    if not data:
        return None
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(OLE_MAGIC):
        return _ole_format(data)
    if head.startswith(ZIP_MAGIC):
        return _zip_format(data)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return "rtf"
    return _text_format(head)


def _ole_format(data: bytes) -> str | None:
    """An OLE container is a DOC if it holds a WordDocument stream.

    Password-protected DOCX files are OLE containers too (an EncryptedPackage);
    calling them DOCX lets the runner say "password protected" rather than
    "unsupported".
    """
    if _WORD_STREAM in data:
        return "doc"
    if _ENCRYPTED_PACKAGE in data:
        return "docx"
    return None


def _zip_format(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names and "content.xml" in names:
                info = archive.getinfo("mimetype")
                if info.file_size < 100 and archive.read(info).strip() == _ODT_MIMETYPE:
                    return "odt"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    return None


def _text_format(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _markup_format(head.decode("utf-16", errors="ignore").encode("utf-8"))
    if any(byte in _BINARY_CONTROL for byte in head):
        return None
    return _markup_format(head)


def _markup_format(head: bytes) -> str | None:
    lowered = head.lower().lstrip(b"\xef\xbb\xbf \t\r\n")
    if lowered.startswith(b"mime-version:") or b"content-type: multipart/related" in lowered[:1024]:
        return "mht"
    if lowered.startswith((b"<!doctype html", b"<html")) or any(m in lowered[:1024] for m in _HTML_MARKERS):
        return "html"
    if lowered.startswith(b"{\\rtf"):
        return "rtf"
    return "txt" if _looks_like_text(head) else None


def _looks_like_text(head: bytes) -> bool:
    """Plain text: decodes as UTF-8 (or Windows-1252) and is mostly printable."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:
            text = head[: exc.start].decode("utf-8")
        else:
            text = head.decode("cp1252", errors="replace")
    if not text.strip():
        return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable / len(text) > 0.95
