"""A local imitation of Greenhouse: Harvest v1 under /v1, the token endpoint, and the Job Board
API under /v1/boards (CONTRACTS §6.4).

Harvest semantics kept: Basic auth with the key as username, On-Behalf-Of on writes, bare JSON
arrays with RFC 5988 Link paging, the 422 body, a 10-second window with X-RateLimit-* headers,
and creates that may answer with a truncated body. Both APIs write to one store, as in
Greenhouse, so tests count applications the same way whichever flavour delivered them. Shapes
the docs leave open are in `ASSUMED`. Control requests (common.py) are under /_sandbox/.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, abort, g, request

from app.ats.sandbox import common
from app.ats.sandbox.common import (
    SandboxControl,
    committed,
    faults_from,
    install_control,
    json_response,
    vendor_config,
)

ASSUMED: dict[str, Any] = {
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
    build_seconds: float = 0  # a created candidate answers 404 on GET for this long
    clock: Callable[[], float] = field(default=time.time, repr=False)
    candidates: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    issued: dict[str, float] = field(default_factory=dict)  # bearer token -> expiry
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    truncate_next: int = 0  # creates to answer with a cut-off body (the record is saved)
    window: tuple[int, int] = (0, 0)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def job(self, job_id: Any) -> dict:
        found = next((j for j in self.jobs if str(j["id"]) == str(job_id)), None)
        if found is None:
            abort(json_response(404, {"message": "Resource not found"}))
        return found

    def applications(self) -> list[tuple[dict, dict]]:
        return [(c, a) for c in self.candidates for a in c["applications"]]


class GreenhouseControl(SandboxControl[GreenhouseState]):
    """The sandbox's control object: what Greenhouse stored, its faults, and cut-off bodies."""

    def truncate_next_create(self) -> None:
        self.state.truncate_next += 1

    def configure(self, settings: Mapping[str, Any]) -> None:
        super().configure(settings)
        self.state.truncate_next += int(settings.get("truncate_next", 0))

    def count_applications(self, email: str, job_ref: str) -> int:
        return sum(
            1
            for c, a in self.state.applications()
            if email.lower() in {e["value"].lower() for e in c["email_addresses"]}
            and any(job_ref in (str(j["id"]), str(self._post_id(j["id"]))) for j in a["jobs"])
        )

    def _post_id(self, job_id: int) -> Any:
        return next((j.get("post_id") for j in self.state.jobs if j["id"] == job_id), None)

    def dump(self) -> dict[str, Any]:
        return {
            "candidates": self.state.candidates,
            "notes": self.state.notes,
            "requests": self.state.requests,
        }


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """config: jobs, sources, clock, any other GreenhouseState field (api_key, board_token,
    rate_limit, build_seconds, ...) and the shared fault settings (error_rate, rate_429, latency,
    seed, sleep)."""
    settings = vendor_config(config)

    def fresh_state() -> GreenhouseState:
        return GreenhouseState(
            **{
                **settings,
                "jobs": [dict(j) for j in settings.get("jobs", DEFAULT_JOBS)],
                "sources": list(settings.get("sources", DEFAULT_SOURCES)),
            }
        )

    control = GreenhouseControl(fresh_state(), faults_from(config or {}), fresh_state)
    app = Flask(__name__)
    install_control(app, control)
    app.after_request(_recorder(control))
    _token_route(app, control)
    _harvest_lookups(app, control)
    _harvest_writes(app, control)
    _board_routes(app, control)
    return app


def sandbox_of(app: Flask) -> GreenhouseControl:
    return app.extensions["sandbox"]


def serve(host: str = "127.0.0.1", port: int = 8104, config: Mapping[str, Any] | None = None) -> None:
    """Run the sandbox as a real HTTP server (blocks)."""
    common.serve(create_app, host, port, config)


# --- what every Harvest request goes through -----------------------------------------------


def invalid(errors: list[tuple[str, str]]) -> Response:
    body = {"message": "Validation error", "errors": [{"message": m, "field": f} for f, m in errors]}
    return json_response(422, body)


