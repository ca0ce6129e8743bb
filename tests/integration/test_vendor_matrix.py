"""Every ATS, the same cases, end to end: the public apply form over HTTP, the real queue and
worker, each vendor's strict sandbox served on loopback.

Per vendor: a resume in each format a candidate may upload reaches the ATS in a form it takes;
a person who applies again is one person in the ATS (with a second application when the job is
another one, "already in the ATS" when it is the same); no resume is fine; a stage the ATS does
not know and a job closed in the ATS fail for HR to see before anything is created."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, update

from app.ats.sandbox import skailer
from app.extensions import db
from app.intake.delivery import delivery_notes
from app.models import Job
from tests.integration.test_other_ats import TARGETS, required_answers
from tests.support.resume_files import corpus_file

RESUMES = {  # format: (corpus prefix, filename, content type as a browser sends it)
    "pdf": ("00-pdf", "cv.pdf", "application/pdf"),
    "docx": ("20-docx", "cv.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "rtf": ("42-rtf", "cv.rtf", "application/rtf"),
    "odt": ("43-odt", "cv.odt", "application/vnd.oasis.opendocument.text"),
}
NO_SUCH_STAGE = "No such stage"


@dataclass(frozen=True)
class Vendor:
    module: Any
    config: dict
    settings: dict
    suffix: str
    job_ref: str
    has_stages: bool = True
    same_job_again: str = "already_in_ats"  # how a second application to the same job ends


VENDORS = {
    "skailer": Vendor(
        skailer,
        {"token": "matrix-token"},
        {"kind": "skailer", "token": "matrix-token", "stage": "New"},
        "",
        "311",
    ),
    **{kind: Vendor(*TARGETS[kind]) for kind in ("dover", "nexivohr", "workable", "greenhouse_harvest")},
    # The public Job Board API has no stages and no lookup: Greenhouse itself merges a returning
    # applicant, so each application is one POST.
    "greenhouse_job_board": Vendor(
        *TARGETS["greenhouse_job_board"], has_stages=False, same_job_again="delivered"
    ),
}


class Stack:
    """One vendor's sandbox and a careers site delivering to it, jobs synced."""

    def __init__(self, careers, served, vendor: Vendor) -> None:
        self.vendor = vendor
        self.sandbox = vendor.module.create_app(vendor.config)
        self.control = vendor.module.sandbox_of(self.sandbox)
        server = served(self.sandbox)
        self.site = careers(
            {**vendor.settings, "base_url": server.url + vendor.suffix, "source": "Careers site"}
        )
        self.site.app.config["PUBLIC_BASE_URL"] = self.site.site.url
        self.site.sync_jobs()

    def job_id(self, ref: str | None = None) -> int:
        job_id = self.site.job_id(ref or self.vendor.job_ref)
        assert job_id is not None, f"job {ref or self.vendor.job_ref} was not synced"
        return job_id

    def other_job_ref(self) -> str:
        with self.site.app.app_context():
            refs = db.session.scalars(select(Job.ref).where(Job.ref != self.vendor.job_ref).order_by(Job.id))
            return next(iter(refs))

    def apply(self, email: str, *, ref: str | None = None, resume: str | None = "pdf") -> int:
        job_id = self.job_id(ref)
        answers = required_answers(self.site, job_id)
        if resume is None:
            with self.site.app.app_context():
                db.session.execute(update(Job).where(Job.id == job_id).values(resume_required=False))
                db.session.commit()
            return self.site.apply(job_id, email=email, answers=answers, resume=None)
        prefix, filename, content_type = RESUMES[resume]
        return self.site.apply(
            job_id, email=email, answers=answers, resume=(filename, corpus_file(prefix), content_type)
        )

    def set_stage(self, stage: str) -> None:
        with self.site.app.app_context():
            db.session.execute(update(Job).where(Job.ref == self.vendor.job_ref).values(stage=stage))
            db.session.commit()


@pytest.fixture(params=sorted(VENDORS))
def stack(request, careers, served) -> Stack:
    return Stack(careers, served, VENDORS[request.param])


def test_a_resume_in_each_format_reaches_the_ats_once_in_a_form_it_takes(stack):
    for fmt in RESUMES:
        email = f"{fmt}.grace@example.com"
        row = stack.site.wait_for(stack.apply(email, resume=fmt))
        assert row.attempts == 1, fmt
        assert stack.control.count_applications(email, stack.vendor.job_ref) == 1, fmt
        stored = stack.control.resume_types(email)
        assert len(stored) == 1, f"{fmt}: stored {stored}"
        if fmt in ("rtf", "odt") and "pdf" in stored[0]:
            assert "PDF rendition" in " ".join(delivery_notes(row.checkpoints).values()), fmt


def test_a_returning_applicant_is_one_person_with_no_duplicate_application(stack):
    email, other = "again@example.com", stack.other_job_ref()
    first = stack.site.wait_for(stack.apply(email, resume=None))
    assert stack.control.resume_types(email) == []
    again = stack.site.wait_for(stack.apply(email), stack.vendor.same_job_again)
    elsewhere = stack.site.wait_for(stack.apply(email, ref=other))
    assert first.attempts == again.attempts == elsewhere.attempts == 1
    if stack.vendor.same_job_again == "already_in_ats":
        assert stack.vendor.job_ref in again.last_error or "already" in again.last_error
        assert stack.control.count_applications(email, stack.vendor.job_ref) == 1
        assert stack.control.count_people(email) == 1
    assert stack.control.count_applications(email, other) == 1


def test_an_unknown_stage_or_a_closed_job_fails_before_anything_is_created(stack):
    before = stack.control.count_records()
    if stack.vendor.has_stages:
        stack.set_stage(NO_SUCH_STAGE)
        row = stack.site.wait_for(stack.apply("stage@example.com"), "failed")
        assert row.attempts == 1 and "stage" in row.last_error.lower(), row.last_error
        assert stack.control.count_records() == before
        stack.set_stage("")
    stack.control.close_job(stack.vendor.job_ref)
    row = stack.site.wait_for(stack.apply("closed@example.com"), "failed")
    assert row.attempts == 1 and "closed" in row.last_error.lower(), row.last_error
    assert stack.control.count_records() == before
