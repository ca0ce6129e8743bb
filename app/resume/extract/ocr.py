"""Text of a scanned PDF, read by Tesseract from its first pages, when Tesseract is installed.

A scan has no text layer, so without OCR the candidate types everything. The first two pages
hold the contact details; they are rendered with pypdfium2 and read by the `tesseract`
command inside the parse worker, so the job's time budget and memory cap cover it (the child
inherits the address-space limit; the budget's timer ends the wait, and the child is killed).
Without the command the scan stays a ScannedResume, and the candidate gets today's message.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time

from ..errors import ScannedResume
from .result import Extracted

OCR_PAGES = 2
SCALE = 200 / 72  # 200 dpi: enough for 9-point type, a quarter of 300 dpi's pixels
MAX_PICTURE = (1700, 2200)  # pixels: an A4 page at 200 dpi
MIN_SECONDS = 0.3  # no point starting Tesseract with less time than this left


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def ocr_pdf(data: bytes, *, tesseract: str | None, until: float | None = None) -> Extracted:
    """Text Tesseract reads on the first pages; ScannedResume without Tesseract or any text."""
    if tesseract is None:
        raise ScannedResume("no text layer, and no OCR installed")
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    texts = []
    try:
        for index in range(min(OCR_PAGES, len(document))):
            if until is not None and until - time.monotonic() < MIN_SECONDS:
                break
            image = document[index].render(scale=SCALE, grayscale=True).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, "PNG")
            texts.append(_read(tesseract, buffer.getvalue(), until))
    finally:
        document.close()
    text = "\n\n".join(texts)
    if len(text.strip()) < 20:
        raise ScannedResume("no text found by OCR")
    return Extracted(text=text, pages=len(texts))


def ocr_pictures(pictures: list[bytes], *, tesseract: str | None, until: float | None = None) -> Extracted:
    """Text Tesseract reads in a document's largest pictures (a scan saved as a Word file);
    ScannedResume without Tesseract, pictures or any text."""
    if tesseract is None or not pictures:
        raise ScannedResume("pictures and no text, and no OCR installed")
    from PIL import Image

    texts = []
    for picture in sorted(pictures, key=len, reverse=True)[:OCR_PAGES]:
        if until is not None and until - time.monotonic() < MIN_SECONDS:
            break
        try:
            image = Image.open(io.BytesIO(picture)).convert("L")
        except (OSError, ValueError, Image.DecompressionBombError):
            continue
        image.thumbnail(MAX_PICTURE)
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        texts.append(_read(tesseract, buffer.getvalue(), until))
    text = "\n\n".join(texts)
    if len(text.strip()) < 20:
        raise ScannedResume("no text found by OCR")
    return Extracted(text=text, pages=len(texts))


def tesseract_environment() -> dict[str, str]:
    """One thread: Tesseract's OpenMP threads spin while they wait, and on a machine whose
    cores are busy (parse workers, web processes) they make a page four times slower."""
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _read(tesseract: str, png: bytes, until: float | None) -> str:
    """One page image through `tesseract stdin stdout`; the child never outlives the call."""
    timeout = None if until is None else max(until - time.monotonic(), 0.01)
    child = subprocess.Popen(
        [tesseract, "stdin", "stdout", "--psm", "3"],
        env=tesseract_environment(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        out, _ = child.communicate(png, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ""
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return out.decode("utf-8", "replace")
