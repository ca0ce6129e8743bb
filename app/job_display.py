"""How a job reads on a card and on its page: the snippet, the facts line, salary and dates.

Shared by the careers pages and the embedded board. Money and dates are written as a reader of
the page's language writes them: the locale is the page's (Flask-Babel's choice, app/i18n.py),
English outside a request; the formatting functions take it as a parameter. The words around
the amounts ("up to", "per year") come from the catalogs.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from html.parser import HTMLParser

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from flask_babel import get_locale, gettext

DEFAULT_LOCALE = "en"
SALARY_PERIOD = "YEAR"  # every salary we hold is yearly, as the JSON-LD says
SNIPPET_SOURCE_CHARS = 20_000  # a snippet needs only the start of a description
BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 br hr blockquote table thead tbody tr td th section article".split()
)
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
HIDDEN_TAGS = frozenset(("script", "style", "template", "title"))
SENTENCE_END = re.compile(r"[.!?:;…]$")


class _Blocks(HTMLParser):
    """The text of each block of a description, and whether the block is a heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []
        self._text: list[str] = []
        self._heading = False
        self._hidden = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in HIDDEN_TAGS:
            self._hidden += 1
        elif tag in BLOCK_TAGS:
            self.flush()
            self._heading = tag in HEADINGS

    def handle_endtag(self, tag) -> None:
        if tag in HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in BLOCK_TAGS:
            self.flush()

    def handle_data(self, data) -> None:
        if not self._hidden:
            self._text.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            self.blocks.append((text, self._heading))
        self._text, self._heading = [], False


def snippet(html: str | None, limit: int = 220) -> str:
    """The start of a description as one readable line: a heading runs into what follows it
    with a colon, blocks that end without punctuation are set apart with " · "."""
    parser = _Blocks()
    parser.feed((html or "")[:SNIPPET_SOURCE_CHARS])
    parser.close()
    parser.flush()
    text, previous_heading = "", False
    for block, heading in parser.blocks:
        if text:
            if previous_heading:
                text = text.rstrip(":") + ": "
            elif SENTENCE_END.search(text):
                text += " "
            else:
                text += ". " if heading else " · "
        text += block
        previous_heading = heading
        if len(text) > limit:
            break
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace():  # the cut fell inside a word: end before it
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ·:,;") + "…"


def job_facts(job) -> list[str]:
    """Team, place and "Remote" or "Hybrid" for the line under a job's title, each said once."""
    facts = [job.department, job.location]
    if job.remote and "remote" not in (job.location or "").lower():
        facts.append(gettext("Remote"))
    elif getattr(job, "workplace", "") == "hybrid" and "hybrid" not in (job.location or "").lower():
        facts.append(gettext("Hybrid"))
    return [fact for fact in facts if fact]


def page_locale() -> Locale:
    """The locale of the page being rendered; English outside a request."""
    return get_locale() or Locale.parse(DEFAULT_LOCALE)


def money(amount: int, currency: str, locale: Locale) -> str:
    """A whole amount in the locale's currency pattern, without cents: "€70,000", "70.000 €"."""
    pattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)


def salary_text(minimum: int | None, maximum: int | None, currency: str, locale: Locale) -> str:
    """The amounts of a salary range, or "" when the job states none (or no currency): a
    range, "from" a minimum or "up to" a maximum."""
    if not currency or not (minimum or maximum):
        return ""
    if minimum and maximum and minimum != maximum:
        return gettext(
            "%(minimum)s – %(maximum)s",
            minimum=money(minimum, currency, locale),
            maximum=money(maximum, currency, locale),
        )
    if minimum and not maximum:
        return gettext("from %(minimum)s", minimum=money(minimum, currency, locale))
    if maximum and not minimum:
        return gettext("up to %(maximum)s", maximum=money(maximum, currency, locale))
    return money(minimum or 0, currency, locale)


def job_salary(job) -> str:
    """Template helper: the job's yearly salary as this page writes it, "" when it has none."""
    amounts = salary_text(job.salary_min, job.salary_max, job.salary_currency, page_locale())
    return gettext("%(salary)s per year", salary=amounts) if amounts else ""


def closing_date(moment: datetime) -> str:
    """Template helper: the day a job stops taking applications, in the page's language."""
    return format_date(moment.date(), format="long", locale=page_locale())


def register_job_display(app) -> None:
    app.jinja_env.globals.update(
        snippet=snippet, job_facts=job_facts, job_salary=job_salary, closing_date=closing_date
    )
