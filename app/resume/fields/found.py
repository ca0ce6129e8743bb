"""A value found in a resume, with where it came from and how sure we are."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Found:
    """Autofill shows ``source`` so the candidate can see why a field was filled."""

    value: object
    source: str
    confidence: float

    def to_dict(self) -> dict:
        return {"value": self.value, "source": self.source, "confidence": round(self.confidence, 2)}


def as_dict(found: Found | None) -> dict | None:
    return found.to_dict() if found else None
