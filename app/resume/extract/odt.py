"""OpenDocument text (LibreOffice, Google Docs export): content.xml paragraphs."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from ..errors import ResumeTooLarge, UnreadableResume
from .result import Extracted

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
MAX_CONTENT = 20 * 1024 * 1024
MAX_PARAGRAPHS = 5_000  # a 20-page resume has a few hundred


def extract_odt(data: bytes, **_limits) -> Extracted:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("content.xml")
            if info.file_size > MAX_CONTENT:
                raise ResumeTooLarge("content.xml too large")
            root = ElementTree.fromstring(archive.read(info))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError) as exc:
        raise UnreadableResume(str(exc)) from exc
    lines = []
    for element in root.iter():
        if element.tag in (TEXT + "p", TEXT + "h"):
            text = _paragraph_text(element).strip()
            if text:
                lines.append(text)
            if len(lines) >= MAX_PARAGRAPHS:
                break
    return Extracted(text="\n".join(lines))


def _paragraph_text(element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == TEXT + "s":
            parts.append(" " * int(child.get(TEXT + "c", "1")))
        elif child.tag == TEXT + "tab":
            parts.append("\t")
        elif child.tag == TEXT + "line-break":
            parts.append("\n")
        elif child.tag not in (TEXT + "p", TEXT + "h", TEXT + "note"):
            inner = _paragraph_text(child)
            href = child.get(XLINK_HREF) or ""
            parts.append(inner if not href or href.removeprefix("mailto:") in inner else f"{inner} {href}")
        parts.append(child.tail or "")
    return "".join(parts)
