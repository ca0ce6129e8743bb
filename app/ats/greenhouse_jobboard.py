"""Greenhouse Job Board API adapter (CONTRACTS §6.3, §9.4): one form post per application.

This is the endpoint Greenhouse documents for custom application forms: it takes the resume as a
file, answers as `question_<id>` fields, the GDPR consents the job post requires, voluntary
EEOC and demographic answers, and the `gh_src` token for attribution (the mapping is in
`greenhouse_jobboard_payloads`). It returns no ids and offers no lookup, so a create whose
outcome is unknown goes to a person instead of being repeated, and a returning applicant is a
new application that Greenhouse's Auto-Merge may join to the existing candidate. The key is a
Job Board key sent with Basic auth from our server only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from app.ats import greenhouse_jobboard_payloads as board
from app.ats import greenhouse_payloads as payloads
from app.ats.base import (
    Job,
    NeedsReviewError,
    PermanentError,
    RateLimit,
    Source,
    Stage,
    Step,
    Submission,
    SyncedQuestion,
    named,
)
from app.ats.cache import SharedLookups, TtlCache
from app.ats.demographics import DemographicReader, SyncedDemographic
from app.ats.http import json_body, make_client, send
from app.ats.ratelimit import Limiter

ATS = "greenhouse_job_board"
CACHE_SECONDS = 600.0
RATE_LIMIT: RateLimit | None = None  # not documented for the Job Board API (CONTRACTS §6.3)


@dataclass(frozen=True)
class JobBoardSettings:
    base_url: str  # https://boards-api.greenhouse.io/v1
    board_token: str
    api_key: str
    mapped_url_token: str = ""  # default gh_src when the visit carried none

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any]) -> JobBoardSettings:
        return cls(
            base_url=settings.get("base_url", "https://boards-api.greenhouse.io/v1").rstrip("/"),
            board_token=settings["board_token"],
            api_key=settings["api_key"],
            mapped_url_token=settings.get("mapped_url_token", ""),
        )


class GreenhouseJobBoardAdapter:
    name = ATS

    def __init__(
        self,
        client: httpx.Client,
        settings: JobBoardSettings,
        *,
        limiter: Limiter | None = None,
        clock: Callable[[], float] = time.time,
        demographics: DemographicReader | None = None,
        lookups: SharedLookups | None = None,
    ) -> None:
        self._client, self._settings = client, settings
        self._limiter, self._clock = limiter, clock
        self._demographics = demographics
        self._cache = TtlCache(CACHE_SECONDS, clock, shared=lookups)

    @property
    def _board(self) -> str:
        return f"/boards/{self._settings.board_token}"

    def list_jobs(self) -> list[Job]:
        data = self._cache.get(
            ("jobs",), lambda: self._get(f"{self._board}/jobs", params={"content": "true"})["jobs"]
        )
        return [payloads.board_job(item) for item in data]

    def stages(self, job: Job) -> list[Stage]:
        """The Job Board API places every application in the job's first stage."""
        return []

    def sources(self) -> list[Source]:
        """Attribution travels as the gh_src token, not a source id."""
        return []

    def questions(self, job: Job) -> list[SyncedQuestion]:
        """The job post's own questions for our form (standard fields left out), and the
        consent its GDPR rule asks for beyond processing the application."""
        post = self._post(job.ref)
        synced = (payloads.synced_question(q) for q in post.get("questions") or [])
        return [q for q in synced if q is not None] + board.consent_questions(post)

    def demographic_questions(self, job: Job) -> list[SyncedDemographic]:
        """The post's voluntary EEOC and Greenhouse Inclusion questions."""
        return board.demographic_questions(self._post(job.ref))

    def steps(self) -> Sequence[Step]:
        return (named("submit_application", self._submit),)

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        raise NeedsReviewError(
            f"{self.name}: POST {self._board}/jobs/{submission.job_ref} for application "
            f"{submission.public_id} may have been saved; the Job Board API returns no ids and "
            "has no lookup, so check the job's candidates in Greenhouse before delivering again",
            ats=self.name,
        )

    def _submit(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        # Read fresh, not from the cache: a post closed or changed since answers here (404 for a
        # closed one, a PermanentError) before anything is sent. Job Board reads are not limited.
        post = self._open_post(submission.job_ref)
        token = payloads.mapped_url_token(submission, self._settings.mapped_url_token)
        choices = self._demographics(submission) if self._demographics else ()
        form, notes = board.application_form(submission, post, mapped_url_token=token, choices=choices)
        # Every field is a part of its own, so the post is multipart also without a resume:
        # the Job Board takes multipart or JSON, not a urlencoded form.
        parts: list[tuple[str, tuple[str | None, Any] | tuple[str, bytes, str]]] = [
            (name, (None, value)) for name, value in form
        ]
        if submission.resume is not None:
            resume = submission.resume
            parts.append(("resume", (resume.filename, resume.data, resume.content_type)))
        response = self._send("POST", f"{self._board}/jobs/{submission.job_ref}", files=parts)
        json_body(response, self.name)  # a cut-off body is a failure whose outcome is unknown
        if submission.stage:
            notes["stage"] = (
                f"The Job Board API places every application in the job's first stage; the "
                f"configured stage {submission.stage!r} was not applied"
            )
        return {"submitted": "true", **{f"note:{topic}": note for topic, note in notes.items()}}

    def _open_post(self, ref: str) -> dict[str, Any]:
        path = f"{self._board}/jobs/{ref}"
        response = self._send("GET", path, params={"questions": "true"}, accept=(404,))
        if response.status_code == 404:
            raise PermanentError(
                f"{self.name}: job post {ref} is closed or no longer on the board; nothing was sent",
                ats=self.name,
                status=404,
            )
        return json_body(response, self.name)

    def _post(self, ref: str) -> dict[str, Any]:
        return self._cache.get(
            ("post", ref), lambda: self._get(f"{self._board}/jobs/{ref}", params={"questions": "true"})
        )

    def _get(self, path: str, **kwargs: Any) -> Any:
        return json_body(self._send("GET", path, **kwargs), self.name)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._limiter is not None:
            self._limiter.acquire()
        return send(self._client, method, path, ats=self.name, **kwargs)


def build(
    settings: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    clock: Callable[[], float] = time.time,
    demographics: DemographicReader | None = None,
    lookups: SharedLookups | None = None,
    **_: Any,
) -> GreenhouseJobBoardAdapter:
    """`demographics`: the worker's reader of an application's voluntary answers (stored apart
    from the application, so not in the Submission)."""
    config = JobBoardSettings.from_dict(settings)
    client = make_client(config.base_url, ats=ATS, auth=(config.api_key, ""), transport=transport)
    return GreenhouseJobBoardAdapter(
        client, config, limiter=limiter, clock=clock, demographics=demographics, lookups=lookups
    )
