"""With STORAGE_URL set to a bucket, the site keeps no file of its own: the apply form stores the
resume and file answers in the bucket (moto's S3 server on 127.0.0.1), a held upload waits there
while the form is fixed, HR downloads the same bytes, and the worker delivers them to the ATS."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.intake.delivery import build_submission, deliver
from app.intake.links import resume_link_maker
from app.intake.tasks import sweep_once
from app.models import Answer, Application
from app.storage import storage_for
from tests.ats.harnesses import skailer as skailer_harness
from tests.conftest import FIXTURES, add_job, add_user, login
from tests.support import s3
from tests.web.helpers import field_value, open_form, post_application, resume_file, valid_answers

SKAILER = {"kind": "skailer", "base_url": "http://skailer.test", "token": "test-token"}
PREFIX = "careers"
RESUME = (FIXTURES / "files" / "resume.pdf").read_bytes()
SAMPLE = (FIXTURES / "files" / "resume.docx").read_bytes()
DAY = 24 * 3600


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with s3.moto_s3() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint) -> str:
    return s3.new_bucket(s3_endpoint)


@pytest.fixture
def app(make_app, monkeypatch, s3_endpoint, bucket):
    s3.aws_environment(monkeypatch)
    return make_app(STORAGE_URL=f"s3://{bucket}/{PREFIX}", S3_ENDPOINT_URL=s3_endpoint, ATS=SKAILER)


def objects(s3_endpoint: str, bucket: str, folder: str) -> list[str]:
    listed = s3.client(s3_endpoint).list_objects_v2(Bucket=bucket, Prefix=f"{PREFIX}/{folder}/")
    return [item["Key"] for item in listed.get("Contents", [])]


def local_files(app) -> list[Path]:
    return [path for path in Path(app.config["UPLOAD_DIR"]).rglob("*") if path.is_file()]


def apply_with_a_work_sample(app, client) -> int:
    job_id = add_job(app, ats_kind="skailer", ref="311", questions=[{"label": "Work sample", "kind": "file"}])
    files = {"resume": resume_file(), "q_1": resume_file("resume.docx", "sample.docx")}
    response = post_application(client, job_id, open_form(client, job_id), valid_answers(), files)
    assert response.status_code == 302
    with app.app_context():
        return db.session.scalar(select(Application.id))


def test_an_application_lands_in_the_bucket_and_hr_downloads_the_same_bytes(app, client, s3_endpoint, bucket):
    application_id = apply_with_a_work_sample(app, client)
    assert len(objects(s3_endpoint, bucket, "resumes")) == 2
    assert local_files(app) == []  # nothing on this machine's disk
    with app.app_context():
        answer_id = db.session.scalar(select(Answer.id).where(Answer.label == "Work sample"))
    add_user(app)
    login(client)

    resume = client.get(f"/admin/applications/{application_id}/resume")
    assert resume.status_code == 200 and resume.data == RESUME
    assert resume.mimetype == "application/pdf"
    assert resume.headers["Content-Disposition"] == "attachment; filename=resume.pdf"
    sample = client.get(f"/admin/applications/{application_id}/files/{answer_id}")
    assert sample.status_code == 200 and sample.data == SAMPLE
    assert sample.headers["Content-Disposition"] == "attachment; filename=sample.docx"

    for key in objects(s3_endpoint, bucket, "resumes"):
        s3.client(s3_endpoint).delete_object(Bucket=bucket, Key=key)
    assert client.get(f"/admin/applications/{application_id}/resume").status_code == 404


def test_a_held_upload_waits_in_the_bucket_while_the_form_is_fixed(app, client, s3_endpoint, bucket):
    job_id = add_job(app, ats_kind="skailer", ref="311")
    hidden = open_form(client, job_id)
    first = post_application(client, job_id, hidden, valid_answers(email="nope"))
    assert first.status_code == 422
    assert len(objects(s3_endpoint, bucket, "held")) == 1
    again = dict(hidden, held_resume=field_value(first.text, "held_resume"))
    again["csrf_token"] = field_value(first.text, "csrf_token")
    second = post_application(client, job_id, again, valid_answers(), files={})
    assert second.status_code == 302
    assert objects(s3_endpoint, bucket, "held") == []  # moved, not copied
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert storage_for(app).read(application.resume_key) == RESUME
    assert local_files(app) == []


def test_the_worker_delivers_the_resume_it_reads_from_the_bucket(app, client):
    application_id = apply_with_a_work_sample(app, client)
    harness = skailer_harness.make()
    read: list[bytes] = []

    def parse(session, data: bytes, sha256: str) -> dict:
        read.append(data)
        return {"ok": False, "error_code": "test"}

    with app.app_context():
        outcome = deliver(
            db.session, application_id, adapter=harness.adapter, storage=storage_for(app), parse=parse
        )
        application = db.session.get(Application, application_id)
        submission = build_submission(application, storage_for(app))
    assert outcome.status == "delivered"
    assert read == [RESUME]
    cvs = list(harness.extra["state"].cvs.values())
    assert [(cv["filename"], cv["size"]) for cv in cvs] == [("resume.pdf", len(RESUME))]

    link = resume_link_maker(app)(submission)  # how NexivoHR fetches a resume
    signed = client.get(link.removeprefix(app.config["PUBLIC_BASE_URL"]))
    assert signed.status_code == 200 and signed.data == RESUME


def test_the_sweep_removes_stale_held_uploads_and_unclaimed_files_from_the_bucket(
    app, client, s3_endpoint, bucket
):
    application_id = apply_with_a_work_sample(app, client)
    with app.app_context():
        storage = storage_for(app)
        held = storage.save(b"%PDF- never sent", folder="held")
        orphan = storage.save(b"%PDF- saved, then the transaction failed", folder="resumes")
        sweep_once(app, now=time.time() + DAY / 2)
        assert storage.exists(held) and storage.exists(orphan)  # a form may still be sent
        sweep_once(app, now=time.time() + 2 * DAY)
        assert not storage.exists(held) and not storage.exists(orphan)
        application = db.session.get(Application, application_id)
        assert storage.read(application.resume_key) == RESUME
    assert len(objects(s3_endpoint, bucket, "resumes")) == 2  # the resume and the work sample
