"""A local imitation of NexivoHR's API (CONTRACTS §4.4), with plan limits and fault injection.

Shapes NexivoHR does not document (bodies, initial stage, error format) are ASSUMED and built
in `envelope`, `error` and `DEFAULT_STAGE` so they can be corrected in one place. `send_event`
plays NexivoHR's webhook sender: it signs an event and POSTs it to our endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from flask import Flask, Response, request

from app.ats.sandbox import common
from app.ats.sandbox.common import (
    SandboxControl,
    committed,
    faults_from,
    install_control,
    is_control_request,
    json_response,
    vendor_config,
)

PREFIX = "/ats/api/v1"
PLANS = {"professional": (60, 10_000), "enterprise": (600, 1_000_000)}
DEFAULT_STAGE = "submitted"  # ASSUMED
STAGES = ("screening", "interview", "offer", "placed", "rejected")  # PATCH /submissions enum
CANDIDATE_STATUSES = ("new", "screening", "available", "placed")  # GET /candidates ?status=
MAX_PER_PAGE = 100
CANDIDATE_TEXT = ("first_name", "last_name", "email", "phone", "current_title", "city", "state")
JOB_TEXT = ("title", "location", "description")  # ASSUMED job fields
SIGNATURE_HEADER = "X-NexivoHR-Signature"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESUME_LINK = re.compile(r"https?://\S{1,2000}")
RESUME_LINE = re.compile(r"Resume: https?://\S{1,2000}$")
LINK_TYPE = "text/uri-list"  # what NexivoHR holds of a resume: a link


def default_jobs() -> dict[int, dict]:
    return {
        77: {
            "id": 77,
            "title": "Data Engineer",
            "location": "Madrid",
            "status": "open",
            "description": "Pipelines and warehouses.",
        },
        78: {
            "id": 78,
            "title": "Recruiter",
            "location": "Remote",
            "status": "open",
            "description": "Find great people.",
        },
        79: {"id": 79, "title": "Office Manager", "location": "Lyon", "status": "closed", "description": ""},
    }


@dataclass
class NexivoState:
    api_token: str = "nexivo-test-token"
    plan: str = "professional"  # "starter" answers 403 to everything
    limit_per_minute: int | None = None  # overrides the plan's (benchmarks raise it)
    envelope: str = "wrapped"  # "wrapped" ({"data": ...}) or "bare"
    allow_duplicate_emails: bool = False
    jobs: dict[int, dict] = field(default_factory=default_jobs)
    candidates: dict[int, dict] = field(default_factory=dict)
    submissions: dict[int, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)  # webhook events NexivoHR would send
    requests: list[tuple[str, str]] = field(default_factory=list)
    clock: Callable[[], float] = time.time
    minute: deque = field(default_factory=deque)
    day: list[int] = field(default_factory=lambda: [-1, 0])  # [day number, requests that day]
    rate_limited: int = 0  # 429s answered for the plan limits
    next_id: int = 4800
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class NexivoControl(SandboxControl[NexivoState]):
    """The sandbox's control object: what NexivoHR stored, its faults and its plan limits."""

    def count_applications(self, email: str, job_ref: str) -> int:
        return sum(
            1
            for s in self.state.submissions.values()
            if str(s["job_id"]) == str(job_ref)
            and str(self.state.candidates[s["candidate_id"]].get("email") or "").lower() == email.lower()
        )

    def count_people(self, email: str) -> int:
        return sum(1 for c in self.state.candidates.values() if _same_email(c, email))

    def resume_types(self, email: str) -> list[str]:
        """NexivoHR stores no files (no endpoint): what it holds of a resume is a link, in a
        field named for it or on a `Resume: <url>` line of the submission's notes. Each such link
        counts as one resume of type `text/uri-list`, oldest first."""
        people = {c["id"]: c for c in self.state.candidates.values() if _same_email(c, email)}
        records = [
            *people.values(),
            *(s for s in self.state.submissions.values() if s["candidate_id"] in people),
        ]
        return [LINK_TYPE for record in sorted(records, key=lambda r: r["id"]) for _ in resume_links(record)]

    def count_records(self) -> int:
        """Candidates and submissions: all the API creates for an application."""
        return len(self.state.candidates) + len(self.state.submissions)

    def close_job(self, job_ref: str) -> None:
        self.state.jobs[int(job_ref)]["status"] = "closed"

    def new_id(self) -> int:
        self.state.next_id += 1
        return self.state.next_id

    def over_plan(self) -> float | None:
        """Seconds until the plan allows another request, or None when it does (and count it)."""
        per_minute, per_day = PLANS[self.state.plan]
        per_minute = self.state.limit_per_minute or per_minute
        now, minute, day = self.state.clock(), self.state.minute, self.state.day
        with self.state.lock:
            while minute and minute[0] <= now - 60:
                minute.popleft()
            if day[0] != int(now // 86_400):
                day[:] = [int(now // 86_400), 0]
            if day[1] >= per_day:
                return (day[0] + 1) * 86_400 - now
            if len(minute) >= per_minute:
                return minute[0] + 60 - now
            minute.append(now)
            day[1] += 1
            return None

    def dump(self) -> dict[str, Any]:
        return {
            "candidates": list(self.state.candidates.values()),
            "submissions": list(self.state.submissions.values()),
            "events": self.state.events,
            "rate_limited": self.state.rate_limited,
        }


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """`config` may set any NexivoState field (plan, envelope, clock, ...) and the shared fault
    settings (error_rate, rate_429, latency, seed, sleep)."""
    settings = vendor_config(config)
    control = NexivoControl(
        NexivoState(**settings), faults_from(config or {}), lambda: NexivoState(**settings)
    )
    app = Flask(__name__)
    install_control(app, control)
    app.before_request(_guard(control))
    _job_routes(app, control)
    _candidate_routes(app, control)
    _submission_routes(app, control)
    return app


def sandbox_of(app: Flask) -> NexivoControl:
    return app.extensions["sandbox"]


def serve(host: str = "127.0.0.1", port: int = 8102, config: Mapping[str, Any] | None = None) -> None:
    """Run the sandbox as a real HTTP server (blocks)."""
    common.serve(create_app, host, port, config)


# --- answers (ASSUMED shapes) -------------------------------------------------------------


def resume_links(record: Mapping[str, Any]) -> list[str]:
    """The resume links a candidate or submission holds (see NexivoControl.resume_types)."""
    links = [
        value
        for key, value in record.items()
        if "resume" in key.lower() and isinstance(value, str) and RESUME_LINK.fullmatch(value.strip())
    ]
    notes = record.get("notes")
    if isinstance(notes, str):
        links += [line.removeprefix("Resume: ") for line in notes.splitlines() if RESUME_LINE.match(line)]
    return links


def _same_email(candidate: Mapping[str, Any], email: str) -> bool:
    return str(candidate.get("email") or "").lower() == email.lower()


def server_error() -> Response:
    return error(500, "Server Error")


def error(
    status: int, message: str, errors: dict | None = None, *, headers: Mapping[str, str] | None = None
) -> Response:
    return json_response(status, {"message": message, **({"errors": errors} if errors else {})}, headers)


def invalid(errors: dict[str, list[str]]) -> Response:
    """The documented validation refusal: 400 with an `errors` field (its shape ASSUMED)."""
    return error(400, "Validation failed", errors)


def not_found() -> Response:
    return error(404, "Not Found")


def answer(control: NexivoControl, payload: Any, status: int = 200, meta: dict | None = None) -> Response:
    """The enveloped success, unless a commit-then-fail fault is armed for this operation."""
    if control.state.envelope == "bare":
        body = payload
    else:
        body = {"data": payload, **({"meta": meta} if meta else {})}
    return committed(control.faults, request.endpoint or "", json_response(status, body), server_error)


def paging_errors() -> dict[str, list[str]]:
    """page >= 1 and 1 <= per_page <= 100, both integers (documented for candidates)."""
    errors = {}
    for name, low, high in (("page", 1, None), ("per_page", 1, MAX_PER_PAGE)):
        raw = request.args.get(name)
        if raw is None:
            continue
        if not raw.isdigit() or int(raw) < low:
            errors[name] = [f"must be an integer of at least {low}"]
        elif high is not None and int(raw) > high:
            errors[name] = [f"must be at most {high}"]
    return errors


def page(control: NexivoControl, items: list[dict]) -> Response:
    errors = paging_errors()
    if errors:
        return invalid(errors)
    number = int(request.args.get("page", 1))
    per_page = int(request.args.get("per_page", 25))
    chunk = items[(number - 1) * per_page : number * per_page]
    return answer(control, chunk, meta={"page": number, "per_page": per_page, "total": len(items)})


def json_object() -> dict | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def text_errors(body: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, list[str]]:
    """The documented fields are strings (the reference's example sends only strings)."""
    return {
        name: ["must be a string"]
        for name in names
        if name in body and body[name] is not None and not isinstance(body[name], str)
    }


def query_terms(query: str) -> list[tuple[str, str]]:
    """`q` as (operator, text) terms under the boolean syntax the sandbox ASSUMES (NexivoHR
    documents only "boolean syntax"): whitespace separates terms; `+` (required) or `-`
    (excluded) starts a new term wherever it appears outside quotes, as in `ada+jobs`;
    double quotes make one literal phrase; a backslash escapes the next character."""
    terms: list[tuple[str, str]] = []
    operator, word, quoted, chars = "", "", False, iter(query)

    def close() -> None:
        nonlocal operator, word
        if word:
            terms.append((operator, word.lower()))
        operator, word = "", ""

    for char in chars:
        if char == "\\":
            word += next(chars, "")
        elif char == '"':
            if quoted:
                close()
            quoted = not quoted
        elif quoted:
            word += char
        elif char.isspace():
            close()
        elif char in "+-":
            close()
            operator = char
        else:
            word += char
    close()
    return terms


def matches(query: str, candidate: dict) -> bool:
    """Every plain or `+` term appears in the candidate's email or names; no `-` term does."""
    text = " ".join(str(candidate.get(k) or "") for k in ("email", "first_name", "last_name")).lower()
    return all((term in text) != (operator == "-") for operator, term in query_terms(query))


# --- routes -------------------------------------------------------------------------------


def _guard(control: NexivoControl) -> Callable[[], Response | None]:
    state = control.state

    def guard() -> Response | None:
        """Auth, plan, plan limits, then injected faults (keyed by the view's endpoint name)."""
        if is_control_request():
            return None
        state.requests.append((request.method, request.path.removeprefix(PREFIX)))
        expected = f"Bearer {state.api_token}"
        if control.faults.token_expired or request.headers.get("Authorization", "") != expected:
            return error(401, "Unauthenticated")
        if state.plan not in PLANS:
            return error(403, "API access is not available on your plan")
        wait = control.over_plan()
        if wait is not None:
            state.rate_limited += 1
            return error(429, "Too Many Requests", headers={"Retry-After": str(max(1, math.ceil(wait)))})
        status = control.faults.before(request.endpoint or "")
        if status == 429:
            return error(429, "Too Many Requests", headers={"Retry-After": "1"})
        if status is not None:
            return error(status, "Injected failure", headers={"Retry-After": "1"})
        return None

    return guard


def _job_routes(app: Flask, control: NexivoControl) -> None:
    """Jobs: "same CRUD pattern as candidates"; DELETE closes the job."""
    state = control.state

    @app.get(f"{PREFIX}/jobs", endpoint="list_jobs")
    def list_jobs() -> Response:
        return page(control, list(state.jobs.values()))

    @app.post(f"{PREFIX}/jobs", endpoint="create_job")
    def create_job() -> Response:
        body = json_object()
        if body is None:
            return invalid({"body": ["must be a JSON object"]})
        errors = text_errors(body, JOB_TEXT) or (
            {} if str(body.get("title") or "").strip() else {"title": ["can't be blank"]}
        )
        if errors:
            return invalid(errors)
        with state.lock:
            job = {"location": "", "description": "", **body, "id": control.new_id(), "status": "open"}
            state.jobs[job["id"]] = job
        return answer(control, job, 201)

    @app.get(f"{PREFIX}/jobs/<int:job_id>", endpoint="check_job")
    def get_job(job_id: int) -> Response:
        job = state.jobs.get(job_id)
        return answer(control, job) if job else not_found()

    @app.patch(f"{PREFIX}/jobs/<int:job_id>", endpoint="update_job")
    def update_job(job_id: int) -> Response:
        job, body = state.jobs.get(job_id), json_object()
        if job is None:
            return not_found()
        if body is None:
            return invalid({"body": ["must be a JSON object"]})
        errors = text_errors(body, JOB_TEXT)
        if "title" in body and not str(body["title"] or "").strip():
            errors["title"] = ["can't be blank"]
        if errors:
            return invalid(errors)
        job.update({k: v for k, v in body.items() if k not in ("id", "status")})
        return answer(control, job)

    @app.delete(f"{PREFIX}/jobs/<int:job_id>", endpoint="close_job")
    def close_job(job_id: int) -> Response:
        job = state.jobs.get(job_id)
        if job is None:
            return not_found()
        job["status"] = "closed"
        return answer(control, job)


def _candidate_routes(app: Flask, control: NexivoControl) -> None:
    state = control.state

    @app.get(f"{PREFIX}/candidates", endpoint="find_candidate")
    def search_candidates() -> Response:
        status = request.args.get("status")
        if status is not None and status not in CANDIDATE_STATUSES:
            return invalid({"status": [f"must be one of {', '.join(CANDIDATE_STATUSES)}"]})
        query = request.args.get("q", "").strip()
        found = [
            c
            for c in state.candidates.values()
            if (not query or matches(query, c))
            and (not status or c["status"] == status)
            and c["status"] != "inactive"
        ]
        return page(control, found)

    @app.post(f"{PREFIX}/candidates", endpoint="create_candidate")
    def create_candidate() -> Response:
        body = json_object()
        if body is None:
            return invalid({"body": ["must be a JSON object"]})
        with state.lock:
            errors = _candidate_errors(state, body, None)
            if errors:
                return invalid(errors)
            candidate = {
                **body,
                "id": control.new_id(),
                "email": str(body.get("email") or ""),
                "status": "new",
                "created_at": _now(state),
            }
            state.candidates[candidate["id"]] = candidate
        return answer(control, candidate, 201)

    @app.get(f"{PREFIX}/candidates/<int:candidate_id>", endpoint="get_candidate")
    def get_candidate(candidate_id: int) -> Response:
        candidate = state.candidates.get(candidate_id)
        return answer(control, candidate) if candidate else not_found()

    @app.patch(f"{PREFIX}/candidates/<int:candidate_id>", endpoint="update_candidate")
    def update_candidate(candidate_id: int) -> Response:
        """Only the fields sent change, as the reference says."""
        candidate, body = state.candidates.get(candidate_id), json_object()
        if candidate is None:
            return not_found()
        if body is None:
            return invalid({"body": ["must be a JSON object"]})
        with state.lock:
            errors = _candidate_errors(state, body, candidate)
            if errors:
                return invalid(errors)
            candidate.update({k: v for k, v in body.items() if k not in ("id", "status", "created_at")})
        return answer(control, candidate)

    @app.delete(f"{PREFIX}/candidates/<int:candidate_id>", endpoint="delete_candidate")
    def delete_candidate(candidate_id: int) -> Response:
        """A soft delete: the candidate stays, with status inactive."""
        candidate = state.candidates.get(candidate_id)
        if candidate is None:
            return not_found()
        candidate["status"] = "inactive"
        return answer(control, candidate)

    @app.errorhandler(404)
    def unknown_path(_: Exception) -> Response:
        return not_found()

    @app.errorhandler(405)
    def wrong_method(_: Exception) -> Response:
        return error(405, "Method Not Allowed")


def _candidate_errors(state: NexivoState, body: Mapping[str, Any], current: dict | None) -> dict:
    """What is wrong with a create (`current` None) or an update of `current`."""
    errors = text_errors(body, CANDIDATE_TEXT)
    for name in ("first_name", "last_name"):
        if name not in errors and (name in body or current is None) and not str(body.get(name) or "").strip():
            errors[name] = ["can't be blank"]
    email = body.get("email")
    if "email" not in errors and email:
        taken = any(
            c is not current and str(c.get("email") or "").lower() == email.lower()
            for c in state.candidates.values()
        )
        if not EMAIL.match(email):
            errors["email"] = ["is invalid"]
        elif taken and not state.allow_duplicate_emails:
            errors["email"] = ["has already been taken"]
    return errors


def _submission_routes(app: Flask, control: NexivoControl) -> None:
    state = control.state

    @app.get(f"{PREFIX}/jobs/<int:job_id>/submissions", endpoint="list_submissions")
    def list_submissions(job_id: int) -> Response:
        if job_id not in state.jobs:
            return not_found()
        return page(control, [s for s in state.submissions.values() if s["job_id"] == job_id])

    @app.post(f"{PREFIX}/jobs/<int:job_id>/submissions", endpoint="submit_to_job")
    def submit(job_id: int) -> Response:
        job, body = state.jobs.get(job_id), json_object()
        if job is None:
            return not_found()
        if body is None:
            return invalid({"body": ["must be a JSON object"]})
        with state.lock:
            errors = _submission_errors(state, job, body)
            if errors:
                return invalid(errors)
            record = {
                **body,
                "id": control.new_id(),
                "job_id": job_id,
                "candidate_id": body["candidate_id"],
                "stage": DEFAULT_STAGE,
                "created_at": _now(state),
            }
            state.submissions[record["id"]] = record
        return answer(control, record, 201)

    @app.patch(f"{PREFIX}/submissions/<int:submission_id>", endpoint="move_stage")
    def move_stage(submission_id: int) -> Response:
        record = state.submissions.get(submission_id)
        if record is None:
            return not_found()
        stage = (json_object() or {}).get("stage")
        if stage not in STAGES:
            return invalid({"stage": [f"must be one of {', '.join(STAGES)}"]})
        if record["stage"] != stage:
            record["stage"] = stage
            state.events.append(stage_event(record))
        return answer(control, record)


def _submission_errors(state: NexivoState, job: dict, body: Mapping[str, Any]) -> dict:
    candidate_id = body.get("candidate_id")
    if candidate_id is None:
        return {"candidate_id": ["can't be blank"]}
    if not isinstance(candidate_id, int) or isinstance(candidate_id, bool):
        return {"candidate_id": ["must be an integer"]}
    if candidate_id not in state.candidates:
        return {"candidate_id": ["does not exist"]}
    if "notes" in body and not isinstance(body["notes"], str):
        return {"notes": ["must be a string"]}
    if job["status"] == "closed":
        return {"job_id": ["is closed"]}
    if any(
        s["job_id"] == job["id"] and s["candidate_id"] == candidate_id for s in state.submissions.values()
    ):
        return {"candidate_id": ["already submitted to this job"]}
    return {}


def stage_event(submission: dict) -> dict:
    """The webhook NexivoHR would send for a stage change (ASSUMED shape)."""
    kind = "submission.placed" if submission["stage"] == "placed" else "submission.stage_changed"
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "event": kind,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": {key: submission[key] for key in ("id", "job_id", "candidate_id", "stage")},
    }


def send_event(url: str, secret: bytes, event: dict, *, client: httpx.Client | None = None) -> httpx.Response:
    """Sign `event` the way NexivoHR does (HMAC-SHA256 hex of the raw body) and POST it to `url`."""
    raw = json.dumps(event, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: hmac.new(secret, raw, hashlib.sha256).hexdigest(),
    }
    if client is not None:
        return client.post(url, content=raw, headers=headers)
    return httpx.post(url, content=raw, headers=headers, timeout=10.0)


def _now(state: NexivoState) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(state.clock()))


if __name__ == "__main__":
    serve()
