"""Greenhouse Harvest through its sandbox: lookup, create or add application, then a note."""

from __future__ import annotations

import httpx

from app.ats import greenhouse
from app.ats.sandbox import greenhouse as sandbox

from . import Harness

BASIC = {"base_url": "http://harvest.greenhouse.test/v1", "api_key": "harvest-key", "user_id": "9001"}
OAUTH = {
    "base_url": "http://harvest.greenhouse.test/v1",
    "client_id": "client-1",
    "client_secret": "secret-1",
    "user_id": "9001",
    "token_url": "http://auth.greenhouse.test/token",
}


def make(config: dict | None = None, *, oauth: bool = False, clock=None, **settings) -> Harness:
    app = sandbox.create_app({**({"clock": clock} if clock else {}), **(config or {})})
    adapter = greenhouse.build(
        {**(OAUTH if oauth else BASIC), **settings},
        transport=httpx.WSGITransport(app=app),
        **({"clock": clock} if clock else {}),
    )
    return Harness(
        kind="greenhouse",
        adapter=adapter,
        sandbox=sandbox.sandbox_of(app),
        job_ref="4101",
        create_steps=("create_application", "add_note"),
        extra={"app": app, "state": sandbox.sandbox_of(app).state},
    )
