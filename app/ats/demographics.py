"""Voluntary self-identification questions (EEOC, diversity surveys), kept apart from the
application's own questions.

An ATS that asks them (the Greenhouse Job Board) hands them to a job sync as
`SyncedDemographic`; the candidate's picks come back to the adapter as `DemographicChoice`.
They never travel with the application's answers: they are optional, stored in their own table,
and shown to no one in our HR area, so that they cannot weigh on the application.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from app.ats.base import Job, Submission

DemographicKind = Literal["single_select", "multi_select"]


@dataclass(frozen=True)
class DemographicOption:
    ref: str  # the id (or value) the ATS wants back
    label: str
    free_form: bool = False  # the candidate may type their own words with this option


@dataclass(frozen=True)
class SyncedDemographic:
    """One voluntary question as the ATS asks it. `section` names where its answer goes in the
    ATS (Greenhouse: "eeoc" fields or "inclusion" demographic answers)."""

    section: str
    ref: str
    label: str
    kind: DemographicKind = "single_select"
    options: tuple[DemographicOption, ...] = ()


@dataclass(frozen=True)
class DemographicChoice:
    """A candidate's answer to one voluntary question: option refs and any free text."""

    section: str
    question_ref: str
    option_refs: tuple[str, ...] = ()
    text: str = ""


# What the worker gives an adapter that sends voluntary answers: the stored choices of one
# application, read when the delivery runs (they are not part of the Submission).
DemographicReader = Callable[[Submission], Sequence[DemographicChoice]]


@runtime_checkable
class DemographicSource(Protocol):
    """An ATS whose job posts carry voluntary self-identification questions."""

    def demographic_questions(self, job: Job) -> Sequence[SyncedDemographic]: ...
