"""Parsing with a cache by SHA-256, for the autofill endpoint and for stored applications.

Only answers that the same file would get again are kept: fields, or a failure that lies in
the file itself (scanned, encrypted, unreadable, too large...). A timeout says the pool was busy
or slow at that moment, so it is never stored: the next request for that file parses it again.

A parse result holds a stranger's resume text before any consent, so it is kept only as long
as an apply form may still use it (a day, PARSED_RESUME_HOURS) and capped in size; an
application that is sent keeps its own copy (Application.parsed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import ParsedResume, utcnow

MAX_STORED_TEXT = 30_000  # characters of extracted text kept: several full pages
MAX_STORED_BYTES = 128 * 1024  # a result larger than this (as JSON) is answered, not stored

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


def parse_cached(
    session: Session, data: bytes, sha256: str, *, parse: Parse = parse_file, now: datetime | None = None
) -> dict[str, Any]:
    cached = session.get(ParsedResume, sha256)
    if cached is not None:
        return cached.result
    result = capped(parse(data))
    if not worth_keeping(result) or len(json.dumps(result)) > MAX_STORED_BYTES:
        return result
    session.add(ParsedResume(sha256=sha256, result=result, created_at=now or utcnow()))
    try:
        session.commit()
    except IntegrityError:  # a parallel request parsed the same file
        session.rollback()
    return result


def worth_keeping(result: dict[str, Any]) -> bool:
    return bool(result.get("ok")) or result.get("error_code") in DETERMINISTIC_ERRORS


def capped(result: dict[str, Any]) -> dict[str, Any]:
    text = result.get("text")
    if isinstance(text, str) and len(text) > MAX_STORED_TEXT:
        return {**result, "text": text[:MAX_STORED_TEXT]}
    return result


def cached_result(session: Session, sha256: str) -> dict[str, Any] | None:
    cached = session.get(ParsedResume, sha256)
    return cached.result if cached is not None else None


def purge_parse_results(session: Session, *, now: datetime, keep: timedelta) -> int:
    """Delete parse results older than `keep`; the number deleted."""
    deleted = session.execute(delete(ParsedResume).where(ParsedResume.created_at < now - keep))
    session.commit()
    return int(getattr(deleted, "rowcount", 0) or 0)
