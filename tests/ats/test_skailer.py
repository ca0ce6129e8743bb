"""Skailer specifics: stage and source mapping, caching, pagination, rate limits, the sandbox."""

from __future__ import annotations

import httpx
import pytest

from app.ats.base import AuthError, Job, PermanentError, Resume, RetryableError
from app.ats.ratelimit import MemoryWindow
from app.ats.registry import BUILDERS, build_adapter, shared_limiter
from app.ats.sandbox.skailer import TOKEN_LIFETIME, create_app, sandbox_of
from app.ats.skailer import build
from app.intake.runner import backoff_delay, run_steps
from tests.ats.harnesses import make_submission
from tests.ats.harnesses.skailer import TOKEN, make
from tests.clock import FakeClock
from tests.support.servers import serving


def deliver(harness, **overrides):
    submission = make_submission(overrides.pop("job_ref", harness.job_ref), **overrides)
    return run_steps(harness.adapter, submission, {}, lambda _: None)


def state(harness):
    return harness.extra["state"]


def only_candidate(harness):
    [candidate] = state(harness).candidates.values()
    return candidate


@pytest.mark.parametrize("stage,expected", [("New", 101), ("screening", 102), ("103", 103)])
def test_the_candidate_lands_on_the_stage_named_or_numbered(stage, expected):
    harness = make()
    deliver(harness, stage=stage)
    assert only_candidate(harness)["pipeline_stage_id"] == expected


def test_the_stage_is_looked_up_in_the_jobs_own_pipeline():
    harness = make()
    deliver(harness, job_ref="312", stage="Tech screen")
    candidate = only_candidate(harness)
    assert (candidate["pipeline_id"], candidate["pipeline_stage_id"]) == (13, 112)


def test_an_unknown_stage_stops_the_delivery_before_anything_is_created():
    harness = make()
    with pytest.raises(PermanentError, match="stage 'Nonexistent' is not in pipeline 12 of job 311"):
        deliver(harness, stage="Nonexistent")
    assert harness.sandbox.count_records() == 0
    assert [path for _, path in state(harness).calls if "search" not in path and "/all" not in path] == []


def test_an_unknown_job_stops_the_delivery_before_anything_is_created():
    harness = make()
    with pytest.raises(PermanentError, match="job 999 not found"):
        deliver(harness, job_ref="999")
    assert harness.sandbox.count_records() == 0


def test_a_closed_job_is_refused_by_ref_before_anything_is_created():
    harness = make()
    with pytest.raises(PermanentError, match="job 313 is closed") as raised:
        deliver(harness, job_ref="313")
    assert raised.value.status == 422
    assert harness.sandbox.count_records() == 0


def test_a_job_closed_in_skailer_after_the_lookups_were_cached_is_still_refused_first():
    clock = FakeClock()
    harness = make(clock=clock)
    deliver(harness, email="first@example.com", application_id=1)
    before = harness.sandbox.count_records()
    harness.sandbox.close_job("311")
    clock.advance(60)  # well within the cache's life
    with pytest.raises(PermanentError, match="job 311 is closed"):
        deliver(harness, email="second@example.com", application_id=2)
    assert harness.sandbox.count_records() == before


def test_a_job_renamed_since_the_cache_was_loaded_is_still_taken_as_open():
    harness = make()
    deliver(harness, email="first@example.com", application_id=1)
    state(harness).jobs[0]["title"] = "Senior Data Engineer"
    deliver(harness, email="second@example.com", application_id=2)
    assert harness.sandbox.count_applications("second@example.com", "311") == 1


def test_a_stage_added_since_the_cache_was_loaded_is_found_by_reading_the_pipelines_again():
    harness = make()
    deliver(harness, email="first@example.com", application_id=1)
    state(harness).pipelines[0]["stages"].append({"id": 104, "name": "Sourced", "position": 3})
    deliver(harness, email="second@example.com", application_id=2, stage="Sourced")
    candidates = list(state(harness).candidates.values())
    assert candidates[-1]["pipeline_stage_id"] == 104


def test_the_resolved_job_stage_and_source_are_checkpointed_before_the_first_create():
    harness = make()
    done = deliver(harness, stage="Screening")
    assert list(done)[:4] == ["find_job", "pick_stage", "pick_source", "find_applicant"]
    assert done["find_job"] == {"job_ref": "311", "pipeline_ref": "12"}
    assert done["pick_stage"] == {"stage_ref": "102"}
    assert done["pick_source"] == {"source_ref": "7"}
    assert done["find_applicant"] == {}


