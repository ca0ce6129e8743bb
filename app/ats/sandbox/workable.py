"""A local imitation of Workable's SPI v3 for the endpoints intake calls, as strict as Workable
documents them (docs/ats/workable.md).

It enforces what Workable documents (bearer token scopes, the 10-second rate window and its
headers, JSON bodies, required fields, field types and enumerations, resume formats, answers
checked against the job's questions, one candidate per email and job, PATCH replacing whole
arrays) and adds fault injection so tests can see how the adapter copes. The field rules live
in `app.ats.rules.workable`; shapes the docs leave open are in `ASSUMED`, so they can be
corrected in one place.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, abort, g, request

from app.ats.rules import workable as rules
from app.ats.sandbox import common
from app.ats.sandbox.common import (
    SandboxControl,
    committed,
    faults_from,
    install_control,
    json_response,
    vendor_config,
)

PREFIX = "/spi/v3"
WINDOW_SETTINGS = ("rate_limit", "window", "max_limit", "clock")
ALL_SCOPES = ("r_jobs", "r_candidates", "w_candidates", "w_comments")

ASSUMED: dict[str, Any] = {
    "retry_after_on_429": False,  # Workable documents only the X-Rate-Limit-* headers
    "not_found": {"error": "Not found"},
    "forbidden": {"error": "Insufficient scope"},
    "duplicate_error": "candidate already exists",
    "not_json": "Request body must be a JSON object",
    "reset_header": "epoch seconds of the next window",  # WK-RATE: "timestamp of next interval"
    "unknown_entry_id": "no such entry",  # S2 says an entry's id updates that entry; any other id
    "replaced_resume": "dropped",  # a PATCHed resume replaces the one the profile had
}
# How the sandbox writes X-Rate-Limit-Reset, so tests can send what a proxy or a changed API
# might: "epoch" (the default), "http-date", "text" (unreadable) or "missing".
RESET_FORMATS = ("epoch", "http-date", "text", "missing")
ENTRY_KEYS = ("education_entries", "experience_entries")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "rtf": "application/rtf",
}

STEP_OF = {  # (method, endpoint) -> the adapter step that sends it, for fault injection
    ("POST", "create"): "create_candidate",
    ("POST", "comment"): "comment",
    ("PATCH", "update"): "update_candidate",
    ("GET", "candidates"): "find_candidate",
    ("GET", "job"): "check_job",
    ("GET", "jobs"): "list_jobs",
    ("GET", "questions"): "questions",
    ("GET", "stages"): "stages",
}

DEFAULT_JOBS = [
    {
        "id": "61884e2",
        "title": "Backend Engineer",
        "full_title": "Backend Engineer - BE1",
        "shortcode": "BE1",
        "state": "published",
        "department": "Engineering",
        "employment_type": "Full-time",
        "description": "<p>Build the engine.</p>",
        "location": {
            "location_str": "London, United Kingdom",
            "city": "London",
            "country": "United Kingdom",
            "telecommuting": False,
        },
        "questions": [
            {"id": "q1", "body": "Years of experience", "type": "free_text", "required": True},
            {"id": "q2", "body": "Willing to relocate?", "type": "boolean", "required": False},
            {
                "id": "q3",
                "body": "Preferred stack",
                "type": "multiple_choice",
                "required": False,
                "single_answer": True,
                "choices": [{"id": "c1", "body": "Python"}, {"id": "c2", "body": "Go"}],
            },
        ],
    },
    {
        "id": "61884e3",
        "title": "Data Analyst",
        "full_title": "Data Analyst",
        "shortcode": "DA2",
        "state": "published",
        "department": "Data",
        "location": {"location_str": "Remote", "telecommuting": True},
        "questions": [],
    },
    {
        "id": "61884e4",
        "title": "Old Role",
        "shortcode": "OLD3",
        "state": "closed",
        "location": {},
        "questions": [],
    },
]
DEFAULT_STAGES = [
    {"slug": "sourced", "name": "Sourced", "kind": "sourced", "position": 0},
    {"slug": "applied", "name": "Applied", "kind": "applied", "position": 1},
    {"slug": "phone-screen", "name": "Phone Screen", "kind": "phone-screen", "position": 2},
]


@dataclass
class WorkableState:
    jobs: list[dict]
    stages: list[dict]
    tokens: dict[str, tuple[str, ...]]
    rate_limit: int = 10
    window: float = 10.0
    max_limit: int = 100  # the most jobs one page may hold
    reset_format: str = "epoch"
    clock: Callable[[], float] = field(default=time.time, repr=False)
    candidates: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)  # {candidate_id, kind, name}, oldest first
    entry_ids: int = 0
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    windows: dict[tuple[str, int], int] = field(default_factory=dict)

    def next_entry_id(self) -> str:
        self.entry_ids += 1
        return f"e{self.entry_ids:x}"

    def job(self, shortcode: str) -> dict:
        found = next((j for j in self.jobs if j["shortcode"] == shortcode), None)
        if found is None:
            abort(json_response(404, ASSUMED["not_found"]))
        return found


class WorkableControl(SandboxControl[WorkableState]):
    """The sandbox's control object: what Workable stored, and its faults."""

    def count_applications(self, email: str, job_ref: str) -> int:
        return sum(
            1
            for c in self.state.candidates
            if c["email"].lower() == email.lower() and c["job"]["shortcode"] == job_ref
        )

    def count_people(self, email: str) -> int:
        """Workable links the candidates of one email across jobs as one person (WK-DUP)."""
        return int(any(c["email"].lower() == email.lower() for c in self.state.candidates))

    def resume_types(self, email: str) -> list[str]:
        """Resumes on the person's candidates and files attached to comments on them."""
        ids = {c["id"] for c in self.state.candidates if c["email"].lower() == email.lower()}
        return [content_type(f["name"]) for f in self.state.files if f["candidate_id"] in ids]

    def count_records(self) -> int:
        state = self.state
        return len(state.candidates) + len(state.comments) + len(state.files)

    def close_job(self, job_ref: str) -> None:
        self.state.job(job_ref)["state"] = "closed"

    def dump(self) -> dict[str, Any]:
        return {
            "candidates": self.state.candidates,
            "comments": self.state.comments,
            "files": self.state.files,
            "requests": self.state.requests,
        }


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """config: jobs, stages, tokens ({token: scopes}), rate_limit and window (the rate window),
    max_limit, clock, and the shared fault settings (error_rate, rate_429, latency, seed, sleep)."""
    settings = vendor_config(config)

    def fresh_state() -> WorkableState:
        tokens = settings.get("tokens", {"test-token": ALL_SCOPES})
        return WorkableState(
            jobs=[dict(j) for j in settings.get("jobs", DEFAULT_JOBS)],
            stages=list(settings.get("stages", DEFAULT_STAGES)),
            tokens={key: tuple(scopes) for key, scopes in tokens.items()},
            **{
                key: settings[key]
                for key in ("rate_limit", "window", "max_limit", "clock", "reset_format")
                if key in settings
            },
        )

    control = WorkableControl(fresh_state(), faults_from(config or {}), fresh_state)
    app = Flask(__name__)
    install_control(app, control)
    app.after_request(_recorder(control))
    _job_routes(app, control)
    _candidate_routes(app, control)
    return app


