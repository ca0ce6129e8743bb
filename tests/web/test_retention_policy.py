"""Retention end to end: candidates apply through the real form (resume read by the autofill,
a file answer, a text answer, a voluntary demographic answer, mail sent through the outbox to a
real SMTP server, delivery by the worker's own task), then the clock moves past the period.

Afterwards none of an expired candidate's strings is left in any text or JSON column of any
table, in the upload folder, in the queue's storage or in the logs; the anonymous tallies count
what went; and an application still within its period, or kept by its consent for future
openings, is untouched.
"""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fpdf import FPDF
from sqlalchemy import JSON, String, Text, select

from app.extensions import db
from app.intake.tasks import run_retention, sweep_once
from app.models import Application, DemographicQuestion, Job, OutboxMessage, Question, RetentionTally
from tests.clock import FakeClock
from tests.conftest import add_job, csrf_token_from, warm_parser
from tests.support.smtp import smtp_server
from tests.web.helpers import hidden_fields, resume_file, valid_answers

DAY = timedelta(days=1)
HR = "hiring@corp.test"

# The candidate whose application expires: every string of theirs that we store somewhere.
AUGUSTA = {
    "first_name": "Augusta",
    "last_name": "Kingsbury",
    "email": "augusta.kingsbury@example.com",
    "phone": "+44 20 7946 0857",
    "url": "https://www.linkedin.com/in/augusta-kingsbury",
    "location": "Marylebone",
    "cover_letter": "Canaryletter about analytical engines",
}
AUGUSTA_ANSWER = "Canaryanswer: the difference engine"
AUGUSTA_SELF = "Canaryselfdescribed"
AUGUSTA_FILES = ("kingsbury-cv.pdf", "kingsbury-portfolio.pdf")
AUGUSTA_RESUME_LINES = (
    "Augusta Kingsbury",
    "augusta.kingsbury@example.com",
    "Lead Analyst, Babbage Enginery",
)
# Someone who filled the form, was sent back to fix it, and never came back: only the held file.
ABANDONED_FILE = "whitworth-cv.pdf"


def augusta_strings() -> list[str]:
    return [
        *AUGUSTA.values(),
        "+442079460857",  # the phone as stored
        AUGUSTA_ANSWER,
        AUGUSTA_SELF,
        *AUGUSTA_FILES,
        "Babbage Enginery",
        ABANDONED_FILE,
    ]


def pdf_resume(lines: tuple[str, ...]) -> bytes:
    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", size=12)
    for line in lines:
        document.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def app(make_app, smtp):
    return make_app(
        RETENTION_MONTHS={"processing": 12, "future": 24},
        MAIL_HR_RECIPIENTS=[HR],
        MAIL_SENDER="jobs@corp.test",
        **smtp.settings(),
    )


def job_with_questions(app) -> tuple[int, dict[str, str]]:
    """A job with a text question, a file question and a voluntary question with free words."""
    job_id = add_job(
        app,
        questions=[
            {"label": "Why this team?", "kind": "long_text"},
            {"label": "Portfolio", "kind": "file"},
        ],
    )
    with app.app_context():
        job = db.session.get(Job, job_id)
        voluntary = DemographicQuestion(
            section="eeoc",
            ref="gender",
            label="Gender",
            options=[
                {"ref": "1", "label": "Woman", "free_form": False},
                {"ref": "9", "label": "I describe myself", "free_form": True},
            ],
        )
        job.demographic_questions = [voluntary]  # type: ignore[attr-defined]
        db.session.commit()
        text, portfolio = (
            f"q_{q.id}" for q in db.session.scalars(select(Question).order_by(Question.position))
        )
        return job_id, {"text": text, "file": portfolio, "gender": f"d_{voluntary.id}"}


