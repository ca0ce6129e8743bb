"""NexivoHR specifics: lookup before create, stage only when needed, staying under the plan."""

from __future__ import annotations

import httpx
import pytest
from flask import Flask, request

from app.ats import nexivohr, webhooks
from app.ats.base import AlreadyInAts, AuthError, Job, PermanentError, RetryableError
from app.ats.sandbox import nexivohr as sandbox
from app.intake.delivery import delivery_notes
from app.intake.runner import run_steps
from tests.ats.harnesses import make_submission
from tests.ats.harnesses.nexivohr import JOB_REF, make
from tests.clock import FakeClock


def deliver(harness, submission=None):
    saved = {}
    return run_steps(harness.adapter, submission or make_submission(JOB_REF), {}, saved.update)


def state(harness):
    return harness.sandbox.state


def test_a_returning_applicant_to_another_job_is_submitted_as_the_candidate_nexivohr_holds():
    harness = make()
    state(harness).candidates[12] = {
        "id": 12,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ADA@example.com",
        "phone": "+1 555 0100",
        "status": "available",
    }
    final = deliver(harness)
    assert final["find_candidate"]["candidate_ref"] == "12"
    assert "candidate 12" in delivery_notes(final)["candidate"]
    assert ("POST", "/candidates") not in state(harness).requests
    assert harness.sandbox.count_people("ada@example.com") == 1
    assert state(harness).candidates[12]["phone"] == "+1 555 0100"  # the record is not overwritten
    (record,) = state(harness).submissions.values()
    assert record["candidate_id"] == 12
    assert record["notes"].endswith(
        "Details given with this application:\n- Phone: +44 20 7946 0958\n- Location: London, UK\n"
        "Resume: https://careers.example.com/r/pub-1?sig=test&expires=1700000000"
    )


def test_a_returning_applicant_already_on_the_job_is_already_in_the_ats_and_nothing_is_sent():
    harness = make()
    deliver(harness, make_submission(JOB_REF, application_id=1))
    before = harness.sandbox.count_records()
    with pytest.raises(AlreadyInAts) as already:
        deliver(harness, make_submission(JOB_REF, application_id=2))
    (record,) = state(harness).submissions.values()
    assert f"submission {record['id']}" in str(already.value) and JOB_REF in str(already.value)
    assert "ada@example.com" not in str(already.value)
    assert harness.sandbox.count_records() == before
    assert harness.sandbox.count_applications("ada@example.com", JOB_REF) == 1


def test_an_address_with_plus_and_minus_is_found_again_for_the_next_job():
    harness = make()
    email = "ada+jobs@ex-ample.com"
    deliver(harness, make_submission(JOB_REF, email=email, application_id=1))
    final = deliver(harness, make_submission("78", email=email, application_id=2))
    assert final["find_candidate"]["candidate_ref"] == str(next(iter(state(harness).candidates)))
    assert harness.sandbox.count_people(email) == 1
    assert harness.sandbox.count_applications(email, JOB_REF) == 1
    assert harness.sandbox.count_applications(email, "78") == 1


def test_the_search_finds_exactly_the_address_not_a_neighbour_its_operators_would_match():
    harness = make()
    for n, email in enumerate(["ada.jobs@ex.com", "ada+jobs@ex-ample.com"]):
        state(harness).candidates[n + 1] = {
            "id": n + 1,
            "first_name": "A",
            "last_name": "L",
            "email": email,
            "status": "new",
        }
    assert harness.adapter.find_existing(make_submission(JOB_REF, email="ada+jobs@ex-ample.com")) == {
        "candidate_ref": "2"
    }


def test_our_own_submission_answered_ambiguously_is_adopted_not_taken_for_an_earlier_application():
    harness = make()
    saved: dict = {}
    harness.sandbox.commit_then_fail_next("submit_to_job")
    with pytest.raises(RetryableError):
        run_steps(harness.adapter, make_submission(JOB_REF), {}, saved.update)
    final = run_steps(harness.adapter, make_submission(JOB_REF), dict(saved), saved.update)
    (record,) = state(harness).submissions.values()
    assert final["submit_to_job"] == {"submission_ref": str(record["id"])}
    assert record["stage"] == "screening"


