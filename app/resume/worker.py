"""The child-process side of resume parsing.

A worker loops over jobs sent through a pipe. Limits are applied here, in
the child: the address-space cap before each job, while the parent enforces
the wall clock by killing us. Anything a hostile file can provoke ends as an
error code sent back; if the process itself dies the parent notices EOF.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from .budget import OverBudget, TimeBudget
from .errors import ResumeError, ScannedResume
from .extract import extract_text
from .extract.docx import docx_pictures
from .extract.ocr import ocr_pdf, ocr_pictures, tesseract_path
from .extract.pdf import check_pdf
from .extract.result import Extracted
from .fields import find_fields

MB = 1024 * 1024
READY = "ready"  # the pool's app.resume.pool.READY: sent once the imports above are done
OCR_CONFIDENCE = 0.7  # factor on the confidence of fields read from a scan
FIELDS_SECONDS = 0.2  # of the budget, kept for reading fields after OCR
PAGES_SHARE = 0.6  # of the budget, for taking pages; the rest reads fields from them
NICENESS = 10  # the web server's own processes come first when both want the CPU


def serve(connection) -> None:
    """Answer jobs until the parent closes the pipe or sends None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(NICENESS)
    try:
        connection.send(READY)
    except OSError:  # the parent ended while we started: nobody to serve
        return
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        data, fmt, memory_mb, max_pages, seconds, until, kind = job
        if until is not None:
            seconds = min(seconds, until - time.time())
        previous = limit_memory(memory_mb)
        try:
            answer = parse_within(seconds, JOBS[kind], data, fmt, max_pages)
        finally:
            del data
            resource.setrlimit(resource.RLIMIT_AS, previous)
        connection.send(answer)


def parse_within(
    seconds: float, job: Callable[[bytes, str, int, float], dict], data: bytes, fmt: str, max_pages: int
) -> dict:
    """The job, ended with "timeout" when it outlives its budget (the worker stays warm)."""
    if seconds <= 0:
        return {"error_code": "timeout", "message_key": "timeout", "pages": None}
    budget = TimeBudget(seconds)
    try:
        with budget:
            return job(data, fmt, max_pages, time.monotonic() + seconds)
    except OverBudget:
        budget.disarm()
        return {"error_code": "timeout", "message_key": "timeout", "pages": None}


def limit_memory(memory_mb: int) -> tuple[int, int]:
    """Cap the address space for one job; MemoryError then ends the job, not the machine.

    Returns the limits to restore, so the next job (and receiving it) starts unconstrained.
    """
    previous = resource.getrlimit(resource.RLIMIT_AS)
    hard = previous[1]
    soft = memory_mb * MB
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    return previous


def parse_job(data: bytes, fmt: str, max_pages: int, deadline: float) -> dict:
    """A plain dict (cheap to pickle): fields on success, an error code otherwise.

    A long document stops taking new pages when PAGES_SHARE of the budget is spent: its first
    pages, where the contact details and the current post are, come back with fields instead of
    the whole parse timing out. A scan is read by OCR when Tesseract is installed, and its
    fields say, by a lower confidence, that they come from OCR.
    """
    pages = None
    started = time.monotonic()
    pages_until = started + (deadline - started) * PAGES_SHARE
    confidence = 1.0
    try:
        try:
            extracted = extract_text(data, fmt, max_pages=max_pages, pages_until=pages_until)
        except ScannedResume:
            if fmt != "pdf":
                raise
            extracted = ocr_pdf(data, tesseract=tesseract_path(), until=deadline - FIELDS_SECONDS)
            confidence = OCR_CONFIDENCE
        if fmt == "docx" and not extracted.text.strip():
            extracted = _pictures_read(data, deadline) or extracted
            confidence = OCR_CONFIDENCE if extracted.text.strip() else confidence
        pages = extracted.pages
        if not extracted.text.strip():
            return {"error_code": "empty", "message_key": "empty", "pages": pages}
        return {
            "fields": scaled(find_fields(extracted.text), confidence),
            "pages": pages,
            "chars": len(extracted.text),
            "text": extracted.text,
            **({"ocr": True} if confidence < 1 else {}),
        }
    except Exception as exc:  # noqa: BLE001 - see failed()
        return failed(exc, pages)


def _pictures_read(data: bytes, deadline: float) -> Extracted | None:
    """A DOCX of pictures only, read by OCR when Tesseract is installed; None when not."""
    try:
        return ocr_pictures(docx_pictures(data), tesseract=tesseract_path(), until=deadline - FIELDS_SECONDS)
    except ScannedResume:
        return None


def scaled(fields, factor: float):
    """Every "confidence" in the fields, times factor (OCR misreads what a text layer does not)."""
    if factor == 1.0:
        return fields
    if isinstance(fields, dict):
        return {
            key: round(value * factor, 2) if key == "confidence" else scaled(value, factor)
            for key, value in fields.items()
        }
    if isinstance(fields, list):
        return [scaled(item, factor) for item in fields]
    return fields


def check_job(data: bytes, fmt: str, max_pages: int, deadline: float) -> dict:
    """Whether the document opens: a PDF's first page is found, any other kind is read."""
    try:
        if fmt == "pdf":
            check_pdf(data)
        else:
            extract_text(data, fmt, max_pages=max_pages)
    except Exception as exc:  # noqa: BLE001 - see failed()
        return failed(exc, None)
    return {}


def failed(exc: Exception, pages: int | None) -> dict:
    """The error code for whatever a hostile file provoked: a parser bug on a strange file must
    not cost the candidate the form. (OverBudget is no Exception: it reaches parse_within.)"""
    if isinstance(exc, ResumeError):
        return {"error_code": exc.code, "message_key": exc.message_key, "pages": pages}
    if isinstance(exc, MemoryError):
        return {"error_code": "too_large", "message_key": "too_large", "pages": pages}
    return {"error_code": "unreadable", "message_key": "unreadable", "pages": pages}


JOBS: dict[str, Callable[[bytes, str, int, float], dict]] = {"parse": parse_job, "check": check_job}


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
