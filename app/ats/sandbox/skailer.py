"""A local imitation of the Skailer API (CONTRACTS §7), for tests, the benchmark and demos.

Paths and field names follow the vendor guide; every body shape is ASSUMED and lives in the
"shapes" section below so it can be corrected in one place once real documentation arrives.
What the sandbox stored is in `SkailerState`, which tests read through `sandbox_of(app).state`
or GET /_sandbox/state; faults are set by config or POST /_sandbox/faults (see common.py).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, abort, jsonify, request
from flask.typing import ResponseReturnValue

from app.ats.sandbox import common
from app.ats.sandbox.common import (
    FixedWindow,
    SandboxControl,
    bearer_token,
    committed,
    faults_from,
    install_control,
    json_response,
    server_error,
    too_many,
    vendor_config,
)

TOKEN_LIFETIME = 45 * 24 * 3600
PER_PAGE = 20
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_MAGIC = {b"%PDF": ".pdf", b"\xd0\xcf\x11\xe0": ".doc", b"PK\x03\x04": ".docx"}

# --- shapes (ASSUMED, CONTRACTS §7.2/§7.3) -------------------------------------------------

SEED_PIPELINES = [
    {
        "id": 12,
        "name": "Default",
        "stages": [
            {"id": 101, "name": "New", "position": 0},
            {"id": 102, "name": "Screening", "position": 1},
            {"id": 103, "name": "Interview", "position": 2},
        ],
    },
    {
        "id": 13,
        "name": "Engineering",
        "stages": [
            {"id": 111, "name": "New", "position": 0},
            {"id": 112, "name": "Tech screen", "position": 1},
        ],
    },
]
SEED_SOURCES = [
    {"id": 7, "name": "Careers site"},
    {"id": 8, "name": "LinkedIn"},
    {"id": 9, "name": "Referral"},
]
SEED_JOBS = [
    {"id": 311, "title": "Data Engineer", "pipeline_id": 12, "status": "open", "location": "Madrid"},
    {"id": 312, "title": "Backend Engineer", "pipeline_id": 13, "status": "open", "location": "Remote"},
    {"id": 313, "title": "Office Manager", "pipeline_id": 12, "status": "closed", "location": "Madrid"},
]


def page_of(items: list[dict], page: int) -> dict:
    start = (page - 1) * PER_PAGE
    return {"items": items[start : start + PER_PAGE], "page": page, "per_page": PER_PAGE, "total": len(items)}


def invalid(errors: dict[str, list], status: int = 422) -> ResponseReturnValue:
    return jsonify({"message": "The given data was invalid.", "errors": errors}), status


def applicant_view(applicant: dict) -> dict:
    return {key: applicant[key] for key in ("id", "first_name", "last_name", "email", "cv_ids")}


# --- state --------------------------------------------------------------------------------


@dataclass
class SkailerState:
    jobs: list[dict] = field(default_factory=lambda: [dict(j) for j in SEED_JOBS])
    pipelines: list[dict] = field(default_factory=lambda: [dict(p) for p in SEED_PIPELINES])
    sources: list[dict] = field(default_factory=lambda: [dict(s) for s in SEED_SOURCES])
    tokens: dict[str, float] = field(default_factory=dict)  # token -> issued at (epoch s)
    cvs: dict[int, dict] = field(default_factory=dict)
    applicants: dict[int, dict] = field(default_factory=dict)
    candidates: dict[int, dict] = field(default_factory=dict)
    actions: dict[int, dict] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path) per request
    reject_duplicate_email: bool = True
    clock: Callable[[], float] = field(default=time.time, repr=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _ids: Any = field(default_factory=lambda: itertools.count(5000), repr=False)

    def next_id(self) -> int:
        return next(self._ids)

    def stage_ids(self, pipeline_id: int) -> set[int]:
        return {s["id"] for p in self.pipelines if p["id"] == pipeline_id for s in p["stages"]}

    def applicant_by_email(self, email: str) -> dict | None:
        return next((a for a in self.applicants.values() if a["email"].lower() == email.lower()), None)

    def count_calls(self, path_prefix: str = "/api/") -> int:
        return sum(1 for _, path in self.calls if path.startswith(path_prefix))

    def summary(self) -> dict:
        return {
            "cvs": [{k: v for k, v in cv.items() if k != "data"} for cv in self.cvs.values()],
            "applicants": list(self.applicants.values()),
            "candidates": list(self.candidates.values()),
            "actions": list(self.actions.values()),
            "calls": len(self.calls),
        }


class SkailerControl(SandboxControl[SkailerState]):
    """The sandbox's control object: Skailer's records, faults, and its token lifetime."""

    def count_applications(self, email: str, job_ref: str) -> int:
        with self.state.lock:
            applicant_ids = {
                a["id"] for a in self.state.applicants.values() if a["email"].lower() == email.lower()
            }
            return sum(
                1
                for c in self.state.candidates.values()
                if c["applicant_id"] in applicant_ids and str(c["job_id"]) == str(job_ref)
            )

    def expire_token(self) -> None:
        """Skailer tokens age out, so expiring one makes it older than TOKEN_LIFETIME; issuing
        it again (`state.tokens[token] = now`) or `restore_token` renews it."""
        with self.state.lock:
            for token in self.state.tokens:
                self.state.tokens[token] = 0.0

    def restore_token(self) -> None:
        with self.state.lock:
            for token in self.state.tokens:
                self.state.tokens[token] = self.state.clock()
        super().restore_token()

    def dump(self) -> dict[str, Any]:
        with self.state.lock:
            return self.state.summary()


# --- the app ------------------------------------------------------------------------------


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """config: token (str), limit_per_minute (100), clock and sleep (callables), seed (int),
    error_rate, rate_429 and latency (faults from the start), reject_duplicate_email (bool)."""
    settings = vendor_config(config)
    clock: Callable[[], float] = settings.get("clock", time.time)

    def fresh_state() -> SkailerState:
        state = SkailerState(clock=clock, reject_duplicate_email=settings.get("reject_duplicate_email", True))
        state.tokens[settings.get("token", "sandbox-token")] = clock()
        return state

    control = SkailerControl(fresh_state(), faults_from(config or {}), fresh_state)
    limiter = FixedWindow(settings.get("limit_per_minute", 100), 60.0, clock)
    app = Flask(__name__)
    install_control(app, control)
    _guard(app, control, limiter)
    _lookups(app, control)
    _applicant_writes(app, control)
    _candidate_writes(app, control)
    return app


def sandbox_of(app: Flask) -> SkailerControl:
    return app.extensions["sandbox"]


control = sandbox_of  # the name older callers use


STEP_OF = {
    ("POST", "/api/v1/jobs/search"): "search_jobs",
    ("GET", "/api/v1/pipelines/all"): "pipelines",
    ("GET", "/api/v1/sources/all"): "sources",
    ("POST", "/api/v1/upload-cv-file"): "upload_cv",
    ("POST", "/api/v1/applicant"): "create_applicant",
    ("POST", "/api/v1/candidate"): "assign_to_job",
    ("POST", "/api/v1/applicants/search"): "find_applicant",
    ("POST", "/api/v1/candidates/search"): "find_candidate",
}


def step_of(method: str, path: str) -> str:
    if method == "POST" and path.startswith("/api/v1/candidates/") and path.endswith("/actions"):
        return "comment"
    return STEP_OF.get((method, path), "other")


def _guard(app: Flask, control: SkailerControl, limiter: FixedWindow) -> None:
    @app.before_request
    def check() -> ResponseReturnValue | None:
        if not request.path.startswith("/api/"):
            return None
        state = control.state
        with state.lock:
            state.calls.append((request.method, request.path))
            issued = state.tokens.get(bearer_token() or "")
        expired = issued is None or state.clock() - issued > TOKEN_LIFETIME
        if expired or control.faults.token_expired:
            return jsonify({"message": "Unauthenticated."}), 401
        wait = limiter.hit()
        if wait is not None:
            return too_many(wait)
        status = control.faults.before(step_of(request.method, request.path))
        if status == 429:
            return too_many(1)
        if status is not None:
            return (
                server_error()
                if status >= 500
                else (jsonify({"message": "Injected failure.", "errors": {}}), status)
            )
        return None


def _saved(control: SkailerControl, step: str, body: Any) -> Response:
    """Answer a saved create with 201, unless a commit-then-fail fault hides the success."""
    return committed(control.faults, step, json_response(201, body), server_error)


def _lookups(app: Flask, control: SkailerControl) -> None:
    """The reads: cached by the adapter, and never creating anything."""
    state = control.state

    @app.post("/api/v1/jobs/search")
    def search_jobs() -> ResponseReturnValue:
        query = request.get_json(silent=True) or {}
        text = str(query.get("query", "")).lower()
        status = query.get("status")
        items = [
            j for j in state.jobs if text in j["title"].lower() and (not status or j["status"] == status)
        ]
        return jsonify(page_of(items, max(1, int(query.get("page", 1)))))

    @app.get("/api/v1/pipelines/all")
    def pipelines() -> ResponseReturnValue:
        return jsonify(state.pipelines)

    @app.get("/api/v1/sources/all")
    def sources() -> ResponseReturnValue:
        return jsonify(state.sources)

    @app.post("/api/v1/applicants/search")
    def find_applicant() -> ResponseReturnValue:
        text = str((request.get_json(silent=True) or {}).get("query", "")).lower()
        with state.lock:
            items = [
                applicant_view(a) for a in state.applicants.values() if text and text in a["email"].lower()
            ]
        return jsonify(page_of(items, 1))

    @app.post("/api/v1/candidates/search")
    def find_candidate() -> ResponseReturnValue:
        query = request.get_json(silent=True) or {}
        with state.lock:
            items = [
                c
                for c in state.candidates.values()
                if c["applicant_id"] == query.get("applicant_id") and c["job_id"] == query.get("job_id")
            ]
        return jsonify(page_of(items, 1))


def _applicant_writes(app: Flask, control: SkailerControl) -> None:
    """The CV upload and the applicant record; each write is answered through `_saved`."""
    state = control.state

    @app.post("/api/v1/upload-cv-file")
    def upload_cv() -> ResponseReturnValue:
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        if upload is None or not data or len(data) > MAX_FILE_BYTES or data[:4] not in FILE_MAGIC:
            return invalid({"file": ["The file must be a PDF, DOC or DOCX of at most 10 MB."]})
        with state.lock:
            cv_id = state.next_id()
            state.cvs[cv_id] = {"id": cv_id, "filename": upload.filename, "size": len(data)}
        return _saved(control, "upload_cv", {"cv_id": cv_id, "parsed": {}})

    @app.post("/api/v1/applicant")
    def create_applicant() -> ResponseReturnValue:
        body = request.get_json(silent=True) or {}
        errors = _applicant_errors(state, body)
        if errors:
            return invalid(errors)
        with state.lock:
            existing = state.applicant_by_email(body["email"])
            if existing and state.reject_duplicate_email:
                return invalid({"email": ["already exists"], "applicant_id": [existing["id"]]})
            applicant = {
                "id": state.next_id(),
                "first_name": body["first_name"],
                "last_name": body["last_name"],
                "email": body["email"],
                "phone": body.get("phone", ""),
                "source_id": body.get("source_id"),
                "linkedin_url": body.get("linkedin_url", ""),
                "cv_ids": list(body.get("cv_ids", [])),
            }
            state.applicants[applicant["id"]] = applicant
        return _saved(control, "create_applicant", applicant)


def _candidate_writes(app: Flask, control: SkailerControl) -> None:
    """Putting an applicant on a job, and the comment that follows."""
    state = control.state

    @app.post("/api/v1/candidate")
    def assign_to_job() -> ResponseReturnValue:
        body = request.get_json(silent=True) or {}
        with state.lock:
            errors = _candidate_errors(state, body)
            if errors:
                return invalid(errors)
            candidate = {
                "id": state.next_id(),
                "job_id": body["job_id"],
                "applicant_id": body["applicant_id"],
                "pipeline_id": body["pipeline_id"],
                "pipeline_stage_id": body["pipeline_stage_id"],
                "source_id": body.get("source_id"),
            }
            state.candidates[candidate["id"]] = candidate
        return _saved(control, "assign_to_job", candidate)

    @app.post("/api/v1/candidates/<int:candidate_id>/actions")
    def comment(candidate_id: int) -> ResponseReturnValue:
        body = request.get_json(silent=True) or {}
        with state.lock:
            if candidate_id not in state.candidates:
                abort(404)
            if not any(
                body.get(k)
                for k in ("comment", "pipeline_stage_id", "reserved", "disqualification_reason_id")
            ):
                return invalid({"comment": ["An action needs a comment or a change."]})
            action = {
                "id": state.next_id(),
                "candidate_id": candidate_id,
                "type": "comment" if body.get("comment") else "move",
                "comment": body.get("comment", ""),
            }
            state.actions[action["id"]] = action
        return _saved(control, "comment", action)


def _applicant_errors(state: SkailerState, body: dict) -> dict:
    errors = {
        key: ["The field is required."]
        for key in ("first_name", "last_name", "email")
        if not str(body.get(key, "")).strip()
    }
    cv_ids = body.get("cv_ids", [])
    if not isinstance(cv_ids, list) or any(cv not in state.cvs for cv in cv_ids):
        errors["cv_ids"] = ["Unknown cv id."]
    if body.get("source_id") is not None and body["source_id"] not in {s["id"] for s in state.sources}:
        errors["source_id"] = ["Unknown source."]
    return errors


def _candidate_errors(state: SkailerState, body: dict) -> dict:
    job = next((j for j in state.jobs if j["id"] == body.get("job_id")), None)
    errors: dict[str, list] = {}
    if job is None:
        errors["job_id"] = ["Unknown job."]
    if body.get("applicant_id") not in state.applicants:
        errors["applicant_id"] = ["Unknown applicant."]
    if job and body.get("pipeline_id") != job["pipeline_id"]:
        errors["pipeline_id"] = ["The pipeline is not the job's."]
    elif job and body.get("pipeline_stage_id") not in state.stage_ids(job["pipeline_id"]):
        errors["pipeline_stage_id"] = ["The stage is not in the job's pipeline."]
    if not errors and any(
        c["job_id"] == body["job_id"] and c["applicant_id"] == body["applicant_id"]
        for c in state.candidates.values()
    ):
        errors["applicant_id"] = ["The applicant is already a candidate for this job."]
    return errors


def serve(host: str = "127.0.0.1", port: int = 5051, config: Mapping[str, Any] | None = None) -> None:
    """Run the sandbox as a real HTTP server (blocks), e.g. for `flask sandbox skailer`."""
    common.serve(create_app, host, port, config)