def test_the_source_is_found_by_name():
    harness = make()
    deliver(harness, source="referral")
    [applicant] = state(harness).applicants.values()
    assert applicant["source_id"] == 9 and only_candidate(harness)["source_id"] == 9


def test_a_source_skailer_does_not_know_falls_back_to_the_configured_one_with_a_note():
    harness = make()
    done = deliver(harness, source="Job fair", **BARE)
    [applicant] = state(harness).applicants.values()
    assert applicant["source_id"] == 7 and only_candidate(harness)["source_id"] == 7  # Careers site
    assert done["pick_source"]["note:source"] == (
        "Skailer has no source named 'Job fair': the application is filed under 'Careers site'"
    )
    [action] = state(harness).actions.values()
    assert (
        "source: Job fair (not in Skailer's source directory; filed under Careers site)" in action["comment"]
    )


def test_no_known_source_at_all_stops_the_delivery_before_anything_is_created():
    harness = make(settings={"source": "Website"})
    with pytest.raises(PermanentError, match="source 'Job fair' is not in Skailer's source directory"):
        deliver(harness, source="Job fair")
    assert harness.sandbox.count_records() == 0


def test_the_applicant_carries_the_uploaded_cv():
    harness = make()
    deliver(harness)
    [applicant] = state(harness).applicants.values()
    [cv] = state(harness).cvs.values()
    assert applicant["cv_ids"] == [cv["id"]] and cv["filename"] == "ada.pdf"


def test_the_comment_carries_letter_answers_consent_and_source():
    harness = make()
    deliver(harness, attribution={"utm_source": "newsletter"})
    [action] = state(harness).actions.values()
    text = action["comment"]
    for expected in (
        "I would love to work on engines.",
        "Years of experience: 5",
        "I agree to the processing of my data.",
        "version 1",
        "2026-11-22T10:00:00+00:00",
        "source: Careers site",
        "utm_source: newsletter",
        "pub-1",
    ):
        assert expected in text


def test_warm_lookups_leave_five_required_calls_and_the_comment_per_application():
    """Warm: is the job still open, is the person known, then upload, applicant, candidate."""
    harness = make()
    deliver(harness, email="first@example.com", application_id=1)
    first = state(harness).count_calls()
    deliver(harness, email="second@example.com", application_id=2)
    assert first == 8  # cold: jobs, pipelines, sources, the person, the four writes
    assert state(harness).count_calls() - first == 6


BARE = {"cover_letter": "", "answers": (), "attribution": {}}


def test_an_application_with_nothing_beyond_the_fields_costs_five_calls_and_no_comment():
    harness = make()
    deliver(harness, email="first@example.com", application_id=1)
    first = state(harness).count_calls()
    done = deliver(harness, email="second@example.com", application_id=2, **BARE)
    assert state(harness).count_calls() - first == 5
    assert done["comment"] == {"comment_ref": ""}
    assert len(state(harness).actions) == 1  # the first application's only
    assert len(state(harness).candidates) == 2


@pytest.mark.parametrize(
    "extra",
    [
        {"cover_letter": "Hi."},
        {"attribution": {"utm_medium": "mail"}},
        {"source": "Job fair"},
        {"future_consent_text": "Keep it for other openings."},
    ],
    ids=["letter", "attribution", "source-unknown-to-skailer", "consent-for-future-openings"],
)
def test_one_thing_skailer_cannot_hold_brings_the_comment_back(extra):
    harness = make()
    deliver(harness, **{**BARE, **extra})
    [action] = state(harness).actions.values()
    assert "I agree to the processing of my data." in action["comment"]


def test_comment_always_records_consent_on_every_application():
    harness = make(settings={"comment": "always"})
    deliver(harness, **BARE)
    [action] = state(harness).actions.values()
    assert "I agree to the processing of my data." in action["comment"]
    assert "source: Careers site" in action["comment"]


def test_an_unknown_comment_policy_is_refused_when_the_adapter_is_built():
    with pytest.raises(ValueError, match="when_needed, always"):
        make(settings={"comment": "sometimes"})


