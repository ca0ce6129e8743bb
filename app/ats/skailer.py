"""Skailer: the vendor's documented application sequence (CONTRACTS §7, §9.6).

Job, stage and source are resolved first, by steps that create nothing, so an unknown job or
stage, or a closed job, stops the delivery before a CV or an applicant exists in Skailer. The
lists behind them are cached for `cache_ttl` seconds (time from the injected clock); whether
the job is still open is asked every time, since a stale "open" would leave records behind.

A person Skailer already holds (same email) is looked up before the CV upload: they are put on
the job as the applicant they are. Skailer documents no way to add a CV to an existing
applicant, so their new resume is not uploaded (it would belong to no one) but linked in the
comment, and HR is told so in a `note:resume`. Already a candidate on this job: AlreadyInAts.

The comment is the one call that is not required. With `comment: "when_needed"` (the default)
it is sent only when the application carries something Skailer's fields cannot hold: a cover
letter, answers, attribution from the visit, a source Skailer has no entry for, what a
returning applicant gave this time, or the candidate's consent to be kept for future openings.
The consent to process is the same for every application taken through our form and stays in
our database with its text, version and time. `comment: "always"` sends
it for every application, consent included.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from app.ats import skailer_payloads as payloads
from app.ats.base import (
    AlreadyInAts,
    Job,
    PermanentError,
    RateLimit,
    Source,
    Stage,
    Step,
    Submission,
    named,
)
from app.ats.cache import SharedLookups
from app.ats.http import bearer, json_body, make_client, send
from app.ats.ratelimit import Limiter
from app.ats.skailer_lookups import SkailerLookups

ATS = "skailer"
RATE_LIMIT = RateLimit(100, 60.0)  # documented (CONTRACTS §7.1)
RESUME_FORMATS = frozenset({"pdf", "doc", "docx"})  # CV upload, judged by content (CONTRACTS §7.3, S4)
COMMENT_POLICIES = ("when_needed", "always")
ResumeLink = Callable[[Submission], str]


@dataclass(frozen=True)
class SkailerSettings:
    base_url: str
    token: str
    stage: str = "New"  # stage name or id for new candidates
    source: str = "Careers site"  # source name; also where an unknown job source falls back to
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
        resume_link: ResumeLink | None = None,
        lookups: SharedLookups | None = None,
    ) -> None:
        self._client, self._settings, self._limiter = client, settings, limiter
        self._resume_link = resume_link
        self._lookups = SkailerLookups(self._json, settings.cache_ttl, clock, shared=lookups)

    # lookups ---------------------------------------------------------------------------

    def list_jobs(self) -> list[Job]:
        return [payloads.job_from(item) for item in self._lookups.jobs()]

    def stages(self, job: Job) -> list[Stage]:
        pipeline = self._lookups.pipeline(self._lookups.job(job.ref)["pipeline_id"])
        ordered = sorted(pipeline["stages"], key=lambda s: s.get("position", 0))
        return [Stage(ref=str(s["id"]), name=s["name"]) for s in ordered]

    def sources(self) -> list[Source]:
        return [Source(ref=str(s["id"]), name=s["name"]) for s in self._lookups.sources()]

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        """Ids Skailer already holds for this person and job (ASSUMED search endpoints)."""
        applicant_ref = self._lookups.applicant(submission.email)
        if applicant_ref is None:
            return {}
        candidate_ref = self._lookups.candidate(applicant_ref, submission.job_ref)
        found = {"applicant_ref": applicant_ref}
        return found | ({"candidate_ref": candidate_ref} if candidate_ref else {})

    # steps -----------------------------------------------------------------------------

    def steps(self) -> Sequence[Step]:
        # Repeating an upload or a comment leaves an orphan file or a second note, never a
        # second application, and Skailer offers no lookup for either: no marker needed.
        return (
            named("find_job", self._find_job, creates=False),
            named("pick_stage", self._pick_stage, creates=False),
            named("pick_source", self._pick_source, creates=False),
            named("find_applicant", self._find_returning, creates=False),
            named("upload_cv", self._upload_cv, creates=False),
            named("create_applicant", self._create_applicant),
            named("assign_to_job", self._assign_to_job),
            named("comment", self._comment, creates=False),
        )

    def _find_job(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        job = self._lookups.open_job(submission.job_ref)
        return {"job_ref": str(job["id"]), "pipeline_ref": str(job["pipeline_id"])}

    def _pick_stage(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        wanted = submission.stage or self._settings.stage
        return {"stage_ref": str(self._lookups.stage_id(done["pipeline_ref"], wanted, done["job_ref"]))}

    def _pick_source(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        """The source wanted, else the configured default with a note saying so; neither known
        to Skailer is HR's to fix, before anything is created."""
        wanted = self._wanted_source(submission)
        found = self._lookups.source_id(wanted)
        if found is not None:
            return {"source_ref": str(found)}
        fallback = self._lookups.source_id(self._settings.source)
        if fallback is None:
            raise PermanentError(f"{ATS}: source {wanted!r} is not in Skailer's source directory", ats=ATS)
        return {
            "source_ref": str(fallback),
            "note:source": payloads.source_note(wanted, self._settings.source),
        }

    def _find_returning(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        """The applicant Skailer already holds for this email, found before any upload. Runs
        once, before our first create, so a candidate found here came from an earlier
        application, never from an attempt of this one."""
        applicant_ref = self._lookups.applicant(submission.email)
        if applicant_ref is None:
            return {}
        candidate_ref = self._lookups.candidate(applicant_ref, done["job_ref"])
        if candidate_ref is not None:
            raise AlreadyInAts(
                payloads.already_in_ats(applicant_ref, candidate_ref, done["job_ref"]), ats=ATS
            )
        return {"applicant_ref": applicant_ref, "note:applicant": payloads.returning_note(applicant_ref)}

    def _upload_cv(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        resume = submission.resume
        if resume is None:
            return {"cv_ref": ""}
        if done.get("applicant_ref"):  # no documented way to attach it: never upload an orphan
            return {"cv_ref": "", "note:resume": payloads.resume_note(linked=self._linkable())}
        body = self._json(
            "POST", payloads.UPLOAD_CV, files={"file": (resume.filename, resume.data, resume.content_type)}
        )
        return {"cv_ref": str(body["cv_id"])}

    def _create_applicant(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        if done.get("applicant_ref"):
            return {"applicant_ref": done["applicant_ref"]}
        body = payloads.applicant(submission, done.get("cv_ref"), int(done["source_ref"]))
        response = send(
            self._client, "POST", payloads.APPLICANT, ats=ATS, limiter=self._limiter, json=body, accept=(422,)
        )
        if response.status_code == 422:
            return self._adopt_duplicate(submission, response, done.get("cv_ref", ""))
        return {"applicant_ref": str(json_body(response, ATS)["id"])}

    def _assign_to_job(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        body = payloads.candidate(
            int(done["job_ref"]),
            done["applicant_ref"],
            int(done["pipeline_ref"]),
            int(done["stage_ref"]),
            int(done["source_ref"]),
        )
        response = send(
            self._client, "POST", payloads.CANDIDATE, ats=ATS, limiter=self._limiter, json=body, accept=(422,)
        )
        if response.status_code == 422:
            self._refused_assignment(done)
        return {"candidate_ref": str(json_body(response, ATS)["id"])}

    def _comment(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        if self._settings.comment == "when_needed" and not payloads.needs_comment(submission, done):
            return {"comment_ref": ""}
        filed_under = self._lookups.source_name(done["source_ref"])
        source = payloads.source_line(self._wanted_source(submission), filed_under)
        link = self._link(submission) if "note:resume" in done else ""
        body = payloads.comment(submission, source, returning="note:applicant" in done, resume_link=link)
        created = self._json("POST", payloads.ACTIONS.format(candidate_id=done["candidate_ref"]), json=body)
        return {"comment_ref": str(created["id"])}

    # returning applicants ----------------------------------------------------------------

    def _adopt_duplicate(self, submission: Submission, response: httpx.Response, cv_ref: str) -> dict:
        """Skailer refused the applicant as one it holds (a person who applied elsewhere since
        our lookup): that applicant is adopted; the CV already uploaded stays unattached."""
        body = json_body(response, ATS)
        ref = payloads.duplicate_applicant_id(body)
        if ref is None and payloads.names_email(body):
            ref = self._lookups.applicant(submission.email)
        if ref is None:
            raise PermanentError(f"{ATS}: POST {payloads.APPLICANT} -> 422", ats=ATS, status=422)
        ids = {"applicant_ref": ref, "note:applicant": payloads.returning_note(ref)}
        if cv_ref:
            ids["note:resume"] = payloads.resume_note(linked=self._linkable(), unattached_cv=cv_ref)
        return ids

    def _refused_assignment(self, done: Mapping[str, str]) -> None:
        """A 422 to the assignment: AlreadyInAts when Skailer holds this applicant on the job
        (our own earlier attempt is adopted by the runner before this POST is repeated), else a
        permanent refusal, after which the lookups are read again."""
        candidate_ref = self._lookups.candidate(done["applicant_ref"], done["job_ref"])
        if candidate_ref is not None:
            message = payloads.already_in_ats(done["applicant_ref"], candidate_ref, done["job_ref"])
            raise AlreadyInAts(message, ats=ATS)
        self._lookups.forget()
        raise PermanentError(f"{ATS}: POST {payloads.CANDIDATE} -> 422", ats=ATS, status=422)

    def _linkable(self) -> bool:
        return self._resume_link is not None

    def _link(self, submission: Submission) -> str:
        return self._resume_link(submission) if self._resume_link and submission.resume else ""

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return json_body(send(self._client, method, path, ats=ATS, limiter=self._limiter, **kwargs), ATS)

    def _wanted_source(self, submission: Submission) -> str:
        known = (s["name"] for s in self._lookups.sources())
        return payloads.source_name(submission, self._settings.source, known)


def build(
    settings: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    clock: Callable[[], float] = time.monotonic,
    resume_link: ResumeLink | None = None,
    lookups: SharedLookups | None = None,
    **_ignored: Any,
) -> SkailerAdapter:
    config = SkailerSettings.from_dict(settings)
    client = make_client(config.base_url, bearer(config.token), ats=ATS, transport=transport)
    return SkailerAdapter(
        client, config, limiter=limiter, clock=clock, resume_link=resume_link, lookups=lookups
    )
