"""Greenhouse Harvest v3 adapter, the default Harvest target (docs/ats/greenhouse.md, "Harvest v3").

Greenhouse retired Harvest v1/v2 on 2026-08-31; v3 authenticates with an OAuth 2.0
client-credentials token and creates each resource on its own. One application is therefore
four creates, each its own step so that a retry never repeats one that went through: the
candidate (or the one Greenhouse already holds for this email), the application on the job, the
resume attached to that application, and a note holding what Harvest has no field for.

The job is read fresh and the stage and source from cached lookups before the first create, so
a closed job or a stage the job does not have stops the delivery with nothing created. A person
who already has an application on this job is "already in the ATS"; one who applied to another
job gets a second application on the same candidate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import httpx

from app.ats import greenhouse_payloads as payloads
from app.ats.base import (
    UNKNOWN_CREATE,
    AlreadyInAts,
    AuthError,
    ErasureResult,
    Job,
    NeedsReviewError,
    PermanentError,
    Source,
    Stage,
    Step,
    Submission,
    named,
)
from app.ats.cache import SharedLookups, TtlCache
from app.ats.http import bearer, json_body, send
from app.ats.payloads import experience_entries
from app.ats.ratelimit import Limiter

if TYPE_CHECKING:
    from app.ats.greenhouse import HarvestSettings

ATS = "greenhouse"
CACHE_SECONDS = 600.0
PER_PAGE = 500


class OAuthToken:
    """A client-credentials token, fetched once and kept until shortly before it expires.

    `sub` (the configured user id) makes every call act as that Greenhouse user: it is v3's
    On-Behalf-Of. Without it Greenhouse's service account for the credentials acts.
    """

    def __init__(
        self, client: httpx.Client, settings: HarvestSettings, clock: Callable[[], float], margin: float
    ) -> None:
        self._client, self._settings, self._clock, self._margin = client, settings, clock, margin
        self._value: tuple[str, float] | None = None

    def header(self) -> dict[str, str]:
        if self._value is None or self._value[1] <= self._clock():
            self._value = self._fetch()
        return bearer(self._value[0])

    def renew(self) -> dict[str, str]:
        self._value = None
        return self.header()

    def _fetch(self) -> tuple[str, float]:
        settings = self._settings
        form = {"grant_type": "client_credentials"}
        if settings.user_id:
            form["sub"] = settings.user_id
        response = send(
            self._client,
            "POST",
            settings.token_endpoint,
            ats=ATS,
            auth=(settings.client_id, settings.client_secret),
            data=form,
        )
        grant = json_body(response, ATS)
        if not isinstance(grant, dict) or not isinstance(grant.get("access_token"), str):
            raise PermanentError(f"{ATS}: POST /token -> no access_token", ats=ATS)
        lifetime = float(grant.get("expires_in") or 3600)
        return grant["access_token"], self._clock() + lifetime - self._margin


class GreenhouseHarvestV3Adapter:
    name = ATS

    def __init__(
        self,
        client: httpx.Client,
        settings: HarvestSettings,
        *,
        limiter: Limiter | None = None,
        clock: Callable[[], float] = time.time,
        token_margin: float = 60.0,
        lookups: SharedLookups | None = None,
    ) -> None:
        self._client, self._settings, self._limiter = client, settings, limiter
        self._cache = TtlCache(CACHE_SECONDS, clock, shared=lookups)
        self._token = OAuthToken(client, settings, clock, token_margin)

    # lookups -----------------------------------------------------------------------------
    def list_jobs(self) -> list[Job]:
        data = self._cache.get(("jobs",), lambda: self._get_all("/jobs", {"status": "open"}))
        return [payloads.harvest_job(item) for item in data]

    def stages(self, job: Job) -> list[Stage]:
        data = self._cache.get(
            ("stages", job.ref), partial(self._get_all, "/job_interview_stages", {"job_id": job.ref})
        )
        ordered = sorted(data, key=lambda s: s.get("sort_order", 0))
        return [Stage(ref=str(s["id"]), name=s["name"]) for s in ordered]

    def sources(self) -> list[Source]:
        data = self._cache.get(("sources",), lambda: self._get_all("/sources"))
        return [Source(ref=str(s["id"]), name=s["name"]) for s in data]

    # delivery ----------------------------------------------------------------------------
    def steps(self) -> Sequence[Step]:
        return (
            named("create_candidate", self._create_candidate),
            named("create_application", self._create_application),
            named("attach_resume", self._attach_resume),
            named("add_note", self._add_note),
        )

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        """After a create whose outcome is unknown: the candidate with this email, its
        application on this job, that application's resume and this submission's note, as far
        as they exist. Asked only then, so it never decides whether a person is returning."""
        known = self._candidates_by_email(submission.email)
        if not known:
            return {}
        application = self._application_on_job(known, submission.job_ref)
        if not application:
            return {"candidate_ref": str(known[0]["id"])}
        found = {"candidate_ref": str(application["candidate_id"]), "application_ref": str(application["id"])}
        return {**found, **self._existing_resume(submission, found), **self._existing_note(submission, found)}

    def _existing_resume(self, submission: Submission, found: Mapping[str, str]) -> dict[str, str]:
        if submission.resume is None:
            return {}
        files = self._get_all("/attachments", {"application_ids": found["application_ref"]})
        name = submission.resume.filename
        same = [f for f in files if f.get("type") == "resume" and f.get("filename") == name]
        return {"attachment_ref": str(same[0]["id"])} if same else {}

    def _existing_note(self, submission: Submission, found: Mapping[str, str]) -> dict[str, str]:
        """Our note names the submission's public id on its first line."""
        marker = f"(ref {submission.public_id})"
        notes = self._get_all("/notes", {"candidate_ids": found["candidate_ref"]})
        ours = [n for n in notes if marker in str(n.get("body", ""))]
        return {"note_ref": str(ours[0]["id"])} if ours else {}

    def _create_candidate(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        self._check_job(submission.job_ref)
        self._placement(submission)
        known = self._candidates_by_email(submission.email)
        if not known:
            created = json_body(self._send("POST", "/candidates", json=candidate(submission)), ATS)
            return {"candidate_ref": str(created["id"])}
        application = self._application_on_job(known, submission.job_ref)
        if application:
            raise AlreadyInAts(
                f"{ATS}: candidate {application['candidate_id']} already has application "
                f"{application['id']} on job {submission.job_ref}",
                ats=ATS,
            )
        ref = str(known[0]["id"])
        return {
            "candidate_ref": ref,
            "note:returning": f"Greenhouse already held candidate {ref} with this email: this "
            "application and its resume were added to that candidate, no second candidate made",
        }

    def _create_application(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        body = {"candidate_id": int(done["candidate_ref"]), **self._placement(submission)}
        created = json_body(self._send("POST", "/applications", json=body), ATS)
        return {"application_ref": str(created["id"])}

    def _attach_resume(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        attached = payloads.attachments(submission)
        if not attached:
            return {}
        body = {"application_id": int(done["application_ref"]), **attached[0]}
        created = json_body(self._send("POST", "/attachments", json=body), ATS)
        return {"attachment_ref": str(created["id"])}

    def _add_note(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        body = {
            "candidate_id": int(done["candidate_ref"]),
            "body": note(submission),
            "visibility": self._settings.note_visibility,
        }
        created = json_body(self._send("POST", "/notes", json=body), ATS)
        return {"note_ref": str(created["id"])}

    # erasure -----------------------------------------------------------------------------
    def erase(self, refs: Mapping[str, str]) -> ErasureResult:
        """Delete the candidate (Harvest "DELETE: Delete Candidate"): Greenhouse deletes their
        applications, attachments and notes with it, as its candidate-deleted webhook reports.
        A 404 is a candidate already deleted, by an attempt whose answer was lost or by HR.
        Without a candidate id nothing was created, unless the create of the candidate itself
        was sent and never answered: then only a person can look for it."""
        ref = refs.get("candidate_ref")
        if not ref:
            if refs.get(UNKNOWN_CREATE):
                raise NeedsReviewError(
                    f"{ATS}: the request creating the candidate was sent but never answered; "
                    "look for a candidate created then on this job",
                    ats=ATS,
                )
            return "erased"
        self._send("DELETE", f"/candidates/{int(ref)}", accept=(404,))
        return "erased"

    # what the creates rest on -------------------------------------------------------------
    def _check_job(self, job_ref: str) -> None:
        """Read fresh, not cached: HR closes jobs at any time, and a closed job takes nothing."""
        found = self._get_all("/jobs", {"ids": job_ref}) if job_ref.isdigit() else []
        if not found:
            raise PermanentError(f"{ATS}: job {job_ref} is not in Greenhouse", ats=ATS, status=404)
        if found[0].get("status") != "open":
            raise PermanentError(f"{ATS}: job {job_ref} is closed in Greenhouse", ats=ATS, status=422)

    def _placement(self, submission: Submission) -> dict[str, int]:
        """job_id, and the stage and source ids when there are: an unknown stage is an error."""
        placed = {"job_id": int(submission.job_ref)}
        wanted = submission.stage.strip().lower()
        if wanted:
            stages = self.stages(Job(ref=submission.job_ref, title=""))
            stage = next((s for s in stages if wanted in (s.ref, s.name.lower())), None)
            if stage is None:
                raise PermanentError(
                    f"{ATS}: stage {submission.stage!r} is not a stage of job {submission.job_ref}",
                    ats=ATS,
                    status=422,
                )
            placed["initial_stage_id"] = int(stage.ref)
        source = self._source_id(submission)
        if source:
            placed["source_id"] = int(source)
        return placed

    def _source_id(self, submission: Submission) -> str:
        if self._settings.source_id:
            return str(self._settings.source_id)
        wanted = (submission.source or self._settings.source).strip().lower()
        return next((s.ref for s in self.sources() if wanted and s.name.lower() == wanted), "")

    def _candidates_by_email(self, email: str) -> list[dict]:
        return self._get_all("/candidates", {"email": email})

    def _application_on_job(self, candidates: list[dict], job_ref: str) -> dict | None:
        """An application on this job that is not rejected: Greenhouse takes one per job."""
        ids = ",".join(str(c["id"]) for c in candidates)
        found = self._get_all("/applications", {"candidate_ids": ids, "job_id": job_ref})
        return next((a for a in found if a.get("status") != "rejected"), None)

    # plumbing ----------------------------------------------------------------------------
    def _get_all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict]:
        """Every page: filters and per_page on the first request only, then the `next` link's
        cursor URL alone, as v3 asks."""
        items: list[dict] = []
        response = self._send("GET", path, params={**(params or {}), "per_page": PER_PAGE})
        while True:
            page = json_body(response, ATS)
            if not isinstance(page, list):
                raise PermanentError(f"{ATS}: GET {path} -> not a list", ats=ATS)
            items.extend(page)
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return items
            response = self._send("GET", next_url)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call with the current token; on a 401 one new token and one more try, since a
        token can be revoked before it expires. Refused again: AuthError, the target pauses."""
        headers = self._token.header()
        try:
            return send(self._client, method, path, ats=ATS, limiter=self._limiter, headers=headers, **kwargs)
        except AuthError as exc:
            if exc.status != 401:
                raise
        headers = self._token.renew()
        return send(self._client, method, path, ats=ATS, limiter=self._limiter, headers=headers, **kwargs)


# payloads -----------------------------------------------------------------------------------
def candidate(submission: Submission) -> dict:
    """The v1 candidate minus what v3 keeps in resources of their own: applications,
    attachments, employments and educations (those two go into the note)."""
    body = payloads.candidate(submission, source_id="", stage_id="")
    for key in ("applications", "employments", "educations"):
        body.pop(key, None)
    return body


def note(submission: Submission) -> str:
    lines = [payloads.note(submission)]
    for entry in experience_entries(submission.parsed):
        start, end = entry["start_date"], entry["end_date"] or "now"
        period = f"{start} to {end}" if start else ""
        parts = [entry["title"], entry["company"], period]
        lines.append("Employment: " + ", ".join(p for p in parts if p))
    return "\n\n".join(lines)


def token_endpoint(base_url: str, token_url: str) -> str:
    """An absolute token URL as configured, or a path on the Harvest host (sandboxes)."""
    return urljoin(base_url, token_url)
