"""Importing jobs from a JSON file (`flask jobs load`), for local mode and the demo set."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.html import sanitize
from app.intake.questions import lacks_options
from app.models import EMPLOYMENT_TYPES, QUESTION_KINDS, Job, Question

JOB_KEYS = (
    "title",
    "department",
    "location",
    "country",
    "remote",
    "employment_type",
    "description_html",
    "language",
    "salary_min",
    "salary_max",
    "salary_currency",
    "published",
    "resume_required",
    "stage",
    "source",
)


class JobFileError(ValueError):
    pass


def load_jobs(session: Session, path: str | Path) -> tuple[int, int]:
    """Create or update jobs by `ref`; returns (created, updated)."""
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise JobFileError(f"cannot read {path}: {exc}") from exc
    if isinstance(records, dict):
        records = records.get("jobs", [])
    if not isinstance(records, list):
        raise JobFileError(f"{path}: expected a list of jobs")
    for index, record in enumerate(records):
        _check(record, index)  # every job before any is written: a bad file loads nothing
    created = updated = 0
    for index, record in enumerate(records):
        ref = str(record.get("ref") or f"file-{index + 1}")
        job = session.scalar(select(Job).where(Job.ats_kind == "local", Job.ref == ref))
        if job is None:
            job = Job(ats_kind="local", ref=ref)
            session.add(job)
            created += 1
        else:
            updated += 1
        _fill(job, record)
    session.commit()
    return created, updated


def _check(record: Any, index: int) -> None:
    where = f"job #{index + 1}"
    if not isinstance(record, dict) or not str(record.get("title", "")).strip():
        raise JobFileError(f"{where}: a title is required")
    if record.get("employment_type", "FULL_TIME") not in EMPLOYMENT_TYPES:
        raise JobFileError(f"{where}: employment_type must be one of {', '.join(EMPLOYMENT_TYPES)}")
    if len(str(record.get("language", ""))) > 8:
        raise JobFileError(f"{where}: language must be a language code such as de or pt-BR")
    for question in record.get("questions", []):
        _check_question(question, where)


def _check_question(question: Any, where: str) -> None:
    if not isinstance(question, dict) or not str(question.get("label", "")).strip():
        raise JobFileError(f"{where}: every question needs a label")
    kind = question.get("kind", "short_text")
    if kind not in QUESTION_KINDS:
        raise JobFileError(f"{where}: question kind must be one of {', '.join(QUESTION_KINDS)}")
    options = question.get("options", [])
    if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
        raise JobFileError(f'{where}: the options of question "{question["label"]}" must be a list of texts')
    if lacks_options(kind, options):
        raise JobFileError(
            f'{where}: question "{question["label"]}" is a choice question with no options: '
            'list them in "options", or make it a short_text question'
        )


def _fill(job: Job, record: dict[str, Any]) -> None:
    for key in JOB_KEYS:
        if key in record:
            setattr(job, key, record[key])
    job.published = bool(record.get("published", True))
    job.description_html = sanitize(record.get("description_html", ""))
    if record.get("date_posted"):
        job.date_posted = datetime.fromisoformat(record["date_posted"])
    if record.get("valid_through"):
        job.valid_through = datetime.fromisoformat(record["valid_through"])
    if "questions" in record:
        job.questions = [
            Question(
                position=i,
                label=q["label"],
                kind=q.get("kind", "short_text"),
                required=bool(q.get("required")),
                options=list(q.get("options", [])),
                ref=q.get("ref"),
            )
            for i, q in enumerate(record["questions"])
        ]
