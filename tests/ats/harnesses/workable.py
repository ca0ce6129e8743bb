"""Workable through its sandbox, with a shared fake clock so the 10-second window costs no time.

The tenant's pipeline has a stage named "New" (a renamed applied stage), the stage the shared
test submission asks for."""

from __future__ import annotations

import httpx

from app.ats import workable
from app.ats.sandbox import workable as sandbox
from tests.clock import FakeClock

from . import Harness

STAGES = [*sandbox.DEFAULT_STAGES, {"slug": "new", "name": "New", "kind": "applied", "position": 3}]


def make(config: dict | None = None, **settings) -> Harness:
    clock = FakeClock()
    app = sandbox.create_app({"clock": clock, "stages": STAGES, **(config or {})})
    adapter = workable.build(
        {
            "base_url": "http://acme.workable.test/spi/v3",
            "token": "test-token",
            "member_id": "m-100",
            "domain": "careers.example.com",
            **settings,
        },
        transport=httpx.WSGITransport(app=app),
        clock=clock,
        sleep=clock.sleep,
    )
    return Harness(
        kind="workable",
        adapter=adapter,
        sandbox=sandbox.sandbox_of(app),
        job_ref="BE1",
        create_steps=("create_candidate", "comment"),
        extra={"app": app, "clock": clock, "state": sandbox.sandbox_of(app).state},
    )
