"""NexivoHR webhooks as pure functions: is the body genuine, what happened, what does it change.

NexivoHR signs each payload with HMAC-SHA256 in `X-NexivoHR-Signature` (CONTRACTS §4.3). The
header's exact format is undocumented: we accept the hex digest, bare or as `sha256=<hex>`
(ASSUMED). The web endpoint stays thin: `receive` gives it a status code and, for a stage
change, the new stage to show for the application; it keeps the seen event ids.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass

SIGNATURE_HEADER = "X-NexivoHR-Signature"
MAX_BODY_BYTES = 64 * 1024  # a stage event is a few hundred bytes; refuse anything large
STAGE_EVENTS = ("submission.stage_changed", "submission.placed")


class BadEvent(ValueError):
    """The body is signed but is not an event we can read."""


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    submission_ref: str = ""
    job_ref: str = ""
    candidate_ref: str = ""
    stage: str = ""
    occurred_at: str = ""


@dataclass(frozen=True)
class StageUpdate:
    """What a stage event means for one of our applications (found by its submission_ref)."""

    submission_ref: str
    job_ref: str
    stage: str  # NexivoHR's value, e.g. "interview"
    label: str  # what HR sees in admin, e.g. "Interview"


@dataclass(frozen=True)
class Receipt:
    status: int  # the HTTP status the endpoint answers with
    event: Event | None = None
    update: StageUpdate | None = None
    replay: bool = False  # already processed: answer 200, change nothing


def signature(secret: bytes, raw_body: bytes) -> str:
    return hmac.new(secret, raw_body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, raw_body: bytes, header: str | None) -> bool:
    """True only when `header` carries the HMAC-SHA256 of exactly these bytes under `secret`."""
    if not secret or not header:
        return False
    given = header.strip()
    if given[:7].lower() == "sha256=":
        given = given[7:]
    return hmac.compare_digest(
        given.lower().encode("ascii", "replace"), signature(secret, raw_body).encode("ascii")
    )


def parse_event(raw_body: bytes) -> Event:
    """The event in a NexivoHR webhook body (ASSUMED shape: id, event, created_at, data{...})."""
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadEvent("webhook body is not JSON") from exc
    if not isinstance(body, dict):
        raise BadEvent("webhook body is not an object")
    event_id, kind = body.get("id"), body.get("event") or body.get("type")
    if not event_id or not isinstance(kind, str):
        raise BadEvent("webhook body has no event id or type")
    data = body["data"] if isinstance(body.get("data"), dict) else {}
    return Event(
        id=str(event_id),
        type=kind,
        submission_ref=_text(data.get("id") if kind.startswith("submission.") else data.get("submission_id")),
        job_ref=_text(data.get("job_id")),
        candidate_ref=_text(data.get("candidate_id")),
        stage=_text(data.get("stage")).lower(),
        occurred_at=_text(body.get("created_at")),
    )


def stage_update(event: Event) -> StageUpdate | None:
    """The new stage for the application, for stage events; None for every other event."""
    if event.type not in STAGE_EVENTS or not event.submission_ref:
        return None
    stage = "placed" if event.type == "submission.placed" else event.stage
    if not stage:
        return None
    return StageUpdate(event.submission_ref, event.job_ref, stage, stage.replace("_", " ").capitalize())


def receive(secret: bytes, raw_body: bytes, header: str | None, first_time: Callable[[str], bool]) -> Receipt:
    """Everything the endpoint decides, in order: size, signature, shape, replay, meaning.

    `first_time(event_id)` records the id and says whether it was new (a unique insert in the
    database); it is only called for genuine events.
    """
    if len(raw_body) > MAX_BODY_BYTES:
        return Receipt(413)
    if not verify_signature(secret, raw_body, header):
        return Receipt(401)
    try:
        event = parse_event(raw_body)
    except BadEvent:
        return Receipt(400)
    if not first_time(event.id):
        return Receipt(200, event, replay=True)
    return Receipt(200, event, stage_update(event))


def _text(value: object) -> str:
    return "" if value is None else str(value)
