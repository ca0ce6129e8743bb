"""A local imitation of Greenhouse: Harvest v3 under /v3 with its token endpoint, the retired
Harvest v1 under /v1, and the Job Board API under /v1/boards, as strict as Greenhouse documents
them (docs/ats/greenhouse.md).

Harvest semantics kept: Basic auth with the key as username and nothing else, a numeric
On-Behalf-Of on writes, bare JSON arrays with RFC 5988 Link paging, the 422 body listing every
invalid field, a 10-second window with X-RateLimit-* headers, and creates that may answer with
the documented truncated body (the ids only). Both APIs write to one store, as in Greenhouse, so
tests count applications the same way whichever flavour delivered them. The validations live in
`app.ats.rules.greenhouse`; shapes the docs leave open are in `ASSUMED`. Control requests (common.py)
are under /_sandbox/.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, abort, g, request

from app.ats.rules import greenhouse as rules
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
    "bad_on_behalf_of": (403, {"message": "On-Behalf-Of must be the numeric id of a Greenhouse user"}),
    "board_invalid_status": 422,
    "v3_unauthorized": {"error": "invalid_token"},
    "v3_service_account": "service-account",
    "v3_filters": {  # the query filters each v3 list takes besides per_page; unknown ones refused
        "jobs": ("status", "ids"),
        "job_interview_stages": ("job_id", "ids"),
        "sources": ("ids",),
        "candidates": ("email", "ids"),
        "applications": ("candidate_ids", "job_id", "status", "ids"),
        "attachments": ("application_ids", "candidate_ids"),
        "notes": ("candidate_ids",),
    },
    "board_media_types": ("multipart/form-data", "application/json"),
    "token_response": {"token_type": "Bearer", "expires_in": 3600},
    "board_error": lambda status, text: {"error": text, "status": status},
    "board_success": {"success": "Candidate saved successfully"},
    "board_consent_fields": (
        "data_compliance[gdpr_processing_consent_given]",
        "data_compliance[gdpr_consent_given]",
    ),
    "duplicate_application": "Candidate already has an active application on this job",
    "v3_own_resources": ("applications", "attachments", "employments", "educations", "activity_feed_notes"),
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
        "compliance": [  # EEOC questions, in the shape boards show (JB-J; block shape ASSUMED)
            {
                "type": "eeoc",
                "description": "<p>Voluntary self-identification</p>",
                "questions": [
                    {
                        "label": "Gender",
                        "required": False,
                        "fields": [
                            {
                                "name": "gender",
                                "type": "multi_value_single_select",
                                "values": [
                                    {"value": 1, "label": "Male"},
                                    {"value": 2, "label": "Female"},
                                    {"value": 3, "label": "Decline To Self Identify"},
                                ],
                            }
                        ],
                    },
                    {
                        "label": "Veteran Status",
                        "required": False,
                        "fields": [
                            {
                                "name": "veteran_status",
                                "type": "multi_value_single_select",
                                "values": [
                                    {"value": 1, "label": "I am a protected veteran"},
                                    {"value": 2, "label": "I am not a protected veteran"},
                                    {"value": 3, "label": "I don't wish to answer"},
                                ],
                            }
                        ],
                    },
                ],
            }
        ],
        "demographic_questions": {  # Greenhouse Inclusion, as job-board _jobs.md shows it
            "header": "Diversity and inclusion at Acme",
            "description": "<p>Optional.</p>",
            "questions": [
                {
                    "id": 87,
                    "label": "Which pronouns do you use?",
                    "required": False,
                    "type": "multi_value_multi_select",
                    "answer_options": [
                        {"id": 194, "label": "she/her", "free_form": False},
                        {"id": 195, "label": "he/him", "free_form": False},
                        {"id": 196, "label": "Let me type my own", "free_form": True},
                    ],
                }
            ],
        },
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
DATA_COMPLIANCE = [  # the job post's GDPR rule, in the shape job-board _jobs.md shows
    {
        "type": "gdpr",
        "requires_consent": True,
        "requires_processing_consent": True,
        "requires_retention_consent": True,
        "retention_period": 365,
    }
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
    deleted: list[int] = field(default_factory=list)  # candidates deleted through the API
    issued: dict[str, tuple[float, str]] = field(default_factory=dict)  # token -> (expiry, sub)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    truncate_next: int = 0  # creates to answer with a cut-off body (the record is saved)
    auto_merge: bool = True  # the tenant's Auto-Merge setting (GH-MERGE): Job Board posts join by email
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

    def count_people(self, email: str) -> int:
        return len(self._people(email))

    def resume_types(self, email: str) -> list[str]:
        """Resumes on the candidate and on each of its applications (v1 inline, v3 attachments,
        the Job Board's resume part), in the order they were stored."""
        files = [
            f
            for c in self._people(email)
            for f in [*c.get("attachments", []), *(f for a in c["applications"] for f in a["attachments"])]
        ]
        return [f.get("content_type", "") for f in files if f.get("type") == "resume"]

    def count_records(self) -> int:
        """Candidates, applications, files (attachments, Job Board parts) and notes."""
        state = self.state
        files = sum(
            len(c.get("files", [])) if c.get("via") == "job_board" else len(c.get("attachments", []))
            for c in state.candidates
        )
        applications = state.applications()
        attached = sum(len(a["attachments"]) for c, a in applications if c.get("via") != "job_board")
        return len(state.candidates) + len(applications) + files + attached + len(state.notes)

    def close_job(self, job_ref: str) -> None:
        """By Harvest job id or by its post's id: the job, and with it its post, closes."""
        for job in self.state.jobs:
            if job_ref in (str(job["id"]), str(job.get("post_id"))):
                job["status"] = "closed"

    def _people(self, email: str) -> list[dict]:
        wanted = email.lower()
        return [
            c for c in self.state.candidates if wanted in {e["value"].lower() for e in c["email_addresses"]}
        ]

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
    _v3_lookups(app, control)
    _v3_reads(app, control)
    _v3_writes(app, control)
    _v3_erasure(app, control)
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
    """Window, credentials, On-Behalf-Of, then faults. Harvest v1 knows only Basic auth with
    the key as username and a blank password: a bearer token is no credential here."""
    state = control.state
    limit(state)
    auth = request.authorization
    basic_ok = (
        auth is not None and auth.type == "basic" and auth.username == state.api_key and not auth.password
    )
    if control.faults.token_expired or not basic_ok:
        abort(json_response(401, {"message": "Invalid Basic Auth credentials"}))
    if request.method == "GET" and request.get_data():
        abort(json_response(403, {"message": "GET requests must not carry a body"}))
    if request.method != "GET":
        on_behalf_of = request.headers.get("On-Behalf-Of", "").strip()
        if not on_behalf_of:
            abort(json_response(*ASSUMED["missing_on_behalf_of"]))
        if not on_behalf_of.isdigit():
            abort(json_response(*ASSUMED["bad_on_behalf_of"]))
    return inject(control, endpoint)


def json_body() -> dict:
    """The JSON object a Harvest write carries; anything else is a 422 (Harvest takes JSON)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(invalid([("body", "must be a JSON object")]))
    return body


def inject(control: GreenhouseControl, endpoint: str) -> str:
    step = STEPS.get(endpoint, endpoint)
    status = control.faults.before(step)
    if status:
        headers = {"Retry-After": "1"} if status == 429 else None
        abort(json_response(status, {"message": "Injected failure"}, headers))
    return step


def finish(
    control: GreenhouseControl, step: str, body: Any, status: int = 200, truncated: Any = None
) -> Response:
    """Answer, unless a commit-then-fail is armed. A create armed with `truncate_next` answers
    with `truncated`: Greenhouse documents that a record still being built comes back as a
    truncated body that holds only the ids."""
    if truncated is not None and control.state.truncate_next:
        control.state.truncate_next -= 1
        body = truncated
    return committed(
        control.faults,
        step,
        json_response(status, body),
        lambda: json_response(500, {"message": "Internal Server Error"}),
    )


def paged(control: GreenhouseControl, items: list, step: str) -> Response:
    """One page of `items` with RFC 5988 Link headers, as Harvest pages its lists."""
    asked, page_arg = request.args.get("per_page", "100"), request.args.get("page", "1")
    if not asked.isdigit() or not 1 <= int(asked) <= 500:
        abort(invalid([("per_page", "Must be an integer between 1 and 500")]))
    if not page_arg.isdigit() or int(page_arg) < 1:
        abort(invalid([("page", "Must be a positive integer")]))
    per_page, page = min(int(asked), control.state.page_size), int(page_arg)
    response = finish(control, step, items[(page - 1) * per_page : page * per_page])
    args = {k: v for k, v in request.args.items() if k != "page"}
    query = "".join(f"{k}={v}&" for k, v in args.items())
    last = max(1, -(-len(items) // per_page))
    links = []
    if page < last:
        links.append(f'<{request.base_url}?{query}page={page + 1}>; rel="next"')
    if page > 1:
        links.append(f'<{request.base_url}?{query}page={page - 1}>; rel="prev"')
    if request.args.get("skip_count") != "true":
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
        """Client credentials: HTTP Basic client id and secret, a form-encoded body with
        grant_type=client_credentials and, optionally, the numeric user id in `sub`.
        The error bodies are OAuth 2.0's (RFC 6749 §5.2)."""
        auth = request.authorization
        if auth is None or auth.username is None or state.clients.get(auth.username) != auth.password:
            return json_response(401, {"error": "invalid_client"})
        if request.mimetype != "application/x-www-form-urlencoded":
            return json_response(400, {"error": "invalid_request"})
        if request.form.get("grant_type") != "client_credentials":
            return json_response(400, {"error": "unsupported_grant_type"})
        if not request.form.get("sub", "0").isdigit():
            return json_response(400, {"error": "invalid_request"})
        issued = f"gh.{secrets.token_hex(16)}"
        expiry = state.clock() + ASSUMED["token_response"]["expires_in"]
        state.issued[issued] = (expiry, request.form.get("sub") or ASSUMED["v3_service_account"])
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
        body = json_body()
        errors = rules.candidate_errors(body)
        apps = body.get("applications")
        if not isinstance(apps, list) or not apps:
            errors.append(("applications", "must contain at least one application"))
            apps = []
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
        ids = [a["id"] for a in created]
        short = {"id": record["id"], "application_ids": ids}
        return finish(control, step, dict(record, application_ids=ids), 201, truncated=short)

    @app.post("/v1/candidates/<int:candidate_id>/applications")
    def add_application(candidate_id: int) -> Response:
        step = harvest_guard(control, "harvest_create")
        record = _candidate(state, candidate_id)
        body = json_body()
        errors = _application_errors(state, body)
        if any(
            str(body.get("job_id")) in {str(j["id"]) for j in a["jobs"]} and a["status"] == "active"
            for a in record["applications"]
        ):
            errors.append(("job_id", ASSUMED["duplicate_application"]))
        if errors:
            return invalid(errors)
        application = _add_application(state, record, body)
        short = {"id": application["id"], "candidate_id": record["id"]}
        return finish(control, step, application, 201, truncated=short)

    @app.post("/v1/candidates/<int:candidate_id>/attachments")
    def add_attachment(candidate_id: int) -> Response:
        step = harvest_guard(control, "attachment")
        record = _candidate(state, candidate_id)
        body = json_body()
        errors = rules.attachment_errors(body, rules.CANDIDATE_ATTACHMENT_TYPES)
        if errors:
            return invalid(errors)
        record.setdefault("attachments", []).append(body)
        shown = {k: body.get(k) for k in ("filename", "type", "content_type")}
        return finish(control, step, dict(shown, url=f"https://s3.example/{body['filename']}"), 201)

    @app.post("/v1/candidates/<int:candidate_id>/activity_feed/notes")
    def add_note(candidate_id: int) -> Response:
        step = harvest_guard(control, "note")
        _candidate(state, candidate_id)
        body = json_body()
        errors = rules.note_errors(body)
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
            if j.get("post_id") and j["status"] == "open" and board == state.board_token
        ]
        return finish(control, step, {"jobs": posts, "meta": {"total": len(posts)}})

    @app.get("/v1/boards/<board>/jobs/<int:post_id>")
    def board_job(board: str, post_id: int) -> Response:
        step = inject(control, "post")
        job = _job_of_post(state, board, post_id)
        post = _post(job, content=True)
        if request.args.get("questions") == "true":
            post.update(
                questions=job["questions"], data_compliance=job.get("data_compliance", DATA_COMPLIANCE)
            )
            post.update(
                {k: job[k] for k in ("location_questions", "compliance", "demographic_questions") if k in job}
            )
        return finish(control, step, post)

    @app.post("/v1/boards/<board>/jobs/<int:post_id>")
    def board_apply(board: str, post_id: int) -> Response:
        auth = request.authorization
        if control.faults.token_expired or auth is None or auth.username != state.board_key:
            return json_response(401, ASSUMED["board_error"](401, "Failed to save person"))
        step = inject(control, "board_post")
        job = _job_of_post(state, board, post_id)
        fields, files, entries = _board_submission()
        refused = rules.board_errors(fields, files, job["questions"])
        refused += rules.board_employment_errors(entries["employments"])
        refused += rules.board_education_errors(entries["educations"])
        asked = (job.get("demographic_questions") or {}).get("questions")
        refused += rules.demographic_errors(entries["demographic_answers"], asked)
        refused += rules.data_compliance_errors(fields, job.get("data_compliance", DATA_COMPLIANCE))
        refused += rules.eeoc_errors(fields, job.get("compliance"))
        if refused:
            status = ASSUMED["board_invalid_status"]
            return json_response(status, ASSUMED["board_error"](status, "; ".join(refused)))
        if not all(rules.first(fields, f) for f in ("latitude", "longitude")):
            fields.pop("location", None)  # documented: location alone is ignored entirely
        _save_board_application(state, job, fields, files, entries)
        return finish(control, step, ASSUMED["board_success"])


