"""Retention reaches the ATS: applications delivered by the real delivery code to the local
ATS, the Greenhouse Harvest v3 sandbox and the Skailer sandbox, then the clock moved past their
period. The retention task wipes them here and hands each copy in an ATS to the erasure
machinery: Greenhouse's is deleted by the worker, Skailer's (no documented deletion) becomes
HR's task, told in one alert for the whole run through a real SMTP server. Nothing personal is
left here, and with RETENTION_ERASE_IN_ATS off the ATS copies stay as they are."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.ats.local import LocalAdapter
from app.erasure.letters import Letters
from app.erasure.run import erase_one
from app.extensions import db
from app.intake.post import EXTENSION as POST_EXTENSION
from app.intake.tasks import run_retention
from app.models import Application, Erasure, RetentionTally, utcnow
from tests.ats.harnesses import greenhouse, skailer
from tests.clock import FakeClock
from tests.conftest import add_user, login
from tests.support.smtp import smtp_server
from tests.web.test_erasure import HR, deliver, mail, send_all, stored
from tests.web.test_retention_policy import database_text, our_log, queue_bytes, stored_files

THIRTEEN_MONTHS = timedelta(days=400)

# One candidate per ATS (two in Skailer, to see HR's alert count them), as (email, first, last).
LOCAL = ("lin.local@example.com", "Linnea", "Localsson")
GREENHOUSE = ("grace.green@example.com", "Gracia", "Greenwood")
SKAILER = [("sam.sk@example.com", "Samira", "Skailovic"), ("sol.sk@example.com", "Solveig", "Skaarup")]


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


def make(make_app, smtp, **settings):
    return make_app(MAIL_HR_RECIPIENTS=[HR], MAIL_SENDER="jobs@corp.test", **smtp.settings(), **settings)


def candidate(app, kind: str, ref: str, person: tuple[str, str, str]) -> int:
    email, first, last = person
    return stored(app, kind=kind, ref=ref, email=email, first_name=first, last_name=last)


def delivered_everywhere(app):
    """The four applications, each delivered to its ATS; the two sandboxes' harnesses."""
    gh, sk = greenhouse.make(), skailer.make()
    assert deliver(app, candidate(app, "local", "1", LOCAL), LocalAdapter()) == "delivered"
    assert deliver(app, candidate(app, "greenhouse", gh.job_ref, GREENHOUSE), gh.adapter) == "delivered"
    for person in SKAILER:
        assert deliver(app, candidate(app, "skailer", sk.job_ref, person), sk.adapter) == "delivered"
    assert gh.sandbox.count_people(GREENHOUSE[0]) == 1
    assert all(sk.sandbox.count_applications(p[0], sk.job_ref) == 1 for p in SKAILER)
    return gh, sk


def past_the_period(app):
    with app.app_context():
        return run_retention(app, now=utcnow() + THIRTEEN_MONTHS)


def erasures(app) -> list[Erasure]:
    with app.app_context():
        rows = list(db.session.scalars(select(Erasure).order_by(Erasure.id)))
        db.session.expunge_all()
        return rows


def run_worker_erasures(app, adapters: dict) -> list[str]:
    """What the worker does with the erase tasks retention queued, with each sandbox's adapter."""
    clock = FakeClock(start=4_000_000_000)
    ended = []
    with app.app_context():
        for row in erasures(app):
            ended.append(
                erase_one(
                    db.session(),
                    row.id,
                    adapter=adapters[row.target],
                    letters=Letters(app.extensions[POST_EXTENSION]),
                    now=clock.datetime,
                    jitter=lambda: 0.0,
                ).status
            )
    return ended


def personal_strings() -> list[str]:
    return [value for person in (LOCAL, GREENHOUSE, *SKAILER) for value in person] + ["Lovelace", "ada.pdf"]


