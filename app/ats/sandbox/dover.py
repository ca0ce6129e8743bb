"""A local imitation of Dover's external API (CONTRACTS §3.4), with fault injection for tests.

Only `GET /jobs` and `POST /candidates` exist, as at Dover. Shapes Dover does not document (error
bodies, status codes, duplicate answer) are ASSUMED and kept in `ERRORS` so they can be corrected
in one place. `/_sandbox/...` routes (common.py) are for tests only; Dover has nothing like them.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask.typing import ResponseReturnValue

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

PREFIX = "/api/v1/external"
PDF_MAGIC = b"%PDF-"
MULTIPART = "multipart/form-data"

ERRORS = {  # ASSUMED (CONTRACTS §3.3): Django-REST-style bodies
    "no_auth": ({"detail": "Authentication credentials were not provided."}, 401),
    "bad_token": ({"detail": "Invalid token."}, 401),
    "not_found": ({"detail": "Not found."}, 404),
    "unknown_job": ({"detail": "Not found."}, 404),
    "stage": ({"hiring_pipeline_stage_id": ["Stage does not belong to this job."]}, 400),
    "not_pdf": ({"resume": ["Resume must be a PDF file."]}, 400),
    "not_a_file": (
        {"resume": ["The submitted data was not a file. Check the encoding type on the form."]},
        400,
    ),
    "too_large": ({"detail": "Resume file too large."}, 413),
    "duplicate": ({"non_field_errors": ["Candidate already exists for this job."]}, 400),
    "rate": ({"detail": "Request was throttled."}, 429),
    "server": ({"detail": "Internal server error."}, 500),
}
REQUIRED = ("job_id", "hiring_pipeline_stage_id", "candidate_first_name", "candidate_last_name")
OPTIONAL = ("candidate_email", "candidate_linkedin_url", "additional_comments")
UUID_FIELDS = ("job_id", "hiring_pipeline_stage_id")
OPERATIONS = {("GET", "/jobs"): "list_jobs", ("POST", "/candidates"): "add_candidate"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def default_jobs() -> list[dict]:
    def job(job_id: str, title: str, *stages: str) -> dict:
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
    candidates: list[dict] = field(default_factory=list)  # every accepted POST, flagged if a repeat
    people: dict[str, int] = field(default_factory=dict)  # lower(email) -> person id (ASSUMED)
    requests: list[tuple[str, str]] = field(default_factory=list)
    # Same email on the same job again (ASSUMED, CONTRACTS §3.3): "reject" answers 400 "already
    # exists"; "accept" answers 2xx and keeps the repeat (its comments, its resume) flagged on the
    # one application. Reject by default: the stricter answer, which a kinder sandbox would hide.
    duplicate_mode: str = "reject"
    max_resume_bytes: int = 10 * 1024 * 1024
    page_size: int = 2  # small, so the adapter's `next` handling is exercised
    retry_after: int = 1
    next_person: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class DoverControl(SandboxControl[DoverState]):
    """The sandbox's control object: what Dover stored, its faults and its duplicate rule."""

    def count_applications(self, email: str, job_ref: str) -> int:
        """The person's applications to the job; a flagged repeat is not a second one."""
        return sum(1 for c in self._records(email) if c["job_id"] == job_ref and not c["duplicate"])

    def count_people(self, email: str) -> int:
        return 1 if email.lower() in self.state.people else 0

    def resume_types(self, email: str) -> list[str]:
        return [c["resume_content_type"] for c in self._records(email) if c["resume_bytes"]]

    def count_records(self) -> int:
        """People, applications (repeats included), resume files and activity-feed comments."""
        people_without_email = sum(1 for c in self.state.candidates if not c["candidate_email"])
        return (
            len(self.state.people)
            + people_without_email
            + sum(1 + bool(c["resume_bytes"]) + bool(c["additional_comments"]) for c in self.state.candidates)
        )

    def close_job(self, job_ref: str) -> None:
        """Closed means no longer active: not listed by GET /jobs, refused by POST /candidates."""
        next(job for job in self.state.jobs if job["id"] == job_ref)["active"] = False

    def person_id(self, email: str) -> int:
        """One person per email address (ASSUMED); a candidate without one is a new person."""
        state = self.state
        if email and email.lower() in state.people:
            return state.people[email.lower()]
        state.next_person += 1
        if email:
            state.people[email.lower()] = state.next_person
        return state.next_person

    def _records(self, email: str) -> list[dict]:
        return [c for c in self.state.candidates if c["candidate_email"].lower() == email.lower()]

    def set_duplicate_mode(self, mode: str) -> None:
        assert mode in ("accept", "reject")
        self.state.duplicate_mode = mode

    def dump(self) -> dict[str, Any]:
        return {
            "candidates": [
                {k: v for k, v in c.items() if k != "resume_bytes"} | {"resume_size": len(c["resume_bytes"])}
                for c in self.state.candidates
            ]
        }


def error(key: str, **headers: str) -> Response:
    body, status = ERRORS[key]
    return json_response(status, body, headers)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """`config` may set any DoverState field (api_key, duplicate_mode, page_size, ...) and the
    shared fault settings (error_rate, rate_429, latency, seed, sleep)."""
    settings = vendor_config(config)

    def fresh_state() -> DoverState:
        return DoverState(**settings)

    control = DoverControl(fresh_state(), faults_from(config or {}), fresh_state)
    app = Flask(__name__)
    install_control(app, control)
    app.before_request(_guard(control))
    _routes(app, control)
    return app


