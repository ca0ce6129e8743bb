"""PDF text in reading order, including two-column resumes.

pdfminer.six finds the lines; we order them ourselves. Sorting lines top to
bottom reads a one-column page correctly and keeps "title ... dates" on one
row; for two-column pages we first find the gutter and read each column of a
band in turn. Skipping pdfminer's own box grouping (boxes_flow=None) makes
this cheaper than its plain extract_text.
"""

from __future__ import annotations

import io
import re

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTFigure, LTImage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser, PDFSyntaxError

from ..errors import EmptyResume, EncryptedResume, ScannedResume, TooManyPages, UnreadableResume
from .columns import order_lines
from .result import Extracted

LAYOUT = LAParams(boxes_flow=None)
_DEEP_NESTING = re.compile(rb"(?:\[\s*){256}|(?:<<\s*){256}")


def extract_pdf(data: bytes, *, max_pages: int = 20) -> Extracted:
    """Text of every page; raises ResumeError subclasses for what we cannot read."""
    document = open_document(data)
    pages = list_pages(document, max_pages)
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=LAYOUT)
    interpreter = PDFPageInterpreter(manager, device)
    texts, images = [], 0
    for page in pages:
        interpreter.process_page(page)
        layout = device.get_result()
        lines, page_images = collect_lines(layout)
        images += page_images
        texts.append("\n".join(order_lines(lines, layout.width)))
    text = "\n\n".join(texts)
    if len(text.strip()) < 20:
        if images:
            raise ScannedResume("no text layer")
        raise EmptyResume("no text")
    return Extracted(text=text, pages=len(pages))


def open_document(data: bytes) -> PDFDocument:
    if _DEEP_NESTING.search(data):
        raise UnreadableResume("objects nested too deeply")
    try:
        return PDFDocument(PDFParser(io.BytesIO(data)))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedResume(str(exc), message_key="encrypted_pdf") from exc
    except PDFSyntaxError as exc:
        raise UnreadableResume(str(exc)) from exc
    except KeyError as exc:
        if "Encrypt" in str(exc) or "Filter" in str(exc):
            raise EncryptedResume(str(exc), message_key="encrypted_pdf") from exc
        raise UnreadableResume(str(exc)) from exc


def list_pages(document: PDFDocument, max_pages: int) -> list[PDFPage]:
    """Walk the page tree only (cheap) so a 500-page file is refused before layout."""
    pages = []
    for page in PDFPage.create_pages(document):
        pages.append(page)
        if len(pages) > max_pages:
            raise TooManyPages(f"more than {max_pages} pages")
    if not pages:
        raise UnreadableResume("no pages")
    return pages


def collect_lines(layout) -> tuple[list[tuple[float, float, float, float, str]], int]:
    """(x0, top, x1, bottom, text) for every text line, plus the number of images."""
    lines, images = [], 0
    height = layout.height
    for item in layout:
        if isinstance(item, LTTextBox):
            for line in item:
                if isinstance(line, LTTextLine):
                    text = line.get_text().strip()
                    if text:
                        lines.append((line.x0, height - line.y1, line.x1, height - line.y0, text))
        elif isinstance(item, (LTFigure, LTImage)):
            images += 1
    return lines, images
