"""The apply limit counts applications taken in, not forms sent back to be corrected."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Application
from tests.conftest import add_job
from tests.web.helpers import open_form, post_application, valid_answers


def test_forms_sent_back_with_errors_do_not_use_up_the_apply_limit(make_app):
    app = make_app(APPLY_RATE_LIMIT="1 per hour")
    client = app.test_client()
    job_id = add_job(app)
    corrected = [
        post_application(client, job_id, open_form(client, job_id), valid_answers(email="not-an-email"))
        for _ in range(3)
    ]
    assert [r.status_code for r in corrected] == [422, 422, 422]
    sent = post_application(client, job_id, open_form(client, job_id), valid_answers())
    again = post_application(client, job_id, open_form(client, job_id), valid_answers(email="b@example.com"))
    assert (sent.status_code, again.status_code) == (302, 429)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Application)) == 1
