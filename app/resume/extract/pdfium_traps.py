"""What PDFium would spend unbounded work on: form drawings that multiply, and streams that
inflate without end. A document that has either is read by pdfminer instead, whose drawings
are counted and whose inflating stops at the worker's memory cap.

A form XObject is a drawing a page can place many times; a form that draws forms (or
itself) multiplies: ten forms each drawing the next ten times are 10**8 drawings from a
few hundred bytes. pdfminer's device counts drawings and stops; PDFium, in C code the time
budget cannot interrupt, does not. So a document goes to PDFium only when no form draws
anything but images of its own. The check is cheap: form dictionaries are stream
dictionaries, which are never inside object streams, so the raw bytes show whether there is
any form at all, and real resumes seldom have one.
"""

from __future__ import annotations

import itertools
import re
import zlib

from pdfminer.pdfdocument import PDFDocument, PDFObjectNotFound
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1
from pdfminer.psparser import PSLiteral

MAX_OBJECTS = 100_000  # objects looked at for forms
BOMB_PROBE = 16_384  # compressed bytes of a large stream inflated to judge its ratio
BOMB_RATIO = 256
MAX_FORM_BYTES = 1_000_000  # of one form's content, inflated, looked through for drawings
_FORM = re.compile(rb"/Subtype\s{0,4}/Form\b")
_FORM_NAME_ESCAPED = re.compile(rb"/Subtype\s{0,4}/[^\s/]{0,12}#")
_DRAWN = re.compile(rb"/([^\s/\[\]<>(){}%]{1,127})\s{0,8}Do(?![A-Za-z])")


def inflates_hugely(data: bytes) -> bool:
    """Whether a compressed stream inflates past BOMB_RATIO times its size on its first
    BOMB_PROBE bytes. Only a stream of at least that size can inflate to more than the
    worker should spend a second on, and a real one (a font, a photograph) does not come
    near the ratio: a blank page-sized image is far smaller than the probe."""
    start = data.find(b"stream")
    while start != -1:
        body = start + 6 + (2 if data[start + 6 : start + 8] == b"\r\n" else 1)
        end = data.find(b"endstream", body)
        if end == -1:
            return False
        if end - body >= BOMB_PROBE and b"FlateDecode" in data[max(0, start - 300) : start]:
            probe = zlib.decompressobj().decompress(data[body : body + BOMB_PROBE], BOMB_PROBE * BOMB_RATIO)
            if len(probe) >= BOMB_PROBE * BOMB_RATIO:
                return True
        start = data.find(b"stream", end + 9)
    return False


def may_nest_forms(data: bytes) -> bool:
    """Whether the bytes name a form at all (or a subtype written with #-escapes, which could)."""
    return bool(_FORM.search(data) or _FORM_NAME_ESCAPED.search(data))


def forms_draw(document: PDFDocument) -> bool:
    """Whether any form draws something other than an image from its own resources. A form
    whose content or resources cannot be read counts as drawing."""
    objids = itertools.chain.from_iterable(xref.get_objids() for xref in document.xrefs)
    for objid in itertools.islice(objids, MAX_OBJECTS):
        try:
            value = document.getobj(objid)
        except (PDFObjectNotFound, PDFSyntaxError, KeyError, ValueError, TypeError):
            continue
        if isinstance(value, PDFStream) and _is_a(value, "Form") and _draws_more(value):
            return True
    return False


def _is_a(stream: PDFStream, subtype: str) -> bool:
    value = stream.attrs.get("Subtype")
    return isinstance(value, PSLiteral) and value.name == subtype


def _draws_more(form: PDFStream) -> bool:
    try:
        names = {match[1].decode("latin-1") for match in _DRAWN.finditer(_inflated(form))}
        own = resolve1(resolve1(form.attrs.get("Resources") or {}).get("XObject") or {})
        return any(not _is_image(own.get(name)) for name in names)
    except Exception:  # noqa: BLE001 - whatever a broken form raises, it may draw
        return True


def _is_image(value: object) -> bool:
    stream = resolve1(value) if isinstance(value, PDFObjRef) else value
    return isinstance(stream, PDFStream) and _is_a(stream, "Image")


def _inflated(stream: PDFStream) -> bytes:
    """At most MAX_FORM_BYTES of a form's content (a flate bomb stops there)."""
    filters = stream.get_filters()
    if not filters:
        return stream.rawdata or b""
    name = filters[0][0]
    if len(filters) == 1 and isinstance(name, PSLiteral) and name.name == "FlateDecode":
        return zlib.decompressobj().decompress(stream.rawdata or b"", MAX_FORM_BYTES)
    raise ValueError("a filter we do not inflate")
