"""NexivoHR: check the job, find or create the candidate, submit them to the job, move to a first
stage (§4, §9.2).

The job (open?) and the wanted stage are checked before anything is created, so a closed job or a
stage NexivoHR does not have leaves no candidate behind. A returning applicant (same email) is
submitted as the candidate NexivoHR already holds; one already submitted to this job by an earlier
application ends "already in the ATS".

NexivoHR has no resume endpoint, so the file stays with us and a signed, expiring link to it
(made by the web app, passed in as `resume_link`) goes into a configurable field. Its plans cap
requests per minute and per day; we keep under both so that NexivoHR never has to answer 429.
Response bodies are undocumented: both `{"data": ...}` and bare objects are accepted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage

from app.ats import nexivohr_payloads as payloads
from app.ats.base import (
    AlreadyInAts,
    Job,
    PermanentError,
    RateLimit,
    RetryableError,
    Source,
    Stage,
    Step,
    Submission,
    named,
)
from app.ats.http import bearer, json_body, make_client, send
from app.ats.ratelimit import STORE_DOWN_RETRY, Limiter, MemoryWindow

ATS = "nexivohr"
PLAN_LIMITS = {"professional": (60, 10_000), "enterprise": (600, 1_000_000)}  # per minute, per day
# The shared budget: the Professional plan's, the lowest with API access (CONTRACTS §4.3). An
# Enterprise target may set `rate_limit_per_minute: 600`. The daily quota is shared like the budget.
RATE_LIMIT = RateLimit(PLAN_LIMITS["professional"][0], 60.0)
RESUME_FORMATS = frozenset({"pdf", "doc", "docx", "rtf", "odt", "txt", "html", "mht"})  # no upload: a link
DEFAULT_STAGE = "submitted"  # ASSUMED: where a new submission starts
STAGES = ("screening", "interview", "offer", "placed", "rejected")  # PATCH enum, documented
KNOWN_STAGES = (DEFAULT_STAGE, *STAGES)
PER_PAGE = 100


@dataclass(frozen=True)
class NexivoSettings:
    api_token: str
    base_url: str  # https://<tenant-domain>/ats/api/v1
    plan: str = "professional"
    first_stage: str = ""  # one of KNOWN_STAGES; empty leaves the default stage
    resume_link_field: str = "notes"  # submission field; "candidate.<field>" for the candidate
    submission_note: str = "Applied via the careers site"
    extra_fields: Mapping[str, str] = field(default_factory=dict)  # NexivoHR field -> Submission attr

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any]) -> NexivoSettings:
        known = {
            k: settings[k]
            for k in ("plan", "first_stage", "resume_link_field", "submission_note", "extra_fields")
            if k in settings
        }
        return cls(api_token=settings["api_token"], base_url=settings["base_url"], **known)


class DailyQuota:
    """Requests per calendar day (UTC). Exhausted means wait for tomorrow: raise, do not sleep.

    The count lives in `storage` (the `limits` storage every worker shares: Redis when set), one
    counter per target and day; without one it is this process's own.
    """

    def __init__(
        self,
        limit: int,
        *,
        clock: Callable[[], float] = time.time,
        storage: Storage | None = None,
        key: str = ATS,
    ) -> None:
        self.limit, self._clock, self._key = limit, clock, key
        self._storage = storage if storage is not None else MemoryStorage()

    def take(self) -> None:
        now = self._clock()
        day = int(now // 86_400)
        try:
            used = self._storage.incr(f"quota:{self._key}:{day}", 2 * 86_400)
        except StorageError as exc:
            raise RetryableError(
                f"{ATS}: request quota store unavailable", ats=ATS, retry_after=STORE_DOWN_RETRY
            ) from exc
        if used > self.limit:
            raise RetryableError(
                f"{ATS}: daily request quota used up", ats=ATS, retry_after=(day + 1) * 86_400 - now
            )


def _limits(plan: str) -> tuple[int, int]:
    try:
        return PLAN_LIMITS[plan.lower()]
    except KeyError:
        raise ValueError(f"NexivoHR plan {plan!r} has no API access; known: {sorted(PLAN_LIMITS)}") from None


def unwrap(body: Any) -> Any:
    """The payload whether NexivoHR wrapped it in {"data": ...} or not."""
    if isinstance(body, dict) and "data" in body and set(body) <= {"data", "meta", "links"}:
        return body["data"]
    return body


class NexivoAdapter:
    name = ATS

    def __init__(
        self,
        client: httpx.Client,
        settings: NexivoSettings,
        *,
        limiter: Limiter,
        quota: DailyQuota,
        resume_link: Callable[[Submission], str] | None = None,
    ) -> None:
        self._client, self._settings = client, settings
        self._limiter, self._quota, self._resume_link = limiter, quota, resume_link

    def list_jobs(self) -> list[Job]:
        return [
            Job(
                ref=str(raw["id"]),
                title=str(raw.get("title") or ""),
                location=str(raw.get("location") or ""),
                open=raw.get("status", "open") != "closed",
            )
            for raw in self._pages("/jobs")
        ]

    def stages(self, job: Job) -> list[Stage]:
        return [Stage(ref=name, name=name.capitalize()) for name in (DEFAULT_STAGE, *STAGES)]

    def sources(self) -> list[Source]:
        return []  # no sources in NexivoHR's API

    def steps(self) -> Sequence[Step]:
        return (
            named("check_job", self._check_job, creates=False),
            named("find_candidate", self._find_candidate, creates=False),
            named("create_candidate", self._create_candidate),
            named("submit_to_job", self._submit_to_job),
            named("move_stage", self._move_stage, creates=False),
        )

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        """What our own earlier create (answered ambiguously) left in NexivoHR, to adopt it."""
        candidate_ref = self._candidate_ref(submission.email)
        if not candidate_ref:
            return {}
        found = {"candidate_ref": candidate_ref}
        submission_ref = self._submission_ref(submission.job_ref, candidate_ref)
        if submission_ref:
            found["submission_ref"] = submission_ref
        return found

    # steps ---------------------------------------------------------------------------------
    def _check_job(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        """Refuse a closed or unknown job and an unknown stage while nothing exists yet."""
        if done.get("submission_ref"):
            return {}
        self._wanted_stage(submission)
        job = unwrap(self._json("GET", f"/jobs/{submission.job_ref}"))  # 404 -> PermanentError
        if isinstance(job, dict) and job.get("status") == "closed":
            raise PermanentError(f"{ATS}: job {submission.job_ref} is closed", ats=ATS)
        return {}

    def _find_candidate(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        """Same email, same person: reuse them. Already on this job from an earlier application:
        NexivoHR holds it, so nothing more is sent."""
        ref = self._candidate_ref(submission.email)
        if not ref:
            return {}
        earlier = self._submission_ref(submission.job_ref, ref)
        if earlier:
            raise AlreadyInAts(
                f"{ATS}: candidate {ref} is already submitted to job {submission.job_ref} "
                f"(submission {earlier}) from an earlier application",
                ats=ATS,
            )
        return {
            "candidate_ref": ref,
            "returning": "yes",
            "note:candidate": (
                f"NexivoHR already held candidate {ref} with this email: the application was "
                "submitted to that candidate, whose record was left as it was; the details given "
                "this time are in the submission's notes."
            ),
        }

    def _create_candidate(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        if done.get("candidate_ref"):
            return {}
        body = payloads.candidate_body(submission, self._settings.extra_fields)
        self._add_link(submission, body, on_candidate=True)
        try:
            created = self._json("POST", "/candidates", json=body)
        except PermanentError as exc:
            # Someone (another worker, HR by hand) created them since we looked: adopt that record.
            ref = self._candidate_ref(submission.email) if exc.status == 400 else ""
            if not ref:
                raise
            return {"candidate_ref": ref, "returning": "yes"}
        return {"candidate_ref": str(unwrap(created)["id"])}

    def _submit_to_job(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        if done.get("submission_ref"):
            return {}
        candidate_ref = done["candidate_ref"]
        notes = payloads.submission_notes(
            submission, self._settings.submission_note, returning=bool(done.get("returning"))
        )
        body = {"candidate_id": _id(candidate_ref), "notes": notes}
        self._add_link(submission, body, on_candidate=False, returning=bool(done.get("returning")))
        try:
            created = self._json("POST", f"/jobs/{submission.job_ref}/submissions", json=body)
        except PermanentError as exc:
            # Our own earlier attempt is adopted through find_existing before this step runs
            # again; a submission found here was made by someone else since we looked.
            earlier = self._submission_ref(submission.job_ref, candidate_ref) if exc.status == 400 else ""
            if not earlier:
                raise
            raise AlreadyInAts(
                f"{ATS}: candidate {candidate_ref} is already submitted to job {submission.job_ref} "
                f"(submission {earlier})",
                ats=ATS,
                status=400,
            ) from exc
        return {"submission_ref": str(unwrap(created)["id"])}

    def _move_stage(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        stage = self._wanted_stage(submission)
        if stage in ("", DEFAULT_STAGE):
            return {}
        self._json("PATCH", f"/submissions/{done['submission_ref']}", json={"stage": stage})
        return {"stage_ref": stage}

    # payloads ------------------------------------------------------------------------------
    def _add_link(
        self, submission: Submission, body: dict, *, on_candidate: bool, returning: bool = False
    ) -> None:
        """The resume link into its configured field. A returning applicant's record is not
        written, so with a candidate field configured their link goes in the submission's notes."""
        if self._resume_link is None or submission.resume is None:
            return
        target = self._settings.resume_link_field
        wants_candidate = target.startswith("candidate.")
        if on_candidate != wants_candidate and not (returning and wants_candidate):
            return
        key = "notes" if wants_candidate and not on_candidate else target.removeprefix("candidate.")
        link = self._resume_link(submission)  # a text field gets a label, a URL field the bare link
        body[key] = f"{body[key]}\nResume: {link}" if body.get(key) else link

    def _wanted_stage(self, submission: Submission) -> str:
        """The job's own stage, else the configured `first_stage` ("" leaves `submitted`).

        A stage NexivoHR does not have is a PermanentError, raised in `check_job` before
        anything exists in NexivoHR: a wrong stage name is HR's to fix, not to guess around."""
        wanted = submission.stage.strip() or self._settings.first_stage.strip()
        if wanted and wanted.lower() not in KNOWN_STAGES:
            raise PermanentError(
                f"{ATS}: stage {wanted!r} is not a NexivoHR stage ({', '.join(KNOWN_STAGES)})", ats=ATS
            )
        return wanted.lower()

    # http ----------------------------------------------------------------------------------
    def _candidate_ref(self, email: str) -> str:
        for raw in self._pages("/candidates", {"q": payloads.email_query(email)}):
            if str(raw.get("email", "")).strip().lower() == email.strip().lower():
                return str(raw["id"])
        return ""

    def _submission_ref(self, job_ref: str, candidate_ref: str) -> str:
        for raw in self._pages(f"/jobs/{job_ref}/submissions"):
            if str(raw.get("candidate_id")) == candidate_ref:
                return str(raw["id"])
        return ""

    def _pages(self, path: str, params: Mapping[str, str] | None = None) -> list[dict]:
        items: list[dict] = []
        page = 1
        while True:
            body = self._json("GET", path, params={**(params or {}), "page": page, "per_page": PER_PAGE})
            batch = unwrap(body) or []
            items += batch
            total = body.get("meta", {}).get("total") if isinstance(body, dict) else None
            if len(batch) < PER_PAGE or (total is not None and len(items) >= total):
                return items
            page += 1

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        self._quota.take()
        self._limiter.acquire()
        return json_body(send(self._client, method, path, ats=ATS, **kwargs), ATS)


def _id(ref: str) -> int | str:
    return int(ref) if ref.isdigit() else ref


def build(
    settings: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    resume_link: Callable[[Submission], str] | None = None,
    counters: Storage | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    **_: Any,
) -> NexivoAdapter:
    """`limiter` (shared across workers) replaces the in-process per-minute budget of the plan;
    `counters` (the `limits` storage shared across workers) keeps the daily quota."""
    config = NexivoSettings.from_dict(settings)
    per_minute, per_day = _limits(config.plan)
    headers = {**bearer(config.api_token), "Accept": "application/json"}
    client = make_client(config.base_url.rstrip("/"), headers, ats=ATS, transport=transport)
    return NexivoAdapter(
        client,
        config,
        limiter=limiter or MemoryWindow(per_minute, 60.0, clock=clock, sleep=sleep),
        quota=DailyQuota(per_day, clock=clock, storage=counters, key=f"{ATS}:{config.base_url}"),
        resume_link=resume_link,
    )
