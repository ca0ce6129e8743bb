"""Dover through its sandbox: one create step, no lookup, so ambiguous creates go to review."""

from __future__ import annotations

import httpx

from app.ats import dover
from app.ats.sandbox import dover as sandbox

from . import Harness

JOB_REF = "550e8400-e29b-41d4-a716-446655440000"


def make(config: dict | None = None, **settings) -> Harness:
    app = sandbox.create_app(config)
    adapter = dover.build(
        {"api_key": "dover-test-key", "base_url": "http://dover.test/api/v1/external", **settings},
        transport=httpx.WSGITransport(app=app),
    )
    return Harness(
        kind="dover",
        adapter=adapter,
        sandbox=sandbox.sandbox_of(app),
        job_ref=JOB_REF,
        has_lookup=False,
        create_steps=("add_candidate",),
        extra={"app": app},
    )