def _save_board_application(
    state: GreenhouseState, job: dict, fields: dict, files: dict, entries: dict
) -> None:
    """A new candidate, or with Auto-Merge on, a new application on the candidate who already
    has this email (the most recent one; GH-MERGE: identical email, not retroactive)."""
    email = rules.first(fields, "email")
    same = [
        c for c in state.candidates if email.lower() in {e["value"].lower() for e in c["email_addresses"]}
    ]
    record = same[-1] if same and state.auto_merge else None
    if record is None:
        record = {
            "id": 7000 + len(state.candidates),
            "first_name": rules.first(fields, "first_name"),
            "last_name": rules.first(fields, "last_name"),
            "applications": [],
            "ready_at": 0,
            "email_addresses": [{"value": email, "type": "personal"}],
            "files": [],
            "via": "job_board",
        }
        state.candidates.append(record)
    record.update(board_form=fields, board_entries=entries)
    record["files"] = sorted([*record.get("files", []), *files])
    attachments = [
        {"type": name, "filename": filename, "content_type": _board_content_type(name, filename)}
        for name, (filename, _) in files.items()
    ]
    token = rules.first(fields, "mapped_url_token") or None
    _add_application(
        state,
        record,
        {"job_id": job["id"], "attachments": attachments},
        mapped_url_token=token,
        board_form=fields,
        board_entries=entries,
    )


