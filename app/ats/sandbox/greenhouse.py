"""A local imitation of Greenhouse: Harvest v1 under /v1, the token endpoint, and the Job Board
API under /v1/boards (CONTRACTS §6.4).

Harvest semantics kept: Basic auth with the key as username, On-Behalf-Of on writes, bare JSON
arrays with RFC 5988 Link paging, the 422 body, a 10-second window with X-RateLimit-* headers,
and creates that may answer with a truncated body. Both APIs write to one store, as in
Greenhouse, so tests count applications the same way whichever flavour delivered them. Shapes
the docs leave open are in `ASSUMED`.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from flask import Flask, abort, g, jsonify, request

from app.ats.sandbox.common import DropConnection, Faults, install_connection_dropper

ASSUMED = {
    "missing_on_behalf_of": (403, {"message": "On-Behalf-Of header is required"}),
    "token_response": {"token_type": "Bearer", "expires_in": 3600},
    "board_error": lambda status, text: {"error": text, "status": status},
    "board_success": {"success": "Candidate saved successfully"},
    "board_consent_fields": (
        "data_compliance[gdpr_processing_consent_given]",
        "data_compliance[gdpr_consent_given]",
    ),
    "board_file_types": (".pdf", ".doc", ".docx", ".txt", ".rtf"),
    "duplicate_application": "Candidate already has an active application on this job",
}
STEPS = {
    "harvest_create": "create_application",
    "note": "add_note",
    "lookup": "find_existing",
    "board_post": "submit_application",
    "jobs": "list_jobs",
    "post": "questions",
}

DEFAULT_JOBS = [
    {
        "id": 4101,
        "name": "Backend Engineer",
        "status": "open",
        "departments": [{"id": 1, "name": "Engineering"}],
        "offices": [{"id": 7, "name": "London"}],
        "post_id": 5101,
        "content": "&lt;p&gt;Build the engine.&lt;/p&gt;",
        "stages": [
            {"id": 880021, "name": "Application Review", "priority": 0},
            {"id": 880022, "name": "Phone Screen", "priority": 1},
        ],
        "questions": [
            {
                "label": "First Name",
                "required": True,
                "fields": [{"name": "first_name", "type": "input_text"}],
            },
            {
                "label": "Resume/CV",
                "required": True,
                "fields": [
                    {"name": "resume", "type": "input_file"},
                    {"name": "resume_text", "type": "textarea"},
                ],
            },
            {
                "label": "Years of experience",
                "required": True,
                "fields": [{"name": "question_q1", "type": "input_text"}],
            },
            {
                "label": "Work permit?",
                "required": False,
                "fields": [
                    {
                        "name": "question_6002",
                        "type": "multi_value_single_select",
                        "values": [{"value": 1, "label": "Yes"}, {"value": 0, "label": "No"}],
                    }
                ],
            },
        ],
    },
    {
        "id": 4102,
        "name": "Data Analyst",
        "status": "open",
        "departments": [],
        "post_id": 5102,
        "offices": [{"id": 8, "name": "Remote"}],
        "content": "",
        "questions": [],
        "stages": [{"id": 880031, "name": "Application Review", "priority": 0}],
    },
    {
        "id": 4103,
        "name": "Old Role",
        "status": "closed",
        "departments": [],
        "offices": [],
        "stages": [],
        "questions": [],
    },
]
DEFAULT_SOURCES = [
    {"id": 12, "name": "Careers site", "type": {"id": 4, "name": "company_marketing"}},
    {"id": 13, "name": "LinkedIn", "type": {"id": 5, "name": "social_media"}},
]


@dataclass
class GreenhouseState:
    jobs: list[dict]
    sources: list[dict]
    api_key: str = "harvest-key"
    board_token: str = "acme"
    board_key: str = "board-key"
    clients: dict[str, str] = field(default_factory=lambda: {"client-1": "secret-1"})
    rate_limit: int = 50
    page_size: int = 100
    candidates: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    issued: dict[str, float] = field(default_factory=dict)  # bearer token -> expiry
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    truncate_next: int = 0  # creates to answer with a cut-off body (the record is saved)
    token_expired: bool = False
    faults: Faults = field(default_factory=Faults)
    window: tuple[int, int] = (0, 0)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def job(self, job_id: Any) -> dict:
        found = next((j for j in self.jobs if str(j["id"]) == str(job_id)), None)
        return found or abort(_json(404, {"message": "Resource not found"}))

    def applications(self):
        return [(c, a) for c in self.candidates for a in c["applications"]]


def _json(status: int, body: Any, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _invalid(errors: list[tuple[str, str]]):
    return _json(
        422, {"message": "Validation error", "errors": [{"message": m, "field": f} for f, m in errors]}
    )


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    clock: Callable[[], float] = config.pop("clock", time.time)
    state = GreenhouseState(
        jobs=[dict(j) for j in config.pop("jobs", DEFAULT_JOBS)],
        sources=list(config.pop("sources", DEFAULT_SOURCES)),
    )
    state.faults.configure({k: config.pop(k) for k in ("error_rate", "rate_429", "latency") if k in config})
    for key, value in config.items():
        setattr(state, key, value)
    app = Flask(__name__)
    app.extensions["greenhouse_sandbox"] = state

    def limit() -> None:
        """Harvest's 10-second window; 429s carry X-RateLimit-Reset and Retry-After."""
        now = clock()
        with state.lock:
            slot, used = state.window
            if slot != int(now // 10):
                slot, used = int(now // 10), 0
            reset = (slot + 1) * 10
            g.rate = {"X-RateLimit-Limit": str(state.rate_limit)}
            if used >= state.rate_limit:
                abort(
                    _json(
                        429,
                        {"message": "Too many requests"},
                        {
                            **g.rate,
                            "X-RateLimit-Remaining": "0",
                            "X-RateLimit-Reset": str(reset),
                            "Retry-After": str(max(1, int(reset - now + 0.999))),
                        },
                    )
                )
            state.window = (slot, used + 1)
            g.rate["X-RateLimit-Remaining"] = str(state.rate_limit - used - 1)

    def harvest_guard(endpoint: str) -> str:
        limit()
        auth = request.authorization
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        basic_ok = auth is not None and auth.type == "basic" and auth.username == state.api_key
        bearer_ok = state.issued.get(bearer, 0) > clock()
        if state.token_expired or not (basic_ok or bearer_ok):
            abort(_json(401, {"message": "Invalid Basic Auth credentials"}))
        if request.method != "GET" and basic_ok and not request.headers.get("On-Behalf-Of"):
            abort(_json(*ASSUMED["missing_on_behalf_of"]))
        return inject(endpoint)

    def inject(endpoint: str) -> str:
        step = STEPS.get(endpoint, endpoint)
        status = state.faults.before(step)
        if status:
            abort(
                _json(
                    status, {"message": "Injected failure"}, {"Retry-After": "1"} if status == 429 else None
                )
            )
        return step

    def finish(step: str, body: Any, status: int = 200, truncatable: bool = False):
        mode = state.faults.after(step)
        if mode == "drop":
            raise DropConnection(step)
        if mode:
            return _json(500, {"message": "Internal Server Error"})
        response = _json(status, body)
        if truncatable and state.truncate_next:
            state.truncate_next -= 1
            data = response.get_data()
            response.set_data(data[: len(data) // 2])
        return response

    def paged(items: list, step: str):
        per_page = min(int(request.args.get("per_page", 100)), 500, state.page_size)
        page = int(request.args.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        response = finish(step, chunk)
        links = []
        args = {k: v for k, v in request.args.items() if k != "page"}
        query = "".join(f"{k}={v}&" for k, v in args.items())
        last = max(1, -(-len(items) // per_page))
        if page < last:
            links.append(f'<{request.base_url}?{query}page={page + 1}>; rel="next"')
        if page > 1:
            links.append(f'<{request.base_url}?{query}page={page - 1}>; rel="prev"')
        links.append(f'<{request.base_url}?{query}page={last}>; rel="last"')
        response.headers["Link"] = ", ".join(links)
        return response

    @app.after_request
    def record(response):
        response.headers.update(g.get("rate", {}))
        state.requests.append((request.method, request.path, response.status_code))
        return response

    @app.post("/token")
    def token():
        auth = request.authorization
        if (
            auth is None
            or state.clients.get(auth.username) != auth.password
            or request.form.get("grant_type") != "client_credentials"
        ):
            return _json(401, {"error": "invalid_client"})
        issued = f"gh.{secrets.token_hex(16)}"
        state.issued[issued] = clock() + ASSUMED["token_response"]["expires_in"]
        return _json(200, {"access_token": issued, **ASSUMED["token_response"]})

    @app.get("/v1/jobs")
    def jobs():
        step = harvest_guard("jobs")
        wanted = request.args.get("status")
        return paged([_public(j) for j in state.jobs if not wanted or j["status"] == wanted], step)

    @app.get("/v1/jobs/<int:job_id>/stages")
    def stages(job_id):
        step = harvest_guard("stages")
        return paged([dict(s, job_id=job_id) for s in state.job(job_id)["stages"]], step)

    @app.get("/v1/sources")
    def sources():
        return paged(state.sources, harvest_guard("sources"))

    @app.get("/v1/candidates")
    def candidates():
        step = harvest_guard("lookup")
        email = request.args.get("email", "").lower()
        found = [
            c
            for c in state.candidates
            if not email or email in {e["value"].lower() for e in c["email_addresses"]}
        ]
        return paged(found, step)

    @app.get("/v1/candidates/<int:candidate_id>")
    def candidate(candidate_id):
        step = harvest_guard("candidate")
        found = next((c for c in state.candidates if c["id"] == candidate_id), None)
        if found is None or found["ready_at"] > clock():  # still being built
            return _json(404, {"message": "Resource not found"})
        return finish(step, found)

    @app.post("/v1/candidates")
    def create_candidate():
        step = harvest_guard("harvest_create")
        body = request.get_json(silent=True) or {}
        errors = [(f, "is required") for f in ("first_name", "last_name") if not body.get(f)]
        apps = body.get("applications") or []
        if not apps:
            errors.append(("applications", "must contain at least one application"))
        errors += [e for a in apps for e in _application_errors(state, a)]
        if errors:
            return _invalid(errors)
        record = dict(
            body,
            id=7000 + len(state.candidates),
            applications=[],
            ready_at=clock() + config.get("build_seconds", 0),
        )
        record.setdefault("email_addresses", [])
        state.candidates.append(record)
        created = [_add_application(state, record, a) for a in apps]
        return finish(step, dict(record, application_ids=[a["id"] for a in created]), 201, True)

    @app.post("/v1/candidates/<int:candidate_id>/applications")
    def add_application(candidate_id):
        step = harvest_guard("harvest_create")
        record = next((c for c in state.candidates if c["id"] == candidate_id), None)
        if record is None:
            return _json(404, {"message": "Resource not found"})
        body = request.get_json(silent=True) or {}
        errors = _application_errors(state, body)
        if any(
            str(body.get("job_id")) in {str(j["id"]) for j in a["jobs"]} and a["status"] == "active"
            for a in record["applications"]
        ):
            errors.append(("job_id", ASSUMED["duplicate_application"]))
        if errors:
            return _invalid(errors)
        return finish(step, _add_application(state, record, body), 201, True)

    @app.post("/v1/candidates/<int:candidate_id>/activity_feed/notes")
    def add_note(candidate_id):
        step = harvest_guard("note")
        body = request.get_json(silent=True) or {}
        if not any(c["id"] == candidate_id for c in state.candidates):
            return _json(404, {"message": "Resource not found"})
        errors = [(f, "is required") for f in ("user_id", "body", "visibility") if not body.get(f)]
        if errors:
            return _invalid(errors)
        note = dict(body, id=9000 + len(state.notes), candidate_id=candidate_id)
        state.notes.append(note)
        return finish(step, note, 201)

    @app.get("/v1/boards/<board>/jobs")
    def board_jobs(board):
        step = inject("jobs")
        posts = [
            _post(j, content=request.args.get("content") == "true")
            for j in state.jobs
            if j.get("post_id") and board == state.board_token
        ]
        return finish(step, {"jobs": posts, "meta": {"total": len(posts)}})

    @app.get("/v1/boards/<board>/jobs/<int:post_id>")
    def board_job(board, post_id):
        step = inject("post")
        job = _job_of_post(state, board, post_id)
        post = _post(job, content=True)
        if request.args.get("questions") == "true":
            post.update(
                questions=job["questions"], data_compliance=[{"type": "gdpr", "requires_consent": True}]
            )
        return finish(step, post)

    @app.post("/v1/boards/<board>/jobs/<int:post_id>")
    def board_apply(board, post_id):
        auth = request.authorization
        if state.token_expired or auth is None or auth.username != state.board_key:
            return _json(401, ASSUMED["board_error"](401, "Failed to save person"))
        step = inject("board_post")
        job = _job_of_post(state, board, post_id)
        form, files = request.form, request.files
        missing = [f for f in ("first_name", "last_name", "email") if not form.get(f)]
        resume = files.get("resume")
        bad_file = resume is not None and (
            not resume.filename.lower().endswith(ASSUMED["board_file_types"]) or not resume.read()
        )
        if missing or bad_file:
            text = f"Missing {', '.join(missing)}" if missing else "Invalid attachment"
            return _json(422, ASSUMED["board_error"](422, text))
        record = {
            "id": 7000 + len(state.candidates),
            "first_name": form["first_name"],
            "last_name": form["last_name"],
            "applications": [],
            "ready_at": 0,
            "email_addresses": [{"value": form["email"], "type": "personal"}],
            "board_form": form.to_dict(flat=False),
            "files": sorted(files),
            "via": "job_board",
        }
        state.candidates.append(record)
        _add_application(state, record, {"job_id": job["id"]}, mapped_url_token=form.get("mapped_url_token"))
        return finish(step, ASSUMED["board_success"])

    @app.get("/__sandbox/state")
    def sandbox_state():
        """Test-only: what the "ATS" stored. Not a Greenhouse endpoint."""
        return jsonify(candidates=state.candidates, notes=state.notes, requests=state.requests)

    @app.post("/__sandbox/faults")
    def sandbox_faults():
        """Test-only: arm faults on a sandbox running as a real server."""
        settings = request.get_json(silent=True) or {}
        state.faults.configure(settings)
        state.truncate_next += int(settings.get("truncate_next", 0))
        return jsonify(ok=True)

    install_connection_dropper(app)
    return app


def _application_errors(state: GreenhouseState, body: dict) -> list[tuple[str, str]]:
    job = next((j for j in state.jobs if str(j["id"]) == str(body.get("job_id"))), None)
    if job is None:
        return [("job_id", "is not a valid job")]
    errors = []
    if body.get("source_id") and body["source_id"] not in {s["id"] for s in state.sources}:
        errors.append(("source_id", "is not a valid source"))
    if body.get("initial_stage_id") and body["initial_stage_id"] not in {s["id"] for s in job["stages"]}:
        errors.append(("initial_stage_id", "is not a stage of this job"))
    for item in body.get("attachments") or []:
        try:
            content = base64.b64decode(item.get("content") or "", validate=True)
        except (binascii.Error, ValueError):
            content = b""
        if not item.get("filename") or not item.get("content_type") or not content:
            errors.append(("attachments", "filename, content and content_type are required"))
    return errors


def _add_application(state: GreenhouseState, record: dict, body: dict, **extra: Any) -> dict:
    job = state.job(body["job_id"])
    stages = sorted(job["stages"], key=lambda s: s["priority"])
    stage = next(
        (s for s in stages if s["id"] == body.get("initial_stage_id")), stages[0] if stages else None
    )
    application = {
        "id": 60000 + len(state.applications()),
        "candidate_id": record["id"],
        "prospect": False,
        "status": "active",
        "jobs": [{"id": job["id"], "name": job["name"]}],
        "current_stage": stage and {"id": stage["id"], "name": stage["name"]},
        "source": {"id": body.get("source_id")},
        "attachments": body.get("attachments") or [],
        **extra,
    }
    record["applications"].append(application)
    return application


def _public(job: dict) -> dict:
    return {k: v for k, v in job.items() if k not in ("stages", "questions", "content", "post_id")}


def _post(job: dict, *, content: bool) -> dict:
    post = {
        "id": job["post_id"],
        "internal_job_id": job["id"],
        "title": job["name"],
        "location": {"name": (job["offices"] or [{"name": ""}])[0]["name"]},
    }
    if content:
        post.update(content=job.get("content", ""), departments=job["departments"], offices=job["offices"])
    return post


def _job_of_post(state: GreenhouseState, board: str, post_id: int) -> dict:
    job = next((j for j in state.jobs if j.get("post_id") == post_id), None)
    if job is None or board != state.board_token:
        abort(_json(404, ASSUMED["board_error"](404, "Job not found")))
    return job


class GreenhouseControl:
    """The SandboxControl of the contract tests, plus the state for vendor-specific asserts."""

    def __init__(self, app: Flask) -> None:
        self.state: GreenhouseState = app.extensions["greenhouse_sandbox"]

    def fail_next(self, step: str, status: int = 500) -> None:
        self.state.faults.configure({"fail_next": {"step": step, "status": status}})

    def commit_then_fail_next(self, step: str, mode: str = "500") -> None:
        self.state.faults.configure({"commit_then_fail": {"step": step, "mode": mode}})

    def truncate_next_create(self) -> None:
        self.state.truncate_next += 1

    def count_applications(self, email: str, job_ref: str) -> int:
        return sum(
            1
            for c, a in self.state.applications()
            if email.lower() in {e["value"].lower() for e in c["email_addresses"]}
            and any(job_ref in (str(j["id"]), str(self._post_id(j["id"]))) for j in a["jobs"])
        )

    def _post_id(self, job_id: int) -> Any:
        return next((j.get("post_id") for j in self.state.jobs if j["id"] == job_id), None)

    def expire_token(self) -> None:
        self.state.token_expired = True


def in_process_transport(app: Flask) -> httpx.WSGITransport:
    return httpx.WSGITransport(app=app)


def sandbox_of(app: Flask) -> GreenhouseControl:
    return GreenhouseControl(app)


def serve(host: str = "127.0.0.1", port: int = 8104, config: dict | None = None) -> None:
    """Run the sandbox as a real HTTP server (blocks); integration tests start it in a thread."""
    from werkzeug.serving import make_server

    make_server(host, port, create_app(config), threaded=True).serve_forever()


if __name__ == "__main__":
    serve()