def test_lookups_are_loaded_again_once_the_cache_expires():
    clock = FakeClock()
    harness = make(clock=clock)
    job = Job(ref="311", title="")
    for _ in range(2):
        harness.adapter.list_jobs(), harness.adapter.stages(job), harness.adapter.sources()
    clock.advance(599)
    harness.adapter.list_jobs(), harness.adapter.stages(job), harness.adapter.sources()
    assert state(harness).count_calls() == 3
    clock.advance(2)
    harness.adapter.list_jobs(), harness.adapter.stages(job), harness.adapter.sources()
    assert state(harness).count_calls() == 6


def more_jobs(harness, count: int) -> None:
    state(harness).jobs.extend(
        {"id": 1000 + n, "title": f"Role {n}", "pipeline_id": 12, "status": "open"} for n in range(count)
    )


def job_searches(harness) -> int:
    return sum(1 for c in state(harness).calls if c[1] == "/api/v1/jobs/search")


def test_jobs_are_read_across_every_page_although_no_page_gives_a_total():
    harness = make()
    more_jobs(harness, 42)
    jobs = harness.adapter.list_jobs()
    assert len(jobs) == 45 and job_searches(harness) == 3  # 20 + 20 + 5
    assert Job(ref="313", title="Office Manager", location="Madrid", open=False) in jobs


def test_two_full_pages_of_jobs_end_with_the_empty_third():
    harness = make()
    more_jobs(harness, 37)
    assert len(harness.adapter.list_jobs()) == 40
    assert job_searches(harness) == 3  # 20 + 20 + an empty page


def test_a_total_when_a_page_gives_one_spares_the_empty_page():
    harness = make({"report_total": True})
    more_jobs(harness, 37)
    assert len(harness.adapter.list_jobs()) == 40 and job_searches(harness) == 2


def test_a_job_on_the_third_page_receives_its_application():
    harness = make()
    more_jobs(harness, 45)
    deliver(harness, job_ref="1044")
    assert harness.sandbox.count_applications("ada@example.com", "1044") == 1


def test_stages_and_sources_are_listed_for_hr_to_pick():
    harness = make()
    job = Job(ref="311", title="Data Engineer")
    assert [s.name for s in harness.adapter.stages(job)] == ["New", "Screening", "Interview"]
    assert "Careers site" in [s.name for s in harness.adapter.sources()]


def test_a_returning_applicant_is_adopted_for_a_second_job():
    harness = make()
    deliver(harness, job_ref="311", application_id=1)
    deliver(harness, job_ref="312", application_id=2)
    assert len(state(harness).applicants) == 1
    assert harness.sandbox.count_applications("ada@example.com", "312") == 1


def test_the_rate_limit_answers_429_with_the_seconds_until_the_window_resets():
    clock = FakeClock()
    harness = make({"limit_per_minute": 2, "clock": clock})
    harness.adapter.sources()  # 1
    clock.advance(15)
    with pytest.raises(RetryableError) as raised:  # 2nd passes (pipelines), 3rd refused
        harness.adapter.stages(Job(ref="311", title=""))
    assert raised.value.status == 429 and raised.value.retry_after == 45
    assert backoff_delay(1, jitter=lambda: 1.0, retry_after=raised.value.retry_after) >= 45


def test_a_shared_limiter_keeps_the_adapter_under_the_vendors_limit():
    clock = FakeClock()
    limiter = MemoryWindow(5, 60, clock=clock, sleep=clock.sleep)
    harness = make({"limit_per_minute": 5, "clock": clock}, limiter=limiter)
    deliver(harness, email="a@example.com", application_id=1)
    deliver(harness, email="b@example.com", application_id=2)
    assert clock.slept >= 60  # waited for the next window, got no 429
    assert harness.sandbox.count_applications("b@example.com", "311") == 1


def test_a_token_older_than_45_days_is_refused():
    clock = FakeClock()
    harness = make({"clock": clock})
    clock.advance(TOKEN_LIFETIME + 1)
    with pytest.raises(AuthError):
        harness.adapter.sources()


def test_a_wrong_token_is_refused():
    app = create_app({"token": TOKEN})
    adapter = build({"base_url": "http://s", "token": "wrong"}, transport=httpx.WSGITransport(app=app))
    with pytest.raises(AuthError):
        adapter.sources()


