"""Harness for the built-in local target: its "ATS" is an inbox list the test can read."""

from __future__ import annotations

from app.ats.base import AuthError, PermanentError, RetryableError, Submission
from app.ats.local import build
from tests.ats.harnesses import Harness


class LocalInbox:
    """Stands where a vendor sandbox would: receives deliveries and injects faults."""

    def __init__(self) -> None:
        self.received: list[Submission] = []
        self._fail: dict[str, int] = {}
        self._commit_then_fail: dict[str, str] = {}
        self._expired = False

    def __call__(self, submission: Submission) -> None:
        if self._expired:
            raise AuthError("local: inbox -> 401", ats="local", status=401)
        status = self._fail.pop("inbox", None)
        if status is not None:
            raise _error(status)
        self.received.append(submission)
        if self._commit_then_fail.pop("inbox", None) is not None:
            raise RetryableError("local: inbox -> 500", ats="local", status=500, ambiguous=True)

    def fail_next(self, step: str, status: int = 500) -> None:
        self._fail[step] = status

    def commit_then_fail_next(self, step: str, mode: str = "500") -> None:
        self._commit_then_fail[step] = mode

    def count_applications(self, email: str, job_ref: str) -> int:
        return sum(1 for s in self.received if s.email == email and s.job_ref == job_ref)

    def expire_token(self) -> None:
        self._expired = True


def _error(status: int) -> Exception:
    message = f"local: inbox -> {status}"
    if status == 429 or status >= 500:
        return RetryableError(message, ats="local", status=status)
    if status in (401, 403):
        return AuthError(message, ats="local", status=status)
    return PermanentError(message, ats="local", status=status)


def make() -> Harness:
    inbox = LocalInbox()
    return Harness(
        kind="local",
        adapter=build({"kind": "local"}, inbox=inbox),
        sandbox=inbox,
        job_ref="local-job-1",
        has_lookup=True,
        create_steps=(),
    )
