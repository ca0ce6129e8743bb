"""A second application by the same email to the same job within 30 days: asked about first
(in the browser that sent the first), and never delivered as an unexplained second one."""

from __future__ import annotations

from datetime import UTC, timedelta

from babel.dates import format_date
from sqlalchemy import func, select

from app.ats.local import LocalAdapter
from app.extensions import db
from app.intake import delivery
from app.intake.apply import UPDATE_WINDOW
from app.intake.submit import recent_application
from app.models import Application, utcnow
from app.storage import storage_for
from tests.clock import FakeClock
from tests.conftest import add_job
from tests.web.helpers import field_value, hidden_fields, open_form, post_application, valid_answers


def applications(app) -> list[Application]:
    with app.app_context():
        found = list(db.session.scalars(select(Application).order_by(Application.id)))
        db.session.expunge_all()
        return found


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Application))


def apply(client, job_id: int, **answers):
    return post_application(client, job_id, open_form(client, job_id), valid_answers(**answers))


def test_applying_again_from_the_same_browser_asks_first_and_keeps_the_form(app, client):
    job_id = add_job(app)
    assert apply(client, job_id).status_code == 302
    first = applications(app)[0]
    again = apply(client, job_id, email="Grace@Example.com", cover_letter="Now with a portfolio.")
    assert again.status_code == 409
    day = first.created_at
    assert f"You applied on {format_date(day, 'long', locale='en')}" in again.text
    assert "Send as an update" in again.text
    assert field_value(again.text, "cover_letter") == "Now with a portfolio."
    assert "resume.pdf</strong> is attached" in again.text
    assert field_value(again.text, "update_of") == first.public_id
    assert count(app) == 1


def test_a_confirmed_second_application_is_stored_and_delivered_as_an_update(app, client):
    job_id = add_job(app)
    apply(client, job_id)
    asked = apply(client, job_id, cover_letter="Now with a portfolio.")
    confirmed = post_application(
        client,
        job_id,
        hidden_fields(asked.text),
        valid_answers(cover_letter="Now with a portfolio."),
        files={},
    )
    assert confirmed.status_code == 302, confirmed.text
    assert "We received your update to your application" in client.get(confirmed.location).text
    first, second = applications(app)
    assert (first.update_of, second.update_of) == (None, first.public_id)
    received = []
    with app.app_context():
        outcome = delivery.deliver(
            db.session, second.id, adapter=LocalAdapter(received.append), storage=storage_for(app)
        )
        notes = delivery.delivery_notes(db.session.get(Application, second.id).delivery.checkpoints)
    assert outcome.status == "delivered"
    assert received[0].cover_letter.startswith(
        f"[The candidate sent this as an update of their application {first.public_id}"
    )
    assert received[0].cover_letter.endswith("Now with a portfolio.")
    assert "update" in notes


def test_the_same_form_sent_again_after_the_thanks_page_answers_with_the_first_thanks(app, client):
    job_id = add_job(app)
    hidden = open_form(client, job_id)
    first = post_application(client, job_id, hidden, valid_answers())
    assert client.get(first.location).status_code == 200
    again = post_application(client, job_id, hidden, valid_answers(cover_letter="Changed my mind."))
    assert again.status_code == 302 and again.location == first.location
    assert count(app) == 1


def test_another_browser_is_not_told_who_applied_but_its_application_is_marked_as_an_update(app):
    job_id = add_job(app)
    apply(app.test_client(), job_id)
    elsewhere = apply(app.test_client(), job_id)
    assert elsewhere.status_code == 302
    first, second = applications(app)
    assert second.update_of == first.public_id


def test_an_application_older_than_30_days_or_to_another_job_is_a_new_one(app, client):
    job_id, other_job = add_job(app), add_job(app, title="Data Engineer")
    apply(client, job_id)
    assert apply(client, other_job).status_code == 302
    with app.app_context():
        first = db.session.scalar(select(Application).where(Application.job_id == job_id))
        first.created_at = utcnow() - timedelta(days=31)
        db.session.commit()
    assert apply(client, job_id).status_code == 302
    assert [a.update_of for a in applications(app)] == [None, None, None]


def test_another_email_from_the_same_browser_is_not_asked_about(app, client):
    job_id = add_job(app)
    apply(client, job_id)
    assert apply(client, job_id, email="ada@example.com").status_code == 302
    assert count(app) == 2


def test_the_30_day_window_is_measured_from_the_time_passed_in(app, client):
    job_id = add_job(app)
    apply(client, job_id)
    with app.app_context():
        first = db.session.scalar(select(Application))
        job = first.job
        clock = FakeClock(first.created_at.replace(tzinfo=UTC).timestamp())
        clock.advance(UPDATE_WINDOW - timedelta(minutes=1))
        assert (
            recent_application(db.session, job, "grace@example.com", clock.datetime() - UPDATE_WINDOW)
            == first
        )
        clock.advance(timedelta(minutes=2))
        assert (
            recent_application(db.session, job, "grace@example.com", clock.datetime() - UPDATE_WINDOW) is None
        )
