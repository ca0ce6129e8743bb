"""Readiness: can this web process serve applications right now? It needs the database (where
every application is stored), the queue (which wakes the workers) and the file storage (where
resumes go). Each check runs in its own thread with a short limit, so a hung dependency makes
the answer "not ready" within about a second instead of holding the load balancer's probe.

Results name the check and the kind of failure only (an exception's class, or "timeout"):
messages of drivers can hold host names, URLs and passwords.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from huey import Huey
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.storage import Storage

CHECK_SECONDS = 1.0

Check = Callable[[], None]


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]  # name -> "ok", "timeout" or the failure's class name

    @property
    def ready(self) -> bool:
        return all(result == "ok" for result in self.checks.values())

    @property
    def failed(self) -> list[str]:
        return [name for name, result in self.checks.items() if result != "ok"]


def database_check(engine: Engine) -> Check:
    def check() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    return check


def queue_check(huey: Huey) -> Check:
    """Counting the queue's waiting tasks reads the SQLite file or asks Redis (LLEN)."""

    def check() -> None:
        huey.storage.queue_size()

    return check


def storage_check(storage: Storage) -> Check:
    """The store's own check: the folder can be written, or the bucket answers HEAD."""
    return storage.check


def run_checks(checks: Mapping[str, Check], *, within: float = CHECK_SECONDS) -> Readiness:
    """Every check at once, each given `within` seconds; a check still running is "timeout"."""
    results: dict[str, str] = {}
    threads = {
        name: threading.Thread(target=_run, args=(name, check, results), daemon=True, name=f"ready:{name}")
        for name, check in checks.items()
    }
    for thread in threads.values():
        thread.start()
    for thread in threads.values():
        thread.join(within)
    return Readiness({name: results.get(name, "timeout") for name in checks})


def _run(name: str, check: Check, results: dict[str, str]) -> None:
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - the answer names the failure; nothing is swallowed
        results[name] = type(exc).__name__
    else:
        results[name] = "ok"
