"""The lists HR picks from on the job form: countries, currencies, employment types and
workplaces. Codes are stored (ISO 3166 alpha-2, ISO 4217, schema.org), names shown in the
page's language through Babel."""

from __future__ import annotations

import pycountry
from babel import Locale
from babel.numbers import get_currency_name
from flask_babel import get_locale

from app.models import EMPLOYMENT_TYPES, WORKPLACES

EMPLOYMENT_TYPE_NAMES = {
    "FULL_TIME": "Full-time",
    "PART_TIME": "Part-time",
    "CONTRACTOR": "Contractor",
    "TEMPORARY": "Temporary",
    "INTERN": "Internship",
    "VOLUNTEER": "Volunteer",
    "PER_DIEM": "Per diem",
    "OTHER": "Other",
}
WORKPLACE_NAMES = {"on_site": "On-site", "hybrid": "Hybrid", "remote": "Remote"}
NOT_MONEY = frozenset("XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX".split())  # metals, funds, tests


def _locale() -> Locale:
    return get_locale() or Locale.parse("en")


def country_name(code: str, locale: Locale | None = None) -> str:
    chosen = locale or _locale()
    country = pycountry.countries.get(alpha_2=code)
    return chosen.territories.get(code) or (country.name if country else code)


def country_choices() -> list[tuple[str, str]]:
    """Every ISO country, by its name in the page's language."""
    locale = _locale()
    named = [(c.alpha_2, country_name(c.alpha_2, locale)) for c in pycountry.countries]
    return sorted(named, key=lambda pair: pair[1].casefold())


def country_code(text: str | None) -> str | None:
    """The ISO code for what HR chose or typed: a code ("DE"), or a name in the page's language
    or in English ("Germany", "Deutschland"). None when it names no country. A name is never
    cut to its first two letters: "Germany" is DE, not GE (Georgia)."""
    wanted = (text or "").strip()
    if not wanted:
        return ""
    if len(wanted) == 2 and pycountry.countries.get(alpha_2=wanted.upper()):
        return wanted.upper()
    folded = wanted.casefold()
    for locale in (_locale(), Locale.parse("en")):
        for code, name in locale.territories.items():
            if name.casefold() == folded and pycountry.countries.get(alpha_2=code):
                return code
    try:
        return pycountry.countries.lookup(wanted).alpha_2
    except LookupError:
        return None


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 currencies that are money, "EUR · Euro", by code."""
    locale = _locale()
    codes = sorted(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in NOT_MONEY)
    return [(code, f"{code} · {get_currency_name(code, locale=locale)}") for code in codes]


def employment_type_choices() -> list[tuple[str, str]]:
    return [(code, EMPLOYMENT_TYPE_NAMES.get(code, code)) for code in EMPLOYMENT_TYPES]


def workplace_choices() -> list[tuple[str, str]]:
    return [(code, WORKPLACE_NAMES[code]) for code in WORKPLACES]
