"""A local imitation of the Skailer API (CONTRACTS §7), for tests, the benchmark and demos.

Paths and field names follow the vendor guide; every body shape is ASSUMED and lives in the
"shapes" section below so it can be corrected in one place once real documentation arrives.
What the sandbox stored is in `SkailerState`, which tests read through `sandbox_of(app).state`
or GET /_sandbox/state; faults are set by config or POST /_sandbox/faults (see common.py).
"""

from __future__ import annotations

import copy
import io
import itertools
import re
import threading
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, Response, jsonify, request
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

TOKEN_LIFETIME = 45 * 24 * 3600  # documented (SK-CON)
PER_PAGE = 20  # documented default page size of /search endpoints (SK-CON)
MAX_FILE_BYTES = 10 * 1024 * 1024  # ASSUMED
JOB_STATUSES = ("open", "closed")  # ASSUMED

# Body fields per JSON request: name -> (type, required). Names from the guide, types ASSUMED.
Spec = dict[str, tuple[type, bool]]
JOBS_SEARCH: Spec = {"query": (str, False), "status": (str, False), "page": (int, False)}
APPLICANTS_SEARCH: Spec = {"query": (str, False), "page": (int, False)}
CANDIDATES_SEARCH: Spec = {"applicant_id": (int, False), "job_id": (int, False), "page": (int, False)}
APPLICANT: Spec = {
    **{name: (str, True) for name in ("first_name", "last_name", "email")},
    **{name: (str, False) for name in ("phone", "linkedin_url", "city", "country", "position", "company")},
    "source_id": (int, True),  # S4:15-16 "store the required source_id"; placement ASSUMED
    "cv_ids": (list, False),
    "skills": (list, False),
}
CANDIDATE: Spec = {
    **{name: (int, True) for name in ("job_id", "applicant_id", "pipeline_id", "pipeline_stage_id")},
    "source_id": (int, False),
}
ACTION: Spec = {
    "pipeline_stage_id": (int, False),
    "disqualification_reason_id": (int, False),
    "reserved": (bool, False),
    "comment": (str, False),
    "datetime_action_date": (str, False),
}
ACTION_FIELDS = ("pipeline_stage_id", "disqualification_reason_id", "reserved", "comment")
CV_TYPES = {  # what a stored CV is, judged by its content (see cv_kind)
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
TYPE_NAMES = {str: "a string", int: "an integer", list: "an array", bool: "true or false"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

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


def page_of(items: list[dict], page: int, with_total: bool = True) -> dict:
    start = (page - 1) * PER_PAGE
    body = {"items": items[start : start + PER_PAGE], "page": page, "per_page": PER_PAGE}
    return body | ({"total": len(items)} if with_total else {})


def invalid(errors: dict[str, list], status: int = 422) -> ResponseReturnValue:
    return jsonify({"message": "The given data was invalid.", "errors": errors}), status


def not_found() -> ResponseReturnValue:
    return jsonify({"message": "Not found."}), 404


def applicant_view(applicant: dict) -> dict:
    return {key: applicant[key] for key in ("id", "first_name", "last_name", "email", "cv_ids")}


def cv_kind(data: bytes) -> str | None:
    """ "pdf", "doc" or "docx" when the bytes are one (by content, not name), else None.

    An ODT is a ZIP like a DOCX and an XLS is an OLE file like a DOC, so the container's
    magic bytes are not enough: a DOCX holds word/document.xml, a DOC a WordDocument stream."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc" if "WordDocument".encode("utf-16-le") in data else None
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        return "docx" if "word/document.xml" in names and "mimetype" not in names else None
    return None


def json_object() -> dict | None:
    """The request's JSON object; None when the body is not JSON (Skailer speaks JSON only)."""
    body = request.get_json(silent=True) if request.is_json else None
    return body if isinstance(body, dict) else None


def type_errors(body: Mapping[str, Any], spec: Spec) -> dict[str, list[str]]:
    """Laravel-style messages for missing required fields and values of the wrong type."""
    errors: dict[str, list[str]] = {}
    for name, (kind, required) in spec.items():
        value = body.get(name)
        if value is None or (required and isinstance(value, str) and not value.strip()):
            if required:
                errors[name] = [f"The {name} field is required."]
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            errors[name] = [f"The {name} must be {TYPE_NAMES[kind]}."]
    if isinstance(body.get("page"), int) and body["page"] < 1:
        errors["page"] = ["The page must be at least 1."]
    return errors


def read_body(spec: Spec) -> tuple[dict, dict[str, list[str]]]:
    """The JSON body and what is wrong with it against `spec`."""
    body = json_object()
    if body is None:
        return {}, {"body": ["The request body must be a JSON object."]}
    return body, type_errors(body, spec)


# --- state --------------------------------------------------------------------------------


@dataclass
class SkailerState:
    jobs: list[dict] = field(default_factory=lambda: [dict(j) for j in SEED_JOBS])
    pipelines: list[dict] = field(default_factory=lambda: copy.deepcopy(SEED_PIPELINES))
    sources: list[dict] = field(default_factory=lambda: [dict(s) for s in SEED_SOURCES])
    tokens: dict[str, float] = field(default_factory=dict)  # token -> issued at (epoch s)
    cvs: dict[int, dict] = field(default_factory=dict)
    applicants: dict[int, dict] = field(default_factory=dict)
    candidates: dict[int, dict] = field(default_factory=dict)
    actions: dict[int, dict] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path) per request
    reject_duplicate_email: bool = True
    report_total: bool = False  # True: /search pages also say how many items there are (undocumented)
    clock: Callable[[], float] = field(default=time.time, repr=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _ids: Any = field(default_factory=lambda: itertools.count(5000), repr=False)

    def next_id(self) -> int:
        return next(self._ids)

    def stage_ids(self, pipeline_id: int) -> set[int]:
        return {s["id"] for p in self.pipelines if p["id"] == pipeline_id for s in p["stages"]}

    def applicant_by_email(self, email: str) -> dict | None:
        return next((a for a in self.applicants.values() if a["email"].lower() == email.lower()), None)

    def applicants_of(self, email: str) -> list[dict]:
        return [a for a in self.applicants.values() if a["email"].lower() == email.lower()]

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
            applicant_ids = {a["id"] for a in self.state.applicants_of(email)}
            return sum(
                1
                for c in self.state.candidates.values()
                if c["applicant_id"] in applicant_ids and str(c["job_id"]) == str(job_ref)
            )

    def count_people(self, email: str) -> int:
        with self.state.lock:
            return len(self.state.applicants_of(email))

    def resume_types(self, email: str) -> list[str]:
        """The CVs attached to this person's applicant records (an uploaded CV no applicant
        names is no one's), oldest first."""
        with self.state.lock:
            cv_ids = sorted(cv for a in self.state.applicants_of(email) for cv in a["cv_ids"])
            return [self.state.cvs[cv]["content_type"] for cv in cv_ids]

    def count_records(self) -> int:
        state = self.state
        with state.lock:
            return len(state.cvs) + len(state.applicants) + len(state.candidates) + len(state.actions)

    def close_job(self, job_ref: str) -> None:
        with self.state.lock:
            for job in self.state.jobs:
                if str(job["id"]) == str(job_ref):
                    job["status"] = "closed"

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
    error_rate, rate_429 and latency (faults from the start), reject_duplicate_email (bool),
    report_total (bool: whether /search pages say how many items there are)."""
    settings = vendor_config(config)
    clock: Callable[[], float] = settings.get("clock", time.time)

    def fresh_state() -> SkailerState:
        state = SkailerState(
            clock=clock,
            reject_duplicate_email=settings.get("reject_duplicate_email", True),
            report_total=settings.get("report_total", False),
        )
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
    ("POST", "/api/v1/jobs/search"): "find_job",
    ("GET", "/api/v1/pipelines/all"): "pick_stage",
    ("GET", "/api/v1/sources/all"): "pick_source",
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
        query, errors = read_body(JOBS_SEARCH)
        if not errors and query.get("status") not in (None, *JOB_STATUSES):
            errors["status"] = ["The selected status is invalid."]
        if errors:
            return invalid(errors)
        text, status = query.get("query", "").lower(), query.get("status")
        items = [
            j for j in state.jobs if text in j["title"].lower() and (not status or j["status"] == status)
        ]
        return jsonify(page_of(items, query.get("page", 1), state.report_total))

    @app.get("/api/v1/pipelines/all")
    def pipelines() -> ResponseReturnValue:
        return jsonify(state.pipelines)

    @app.get("/api/v1/sources/all")
    def sources() -> ResponseReturnValue:
        return jsonify(state.sources)

    @app.post("/api/v1/applicants/search")
    def find_applicant() -> ResponseReturnValue:
        query, errors = read_body(APPLICANTS_SEARCH)
        if errors:
            return invalid(errors)
        text = query.get("query", "").lower()
        with state.lock:
            items = [
                applicant_view(a) for a in state.applicants.values() if text and text in a["email"].lower()
            ]
        return jsonify(page_of(items, query.get("page", 1), state.report_total))

    @app.post("/api/v1/candidates/search")
    def find_candidate() -> ResponseReturnValue:
        query, errors = read_body(CANDIDATES_SEARCH)
        if errors:
            return invalid(errors)
        with state.lock:
            items = [
                c
                for c in state.candidates.values()
                if c["applicant_id"] == query.get("applicant_id") and c["job_id"] == query.get("job_id")
            ]
        return jsonify(page_of(items, query.get("page", 1), state.report_total))

    @app.errorhandler(404)
    def unknown_path(_: Exception) -> ResponseReturnValue:
        return not_found()

    @app.errorhandler(405)
    def wrong_method(_: Exception) -> ResponseReturnValue:
        return jsonify({"message": f"The {request.method} method is not supported for this route."}), 405


def _applicant_writes(app: Flask, control: SkailerControl) -> None:
    """The CV upload and the applicant record; each write is answered through `_saved`."""
    state = control.state

    @app.post("/api/v1/upload-cv-file")
    def upload_cv() -> ResponseReturnValue:
        if request.mimetype != "multipart/form-data":
            return invalid({"file": ["The file must be sent as multipart/form-data."]})
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        if upload is None or not data:
            return invalid({"file": ["The file field is required."]})
        if len(data) > MAX_FILE_BYTES:
            return invalid({"file": ["The file may not be greater than 10240 kilobytes."]})
        kind = cv_kind(data)
        if kind is None:
            return invalid({"file": ["The file must be a file of type: pdf, doc, docx."]})
        with state.lock:
            cv_id = state.next_id()
            state.cvs[cv_id] = {
                "id": cv_id,
                "filename": upload.filename,
                "size": len(data),
                "content_type": CV_TYPES[kind],
            }
        return _saved(control, "upload_cv", {"cv_id": cv_id, "parsed": {}})

    @app.post("/api/v1/applicant")
    def create_applicant() -> ResponseReturnValue:
        body, errors = read_body(APPLICANT)
        errors = errors or _applicant_errors(state, body)
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
    """Putting an applicant on a job, and the actions that follow."""
    state = control.state

    @app.post("/api/v1/candidate")
    def assign_to_job() -> ResponseReturnValue:
        body, errors = read_body(CANDIDATE)
        with state.lock:
            errors = errors or _candidate_errors(state, body)
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
        body, errors = read_body(ACTION)
        with state.lock:
            candidate = state.candidates.get(candidate_id)
            if candidate is None:
                return not_found()
            errors = errors or _action_errors(state, candidate, body)
            if errors:
                return invalid(errors)
            action = {
                "id": state.next_id(),
                "candidate_id": candidate_id,
                "type": "comment" if body.get("comment") else "move",
                "comment": body.get("comment", ""),
            }
            state.actions[action["id"]] = action
        return _saved(control, "comment", action)

    @app.delete("/api/v1/candidates/<int:candidate_id>/actions/<int:action_id>")
    def undo_action(candidate_id: int, action_id: int) -> ResponseReturnValue:
        with state.lock:
            action = state.actions.get(action_id)
            if action is None or action["candidate_id"] != candidate_id:
                return not_found()
            del state.actions[action_id]
        return jsonify(action)


def _applicant_errors(state: SkailerState, body: dict) -> dict:
    errors: dict[str, list] = {}
    if not EMAIL.match(body["email"]):
        errors["email"] = ["The email must be a valid email address."]
    cv_ids = body.get("cv_ids", [])
    if any(not isinstance(cv, int) or isinstance(cv, bool) for cv in cv_ids):
        errors["cv_ids"] = ["The cv_ids must be an array of integers."]
    elif any(cv not in state.cvs for cv in cv_ids):
        errors["cv_ids"] = ["Unknown cv id."]
    if body["source_id"] not in {s["id"] for s in state.sources}:
        errors["source_id"] = ["Unknown source."]
    return errors


def _candidate_errors(state: SkailerState, body: dict) -> dict:
    job = next((j for j in state.jobs if j["id"] == body["job_id"]), None)
    errors: dict[str, list] = {}
    if job is None:
        errors["job_id"] = ["Unknown job."]
    elif job["status"] != "open":
        errors["job_id"] = ["The job is closed."]
    if body["applicant_id"] not in state.applicants:
        errors["applicant_id"] = ["Unknown applicant."]
    if job and body["pipeline_id"] != job["pipeline_id"]:
        errors["pipeline_id"] = ["The pipeline is not the job's."]
    elif job and body["pipeline_stage_id"] not in state.stage_ids(job["pipeline_id"]):
        errors["pipeline_stage_id"] = ["The stage is not in the job's pipeline."]
    if body.get("source_id") is not None and body["source_id"] not in {s["id"] for s in state.sources}:
        errors["source_id"] = ["Unknown source."]
    if not errors and any(
        c["job_id"] == body["job_id"] and c["applicant_id"] == body["applicant_id"]
        for c in state.candidates.values()
    ):
        errors["applicant_id"] = ["The applicant is already a candidate for this job."]
    return errors


def _action_errors(state: SkailerState, candidate: dict, body: dict) -> dict:
    if not any(body.get(name) not in (None, "", False) for name in ACTION_FIELDS):
        return {"comment": ["An action needs a comment or a change."]}
    errors: dict[str, list] = {}
    stage = body.get("pipeline_stage_id")
    if stage is not None and stage not in state.stage_ids(candidate["pipeline_id"]):
        errors["pipeline_stage_id"] = ["The stage is not in the candidate's pipeline."]
    when = body.get("datetime_action_date")
    if when is not None:
        try:
            datetime.fromisoformat(when)
        except ValueError:
            errors["datetime_action_date"] = ["The datetime_action_date is not a valid date."]
    return errors


def serve(host: str = "127.0.0.1", port: int = 5051, config: Mapping[str, Any] | None = None) -> None:
    """Run the sandbox as a real HTTP server (blocks), e.g. for `flask sandbox skailer`."""
    common.serve(create_app, host, port, config)
