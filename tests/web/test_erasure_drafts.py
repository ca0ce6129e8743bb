"""Drafts and data rights: an erasure request takes the candidate's drafts along (rows, files and
the mailed link), another person's draft stays; retention leaves a live draft alone, as it is
work the candidate is doing now, and drafts go on their own 14 days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.intake.tasks import run_retention
from app.models import Draft, OutboxMessage, utcnow
from tests.conftest import add_job
from tests.web import test_erasure as shared
from tests.web.helpers import open_form, resume_file
from tests.web.test_drafts import save, stored_files
from tests.web.test_erasure import EMAIL, request_erasure, stored

OTHER = "someone.else@example.com"

smtp = shared.smtp  # the fixtures, shared
erasure_app = shared.erasure_app


def draft_of(app, email: str) -> None:
    client = app.test_client()
    job_id = add_job(app, title="Compiler Engineer")
    answers = {"first_name": "Ada", "email": email, "cover_letter": "Canary draft words"}
    response = save(client, job_id, open_form(client, job_id), answers, {"resume": resume_file()})
    assert response.status_code == 302, response.text


def draft_emails(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(Draft.email)))


def link_mail(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxMessage.to_address).filter_by(kind="draft")))


def test_an_erasure_request_deletes_the_candidates_drafts_their_files_and_links(erasure_app):
    application_id = stored(erasure_app)
    draft_of(erasure_app, EMAIL.upper())  # the address as typed: drafts keep it in lower case
    draft_of(erasure_app, OTHER)
    assert draft_emails(erasure_app) == [EMAIL, OTHER] and len(stored_files(erasure_app, "drafts")) == 2
    assert link_mail(erasure_app) == [EMAIL, OTHER]

    assert request_erasure(erasure_app, application_id).status_code == 302

    assert draft_emails(erasure_app) == [OTHER]
    assert len(stored_files(erasure_app, "drafts")) == 1
    assert link_mail(erasure_app) == [OTHER]  # the link to the erased draft is never sent


def test_retention_leaves_a_live_draft_of_the_same_candidate(erasure_app):
    stored(erasure_app)
    draft_of(erasure_app, EMAIL)
    with erasure_app.app_context():
        draft = db.session.scalar(select(Draft))
        draft.expires_at = utcnow() + timedelta(days=500)  # still running when the application expires
        db.session.commit()
        report = run_retention(erasure_app, now=utcnow() + timedelta(days=400))
    assert report.applications == 1
    assert draft_emails(erasure_app) == [EMAIL] and len(stored_files(erasure_app, "drafts")) == 1
