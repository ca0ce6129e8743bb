"""Harness for Skailer: the adapter talking to the Skailer sandbox in-process."""

from __future__ import annotations

import httpx

from app.ats.sandbox.skailer import create_app, sandbox_of
from app.ats.skailer import build
from tests.ats.harnesses import Harness

TOKEN = "test-token"


def make(config: dict | None = None, *, settings: dict | None = None, **build_kw) -> Harness:
    app = create_app({"token": TOKEN, **(config or {})})
    transport = httpx.WSGITransport(app=app)
    adapter = build(
        {
            "base_url": "http://skailer.test",
            "token": TOKEN,
            "stage": "New",
            "source": "Careers site",
            **(settings or {}),
        },
        transport=transport,
        **build_kw,
    )
    return Harness(
        kind="skailer",
        adapter=adapter,
        sandbox=sandbox_of(app),
        job_ref="311",
        has_lookup=True,
        create_steps=("upload_cv", "create_applicant", "assign_to_job", "comment"),
        extra={"app": app, "state": sandbox_of(app).state},
    )
