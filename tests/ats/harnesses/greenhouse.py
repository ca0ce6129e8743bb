"""Greenhouse Harvest v3 through its sandbox: candidate, application, resume, note."""

from __future__ import annotations

import httpx

from app.ats import greenhouse
from app.ats.sandbox import greenhouse as sandbox

from . import Harness

V3 = {
    "base_url": "http://harvest.greenhouse.test/v3",
    "client_id": "client-1",
    "client_secret": "secret-1",
    "user_id": "9001",
    "token_url": "/token",
}
V1 = {
    "base_url": "http://harvest.greenhouse.test/v1",
    "api_key": "harvest-key",
    "user_id": "9001",
    "harvest_api": "v1",
}
V3_STEPS = ("create_candidate", "create_application", "attach_resume", "add_note")
V1_STEPS = ("create_application", "add_note")


def tenant_jobs() -> list[dict]:
    """The seeded jobs, their pipelines opening with a "New" stage as this tenant's do (the
    stage the shared submission asks for)."""
    jobs = [dict(job) for job in sandbox.DEFAULT_JOBS]
    for job in jobs:
        if job["stages"]:
            job["stages"] = [{"id": job["id"] * 1000, "name": "New", "priority": -1}, *job["stages"]]
    return jobs


def make(config: dict | None = None, *, legacy: bool = False, clock=None, **settings) -> Harness:
    app = sandbox.create_app({"jobs": tenant_jobs(), **({"clock": clock} if clock else {}), **(config or {})})
    adapter = greenhouse.build(
        {**(V1 if legacy else V3), **settings},
        transport=httpx.WSGITransport(app=app),
        **({"clock": clock} if clock else {}),
    )
    return Harness(
        kind="greenhouse",
        adapter=adapter,
        sandbox=sandbox.sandbox_of(app),
        job_ref="4101",
        create_steps=V1_STEPS if legacy else V3_STEPS,
        extra={"app": app, "state": sandbox.sandbox_of(app).state},
    )
