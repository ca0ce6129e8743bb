"""One application each through the web form to the Dover, NexivoHR, Workable and Greenhouse
(Harvest v3, the retired Harvest v1, and Job Board) sandboxes served on loopback, by the real
queue and worker."""

from __future__ import annotations

import pytest

from app.ats.sandbox import dover, greenhouse, nexivohr, workable

# kind: (sandbox module, sandbox config, ATS settings without base_url, url suffix, job ref)
TARGETS = {
    "dover": (
        dover,
        {},
        {"kind": "dover", "api_key": "dover-test-key"},
        "/api/v1/external",
        "550e8400-e29b-41d4-a716-446655440000",
    ),
    "nexivohr": (
        nexivohr,
        {},
        {"kind": "nexivohr", "api_token": "nexivo-test-token", "first_stage": "screening"},
        "/ats/api/v1",
        "77",
    ),
    # Workable's 10 requests per 10 s is paced in tests/integration/test_ats_faults.py and the
    # unit tests; here it is raised out of the way, as it would only add waits.
    "workable": (
        workable,
        {"rate_limit": 100},
        {
            "kind": "workable",
            "token": "test-token",
            "member_id": "m-100",
            "domain": "careers.example.com",
            "rate_limit_per_minute": 600,
        },
        "/spi/v3",
        "BE1",
    ),
    "greenhouse_harvest": (
        greenhouse,
        {},
        {
            "kind": "greenhouse",
            "client_id": "client-1",
            "client_secret": "secret-1",
            "user_id": "9001",
            "token_url": "/token",  # the sandbox serves the token endpoint on its own host
        },
        "/v3",
        "4101",
    ),
    "greenhouse_harvest_v1": (  # retired by Greenhouse; only on an explicit harvest_api v1
        greenhouse,
        {},
        {"kind": "greenhouse", "harvest_api": "v1", "api_key": "harvest-key", "user_id": "9001"},
        "/v1",
        "4101",
    ),
    "greenhouse_job_board": (
        greenhouse,
        {},
        {
            "kind": "greenhouse",
            "flavour": "job_board",
            "board_token": "acme",
            "api_key": "board-key",
            "mapped_url_token": "careers-site",
        },
        "/v1",
        "5101",
    ),
}


def required_answers(site, job_id: int) -> dict:
    """An answer to each required question the sync imported from the ATS."""
    from app.extensions import db
    from app.models import Job

    with site.app.app_context():
        questions = [q for q in db.session.get(Job, job_id).questions if q.required]
        return {
            f"q_{q.id}": (q.options[0] if q.options else "y" if q.kind == "yes_no" else "5")
            for q in questions
        }


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_an_application_through_the_form_reaches_the_ats_once(careers, served, target):
    module, config, settings, suffix, job_ref = TARGETS[target]
    sandbox = module.create_app(config)
    server = served(sandbox)
    site = careers({**settings, "base_url": server.url + suffix, "source": "Careers site"})
    site.sync_jobs()
    job_id = site.job_id(job_ref)
    assert job_id is not None, "the job was not synced"
    answers = required_answers(site, job_id)
    application_id = site.apply(job_id, answers=answers)
    row = site.wait_for(application_id)
    assert row.attempts == 1
    assert module.sandbox_of(sandbox).count_applications("grace@example.com", job_ref) == 1


def test_nexivohr_gets_a_signed_link_that_downloads_the_resume(careers, served):
    import httpx

    module, config, settings, suffix, job_ref = TARGETS["nexivohr"]
    sandbox = module.create_app(config)
    server = served(sandbox)
    site = careers({**settings, "base_url": server.url + suffix, "source": "Careers site"})
    site.app.config["PUBLIC_BASE_URL"] = site.site.url
    site.sync_jobs()
    job_id = site.job_id(job_ref)
    site.wait_for(site.apply(job_id, answers=required_answers(site, job_id)))
    state = httpx.get(server.url + "/_sandbox/state").json()
    notes = " ".join(str(s.get("notes", "")) for s in state["submissions"])
    link = next(word for word in notes.split() if "/files/resume/" in word)
    assert link.startswith(site.site.url)
    download = httpx.get(link)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
