"""A local imitation of Dover's external API (CONTRACTS §3.4), with fault injection for tests.

Only `GET /jobs` and `POST /candidates` exist, as at Dover. Shapes Dover does not document (error
bodies, status codes, duplicate answer) are ASSUMED and kept in `ERRORS` so they can be corrected
in one place. `/__sandbox/...` routes are for tests only; Dover has nothing like them.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request

from app.ats.sandbox.common import install_commit_then_fail, install_connection_dropper, install_step_faults

PREFIX = "/api/v1/external"
PDF_MAGIC = b"%PDF-"

ERRORS = {  # ASSUMED (CONTRACTS §3.3): Django-REST-style bodies
    "no_auth": ({"detail": "Authentication credentials were not provided."}, 401),
    "bad_token": ({"detail": "Invalid token."}, 401),
    "unknown_job": ({"detail": "Not found."}, 404),
    "stage": ({"hiring_pipeline_stage_id": ["Stage does not belong to this job."]}, 400),
    "not_pdf": ({"resume": ["Resume must be a PDF file."]}, 400),
    "too_large": ({"detail": "Resume file too large."}, 413),
    "duplicate": ({"non_field_errors": ["Candidate already exists for this job."]}, 400),
    "rate": ({"detail": "Request was throttled."}, 429),
    "server": ({"detail": "Internal server error."}, 500),
}
REQUIRED = ("job_id", "hiring_pipeline_stage_id", "candidate_first_name", "candidate_last_name")
OPERATIONS = {("GET", "/jobs"): "list_jobs", ("POST", "/candidates"): "add_candidate"}


def default_jobs() -> list[dict]:
    def job(job_id, title, *stages):
        return {
            "id": job_id,
            "title": title,
            "hiring_pipeline_stages": [
                {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{job_id}/{name}")), "name": name}
                for name in stages
            ],
        }

    return [
        job(
            "550e8400-e29b-41d4-a716-446655440000",
            "Senior Software Engineer",
            "Applied",
            "Initial Screen",
            "Technical Interview",
            "Offer",
        ),
        job(
            "7d2b9c1e-3f4a-4b5c-8d6e-9f0a1b2c3d4e",
            "Product Designer",
            "Initial Screen",
            "Portfolio Review",
            "Onsite",
        ),
        job(
            "c0ffee00-1234-4abc-9def-0123456789ab",
            "Data Analyst",
            "Initial Screen",
            "Case Study",
            "Final Interview",
            "Offer",
            "Hired",
        ),
    ]


@dataclass
class DoverState:
    api_key: str = "dover-test-key"
    jobs: list[dict] = field(default_factory=default_jobs)
    candidates: list[dict] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    duplicate_mode: str = "accept"  # "accept": 2xx and flag; "reject": 400
    max_resume_bytes: int = 10 * 1024 * 1024
    page_size: int = 2  # small, so the adapter's `next` handling is exercised
    faults: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)  # op -> queued faults
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    latency: float = 0.0
    seed: int = 0


class DoverSandbox:
    """The SandboxControl of tests/ats/harnesses: fault switches and what Dover stored."""

    def __init__(self, state: DoverState) -> None:
        self.state = state
        self.lock = threading.Lock()
        self.random = random.Random(state.seed)

    def fail_next(self, step: str, status: int = 500) -> None:
        self.state.faults.setdefault(step, []).append(("fail", status))

    def commit_then_fail_next(self, step: str, mode: str = "500") -> None:
        self.state.faults.setdefault(step, []).append(("commit", mode))

    def count_applications(self, email: str, job_ref: str) -> int:
        return sum(
            1
            for c in self.state.candidates
            if c["candidate_email"].lower() == email.lower() and c["job_id"] == job_ref
        )

    def expire_token(self) -> None:
        self.state.api_key = f"expired-{uuid.uuid4()}"

    def set_duplicate_mode(self, mode: str) -> None:
        assert mode in ("accept", "reject")
        self.state.duplicate_mode = mode

    def take_fault(self, op: str) -> tuple[str, Any] | None:
        with self.lock:
            queued = self.state.faults.get(op)
            return queued.pop(0) if queued else None


def create_app(config: dict | None = None) -> Flask:
    """`config` may set any DoverState field (api_key, duplicate_mode, error_rate, latency, ...)."""
    state = DoverState(**(config or {}))
    sandbox = DoverSandbox(state)
    app = Flask(__name__)
    app.extensions["sandbox"] = sandbox

    def error(key: str, **headers):
        body, status = ERRORS[key]
        return jsonify(body), status, headers

    @app.before_request
    def guard():
        if request.path.startswith("/__sandbox/"):
            return None
        path = request.path.removeprefix(PREFIX)
        state.requests.append((request.method, path))
        if state.latency:
            time.sleep(state.latency)
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return error("no_auth")
        if auth.removeprefix("Bearer ").strip() != state.api_key:
            return error("bad_token")
        op = OPERATIONS.get((request.method, path), path)
        fault = sandbox.take_fault(op)
        if fault and fault[0] == "fail":
            return jsonify({"detail": "Injected failure."}), fault[1], {"Retry-After": "1"}
        request.environ["sandbox.commit_fault"] = fault
        roll = sandbox.random.random()
        if roll < state.rate_limit_rate:
            return error("rate", **{"Retry-After": str(state.retry_after)})
        if roll < state.rate_limit_rate + state.error_rate:
            return error("server")
        return None

    install_commit_then_fail(app, '{"detail": "Internal server error."}')

    @app.get(f"{PREFIX}/jobs")
    def list_jobs():
        offset = int(request.args.get("offset", 0))
        page = state.jobs[offset : offset + state.page_size]
        more = offset + state.page_size < len(state.jobs)
        nxt = f"{request.base_url}?offset={offset + state.page_size}" if more else None
        return jsonify({"count": len(state.jobs), "next": nxt, "results": page})

    @app.post(f"{PREFIX}/candidates")
    def add_candidate():
        form = request.form
        missing = {name: ["This field is required."] for name in REQUIRED if not form.get(name)}
        if missing:
            return jsonify(missing), 400
        job = next((j for j in state.jobs if j["id"] == form["job_id"]), None)
        if job is None:
            return error("unknown_job")
        if form["hiring_pipeline_stage_id"] not in {s["id"] for s in job["hiring_pipeline_stages"]}:
            return error("stage")
        resume = request.files.get("resume")
        data = resume.read() if resume else b""
        if resume and len(data) > state.max_resume_bytes:
            return error("too_large")
        if resume and not data.startswith(PDF_MAGIC):
            return error("not_pdf")
        email = form.get("candidate_email", "")
        with sandbox.lock:
            duplicate = bool(email) and sandbox.count_applications(email, job["id"]) > 0
            if duplicate and state.duplicate_mode == "reject":
                return error("duplicate")
            state.candidates.append(
                {
                    **{
                        key: form.get(key, "")
                        for key in (
                            *REQUIRED,
                            "candidate_email",
                            "candidate_linkedin_url",
                            "additional_comments",
                        )
                    },
                    "resume_filename": resume.filename if resume else "",
                    "resume_content_type": resume.mimetype if resume else "",
                    "resume_bytes": data,
                    "duplicate": duplicate,
                }
            )
        return jsonify({"success": True, "message": "Candidate added successfully"}), 201

    @app.get("/__sandbox/candidates")
    def stored_candidates():
        return jsonify(
            [
                {k: v for k, v in c.items() if k != "resume_bytes"} | {"resume_size": len(c["resume_bytes"])}
                for c in state.candidates
            ]
        )

    install_step_faults(app, sandbox)

    install_connection_dropper(app)  # acts on the "sandbox.drop" mark set above
    return app


def sandbox_of(app: Flask) -> DoverSandbox:
    return app.extensions["sandbox"]


def serve(host: str = "127.0.0.1", port: int = 8101, config: dict | None = None) -> None:
    """Run the sandbox as a real HTTP server (blocks); integration tests start it in a thread."""
    from werkzeug.serving import make_server

    make_server(host, port, create_app(config), threaded=True).serve_forever()


if __name__ == "__main__":
    serve()