def sandbox_of(app: Flask) -> WorkableControl:
    return app.extensions["sandbox"]


def serve(host: str = "127.0.0.1", port: int = 8103, config: Mapping[str, Any] | None = None) -> None:
    """Run the sandbox as a real HTTP server (blocks)."""
    common.serve(create_app, host, port, config)


def guard(control: WorkableControl, scopes: tuple[str, ...], endpoint: str) -> str:
    """Auth, scope, rate window and injected faults, in the order Workable would apply them;
    the adapter step the request serves, when it may go on."""
    state = control.state
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if control.faults.token_expired or token not in state.tokens:
        abort(json_response(401, {"error": "Not authorized"}))
    if not set(scopes) & set(state.tokens[token]):
        abort(json_response(403, ASSUMED["forbidden"]))
    now = state.clock()
    slot = int(now // state.window)
    used = state.windows.get((token, slot), 0)
    reset = (slot + 1) * state.window
    g.rate_headers = {"X-Rate-Limit-Limit": str(state.rate_limit), **reset_header(state, reset)}
    step = STEP_OF.get((request.method, endpoint), endpoint)
    injected = None if used >= state.rate_limit else control.faults.before(step)
    if used >= state.rate_limit or injected == 429:
        headers = dict(g.rate_headers, **{"X-Rate-Limit-Remaining": "0"})
        if ASSUMED["retry_after_on_429"]:
            headers["Retry-After"] = f"{max(0.0, reset - now):.0f}"
        abort(json_response(429, {"error": "Too many requests"}, headers))
    state.windows[(token, slot)] = used + 1
    g.rate_headers["X-Rate-Limit-Remaining"] = str(state.rate_limit - used - 1)
    if injected:
        abort(json_response(injected, {"error": "Injected failure"}))
    return step


def reset_header(state: WorkableState, reset: float) -> dict[str, str]:
    if state.reset_format == "missing":
        return {}
    if state.reset_format == "http-date":
        return {"X-Rate-Limit-Reset": email.utils.formatdate(reset, usegmt=True)}
    if state.reset_format == "text":
        return {"X-Rate-Limit-Reset": "soon"}
    return {"X-Rate-Limit-Reset": f"{reset:.0f}"}


def finish(control: WorkableControl, step: str, body: Any, status: int = 200) -> Response:
    """Answer, unless a commit-then-fail is armed for this step: then the work stays done."""
    return committed(
        control.faults,
        step,
        json_response(status, body),
        lambda: json_response(500, {"error": "Internal server error"}),
    )


def _recorder(control: WorkableControl) -> Callable[[Response], Response]:
    def record(response: Response) -> Response:
        response.headers.update(g.get("rate_headers", {}))
        control.state.requests.append((request.method, request.path, response.status_code))
        return response

    return record


def _job_routes(app: Flask, control: WorkableControl) -> None:
    state = control.state

    @app.get(f"{PREFIX}/jobs")
    def list_jobs() -> Response:
        step = guard(control, ("r_jobs",), "jobs")
        wanted = request.args.get("state")
        jobs = [j for j in state.jobs if not wanted or j.get("state") == wanted]
        since = request.args.get("since_id")
        if since:
            ids = [j["id"] for j in jobs]
            jobs = jobs[ids.index(since) + 1 :] if since in ids else []
        limit = max(1, min(int(request.args.get("limit", 50)), 100, state.max_limit))
        page = [_public_job(j) for j in jobs[:limit]]
        body: dict[str, Any] = {"jobs": page}
        if len(jobs) > limit:
            args = {k: v for k, v in request.args.items() if k != "since_id"}
            query = "&".join(f"{k}={v}" for k, v in {**args, "since_id": page[-1]["id"]}.items())
            body["paging"] = {"next": f"{request.base_url}?{query}"}
        return finish(control, step, body)

    @app.get(f"{PREFIX}/jobs/<shortcode>")
    def show_job(shortcode: str) -> Response:
        step = guard(control, ("r_jobs",), "job")
        return finish(control, step, _public_job(state.job(shortcode)))

    @app.get(f"{PREFIX}/jobs/<shortcode>/questions")
    def questions(shortcode: str) -> Response:
        step = guard(control, ("r_jobs",), "questions")
        return finish(control, step, {"questions": state.job(shortcode).get("questions", [])})

    @app.get(f"{PREFIX}/jobs/<shortcode>/stages")
    @app.get(f"{PREFIX}/stages", defaults={"shortcode": None})
    def stages(shortcode: str | None) -> Response:
        step = guard(control, ("r_jobs",), "stages")
        if shortcode:
            state.job(shortcode)
        return finish(control, step, {"stages": state.stages})


def _candidate_routes(app: Flask, control: WorkableControl) -> None:
    state = control.state

    @app.get(f"{PREFIX}/candidates")
    def find_candidates() -> Response:
        step = guard(control, ("r_candidates",), "candidates")
        email, shortcode = request.args.get("email", "").lower(), request.args.get("shortcode")
        found = [
            c
            for c in state.candidates
            if (not email or c["email"].lower() == email)
            and (not shortcode or c["job"]["shortcode"] == shortcode)
        ]
        return finish(control, step, {"candidates": [_summary(c) for c in found]})

    @app.get(f"{PREFIX}/candidates/<candidate_id>")
    def show_candidate(candidate_id: str) -> Response:
        step = guard(control, ("r_candidates",), "candidate")
        record = _stored(state, candidate_id)
        shown = {k: v for k, v in record.items() if k not in ("resume", "image")}
        skills = [{"name": name} for name in record.get("skills") or []]  # DOC-3P WK-RB
        return finish(
            control, step, {"candidate": dict(shown, skills=skills, resume_url=_resume_url(record))}
        )

    @app.patch(f"{PREFIX}/candidates/<candidate_id>")
    @app.put(f"{PREFIX}/candidates/<candidate_id>")
    def update_candidate(candidate_id: str) -> Response:
        """The seed's PATCH: fields sent replace the stored ones, arrays wholesale (entries not
        sent are deleted, [] deletes all); keys not sent stay as they are."""
        step = guard(control, ("w_candidates",), "update")
        record = _stored(state, candidate_id)
        changes = json_object().get("candidate")
        if not isinstance(changes, dict):
            return unprocessable({"candidate": ["is required"]})
        errors = rules.candidate_errors(changes, creating=False) or unknown_entry_ids(record, changes)
        if errors:
            return unprocessable(errors)
        record.update(with_entry_ids(state, changes))
        if changes.get("resume"):
            state.files = [
                f for f in state.files if (f["candidate_id"], f["kind"]) != (candidate_id, "resume")
            ]
            state.files.append(
                {"candidate_id": candidate_id, "kind": "resume", "name": changes["resume"]["name"]}
            )
        return finish(control, step, {"candidate": _summary(record)})

    @app.post(f"{PREFIX}/jobs/<shortcode>/candidates")
    @app.post(f"{PREFIX}/jobs/<shortcode>/<stage>/candidates")
    def create_candidate(shortcode: str, stage: str | None = None) -> Response:
        step = guard(control, ("w_candidates",), "create")
        job = state.job(shortcode)
        body = json_object()
        candidate = body.get("candidate")
        if not isinstance(candidate, dict):
            return unprocessable({"candidate": ["is required"]})
        stage = stage or request.args.get("stage")
        errors = validate_candidate(candidate, job, state, stage)
        if body.get("sourced") is not None and not isinstance(body["sourced"], bool):
            errors["sourced"] = ["must be true or false"]
        if errors:
            return unprocessable(errors)
        record = dict(
            with_entry_ids(state, candidate),
            id=f"{0x3FA1C000 + len(state.candidates):x}",
            job={"shortcode": shortcode, "title": job["title"]},
            sourced=body.get("sourced", True),
            domain=body.get("domain"),
            stage=stage or ("applied" if body.get("sourced", True) is False else "sourced"),
            created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(state.clock())),
        )
        state.candidates.append(record)
        if candidate.get("resume"):
            state.files.append(
                {"candidate_id": record["id"], "kind": "resume", "name": candidate["resume"]["name"]}
            )
        return finish(control, step, {"status": "created", "candidate": _summary(record)}, 201)

    @app.post(f"{PREFIX}/candidates/<candidate_id>/comments")
    def comment(candidate_id: str) -> Response:
        step = guard(control, ("w_candidates", "w_comments"), "comment")
        if not any(c["id"] == candidate_id for c in state.candidates):
            return json_response(404, ASSUMED["not_found"])
        body = json_object()
        errors = rules.comment_errors(body)
        if errors:
            return unprocessable(errors)
        record = {"id": str(len(state.comments) + 1), "candidate_id": candidate_id, **body}
        state.comments.append(record)
        attachment = body["comment"].get("attachment")
        if attachment:
            state.files.append(
                {"candidate_id": candidate_id, "kind": "attachment", "name": attachment["name"]}
            )
        return finish(control, step, {"id": record["id"]}, 201)