def _board_content_type(name: str, filename: str) -> str:
    part = request.files.get(name)
    if part is not None and part.mimetype and part.mimetype != "application/octet-stream":
        return part.mimetype
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _board_submission() -> tuple[dict[str, list[str]], dict[str, tuple[str, bytes]], dict[str, list]]:
    """The posted application as (fields, files, entries), whichever documented encoding
    carried it: multipart form data, or JSON with base64 `*_content` files. Repeated names and
    `name[]` arrays become lists; `educations[]` / `employments[]` become entry objects."""
    media_type = request.mimetype
    if media_type not in ASSUMED["board_media_types"]:
        status = ASSUMED["board_invalid_status"]
        abort(json_response(status, ASSUMED["board_error"](status, f"Unsupported content type {media_type}")))
    if media_type == "application/json":
        return _json_submission()
    fields: dict[str, list[str]] = {}
    for name, values in request.form.lists():
        if not name.startswith(("educations[]", "employments[]", "demographic_answers[]")):
            fields.setdefault(name.removesuffix("[]"), []).extend(values)
    files = {name: (f.filename or "", f.read()) for name, f in request.files.items()}
    entries: dict[str, list] = {kind: _form_entries(kind) for kind in ("educations", "employments")}
    entries["demographic_answers"] = _demographic_entries()
    return fields, files, entries