def apply(client, job_id: int, query: str, answers: dict, files: dict) -> int:
    page = client.get(f"/jobs/{job_id}/apply{query}").text
    response = client.post(
        f"/jobs/{job_id}/apply",
        data={**hidden_fields(page), **answers, **files},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    with client.application.app_context():
        return db.session.scalars(select(Application.id).order_by(Application.id.desc())).first()


def autofill(client, job_id: int, data: bytes, name: str) -> None:
    warm_parser()  # a pool still starting would answer "busy"
    token = csrf_token_from(client.get(f"/jobs/{job_id}/apply").text)
    response = client.post(
        "/api/resume/parse",
        data={"resume": (io.BytesIO(data), name)},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )
    for _ in range(100):
        if response.status_code != 202:
            break
        time.sleep(0.1)
        response = client.get(response.get_json()["poll"])
    assert response.status_code == 200 and "Babbage" in json.dumps(response.get_json())


def run_worker(app) -> None:
    """What the worker would do with the queue: deliver, then send every pending message."""
    tasks = app.extensions["careers.tasks"]
    with app.app_context():
        pending = list(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending")))
    for outbox_id in pending:
        assert tasks.send_mail.call_local(outbox_id) == "sent"


def database_text(app) -> str:
    """Every text and JSON value of every table, as one string."""
    values = []
    with app.app_context(), db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
            for row in connection.execute(select(*columns)) if columns else ():
                values += [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in row]
    return "\n".join(v for v in values if v)


def queue_bytes(app) -> bytes:
    """Everything the Huey queue's SQLite file holds, tasks and schedule alike."""
    path = app.config["QUEUE_URL"].removeprefix("sqlite:///")
    found = []
    with sqlite3.connect(path) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                found += [v if isinstance(v, bytes) else str(v).encode() for v in row if v is not None]
    return b"\n".join(found)


def our_log(records: list[logging.LogRecord]) -> str:
    """Every line the service logged at any level, tracebacks included; not the test's own
    SMTP server's ("mail.log", aiosmtpd), which stands for the receiving side."""
    handler = logging.Handler()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    return "\n".join(handler.format(r) for r in records if not r.name.startswith("mail.log"))


def stored_files(app) -> dict[str, bytes]:
    root = Path(app.config["UPLOAD_DIR"])
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def kept_keys(app, application_id: int) -> set[str]:
    with app.app_context():
        application = db.session.get(Application, application_id)
        keys = {application.resume_key}
        keys |= {a.value["file_key"] for a in application.answers if isinstance(a.value, dict)}
        return keys


def test_past_its_period_nothing_of_a_candidate_is_left_and_only_counts_remain(app, smtp, caplog):
    caplog.set_level(logging.DEBUG)
    clock = FakeClock(start=time.time())
    client = app.test_client()
    job_id, names = job_with_questions(app)
    resume = pdf_resume(AUGUSTA_RESUME_LINES)
    autofill(client, job_id, resume, AUGUSTA_FILES[0])

    abandoned = valid_answers(first_name="Joseph", last_name="", email="j.whitworth@example.com")
    page = client.get(f"/jobs/{job_id}/apply").text
    sent_back = client.post(
        f"/jobs/{job_id}/apply",
        data={**hidden_fields(page), **abandoned, "resume": resume_file(filename=ABANDONED_FILE)},
        content_type="multipart/form-data",
    )
    assert sent_back.status_code == 422  # the file is held for a form never sent again

    augusta = apply(
        client,
        job_id,
        "?utm_source=Newsletter",
        {
            **valid_answers(**AUGUSTA),
            names["text"]: AUGUSTA_ANSWER,
            names["gender"]: "9",
            f"{names['gender']}_text": AUGUSTA_SELF,
        },
        {
            "resume": (io.BytesIO(resume), AUGUSTA_FILES[0]),
            names["file"]: resume_file(filename=AUGUSTA_FILES[1]),
        },
    )
    bertha = apply(  # keeps hers for future openings
        client,
        job_id,
        "",
        {
            **valid_answers(first_name="Bertha", last_name="Lindqvist", email="bertha@example.com"),
            "future_consent": "y",
            names["text"]: "Berthas own answer",
        },
        {"resume": resume_file("resume.docx", "lindqvist-cv.docx"), names["file"]: resume_file()},
    )
    carl = apply(  # never delivered: the ATS was down all year
        client,
        job_id,
        "",
        valid_answers(first_name="Carl", last_name="Stroud", email="carl.stroud@example.com"),
        {"resume": resume_file(filename="stroud-cv.pdf"), names["file"]: resume_file()},
    )
    tasks = app.extensions["careers.tasks"]
    assert tasks.deliver.call_local(augusta) == "delivered"
    assert tasks.deliver.call_local(bertha) == "delivered"
    run_worker(app)
    assert len(smtp.recorder.received) == 6  # confirmation and HR's notice for each
    assert any("Augusta" in m.body("plain") for m in smtp.recorder.received)
    bertha_files = kept_keys(app, bertha)
    with app.app_context():
        assert db.session.get(Application, carl).delivery.status == "pending"
    with app.app_context():
        before = db.session.get(Application, bertha)
        bertha_before = (before.email, before.parsed, [a.value for a in before.answers], len(before.mail))
    assert "Kingsbury" in database_text(app) and ABANDONED_FILE.encode() not in queue_bytes(app)

    clock.advance(timedelta(days=334))  # eleven months: everyone still within their period
    with app.app_context():
        assert run_retention(app, now=clock.datetime()).applications == 0
    assert "Kingsbury" in database_text(app)

    clock.advance(timedelta(days=32))  # twelve months and a day
    with app.app_context():
        sweep_once(app, now=clock())
        report = run_retention(app, now=clock.datetime())
    assert (report.applications, report.undelivered, report.files) == (2, 1, 4)

    dump, queue, files = database_text(app), queue_bytes(app), stored_files(app)
    logged = our_log(caplog.records)
    assert "Lindqvist" in dump and "Berthas own answer" in dump and queue  # the dump sees a kept one
    for needle in augusta_strings():
        assert needle not in dump, f"{needle!r} is still in the database"
        assert needle.encode() not in queue, f"{needle!r} is still in the queue"
        assert needle not in logged, f"{needle!r} was logged"
        assert not any(needle.encode() in data for data in files.values()), f"{needle!r} is in a file"
    for needle in ("Stroud", "carl.stroud@example.com", "stroud-cv.pdf"):
        assert needle not in dump and needle not in logged
    assert set(files) == bertha_files  # held, orphaned and expired files are all gone

    with app.app_context():
        assert db.session.scalars(select(Application.id)).all() == [bertha]
        kept = db.session.get(Application, bertha)
        assert (kept.email, kept.parsed, [a.value for a in kept.answers], len(kept.mail)) == bertha_before
        tallies = {
            (t.job_id, t.month, t.channel, t.outcome): t.count
            for t in db.session.scalars(select(RetentionTally))
        }
    month = time.strftime("%Y-%m", time.gmtime())
    assert tallies == {(job_id, month, "newsletter", "delivered"): 1, (job_id, month, "direct", "pending"): 1}
    assert "retention: deleted 2 applications (1 undelivered: pending=1) and 4 files" in logged
