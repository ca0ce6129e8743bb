"""PDF text in reading order, including two-column resumes.

PDFium finds the lines (pdfium_lines.py), about ten times faster than pdfminer's layout
analysis; we order them ourselves. Sorting lines top to bottom reads a one-column page
correctly and keeps "title ... dates" on one row; for two-column pages we first find the
gutter and read each column of a band in turn.

pdfminer.six stays where it is needed: checking that an upload opens (no layout, cheap),
reading a file PDFium refuses to open (pdfminer is more lenient with broken files), and
reading a document whose form drawings draw further forms, which PDFium follows without a
bound while our pdfminer device counts them (a fan-out of forms would otherwise hold the
worker in C code that the time budget cannot interrupt).
"""

from __future__ import annotations

import io
import itertools
import re
import time
from collections.abc import Callable

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTFigure, LTImage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFObjectNotFound, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.pdftypes import PDFObjRef

from ..errors import EmptyResume, EncryptedResume, ScannedResume, UnreadableResume
from .columns import order_lines
from .pdfium_lines import PdfiumUnreadable, count_images, open_pdfium, read_pages
from .pdfium_traps import forms_draw, inflates_hugely, may_nest_forms
from .result import Extracted

LAYOUT = LAParams(boxes_flow=None, all_texts=True)
MAX_OBJECTS = 100_000  # objects checked for reference cycles; the time budget covers the rest
MAX_DRAWINGS = 200  # form XObjects drawn on one page; nesting multiplies them (10 deep x 10 wide)
MAX_PAGE_CHARS = 8_000  # a dense page of small type holds about 5,000
MAX_DOCUMENT_CHARS = 24_000  # about six dense pages: the contact details and current post are
# on the first, so a long academic CV stops taking pages here rather than spend its budget
_BARE_REFERENCE = re.compile(
    rb"(?<!\d)(\d{1,10})\s{1,4}\d{1,5}\s{1,4}obj\s{0,4}(\d{1,10})\s{1,4}\d{1,5}\s{1,4}R\s{0,4}\Z"
)
_OBJECT_END = re.compile(rb"endobj")
WHITESPACE = b" \t\n\r\f\v"
DEEP = 256  # nested arrays or dictionaries no resume needs


def extract_pdf(data: bytes, *, max_pages: int = 20, pages_until: float | None = None) -> Extracted:
    """Text of the first pages, up to max_pages and MAX_DOCUMENT_CHARS and while time.monotonic()
    < pages_until (the first page is always read); raises ResumeError subclasses for what we
    cannot read."""
    refuse_hostile_bytes(data)
    if inflates_hugely(data):
        return extract_with_pdfminer(data, max_pages=max_pages, pages_until=pages_until)
    if may_nest_forms(data):
        opened = open_document(data)
        if forms_draw(opened):
            return extract_with_pdfminer(data, max_pages=max_pages, pages_until=pages_until, document=opened)
    try:
        document = open_pdfium(data)
    except PdfiumUnreadable:
        return extract_with_pdfminer(data, max_pages=max_pages, pages_until=pages_until)
    try:
        texts: list[str] = []
        for lines, width in read_pages(
            document, max_pages=max_pages, max_chars=MAX_PAGE_CHARS, pages_until=pages_until
        ):
            texts.append("\n".join(order_lines(lines, width)))
            if sum(map(len, texts)) >= MAX_DOCUMENT_CHARS:
                break
        return checked("\n\n".join(texts), len(texts), lambda: count_images(document, len(texts)))
    finally:
        document.close()


def checked(text: str, pages: int, images: Callable[[], int]) -> Extracted:
    """The text, or why there is none: a page of images is a scan, anything else is empty."""
    if len(text.strip()) < 20:
        if images():
            raise ScannedResume("no text layer")
        raise EmptyResume("no text")
    return Extracted(text=text, pages=pages)


def extract_with_pdfminer(
    data: bytes, *, max_pages: int, pages_until: float | None, document: PDFDocument | None = None
) -> Extracted:
    """The same reading with pdfminer's layout analysis, bounded in characters and drawings."""
    document = document or open_document(data)
    pages = list_pages(document, max_pages)
    manager = PDFResourceManager(caching=True)
    device = BoundedAggregator(manager, laparams=LAYOUT)
    interpreter = BoundedInterpreter(manager, device)
    texts: list[str] = []
    images = 0
    for page in pages:
        if texts and pages_until is not None and time.monotonic() > pages_until:
            break
        interpreter.process_page(page)
        layout = device.get_result()
        lines, page_images = collect_lines(layout)
        images += page_images
        texts.append("\n".join(order_lines(lines, layout.width)))
        if sum(map(len, texts)) >= MAX_DOCUMENT_CHARS:
            break
    return checked("\n\n".join(texts), len(texts), lambda: images)


