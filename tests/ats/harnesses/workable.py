"""Workable through its sandbox, with a shared fake clock so the 10-second window costs no time."""

from __future__ import annotations

import httpx

from app.ats import workable
from app.ats.sandbox import workable as sandbox

from . import Harness


class FakeClock:
    """Wall time that only moves when the adapter sleeps."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now_value = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.now_value

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now_value += seconds


def make(config: dict | None = None, **settings) -> Harness:
    clock = FakeClock()
    app = sandbox.create_app({"clock": clock.now, **(config or {})})
    adapter = workable.build(
        {
            "base_url": "http://acme.workable.test/spi/v3",
            "token": "test-token",
            "member_id": "m-100",
            "domain": "careers.example.com",
            **settings,
        },
        transport=httpx.WSGITransport(app=app),
        clock=clock.now,
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