def test_retention_erases_in_greenhouse_and_gives_hr_one_alert_for_the_skailer_tasks(make_app, smtp, caplog):
    caplog.set_level(logging.DEBUG)
    app = make(make_app, smtp)
    gh, sk = delivered_everywhere(app)

    report = past_the_period(app)

    assert report.applications == 4 and sum(report.hr_tasks.values()) == 2 and len(report.erasures) == 1
    rows = erasures(app)  # none for the local ATS: its copy is the database just wiped
    assert sorted((r.target, r.status, r.requested_by) for r in rows) == [
        ("greenhouse", "pending", "retention"),
        ("skailer", "hr_task", "retention"),
        ("skailer", "hr_task", "retention"),
    ]
    assert all(r.receipt_to == "" for r in rows)
    assert all("candidate_ref" in r.refs for r in rows if r.target == "greenhouse")
    assert b"erase" in queue_bytes(app)  # the worker is woken for Greenhouse's

    assert run_worker_erasures(app, {"greenhouse": gh.adapter, "skailer": sk.adapter}) == [
        "erased",
        "skipped",
        "skipped",
    ]
    assert gh.sandbox.count_people(GREENHOUSE[0]) == 0 and gh.sandbox.count_records() == 0
    assert all(sk.sandbox.count_applications(p[0], sk.job_ref) == 1 for p in SKAILER)  # for HR, by hand

    assert mail(app, "erasure_task") == [] and mail(app, "erasure_receipt") == []  # asked by nobody
    send_all(app, "retention_tasks")
    (alert,) = smtp.recorder.to(HR)
    assert "Retention: erase 2 expired applications in the ATS by hand" in alert.message["Subject"]
    assert "- Skailer: 2" in alert.body("plain") and "/admin/erasures" in alert.body("plain")
    assert "Greenhouse" not in alert.body("plain")
    assert len(smtp.recorder.received) == 1

    add_user(app)
    hr = app.test_client()
    login(hr)
    listing = hr.get("/admin/erasures").text
    for row in rows:
        if row.target == "skailer":
            assert all(f"{key}={value}" in listing for key, value in row.refs.items())
    assert "UTC by retention" in listing

    dump, queue, files, logged = (
        database_text(app),
        queue_bytes(app),
        stored_files(app),
        our_log(caplog.records),
    )
    for needle in personal_strings():
        assert needle not in dump, f"{needle!r} is still in the database"
        assert needle.encode() not in queue, f"{needle!r} is in the queue"
        assert needle not in logged, f"{needle!r} was logged"
    assert files == {}
    assert "retention: 1 erasures for the worker, 2 for HR (skailer=2)" in logged
    with app.app_context():
        assert db.session.scalars(select(Application.id)).all() == []
        tallies = [(t.outcome, t.count) for t in db.session.scalars(select(RetentionTally))]
    assert sum(count for _, count in tallies) == 4 and {outcome for outcome, _ in tallies} == {"delivered"}


def test_with_erasing_in_the_ats_off_retention_leaves_the_ats_copies_alone(make_app, smtp):
    app = make(make_app, smtp, RETENTION_ERASE_IN_ATS=False)
    gh, sk = delivered_everywhere(app)

    report = past_the_period(app)

    assert report.applications == 4 and report.erasures == [] and not report.hr_tasks
    assert erasures(app) == [] and mail(app, "retention_tasks") == []
    assert gh.sandbox.count_people(GREENHOUSE[0]) == 1
    assert all(sk.sandbox.count_applications(p[0], sk.job_ref) == 1 for p in SKAILER)
    assert not any(needle in database_text(app) for needle in personal_strings())


def test_a_run_with_nothing_for_hr_sends_no_alert(make_app, smtp):
    app = make(make_app, smtp)
    gh = greenhouse.make()
    assert deliver(app, candidate(app, "greenhouse", gh.job_ref, GREENHOUSE), gh.adapter) == "delivered"
    report = past_the_period(app)
    assert (report.applications, len(report.erasures), report.hr_tasks) == (1, 1, {})
    assert mail(app, "retention_tasks") == []