def json_object() -> dict:
    """The JSON object a write carries; Workable's API speaks JSON only."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(unprocessable({"body": [ASSUMED["not_json"]]}))
    return body


def unprocessable(errors: dict) -> Response:
    return json_response(422, {"error": "Validation failed", "validation_errors": errors})


def validate_candidate(candidate: dict, job: dict, state: WorkableState, stage: str | None) -> dict:
    errors = rules.candidate_errors(candidate, creating=True)
    email = str(candidate.get("email") or "").lower()
    if email and any(
        c["email"].lower() == email and c["job"]["shortcode"] == job["shortcode"] for c in state.candidates
    ):
        errors["email"] = [ASSUMED["duplicate_error"]]
    if stage and stage not in {s["slug"] for s in state.stages}:
        errors["stage"] = ["is not a valid stage"]
    answers = candidate.get("answers", [])
    if not isinstance(answers, list) or not all(isinstance(a, dict) for a in answers):
        errors["answers"] = ["must be a list of objects"]
        return errors
    answer_errors = validate_answers(answers, job.get("questions", []))
    if answer_errors:
        errors["answers"] = answer_errors
    return errors


def with_entry_ids(state: WorkableState, candidate: dict) -> dict:
    """Entries sent without an id are new ones and get one; an entry with an id replaces the
    entry it names (S2: "If it is provided, the corresponding ... entry will be updated")."""
    changed = dict(candidate)
    for key in ENTRY_KEYS:
        if isinstance(candidate.get(key), list):
            changed[key] = [dict(e, id=e.get("id") or state.next_entry_id()) for e in candidate[key]]
    return changed


def unknown_entry_ids(record: dict, changes: dict) -> dict[str, list[str]]:
    errors = {}
    for key in ENTRY_KEYS:
        known = {e.get("id") for e in record.get(key) or []}
        sent = [e.get("id") for e in changes.get(key) or [] if e.get("id") is not None]
        if any(entry_id not in known for entry_id in sent):
            errors[key] = [ASSUMED["unknown_entry_id"]]
    return errors


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.lower().rsplit(".", 1)[-1], "application/octet-stream")


def _stored(state: WorkableState, candidate_id: str) -> dict:
    found = next((c for c in state.candidates if c["id"] == candidate_id), None)
    if found is None:
        abort(json_response(404, ASSUMED["not_found"]))
    return found


def _resume_url(record: dict) -> str | None:
    resume = record.get("resume")
    return f"https://workable.example/resumes/{record['id']}/{resume['name']}" if resume else None


def validate_answers(answers: list[dict], questions: list[dict]) -> list[str]:
    by_key = {q["id"]: q for q in questions}
    errors, answered = [], set()
    for item in answers:
        question = by_key.get(item.get("question_key"))
        if question is None:
            errors.append(f"unknown question_key {item.get('question_key')!r}")
            continue
        answered.add(question["id"])
        errors += rules.answer_errors(item, question)
    missing = [q["id"] for q in questions if q.get("required") and q["id"] not in answered]
    errors.extend(f"answer required for {key!r}" for key in missing)
    return errors


def _public_job(job: dict) -> dict:
    return {k: v for k, v in job.items() if k != "questions"}


def _summary(record: dict) -> dict:
    keys = (
        "id",
        "firstname",
        "lastname",
        "headline",
        "job",
        "stage",
        "sourced",
        "email",
        "domain",
        "created_at",
        "address",
        "phone",
    )
    return dict(
        {k: record.get(k) for k in keys},
        name=f"{record.get('firstname', '')} {record.get('lastname', '')}".strip(),
        disqualified=False,
    )


if __name__ == "__main__":
    serve()