def test_a_submission_someone_else_made_after_our_lookup_is_already_in_the_ats():
    harness = make()
    submission = make_submission(JOB_REF)
    check, find, create, submit, _ = harness.adapter.steps()
    done = {**check(submission, {}), **find(submission, {})}
    done |= create(submission, done)
    state(harness).submissions[1] = {"id": 1, "job_id": 77, "candidate_id": int(done["candidate_ref"])}
    with pytest.raises(AlreadyInAts):
        submit(submission, done)
    assert len(state(harness).submissions) == 1


def test_the_cover_letter_url_and_consent_reach_the_submissions_notes():
    harness = make(first_stage="")
    deliver(harness, make_submission(JOB_REF, parsed={"headline": "Analyst"}, stage=""))
    (candidate,) = state(harness).candidates.values()
    assert {
        k: candidate.get(k)
        for k in ("first_name", "last_name", "email", "phone", "current_title", "city", "state")
    } == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone": "+44 20 7946 0958",
        "current_title": "Analyst",
        "city": "London",
        "state": None,
    }
    (record,) = state(harness).submissions.values()
    assert record["notes"] == (
        "Applied via the careers site\n\n"
        "Cover letter:\nI would love to work on engines.\n\n"
        "URL: https://www.linkedin.com/in/ada\n\n"
        "Answers:\n- Years of experience: 5\n\n"
        "Consent: I agree to the processing of my data. (version 1, given 2026-11-22T10:00:00+00:00)\n\n"
        "Source: Careers site\n"
        "Resume: https://careers.example.com/r/pub-1?sig=test&expires=1700000000"
    )


@pytest.mark.parametrize(
    ("location", "city", "region"),
    [
        ("San Francisco, CA", "San Francisco", "CA"),
        ("Austin, Texas, USA", "Austin", "Texas"),
        ("Toronto, Ontario", "Toronto", "Ontario"),
        ("Madrid, Spain", "Madrid", None),
        ("London, UK", "London", None),
        ("Berlin", "Berlin", None),
    ],
)
def test_state_gets_a_region_and_never_a_country(location, city, region):
    harness = make()
    deliver(harness, make_submission(JOB_REF, location=location))
    (candidate,) = state(harness).candidates.values()
    assert (candidate.get("city"), candidate.get("state")) == (city, region)


def test_an_unknown_first_stage_is_refused_before_anything_is_created():
    harness = make(first_stage="hired")
    with pytest.raises(PermanentError) as refused:
        deliver(harness)
    assert "'hired'" in str(refused.value)
    assert harness.sandbox.count_records() == 0


def test_a_closed_job_is_refused_before_anything_is_created():
    harness = make()
    harness.sandbox.close_job(JOB_REF)
    with pytest.raises(PermanentError) as refused:
        deliver(harness)
    assert f"job {JOB_REF} is closed" in str(refused.value)
    assert harness.sandbox.count_records() == 0
    with pytest.raises(PermanentError) as unknown:
        deliver(harness, make_submission("4040"))
    assert unknown.value.status == 404 and harness.sandbox.count_records() == 0


def test_the_jobs_own_stage_wins_and_one_nexivohr_lacks_is_refused_before_anything_is_created():
    harness = make()
    final = deliver(harness, make_submission(JOB_REF, stage="Interview"))
    assert final["move_stage"] == {"stage_ref": "interview"}
    before = harness.sandbox.count_records()
    with pytest.raises(PermanentError) as refused:
        deliver(harness, make_submission(JOB_REF, stage="New", email="grace@example.com"))
    assert "stage 'New' is not a NexivoHR stage" in str(refused.value)
    assert harness.sandbox.count_records() == before


def test_the_resume_link_is_what_nexivohr_holds_of_a_resume():
    harness = make()
    deliver(harness, make_submission(JOB_REF, application_id=1, resume=None))
    assert harness.sandbox.resume_types("ada@example.com") == []
    deliver(harness, make_submission("78", application_id=2))
    assert harness.sandbox.resume_types("ada@example.com") == ["text/uri-list"]
    on_candidate = make(resume_link_field="candidate.resume_url")
    deliver(on_candidate)
    assert on_candidate.sandbox.resume_types("ADA@example.com") == ["text/uri-list"]


