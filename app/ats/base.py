"""The port every ATS adapter offers, the data it exchanges, and the errors it may raise.

Adapters do not inherit from `AtsAdapter`; they only have to fit it. They raise nothing but
`AtsError` subclasses, so the delivery runner can decide what to do without knowing the vendor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable


@dataclass(frozen=True)
class Job:
    ref: str  # the ATS's own id, always a string
    title: str
    location: str = ""
    department: str = ""
    remote: bool = False
    employment_type: str = ""  # schema.org values: FULL_TIME, PART_TIME, CONTRACTOR, ...
    description_html: str = ""
    open: bool = True


@dataclass(frozen=True)
class Stage:
    ref: str
    name: str


@dataclass(frozen=True)
class Source:
    ref: str
    name: str


# The kinds of question our application form renders (app.models.QUESTION_KINDS).
QuestionKind = Literal["short_text", "long_text", "single_select", "multi_select", "yes_no", "url", "file"]
CHOICE_KINDS: frozenset[str] = frozenset({"single_select", "multi_select"})


@dataclass(frozen=True)
class SyncedQuestion:
    """One of the ATS's own application questions, already in our form's terms.

    Each vendor's payload module maps its API body into this; a job sync stores it as a
    Question whose `ref` is the key the ATS wants the answer under. `options` are the labels
    the candidate sees, in the ATS's order.
    """

    ref: str
    label: str
    kind: QuestionKind = "short_text"
    required: bool = False
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateLimit:
    """A vendor's documented request budget: at most `requests` in any `seconds`."""

    requests: int
    seconds: float


@dataclass(frozen=True)
class Resume:
    filename: str
    content_type: str
    data: bytes = field(repr=False)  # keep resumes out of logs and tracebacks


@dataclass(frozen=True)
class Answer:
    question_ref: str  # the ATS's key for the question; "local-<id>" for one HR wrote here
    label: str
    value: Any  # str, list[str], bool, or a stored file's {"filename", ...}


@dataclass(frozen=True)
class Submission:
    """One application as every adapter sees it: the canonical payload of CONTRACTS §2."""

    application_id: int
    public_id: str  # our idempotency key, sent where an ATS has a field for it
    job_ref: str
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    url: str = ""
    location: str = ""
    cover_letter: str = ""
    resume: Resume | None = None
    answers: tuple[Answer, ...] = ()
    parsed: Mapping[str, Any] = field(default_factory=dict, repr=False)
    consent_text: str = ""
    consent_version: str = ""
    consent_at: str = ""  # ISO 8601
    # Consent to keep the application for future openings: "" when the candidate did not give it
    future_consent_text: str = ""
    future_consent_version: str = ""
    future_consent_at: str = ""  # ISO 8601
    attribution: Mapping[str, str] = field(default_factory=dict)
    stage: str = ""  # configured stage name or ref for new applicants
    source: str = ""  # configured source name

    def __repr__(self) -> str:  # personal data stays out of logs
        return f"Submission(application_id={self.application_id}, job_ref={self.job_ref!r})"


class Step(Protocol):
    """One named call (or a few) of an application's delivery, in the vendor's order."""

    @property
    def name(self) -> str:
        """The checkpoint key: "upload_cv", "create_applicant", ..."""
        ...

    @property
    def creates(self) -> bool:
        """Whether the step creates a record, so an unknown outcome is checked before a repeat."""
        ...

    def __call__(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class NamedStep:
    name: str
    run: Callable[[Submission, Mapping[str, str]], Mapping[str, str]]
    creates: bool = True  # a create whose outcome is unknown must be checked before repeating

    def __call__(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        return self.run(submission, done)


def named(
    name: str, run: Callable[[Submission, Mapping[str, str]], Mapping[str, str]], *, creates: bool = True
) -> NamedStep:
    return NamedStep(name, run, creates)


class AtsAdapter(Protocol):
    """What intake needs from an applicant tracking system. Raises only AtsError subclasses."""

    name: str

    def list_jobs(self) -> list[Job]: ...
    def stages(self, job: Job) -> list[Stage]: ...
    def sources(self) -> list[Source]: ...
    def steps(self) -> Sequence[Step]: ...
    def find_existing(self, submission: Submission) -> Mapping[str, str]: ...


@runtime_checkable
class QuestionSource(Protocol):
    """An ATS that holds each job's application questions (Workable, Greenhouse Job Board).

    Optional: a job sync imports them when the adapter offers this, checked with isinstance.
    """

    def questions(self, job: Job) -> Sequence[SyncedQuestion]: ...


ErasureResult = Literal["erased", "anonymised"]
UNKNOWN_CREATE = "unknown_create"  # in erase()'s refs: a create sent whose outcome was never recorded


@runtime_checkable
class Eraser(Protocol):
    """An ATS whose documented API deletes or anonymises a candidate (optional, checked with
    isinstance). Where none offers it, erasing is a task for HR.

    `refs` holds the ids the delivery's steps returned, flat, and under UNKNOWN_CREATE the name
    of a create that was sent but whose answer was never recorded: the adapter erases what the
    ids reach, and raises NeedsReviewError when that create may have left a record they do not.
    Raises only AtsError subclasses, like delivery; erasing what is already gone succeeds.
    """

    def erase(self, refs: Mapping[str, str]) -> ErasureResult: ...


class AtsError(Exception):
    """Base of every error an adapter raises. Messages hold method, path and status only."""

    def __init__(self, message: str, *, ats: str, status: int | None = None) -> None:
        super().__init__(message)
        self.ats = ats
        self.status = status


class RetryableError(AtsError):
    """Worth trying again later: timeouts, dropped connections, 429, 5xx.

    `ambiguous` says the request may have reached the ATS and been acted on (the connection
    dropped after sending, a 5xx to a POST), so a create must be checked before it is repeated.
    """

    def __init__(
        self,
        message: str,
        *,
        ats: str,
        status: int | None = None,
        retry_after: float | None = None,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(message, ats=ats, status=status)
        self.retry_after = retry_after
        self.ambiguous = ambiguous


class PermanentError(AtsError):
    """Will fail the same way every time: validation errors, unknown job or stage."""


class AuthError(AtsError):
    """Credentials refused (401/403): pause the integration and tell HR."""


class AlreadyInAts(AtsError):
    """The person is already a candidate on this job in the ATS, from an earlier application.

    Not a failure: the ATS holds them, so nothing more is sent. The delivery ends
    `already_in_ats` with this message, which HR sees. Raised only when the ATS's own record
    shows it, never for a record our own earlier attempt created (that one is adopted).
    """


class NeedsReviewError(AtsError):
    """The outcome cannot be known from the API (no lookup exists): a person must check."""
