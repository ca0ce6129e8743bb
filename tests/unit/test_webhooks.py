"""NexivoHR webhook checks: only genuine, untampered, first-seen events change anything."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from app.ats.webhooks import (
    MAX_BODY_BYTES,
    BadEvent,
    StageUpdate,
    parse_event,
    receive,
    stage_update,
    verify_signature,
)

SECRET = b"whsec-3f9a"


def body(event_id="evt_1", kind="submission.stage_changed", **data) -> bytes:
    payload = {
        "id": event_id,
        "event": kind,
        "created_at": "2026-11-22T10:00:00Z",
        "data": {"id": 9055, "job_id": 77, "candidate_id": 4812, "stage": "interview", **data},
    }
    return json.dumps(payload).encode()


def sign(raw: bytes, secret: bytes = SECRET) -> str:
    return hmac.new(secret, raw, hashlib.sha256).hexdigest()


class Seen:
    def __init__(self):
        self.ids: list[str] = []

    def __call__(self, event_id: str) -> bool:
        fresh = event_id not in self.ids
        self.ids.append(event_id)
        return fresh


def test_a_good_signature_is_accepted_bare_prefixed_or_in_capitals():
    raw = body()
    assert verify_signature(SECRET, raw, sign(raw))
    assert verify_signature(SECRET, raw, f"sha256={sign(raw)}")
    assert verify_signature(SECRET, raw, sign(raw).upper())


@pytest.mark.parametrize("header", [None, "", "sha256=", "not-hex-at-all", "é" * 64])
def test_a_missing_or_malformed_signature_is_refused(header):
    assert not verify_signature(SECRET, body(), header)


def test_a_signature_made_with_another_secret_or_over_other_bytes_is_refused():
    raw = body()
    assert not verify_signature(SECRET, raw, sign(raw, b"other-secret"))
    tampered = raw.replace(b"interview", b"offer")
    assert not verify_signature(SECRET, tampered, sign(raw))
    assert not verify_signature(b"", raw, sign(raw, b""))


def test_a_stage_change_becomes_the_new_stage_of_the_application():
    event = parse_event(body())
    assert (event.id, event.type, event.submission_ref, event.job_ref, event.candidate_ref, event.stage) == (
        "evt_1",
        "submission.stage_changed",
        "9055",
        "77",
        "4812",
        "interview",
    )
    assert stage_update(event) == StageUpdate("9055", "77", "interview", "Interview")


def test_a_placement_reads_as_placed_whatever_stage_it_carries():
    event = parse_event(body(kind="submission.placed", stage=None))
    assert stage_update(event) == StageUpdate("9055", "77", "placed", "Placed")


def test_events_about_other_things_change_no_stage():
    assert stage_update(parse_event(body(kind="candidate.updated"))) is None
    assert stage_update(parse_event(body(kind="submission.stage_changed", stage=""))) is None


@pytest.mark.parametrize(
    "raw", [b"not json", b"[1, 2]", b'{"event": "submission.placed"}', b'{"id": "evt_2"}']
)
def test_a_body_that_is_not_an_event_is_rejected(raw):
    with pytest.raises(BadEvent):
        parse_event(raw)


def test_receive_refuses_unsigned_or_tampered_bodies_without_recording_them():
    seen, raw = Seen(), body()
    assert receive(SECRET, raw, None, seen).status == 401
    assert receive(SECRET, raw.replace(b"interview", b"offer"), sign(raw), seen).status == 401
    assert seen.ids == []


def test_receive_processes_each_event_id_once():
    seen, raw = Seen(), body()
    first = receive(SECRET, raw, sign(raw), seen)
    assert first.status == 200 and first.update == StageUpdate("9055", "77", "interview", "Interview")
    replay = receive(SECRET, raw, sign(raw), seen)
    assert replay.status == 200 and replay.replay and replay.update is None
    other = body(event_id="evt_2", stage="offer")
    assert receive(SECRET, other, sign(other), seen).update.stage == "offer"


def test_receive_caps_the_body_and_rejects_signed_garbage():
    seen = Seen()
    huge = b"x" * (MAX_BODY_BYTES + 1)
    assert receive(SECRET, huge, sign(huge), seen).status == 413
    garbage = b"{not json"
    assert receive(SECRET, garbage, sign(garbage), seen).status == 400
    assert seen.ids == []
