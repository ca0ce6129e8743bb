"""Erasures in the audit log: the candidate's own request (actor "candidate") and the worker's
end of it in the ATS (actor "system"), each in the transaction that does the work."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from tests.ats.harnesses import skailer
from tests.web import test_erasure as shared
from tests.web.test_erasure import EMAIL, erasure, request_erasure, run_erasure
from tests.web.test_erasure_ats import delivered

smtp = shared.smtp  # the fixtures, shared
erasure_app = shared.erasure_app


def logged(app) -> list[tuple[str, str, str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.actor_role, e.obj_kind, e.obj_id, e.detail) for e in rows]


def test_a_candidates_erasure_and_its_end_in_the_ats_are_recorded_without_personal_data(erasure_app):
    harness = skailer.make()
    application_id = delivered(erasure_app, harness, "skailer")
    assert request_erasure(erasure_app, application_id).status_code in (200, 302)
    erasure_id = erasure(erasure_app).id
    status = run_erasure(erasure_app, harness.adapter)
    assert logged(erasure_app) == [
        ("erasure_requested", "candidate", "application", str(application_id), "by candidate"),
        ("erasure_finished", "system", "erasure", str(erasure_id), status),
    ]
    assert EMAIL not in repr(logged(erasure_app))