def limit(state: GreenhouseState) -> None:
    """Harvest's 10-second window; 429s carry X-RateLimit-Reset and Retry-After."""
    now = state.clock()
    with state.lock:
        slot, used = state.window
        if slot != int(now // 10):
            slot, used = int(now // 10), 0
        reset = (slot + 1) * 10
        g.rate = {"X-RateLimit-Limit": str(state.rate_limit)}
        if used >= state.rate_limit:
            headers = {
                **g.rate,
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(reset),
                "Retry-After": str(max(1, int(reset - now + 0.999))),
            }
            abort(json_response(429, {"message": "Too many requests"}, headers))
        state.window = (slot, used + 1)
        g.rate["X-RateLimit-Remaining"] = str(state.rate_limit - used - 1)


def harvest_guard(control: GreenhouseControl, endpoint: str) -> str:
    """Window, credentials (Basic key or an issued bearer token), On-Behalf-Of, then faults."""
    state = control.state
    limit(state)
    auth = request.authorization
    bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
    basic_ok = auth is not None and auth.type == "basic" and auth.username == state.api_key
    bearer_ok = state.issued.get(bearer, 0) > state.clock()
    if control.faults.token_expired or not (basic_ok or bearer_ok):
        abort(json_response(401, {"message": "Invalid Basic Auth credentials"}))
    if request.method != "GET" and basic_ok and not request.headers.get("On-Behalf-Of"):
        abort(json_response(*ASSUMED["missing_on_behalf_of"]))
    return inject(control, endpoint)


def inject(control: GreenhouseControl, endpoint: str) -> str:
    step = STEPS.get(endpoint, endpoint)
    status = control.faults.before(step)
    if status:
        headers = {"Retry-After": "1"} if status == 429 else None
        abort(json_response(status, {"message": "Injected failure"}, headers))
    return step


def finish(
    control: GreenhouseControl, step: str, body: Any, status: int = 200, truncatable: bool = False
) -> Response:
    """Answer, unless a commit-then-fail is armed; a create may be cut off half-way."""
    response = committed(
        control.faults,
        step,
        json_response(status, body),
        lambda: json_response(500, {"message": "Internal Server Error"}),
    )
    if truncatable and response.status_code < 300 and control.state.truncate_next:
        control.state.truncate_next -= 1
        data = response.get_data()
        response.set_data(data[: len(data) // 2])
    return response


def paged(control: GreenhouseControl, items: list, step: str) -> Response:
    """One page of `items` with RFC 5988 Link headers, as Harvest pages its lists."""
    per_page = min(int(request.args.get("per_page", 100)), 500, control.state.page_size)
    page = int(request.args.get("page", 1))
    response = finish(control, step, items[(page - 1) * per_page : page * per_page])
    args = {k: v for k, v in request.args.items() if k != "page"}
    query = "".join(f"{k}={v}&" for k, v in args.items())
    last = max(1, -(-len(items) // per_page))
    links = []
    if page < last:
        links.append(f'<{request.base_url}?{query}page={page + 1}>; rel="next"')
    if page > 1:
        links.append(f'<{request.base_url}?{query}page={page - 1}>; rel="prev"')
    links.append(f'<{request.base_url}?{query}page={last}>; rel="last"')
    response.headers["Link"] = ", ".join(links)
    return response


def _recorder(control: GreenhouseControl) -> Callable[[Response], Response]:
    def record(response: Response) -> Response:
        response.headers.update(g.get("rate", {}))
        control.state.requests.append((request.method, request.path, response.status_code))
        return response

    return record


# --- routes -------------------------------------------------------------------------------


def _token_route(app: Flask, control: GreenhouseControl) -> None:
    state = control.state

    @app.post("/token")
    def token() -> Response:
        auth = request.authorization
        if (
            auth is None
            or auth.username is None
            or state.clients.get(auth.username) != auth.password
            or request.form.get("grant_type") != "client_credentials"
        ):
            return json_response(401, {"error": "invalid_client"})
        issued = f"gh.{secrets.token_hex(16)}"
        state.issued[issued] = state.clock() + ASSUMED["token_response"]["expires_in"]
        return json_response(200, {"access_token": issued, **ASSUMED["token_response"]})


def _harvest_lookups(app: Flask, control: GreenhouseControl) -> None:
    state = control.state

    @app.get("/v1/jobs")
    def jobs() -> Response:
        step = harvest_guard(control, "jobs")
        wanted = request.args.get("status")
        return paged(control, [_public(j) for j in state.jobs if not wanted or j["status"] == wanted], step)

    @app.get("/v1/jobs/<int:job_id>/stages")
    def stages(job_id: int) -> Response:
        step = harvest_guard(control, "stages")
        return paged(control, [dict(s, job_id=job_id) for s in state.job(job_id)["stages"]], step)

    @app.get("/v1/sources")
    def sources() -> Response:
        return paged(control, state.sources, harvest_guard(control, "sources"))

    @app.get("/v1/candidates")
    def candidates() -> Response:
        step = harvest_guard(control, "lookup")
        email = request.args.get("email", "").lower()
        found = [
            c
            for c in state.candidates
            if not email or email in {e["value"].lower() for e in c["email_addresses"]}
        ]
        return paged(control, found, step)

    @app.get("/v1/candidates/<int:candidate_id>")
    def candidate(candidate_id: int) -> Response:
        step = harvest_guard(control, "candidate")
        found = next((c for c in state.candidates if c["id"] == candidate_id), None)
        if found is None or found["ready_at"] > state.clock():  # still being built
            return json_response(404, {"message": "Resource not found"})
        return finish(control, step, found)


def _harvest_writes(app: Flask, control: GreenhouseControl) -> None:
    state = control.state

    @app.post("/v1/candidates")
    def create_candidate() -> Response:
        step = harvest_guard(control, "harvest_create")
        body = request.get_json(silent=True) or {}
        errors = [(f, "is required") for f in ("first_name", "last_name") if not body.get(f)]
        apps = body.get("applications") or []
        if not apps:
            errors.append(("applications", "must contain at least one application"))
        errors += [e for a in apps for e in _application_errors(state, a)]
        if errors:
            return invalid(errors)
        record = dict(
            body,
            id=7000 + len(state.candidates),
            applications=[],
            ready_at=state.clock() + state.build_seconds,
        )
        record.setdefault("email_addresses", [])
        state.candidates.append(record)
        created = [_add_application(state, record, a) for a in apps]
        return finish(control, step, dict(record, application_ids=[a["id"] for a in created]), 201, True)

    @app.post("/v1/candidates/<int:candidate_id>/applications")
    def add_application(candidate_id: int) -> Response:
        step = harvest_guard(control, "harvest_create")
        record = next((c for c in state.candidates if c["id"] == candidate_id), None)
        if record is None:
            return json_response(404, {"message": "Resource not found"})
        body = request.get_json(silent=True) or {}
        errors = _application_errors(state, body)
        if any(
            str(body.get("job_id")) in {str(j["id"]) for j in a["jobs"]} and a["status"] == "active"
            for a in record["applications"]
        ):
            errors.append(("job_id", ASSUMED["duplicate_application"]))
        if errors:
            return invalid(errors)
        return finish(control, step, _add_application(state, record, body), 201, True)

    @app.post("/v1/candidates/<int:candidate_id>/activity_feed/notes")
    def add_note(candidate_id: int) -> Response:
        step = harvest_guard(control, "note")
        body = request.get_json(silent=True) or {}
        if not any(c["id"] == candidate_id for c in state.candidates):
            return json_response(404, {"message": "Resource not found"})
        errors = [(f, "is required") for f in ("user_id", "body", "visibility") if not body.get(f)]
        if errors:
            return invalid(errors)
        note = dict(body, id=9000 + len(state.notes), candidate_id=candidate_id)
        state.notes.append(note)
        return finish(control, step, note, 201)


def _board_routes(app: Flask, control: GreenhouseControl) -> None:
    """The Job Board API: public reads, and one form post per application."""
    state = control.state

    @app.get("/v1/boards/<board>/jobs")
    def board_jobs(board: str) -> Response:
        step = inject(control, "jobs")
        posts = [
            _post(j, content=request.args.get("content") == "true")
            for j in state.jobs
            if j.get("post_id") and board == state.board_token
        ]
        return finish(control, step, {"jobs": posts, "meta": {"total": len(posts)}})

    @app.get("/v1/boards/<board>/jobs/<int:post_id>")
    def board_job(board: str, post_id: int) -> Response:
        step = inject(control, "post")
        job = _job_of_post(state, board, post_id)
        post = _post(job, content=True)
        if request.args.get("questions") == "true":
            post.update(
                questions=job["questions"], data_compliance=[{"type": "gdpr", "requires_consent": True}]
            )
        return finish(control, step, post)

    @app.post("/v1/boards/<board>/jobs/<int:post_id>")
    def board_apply(board: str, post_id: int) -> Response:
        auth = request.authorization
        if control.faults.token_expired or auth is None or auth.username != state.board_key:
            return json_response(401, ASSUMED["board_error"](401, "Failed to save person"))
        step = inject(control, "board_post")
        job = _job_of_post(state, board, post_id)
        refused = _board_form_error()
        if refused:
            return json_response(422, ASSUMED["board_error"](422, refused))
        form = request.form
        record = {
            "id": 7000 + len(state.candidates),
            "first_name": form["first_name"],
            "last_name": form["last_name"],
            "applications": [],
            "ready_at": 0,
            "email_addresses": [{"value": form["email"], "type": "personal"}],
            "board_form": form.to_dict(flat=False),
            "files": sorted(request.files),
            "via": "job_board",
        }
        state.candidates.append(record)
        _add_application(state, record, {"job_id": job["id"]}, mapped_url_token=form.get("mapped_url_token"))
        return finish(control, step, ASSUMED["board_success"])


def _board_form_error() -> str | None:
    """Why the Job Board refuses the posted form, if it does."""
    missing = [f for f in ("first_name", "last_name", "email") if not request.form.get(f)]
    if missing:
        return f"Missing {', '.join(missing)}"
    resume = request.files.get("resume")
    if resume is not None and (
        not (resume.filename or "").lower().endswith(ASSUMED["board_file_types"]) or not resume.read()
    ):
        return "Invalid attachment"
    return None


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
        abort(json_response(404, ASSUMED["board_error"](404, "Job not found")))
    return job


if __name__ == "__main__":
    serve()