def _demographic_entries() -> list[dict]:
    """`demographic_answers[][question_id]` starts an answer; the `answer_options[][…]` pairs
    after it are its options, `text` belonging to the option before it."""
    entries: list[dict] = []
    for name, value in request.form.items(multi=True):
        if not name.startswith("demographic_answers[]"):
            continue
        if name == "demographic_answers[][question_id]" or not entries:
            entries.append({"answer_options": []})
        if name == "demographic_answers[][question_id]":
            entries[-1]["question_id"] = value
        elif name.endswith("[answer_option_id]"):
            entries[-1]["answer_options"].append({"answer_option_id": value})
        elif name.endswith("[text]") and entries[-1]["answer_options"]:
            entries[-1]["answer_options"][-1]["text"] = value
    return entries


def _form_entries(kind: str) -> list[dict]:
    """Rails-style `employments[][title]=...` pairs as objects: a repeated key starts the next."""
    entries: list[dict] = []
    for name, value in request.form.items(multi=True):
        if not name.startswith(f"{kind}[]["):
            continue
        path = name[len(kind) + 3 : -1].split("][")
        if not entries or _holds(entries[-1], path):
            entries.append({})
        target = entries[-1]
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return entries


def _holds(entry: dict, path: list[str]) -> bool:
    for key in path:
        if not isinstance(entry, dict) or key not in entry:
            return False
        entry = entry[key]
    return True


