"""Workable adapter (CONTRACTS §5, §9.3): one create call delivers the whole application.

Steps: the job is read fresh (closed, or a configured stage it lacks, stops everything before a
write); the candidate is looked up by email on the job; a new one is created with everything in
one JSON body, a returning one (Workable keeps one candidate per email and job) is merged into
with `PATCH /candidates/:id` and the delivery ends "already in the ATS"; then the comment.

Account tokens get 10 requests per 10 seconds, so the adapter paces itself from the
X-Rate-Limit-* headers of the previous response instead of finding the limit with a 429.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from app.ats import workable_merge as merging
from app.ats import workable_payloads as payloads
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
    SyncedQuestion,
    named,
)
from app.ats.cache import SharedLookups, TtlCache
from app.ats.http import bearer, json_body, make_client, send
from app.ats.ratelimit import Limiter
from app.ats.workable_rate import RatePacer

ATS = "workable"
CACHE_SECONDS = 600.0
# Account tokens, the kind a tenant hands us: 10 requests per 10 seconds (CONTRACTS §5.3).
# OAuth and partner tokens get 50; a target's `rate_limit_per_minute` may say otherwise.
RATE_LIMIT = RateLimit(10, 10.0)
RESUME_FORMATS = frozenset({"pdf", "doc", "docx", "rtf"})  # API resume formats (CONTRACTS §5.3, S2)
JOB_STATES = ("draft", "published", "closed", "archived")  # WK-AUTH, DOC-3P WK-ONE


def split(names: str | None) -> list[str]:
    return [name for name in (names or "").split(",") if name]


def already_in_ats(job_ref: str, candidate_ref: str) -> AlreadyInAts:
    return AlreadyInAts(
        f"{ATS}: already a candidate on job {job_ref} (Workable candidate {candidate_ref}); "
        "this application was merged into that profile",
        ats=ATS,
    )


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
        lookups: SharedLookups | None = None,
    ) -> None:
        self._client = client
        self._settings = settings
        self._pacer = pacer
        self._limiter = limiter
        self._clock = clock
        self._cache = TtlCache(CACHE_SECONDS, clock, shared=lookups)

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
        steps = [
            named("check_job", self._check_job, creates=False),
            named("find_candidate", self._find_candidate, creates=False),
            named("create_candidate", self._create_candidate),
        ]
        if self._settings.member_id:
            steps.append(named("comment", self._comment))
        return tuple(steps)

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        """The candidate with this email on this job. Asked before a create (a returning
        applicant) and after an unknown one (then it is the record our attempt saved)."""
        found = self._get("/candidates", params={"email": submission.email, "shortcode": submission.job_ref})
        candidates = found.get("candidates") or []
        return {"candidate_ref": str(candidates[0]["id"])} if candidates else {}

    def _check_job(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        """A closed job or a stage the job does not have stops the delivery before anything
        exists in Workable. The job is read fresh: a cached state could hide a closing."""
        job = self._get(f"/jobs/{submission.job_ref}")
        state = str(job.get("state") or "published")
        if state != "published":
            shown = state if state in JOB_STATES else "not published"
            raise PermanentError(
                f"{ATS}: job {submission.job_ref} is closed to applications in Workable "
                f"(state {shown}); nothing was sent",
                ats=ATS,
            )
        return {"stage_ref": self._stage_slug(submission)}

    def _find_candidate(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        """A person already on this job is merged into, not created again: Workable keeps one
        candidate per email and job (WK-DUP) and refuses a second create."""
        found = self.find_existing(submission)
        if not found:
            return {}
        candidate_ref = found["candidate_ref"]
        return {"existing_ref": candidate_ref, **self._merge_into(submission, candidate_ref)}

    def _merge_into(self, submission: Submission, candidate_ref: str) -> dict[str, str]:
        """Read, merge, write: PATCH replaces every array it is sent (S2), so the candidate's
        own entries go back with ours added and nothing they had is erased. What the profile
        cannot take (answers, a second resume) goes to the comment step, told by these ids."""
        existing = self._get(f"/candidates/{candidate_ref}").get("candidate") or {}
        fresh = self._candidate_body(submission)["candidate"]
        merge = merging.merge_candidate(existing, fresh)
        if merge.changes:
            self._patch(candidate_ref, merge.changes, fresh)
        commented = bool(self._settings.member_id)
        attach = commented and submission.resume is not None and not merge.resume_placed
        return {
            "updated": ",".join(sorted(merge.changes)),
            "kept": ",".join(merge.kept),
            "attach_resume": "1" if attach else "",
            "note:returning": merging.returning_note(
                submission, candidate_ref, merge, commented=commented, attached=attach
            ),
        }

    def _patch(self, candidate_ref: str, changes: dict, fresh: Mapping[str, Any]) -> None:
        """A PATCH answered with a 5xx may have been saved: read back, and when nothing is left
        to merge it was, so the resume it placed is not sent again as an attachment."""
        try:
            self._send("PATCH", f"/candidates/{candidate_ref}", json={"candidate": changes})
        except RetryableError as exc:
            if not exc.ambiguous:
                raise
            now = self._get(f"/candidates/{candidate_ref}").get("candidate") or {}
            if merging.merge_candidate(now, fresh).changes:
                raise

    def _create_candidate(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        if done.get("candidate_ref"):
            return {"candidate_ref": done["candidate_ref"]}
        if done.get("existing_ref"):
            if not self._settings.member_id:
                raise already_in_ats(submission.job_ref, done["existing_ref"])
            return {"candidate_ref": done["existing_ref"]}  # the comment step tells HR, then ends
        params = {"stage": done["stage_ref"]} if done.get("stage_ref") else {}
        path = f"/jobs/{submission.job_ref}/candidates"
        body = self._candidate_body(submission)
        response = self._send("POST", path, json=body, params=params, accept=(422,))
        if response.status_code != 422:
            return {"candidate_ref": str(json_body(response, self.name)["candidate"]["id"])}
        errors = payloads.validation_errors(response)
        if payloads.says_already_exists(errors):
            # Created since our lookup (the same person applying twice at once): merged as above.
            existing = self.find_existing(submission)
            if existing:
                candidate_ref = existing["candidate_ref"]
                merged = self._merge_into(submission, candidate_ref)
                if self._settings.member_id:
                    self._returning_comment(submission, candidate_ref, merged)
                raise already_in_ats(submission.job_ref, candidate_ref)
        where = f"POST {response.request.url.path}"
        raise PermanentError(payloads.refusal(where, errors), ats=ATS, status=422)

    def _comment(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        if done.get("comment_ref"):
            return {"comment_ref": done["comment_ref"]}
        if done.get("existing_ref"):
            self._returning_comment(submission, done["existing_ref"], done)
            raise already_in_ats(submission.job_ref, done["existing_ref"])
        return {"comment_ref": self._post_comment(done["candidate_ref"], payloads.comment_body(submission))}

    def _returning_comment(
        self, submission: Submission, candidate_ref: str, merged: Mapping[str, str]
    ) -> None:
        text = merging.returning_comment(submission, split(merged.get("updated")), split(merged.get("kept")))
        attachment = merging.attachment(submission.resume) if merged.get("attach_resume") else None
        self._post_comment(candidate_ref, text, attachment)

    def _post_comment(self, candidate_ref: str, text: str, attachment: dict | None = None) -> str:
        comment: dict[str, Any] = {"body": text, "policy": ["admin"]}
        if attachment:
            comment["attachment"] = attachment
        body = {"member_id": self._settings.member_id, "comment": comment}
        response = self._send("POST", f"/candidates/{candidate_ref}/comments", json=body)
        data = json_body(response, self.name) if response.content else {}
        return str(data.get("id", "1"))

    def _candidate_body(self, submission: Submission) -> dict:
        return payloads.candidate_body(
            submission,
            self._questions_data(submission.job_ref),
            sourced=self._settings.sourced,
            domain=payloads.domain(submission, self._settings.domain),
            details_in_comment=bool(self._settings.member_id),
        )

    def _stage_slug(self, submission: Submission) -> str:
        """The configured stage, matched by slug or name among the job's stages (read again
        once before giving up, in case HR just added it); none configured is Workable's default
        (applied, or sourced when `sourced` is on)."""
        wanted = submission.stage.strip().lower()
        if not wanted:
            return ""
        job = Job(ref=submission.job_ref, title="")
        for attempt in range(2):
            if attempt:
                self._cache.clear()
            slugs = [s.ref for s in self.stages(job) if wanted in (s.ref.lower(), s.name.lower())]
            if slugs:
                return slugs[0]
        raise PermanentError(
            f"{ATS}: stage {submission.stage[:60]!r} is not in job {submission.job_ref}'s pipeline "
            "in Workable; nothing was sent",
            ats=ATS,
        )

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
                exc.retry_after = self._pacer.wait_seconds()
            raise


def build(
    settings: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    lookups: SharedLookups | None = None,
    **_: Any,
) -> WorkableAdapter:
    config = WorkableSettings.from_dict(settings)
    pacer = RatePacer(clock, sleep)
    client = make_client(
        config.base_url, bearer(config.token), ats=ATS, transport=transport, on_response=[pacer.observe]
    )
    return WorkableAdapter(client, config, pacer=pacer, limiter=limiter, clock=clock, lookups=lookups)
