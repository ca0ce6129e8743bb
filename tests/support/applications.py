"""An application stored as the apply form stores it (file first, then one transaction), for
tests that start from a saved application rather than from the form."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.intake.submit import NewApplication, Upload, submit
from app.models import Job, Question
from app.storage import storage_for
from tests.ats.harnesses import PDF_BYTES


def submit_application(
    app,
    *,
    kind: str = "skailer",
    ref: str = "311",
    email: str = "ada@example.com",
    question: dict[str, Any] | None = None,
    answer: str = "",
    **fields: Any,
) -> int:
    """The new application's id, for a job of `kind` and `ref` (created on first use, with
    `question` as its one question, answered with `answer`); `fields` override the defaults."""
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.ats_kind == kind, Job.ref == ref))
        if job is None:
            job = Job(ats_kind=kind, ref=ref, title="Data Engineer", published=True)
            if question:
                job.questions.append(Question(**question))
            db.session.add(job)
            db.session.commit()
        values: dict[str, Any] = {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "consent_text": "I agree.",
            "consent_version": "1",
            "resume": Upload.from_bytes(PDF_BYTES, "ada.pdf", "application/pdf"),
            **fields,
        }
        answers = [(job.questions[0], answer)] if question else []
        new = NewApplication(job=job, submission_key=f"key-{email}", email=email, answers=answers, **values)
        storage = storage_for(app)
        return submit(db.session, storage, lambda _id: None, new, target=kind).id
