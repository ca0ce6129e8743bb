"""What one application becomes in NexivoHR's requests (CONTRACTS §4.2, §8).

NexivoHR documents seven candidate fields (S1's example) and nothing else we could write to,
so the submission's `notes` carries the rest: the cover letter, the URL, the answers, the
consent and the source, each under its own heading. A returning applicant's new contact details
go there too, so the candidate record NexivoHR already held is not overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.ats import text
from app.ats.base import Submission

# The regions a "City, Region" pair can be told apart from "City, Country" by: US states and
# Canadian provinces by code and name, Australian states by code. Anything else after the city
# is taken for a country unless a third part follows it.
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "DC": "District of Columbia",
}  # fmt: skip
CA_PROVINCES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "ON": "Ontario",
    "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan",
}  # fmt: skip
AU_STATES = ("NSW", "VIC", "QLD", "WA", "SA", "TAS", "ACT", "NT")
REGIONS = {
    name.casefold()
    for table in (US_STATES, CA_PROVINCES)
    for pair in table.items()
    for name in pair
} | {code.casefold() for code in AU_STATES}  # fmt: skip


def email_query(email: str) -> str:
    """The `q` that matches one address exactly under NexivoHR's boolean syntax.

    Unquoted, the `+` and `-` of `ada+jobs@ex-ample.com` are operators (require "jobs",
    exclude "ample"), so the person is not found. Double quotes make the address one phrase;
    a quote or backslash inside it is escaped with a backslash.
    """
    escaped = email.strip().replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def city_and_state(location: str) -> tuple[str, str]:
    """(city, state) from our one-line location; the state is "" unless one is known.

    "San Francisco, CA" and "Austin, Texas, USA" give a state; "Madrid, Spain" and "London, UK"
    do not, since NexivoHR's `state` is a region and a country there would mis-file the person.
    """
    parts = [part.strip() for part in location.split(",") if part.strip()]
    if not parts:
        return "", ""
    city, rest = parts[0], parts[1:]
    if len(rest) >= 2:
        return city, rest[0]  # City, Region, Country
    if rest and rest[0].casefold() in REGIONS:
        return city, rest[0]
    return city, ""


def candidate_body(submission: Submission, extra_fields: Mapping[str, str]) -> dict[str, Any]:
    """The seven fields of S1's example, plus the tenant's own mapping of extra fields."""
    city, state = city_and_state(submission.location)
    body: dict[str, Any] = {
        "first_name": submission.first_name,
        "last_name": submission.last_name,
        "email": submission.email,
        "phone": submission.phone,
        "current_title": str(submission.parsed.get("headline") or ""),
        "city": city,
        "state": state,
    }
    for target, attr in extra_fields.items():
        value = getattr(submission, attr, None) or submission.parsed.get(attr)
        if value:
            body[target] = value
    return {key: value for key, value in body.items() if value not in ("", None)}


def submission_notes(submission: Submission, heading: str, *, returning: bool = False) -> str:
    """The submission's free text: everything NexivoHR has no field for, in sections."""
    parts = [
        heading,
        f"Cover letter:\n{submission.cover_letter}" if submission.cover_letter.strip() else "",
        f"URL: {submission.url}" if submission.url.strip() else "",
        text.answers_block(submission.answers),
        consent_line(submission),
        text.future_consent_line(submission),
        text.source_line(submission),
        returning_details(submission) if returning else "",
    ]
    return "\n\n".join(part for part in parts if part)


def consent_line(submission: Submission) -> str:
    if not submission.consent_text:
        return ""
    given = ", ".join(
        bit
        for bit in (
            f"version {submission.consent_version}" if submission.consent_version else "",
            f"given {submission.consent_at}" if submission.consent_at else "",
        )
        if bit
    )
    return f"Consent: {submission.consent_text}" + (f" ({given})" if given else "")


def returning_details(submission: Submission) -> str:
    """A returning applicant's details as given this time; the candidate record keeps its own."""
    details = [
        ("Phone", submission.phone),
        ("Location", submission.location),
        ("Current title", str(submission.parsed.get("headline") or "")),
    ]
    lines = [f"- {label}: {value}" for label, value in details if value]
    return "Details given with this application:\n" + "\n".join(lines) if lines else ""