class BoundedAggregator(PDFPageAggregator):
    """Lays out at most MAX_PAGE_CHARS characters and MAX_DRAWINGS form drawings per page.

    What a page draws beyond that is skipped, not refused: the first lines of a resume are
    the ones autofill needs, and a page that draws a million characters is not prose.
    """

    drawings = 0
    chars = 0

    def begin_page(self, page, ctm) -> None:
        self.drawings = self.chars = 0
        super().begin_page(page, ctm)

    def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate) -> float:
        self.chars += 1
        if self.chars > MAX_PAGE_CHARS:
            return 0.0
        return super().render_char(matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate)


class BoundedInterpreter(PDFPageInterpreter):
    """Counts form XObject drawings on the shared device (nested interpreters are new objects)."""

    device: BoundedAggregator

    def do_Do(self, xobjid_arg) -> None:
        self.device.drawings += 1
        if self.device.drawings <= MAX_DRAWINGS:
            super().do_Do(xobjid_arg)


def refuse_hostile_bytes(data: bytes) -> None:
    """What the raw bytes show to be a trap for either reader: deep nesting, reference cycles."""
    packed = data.translate(None, WHITESPACE)
    if b"[" * DEEP in packed or b"<<" * DEEP in packed:
        raise UnreadableResume("objects nested too deeply")
    refuse_cycles(_written_references(data))


def open_document(data: bytes) -> PDFDocument:
    refuse_hostile_bytes(data)
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        refuse_reference_cycles(document)
        return document
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedResume(str(exc), message_key="encrypted_pdf") from exc
    except PDFSyntaxError as exc:
        raise UnreadableResume(str(exc)) from exc
    except KeyError as exc:
        if "Encrypt" in str(exc) or "Filter" in str(exc):
            raise EncryptedResume(str(exc), message_key="encrypted_pdf") from exc
        raise UnreadableResume(str(exc)) from exc


def _written_references(data: bytes) -> dict[int, int]:
    """Objects written as nothing but a reference ("5 0 obj 4 0 R endobj"), found in the bytes:
    a stream's /Length may point into such a chain, and reading the stream would never end."""
    found = {}
    for end in _OBJECT_END.finditer(data):
        bare = _BARE_REFERENCE.search(data, max(0, end.start() - 64), end.start())
        if bare:
            found[int(bare[1])] = int(bare[2])
    return found


def refuse_cycles(references: dict[int, int]) -> None:
    """A chain of bare references that comes back on itself sends pdfminer's resolve1 round for
    ever. Each object is followed once: a chain stops at an object already cleared."""
    settled: set[int] = set()
    for start in references:
        chain: set[int] = set()
        objid: int | None = start
        while objid is not None and objid not in settled:
            if objid in chain:
                raise UnreadableResume("reference cycle")
            chain.add(objid)
            objid = references.get(objid)
        settled |= chain


def refuse_reference_cycles(document: PDFDocument) -> None:
    """The same check over the objects as pdfminer reads them (object streams included)."""
    objids = [objid for xref in document.xrefs for objid in xref.get_objids()][:MAX_OBJECTS]
    references = {objid: target for objid in objids if (target := _referenced(document, objid)) is not None}
    refuse_cycles(references)


def _referenced(document: PDFDocument, objid: int) -> int | None:
    """The object id a bare reference points to; None for anything else or a missing object."""
    try:
        value = document.getobj(objid)
    except (PDFObjectNotFound, PDFSyntaxError, KeyError, ValueError, TypeError):
        return None
    return value.objid if isinstance(value, PDFObjRef) else None


def check_pdf(data: bytes) -> None:
    """Opens, and has a first page: what storing a PDF as a resume needs (no layout, so cheap)."""
    document = open_document(data)
    if next(iter(PDFPage.create_pages(document)), None) is None:
        raise UnreadableResume("no pages")


def list_pages(document: PDFDocument, max_pages: int) -> list[PDFPage]:
    """The first max_pages pages: a long academic CV holds its contact details and current post
    on its first pages, so the rest is left unread rather than the whole file refused."""
    pages = list(itertools.islice(PDFPage.create_pages(document), max_pages))
    if not pages:
        raise UnreadableResume("no pages")
    return pages


def collect_lines(layout) -> tuple[list[tuple[float, float, float, float, str]], int]:
    """(x0, top, x1, bottom, text) for every text line, plus the number of images.

    Some generators draw the whole page as a form XObject (a figure): its text is laid out
    too (LAParams.all_texts), so such a page is read, not taken for a scan.
    """
    lines: list[tuple[float, float, float, float, str]] = []
    images = 0
    height = layout.height
    stack = list(layout)
    while stack:
        item = stack.pop(0)
        if isinstance(item, LTTextBox):
            for line in item:
                if isinstance(line, LTTextLine):
                    text = line.get_text().strip()
                    if text:
                        lines.append((line.x0, height - line.y1, line.x1, height - line.y0, text))
        elif isinstance(item, LTFigure):
            stack[:0] = list(item)
        elif isinstance(item, LTImage):
            images += 1
    return lines, images
