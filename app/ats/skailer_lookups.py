"""Skailer's reads: the job, pipeline and source lists, cached for `ttl` seconds of the injected
clock, and the person lookups, never cached.

Every `/search` endpoint is paged, 20 items a page by default, and Skailer documents no total
(SK-CON): a list is read page after page until a short or empty page. Whether a job is still
open is asked every time it is not known from a list read just now: a stale "open" would let a
delivery create a CV and an applicant before the closed job refused the candidate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from app.ats import skailer_payloads as payloads
from app.ats.base import PermanentError
from app.ats.cache import SharedLookups, TtlCache

ATS = "skailer"
Call = Callable[..., Any]  # (method, path, **httpx kwargs) -> the decoded JSON answer
Match = Callable[[Mapping[str, Any]], bool]


class SkailerLookups:
    def __init__(
        self,
        call: Call,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        shared: SharedLookups | None = None,
    ) -> None:
        self._call = call
        self._jobs = TtlCache(ttl, clock, shared=shared, name="jobs")
        self._pipelines = TtlCache(ttl, clock, shared=shared, name="pipelines")
        self._sources = TtlCache(ttl, clock, shared=shared, name="sources")

    def forget(self) -> None:
        """Read every list again next time (Skailer refused something they led to)."""
        for cache in (self._jobs, self._pipelines, self._sources):
            cache.clear()

    # jobs ------------------------------------------------------------------------------

    def jobs(self) -> list[dict]:
        return list(self._jobs.get("all", self._load_jobs).values())

    def job(self, job_ref: str) -> dict:
        return self._job(job_ref)[0]

    def open_job(self, job_ref: str) -> dict:
        """The job, or PermanentError naming it when Skailer does not have it or it is closed."""
        item, fresh = self._job(job_ref)
        if not fresh and not (payloads.is_open(item) and self._still_open(item)):
            self._jobs.clear()  # closed, reopened or renamed since the last load: read it again
            item, _ = self._job(job_ref)
        if not payloads.is_open(item):
            raise PermanentError(f"{ATS}: job {job_ref} is closed in Skailer", ats=ATS, status=422)
        return item

    def _load_jobs(self) -> dict[str, dict]:
        return {str(item["id"]): item for item in self._search(payloads.JOBS_SEARCH, {})}

    def _job(self, job_ref: str) -> tuple[dict, bool]:
        """The job's item, and whether the list was read from Skailer by this very call."""
        fresh: list[bool] = []

        def load() -> dict[str, dict]:
            fresh.append(True)
            return self._load_jobs()

        item = self._jobs.get("all", load).get(str(job_ref))
        if item is None and not fresh:
            self._jobs.clear()  # a job opened since the last load
            item = self._jobs.get("all", load).get(str(job_ref))
        if item is None:
            raise PermanentError(f"{ATS}: job {job_ref} not found", ats=ATS, status=404)
        return item, bool(fresh)

    def _still_open(self, item: Mapping[str, Any]) -> bool:
        def same(found: Mapping[str, Any]) -> bool:
            return str(found["id"]) == str(item["id"])

        query = payloads.open_jobs_titled(item.get("title", ""))
        return any(same(found) for found in self._search(payloads.JOBS_SEARCH, query, until=same))

    # pipelines and sources ---------------------------------------------------------------

    def pipeline(self, pipeline_id: int | str) -> dict:
        pipelines = self._pipelines.get("all", lambda: self._call("GET", payloads.PIPELINES))
        for pipeline in pipelines:
            if str(pipeline["id"]) == str(pipeline_id):
                return pipeline
        raise PermanentError(f"{ATS}: pipeline {pipeline_id} not found", ats=ATS, status=404)

    def stage_id(self, pipeline_id: str, wanted: str, job_ref: str) -> int:
        """The stage named or numbered `wanted` in the pipeline; the list is read once more
        before giving up, for a stage added since the last load."""
        for fresh in (False, True):
            if fresh:
                self._pipelines.clear()
            for stage in self.pipeline(pipeline_id)["stages"]:
                if str(stage["id"]) == str(wanted) or stage["name"].lower() == str(wanted).lower():
                    return int(stage["id"])
        raise PermanentError(
            f"{ATS}: stage {wanted!r} is not in pipeline {pipeline_id} of job {job_ref}", ats=ATS, status=422
        )

    def sources(self) -> list[dict]:
        return self._sources.get("all", lambda: self._call("GET", payloads.SOURCES))

    def source_id(self, name: str) -> int | None:
        wanted = name.strip().lower()
        return next((int(s["id"]) for s in self.sources() if s["name"].lower() == wanted), None)

    def source_name(self, source_ref: str) -> str:
        return next((s["name"] for s in self.sources() if str(s["id"]) == source_ref), "")

    # people (ASSUMED endpoints, after the /search convention) ---------------------------

    def applicant(self, email: str) -> str | None:
        """The applicant holding exactly this email; the search itself may match more."""

        def matches(item: Mapping[str, Any]) -> bool:
            return payloads.matching_applicant([item], email) is not None

        items = self._search(payloads.APPLICANTS_SEARCH, {"query": email}, until=matches)
        return payloads.matching_applicant(items, email)

    def candidate(self, applicant_ref: str, job_ref: str) -> str | None:
        query = payloads.candidates_search(applicant_ref, job_ref)
        items = self._call("POST", payloads.CANDIDATES_SEARCH, json=query)["items"]
        return str(items[0]["id"]) if items else None

    def _search(self, path: str, query: Mapping[str, Any], *, until: Match | None = None) -> list[dict]:
        """Every item of a `/search` endpoint, or those up to the first page holding one that
        `until` accepts."""
        items: dict[str, dict] = {}
        page = 1
        while True:
            body = self._call("POST", path, json={**query, "page": page})
            batch = [item for item in body["items"] if str(item["id"]) not in items]
            items.update((str(item["id"]), item) for item in batch)
            found = until is not None and any(until(item) for item in batch)
            # A page with nothing new ends it too: a server that ignores `page` is not read forever.
            if found or not batch or payloads.is_last_page(body, len(body["items"]), len(items)):
                return list(items.values())
            page += 1
