"""JSON endpoints used by the apply form's script and by monitoring."""

from __future__ import annotations

import threading
import time

from flask import Flask, current_app, jsonify, request, url_for
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.api import bp
from app.embed.tokens import allows_autofill
from app.extensions import csrf, db_session, limiter
from app.intake.uploads import UploadRejected, read_upload
from app.resume.errors import STILL_ACCEPTED, message_for
from app.resume.jobs import ParseJobs, ParserBusy, Result
from app.resume.pool import KILL_MARGIN
from app.resume.runner import parse_resume as parse_resume_file
from app.resume.service import cached_result, parse_cached
from app.settings import current as current_settings

WAIT_SECONDS = 1.0  # a usual resume is read within this; longer parses are polled for
PARSE_SLOTS = 4  # parses in flight per web process: the two parse workers and two waiting
ANSWER_SECONDS = 3.5  # every file handed over is answered within this (and a stuck one soon after)
JOB_SECONDS = 300  # how long a poll token stays good
# A poll that finds nothing this long after the answer was due: the parse ended without a result
# worth storing (timeout, busy) in another web process, whose memory this one cannot see.
LATE_SECONDS = KILL_MARGIN + 0.3
_jobs_lock = threading.Lock()


@bp.get("/health")
@limiter.exempt
def health():
    """Liveness: this process answers. It asks no database or queue, so an outage of either
    does not get every web process restarted; /api/ready says whether to send it traffic."""
    return jsonify(status="ok")


@bp.post("/resume/parse")
@csrf.exempt  # checked below: the session's CSRF token, or an embed form's token (no cookies)
@limiter.limit("30 per minute")
def parse_resume():
    """Autofill suggestions for the apply form; CSRF-protected like every POST.

    Answers within about WAIT_SECONDS (at once in a single-threaded server): with the fields,
    or 202 and a token to poll with, or 503 when every parse slot is taken. A web worker never
    waits for a whole parse.
    """
    config = current_app.config
    if not (
        request.headers.get("X-Embed-Token")
        and allows_autofill(request, config["SECRET_KEY"], current_settings().embed_origins)
    ):
        csrf.protect()
    try:
        checked = read_upload(request.files.get("resume"), config["MAX_UPLOAD_BYTES"], deep=False)
    except UploadRejected as exc:
        return jsonify(ok=False, error_code="rejected", message=str(exc)), 422
    if checked is None:
        return jsonify(ok=False, error_code="missing", message=gettext("Choose a resume file.")), 400
    sha256 = checked.upload.sha256
    cached = cached_result(db_session(), sha256)
    if cached is not None:
        return _finished(cached)
    try:
        submitted = parse_jobs().submit(checked.upload.content(), sha256)
    except ParserBusy:
        response = jsonify(ok=False, error_code="busy", message=in_page_language(message_for("busy")))
        return response, 503, {"Retry-After": "10"}
    if submitted.future.done() or _wait(submitted.future, _wait_seconds()):
        return _finished(submitted.future.result())
    return _pending(_signer().dumps([sha256, submitted.until]))


@bp.get("/resume/parse/<job>")
@limiter.limit("120 per minute")
def parse_status(job: str):
    """The outcome of a parse the POST above left running (the token names the file)."""
    try:
        sha256, until = _signer().loads(job, max_age=JOB_SECONDS)
    except BadSignature:
        return jsonify(
            ok=False, error_code="unknown_job", message=in_page_language(message_for("unreadable"))
        ), 404
    jobs = parse_jobs()
    result = jobs.result(sha256) or cached_result(db_session(), sha256)
    if result is not None:
        return _finished(result)
    if not jobs.running(sha256) and time.time() > until + LATE_SECONDS:
        return _finished({"ok": False, "error_code": "timeout", "message": message_for("timeout")})
    return _pending(job)


def parse_jobs() -> ParseJobs:
    """This process's parse slots, made on first use (a web process that never parses has none)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _jobs_lock:
        jobs = app.extensions.get("careers.parse_jobs")
        if jobs is None:
            jobs = ParseJobs(_parser_for(app), PARSE_SLOTS, answer_seconds=ANSWER_SECONDS)
            app.extensions["careers.parse_jobs"] = jobs
    return jobs


def _parser_for(app: Flask):
    def parse(data: bytes, sha256: str, until: float) -> Result:
        with app.app_context():
            return parse_cached(db_session(), data, sha256, parse=lambda data: parse_by(data, until))

    return parse


def parse_by(data: bytes, until: float) -> Result:
    return parse_resume_file(data, until=until).to_dict()


def _wait_seconds() -> float:
    """A server process that handles one request at a time (gunicorn's sync workers) does not
    wait at all: its waiting would hold up every other visitor. Threaded servers wait a little."""
    return WAIT_SECONDS if request.environ.get("wsgi.multithread") else 0.0


def _wait(future, seconds: float) -> bool:
    try:
        future.result(timeout=seconds)
    except TimeoutError:
        return False
    return True


def _finished(result: Result):
    body = {k: v for k, v in result.items() if k != "text"}  # autofill needs no text
    if body.get("message"):
        body["message"] = in_page_language(str(body["message"]))
    return jsonify(body), 200


def in_page_language(message: str) -> str:
    """Parse outcomes are kept in English (they are cached for every page); the candidate reads
    them in the language of the page that asked."""
    if message.endswith(STILL_ACCEPTED):
        return gettext(message.removesuffix(STILL_ACCEPTED)) + gettext(STILL_ACCEPTED)
    return gettext(message)


def _pending(job: str):
    poll = url_for("api.parse_status", job=job)
    return jsonify(ok=False, pending=True, job=job, poll=poll), 202, {"Location": poll}


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="resume-parse-job")
