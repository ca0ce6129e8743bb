"""Voluntary self-identification (EEOC, diversity surveys): imported with a job, asked in a
section of its own on the apply form, stored apart from the application, sent only to the ATS.

Every question is optional and says so: declining to answer has no effect. The answers are not
Answer rows, so they never reach the HR pages, exports, notes or cover letters that show the
application's answers; the worker hands them to the adapter that asked (`read_choices`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import RadioField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.ats.base import Job as AtsJob
from app.ats.base import Submission
from app.ats.demographics import DemographicChoice, DemographicSource, SyncedDemographic
from app.models import DemographicAnswer, DemographicQuestion, Job, fit

DECLINE_NOTE = _l("Declining to answer has no effect on your application.")
TEXT_MAX = 500


def import_demographics(source: object, job: Job, found: AtsJob) -> int:
    """Make the job's voluntary questions the ATS post's own, on every sync (they are the
    ATS's, never HR's to edit). Answers keep their question's ref, so a change loses none."""
    if not isinstance(source, DemographicSource):
        return 0
    synced = [_question(i, q) for i, q in enumerate(source.demographic_questions(found))]
    if [_shape(q) for q in synced] != [_shape(q) for q in questions_of(job)]:
        # Replaced only when the post changed: a form open meanwhile keeps its field names.
        job.demographic_questions = synced  # type: ignore[attr-defined]
    return len(synced)


def _shape(question: DemographicQuestion) -> tuple:
    return (question.section, question.ref, question.label, question.kind, question.options)


def _question(position: int, synced: SyncedDemographic) -> DemographicQuestion:
    return DemographicQuestion(
        position=position,
        section=synced.section[:20],
        ref=synced.ref[:128],
        label=synced.label[:500],
        kind=synced.kind,
        options=[{"ref": o.ref, "label": o.label, "free_form": o.free_form} for o in synced.options],
    )


def questions_of(job: Job) -> list[DemographicQuestion]:
    return list(getattr(job, "demographic_questions", None) or [])


def field_name(question: DemographicQuestion) -> str:
    return f"d_{question.id}"


def text_field_name(question: DemographicQuestion) -> str:
    return f"d_{question.id}_text"


def has_free_form(question: DemographicQuestion) -> bool:
    return any(o.get("free_form") for o in question.options or [])


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def form_fields(job: Job) -> dict[str, Any]:
    """The form fields of the job's voluntary questions: never required."""
    fields: dict[str, Any] = {}
    for question in questions_of(job):
        choices = [(o["ref"], o["label"]) for o in question.options or []]
        kind = Checkboxes if question.kind == "multi_select" else RadioField
        fields[field_name(question)] = kind(question.label, choices=choices, validators=[Optional()])
        if has_free_form(question):
            fields[text_field_name(question)] = StringField(
                _l("In your own words (optional)"), validators=[Optional(), Length(max=TEXT_MAX)]
            )
    return fields


def collect(job: Job, form: Any) -> list[DemographicAnswer]:
    """The candidate's voluntary answers, as rows to store with (not in) the application."""
    answers = []
    for question in questions_of(job):
        picked = form[field_name(question)].data
        refs = [str(r) for r in (picked if isinstance(picked, list) else [picked]) if r]
        text = ""
        if has_free_form(question):
            text = (form[text_field_name(question)].data or "").strip()
        if not refs:
            continue
        answers.append(
            DemographicAnswer(
                section=question.section,
                question_ref=question.ref,
                option_refs=refs,
                text=fit(DemographicAnswer, "text", text),
            )
        )
    return answers


def read_choices(session_of: Callable[[], Session]) -> Callable[[Submission], Sequence[DemographicChoice]]:
    """For the worker: an application's stored voluntary answers, as the adapter takes them."""

    def read(submission: Submission) -> Sequence[DemographicChoice]:
        rows = session_of().scalars(
            select(DemographicAnswer)
            .where(DemographicAnswer.application_id == submission.application_id)
            .order_by(DemographicAnswer.id)
        )
        return tuple(
            DemographicChoice(r.section, r.question_ref, tuple(r.option_refs or ()), r.text or "")
            for r in rows
        )

    return read
