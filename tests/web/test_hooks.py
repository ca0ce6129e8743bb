"""NexivoHR webhooks change the stage HR sees; signed resume links serve the file and expire."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import func, select

from app.ats.base import Submission
from app.extensions import db
from app.intake.links import resume_link_maker
from app.models import Application, WebhookEvent
from tests.conftest import add_job
from tests.web.helpers import open_form, post_application, valid_answers

SECRET = "whsec-test"


@pytest.fixture
def hooked(make_app):
    app = make_app(WEBHOOK_SECRETS={"nexivohr": SECRET})
    client = app.test_client()
    job_id = add_job(app)
    post_application(client, job_id, open_form(client, job_id), valid_answers())
    with app.app_context():
        application = db.session.scalar(select(Application))
        application.delivery.target = "nexivohr"
        application.delivery.status = "delivered"
        application.delivery.checkpoints = {
            "create_candidate": {"candidate_ref": "c-9"},
            "submit_to_job": {"submission_ref": "s-42"},
        }
        db.session.commit()
    return app, client


def signed(body: dict, secret: str = SECRET) -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-NexivoHR-Signature": digest, "Content-Type": "application/json"}


def event(event_id="evt_1", stage="interview", kind="submission.stage_changed") -> dict:
    return {
        "id": event_id,
        "event": kind,
        "created_at": "2026-11-22T10:00:00Z",
        "data": {"id": "s-42", "job_id": "j-1", "candidate_id": "c-9", "stage": stage},
    }


def stage_of(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Application.stage_label))


def test_a_signed_stage_change_updates_the_stage_hr_sees(hooked):
    app, client = hooked
    raw, headers = signed(event())
    assert client.post("/webhooks/nexivohr", data=raw, headers=headers).status_code == 200
    assert stage_of(app) == "Interview"
    raw, headers = signed(event("evt_2", kind="submission.placed", stage="placed"))
    client.post("/webhooks/nexivohr", data=raw, headers=headers)
    assert stage_of(app) == "Placed"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-NexivoHR-Signature": "0" * 64},
        {
            "X-NexivoHR-Signature": hmac.new(
                b"other-secret", json.dumps(event()).encode(), hashlib.sha256
            ).hexdigest()
        },
    ],
)
def test_a_missing_or_wrong_signature_is_refused_and_changes_nothing(hooked, headers):
    app, client = hooked
    response = client.post(
        "/webhooks/nexivohr",
        data=json.dumps(event()).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    assert response.status_code == 401
    assert stage_of(app) == ""
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_a_tampered_body_is_refused(hooked):
    app, client = hooked
    raw, headers = signed(event())
    response = client.post("/webhooks/nexivohr", data=raw.replace(b"interview", b"hired"), headers=headers)
    assert response.status_code == 401 and stage_of(app) == ""


def test_a_replayed_event_is_processed_once(hooked):
    app, client = hooked
    raw, headers = signed(event("evt_same", stage="interview"))
    client.post("/webhooks/nexivohr", data=raw, headers=headers)
    with app.app_context():
        application = db.session.scalar(select(Application))
        application.stage_label = "Changed by HR"
        db.session.commit()
    assert client.post("/webhooks/nexivohr", data=raw, headers=headers).status_code == 200
    assert stage_of(app) == "Changed by HR"


def test_an_oversized_body_is_refused_before_it_is_read(hooked):
    _, client = hooked
    raw = b"{" + b" " * (70 * 1024) + b"}"
    response = client.post(
        "/webhooks/nexivohr",
        data=raw,
        headers={"X-NexivoHR-Signature": "x", "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_the_webhook_is_off_without_a_secret(app, client):
    raw, headers = signed(event())
    assert client.post("/webhooks/nexivohr", data=raw, headers=headers).status_code == 404


def submission_for(app) -> Submission:
    with app.app_context():
        application = db.session.scalar(select(Application))
        return Submission(
            application_id=application.id,
            public_id=application.public_id,
            job_ref="1",
            first_name="G",
            last_name="H",
            email="g@example.com",
        )


def test_a_signed_resume_link_serves_the_file_and_a_forged_one_does_not(hooked):
    app, client = hooked
    link = resume_link_maker(app)(submission_for(app))
    assert link.startswith(app.config["PUBLIC_BASE_URL"] + "/files/resume/")
    path = link.split(app.config["PUBLIC_BASE_URL"], 1)[1]
    response = client.get(path)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(path[:-3] + "abc").status_code == 404


def test_a_resume_link_expires(make_app, hooked):
    app, client = hooked
    path = resume_link_maker(app)(submission_for(app)).split("/files/", 1)[1]
    app.config["RESUME_LINK_DAYS"] = -1
    assert client.get("/files/" + path).status_code == 404
