"""Text out of every document format we accept, in reading order."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import UnsupportedResume
from .doc import extract_doc
from .docx import extract_docx
from .markup import extract_html, extract_mht
from .odt import extract_odt
from .pdf import extract_pdf
from .plain import extract_txt
from .result import Extracted
from .rtf import extract_rtf

EXTRACTORS: dict[str, Callable[..., Extracted]] = {
    "pdf": extract_pdf,
    "docx": extract_docx,
    "doc": extract_doc,
    "html": extract_html,
    "mht": extract_mht,
    "rtf": extract_rtf,
    "odt": extract_odt,
    "txt": extract_txt,
}


def extract_text(
    data: bytes, fmt: str, *, max_pages: int = 20, pages_until: float | None = None
) -> Extracted:
    """Text of a document whose format detect_format already decided. A PDF stops taking pages
    at `pages_until` (a time.monotonic() value); the other formats are cheap per page."""
    extractor = EXTRACTORS.get(fmt)
    if extractor is None:
        raise UnsupportedResume(fmt)
    if fmt == "pdf":
        return extract_pdf(data, max_pages=max_pages, pages_until=pages_until)
    return extractor(data, max_pages=max_pages)


__all__ = ["EXTRACTORS", "Extracted", "extract_text"]
