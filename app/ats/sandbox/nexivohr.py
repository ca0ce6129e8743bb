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
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from flask import Flask, jsonify, request

from app.ats.sandbox.common import install_commit_then_fail, install_connection_dropper, install_step_faults

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
    faults: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    latency: float = 0.0
    seed: int = 0
    clock: Callable[[], float] = time.time
    minute: deque = field(default_factory=deque)
    day: list[int] = field(default_factory=lambda: [-1, 0])  # [day number, requests that day]
    rate_limited: int = 0  # 429s answered for the plan limits
    next_id: int = 4800


class NexivoSandbox:
    """The SandboxControl of tests/ats/harnesses plus NexivoHR-specific switches."""

    def __init__(self, state: NexivoState) -> None:
        self.state, self.lock, self.random = state, threading.Lock(), random.Random(state.seed)

    def fail_next(self, step: str, status: int = 500) -> None:
        self.state.faults.setdefault(step, []).append(("fail", status))

    def commit_then_fail_next(self, step: str, mode: str = "500") -> None:
        self.state.faults.setdefault(step, []).append(("commit", mode))

    def count_applications(self, email: str, job_ref: str) -> int:
        return sum(
            1
            for s in self.state.submissions.values()
            if str(s["job_id"]) == str(job_ref)
            and self.state.candidates[s["candidate_id"]]["email"].lower() == email.lower()
        )

    def expire_token(self) -> None:
        self.state.api_token = f"expired-{uuid.uuid4()}"

    def take_fault(self, op: str) -> tuple[str, Any] | None:
        with self.lock:
            queued = self.state.faults.get(op)
            return queued.pop(0) if queued else None

    def new_id(self) -> int:
        self.state.next_id += 1
        return self.state.next_id

    def over_plan(self) -> float | None:
        """Seconds until the plan allows another request, or None when it does (and count it)."""
        per_minute, per_day = PLANS[self.state.plan]
        per_minute = self.state.limit_per_minute or per_minute
        now, minute, day = self.state.clock(), self.state.minute, self.state.day
        with self.lock:
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


