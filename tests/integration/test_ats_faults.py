"""Dover, NexivoHR, Workable and Greenhouse (Harvest and Job Board) end to end under faults: the
apply form over HTTP, the real queue and worker, each sandbox served on 127.0.0.1.

Where the ATS can be searched, every fault ends in exactly one application. Where it cannot
(Dover, the Greenhouse Job Board), an outcome we cannot know goes to HR as "needs review" and is
never sent a second time on its own.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.ats.sandbox import dover, greenhouse, nexivohr, workable
from app.extensions import db
from app.intake.delivery import delivery_notes
from app.models import Integration, WebhookEvent
from tests.conftest import FIXTURES, PASSWORD, add_user, csrf_token_from
from tests.integration.conftest import CallLog, on_both_engines, wait_until

EMAIL = "grace@example.com"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
WEBHOOK_SECRET = "nexivo-webhook-secret"


@dataclass(frozen=True)
class Target:
    module: Any
    settings: dict  # ATS settings without base_url
    suffix: str  # the API's path under the sandbox's address
    job_ref: str
    other_job_ref: str
    steps: tuple[str, ...]  # the adapter's steps, as the sandbox names them for faults
    creates: tuple[str, ...]  # the steps that create something in the ATS
    lookup: bool  # can the ATS be searched for what a lost create made?
    renew: Callable[[Any], None]  # HR fixes the credentials
    kind: str = ""  # the Integration row's kind
    sandbox_config: dict = field(default_factory=dict)


def _restore_token(control: Any) -> None:
    control.restore_token()


TARGETS = {
    "dover": Target(
        dover,
        {"kind": "dover", "api_key": "dover-test-key"},
        "/api/v1/external",
        "550e8400-e29b-41d4-a716-446655440000",
        "7d2b9c1e-3f4a-4b5c-8d6e-9f0a1b2c3d4e",
        ("add_candidate",),
        ("add_candidate",),
        False,
        _restore_token,
        "dover",
    ),
    "nexivohr": Target(
        nexivohr,
        {"kind": "nexivohr", "api_token": "nexivo-test-token", "first_stage": "screening"},
        "/ats/api/v1",
        "77",
        "78",
        ("find_candidate", "create_candidate", "submit_to_job", "move_stage"),
        ("create_candidate", "submit_to_job"),
        True,
        _restore_token,
        "nexivohr",
    ),
    "workable": Target(
        workable,
        {"kind": "workable", "token": "test-token", "member_id": "m-100", "domain": "careers.example.com"},
        "/spi/v3",
        "BE1",
        "DA2",
        ("create_candidate", "comment"),
        ("create_candidate", "comment"),
        True,
        _restore_token,
        "workable",
        {"window": 2.0},
    ),
    "greenhouse_harvest": Target(
        greenhouse,
        {
            "kind": "greenhouse",
            "client_id": "client-1",
            "client_secret": "secret-1",
            "user_id": "9001",
            "token_url": "/token",
        },
        "/v3",
        "4101",
        "4102",
        ("create_candidate", "create_application", "attach_resume", "add_note"),
        ("create_candidate", "create_application", "attach_resume", "add_note"),
        True,
        _restore_token,
        "greenhouse",
    ),
    "greenhouse_job_board": Target(
        greenhouse,
        {
            "kind": "greenhouse",
            "flavour": "job_board",
            "board_token": "acme",
            "api_key": "board-key",
            "mapped_url_token": "careers-site",
        },
        "/v1",
        "5101",
        "5102",
        ("submit_application",),
        ("submit_application",),
        False,
        _restore_token,
        "greenhouse",
    ),
}


@dataclass
class Stack:
    """One target: its sandbox (control and call log) and the careers site delivering to it."""

    target: Target
    control: Any
    log: CallLog
    sandbox_url: str
    site: Any

    def apply(
        self,
        job_ref: str | None = None,
        email: str = EMAIL,
        answers: dict | None = None,
        resume: tuple | None = None,
    ) -> int:
        job_id = self.site.job_id(job_ref or self.target.job_ref)
        assert job_id is not None, "the job was not synced"
        extra = {**required_answers(self.site, job_id), **(answers or {})}
        return self.site.apply(job_id, email=email, answers=extra, **({"resume": resume} if resume else {}))

    def count(self, job_ref: str | None = None, email: str = EMAIL) -> int:
        return self.control.count_applications(email, job_ref or self.target.job_ref)


@pytest.fixture
def start(careers, served):
    """start(name, **app_config) -> Stack, jobs synced and the worker running."""

    def begin(name: str, sandbox: dict | None = None, **config) -> Stack:
        target = TARGETS[name]
        app = target.module.create_app({**target.sandbox_config, **(sandbox or {})})
        log = CallLog(app)
        server = served(log)
        site = careers(
            {**target.settings, "base_url": server.url + target.suffix, "source": "Careers site"}, **config
        )
        site.sync_jobs()
        return Stack(target, target.module.sandbox_of(app), log, server.url, site)

    return begin


def required_answers(site, job_id: int) -> dict:
    """An answer to each required question the sync imported from the ATS."""
    with site.app.app_context():
        from app.models import Job

        questions = [q for q in db.session.get(Job, job_id).questions if q.required]
        return {
            f"q_{q.id}": (q.options[0] if q.options else "yes" if q.kind == "yes_no" else "12")
            for q in questions
        }


def fixture_file(name: str, content_type: str) -> tuple:
    return (name, (FIXTURES / "files" / name).read_bytes(), content_type)


def login(browser) -> None:
    page = browser.get("/admin/login")
    response = browser.post(
        "/admin/login",
        data={"email": "hr@example.com", "password": PASSWORD, "csrf_token": csrf_token_from(page.text)},
    )
    assert response.status_code in (302, 303)


def as_hr(stack: Stack) -> httpx.Client:
    add_user(stack.site.app)
    login(stack.site.browser)
    return stack.site.browser


def assert_reviewable(stack: Stack, application_id: int) -> str:
    """HR sees the delivery as needing review, with the evidence and a Retry button."""
    page = as_hr(stack).get(f"/admin/applications/{application_id}")
    assert page.status_code == 200
    assert "status-needs_review" in page.text and "needs review" in page.text
    assert "no lookup" in page.text
    assert "Please check in" in page.text and "Retry sends it again" in page.text
    assert f'action="/admin/applications/{application_id}/retry"' in page.text
    assert "Retry delivery" in page.text
    return page.text


FAIL_CASES = [(name, step) for name, t in TARGETS.items() for step in t.steps]


@pytest.mark.parametrize("name,step", FAIL_CASES)
def test_a_server_error_at_any_step_never_delivers_twice(start, name, step):
    stack = start(name)
    stack.control.fail_next(step, 500)
    application_id = stack.apply()
    if stack.target.lookup:
        row = stack.site.wait_for(application_id)
        assert row.attempts == 2
        assert stack.count() == 1
        return
    # No lookup: a 5xx to the create may hide a saved candidate, so a person decides.
    row = stack.site.wait_for(application_id, "needs_review")
    assert row.attempts == 2 and stack.count() == 0
    page = assert_reviewable(stack, application_id)
    stack.site.browser.post(
        f"/admin/applications/{application_id}/retry", data={"csrf_token": csrf_token_from(page)}
    )
    stack.site.wait_for(application_id)
    assert stack.count() == 1


COMMIT_CASES = [
    (name, step, mode) for name, t in TARGETS.items() for step in t.creates for mode in ("500", "drop")
]


@pytest.mark.parametrize("name,step,mode", COMMIT_CASES)
def test_a_create_saved_before_a_failure_is_not_repeated(start, name, step, mode):
    stack = start(name)
    stack.control.commit_then_fail_next(step, mode)
    application_id = stack.apply()
    if stack.target.lookup:
        row = stack.site.wait_for(application_id)
        assert row.attempts == 2
    else:
        row = stack.site.wait_for(application_id, "needs_review")
        assert_reviewable(stack, application_id)
    assert stack.count() == 1


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_429_is_waited_out_before_the_application_arrives_once(start, name):
    stack = start(name)
    create = stack.target.creates[0]
    stack.control.fail_next(create, 429)
    application_id = stack.apply()
    row = stack.site.wait_for(application_id)
    # the OAuth token endpoint (Greenhouse v3) is no create: the first two POSTs to the API
    refused, accepted = [c for c in stack.log.calls if c.method == "POST" and c.path != "/token"][:2]
    assert (refused.status, refused.path) == (429, accepted.path)
    if "Retry-After" in refused.headers:
        assert accepted.at - refused.at >= float(refused.headers["Retry-After"])
    else:  # Workable: no Retry-After, the window's reset time says when
        assert accepted.wall >= float(refused.headers["X-Rate-Limit-Reset"])
    assert row.attempts == 2
    assert stack.count() == 1


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_an_expired_token_pauses_the_integration_until_hr_resumes_it(start, name):
    stack = start(name)
    stack.control.expire_token()
    application_id = stack.apply()
    wait_until(lambda: stack.site.delivery(application_id).last_error, what="the refusal")
    row = stack.site.delivery(application_id)
    assert row.status == "pending" and "401" in row.last_error
    kind = stack.target.kind
    with stack.site.app.app_context():
        assert db.session.scalar(select(Integration.paused).where(Integration.kind == kind))
    inbox = as_hr(stack).get("/admin/applications")
    assert f"Deliveries to {kind} are paused" in inbox.text and "401" in inbox.text
    assert stack.count() == 0
    stack.target.renew(stack.control)
    stack.site.browser.post(
        f"/admin/integrations/{kind}/resume", data={"csrf_token": csrf_token_from(inbox.text)}
    )
    stack.site.wait_for(application_id)
    assert stack.count() == 1


def candidates_with(stack: Stack, email: str = EMAIL) -> int:
    """Candidate records holding `email`, as the ATS stores people."""
    state = stack.control.state
    if stack.target.module is nexivohr:
        return sum(c["email"] == email for c in state.candidates.values())
    if stack.target.module is greenhouse:
        return sum(email in {e["value"] for e in c["email_addresses"]} for c in state.candidates)
    if stack.target.module is workable:  # Workable keeps one candidate record per job
        return sum(c["email"] == email for c in state.candidates)
    return sum(c["candidate_email"] == email for c in state.candidates)


DUPLICATES = {"dover": {"duplicate_mode": "reject"}, "nexivohr": {}, "workable": {}, "greenhouse_harvest": {}}
PEOPLE_AFTER_TWO_JOBS = {"dover": 2, "nexivohr": 1, "workable": 2, "greenhouse_harvest": 1}


@pytest.mark.parametrize("name", sorted(DUPLICATES))
def test_applying_twice_and_to_a_second_job_never_makes_a_second_candidate(start, name):
    stack = start(name, sandbox=DUPLICATES[name])
    first = stack.apply()
    stack.site.wait_for(first)
    again = stack.apply()
    stack.site.wait_for(again, "already_in_ats")  # every one of these ATSs shows the person on the job
    assert stack.count() == 1
    other = stack.apply(stack.target.other_job_ref)
    stack.site.wait_for(other)
    assert stack.count(stack.target.other_job_ref) == 1
    assert candidates_with(stack) == PEOPLE_AFTER_TWO_JOBS[name]


# ATS-specific edges ------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def test_dover_gets_a_pdf_rendition_of_a_docx_resume_and_is_told_so(start):
    stack = start("dover")
    application_id = stack.apply(resume=fixture_file("resume.docx", DOCX))
    row = stack.site.wait_for(application_id)
    (candidate,) = stack.control.state.candidates
    assert candidate["resume_bytes"].startswith(b"%PDF-")
    assert candidate["resume_filename"] == "resume.pdf"
    assert candidate["resume_content_type"] == "application/pdf"
    note = delivery_notes(row.checkpoints)["resume"]
    assert "sent as a PDF rendition because Dover does not take DOCX" in note
    from app.resume.extract import extract_text

    docx_text = extract_text((FIXTURES / "files" / "resume.docx").read_bytes(), "docx").text
    first_lines = [line.strip() for line in docx_text.splitlines() if line.strip()][:3]
    rendered = " ".join(pdf_text(candidate["resume_bytes"]).split())
    assert all(" ".join(line.split()) in rendered for line in first_lines)


@on_both_engines
def test_nexivohr_stage_webhooks_show_in_admin_once_each(start):
    stack = start("nexivohr", WEBHOOK_SECRETS={"nexivohr": WEBHOOK_SECRET})
    application_id = stack.apply()
    row = stack.site.wait_for(application_id)
    submission_ref = row.checkpoints["submit_to_job"]["submission_ref"]
    hr_in_nexivo = httpx.Client(
        base_url=stack.sandbox_url + "/ats/api/v1", headers={"Authorization": "Bearer nexivo-test-token"}
    )
    hook = stack.site.site.url + "/webhooks/nexivohr"
    secret = WEBHOOK_SECRET.encode()

    def move(stage: str) -> dict:
        assert hr_in_nexivo.patch(f"/submissions/{submission_ref}", json={"stage": stage}).status_code == 200
        event = stack.control.state.events[-1]
        assert event["data"]["stage"] == stage
        assert nexivohr.send_event(hook, secret, event).status_code == 200
        return event

    interview = move("interview")
    page = as_hr(stack).get(f"/admin/applications/{application_id}")
    assert "Stage: Interview" in page.text
    move("offer")
    assert nexivohr.send_event(hook, secret, interview).status_code == 200  # redelivered
    assert (
        nexivohr.send_event(
            hook,
            b"wrong",
            {**interview, "id": "evt_forged", "data": {**interview["data"], "stage": "rejected"}},
        ).status_code
        == 401
    )
    page = stack.site.browser.get(f"/admin/applications/{application_id}")
    assert "Stage: Offer" in page.text and "Stage: Interview" not in page.text
    with stack.site.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 2
    hr_in_nexivo.close()


def test_workable_gets_parsed_entries_and_structured_answers(start):
    stack = start("workable")
    job_id = stack.site.job_id("BE1")
    fields = stack.site.question_fields(job_id)
    application_id = stack.apply(
        answers={fields["q1"]: "12", fields["q2"]: "yes", fields["q3"]: "Go"},
        resume=fixture_file("resume.pdf", "application/pdf"),
    )
    stack.site.wait_for(application_id)
    (candidate,) = stack.control.state.candidates
    (education,) = candidate["education_entries"]
    assert (education["school"], education["degree"], education["field_of_study"]) == (
        "Example University",
        "BSc",
        "Computer Science",
    )
    (experience,) = candidate["experience_entries"]
    assert (experience["title"], experience["company"], experience["current"]) == (
        "Senior Engineer",
        "Example Systems",
        True,
    )
    answers = {a["question_key"]: a for a in candidate["answers"]}
    assert answers["q1"]["body"] == "12"
    assert answers["q2"]["checked"] is True
    assert answers["q3"]["choices"] == ["c2"]
    assert candidate["resume"]["name"] == "resume.pdf"
    (comment,) = stack.control.state.comments
    assert comment["member_id"] == "m-100"


def test_greenhouse_harvest_gets_the_application_and_a_note(start):
    stack = start("greenhouse_harvest")
    application_id = stack.apply(resume=fixture_file("resume.pdf", "application/pdf"))
    row = stack.site.wait_for(application_id)
    state = stack.control.state
    (candidate,) = state.candidates
    (application,) = candidate["applications"]
    assert application["jobs"] == [{"id": 4101, "name": "Backend Engineer"}]
    assert application["attachments"][0]["filename"] == "resume.pdf"
    assert [c.path for c in stack.log.calls if c.method == "POST" and c.path != "/token"] == [
        "/v3/candidates",
        "/v3/applications",
        "/v3/attachments",
        "/v3/notes",
    ]
    (note,) = state.notes
    assert note["candidate_id"] == candidate["id"] and note["acting_user"] == "9001"  # the token's sub
    assert "I like compilers." in note["body"]
    assert "Education: BSc, Computer Science, Example University" in note["body"]
    assert row.checkpoints["add_note"] == {"note_ref": str(note["id"])}


def test_greenhouse_job_board_gets_question_answers_consent_and_source(start):
    stack = start("greenhouse_job_board")
    job_id = stack.site.job_id("5101")
    fields = stack.site.question_fields(job_id)
    application_id = stack.apply(answers={fields["question_q1"]: "12", fields["question_6002"]: "Yes"})
    stack.site.wait_for(application_id)
    (candidate,) = stack.control.state.candidates
    form = candidate["board_form"]
    assert form["question_q1"] == ["12"]
    assert form["question_6002"] == ["1"]  # the option's value, not its label
    assert form["data_compliance[gdpr_processing_consent_given]"] == ["true"]
    assert form["mapped_url_token"] == ["careers-site"]
    assert candidate["files"] == ["resume"]
    assert stack.count() == 1