def test_a_returning_applicants_resume_link_goes_in_the_notes_when_the_record_is_not_written():
    harness = make(resume_link_field="candidate.resume_url")
    deliver(harness, make_submission(JOB_REF, application_id=1))
    deliver(harness, make_submission("78", application_id=2))
    first, second = state(harness).submissions.values()
    assert "Resume:" not in first["notes"]
    assert second["notes"].endswith("Resume: https://careers.example.com/r/pub-2?sig=test&expires=1700000000")
    assert harness.sandbox.resume_types("ada@example.com") == ["text/uri-list", "text/uri-list"]


def test_the_resume_link_can_go_into_a_candidate_field_instead():
    harness = make(resume_link_field="candidate.resume_url")
    deliver(harness)
    (candidate,) = state(harness).candidates.values()
    assert candidate["resume_url"].startswith("https://careers.example.com/r/pub-1")
    assert "Resume:" not in next(iter(state(harness).submissions.values()))["notes"]


def test_the_stage_is_patched_only_when_a_non_default_first_stage_is_wanted():
    default = make(first_stage="")
    assert deliver(default, make_submission(JOB_REF, stage=""))["move_stage"] == {}
    assert not any(method == "PATCH" for method, _ in state(default).requests)
    assert next(iter(state(default).submissions.values()))["stage"] == "submitted"
    moved = make(first_stage="interview")
    assert deliver(moved, make_submission(JOB_REF, stage=""))["move_stage"] == {"stage_ref": "interview"}
    assert next(iter(state(moved).submissions.values()))["stage"] == "interview"
    assert [e["event"] for e in state(moved).events] == ["submission.stage_changed"]


def test_a_candidate_created_between_lookup_and_create_is_adopted():
    harness = make()
    submission = make_submission(JOB_REF)
    _, find, create, *_ = harness.adapter.steps()
    assert find(submission, {}) == {}
    state(harness).candidates[40] = {
        "id": 40,
        "first_name": "Ada",
        "last_name": "L",
        "email": "ada@example.com",
        "status": "new",
    }
    assert create(submission, {}) == {"candidate_ref": "40", "returning": "yes"}
    assert len(state(harness).candidates) == 1


def test_the_plan_limiter_keeps_a_burst_under_sixty_requests_a_minute():
    clock = FakeClock()
    app = sandbox.create_app({"clock": clock})
    adapter = nexivohr.build(
        {"api_token": "nexivo-test-token", "base_url": "http://n.test/ats/api/v1"},
        transport=httpx.WSGITransport(app=app),
        clock=clock,
        sleep=clock.sleep,
    )
    for n in range(25):  # 5 requests each: 125 requests
        run_steps(
            adapter, make_submission(JOB_REF, email=f"a{n}@example.com", application_id=n), {}, lambda _: None
        )
    assert sandbox.sandbox_of(app).state.rate_limited == 0
    assert len(sandbox.sandbox_of(app).state.submissions) == 25
    assert clock.slept >= 60


def test_without_the_limiter_the_same_burst_meets_429_and_its_retry_after():
    class Unlimited:
        def acquire(self):
            return 0.0

    clock = FakeClock()
    app = sandbox.create_app({"clock": clock})
    adapter = nexivohr.build(
        {"api_token": "nexivo-test-token", "base_url": "http://n.test/ats/api/v1"},
        transport=httpx.WSGITransport(app=app),
        limiter=Unlimited(),
        clock=clock,
    )
    with pytest.raises(RetryableError) as limited:
        for n in range(25):
            run_steps(
                adapter,
                make_submission(JOB_REF, email=f"a{n}@example.com", application_id=n),
                {},
                lambda _: None,
            )
    assert limited.value.status == 429 and limited.value.retry_after == 60.0


def test_the_sandbox_per_minute_limit_can_be_raised_for_benchmarks():
    client = httpx.Client(
        transport=httpx.WSGITransport(
            app=sandbox.create_app({"clock": FakeClock(), "limit_per_minute": 100})
        ),
        base_url="http://n.test/ats/api/v1",
        headers={"Authorization": "Bearer nexivo-test-token"},
    )
    statuses = {client.get("/jobs").status_code for _ in range(100)}
    assert statuses == {200} and client.get("/jobs").status_code == 429