@pytest.mark.parametrize(
    "resume",
    [Resume("empty.pdf", "application/pdf", b""), Resume("cv.exe", "application/pdf", b"MZ\x90\x00binary")],
)
def test_an_empty_or_foreign_file_is_refused(resume):
    harness = make()
    with pytest.raises(PermanentError) as raised:
        deliver(harness, resume=resume)
    assert raised.value.status == 422 and state(harness).cvs == {}


def test_the_sandbox_refuses_a_stage_outside_the_jobs_pipeline():
    client = httpx.Client(
        transport=httpx.WSGITransport(app=create_app({"token": TOKEN})),
        base_url="http://s",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    answer = client.post(
        "/api/v1/candidate",
        json={"job_id": 311, "applicant_id": 1, "pipeline_id": 12, "pipeline_stage_id": 111},
    )
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"applicant_id", "pipeline_stage_id"}


def test_the_sandbox_control_endpoints_set_faults_and_show_what_was_stored():
    app = create_app({"token": TOKEN})
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://s")
    client.post("/_sandbox/faults", json={"error_rate": 1.0})
    adapter = build({"base_url": "http://s", "token": TOKEN}, transport=httpx.WSGITransport(app=app))
    with pytest.raises(RetryableError):
        adapter.sources()
    client.post("/_sandbox/faults", json={"error_rate": 0.0})
    run_steps(adapter, make_submission("311"), {}, lambda _: None)
    shown = client.get("/_sandbox/state").json()
    assert [a["email"] for a in shown["applicants"]] == ["ada@example.com"]
    assert len(shown["candidates"]) == 1 and len(shown["actions"]) == 1


@pytest.mark.integration
def test_a_dropped_connection_on_a_real_server_is_an_ambiguous_error():
    app = create_app({"token": TOKEN})
    with serving(app) as url:
        adapter = build({"base_url": url, "token": TOKEN})
        sandbox_of(app).commit_then_fail_next("create_applicant", "drop")
        with pytest.raises(RetryableError) as raised:
            run_steps(adapter, make_submission("311"), {}, lambda _: None)
        assert raised.value.ambiguous and raised.value.status is None
        assert len(sandbox_of(app).state.applicants) == 1


def test_the_registry_builds_each_kind_from_settings():
    app = create_app({"token": TOKEN})
    skailer = build_adapter(
        {"kind": "skailer", "base_url": "http://s", "token": TOKEN}, transport=httpx.WSGITransport(app=app)
    )
    assert skailer.name == "skailer" and skailer.sources()
    assert build_adapter({}).name == "local"
    assert {"local", "skailer"} <= set(BUILDERS)
    with pytest.raises(ValueError):
        build_adapter({"kind": "nope"})


def test_configured_latency_delays_every_api_request():
    slept = []
    harness = make({"latency": 0.25, "sleep": slept.append})
    deliver(harness)
    assert slept == [0.25] * state(harness).count_calls()


def test_a_configured_429_rate_refuses_requests_as_retryable_and_unambiguous():
    harness = make({"rate_429": 1.0})
    with pytest.raises(RetryableError) as raised:
        deliver(harness)
    assert raised.value.status == 429 and not raised.value.ambiguous
    assert raised.value.retry_after == 1


def test_a_random_error_rate_fails_about_that_share_of_requests():
    app = create_app({"token": TOKEN, "error_rate": 0.3, "seed": 7})
    adapter = build(
        {"base_url": "http://s", "token": TOKEN, "cache_ttl": 0}, transport=httpx.WSGITransport(app=app)
    )
    failures = 0
    for _ in range(100):
        try:
            adapter.sources()
        except RetryableError:
            failures += 1
    assert 15 <= failures <= 45


def test_the_shared_limiter_uses_the_documented_skailer_budget(tmp_path):
    limiter = shared_limiter({"kind": "skailer", "base_url": "http://s"}, str(tmp_path / "rl.db"))
    assert (limiter.limit, limiter.window, limiter.target) == (100, 60.0, "skailer:http://s")
    lowered = shared_limiter({"kind": "skailer", "rate_limit_per_minute": 30}, str(tmp_path / "rl.db"))
    assert lowered.limit == 30
    assert shared_limiter({"kind": "local"}, str(tmp_path / "rl.db")) is None
