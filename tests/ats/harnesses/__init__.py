"""What every ATS harness gives the shared contract tests in tests/ats/.

One module per ATS in this package (`skailer.py`, `dover.py`, ...) defines `make() -> Harness`.
The adapter talks to its vendor sandbox in-process through `httpx.WSGITransport`; the sandbox
control object lets a test inject faults and read what the "ATS" stored.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from app.ats.base import Answer, AtsAdapter, Resume, Submission
from tests.support.resume_files import simple_pdf


class SandboxControl(Protocol):
    def fail_next(self, step: str, status: int = 500) -> None:
        """The next request of adapter step `step` fails with `status`, saving nothing."""

    def commit_then_fail_next(self, step: str, mode: str = "500") -> None:
        """The next request of `step` is saved, then answered with a 500 (`"500"`) or a dropped
        connection (`"drop"`)."""

    def count_applications(self, email: str, job_ref: str) -> int:
        """How many applications of this candidate to this job the ATS holds."""

    def expire_token(self) -> None:
        """From now on every request is refused as unauthenticated."""


@dataclass
class Harness:
    kind: str
    adapter: AtsAdapter
    sandbox: SandboxControl
    job_ref: str
    has_lookup: bool = True  # False (Dover): an ambiguous create cannot be verified
    create_steps: tuple[str, ...] = ()  # the step names that create something in the ATS
    extra: dict = field(default_factory=dict)


# A real one-page PDF: the apply form refuses a file that does not open as its kind.
PDF_BYTES = simple_pdf(("Ada Lovelace", "ada@example.com"))


def make_submission(
    job_ref: str, *, email: str = "ada@example.com", application_id: int = 1, **overrides
) -> Submission:
    values = dict(
        application_id=application_id,
        public_id=f"pub-{application_id}",
        job_ref=job_ref,
        first_name="Ada",
        last_name="Lovelace",
        email=email,
        phone="+44 20 7946 0958",
        url="https://www.linkedin.com/in/ada",
        location="London, UK",
        cover_letter="I would love to work on engines.",
        resume=Resume("ada.pdf", "application/pdf", PDF_BYTES),
        answers=(Answer("q1", "Years of experience", "5"),),
        consent_text="I agree to the processing of my data.",
        consent_version="1",
        consent_at="2026-11-22T10:00:00+00:00",
        stage="",  # the job's own stage: none set, so the target's configured stage applies
        source="Careers site",
    )
    values.update(overrides)
    return Submission(**values)


def all_harnesses() -> dict[str, Callable[[], Harness]]:
    found = {}
    for module in pkgutil.iter_modules(__path__):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        if hasattr(loaded, "make"):
            found[module.name] = loaded.make
    return found
