"""What the candidate sent, in their language: the rows the status page and the PDF receipt
show, each a label and a value they can read (a file by its name, yes/no in words)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from app.i18n import N_
from app.intake.post import receipt
from app.models import Application

FIELD_LABELS = {
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "url": N_("Link"),
    "location": N_("Location"),
    "resume": N_("Resume"),
    "cover_letter": N_("Cover letter"),
}


@dataclass(frozen=True)
class Row:
    label: str
    value: str


def sent_rows(application: Application) -> list[Row]:
    """The fields they filled in, then each answer under the question as they saw it."""
    rows = [Row(gettext(FIELD_LABELS[name]), value) for name, value in receipt(application)]
    rows += [Row(answer.label, answer_text(answer.value)) for answer in application.answers]
    return rows


def answer_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("filename") or "")
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)