def test_the_daily_quota_waits_for_the_next_day_instead_of_spending_it():
    clock = FakeClock()
    quota = nexivohr.DailyQuota(2, clock=clock)
    quota.take()
    quota.take()
    with pytest.raises(RetryableError) as spent:
        quota.take()
    assert 0 < spent.value.retry_after <= 86_400
    clock.advance(spent.value.retry_after)
    quota.take()


@pytest.mark.parametrize("envelope", ["wrapped", "bare"])
def test_wrapped_and_bare_responses_are_read_alike(envelope):
    harness = make({"envelope": envelope})
    jobs = {job.ref: job for job in harness.adapter.list_jobs()}
    assert jobs["77"].title == "Data Engineer" and jobs["77"].location == "Madrid"
    assert jobs["79"].open is False
    final = deliver(harness)
    (record,) = state(harness).submissions.values()
    assert final["submit_to_job"] == {"submission_ref": str(record["id"])}
    assert harness.adapter.find_existing(make_submission(JOB_REF)) == {
        "candidate_ref": str(record["candidate_id"]),
        "submission_ref": str(record["id"]),
    }


def test_a_starter_plan_is_refused_as_an_auth_problem():
    harness = make({"plan": "starter"})
    with pytest.raises(AuthError):
        harness.adapter.list_jobs()
    with pytest.raises(ValueError):
        nexivohr.build({"api_token": "t", "base_url": "http://n.test", "plan": "starter"})


def test_stages_are_the_fixed_set_and_there_are_no_sources():
    harness = make()
    assert [s.ref for s in harness.adapter.stages(Job("77", ""))] == [
        "submitted",
        "screening",
        "interview",
        "offer",
        "placed",
        "rejected",
    ]
    assert harness.adapter.sources() == []


def test_the_sandbox_validates_stages_pages_and_duplicates():
    client = sandbox.create_app().test_client()
    auth = {"Authorization": "Bearer nexivo-test-token"}
    url = "/ats/api/v1/candidates"
    for n in range(3):
        assert (
            client.post(
                url, headers=auth, json={"first_name": "A", "last_name": "B", "email": f"x{n}@e.com"}
            ).status_code
            == 201
        )
    taken = client.post(url, headers=auth, json={"first_name": "A", "last_name": "B", "email": "X0@e.com"})
    assert taken.status_code == 400 and taken.get_json()["errors"]["email"] == ["has already been taken"]
    page = client.get(f"{url}?per_page=2&page=2", headers=auth).get_json()
    assert len(page["data"]) == 1 and page["meta"] == {"page": 2, "per_page": 2, "total": 3}
    created = client.post(
        "/ats/api/v1/jobs/77/submissions", headers=auth, json={"candidate_id": page["data"][0]["id"]}
    ).get_json()["data"]
    bad = client.patch(f"/ats/api/v1/submissions/{created['id']}", headers=auth, json={"stage": "hired"})
    assert bad.status_code == 400 and "stage" in bad.get_json()["errors"]
    assert client.get(url).status_code == 401


def test_sandbox_webhooks_are_signed_so_that_our_verifier_accepts_them():
    harness = make(first_stage="placed")
    deliver(harness)
    (event,) = state(harness).events
    secret, seen, updates = b"whsec-test", set(), []
    receiver = Flask(__name__)

    @receiver.post("/webhooks/nexivohr")
    def hook():
        def first_time(event_id):
            fresh = event_id not in seen
            seen.add(event_id)
            return fresh

        receipt = webhooks.receive(
            secret, request.get_data(), request.headers.get(webhooks.SIGNATURE_HEADER), first_time
        )
        if receipt.update:
            updates.append(receipt.update)
        return "", receipt.status

    client = httpx.Client(transport=httpx.WSGITransport(app=receiver), base_url="http://us.test")
    assert sandbox.send_event("/webhooks/nexivohr", secret, event, client=client).status_code == 200
    assert sandbox.send_event("/webhooks/nexivohr", b"wrong", event, client=client).status_code == 401
    assert sandbox.send_event("/webhooks/nexivohr", secret, event, client=client).status_code == 200
    (record,) = state(harness).submissions.values()
    assert updates == [webhooks.StageUpdate(str(record["id"]), "77", "placed", "Placed")]
