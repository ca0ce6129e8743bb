"""Greenhouse: `build` picks the flavour, and the retired Harvest v1 adapter lives here.

Harvest v3 (greenhouse_v3.py) is the default; the Job Board flavour is greenhouse_jobboard.py.
Harvest v1/v2 were retired by Greenhouse on 2026-08-31: v1 is built only when a target says
`"harvest_api": "v1"`, for a tenant Greenhouse still serves it to (docs/ats/greenhouse.md).

v1 semantics (CONTRACTS §6.1, §9.5): Basic auth with the API key plus On-Behalf-Of. Harvest
has no rule against a second candidate with the same email, so the create step looks the email
up first: a known candidate gets a new application instead of a twin, and one that already has
an application on the job is "already in the ATS". What Harvest has no field for goes into a
note, sent as its own step so a failed note never repeats the application.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from app.ats import greenhouse_jobboard, greenhouse_v3
from app.ats import greenhouse_payloads as payloads
from app.ats.base import AlreadyInAts, Job, PermanentError, RateLimit, Source, Stage, Step, Submission, named
from app.ats.cache import SharedLookups, TtlCache
from app.ats.http import json_body, make_client, send
from app.ats.ratelimit import Limiter

ATS = "greenhouse"
CACHE_SECONDS = 600.0
# Harvest: N requests per 10 seconds, N in X-RateLimit-Limit, 50 in Greenhouse's example
# (CONTRACTS §6.1). The Job Board flavour documents none, and shares this budget when built.
RATE_LIMIT = RateLimit(50, 10.0)
RESUME_FORMATS = frozenset({"pdf", "doc", "docx", "txt", "html"})  # Harvest content types (§6.1, H18)
JOB_BOARD_RESUME_FORMATS = frozenset({"pdf", "doc", "docx", "txt", "rtf"})  # Job Board (§6.3, JB14)
TOKEN_MARGIN = 60.0  # renew a token this long before it runs out


V3_BASE_URL = "https://harvest.greenhouse.io/v3"
LEGACY_API = "v1"  # the `harvest_api` value that builds the retired v1 adapter


@dataclass(frozen=True)
class HarvestSettings:
    base_url: str  # https://harvest.greenhouse.io/v3 (v1: .../v1)
    user_id: str  # the Greenhouse user we act as: v3 token `sub`, v1 On-Behalf-Of and note author
    harvest_api: str = "v3"  # "v1" only for the retired legacy API
    client_id: str = ""  # v3: OAuth client credentials
    client_secret: str = ""
    token_url: str = "https://auth.greenhouse.io/token"  # or a path on the Harvest host
    api_key: str = ""  # v1: Basic auth
    source_id: str = ""  # fixed source; otherwise a source by name:
    source: str = ""  # the job's, else this one (e.g. "Careers site")
    note_visibility: str = "admin_only"

    @classmethod
    def from_dict(cls, settings: Mapping[str, Any]) -> HarvestSettings:
        keys = cls.__dataclass_fields__
        values = {k: str(v) for k, v in settings.items() if k in keys and v is not None}
        values["user_id"] = str(settings.get("user_id") or settings.get("on_behalf_of") or "")
        values["base_url"] = str(settings.get("base_url") or V3_BASE_URL).rstrip("/")
        return cls(**values)

    @property
    def token_endpoint(self) -> str:
        return greenhouse_v3.token_endpoint(self.base_url, self.token_url)


class GreenhouseHarvestV1Adapter:
    name = ATS

    def __init__(
        self,
        client: httpx.Client,
        settings: HarvestSettings,
        *,
        limiter: Limiter | None = None,
        clock: Callable[[], float] = time.time,
        lookups: SharedLookups | None = None,
    ) -> None:
        self._client, self._settings = client, settings
        self._limiter, self._clock = limiter, clock
        self._cache = TtlCache(CACHE_SECONDS, clock, shared=lookups)

    # lookups -----------------------------------------------------------------------------
    def list_jobs(self) -> list[Job]:
        data = self._cache.get(("jobs",), lambda: self._get_all("/jobs", {"status": "open", "per_page": 500}))
        return [payloads.harvest_job(item) for item in data]

    def stages(self, job: Job) -> list[Stage]:
        data = self._cache.get(("stages", job.ref), lambda: self._get_all(f"/jobs/{job.ref}/stages"))
        ordered = sorted(data, key=lambda s: s.get("priority", 0))
        return [Stage(ref=str(s["id"]), name=s["name"]) for s in ordered]

    def sources(self) -> list[Source]:
        data = self._cache.get(("sources",), lambda: self._get_all("/sources", {"per_page": 500}))
        return [Source(ref=str(s["id"]), name=s["name"]) for s in data]

    # delivery ----------------------------------------------------------------------------
    def steps(self) -> Sequence[Step]:
        return (named("create_application", self._create_application), named("add_note", self._add_note))

    def find_existing(self, submission: Submission) -> Mapping[str, str]:
        return _application_on_job(self._candidates_by_email(submission.email), submission.job_ref)

    def _create_application(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        source_id, stage_id = self._source_id(submission), self._stage_id(submission)
        known = self._candidates_by_email(submission.email)
        existing = _application_on_job(known, submission.job_ref)
        if existing:
            raise AlreadyInAts(
                f"{ATS}: candidate {existing['candidate_ref']} already has application "
                f"{existing['application_ref']} on job {submission.job_ref}",
                ats=ATS,
            )
        if known:
            candidate_ref = str(known[0]["id"])
            body = payloads.application(submission, source_id=source_id, stage_id=stage_id)
            response = self._send("POST", f"/candidates/{candidate_ref}/applications", json=body)
            return {
                "candidate_ref": candidate_ref,
                "application_ref": str(json_body(response, self.name)["id"]),
            }
        body = payloads.candidate(submission, source_id=source_id, stage_id=stage_id)
        created = json_body(self._send("POST", "/candidates", json=body), self.name)
        application_ids = created.get("application_ids") or [
            a["id"] for a in created.get("applications") or []
        ]
        return {"candidate_ref": str(created["id"]), "application_ref": str(application_ids[0])}

    def _add_note(self, submission: Submission, done: Mapping[str, str]) -> Mapping[str, str]:
        body = {
            "user_id": int(self._settings.user_id),
            "body": payloads.note(submission),
            "visibility": self._settings.note_visibility,
        }
        response = self._send("POST", f"/candidates/{done['candidate_ref']}/activity_feed/notes", json=body)
        return {"note_ref": str(json_body(response, self.name).get("id", ""))}

    def _candidates_by_email(self, email: str) -> list[dict]:
        return self._get_all("/candidates", {"email": email})

    def _source_id(self, submission: Submission) -> str:
        if self._settings.source_id:
            return self._settings.source_id
        wanted = (submission.source or self._settings.source).strip().lower()
        return next((s.ref for s in self.sources() if wanted and s.name.lower() == wanted), "")

    def _stage_id(self, submission: Submission) -> str:
        """The configured stage by name or id; none leaves Greenhouse's first stage, and one
        the job does not have stops the delivery before anything is created."""
        wanted = submission.stage.strip().lower()
        if not wanted:
            return ""
        stages = self.stages(Job(ref=submission.job_ref, title=""))
        found = next((s.ref for s in stages if wanted in (s.ref, s.name.lower())), None)
        if found is None:
            raise PermanentError(
                f"{ATS}: stage {submission.stage!r} is not a stage of job {submission.job_ref}",
                ats=ATS,
                status=422,
            )
        return found

    # plumbing ----------------------------------------------------------------------------
    def _get_all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict]:
        """Every page, following the Link header's rel="next" as Greenhouse asks."""
        items: list[dict] = []
        response = self._send("GET", path, params=params)
        while True:
            items.extend(json_body(response, self.name))
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return items
            response = self._send("GET", next_url)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"On-Behalf-Of": self._settings.user_id} if method != "GET" else {}
        return send(
            self._client, method, path, ats=self.name, limiter=self._limiter, headers=headers, **kwargs
        )


