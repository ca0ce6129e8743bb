"""What every extractor returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Extracted:
    """Plain text in reading order, one visual line per text line."""

    text: str
    pages: int | None = None
