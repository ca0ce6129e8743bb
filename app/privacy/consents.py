"""The two consents of the apply form, as the candidate reads them and as they are kept.

"processing": to consider this application (required). "future": to keep it for other openings
(optional, off by default). Each has its own text and version (config CONSENT_TEXT /
CONSENT_FUTURE_TEXT, CONSENT_VERSION / CONSENT_FUTURE_VERSION, which HR may replace in the
browser's Settings, app/settings) and retention period (RETENTION_MONTHS[purpose]); a text
names its period with `%(months)s`, so the promise the candidate reads is the period the
retention task keeps.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import get_locale, gettext

from app.models import ApplicationConsent
from app.settings import current as current_settings

PURPOSES = ("processing", "future")


@dataclass(frozen=True)
class Wording:
    """One consent as shown on the form: what `consent_given` stores if the box is ticked."""

    purpose: str
    text: str
    version: str
    language: str
    months: int


DEFAULT_MONTHS = 12  # what the default texts have always promised


def retention_months(config: Mapping[str, Any], purpose: str) -> int:
    return int((config.get("RETENTION_MONTHS") or {}).get(purpose, DEFAULT_MONTHS))


def with_period(text: str, months: int) -> str:
    """The text with its period filled in; a company's own text without `%(months)s` as it is."""
    return text.replace("%(months)s", str(months))


def wording(purpose: str) -> Wording:
    """The consent for `purpose` in the page's language: the text in force (saved in Settings,
    else configured), translated when the catalogs hold it (the default texts are in them),
    with the configured period."""
    months = retention_months(current_app.config, purpose)
    consent = current_settings().consent(purpose)
    return Wording(
        purpose=purpose,
        text=with_period(gettext(consent.text), months),
        version=consent.version,
        language=str(get_locale() or ""),
        months=months,
    )


def wordings() -> dict[str, Wording]:
    return {purpose: wording(purpose) for purpose in PURPOSES}


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, or that month's last day when it has no such day."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def consent_given(wording: Wording, now: datetime) -> ApplicationConsent:
    """The row kept for a ticked box: the text as read, and the end of the period it promised."""
    return ApplicationConsent(
        purpose=wording.purpose,
        text=wording.text,
        version=wording.version,
        language=wording.language,
        given_at=now,
        keep_until=add_months(now, wording.months),
    )
