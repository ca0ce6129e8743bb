"""Parsing with a cache by SHA-256, for the autofill endpoint and for stored applications.

Only answers that the same file would get again are kept: fields, or a failure that lies in
the file itself (scanned, encrypted, unreadable, too large...). A timeout says the pool was busy
or slow at that moment, so it is never stored: the next request for that file parses it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import ParsedResume

Parse = Callable[[bytes], dict[str, Any]]

# Failures that lie in the file: parsing the same bytes again gives the same answer.
DETERMINISTIC_ERRORS = frozenset(
    {
        "encrypted",
        "encrypted_pdf",
        "scanned",
        "empty",
        "unreadable",
        "too_large",
        "too_many_pages",
        "unsupported",
    }
)


def parse_file(data: bytes) -> dict[str, Any]:
    from app.resume.runner import parse_resume  # starts the worker pool on first use

    return parse_resume(data).to_dict()


def parse_cached(session: Session, data: bytes, sha256: str, *, parse: Parse = parse_file) -> dict[str, Any]:
    cached = session.get(ParsedResume, sha256)
    if cached is not None:
        return cached.result
    result = parse(data)
    if not worth_keeping(result):
        return result
    session.add(ParsedResume(sha256=sha256, result=result))
    try:
        session.commit()
    except IntegrityError:  # a parallel request parsed the same file
        session.rollback()
    return result


def worth_keeping(result: dict[str, Any]) -> bool:
    return bool(result.get("ok")) or result.get("error_code") in DETERMINISTIC_ERRORS


def cached_result(session: Session, sha256: str) -> dict[str, Any] | None:
    cached = session.get(ParsedResume, sha256)
    return cached.result if cached is not None else None
