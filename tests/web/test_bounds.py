"""Whatever a stranger sends is bounded: page numbers, the next address, form and webhook values
longer than their columns, and webhooks that arrive out of order."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import Application, WebhookEvent
from tests.conftest import add_job, add_user, login
from tests.web.helpers import open_form, post_application, valid_answers
from tests.web.test_hooks import event, hooked, signed, stage_of  # noqa: F401  (fixture)

HUGE = "9223372036854775807"


def test_a_huge_page_number_says_there_is_no_such_page_not_an_error(app, client):
    add_job(app)
    for path in (f"/jobs?page={HUGE}", f"/jobs?page={HUGE}0"):
        response = client.get(path)
        assert response.status_code == 404 and "There is no page" in response.text, path
    assert client.get(f"/jobs?page=-{HUGE}").status_code == 200
    add_user(app)
    login(client)
    assert client.get(f"/admin/applications?page={HUGE}").status_code == 200


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_submission_key_longer_than_its_column_is_refused_and_stores_nothing(app, client):
    job_id = add_job(app)
    hidden = dict(open_form(client, job_id), submission_key="k" * 900_000)
    response = post_application(client, job_id, hidden, valid_answers())
    assert response.status_code == 400
    assert "longer than we accept" in response.text
    assert count(app, Application) == 0
    resumes = Path(app.config["UPLOAD_DIR"]) / "resumes"
    assert not resumes.exists() or not any(resumes.iterdir())


def post_event(client, body: dict):
    raw, headers = signed(body)
    return client.post("/webhooks/nexivohr", data=raw, headers=headers)


def test_a_webhook_event_id_longer_than_its_column_is_kept_as_a_digest_and_replays_once(hooked):  # noqa: F811
    app, client = hooked
    long_id = "e" * 5000
    assert post_event(client, event(long_id, stage="interview")).status_code == 200
    with app.app_context():
        stored = db.session.scalar(select(WebhookEvent.event_id))
    assert len(stored) <= 128
    with app.app_context():
        db.session.scalar(select(Application)).stage_label = "Changed by HR"
        db.session.commit()
    assert post_event(client, event(long_id, stage="offer")).status_code == 200  # a replay
    assert stage_of(app) == "Changed by HR"
    assert count(app, WebhookEvent) == 1


def test_a_stage_longer_than_its_column_is_cut_to_fit(hooked):  # noqa: F811
    app, client = hooked
    assert post_event(client, event("evt_long", stage="s" * 500)).status_code == 200
    assert stage_of(app) == ("S" + "s" * 499)[:120]


def at(body: dict, when: str) -> dict:
    return {**body, "created_at": when}


def test_an_older_stage_event_arriving_late_does_not_overwrite_a_newer_one(hooked):  # noqa: F811
    app, client = hooked
    post_event(client, at(event("evt_new", stage="offer"), "2026-11-22T12:00:00Z"))
    post_event(client, at(event("evt_old", stage="interview"), "2026-11-22T11:00:00+00:00"))
    assert stage_of(app) == "Offer"
    post_event(client, at(event("evt_newer", stage="hired"), "2026-11-22T13:00:00+01:00"))  # 12:00 UTC
    assert stage_of(app) == "Hired"
    post_event(client, at(event("evt_later", stage="placed"), "2026-11-22T12:30:00Z"))
    assert stage_of(app) == "Placed"


def test_events_without_a_readable_time_count_as_arriving_now(hooked):  # noqa: F811
    app, client = hooked
    post_event(client, at(event("evt_a", stage="offer"), "2026-11-22T12:00:00Z"))
    post_event(client, at(event("evt_b", stage="interview"), "not a time"))
    assert stage_of(app) == "Interview"
    body = event("evt_c", stage="hired")
    del body["created_at"]
    post_event(client, body)
    assert stage_of(app) == "Hired"