def _json_submission() -> tuple[dict[str, list[str]], dict[str, tuple[str, bytes]], dict[str, list]]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        status = ASSUMED["board_invalid_status"]
        abort(json_response(status, ASSUMED["board_error"](status, "Body must be a JSON object")))
    fields: dict[str, list[str]] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for name, value in body.items():
        if name in ("educations", "employments", "demographic_answers"):
            continue
        if name == "data_compliance" and isinstance(value, dict):  # the documented JSON object
            fields.update({f"data_compliance[{k}]": [str(v).lower()] for k, v in value.items()})
        if name.startswith("data_compliance"):  # form-style keys are not consents in JSON
            continue
        if name.endswith("_content") and not name.endswith("_filename"):
            base = name.removesuffix("_content")
            files[base] = (str(body.get(f"{name}_filename") or ""), rules.decoded(value))
        elif not name.endswith("_content_filename"):
            items = value if isinstance(value, list) else [value]
            fields[name] = [json.dumps(i) if isinstance(i, (dict, bool)) else str(i) for i in items]
    kinds = ("educations", "employments", "demographic_answers")
    entries = {k: [e if isinstance(e, dict) else {} for e in body.get(k) or []] for k in kinds}
    return fields, files, entries


def _application_errors(state: GreenhouseState, body: Any) -> list[tuple[str, str]]:
    if not isinstance(body, dict):
        return [("applications", "must be an array of objects")]
    return rules.application_errors(body, state.jobs, {s["id"] for s in state.sources})


def _candidate(state: GreenhouseState, candidate_id: int) -> dict:
    found = next((c for c in state.candidates if c["id"] == candidate_id), None)
    if found is None:
        abort(json_response(404, {"message": "Resource not found"}))
    return found


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
    if job is None or board != state.board_token or job["status"] != "open":  # live posts only
        abort(json_response(404, ASSUMED["board_error"](404, "Job not found")))
    return job


if __name__ == "__main__":
    serve()


