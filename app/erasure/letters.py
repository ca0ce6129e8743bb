"""The erasure's two messages: the candidate's receipt, in the language they asked in, and
HR's task when a person has to act in the ATS. Both are queued in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy.orm import Session

from app.intake.outbox import queue
from app.intake.post import HR_LANGUAGE, Post
from app.mail.letters import render
from app.models import Erasure, OutboxMessage

# How far the erasure reached in the ATS, as the receipt says it.
OUTCOMES = ("erased", "anonymised", "hr_task", "hr_done", "nothing_sent")

ATS_NAMES = {
    "local": "",  # applications stay on this site: nothing outside to name
    "skailer": "Skailer",
    "dover": "Dover",
    "nexivohr": "NexivoHR",
    "workable": "Workable",
    "greenhouse": "Greenhouse",
}


def ats_name(target: str) -> str:
    return ATS_NAMES.get(target, target)


@dataclass(frozen=True)
class Letters:
    post: Post

    def receipt(self, session: Session, erasure: Erasure, outcome: str) -> list[OutboxMessage]:
        """The candidate's receipt; none when its address is already gone (queued before)."""
        if not erasure.receipt_to:
            return []
        context = self._context(erasure, outcome=outcome)
        with force_locale(erasure.language or HR_LANGUAGE):
            letter = render(self.post.env, "erasure_receipt", erasure.receipt_to, context)
        return queue(session, self.post.settings, [letter])

    def task(self, session: Session, erasure: Erasure, status: str, error: str) -> list[OutboxMessage]:
        """HR's alert: erase by hand, review, or a failure; one per erasure, as each needs its
        own action in the ATS."""
        context = self._context(erasure, status=status, error=error)
        with force_locale(HR_LANGUAGE):
            letters = [render(self.post.env, "erasure_task", to, context) for to in self.post.hr_recipients]
        return queue(session, self.post.settings, letters)

    def retention_tasks(self, session: Session, tasks: Mapping[str, int]) -> list[OutboxMessage]:
        """HR's one alert of a retention run: how many records each ATS holds that HR must erase
        by hand, listed in /admin/erasures. One per run, not one per application."""
        counts = sorted((ats_name(target) or target, n) for target, n in tasks.items())
        context: dict[str, object] = {"company": self.post.company, "base_url": self.post.base_url}
        context.update(counts=counts, total=sum(tasks.values()))
        with force_locale(HR_LANGUAGE):
            letters = [
                render(self.post.env, "retention_tasks", to, context) for to in self.post.hr_recipients
            ]
        return queue(session, self.post.settings, letters)

    def wake(self, rows: list[OutboxMessage]) -> None:
        self.post.wake(rows)

    def _context(self, erasure: Erasure, **values: object) -> dict[str, object]:
        return {
            "company": self.post.company,
            "base_url": self.post.base_url,
            "erasure": erasure,
            "ats": ats_name(erasure.target),
            **values,
        }
