"""Skailer: the vendor's documented application sequence (CONTRACTS §7, §9.6).

Jobs, pipelines and sources are cached for `cache_ttl` seconds, so once warm an application
costs three required calls (upload CV, create applicant, assign to job) plus the comment.

The comment is the one call that is not required. With `comment: "when_needed"` (the default)
it is sent only when the application carries something Skailer's fields cannot hold: a cover
letter, answers, attribution from the visit, or a source Skailer has no entry for. Consent is
the same for every application taken through our form and stays in our database with its text,
version and time. `comment: "always"` sends it for every application, consent included.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from app.ats import skailer_payloads as payloads
from app.ats.base import Job, PermanentError, RateLimit, Source, Stage, Step, Submission, named
from app.ats.cache import TtlCache
from app.ats.http import bearer, json_body, make_client, send
from app.ats.ratelimit import Limiter

ATS = "skailer"
RATE_LIMIT = RateLimit(100, 60.0)  # documented (CONTRACTS §7.1)
RESUME_FORMATS = frozenset({"pdf", "doc", "docx"})  # CV upload, judged by content (CONTRACTS §7.3, S4)
COMMENT_POLICIES = ("when_needed", "always")


@dataclass(frozen=True)
class SkailerSettings:
    base_url: str
    token: str
    stage: str = "New"  # stage name or id for new candidates
    source: str = "Careers site"  # source name
    cache_ttl: float = 600.0
    comment: str = "when_needed"  # or "always"; see the module docstring

    def __post_init__(self) -> None:
        if self.comment not in COMMENT_POLICIES:
            raise ValueError(
                f"ATS comment must be one of {', '.join(COMMENT_POLICIES)}, not {self.comment!r}"
            )

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any]) -> SkailerSettings:
        known = {
            k: settings[k]
            for k in ("base_url", "token", "stage", "source", "cache_ttl", "comment")
            if settings.get(k) is not None
        }
        return cls(**known)


class SkailerAdapter:
    name = ATS

    def __init__(
        self,
        client: httpx.Client,
        settings: SkailerSettings,
        *,
        limiter: Limiter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client, self._settings, self._limiter = client, settings, limiter
        self._cache = TtlCache(settings.cache_ttl, clock)

    # lookups ---------------------------------------------------------------------------

    def list_jobs(self) -> list[Job]:
        return [payloads.job_from(item) for item in self._job_items().values()]

    def stages(self, job: Job) -> list[Stage]:
        pipeline = self._pipeline(self._job_item(job.ref)["pipeline_id"])
        ordered = sorted(pipeline["stages"], key=lambda s: s.get("position", 0))
        return [Stage(ref=str(s["id"]), name=s["name"]) for s in ordered]

    def sources(self) -> list[Source]:
        return [Source(ref=str(s["id"]), name=s["name"]) for s in self._source_items()]

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        """Ids Skailer already holds for this person and job (ASSUMED search endpoints)."""
        found: dict[str, str] = {}
        applicant_ref = self._find_applicant(submission.email)
        if applicant_ref is None:
            return found
        found["applicant_ref"] = applicant_ref
        body = self._json(
            "POST",
            payloads.CANDIDATES_SEARCH,
            json=payloads.candidates_search(applicant_ref, int(submission.job_ref)),
        )
        items = body.get("items") or []
        if items:
            found["candidate_ref"] = str(items[0]["id"])
        return found

    # steps -----------------------------------------------------------------------------

    def steps(self) -> Sequence[Step]:
        # Repeating an upload or a comment leaves an orphan file or a second note, never a
        # second application, and Skailer offers no lookup for either: no marker needed.
        return (
            named("upload_cv", self._upload_cv, creates=False),
            named("create_applicant", self._create_applicant),
            named("assign_to_job", self._assign_to_job),
            named("comment", self._comment, creates=False),
        )

    def _upload_cv(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        resume = submission.resume
        if resume is None:
            return {"cv_ref": ""}
        body = self._json(
            "POST", payloads.UPLOAD_CV, files={"file": (resume.filename, resume.data, resume.content_type)}
        )
        return {"cv_ref": str(body["cv_id"])}

    def _create_applicant(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        body = payloads.applicant(submission, done.get("cv_ref"), self._source_id(submission))
        response = send(
            self._client, "POST", payloads.APPLICANT, ats=ATS, limiter=self._limiter, json=body, accept=(422,)
        )
        if response.status_code == 422:
            return {"applicant_ref": self._existing_applicant(submission, response)}
        return {"applicant_ref": str(json_body(response, ATS)["id"])}

    def _assign_to_job(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        job = self._job_item(submission.job_ref)
        stage_id = self._stage_id(job["pipeline_id"], submission.stage or self._settings.stage)
        body = payloads.candidate(
            job["id"], done["applicant_ref"], job["pipeline_id"], stage_id, self._source_id(submission)
        )
        try:
            created = self._json("POST", payloads.CANDIDATE, json=body)
        except PermanentError:
            self._cache.clear()  # the job or its pipeline may have changed
            raise
        return {"candidate_ref": str(created["id"])}

    def _comment(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        if self._settings.comment == "when_needed" and not payloads.needs_comment(
            submission, source_known=self._source_id(submission) is not None
        ):
            return {"comment_ref": ""}
        path = payloads.ACTIONS.format(candidate_id=done["candidate_ref"])
        source = self._source_name(submission)
        created = self._json("POST", path, json=payloads.comment(submission, source))
        return {"comment_ref": str(created["id"])}

    # helpers ---------------------------------------------------------------------------

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return json_body(send(self._client, method, path, ats=ATS, limiter=self._limiter, **kwargs), ATS)

    def _existing_applicant(self, submission: Submission, response: httpx.Response) -> str:
        """A returning applicant (same email) is adopted rather than refused."""
        ref = payloads.duplicate_applicant_id(json_body(response, ATS))
        ref = ref or self._find_applicant(submission.email)
        if ref is None:
            raise PermanentError(f"{ATS}: POST {payloads.APPLICANT} -> 422", ats=ATS, status=422)
        return ref

    def _find_applicant(self, email: str) -> str | None:
        body = self._json("POST", payloads.APPLICANTS_SEARCH, json=payloads.applicants_search(email))
        return payloads.matching_applicant(body.get("items") or [], email)

    def _job_items(self) -> dict[str, dict]:
        return self._cache.get("jobs", self._load_jobs)

    def _load_jobs(self) -> dict[str, dict]:
        items: dict[str, dict] = {}
        page = 1
        while True:
            body = self._json("POST", payloads.JOBS_SEARCH, json=payloads.jobs_search(page))
            items.update((str(item["id"]), item) for item in body.get("items") or [])
            if payloads.is_last_page(body, len(items)):
                return items
            page += 1

    def _job_item(self, job_ref: str) -> dict:
        item = self._job_items().get(str(job_ref))
        if item is None:
            self._cache.clear()  # a job opened since the last load
            item = self._job_items().get(str(job_ref))
        if item is None:
            raise PermanentError(f"{ATS}: job {job_ref} not found", ats=ATS, status=404)
        return item

    def _pipeline(self, pipeline_id: int) -> dict:
        pipelines = self._cache.get("pipelines", lambda: self._json("GET", payloads.PIPELINES))
        for pipeline in pipelines:
            if pipeline["id"] == pipeline_id:
                return pipeline
        raise PermanentError(f"{ATS}: pipeline {pipeline_id} not found", ats=ATS, status=404)

    def _stage_id(self, pipeline_id: int, wanted: str) -> int:
        stages = self._pipeline(pipeline_id)["stages"]
        for stage in stages:
            if str(stage["id"]) == str(wanted) or stage["name"].lower() == str(wanted).lower():
                return stage["id"]
        raise PermanentError(f"{ATS}: stage {wanted!r} not in pipeline {pipeline_id}", ats=ATS, status=422)

    def _source_items(self) -> list[dict]:
        return self._cache.get("sources", lambda: self._json("GET", payloads.SOURCES))

    def _source_name(self, submission: Submission) -> str:
        return payloads.source_name(
            submission, self._settings.source, (s["name"] for s in self._source_items())
        )

    def _source_id(self, submission: Submission) -> int | None:
        wanted = self._source_name(submission).lower()
        return next((s["id"] for s in self._source_items() if s["name"].lower() == wanted), None)


def build(
    settings: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    clock: Callable[[], float] = time.monotonic,
    **_ignored: Any,
) -> SkailerAdapter:
    config = SkailerSettings.from_dict(settings)
    client = make_client(config.base_url, bearer(config.token), ats=ATS, transport=transport)
    return SkailerAdapter(client, config, limiter=limiter, clock=clock)
