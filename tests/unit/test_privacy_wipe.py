"""privacy.wipe and the status link: the two pieces the data-rights paths share."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.intake.status_links import application_for_status_token, status_token, status_url
from app.intake.submit import submit
from app.models import Answer, Application, Delivery, Job
from app.privacy.wipe import wipe_application
from app.storage import storage_for
from tests.conftest import add_job
from tests.unit.test_intake import new_application, stored_files


def test_wiping_an_application_removes_its_rows_and_its_resume(app):
    job_id = add_job(app)
    with app.app_context():
        job = db.session.get(Job, job_id)
        application = submit(
            db.session, storage_for(app), lambda _id: None, new_application(job), target="local"
        )
        assert len(stored_files(app)) == 1
        wipe_application(db.session, storage_for(app), db.session.get(Application, application.id))
        for model in (Application, Answer, Delivery):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0
    assert stored_files(app) == []


def test_a_status_link_names_its_application_and_a_forged_one_names_none(app):
    token = status_token("secret", 7, "pub7")
    assert application_for_status_token("secret", token) == (7, "pub7")
    assert application_for_status_token("another secret", token) is None
    assert application_for_status_token("secret", token[:-2] + "xx") is None
    url = status_url(app, 7, "pub7", language="de")
    assert url.startswith(app.config["PUBLIC_BASE_URL"].rstrip("/") + "/de/status/")
    assert application_for_status_token(app.config["SECRET_KEY"], Path(url).name) == (7, "pub7")
