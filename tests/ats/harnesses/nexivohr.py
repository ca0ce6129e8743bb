"""NexivoHR through its sandbox: lookup by email, so ambiguous creates are adopted, not repeated."""

from __future__ import annotations

import httpx

from app.ats import nexivohr
from app.ats.sandbox import nexivohr as sandbox

from . import Harness

JOB_REF = "77"


def resume_link(submission) -> str:
    return f"https://careers.example.com/r/{submission.public_id}?sig=test&expires=1700000000"


def make(config: dict | None = None, **settings) -> Harness:
    app = sandbox.create_app(config)
    options = {
        "api_token": "nexivo-test-token",
        "base_url": "http://nexivohr.test/ats/api/v1",
        "first_stage": "screening",
        **settings,
    }
    adapter = nexivohr.build(options, transport=httpx.WSGITransport(app=app), resume_link=resume_link)
    return Harness(
        kind="nexivohr",
        adapter=adapter,
        sandbox=sandbox.sandbox_of(app),
        job_ref=JOB_REF,
        has_lookup=True,
        create_steps=("create_candidate", "submit_to_job"),
        extra={"app": app},
    )
