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
DEFAULT_STAGE = "submitted"
STAGES = ("screening", "interview", "offer", "placed", "rejected")
SIGNATURE_HEADER = "X-NexivoHR-Signature"


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
            and self.state.candidates[s["candidate_id"]]["email"].lower() == email.lower()
        )

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


def server_error() -> Response:
    return error(500, "Server Error")


def error(
    status: int, message: str, errors: dict | None = None, *, headers: Mapping[str, str] | None = None
) -> Response:
    return json_response(status, {"message": message, **({"errors": errors} if errors else {})}, headers)


def answer(control: NexivoControl, payload: Any, status: int = 200, meta: dict | None = None) -> Response:
    """The enveloped success, unless a commit-then-fail fault is armed for this operation."""
    if control.state.envelope == "bare":
        body = payload
    else:
        body = {"data": payload, **({"meta": meta} if meta else {})}
    return committed(control.faults, request.endpoint or "", json_response(status, body), server_error)


def page(control: NexivoControl, items: list[dict]) -> Response:
    number = max(int(request.args.get("page", 1)), 1)
    per_page = min(max(int(request.args.get("per_page", 25)), 1), 100)
    chunk = items[(number - 1) * per_page : number * per_page]
    return answer(control, chunk, meta={"page": number, "per_page": per_page, "total": len(items)})


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
    state = control.state

    @app.get(f"{PREFIX}/jobs", endpoint="list_jobs")
    def list_jobs() -> Response:
        return page(control, list(state.jobs.values()))

    @app.get(f"{PREFIX}/jobs/<int:job_id>", endpoint="get_job")
    def get_job(job_id: int) -> Response:
        job = state.jobs.get(job_id)
        return answer(control, job) if job else error(404, "Not Found")


def _candidate_routes(app: Flask, control: NexivoControl) -> None:
    state = control.state

    @app.get(f"{PREFIX}/candidates", endpoint="find_candidate")
    def search_candidates() -> Response:
        query = request.args.get("q", "").strip().lower()
        status = request.args.get("status")
        found = [
            c
            for c in state.candidates.values()
            if (
                not query
                or any(query in str(c.get(k, "")).lower() for k in ("email", "first_name", "last_name"))
            )
            and (not status or c["status"] == status)
            and c["status"] != "inactive"
        ]
        return page(control, found)

    @app.post(f"{PREFIX}/candidates", endpoint="create_candidate")
    def create_candidate() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return error(400, "Validation failed", {"body": ["must be a JSON object"]})
        errors = {k: ["can't be blank"] for k in ("first_name", "last_name") if not body.get(k)}
        email = str(body.get("email") or "")
        if email and "@" not in email:
            errors["email"] = ["is invalid"]
        with state.lock:
            taken = any(c["email"].lower() == email.lower() for c in state.candidates.values())
            if email and taken and not state.allow_duplicate_emails:
                errors["email"] = ["has already been taken"]
            if errors:
                return error(400, "Validation failed", errors)
            candidate = {
                **body,
                "id": control.new_id(),
                "email": email,
                "status": "new",
                "created_at": _now(state),
            }
            state.candidates[candidate["id"]] = candidate
        return answer(control, candidate, 201)

    @app.get(f"{PREFIX}/candidates/<int:candidate_id>", endpoint="get_candidate")
    def get_candidate(candidate_id: int) -> Response:
        candidate = state.candidates.get(candidate_id)
        return answer(control, candidate) if candidate else error(404, "Not Found")


def _submission_routes(app: Flask, control: NexivoControl) -> None:
    state = control.state

    @app.get(f"{PREFIX}/jobs/<int:job_id>/submissions", endpoint="list_submissions")
    def list_submissions(job_id: int) -> Response:
        if job_id not in state.jobs:
            return error(404, "Not Found")
        return page(control, [s for s in state.submissions.values() if s["job_id"] == job_id])

    @app.post(f"{PREFIX}/jobs/<int:job_id>/submissions", endpoint="submit_to_job")
    def submit(job_id: int) -> Response:
        if job_id not in state.jobs:
            return error(404, "Not Found")
        body = request.get_json(silent=True) or {}
        candidate_id = body.get("candidate_id")
        if candidate_id not in state.candidates:
            return error(400, "Validation failed", {"candidate_id": ["does not exist"]})
        with state.lock:
            if any(
                s["job_id"] == job_id and s["candidate_id"] == candidate_id
                for s in state.submissions.values()
            ):
                return error(400, "Validation failed", {"candidate_id": ["already submitted to this job"]})
            record = {
                **body,
                "id": control.new_id(),
                "job_id": job_id,
                "candidate_id": candidate_id,
                "stage": DEFAULT_STAGE,
                "created_at": _now(state),
            }
            state.submissions[record["id"]] = record
        return answer(control, record, 201)

    @app.patch(f"{PREFIX}/submissions/<int:submission_id>", endpoint="move_stage")
    def move_stage(submission_id: int) -> Response:
        record = state.submissions.get(submission_id)
        if record is None:
            return error(404, "Not Found")
        stage = (request.get_json(silent=True) or {}).get("stage")
        if stage not in STAGES:
            return error(400, "Validation failed", {"stage": [f"must be one of {', '.join(STAGES)}"]})
        if record["stage"] != stage:
            record["stage"] = stage
            state.events.append(stage_event(record))
        return answer(control, record)


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
