"""Greenhouse Job Board API through the same sandbox: one form post, no ids, no lookup."""

from __future__ import annotations

import httpx

from app.ats import greenhouse
from app.ats.sandbox import greenhouse as sandbox

from . import Harness

SETTINGS = {
    "flavour": "job_board",
    "base_url": "http://boards-api.greenhouse.test/v1",
    "board_token": "acme",
    "api_key": "board-key",
    "mapped_url_token": "careers-site",
}


def make(config: dict | None = None, **settings) -> Harness:
    app = sandbox.create_app(config)
    adapter = greenhouse.build({**SETTINGS, **settings}, transport=httpx.WSGITransport(app=app))
    return Harness(
        kind="greenhouse_jobboard",
        adapter=adapter,
        sandbox=sandbox.sandbox_of(app),
        job_ref="5101",
        has_lookup=False,
        create_steps=("submit_application",),
        extra={"app": app, "state": sandbox.sandbox_of(app).state},
    )
