"""A person Skailer already holds (same email) applies again: adopted, never failed, never
duplicated, and their new resume never left behind as a CV that belongs to no one."""

from __future__ import annotations

import pytest

from app.ats.base import AlreadyInAts, Resume, RetryableError
from app.intake.runner import run_steps
from tests.ats.harnesses import PDF_BYTES, make_submission
from tests.ats.harnesses.skailer import make

EMAIL = "ada@example.com"


def link(submission) -> str:
    return f"https://careers.example/files/resume/{submission.public_id}"


def deliver(harness, job_ref="311", application_id=1, checkpoints=None, **overrides):
    """One application of Ada's to `job_ref`, run through every step."""
    submission = make_submission(job_ref, application_id=application_id, **overrides)
    return run_steps(harness.adapter, submission, checkpoints or {}, lambda _: None)


def notes(done) -> dict:
    return {k: v for ids in done.values() if isinstance(ids, dict) for k, v in ids.items() if ":" in k}


def test_a_returning_applicant_to_another_job_is_put_on_it_as_the_applicant_skailer_holds():
    harness = make(resume_link=link)
    deliver(harness, "311", 1)
    before = len(harness.sandbox.state.cvs)
    done = deliver(harness, "312", 2, phone="+34 600 000 000", location="Madrid, Spain")
    state = harness.sandbox.state
    assert harness.sandbox.count_people(EMAIL) == 1
    assert harness.sandbox.count_applications(EMAIL, "312") == 1
    assert len(state.cvs) == before  # no CV uploaded for no one
    assert harness.sandbox.resume_types(EMAIL) == ["application/pdf"]  # the first application's
    [applicant] = state.applicants.values()
    assert done["find_applicant"]["applicant_ref"] == str(applicant["id"])
    assert done["upload_cv"]["cv_ref"] == ""
    comment = state.actions[int(done["comment"]["comment_ref"])]["comment"]
    assert comment.startswith("Applied again; details given with this application:")
    for given in (
        "Phone: +34 600 000 000",
        "Location: Madrid, Spain",
        f"Resume: {link(make_submission('312', application_id=2))}",
    ):
        assert given in comment
    assert notes(done) == {
        "note:applicant": f"Skailer already held this person as applicant {applicant['id']}: they were "
        "put on this job as that applicant, and the details given now are in the comment",
        "note:resume": "Skailer documents no way to add a CV to an applicant it already holds, so the "
        "new resume was not uploaded; it is linked in the comment on the candidate",
    }


def test_the_comment_carries_a_returning_applicants_details_even_when_nothing_else_needs_one():
    harness = make(resume_link=link)
    bare = {"cover_letter": "", "answers": (), "attribution": {}}
    deliver(harness, "311", 1, **bare)
    done = deliver(harness, "312", 2, **bare)
    assert done["comment"]["comment_ref"] != ""


def test_without_a_link_service_the_new_resume_stays_here_and_hr_is_told():
    harness = make()
    deliver(harness, "311", 1)
    done = deliver(harness, "312", 2)
    assert notes(done)["note:resume"].endswith("it was not sent: download it here")
    comment = harness.sandbox.state.actions[int(done["comment"]["comment_ref"])]["comment"]
    assert "Resume: kept in the careers site (not sent)" in comment
    assert len(harness.sandbox.state.cvs) == 1


def test_a_returning_applicant_without_a_resume_gets_no_resume_note():
    harness = make(resume_link=link)
    deliver(harness, "311", 1)
    done = deliver(harness, "312", 2, resume=None)
    assert set(notes(done)) == {"note:applicant"}


def test_a_person_already_a_candidate_on_the_job_is_already_in_the_ats_and_nothing_is_sent():
    harness = make(resume_link=link)
    first = deliver(harness, "311", 1)
    records = harness.sandbox.count_records()
    with pytest.raises(AlreadyInAts) as raised:
        deliver(harness, "311", 2, resume=Resume("new.pdf", "application/pdf", PDF_BYTES))
    applicant, candidate = first["create_applicant"]["applicant_ref"], first["assign_to_job"]["candidate_ref"]
    assert str(raised.value) == (
        f"skailer: applicant {applicant} is already candidate {candidate} on job 311 in Skailer: "
        "nothing more was sent"
    )
    assert EMAIL not in str(raised.value) and "Lovelace" not in str(raised.value)
    assert harness.sandbox.count_records() == records


def test_a_candidate_that_appears_between_the_lookup_and_the_assignment_is_already_in_the_ats():
    harness = make()
    state = harness.sandbox.state

    def someone_else_assigns(name, ids):
        if name == "create_applicant":
            applicant = int(ids["applicant_ref"])
            state.candidates[1] = {"id": 1, "job_id": 311, "applicant_id": applicant, "pipeline_id": 12}

    with pytest.raises(AlreadyInAts, match="is already candidate 1 on job 311"):
        run_steps(
            harness.adapter, make_submission("311"), {}, lambda _: None, after_step=someone_else_assigns
        )
    assert len(state.candidates) == 1


def test_a_person_created_between_the_lookup_and_the_create_is_adopted_and_the_cv_left_is_named():
    harness = make(resume_link=link)
    client = harness.extra["app"].test_client()

    def hr_adds_them(name, ids):
        if name == "upload_cv":
            body = {"first_name": "Ada", "last_name": "L", "email": EMAIL, "source_id": 8}
            client.post("/api/v1/applicant", json=body, headers={"Authorization": "Bearer test-token"})

    done = run_steps(harness.adapter, make_submission("311"), {}, lambda _: None, after_step=hr_adds_them)
    assert harness.sandbox.count_people(EMAIL) == 1
    assert harness.sandbox.count_applications(EMAIL, "311") == 1
    cv = done["upload_cv"]["cv_ref"]
    assert notes(done)["note:resume"] == (
        f"Skailer documents no way to add a CV to an applicant it already holds: CV {cv}, uploaded "
        "before Skailer named the person, is on no record; it is linked in the comment on the candidate"
    )
    comment = harness.sandbox.state.actions[int(done["comment"]["comment_ref"])]["comment"]
    assert f"Resume: {link(make_submission('311'))}" in comment


@pytest.mark.parametrize("step", ["create_applicant", "assign_to_job"])
def test_our_own_earlier_ambiguous_create_is_adopted_not_taken_for_a_returning_applicant(step):
    harness = make(resume_link=link)
    saved: dict = {}
    harness.sandbox.commit_then_fail_next(step)
    with pytest.raises(RetryableError):
        run_steps(harness.adapter, make_submission("311"), {}, saved.update)
    done = run_steps(harness.adapter, make_submission("311"), saved, saved.update)
    assert harness.sandbox.count_people(EMAIL) == 1
    assert harness.sandbox.count_applications(EMAIL, "311") == 1
    assert harness.sandbox.resume_types(EMAIL) == ["application/pdf"]  # the CV is on the record
    assert notes(done) == {}
