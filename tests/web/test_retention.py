"""What strangers leave behind is removed on schedule: autofill parse results after a day (an
application keeps its own copy), and files a killed process left in the upload folder."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.intake.tasks import sweep_once
from app.models import Answer, Application, ParsedResume
from app.resume.service import MAX_STORED_TEXT, capped, parse_cached
from tests.clock import FakeClock
from tests.conftest import FIXTURES, add_job
from tests.web.helpers import open_form, post_application, resume_file, valid_answers

HOUR = timedelta(hours=1)


def parse_results(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ParsedResume))


def autofill(app, name: str, clock: FakeClock) -> None:
    """What the autofill call stores for a file, at the clock's time."""
    data = (FIXTURES / "files" / name).read_bytes()
    with app.app_context():
        parse_cached(db.session, data, hashlib.sha256(data).hexdigest(), now=clock.datetime())


def test_parse_results_go_after_a_day_and_a_sent_application_keeps_its_own_copy(app, client):
    clock = FakeClock(start=time.time())
    autofill(app, "resume.pdf", clock)  # then the candidate applies with that file
    autofill(app, "resume.docx", clock)  # a visitor who never applies
    assert parse_results(app) == 2
    job_id = add_job(app)
    response = post_application(client, job_id, open_form(client, job_id), valid_answers())
    assert response.status_code == 302
    clock.advance(23 * HOUR)
    with app.app_context():
        sweep_once(app, now=clock())
    assert parse_results(app) == 2  # a form opened with them may still be sent
    clock.advance(2 * HOUR)
    with app.app_context():
        sweep_once(app, now=clock())
        application = db.session.scalar(select(Application))
        assert application.parsed["fields"]["email"]["value"] == "grace.hopper@example.com"
    assert parse_results(app) == 0


def test_a_parse_result_is_stored_with_its_text_capped():
    result = {"ok": True, "fields": {}, "text": "x" * (MAX_STORED_TEXT * 3)}
    assert len(capped(result)["text"]) == MAX_STORED_TEXT
    assert capped({"ok": True, "text": "short"}) == {"ok": True, "text": "short"}


def age(path: Path, clock: FakeClock, by: timedelta) -> Path:
    then = clock() - by.total_seconds()
    os.utime(path, (then, then))
    return path


def left_behind(path: Path, clock: FakeClock, by: timedelta) -> Path:
    path.write_bytes(b"written before a kill -9")
    return age(path, clock, by)


def stored_files(app) -> tuple[Path, Path]:
    """The resume and the file answer of one sent application."""
    with app.app_context():
        application = db.session.scalar(select(Application))
        answer = db.session.scalar(select(Answer).where(Answer.label == "Work sample"))
        uploads = Path(app.config["UPLOAD_DIR"])
        return uploads / application.resume_key, uploads / answer.value["file_key"]


def test_the_sweep_removes_what_a_killed_upload_left_and_keeps_every_stored_file(app, client):
    clock = FakeClock(start=time.time())
    job_id = add_job(app, questions=[{"label": "Work sample", "kind": "file"}])
    files = {"resume": resume_file(), "q_1": resume_file("resume.docx", "sample.docx")}
    assert (
        post_application(client, job_id, open_form(client, job_id), valid_answers(), files).status_code == 302
    )
    resume, sample = (age(path, clock, 30 * 24 * HOUR) for path in stored_files(app))
    uploads = Path(app.config["UPLOAD_DIR"])
    orphan = left_behind(uploads / "resumes" / ("a" * 32), clock, 25 * HOUR)
    recent = left_behind(uploads / "resumes" / ("b" * 32), clock, 2 * HOUR)
    part = left_behind(uploads / "resumes" / ".part-x1", clock, 2 * HOUR)
    root_part = left_behind(uploads / ".part-x2", clock, 2 * HOUR)
    writing = left_behind(uploads / "resumes" / ".part-x3", clock, timedelta(minutes=10))
    with app.app_context():
        sweep_once(app, now=clock())
    assert resume.exists() and sample.exists()
    assert recent.exists() and writing.exists()  # an upload may still be on its way
    assert not orphan.exists() and not part.exists() and not root_part.exists()
