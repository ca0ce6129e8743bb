"""intake.submit: the file, then one transaction, then the queue; the sweeper finds the rest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.intake.submit import NewApplication, Upload, submit
from app.intake.tasks import sweep_once
from app.models import Application, Delivery, Job
from app.storage import storage_for
from tests.conftest import FIXTURES, add_job


def new_application(job: Job, key: str = "key-1") -> NewApplication:
    data = (FIXTURES / "files" / "resume.pdf").read_bytes()
    return NewApplication(
        job=job,
        submission_key=key,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        consent_text="I agree.",
        consent_version="1",
        resume=Upload.from_bytes(data, "resume.pdf", "application/pdf"),
    )


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Application)),
            db.session.scalar(select(func.count()).select_from(Delivery)),
        )


def test_a_crash_before_the_commit_leaves_no_half_application_and_no_file(app):
    job_id = add_job(app)
    queued = []
    with app.app_context():
        job = db.session.get(Job, job_id)

        def crash(_session):
            raise RuntimeError("power cut")

        event.listen(db.session, "before_commit", crash)
        try:
            with pytest.raises(RuntimeError):
                submit(
                    db.session,
                    storage_for(app),
                    queued.append,
                    new_application(job),
                    target="local",
                )
        finally:
            event.remove(db.session, "before_commit", crash)
    assert counts(app) == (0, 0)
    assert stored_files(app) == []
    assert queued == []


def test_the_queue_is_woken_only_after_the_commit(app):
    job_id = add_job(app)
    seen = []
    with app.app_context():
        job = db.session.get(Job, job_id)

        def enqueue(application_id: int) -> None:
            with app.app_context():  # another session sees the committed rows
                seen.append(db.session.get(Delivery, application_id).status)

        submit(db.session, storage_for(app), enqueue, new_application(job), target="local")
    assert seen == ["pending"]


def test_with_the_queue_down_the_application_is_safe_and_the_sweeper_queues_it(app):
    job_id = add_job(app)

    def queue_down(_application_id: int) -> None:
        raise ConnectionError("queue unreachable")

    with app.app_context():
        job = db.session.get(Job, job_id)
        post = replace(app.extensions["careers.post"], enqueue=queue_down)
        application = submit(
            db.session, storage_for(app), queue_down, new_application(job), target="local", post=post
        )
        assert application.delivery.status == "pending"
        huey = app.extensions["careers.tasks"].huey
        assert len(huey) == 0
        assert sweep_once(app) == 1
        assert len(huey) == 2  # the delivery and the candidate's confirmation


def test_the_same_submission_key_returns_the_first_application(app):
    job_id = add_job(app)
    with app.app_context():
        job = db.session.get(Job, job_id)
        storage = storage_for(app)
        first = submit(db.session, storage, lambda _id: None, new_application(job), target="local")
        second = submit(db.session, storage, lambda _id: None, new_application(job), target="local")
        assert first.id == second.id
    assert counts(app) == (1, 1)
    assert len(stored_files(app)) == 1