def create_app(config: dict | None = None) -> Flask:
    """`config` may set any NexivoState field (plan, envelope, clock, error_rate, ...)."""
    state = NexivoState(**(config or {}))
    sandbox = NexivoSandbox(state)
    app = Flask(__name__)
    app.extensions["sandbox"] = sandbox

    def envelope(payload: Any, status: int = 200, meta: dict | None = None):
        if state.envelope == "bare":
            return jsonify(payload), status
        return jsonify({"data": payload, **({"meta": meta} if meta else {})}), status

    def error(status: int, message: str, errors: dict | None = None, **headers):
        return jsonify({"message": message, **({"errors": errors} if errors else {})}), status, headers

    def page(items: list[dict]):
        number = max(int(request.args.get("page", 1)), 1)
        per_page = min(max(int(request.args.get("per_page", 25)), 1), 100)
        chunk = items[(number - 1) * per_page : number * per_page]
        return envelope(chunk, meta={"page": number, "per_page": per_page, "total": len(items)})

    @app.before_request
    def guard():
        if request.path.startswith("/__sandbox/"):
            return None
        state.requests.append((request.method, request.path.removeprefix(PREFIX)))
        if state.latency:
            time.sleep(state.latency)
        if request.headers.get("Authorization", "") != f"Bearer {state.api_token}":
            return error(401, "Unauthenticated")
        if state.plan not in PLANS:
            return error(403, "API access is not available on your plan")
        wait = sandbox.over_plan()
        if wait is not None:
            state.rate_limited += 1
            return error(429, "Too Many Requests", **{"Retry-After": str(max(1, math.ceil(wait)))})
        fault = sandbox.take_fault(request.endpoint or "")
        if fault and fault[0] == "fail":
            return error(fault[1], "Injected failure", **{"Retry-After": "1"})
        request.environ["sandbox.commit_fault"] = fault
        roll = sandbox.random.random()
        if roll < state.rate_limit_rate:
            return error(429, "Too Many Requests", **{"Retry-After": "1"})
        if roll < state.rate_limit_rate + state.error_rate:
            return error(500, "Server Error")
        return None

    install_commit_then_fail(app, '{"message": "Server Error"}')

    @app.get(f"{PREFIX}/jobs", endpoint="list_jobs")
    def list_jobs():
        return page(list(state.jobs.values()))

    @app.get(f"{PREFIX}/jobs/<int:job_id>", endpoint="get_job")
    def get_job(job_id):
        job = state.jobs.get(job_id)
        return envelope(job) if job else error(404, "Not Found")

    @app.get(f"{PREFIX}/candidates", endpoint="find_candidate")
    def search_candidates():
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
        return page(found)

    @app.post(f"{PREFIX}/candidates", endpoint="create_candidate")
    def create_candidate():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return error(400, "Validation failed", {"body": ["must be a JSON object"]})
        errors = {k: ["can't be blank"] for k in ("first_name", "last_name") if not body.get(k)}
        email = str(body.get("email") or "")
        if email and "@" not in email:
            errors["email"] = ["is invalid"]
        with sandbox.lock:
            taken = any(c["email"].lower() == email.lower() for c in state.candidates.values())
            if email and taken and not state.allow_duplicate_emails:
                errors["email"] = ["has already been taken"]
            if errors:
                return error(400, "Validation failed", errors)
            candidate = {
                **body,
                "id": sandbox.new_id(),
                "email": email,
                "status": "new",
                "created_at": _now(state),
            }
            state.candidates[candidate["id"]] = candidate
        return envelope(candidate, 201)

    @app.get(f"{PREFIX}/candidates/<int:candidate_id>", endpoint="get_candidate")
    def get_candidate(candidate_id):
        candidate = state.candidates.get(candidate_id)
        return envelope(candidate) if candidate else error(404, "Not Found")

    @app.get(f"{PREFIX}/jobs/<int:job_id>/submissions", endpoint="list_submissions")
    def list_submissions(job_id):
        if job_id not in state.jobs:
            return error(404, "Not Found")
        return page([s for s in state.submissions.values() if s["job_id"] == job_id])

    @app.post(f"{PREFIX}/jobs/<int:job_id>/submissions", endpoint="submit_to_job")
    def submit(job_id):
        if job_id not in state.jobs:
            return error(404, "Not Found")
        body = request.get_json(silent=True) or {}
        candidate_id = body.get("candidate_id")
        if candidate_id not in state.candidates:
            return error(400, "Validation failed", {"candidate_id": ["does not exist"]})
        with sandbox.lock:
            if any(
                s["job_id"] == job_id and s["candidate_id"] == candidate_id
                for s in state.submissions.values()
            ):
                return error(400, "Validation failed", {"candidate_id": ["already submitted to this job"]})
            record = {
                **body,
                "id": sandbox.new_id(),
                "job_id": job_id,
                "candidate_id": candidate_id,
                "stage": DEFAULT_STAGE,
                "created_at": _now(state),
            }
            state.submissions[record["id"]] = record
        return envelope(record, 201)

    @app.patch(f"{PREFIX}/submissions/<int:submission_id>", endpoint="move_stage")
    def move_stage(submission_id):
        record = state.submissions.get(submission_id)
        if record is None:
            return error(404, "Not Found")
        stage = (request.get_json(silent=True) or {}).get("stage")
        if stage not in STAGES:
            return error(400, "Validation failed", {"stage": [f"must be one of {', '.join(STAGES)}"]})
        if record["stage"] != stage:
            record["stage"] = stage
            state.events.append(stage_event(record))
        return envelope(record)

    @app.get("/__sandbox/state")
    def dump_state():
        return jsonify(
            {
                "candidates": list(state.candidates.values()),
                "submissions": list(state.submissions.values()),
                "events": state.events,
                "rate_limited": state.rate_limited,
            }
        )

    install_step_faults(app, sandbox)

    install_connection_dropper(app)  # acts on the "sandbox.drop" mark set above
    return app


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


def sandbox_of(app: Flask) -> NexivoSandbox:
    return app.extensions["sandbox"]


def _now(state: NexivoState) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(state.clock()))


def serve(host: str = "127.0.0.1", port: int = 8102, config: dict | None = None) -> None:
    """Run the sandbox as a real HTTP server (blocks); integration tests start it in a thread."""
    from werkzeug.serving import make_server

    make_server(host, port, create_app(config), threaded=True).serve_forever()


if __name__ == "__main__":
    serve()