# --- Harvest v3 (harvestdocs.greenhouse.io) -------------------------------------------------
# Documented: bearer tokens from /token only, the token's `sub` as the acting user (no
# On-Behalf-Of), cursor paging where `cursor` is the only query parameter and only a `next`
# link is sent, POST /v3/applications for an application. Records are flat (an application names
# job_id, stage_id, source_id; a candidate nests nothing), as third-party readings of the v3
# reference show. Request bodies are ASSUMED (v1's fields, each resource created on its own,
# nested resources refused); docs/ats/greenhouse.md lists them.


def v3_guard(control: GreenhouseControl, endpoint: str) -> tuple[str, str]:
    """Window, a live bearer token, no body on a GET, then faults; the step and acting user."""
    state = control.state
    limit(state)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    grant = state.issued.get(token.strip()) if scheme.lower() == "bearer" else None
    if control.faults.token_expired or grant is None or grant[0] <= state.clock():
        abort(json_response(401, ASSUMED["v3_unauthorized"]))
    if request.method == "GET" and request.get_data():
        abort(json_response(403, {"message": "GET requests must not carry a body"}))
    return inject(control, endpoint), grant[1]


def cursor_page(control: GreenhouseControl, kind: str, select: Callable[[dict], list], step: str) -> Response:
    """One page of a v3 list. Filters and per_page only on the first request; after that the
    opaque cursor from the Link header, alone, carries them."""
    args = request.args.to_dict()
    if "cursor" in args:
        if len(args) > 1:
            abort(invalid([("cursor", "must be the only query parameter")]))
        saved = _read_cursor(args["cursor"])
        filters, per_page, offset = saved["filters"], saved["per_page"], saved["offset"]
    else:
        unknown = sorted(set(args) - {"per_page", *ASSUMED["v3_filters"][kind]})
        if unknown:
            abort(invalid([(name, "is not a filter of this list") for name in unknown]))
        asked = args.pop("per_page", "100")
        if not asked.isdigit() or not 1 <= int(asked) <= 500:
            abort(invalid([("per_page", "Must be an integer between 1 and 500")]))
        filters, per_page, offset = args, int(asked), 0
    items = select(filters)
    size = min(per_page, control.state.page_size)
    response = finish(control, step, items[offset : offset + size])
    if offset + size < len(items):
        cursor = {"filters": filters, "per_page": per_page, "offset": offset + size}
        encoded = base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")
        response.headers["Link"] = f'<{request.base_url}?cursor={encoded}>; rel="next"'
    return response


def _read_cursor(value: str) -> dict:
    try:
        saved = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (ValueError, binascii.Error):
        saved = None
    if not isinstance(saved, dict) or set(saved) != {"filters", "per_page", "offset"}:
        abort(invalid([("cursor", "is not a cursor this API issued")]))
    return saved


def _ids(filters: dict, key: str = "ids") -> set[str]:
    return {i.strip() for i in str(filters.get(key, "")).split(",") if i.strip()}


