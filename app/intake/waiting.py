"""What the candidate reads when the apply limit stops them: the true wait, from the limiter."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """A message shown above the form in place of the error summary."""

    title: str
    text: str


def wait_words(seconds: float) -> str:
    """`seconds` as people say it: "1 minute", "55 minutes", "2 hours and 5 minutes"."""
    minutes = max(1, math.ceil(seconds / 60))
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " and ".join(parts)


def too_many_notice(reset_at: float, now: float) -> Notice:
    """The apply limit was reached: nothing was sent, the form is kept, and the wait is exact."""
    return Notice(
        "Your application was not sent yet",
        "Many applications were sent from this connection lately, so we cannot take another one "
        f"just now. Please try again in {wait_words(reset_at - now)}: your answers are kept below.",
    )
