"""Parsing with a cache by SHA-256, for the autofill endpoint and for stored applications."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import ParsedResume


def parse_cached(session: Session, data: bytes, sha256: str) -> dict[str, Any]:
    cached = session.get(ParsedResume, sha256)
    if cached is not None:
        return cached.result
    from app.resume.runner import parse_resume

    result = parse_resume(data).to_dict()
    session.add(ParsedResume(sha256=sha256, result=result))
    try:
        session.commit()
    except IntegrityError:  # a parallel request parsed the same file
        session.rollback()
    return result


def cached_result(session: Session, sha256: str) -> dict[str, Any] | None:
    cached = session.get(ParsedResume, sha256)
    return cached.result if cached is not None else None