def _v3_lookups(app: Flask, control: GreenhouseControl) -> None:
    state = control.state

    @app.get("/v3/jobs")
    def v3_jobs() -> Response:
        step, _ = v3_guard(control, "jobs")

        def select(filters: dict) -> list:
            wanted, ids = filters.get("status"), _ids(filters)
            return [
                _public(j)
                for j in state.jobs
                if (not wanted or j["status"] == wanted) and (not ids or str(j["id"]) in ids)
            ]

        return cursor_page(control, "jobs", select, step)

    @app.get("/v3/job_interview_stages")
    def v3_stages() -> Response:
        step, _ = v3_guard(control, "stages")

        def select(filters: dict) -> list:
            jobs = [j for j in state.jobs if not filters.get("job_id") or str(j["id"]) == filters["job_id"]]
            return [
                {"id": s["id"], "name": s["name"], "job_id": j["id"], "sort_order": s["priority"]}
                for j in jobs
                for s in j["stages"]
            ]

        return cursor_page(control, "job_interview_stages", select, step)

    @app.get("/v3/sources")
    def v3_sources() -> Response:
        step, _ = v3_guard(control, "sources")
        return cursor_page(
            control,
            "sources",
            lambda f: [s for s in state.sources if not _ids(f) or str(s["id"]) in _ids(f)],
            step,
        )

    @app.get("/v3/candidates")
    def v3_candidates() -> Response:
        step, _ = v3_guard(control, "lookup")

        def select(filters: dict) -> list:
            email, ids = str(filters.get("email", "")).lower(), _ids(filters)
            return [
                _v3_candidate(c)
                for c in state.candidates
                if (not email or email in {e["value"].lower() for e in c["email_addresses"]})
                and (not ids or str(c["id"]) in ids)
            ]

        return cursor_page(control, "candidates", select, step)

    @app.get("/v3/applications")
    def v3_applications() -> Response:
        step, _ = v3_guard(control, "applications")

        def select(filters: dict) -> list:
            owners, ids = _ids(filters, "candidate_ids"), _ids(filters)
            return [
                _v3_application(a)
                for c, a in state.applications()
                if (not owners or str(c["id"]) in owners)
                and (not ids or str(a["id"]) in ids)
                and (not filters.get("job_id") or filters["job_id"] in {str(j["id"]) for j in a["jobs"]})
                and (not filters.get("status") or a["status"] == filters["status"])
            ]

        return cursor_page(control, "applications", select, step)


def _v3_reads(app: Flask, control: GreenhouseControl) -> None:
    """Attachments and notes, each naming its owner: how a create of unknown outcome is found."""
    state = control.state

    @app.get("/v3/attachments")
    def v3_attachments() -> Response:
        step, _ = v3_guard(control, "find_existing")

        def select(filters: dict) -> list:
            apps, owners = _ids(filters, "application_ids"), _ids(filters, "candidate_ids")
            return [
                f
                for f in _v3_attachments(state)
                if (not apps or str(f.get("application_id")) in apps)
                and (not owners or str(f.get("candidate_id")) in owners)
            ]

        return cursor_page(control, "attachments", select, step)

    @app.get("/v3/notes")
    def v3_notes() -> Response:
        step, _ = v3_guard(control, "find_existing")

        def select(filters: dict) -> list:
            owners = _ids(filters, "candidate_ids")
            return [n for n in state.notes if not owners or str(n.get("candidate_id")) in owners]

        return cursor_page(control, "notes", select, step)


