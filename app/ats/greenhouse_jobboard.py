"""Greenhouse Job Board API adapter (CONTRACTS §6.3, §9.4): one form post per application.

This is the endpoint Greenhouse documents for custom application forms: it takes the resume as a
file, answers as `question_<id>` fields, GDPR consent and the `gh_src` token for attribution.
It returns no ids and offers no lookup, so a create whose outcome is unknown goes to a person
instead of being repeated. The key is a Job Board key sent with Basic auth from our server only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from app.ats import greenhouse_payloads as payloads
from app.ats.base import Job, NeedsReviewError, Source, Stage, Submission, named
from app.ats.cache import TtlCache
from app.ats.http import DEFAULT_TIMEOUT, json_body, send

CACHE_SECONDS = 600.0


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
    name = "greenhouse_job_board"

    def __init__(
        self,
        client: httpx.Client,
        settings: JobBoardSettings,
        *,
        limiter: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client, self._settings = client, settings
        self._limiter, self._clock = limiter, clock
        self._cache = TtlCache(CACHE_SECONDS, clock)

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

    def questions(self, job: Job | str) -> list[dict]:
        """The job post's own questions, shaped for our form; standard fields are left out."""
        ref = job.ref if isinstance(job, Job) else str(job)
        post = self._cache.get(
            ("post", ref), lambda: self._get(f"{self._board}/jobs/{ref}", params={"questions": "true"})
        )
        shaped = (payloads.question_for_form(q) for q in post.get("questions") or [])
        return [q for q in shaped if q is not None]

    def steps(self):
        return (named("submit_application", self._submit),)

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        raise NeedsReviewError(
            f"{self.name}: POST {self._board}/jobs/{submission.job_ref} for application "
            f"{submission.public_id} may have been saved; the Job Board API returns no ids and "
            "has no lookup, so check the job's candidates in Greenhouse before delivering again",
            ats=self.name,
        )

    def _submit(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        token = payloads.mapped_url_token(submission, self._settings.mapped_url_token)
        choices = {
            q["key"]: {c["body"].lower(): c["key"] for c in q["choices"]}
            for q in self.questions(submission.job_ref)
            if q["choices"]
        }
        form = payloads.board_form(submission, mapped_url_token=token, choices=choices)
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
        return {"submitted": "true"}

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
    limiter: Any = None,
    clock: Callable[[], float] = time.time,
    **_: Any,
) -> GreenhouseJobBoardAdapter:
    config = JobBoardSettings.from_dict(settings)
    client = httpx.Client(
        base_url=config.base_url, timeout=DEFAULT_TIMEOUT, transport=transport, auth=(config.api_key, "")
    )
    return GreenhouseJobBoardAdapter(client, config, limiter=limiter, clock=clock)
