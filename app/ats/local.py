"""The built-in target for companies without an ATS: applications stay in our database.

Delivery is a single `inbox` step that only names the application as its own reference, so
every company goes through the same runner, checkpoints and delivery log. Jobs, stages and
sources are kept in our own tables, hence the empty lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.ats.base import ErasureResult, Job, RateLimit, Source, Stage, Step, Submission, named

RATE_LIMIT: RateLimit | None = None  # no requests leave our own database
RESUME_FORMATS = frozenset({"pdf", "doc", "docx", "rtf", "odt", "txt", "html", "mht"})  # we keep the file

Inbox = Callable[[Submission], None]


class LocalAdapter:
    name = "local"

    def __init__(self, inbox: Inbox | None = None) -> None:
        self._inbox = inbox

    def list_jobs(self) -> list[Job]:
        return []

    def stages(self, job: Job) -> list[Stage]:
        return []

    def sources(self) -> list[Source]:
        return []

    def steps(self) -> Sequence[Step]:
        # Landing in our own inbox creates nothing outside: repeating it is harmless.
        return (named("inbox", self._deliver, creates=False),)

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        return {"inbox_ref": str(submission.application_id)}

    def erase(self, refs: Mapping[str, str]) -> ErasureResult:
        """The inbox is our own database: wiping the application here erased it."""
        return "erased"

    def _deliver(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        if self._inbox is not None:
            self._inbox(submission)
        return {"inbox_ref": str(submission.application_id)}


def build(
    settings: Mapping[str, Any] | None = None, *, inbox: Inbox | None = None, **_ignored: Any
) -> LocalAdapter:
    """`inbox` is told about each delivery (an HR notification, or a test's recorder)."""
    return LocalAdapter(inbox)
