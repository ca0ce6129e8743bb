"""DOCX text: body, tables (nested), text boxes, headers, footers, link targets.

A resume's email often sits in a header or a text box, and layouts are often
tables; python-docx's ``paragraphs`` sees none of that, so we walk every
paragraph element of each part in document order.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError

from ..errors import EncryptedResume, ResumeTooLarge, UnreadableResume
from ..formats import OLE_MAGIC
from .result import Extracted

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MAX_MEMBERS = 1000
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 150
PICTURES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif")
MAX_PARAGRAPHS = 5_000  # per part; a 20-page resume has a few hundred
_HYPERLINK_FIELD = re.compile(r'HYPERLINK\s+"([^"]+)"')
_PAGES = re.compile(rb"<Pages>(\d+)</Pages>")
_BACKSLASHED_TARGET = re.compile(rb'Target="[^"]{0,500}"')


def check_docx(data: bytes, *, max_pages: int = 20) -> int | None:
    """Refuse zip bombs and encrypted packages before anything decompresses.

    Returns the page count Word saved in docProps/app.xml, when present.
    """
    if data.startswith(OLE_MAGIC):
        raise EncryptedResume("encrypted OOXML package")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ResumeTooLarge(f"{len(members)} members")
            declared = sum(member.file_size for member in members)
            packed = sum(member.compress_size for member in members) or 1
            if declared > MAX_UNCOMPRESSED or (declared > 10 * 1024 * 1024 and declared / packed > MAX_RATIO):
                raise ResumeTooLarge(f"declares {declared} bytes")
            if any(member.flag_bits & 0x1 for member in members):
                raise EncryptedResume("encrypted zip members")
            pages = _saved_page_count(archive)
    except zipfile.BadZipFile as exc:
        raise UnreadableResume(str(exc)) from exc
    return pages  # a long CV is read, not refused: MAX_PARAGRAPHS bounds the work


def docx_pictures(data: bytes) -> list[bytes]:
    """The pictures a DOCX holds (word/media), for OCR when it has no text: some people save a
    scan as a Word file. Sizes are bounded by check_docx, which the caller has run."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            archive.read(member)
            for member in archive.infolist()
            if member.filename.startswith("word/media/") and member.filename.lower().endswith(PICTURES)
        ]


def _open(data: bytes):
    """The python-docx document; KeyError (a part named but not in the archive) is the caller's."""
    try:
        return docx.Document(io.BytesIO(data))
    except KeyError:
        raise
    except (PackageNotFoundError, ValueError, zipfile.BadZipFile) as exc:
        raise UnreadableResume(str(exc)) from exc


def with_forward_slashes(data: bytes) -> bytes:
    """The package with its relationship targets written with "/": some Windows tools write
    "media\\image1.jpg", which names no member of the archive, and python-docx gives up on
    the whole document for one missing picture."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as archive,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as fixed,
    ):
        for member in archive.infolist():
            body = archive.read(member)
            if member.filename.endswith(".rels"):
                body = _BACKSLASHED_TARGET.sub(lambda m: m[0].replace(b"\\", b"/"), body)
            fixed.writestr(member.filename, body)
    try:
        return out.getvalue()
    finally:
        out.close()


def _saved_page_count(archive: zipfile.ZipFile) -> int | None:
    try:
        info = archive.getinfo("docProps/app.xml")
    except KeyError:
        return None
    match = _PAGES.search(archive.read(info)) if info.file_size < 100_000 else None
    return int(match.group(1)) if match else None


def extract_docx(data: bytes, *, max_pages: int = 20) -> Extracted:
    pages = check_docx(data, max_pages=max_pages)
    try:
        document = _open(data)
    except KeyError:
        try:
            document = _open(with_forward_slashes(data))  # checked above: sizes are bounded
        except KeyError as exc:
            raise UnreadableResume(str(exc)) from exc
    main = document.part
    related = [
        rel.target_part
        for rel in main.rels.values()
        if not rel.is_external and rel.reltype in (RT.HEADER, RT.FOOTER)
    ]
    headers = _unique(line for part in related if "header" in part.partname for line in part_lines(part))
    footers = _unique(line for part in related if "footer" in part.partname for line in part_lines(part))
    return Extracted(text="\n".join(headers + part_lines(main) + footers), pages=pages)


def part_lines(part) -> list[str]:
    """One line per paragraph of a part (text boxes included), with link targets."""
    links = {rel_id: rel.target_ref for rel_id, rel in part.rels.items() if rel.is_external}
    lines: list[str] = []
    _walk(part.element, links, lines)
    return lines


def _walk(root, links: dict[str, str], lines: list[str]) -> None:
    stack = [root]
    while stack and len(lines) < MAX_PARAGRAPHS:
        element = stack.pop()
        if element.tag == MC_FALLBACK:
            continue
        if element.tag == W + "p":
            text, boxes = paragraph_text(element, links)
            if text.strip():
                lines.append(("• " if _is_list_item(element) else "") + text.strip())
            for box in boxes:
                _walk(box, links, lines)
            continue
        stack.extend(reversed(list(element)))


def _is_list_item(paragraph) -> bool:
    """Word draws list bullets from numbering, not text; say so, it separates entries."""
    properties = paragraph.find(W + "pPr")
    if properties is None:
        return False
    style = properties.find(W + "pStyle")
    return properties.find(W + "numPr") is not None or (
        style is not None and style.get(W + "val", "").lower().startswith("list")
    )


def paragraph_text(paragraph, links: dict[str, str]) -> tuple[str, list]:
    """The paragraph's own text and the text boxes anchored in it (read after it)."""
    parts, targets, boxes = [], [], []
    stack = [paragraph]
    while stack:
        node = stack.pop()
        tag = node.tag
        if tag == W + "txbxContent":
            boxes.append(node)
            continue
        if tag == MC_FALLBACK:
            continue
        if tag == W + "t":
            parts.append(node.text or "")
        elif tag == W + "tab":
            parts.append("\t")
        elif tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
        elif tag == W + "hyperlink" and node.get(R_ID) in links:
            targets.append(links[node.get(R_ID)])
        elif tag == W + "instrText":
            targets += _HYPERLINK_FIELD.findall(node.text or "")
        stack.extend(reversed(list(node)))
    text = "".join(parts)
    extra = [t for t in targets if t.removeprefix("mailto:") not in text]
    return (" ".join([text, *extra]) if extra else text), boxes


def _unique(lines) -> list[str]:
    """Word repeats headers per section and for the first page; keep each line once."""
    return list(dict.fromkeys(lines))
