"""Positioned text lines of PDF pages, read by PDFium.

PDFium groups a page's characters into rectangles of text on one baseline (its text
"rects"); each rectangle is what pdfminer's layout analysis calls a line, found in C and an
order of magnitude faster. One call per rectangle gives its box and one its text, so the cost
in Python grows with the number of lines, not of characters. Ordering the lines (columns,
rows) is left to columns.order_lines, as for the pdfminer reading.

PDFium's C code cannot be interrupted by the worker's time budget, so a document whose
form drawings nest (which PDFium follows without a bound of its own) never comes here:
pdf.py reads those with pdfminer, whose drawing count is bounded.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import EncryptedResume, UnreadableResume
from .columns import Line

WORD_GAP = 0.2  # of the line's height: a wider gap between two glyphs is a space
DIGITS_GAP = 0.4  # between two digits, whose glyphs ("1") stand apart in their fixed widths


class PdfiumUnreadable(Exception):
    """PDFium could not open the file; pdfminer, more lenient with broken files, may."""


def open_pdfium(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedResume(str(exc), message_key="encrypted_pdf") from exc
        raise PdfiumUnreadable(str(exc)) from exc


def read_pages(
    document: pdfium.PdfDocument, *, max_pages: int, max_chars: int, pages_until: float | None
) -> Iterator[tuple[list[Line], float]]:
    """(lines, page width) for the first pages, up to max_pages and while time.monotonic() is
    before pages_until; the first page is always read."""
    count = min(len(document), max_pages)
    if count == 0:
        raise UnreadableResume("no pages")
    for index in range(count):
        if index and pages_until is not None and time.monotonic() > pages_until:
            return
        try:
            page = document[index]
        except pdfium.PdfiumError as exc:
            raise UnreadableResume(str(exc)) from exc
        try:
            yield page_lines(page, max_chars), page.get_width()
        finally:
            page.close()


def page_lines(page: pdfium.PdfPage, max_chars: int) -> list[Line]:
    """(x0, top, x1, bottom, text) of each run of text on one baseline, top measured from the
    page's top; at most max_chars characters are read (the first are the ones autofill needs).

    PDFium's text order ends each of its lines with a line break; a line is cut further where
    two characters stand further apart than the line is high, as pdfminer cuts its lines, so
    the two columns of a row stay two lines for columns.order_lines to place. A narrower gap
    is a space when PDFium wrote none (words placed one by one, without space characters).
    """
    textpage = page.get_textpage()
    try:
        count = min(textpage.count_chars(), max_chars)
        return group_chars(char_codes(textpage, count), char_boxes(textpage, count), page.get_height())
    finally:
        textpage.close()


def char_codes(textpage: pdfium.PdfTextPage, count: int) -> str:
    """The page's first `count` characters, one per character index."""
    text = textpage.get_text_range(0, count)
    if len(text) == count:
        return text
    raw = textpage.raw
    return "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, index) or 0xFFFE) for index in range(count))


def char_boxes(textpage: pdfium.PdfTextPage, count: int) -> list[tuple[float, float, float, float]]:
    """Each character's box (left, top, right, bottom in PDF space, y up): left and right of
    the glyph itself, top and bottom from the font's ascent and descent, so that the
    characters of a line share one height. (The font's box is no measure of the width: a font
    without widths gives every glyph the same.)"""
    raw = textpage.raw
    rect = pdfium_c.FS_RECTF()
    loose = ctypes.byref(rect)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    tight = [ctypes.byref(value) for value in (left, right, bottom, top)]
    boxes = []
    for index in range(count):
        pdfium_c.FPDFText_GetLooseCharBox(raw, index, loose)
        pdfium_c.FPDFText_GetCharBox(raw, index, *tight)
        boxes.append((left.value, rect.top, right.value, rect.bottom))
    return boxes


def group_chars(text: str, boxes: list[tuple[float, float, float, float]], height: float) -> list[Line]:
    lines: list[Line] = []
    chars: list[str] = []
    x0 = x1 = top = bottom = 0.0
    space = False

    def close() -> None:
        words = whole_characters("".join(chars)).replace("\ufffe", "").strip()
        if words:
            lines.append((x0, height - top, x1, height - bottom, words))
        chars.clear()

    for char, (left, upper, right, lower) in zip(text, boxes, strict=True):
        if char in "\r\n":
            close()
            space = False
        elif char.isspace() or right <= left:
            space = space or bool(chars)
        elif chars and (left - x1 > top - bottom or lower >= top or upper <= bottom):
            close()
            chars.append(char)
            x0, x1, top, bottom, space = left, right, upper, lower, False
        else:
            if not chars:
                x0, x1, top, bottom = left, right, upper, lower
            elif space or left - x1 > word_gap(chars[-1], char) * (top - bottom):
                chars.append(" ")
            chars.append(char)
            x1, top, bottom, space = max(x1, right), max(top, upper), min(bottom, lower), False
    close()
    return lines


def whole_characters(text: str) -> str:
    """PDFium's text is UTF-16: a character beyond the first plane (a mathematical letter, an
    emoji) comes as two surrogate halves, which no encoder takes. Pairs become the character;
    a lone half becomes U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def word_gap(previous: str, char: str) -> float:
    return DIGITS_GAP if previous.isdigit() and char.isdigit() else WORD_GAP


def count_images(document: pdfium.PdfDocument, pages: int) -> int:
    """Images on the first pages: a page of pictures and no text is a scan."""
    found = 0
    for index in range(min(len(document), pages)):
        page = document[index]
        try:
            found += sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))
        finally:
            page.close()
    return found
