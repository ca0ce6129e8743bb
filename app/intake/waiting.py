"""What the candidate reads when the apply limit stops them: the true wait, from the limiter."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import gettext, ngettext


@dataclass(frozen=True)
class Notice:
    """A message shown above the form in place of the error summary."""

    title: str
    text: str


def wait_words(seconds: float) -> str:
    """`seconds` as people say it: "1 minute", "55 minutes", "2 hours and 5 minutes"."""
    minutes = max(1, math.ceil(seconds / 60))
    hours, rest = divmod(minutes, 60)
    hour_words = ngettext("%(num)d hour", "%(num)d hours", hours)
    minute_words = ngettext("%(num)d minute", "%(num)d minutes", rest)
    if not hours:
        return minute_words
    if not rest:
        return hour_words
    return gettext("%(hours)s and %(minutes)s", hours=hour_words, minutes=minute_words)


def too_many_notice(reset_at: float, now: float) -> Notice:
    """The apply limit was reached: nothing was sent, the form is kept, and the wait is exact."""
    return Notice(
        gettext("Your application was not sent yet"),
        gettext(
            "Many applications were sent from this connection lately, so we cannot take another "
            "one just now. Please try again in %(wait)s: your answers are kept below.",
            wait=wait_words(reset_at - now),
        ),
    )