def _v3_writes(app: Flask, control: GreenhouseControl) -> None:
    state = control.state

    @app.post("/v3/candidates")
    def v3_create_candidate() -> Response:
        step, user = v3_guard(control, "create_candidate")
        body = json_body()
        errors = rules.candidate_errors(body)
        errors += [
            (key, f"is not a parameter: {key} are a resource of their own in v3")
            for key in ASSUMED["v3_own_resources"]
            if key in body
        ]
        if errors:
            return invalid(errors)
        record = dict(body, id=7000 + len(state.candidates), applications=[], ready_at=0, acting_user=user)
        record.setdefault("email_addresses", [])
        state.candidates.append(record)
        return finish(control, step, _v3_candidate(record), 201)

    @app.post("/v3/applications")
    def v3_create_application() -> Response:
        step, user = v3_guard(control, "harvest_create")
        body = json_body()
        if not rules.is_int(body.get("candidate_id")):
            return invalid([("candidate_id", "is required and must be an integer")])
        record = _candidate(state, body["candidate_id"])
        errors = _application_errors(state, {k: v for k, v in body.items() if k != "candidate_id"})
        if "attachments" in body:
            errors.append(("attachments", "is not a parameter: upload with POST /v3/attachments"))
        if any(
            str(body.get("job_id")) in {str(j["id"]) for j in a["jobs"]} and a["status"] == "active"
            for a in record["applications"]
        ):
            errors.append(("job_id", ASSUMED["duplicate_application"]))
        if errors:
            return invalid(errors)
        application = _add_application(state, record, body, acting_user=user)
        return finish(control, step, _v3_application(application), 201)

    @app.post("/v3/attachments")
    def v3_create_attachment() -> Response:
        step, user = v3_guard(control, "attach_resume")
        body = json_body()
        owner = [k for k in ("candidate_id", "application_id") if k in body]
        if len(owner) != 1 or not rules.is_int(body[owner[0]]):
            return invalid(
                [("candidate_id", "exactly one integer candidate_id or application_id is required")]
            )
        kinds: tuple[str, ...] = rules.CANDIDATE_ATTACHMENT_TYPES
        if owner[0] == "candidate_id":
            target = _candidate(state, body["candidate_id"])
        else:
            found = [a for _, a in state.applications() if a["id"] == body["application_id"]]
            if not found:
                return json_response(404, {"message": "Resource not found"})
            target, kinds = found[0], rules.APPLICATION_ATTACHMENT_TYPES
        errors = rules.attachment_errors(body, kinds)
        if errors:
            return invalid(errors)
        attachment = dict(body, id=5000 + sum(1 for _ in _v3_attachments(state)), acting_user=user)
        target.setdefault("attachments", []).append(attachment)
        return finish(control, step, _v3_attachment(attachment), 201)

    @app.post("/v3/notes")
    def v3_create_note() -> Response:
        step, user = v3_guard(control, "note")
        body = json_body()
        if not rules.is_int(body.get("candidate_id")):
            return invalid([("candidate_id", "is required and must be an integer")])
        _candidate(state, body["candidate_id"])
        errors = rules.note_errors({**body, "user_id": body.get("user_id", 0)})
        if errors:
            return invalid(errors)
        note = dict(body, id=9000 + len(state.notes), acting_user=user)
        state.notes.append(note)
        return finish(control, step, note, 201)


def _v3_erasure(app: Flask, control: GreenhouseControl) -> None:
    """DELETE /v3/candidates/{id}: Harvest documents "DELETE: Delete Candidate" (GH-H
    _candidates.md; a v1 write, so v1 asks On-Behalf-Of, which v3 replaces by the token's
    `sub`), answered `{"message": "Person <id> has been deleted."}`. The candidate's
    applications, attachments and notes go with it (webhooks _candidate_events.md: "Deleting a
    candidate will cause other deletes"). An unknown id is a 404, as every Harvest read of one."""
    state = control.state

    @app.delete("/v3/candidates/<int:candidate_id>")
    def v3_delete_candidate(candidate_id: int) -> Response:
        step, _ = v3_guard(control, "erase")
        record = _candidate(state, candidate_id)
        state.candidates.remove(record)
        state.notes[:] = [n for n in state.notes if n.get("candidate_id") != candidate_id]
        state.deleted.append(candidate_id)
        return finish(control, step, {"message": f"Person {candidate_id} has been deleted."})


def _v3_attachments(state: GreenhouseState) -> list[dict]:
    """Attachments made through v3, each naming its candidate or application."""
    owned = [
        *(c.get("attachments", []) for c in state.candidates),
        *(a["attachments"] for _, a in state.applications()),
    ]
    return [_v3_attachment(f) for files in owned for f in files if "id" in f]


def _v3_attachment(stored: dict) -> dict:
    return {k: v for k, v in stored.items() if k not in ("content", "acting_user")}


def _v3_candidate(record: dict) -> dict:
    """v3 candidates hold no applications, attachments, employments or educations: each is a
    resource of its own that names its candidate."""
    hidden = (
        "applications",
        "ready_at",
        "acting_user",
        "attachments",
        "board_form",
        "board_entries",
        "files",
    )
    return {k: v for k, v in record.items() if k not in hidden}


def _v3_application(application: dict) -> dict:
    """v3's flat application: its parents and stage by id (job_id, stage_id, source_id)."""
    stage = application.get("current_stage") or {}
    return {
        "id": application["id"],
        "candidate_id": application["candidate_id"],
        "job_id": application["jobs"][0]["id"],
        "stage_id": stage.get("id"),
        "source_id": (application.get("source") or {}).get("id"),
        "status": application["status"],
        "prospect": application["prospect"],
    }
