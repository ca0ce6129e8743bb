"""What a job's custom question needs before candidates can answer it.

The apply form offers a choice question's options as its only valid answers, so a choice
question without options can never be answered; a required one would refuse every application.
HR's editor and the job file loader refuse one with this message.
"""

from __future__ import annotations

from collections.abc import Sequence

CHOICE_KINDS = ("single_select", "multi_select")
NO_OPTIONS = "A choice question needs at least one option: write one per line."


def options_from(text: str | None) -> list[str]:
    """The options HR typed, one per line, blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def lacks_options(kind: str, options: Sequence[str]) -> bool:
    return kind in CHOICE_KINDS and not options
