"""Workable adapter (CONTRACTS §5, §9.3): one create call delivers the whole application.

Account tokens get 10 requests per 10 seconds, so the adapter paces itself from the
X-Rate-Limit-* headers of the previous response instead of finding the limit with a 429, and it
skips the lookup before a create: Workable refuses a second candidate with the same email on the
same job (422 "already exists"), and that refusal is adopted as the delivery it proves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from app.ats import workable_payloads as payloads
from app.ats.base import (
    Job,
    PermanentError,
    RateLimit,
    RetryableError,
    Source,
    Stage,
    Step,
    Submission,
    SyncedQuestion,
    named,
)
from app.ats.cache import TtlCache
from app.ats.http import bearer, json_body, make_client, send
from app.ats.ratelimit import Limiter

ATS = "workable"
CACHE_SECONDS = 600.0
# Account tokens, the kind a tenant hands us: 10 requests per 10 seconds (CONTRACTS §5.3).
# OAuth and partner tokens get 50; a target's `rate_limit_per_minute` may say otherwise.
RATE_LIMIT = RateLimit(10, 10.0)
RESUME_FORMATS = frozenset({"pdf", "doc", "docx", "rtf"})  # API resume formats (CONTRACTS §5.3, S2)


@dataclass(frozen=True)
class WorkableSettings:
    base_url: str  # https://{subdomain}.workable.com/spi/v3
    token: str
    member_id: str = ""  # comments need a Workable member; no member, no comment step
    sourced: bool = False  # False: Workable treats the candidate as applied and thanks them
    domain: str = ""  # shown in Workable as where the candidate came from

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any]) -> WorkableSettings:
        return cls(
            base_url=settings["base_url"].rstrip("/"),
            token=settings["token"],
            member_id=str(settings.get("member_id") or ""),
            sourced=bool(settings.get("sourced", False)),
            domain=settings.get("domain", ""),
        )


class RatePacer:
    """Waits out the rest of a 10-second window when the last response said none is left."""

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._clock, self._sleep = clock, sleep
        self.remaining: int | None = None
        self.reset_at: float | None = None

    def observe(self, response: httpx.Response) -> None:
        headers = response.headers
        if "X-Rate-Limit-Remaining" in headers:
            self.remaining = int(headers["X-Rate-Limit-Remaining"])
        if "X-Rate-Limit-Reset" in headers:
            reset = float(headers["X-Rate-Limit-Reset"])
            # A timestamp per Workable's docs; small numbers are read as seconds from now.
            self.reset_at = reset if reset > 1e9 else self._clock() + reset

    def wait_seconds(self) -> float:
        if self.reset_at is None:
            return 0.0
        return max(0.0, self.reset_at - self._clock())

    def before_request(self) -> None:
        if self.remaining is not None and self.remaining <= 0:
            pause = self.wait_seconds()
            if pause > 0:
                self._sleep(pause)
            self.remaining = None


class WorkableAdapter:
    name = ATS

    def __init__(
        self,
        client: httpx.Client,
        settings: WorkableSettings,
        *,
        pacer: RatePacer,
        limiter: Limiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._settings = settings
        self._pacer = pacer
        self._limiter = limiter
        self._clock = clock
        self._cache = TtlCache(CACHE_SECONDS, clock)

    # lookups -----------------------------------------------------------------------------
    def list_jobs(self) -> list[Job]:
        return [payloads.job_from(item) for item in self._jobs_data()]

    def stages(self, job: Job) -> list[Stage]:
        data = self._cache.get(("stages", job.ref), lambda: self._get(f"/jobs/{job.ref}/stages")["stages"])
        return [Stage(ref=item["slug"], name=item["name"]) for item in data]

    def sources(self) -> list[Source]:
        """Workable has no source list: the origin is free text in `domain`."""
        return []

    def questions(self, job: Job) -> list[SyncedQuestion]:
        """The job's application questions, for our form to ask."""
        return [payloads.synced_question(q) for q in self._questions_data(job.ref)]

    # delivery ----------------------------------------------------------------------------
    def steps(self) -> Sequence[Step]:
        steps = [named("create_candidate", self._create_candidate)]
        if self._settings.member_id:
            steps.append(named("comment", self._comment))
        return tuple(steps)

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        found = self._get("/candidates", params={"email": submission.email, "shortcode": submission.job_ref})
        candidates = found.get("candidates") or []
        return {"candidate_ref": str(candidates[0]["id"])} if candidates else {}

    def _create_candidate(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        if done.get("candidate_ref"):
            return {"candidate_ref": done["candidate_ref"]}
        body = payloads.candidate_body(
            submission,
            self._questions_data(submission.job_ref),
            sourced=self._settings.sourced,
            domain=payloads.domain(submission, self._settings.domain),
            details_in_comment=bool(self._settings.member_id),
        )
        params = {}
        stage = self._stage_slug(submission)
        if stage:
            params["stage"] = stage
        try:
            response = self._send("POST", f"/jobs/{submission.job_ref}/candidates", json=body, params=params)
        except PermanentError as exc:
            if exc.status == 422:
                existing = self.find_existing(submission)
                if existing:  # "candidate already exists": delivered before, adopt it
                    return existing
            raise
        return {"candidate_ref": str(json_body(response, self.name)["candidate"]["id"])}

    def _comment(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        if done.get("comment_ref"):
            return {"comment_ref": done["comment_ref"]}
        body = {
            "member_id": self._settings.member_id,
            "comment": {"body": payloads.comment_body(submission), "policy": ["admin"]},
        }
        response = self._send("POST", f"/candidates/{done['candidate_ref']}/comments", json=body)
        data = json_body(response, self.name) if response.content else {}
        return {"comment_ref": str(data.get("id", "1"))}

    def _stage_slug(self, submission: Submission) -> str:
        """The configured stage, matched by slug or name; no match leaves Workable's default
        (applied, or sourced when `sourced` is on) rather than failing the delivery."""
        wanted = submission.stage.strip().lower()
        if not wanted:
            return ""
        job = Job(ref=submission.job_ref, title="")
        return next((s.ref for s in self.stages(job) if wanted in (s.ref.lower(), s.name.lower())), "")

    # plumbing ----------------------------------------------------------------------------
    def _jobs_data(self) -> list[dict]:
        def fetch() -> list[dict]:
            jobs: list[dict] = []
            page = self._get("/jobs", params={"state": "published", "limit": 100})
            while True:
                jobs.extend(page.get("jobs") or [])
                next_url = (page.get("paging") or {}).get("next")
                if not next_url:
                    return jobs
                page = self._get(next_url)

        return self._cache.get(("jobs",), fetch)

    def _questions_data(self, shortcode: str) -> list[dict]:
        return self._cache.get(
            ("questions", shortcode), lambda: self._get(f"/jobs/{shortcode}/questions")["questions"]
        )

    def _get(self, path: str, **kwargs: Any) -> Any:
        return json_body(self._send("GET", path, **kwargs), self.name)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self._pacer.before_request()
        if self._limiter is not None:
            self._limiter.acquire()
        try:
            return send(self._client, method, path, ats=self.name, **kwargs)
        except RetryableError as exc:
            if exc.status == 429 and exc.retry_after is None:
                # Workable sends no Retry-After: the window's reset time says when to come back.
                exc.retry_after = self._pacer.wait_seconds() or None
            raise


def build(
    settings: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    **_: Any,
) -> WorkableAdapter:
    config = WorkableSettings.from_dict(settings)
    pacer = RatePacer(clock, sleep)
    client = make_client(
        config.base_url, bearer(config.token), ats=ATS, transport=transport, on_response=[pacer.observe]
    )
    return WorkableAdapter(client, config, pacer=pacer, limiter=limiter, clock=clock)