def sandbox_of(app: Flask) -> DoverControl:
    return app.extensions["sandbox"]


def serve(host: str = "127.0.0.1", port: int = 8101, config: Mapping[str, Any] | None = None) -> None:
    """Run the sandbox as a real HTTP server (blocks)."""
    common.serve(create_app, host, port, config)


def _guard(control: DoverControl) -> Callable[[], ResponseReturnValue | None]:
    state = control.state

    def guard() -> ResponseReturnValue | None:
        """Auth first, then the faults armed for the operation, as Dover would refuse."""
        if is_control_request():
            return None
        path = request.path.removeprefix(PREFIX)
        state.requests.append((request.method, path))
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return error("no_auth")
        if control.faults.token_expired or auth.removeprefix("Bearer ").strip() != state.api_key:
            return error("bad_token")
        status = control.faults.before(OPERATIONS.get((request.method, path), path))
        if status == 429:
            return error("rate", **{"Retry-After": str(state.retry_after)})
        if status is not None and status >= 500:
            return error("server")
        if status is not None:
            return json_response(status, {"detail": "Injected failure."}, {"Retry-After": "1"})
        return None

    return guard


def _answer(control: DoverControl, step: str, body: Any, status: int = 200) -> Response:
    return committed(control.faults, step, json_response(status, body), lambda: error("server"))


def _routes(app: Flask, control: DoverControl) -> None:
    state = control.state

    @app.get(f"{PREFIX}/jobs")
    def list_jobs() -> Response:
        """Active jobs only (Dover documents "your active jobs"), limit/offset paged (ASSUMED)."""
        try:
            offset = int(request.args.get("offset", 0))
        except ValueError:
            return json_response(400, {"offset": ["A valid integer is required."]})
        active = [job for job in state.jobs if job.get("active", True)]
        page = [_public_job(job) for job in active[offset : offset + state.page_size]]
        more = offset + state.page_size < len(active)
        nxt = f"{request.base_url}?offset={offset + state.page_size}" if more else None
        return _answer(control, "list_jobs", {"count": len(active), "next": nxt, "results": page})

    @app.post(f"{PREFIX}/candidates")
    def add_candidate() -> Response:
        refused, candidate = _candidate_from_form(state)
        if refused is not None:
            return refused
        with state.lock:
            duplicate = bool(candidate["candidate_email"]) and (
                control.count_applications(candidate["candidate_email"], candidate["job_id"]) > 0
            )
            if duplicate and state.duplicate_mode == "reject":
                return error("duplicate")
            person = control.person_id(candidate["candidate_email"])
            state.candidates.append({**candidate, "person_id": person, "duplicate": duplicate})
        body = {"success": True, "message": "Candidate added successfully"}
        return _answer(control, "add_candidate", body, 201)

    @app.errorhandler(404)
    def not_found(_: Exception) -> Response:
        return error("not_found")

    @app.errorhandler(405)
    def not_allowed(_: Exception) -> Response:
        return json_response(405, {"detail": f'Method "{request.method}" not allowed.'})


def _public_job(job: dict) -> dict:
    return {key: value for key, value in job.items() if key != "active"}


def _candidate_from_form(state: DoverState) -> tuple[Response | None, dict]:
    """The candidate the posted form describes, or the refusal Dover answers it with."""
    if request.mimetype != MULTIPART:
        detail = f'Unsupported media type "{request.mimetype or "none"}" in request.'
        return json_response(415, {"detail": detail}), {}
    form = request.form
    invalid = _field_errors(form)
    if invalid:
        return json_response(400, invalid), {}
    job = next((j for j in state.jobs if j["id"] == form["job_id"] and j.get("active", True)), None)
    if job is None:
        return error("unknown_job"), {}
    if form["hiring_pipeline_stage_id"] not in {s["id"] for s in job["hiring_pipeline_stages"]}:
        return error("stage"), {}
    if "resume" in form:
        return error("not_a_file"), {}
    resume = request.files.get("resume")
    data = resume.read() if resume else b""
    if resume and len(data) > state.max_resume_bytes:
        return error("too_large"), {}
    if resume and not data.startswith(PDF_MAGIC):
        return error("not_pdf"), {}
    return None, {
        **{key: form.get(key, "") for key in (*REQUIRED, *OPTIONAL)},
        "resume_filename": resume.filename if resume else "",
        "resume_content_type": resume.mimetype if resume else "",
        "resume_bytes": data,
    }


def _field_errors(form: Mapping[str, str]) -> dict[str, list[str]]:
    """Field-level refusals, all at once as Django REST framework reports them (ASSUMED)."""
    errors: dict[str, list[str]] = {}
    for name in REQUIRED:
        if name not in form:
            errors[name] = ["This field is required."]
        elif not form[name].strip():
            errors[name] = ["This field may not be blank."]
        elif name in UUID_FIELDS and not _is_uuid(form[name]):
            errors[name] = ["Must be a valid UUID."]
    email = form.get("candidate_email", "")
    if email and not EMAIL.match(email):
        errors["candidate_email"] = ["Enter a valid email address."]
    linkedin = form.get("candidate_linkedin_url", "")
    if linkedin and not _is_linkedin_url(linkedin):
        errors["candidate_linkedin_url"] = ["Enter a valid LinkedIn profile URL."]
    return errors


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _is_linkedin_url(value: str) -> bool:
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and (host == "linkedin.com" or host.endswith(".linkedin.com"))


if __name__ == "__main__":
    serve()
