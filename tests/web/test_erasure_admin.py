"""Erasure from HR's side: the button on an application's page with a confirmation step, the
same flow as the candidate's, and the list of erasure tasks HR finishes in the ATS by hand."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Application, Erasure, User
from tests.ats.harnesses import greenhouse, skailer
from tests.conftest import add_user, csrf_token_from, login
from tests.web import test_erasure as shared
from tests.web.test_erasure import (
    EMAIL,
    HR,
    count,
    deliver,
    erasure,
    mail,
    request_erasure,
    run_erasure,
    send_all,
    stored,
)
from tests.web.test_erasure_ats import delivered

smtp = shared.smtp  # the fixtures, shared
erasure_app = shared.erasure_app


@pytest.fixture
def hr(erasure_app):
    add_user(erasure_app)
    client = erasure_app.test_client()
    login(client)
    return client


def test_hr_erases_a_candidate_after_a_confirmation_step(erasure_app, hr, smtp):
    harness = skailer.make()
    application_id = delivered(erasure_app, harness, "skailer")
    page = hr.get(f"/admin/applications/{application_id}")
    assert f'href="/admin/applications/{application_id}/erase"' in page.text
    confirm = hr.get(f"/admin/applications/{application_id}/erase")
    assert confirm.status_code == 200 and "It reached <strong>skailer</strong>" in confirm.text
    assert count(erasure_app, Application) == 1
    response = hr.post(
        f"/admin/applications/{application_id}/erase", data={"csrf_token": csrf_token_from(confirm.text)}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/erasures")
    assert count(erasure_app, Application) == 0
    row = erasure(erasure_app)
    with erasure_app.app_context():
        hr_id = db.session.query(User.id).scalar()
    assert (row.requested_by, row.requested_by_user_id, row.status) == ("hr", hr_id, "pending")
    assert run_erasure(erasure_app, harness.adapter) == "hr_task"
    send_all(erasure_app, "erasure_receipt")
    assert len(smtp.recorder.to(EMAIL)) == 1  # the candidate hears of it, as when they ask


def test_hr_erasing_without_the_csrf_token_erases_nothing(erasure_app, hr):
    application_id = stored(erasure_app)
    hr.get(f"/admin/applications/{application_id}/erase")
    assert hr.post(f"/admin/applications/{application_id}/erase", data={}).status_code == 400
    assert count(erasure_app, Application) == 1 and count(erasure_app, Erasure) == 0


def test_erasing_needs_a_signed_in_hr_user(erasure_app):
    application_id = stored(erasure_app)
    client = erasure_app.test_client()
    assert client.get(f"/admin/applications/{application_id}/erase").status_code == 302
    assert client.get("/admin/erasures").status_code == 302
    assert count(erasure_app, Application) == 1


def test_hr_sees_open_tasks_with_the_ats_and_its_ids_and_marks_them_done(erasure_app, hr):
    harness = skailer.make()
    request_erasure(erasure_app, delivered(erasure_app, harness, "skailer"))
    run_erasure(erasure_app, harness.adapter)
    row = erasure(erasure_app)
    page = hr.get("/admin/erasures")
    assert "No open tasks" not in page.text and "Skailer" in page.text
    for key, value in row.refs.items():
        assert f"<code>{key}={value}</code>" in page.text
    assert hr.post(f"/admin/erasures/{row.id}/done", data={}).status_code == 400
    assert erasure(erasure_app).done_at is None
    hr.post(f"/admin/erasures/{row.id}/done", data={"csrf_token": csrf_token_from(page.text)})
    assert erasure(erasure_app).done_at is not None
    assert "No open tasks" in hr.get("/admin/erasures").text
    assert len(mail(erasure_app, "erasure_receipt")) == 1  # told when it was handed over, not twice


def test_a_reviewed_erasure_marked_done_sends_the_receipt_then(erasure_app, hr, smtp):
    harness = greenhouse.make()
    application_id = stored(erasure_app, kind="greenhouse", ref=harness.job_ref)

    def ask_now(step: str, _ids) -> None:
        if step == "create_candidate":
            request_erasure(erasure_app, application_id)

    deliver(erasure_app, application_id, harness.adapter, after_step=ask_now)
    assert run_erasure(erasure_app, harness.adapter) == "needs_review"
    page = hr.get("/admin/erasures")
    assert "needs review" in page.text and "never answered" in page.text
    hr.post(
        f"/admin/erasures/{erasure(erasure_app).id}/done", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert erasure(erasure_app).receipt_to == ""
    send_all(erasure_app, "erasure_receipt")
    (receipt,) = smtp.recorder.to(EMAIL)
    assert "erased it in Greenhouse" in receipt.body("plain") and "by hand" in receipt.body("plain")
    send_all(erasure_app, "erasure_task")
    assert len(smtp.recorder.to(HR)) == 1