def _application_on_job(candidates: list[dict], job_ref: str) -> dict[str, str]:
    """Ids only when this job already has the application; a bare candidate is not enough."""
    for found in candidates:
        for application in found.get("applications") or []:
            jobs = {str(j["id"]) for j in application.get("jobs") or []}
            if job_ref in jobs and application.get("status") != "rejected":
                return {"candidate_ref": str(found["id"]), "application_ref": str(application["id"])}
    return {}


def build(
    settings: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    clock: Callable[[], float] = time.time,
    lookups: SharedLookups | None = None,
    **services: Any,
) -> (
    greenhouse_v3.GreenhouseHarvestV3Adapter
    | GreenhouseHarvestV1Adapter
    | greenhouse_jobboard.GreenhouseJobBoardAdapter
):
    """Harvest v3 by default; `flavour: "job_board"` builds the Job Board adapter, and
    `harvest_api: "v1"` the retired Harvest v1 adapter."""
    if settings.get("flavour") == "job_board":
        return greenhouse_jobboard.build(
            settings, transport=transport, limiter=limiter, clock=clock, lookups=lookups, **services
        )
    config = HarvestSettings.from_dict(settings)
    if config.harvest_api == LEGACY_API:
        client = make_client(config.base_url, ats=ATS, auth=(config.api_key, ""), transport=transport)
        return GreenhouseHarvestV1Adapter(client, config, limiter=limiter, clock=clock, lookups=lookups)
    client = make_client(config.base_url, ats=ATS, transport=transport)
    return greenhouse_v3.GreenhouseHarvestV3Adapter(
        client, config, limiter=limiter, clock=clock, token_margin=TOKEN_MARGIN, lookups=lookups
    )
