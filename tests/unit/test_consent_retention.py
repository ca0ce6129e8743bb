"""The retention rule piece by piece: each consent keeps its application until the end of the
period its text named, the longest one decides, a delivery a worker holds waits for the next
run, and the tally keeps a channel label, never an address."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.intake.submit import submit
from app.models import Application, Delivery, Job, OutboxMessage, RetentionTally
from app.privacy.consents import Wording, add_months
from app.privacy.retention import apply_retention, channel, expired_ids
from app.storage import storage_for
from tests.conftest import add_job
from tests.unit.test_intake import new_application, stored_files

FUTURE = Wording("future", "Keep it for other openings.", "2", "en", 24)


def stored(app, key: str, **fields) -> int:
    with app.app_context():
        job = db.session.get(Job, add_job(app))
        new = new_application(job, key)
        for name, value in fields.items():
            setattr(new, name, value)
        return submit(db.session, storage_for(app), lambda _id: None, new, target="local").id


def given_at(app, application_id: int) -> datetime:
    with app.app_context():
        return db.session.get(Application, application_id).consent("processing").given_at


def test_a_month_later_is_the_same_day_or_the_last_day_of_a_shorter_month():
    assert add_months(datetime(2026, 1, 31, 8), 1) == datetime(2026, 2, 28, 8)
    assert add_months(datetime(2027, 12, 15), 12) == datetime(2028, 12, 15)
    assert add_months(datetime(2027, 2, 28), 12) == datetime(2028, 2, 28)


def test_an_application_goes_when_its_last_consent_runs_out(app):
    only = stored(app, "key-1")
    kept = stored(app, "key-2", future_consent=FUTURE)
    start = given_at(app, only)
    with app.app_context():
        assert expired_ids(db.session, add_months(start, 12) - timedelta(minutes=1)) == []
        assert expired_ids(db.session, add_months(start, 12) + timedelta(minutes=1)) == [only]
        assert expired_ids(db.session, add_months(start, 24) + timedelta(minutes=1)) == [only, kept]


def test_an_application_whose_delivery_a_worker_holds_waits_for_the_next_run(app):
    held = stored(app, "key-1")
    late = add_months(given_at(app, held), 13)
    with app.app_context():
        delivery = db.session.scalar(select(Delivery).where(Delivery.application_id == held))
        delivery.status, delivery.lease_until = "in_progress", late + timedelta(minutes=5)
        db.session.commit()
        assert apply_retention(db.session, storage_for(app), now=late).applications == 0
        report = apply_retention(db.session, storage_for(app), now=late + timedelta(minutes=6))
        assert (report.applications, dict(report.outcomes)) == (1, {"in_progress": 1})


def test_retention_deletes_the_rows_mail_and_files_and_counts_what_went(app):
    application_id = stored(
        app, "key-1", attribution={"utm_source": "Jobs Board", "referrer": "https://x.test/"}
    )
    late = add_months(given_at(app, application_id), 12) + timedelta(days=1)
    with app.app_context():
        db.session.add(
            OutboxMessage(
                kind="confirmation",
                application_id=application_id,
                to_address="ada@example.com",
                subject="Thanks, Ada",
                text_body="Hello Ada",
                html_body="<p>Hello Ada</p>",
                message_id="<m1@test>",
            )
        )
        db.session.commit()
        job_id = db.session.get(Application, application_id).job_id
        report = apply_retention(db.session, storage_for(app), now=late)
        assert (report.applications, report.undelivered, report.files) == (1, 1, 1)
        assert db.session.scalars(select(OutboxMessage)).all() == []
        assert db.session.scalars(select(Application)).all() == []
        [tally] = db.session.scalars(select(RetentionTally)).all()
        assert (tally.job_id, tally.channel, tally.outcome, tally.count) == (
            job_id,
            "jobs board",
            "pending",
            1,
        )
    assert stored_files(app) == []


def test_the_channel_is_a_label_or_a_host_and_never_a_whole_address():
    assert channel({"src": "LinkedIn", "utm_source": "ads"}) == "linkedin"
    assert channel({"utm_source": "  Weekly   Newsletter "}) == "weekly newsletter"
    assert channel({"referrer": "https://news.example/item?who=ada@example.com"}) == "news.example"
    assert channel({"referrer": "not an address"}) == "direct"
    assert channel({}) == "direct"


def test_the_retention_task_runs_once_a_day_and_deletes_what_ran_out(app):
    huey = app.extensions["careers.tasks"].huey
    [task] = [t for t in huey._registry.periodic_tasks if t.name == "retention"]
    runs = [datetime(2026, 12, 3, hour, minute) for hour in range(24) for minute in range(60)]
    assert [run for run in runs if task.validate_datetime(run)] == [datetime(2026, 12, 3, 3, 17)]
    stored(app, "key-1")
    assert task.execute() == 0  # a fresh application stays
