"""Dover: list jobs with their pipeline stages, add a candidate (CONTRACTS §3, §9.1).

Dover's API has two endpoints and `POST /candidates` answers without any id, so nothing can be
looked up or changed afterwards. A create whose outcome is unknown is therefore never repeated
automatically: `find_existing` hands it to a person (`NeedsReviewError`).

Job (active?) and stage are read from the cached job list before the one create, so a closed job
or a stage the job lacks creates nothing. A returning applicant is simply added
again: Dover keys candidates by email (ASSUMED). Only when Dover answers that the candidate
already exists on this job does the delivery end "already in the ATS"; Dover documents no
duplicate answer, so a plain success is taken as delivered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from app.ats import dover_payloads as payloads
from app.ats.base import (
    AlreadyInAts,
    Job,
    NeedsReviewError,
    PermanentError,
    RateLimit,
    Source,
    Stage,
    Step,
    Submission,
    named,
)
from app.ats.http import bearer, json_body, make_client, send
from app.ats.ratelimit import Limiter

ATS = "dover"
DEFAULT_BASE_URL = "https://app.dover.io/api/v1/external"
DUPLICATE_MESSAGE = "already exists"
RATE_LIMIT: RateLimit | None = None  # not documented; 429 and Retry-After are honoured (CONTRACTS §3.3)
RESUME_FORMATS = frozenset({"pdf"})  # the resume part is a "PDF file" (CONTRACTS §3.3, S0)


@dataclass(frozen=True)
class DoverSettings:
    api_key: str
    base_url: str = DEFAULT_BASE_URL
    stage: str = ""  # stage name for new applicants; the job's first stage when empty
    jobs_ttl: float = 600.0  # seconds a job list (with stages) is reused

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any]) -> DoverSettings:
        return cls(
            api_key=settings["api_key"],
            base_url=settings.get("base_url") or DEFAULT_BASE_URL,
            stage=settings.get("stage", ""),
            jobs_ttl=float(settings.get("jobs_ttl", 600.0)),
        )


class DuplicateCandidate(Exception):
    """Dover said this candidate is already on the job: Dover holds them from an earlier
    application (ours would have gone to review, as Dover answers with no id to adopt)."""


def _spot_duplicate(response: httpx.Response) -> None:
    # Runs before the shared status table turns every 400 into a PermanentError: the duplicate
    # answer is the one 400 that means success.
    if response.status_code != 400 or response.request.method != "POST":
        return
    response.read()
    try:
        errors = response.json().get("non_field_errors", [])
    except (ValueError, AttributeError):
        return
    if any(DUPLICATE_MESSAGE in str(error).lower() for error in errors):
        raise DuplicateCandidate()


class DoverAdapter:
    name = ATS

    def __init__(
        self,
        client: httpx.Client,
        settings: DoverSettings,
        *,
        limiter: Limiter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._settings = settings
        self._limiter = limiter
        self._clock = clock
        self._jobs: list[dict] | None = None
        self._jobs_at = 0.0

    # lookups -------------------------------------------------------------------------------
    def list_jobs(self) -> list[Job]:
        return [
            Job(ref=str(raw["id"]), title=str(raw.get("title") or "")) for raw in self._raw_jobs(refresh=True)
        ]

    def stages(self, job: Job) -> list[Stage]:
        raw = self._job(job.ref)
        return [
            Stage(ref=str(s["id"]), name=str(s.get("name") or ""))
            for s in raw.get("hiring_pipeline_stages") or []
        ]

    def sources(self) -> list[Source]:
        return []  # Dover's API has no sources; the source travels in additional_comments

    # delivery ------------------------------------------------------------------------------
    def steps(self) -> Sequence[Step]:
        return (named("add_candidate", self._add_candidate),)

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        raise NeedsReviewError(
            f"{ATS}: POST /candidates for application {submission.public_id} (job "
            f"{submission.job_ref}) may have been saved; Dover returns no ids and has no lookup, "
            "so check the job's candidates in Dover before delivering again",
            ats=ATS,
        )

    def _add_candidate(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        stage = self._stage_for(submission)
        resume = payloads.resume_part(submission)
        form = payloads.candidate_form(submission, submission.job_ref, stage.ref)
        form["additional_comments"] = payloads.additional_comments(submission, resume.note)
        # Dover takes multipart only, also without a file: each field goes as a form part.
        parts: list[tuple[str, tuple[Any, ...]]] = [(name, (None, value)) for name, value in form.items()]
        if resume.file:
            parts.append(("resume", resume.file))
        try:
            self._send("POST", "/candidates", files=parts)
        except DuplicateCandidate:
            raise AlreadyInAts(
                f"{ATS}: Dover already holds this candidate on job {submission.job_ref} "
                f"(POST /candidates -> 400 already exists); application {submission.public_id} "
                "was not added again",
                ats=ATS,
                status=400,
            ) from None
        except PermanentError as exc:
            if exc.status == 404 and not self._is_active(submission.job_ref):
                raise _closed(submission.job_ref) from exc  # closed since the list was cached
            raise
        return {"dover_candidate": "added", "dover_stage_ref": stage.ref}

    def _stage_for(self, submission: Submission) -> Stage:
        """The job's own stage, else the configured `stage`, else the job's first (where Dover
        itself puts new candidates), by id or name. A stage named but missing on this job is a
        PermanentError before anything is sent: a candidate in the wrong stage cannot be moved
        through the API afterwards."""
        stages = self.stages(Job(ref=submission.job_ref, title=""))
        if not stages:
            raise PermanentError(f"{ATS}: job {submission.job_ref} has no pipeline stages", ats=ATS)
        wanted = submission.stage.strip() or self._settings.stage.strip()
        if not wanted:
            return stages[0]
        chosen = _stage_named(stages, wanted)
        if chosen is None:
            raise PermanentError(
                f"{ATS}: stage {wanted!r} is not a stage of job {submission.job_ref} "
                f"({', '.join(s.name for s in stages)})",
                ats=ATS,
            )
        return chosen

    # http ----------------------------------------------------------------------------------
    def _job(self, job_ref: str) -> dict:
        for refresh in (False, True):
            for raw in self._raw_jobs(refresh=refresh):
                if str(raw.get("id")) == job_ref:
                    return raw
        raise _closed(job_ref)

    def _is_active(self, job_ref: str) -> bool:
        return any(str(raw.get("id")) == job_ref for raw in self._raw_jobs(refresh=True))

    def _raw_jobs(self, *, refresh: bool) -> list[dict]:
        fresh = self._clock() - self._jobs_at < self._settings.jobs_ttl
        if self._jobs is not None and fresh and not refresh:
            return self._jobs
        jobs: list[dict] = []
        url: str | None = "/jobs"
        while url:
            body = json_body(self._send("GET", url), ATS)
            jobs += body.get("results") or []
            url = body.get("next")
        self._jobs, self._jobs_at = jobs, self._clock()
        return jobs

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._limiter is not None:
            self._limiter.acquire()
        return send(self._client, method, path, ats=ATS, **kwargs)


def _closed(job_ref: str) -> PermanentError:
    return PermanentError(
        f"{ATS}: job {job_ref} is closed or unknown (not among Dover's active jobs)", ats=ATS, status=404
    )


def _stage_named(stages: list[Stage], wanted: str) -> Stage | None:
    """The stage whose id or name (any case) is `wanted`."""
    wanted = wanted.casefold()
    return next((s for s in stages if wanted in (s.ref.casefold(), s.name.strip().casefold())), None)


def build(
    settings: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    clock: Callable[[], float] = time.monotonic,
    **_: Any,
) -> DoverAdapter:
    config = DoverSettings.from_dict(settings)
    client = make_client(
        config.base_url.rstrip("/"),
        bearer(config.api_key),
        ats=ATS,
        transport=transport,
        on_response=[_spot_duplicate],
    )
    return DoverAdapter(client, config, limiter=limiter, clock=clock)
