"""A vendor answering a create with a success status and a body we cannot use (`{}`, `[]`, not
JSON) must end as a visible failure within the attempt limit, never a delivery left running.

Every adapter with an HTTP sandbox is driven through `deliver()` on a real database. No sandbox
sends such bodies, so a WSGI middleware in front of the sandbox app (Flask's own way to wrap
`wsgi_app`) rewrites its successful answers to writing requests once the create step under test
has begun. Lookups are warmed first by delivering another candidate, so the first writing
request of the step is the create itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.intake import delivery
from app.models import Delivery
from app.storage import storage_for
from tests.ats.harnesses import Harness, all_harnesses
from tests.clock import FakeClock
from tests.support.applications import submit_application

POLICY = delivery.Policy(max_attempts=3, backoff_base=10.0, backoff_cap=100.0)
SAFE = ("GET", "HEAD", "OPTIONS")
BODIES = {
    "empty_object": (b"{}", "application/json"),
    "empty_list": (b"[]", "application/json"),
    "not_json": (b"<html><body>OK</body></html>", "text/html"),
}


def _cases() -> list[tuple[str, str]]:
    cases = []
    for kind, make in sorted(all_harnesses().items()):
        built = make()
        if "app" in built.extra:  # the local target has no HTTP answer to garble
            cases += [(kind, step) for step in built.create_steps]
    return cases


class Garble:
    """WSGI middleware: while armed, a 2xx answer to a writing request gets `body` instead."""

    def __init__(self, wsgi_app: Callable, body: bytes, content_type: str) -> None:
        self.wsgi_app, self.body, self.content_type = wsgi_app, body, content_type
        self.armed = False
        self.garbled = 0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.armed or environ["REQUEST_METHOD"] in SAFE:
            return self.wsgi_app(environ, start_response)
        answer: dict[str, Any] = {}

        def keep(status: str, headers: list, exc_info: Any = None) -> Callable:
            answer.update(status=status, headers=headers)
            return lambda data: None

        chunks = self.wsgi_app(environ, keep)
        body = b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
        if not answer["status"].startswith("2"):
            start_response(answer["status"], answer["headers"])
            return [body]
        self.garbled += 1
        replaced = ("content-type", "content-length")
        headers = [(k, v) for k, v in answer["headers"] if k.lower() not in replaced]
        headers += [("Content-Type", self.content_type), ("Content-Length", str(len(self.body)))]
        start_response(answer["status"], headers)
        return [self.body]


def new_application(app, harness: Harness, email: str) -> int:
    return submit_application(
        app,
        kind=harness.kind,
        ref=harness.job_ref,
        email=email,
        question={"label": "Years of experience", "ref": "q1", "required": True},
        answer="5",
        phone="+44 20 7946 0958",
        cover_letter="I would love to work on engines.",
    )


def run(app, harness: Harness, application_id: int, clock: FakeClock, **kwargs) -> str:
    with app.app_context():
        return delivery.deliver(
            db.session,
            application_id,
            adapter=harness.adapter,
            storage=storage_for(app),
            policy=POLICY,
            now=clock.datetime,
            jitter=lambda: 0.0,
            parse=lambda session, data, sha256: {"ok": False, "error_code": "unsupported"},
            **kwargs,
        ).status


def row(app, application_id: int) -> Delivery:
    with app.app_context():
        found = db.session.scalar(select(Delivery).where(Delivery.application_id == application_id))
        db.session.expunge(found)
        return found


def arm_at(garble: Garble, harness: Harness, step: str) -> Callable[[str, Mapping[str, str]], None]:
    """Arms the middleware as the step before `step` returns (or at once for the first step)."""
    names = [s.name for s in harness.adapter.steps()]
    before = names[names.index(step) - 1] if names.index(step) else None
    garble.armed = before is None

    def after_step(name: str, ids: Mapping[str, str]) -> None:
        garble.armed = garble.armed or name == before

    return after_step


@pytest.mark.parametrize("body", sorted(BODIES))
@pytest.mark.parametrize("kind,step", _cases())
def test_a_create_answered_with_an_unusable_body_ends_as_a_recorded_failure(
    app, make_harness, kind, step, body
):
    harness, clock = make_harness(kind), FakeClock()
    warm = new_application(app, harness, "warm@example.com")
    assert run(app, harness, warm, clock) == "delivered", row(app, warm).last_error
    sandbox = harness.extra["app"]
    garble = sandbox.wsgi_app = Garble(sandbox.wsgi_app, *BODIES[body])
    application_id = new_application(app, harness, "ada@example.com")
    after_step = arm_at(garble, harness, step)

    statuses = []
    for _ in range(POLICY.max_attempts + 1):
        statuses.append(run(app, harness, application_id, clock, after_step=after_step))
        assert row(app, application_id).status != "in_progress"
        clock.advance(timedelta(seconds=POLICY.backoff_cap))

    assert garble.garbled, "the step sent no writing request"
    saved = row(app, application_id)
    assert saved.attempts <= POLICY.max_attempts
    if saved.status == "delivered":  # the adapter does not read this answer (Dover's create)
        assert harness.sandbox.count_applications("ada@example.com", harness.job_ref) == 1
        return
    assert saved.status in ("failed", "needs_review"), statuses
    assert saved.last_error.startswith(f"{harness.adapter.name}:"), saved.last_error
    assert "ada@example.com" not in saved.last_error and "Lovelace" not in saved.last_error
