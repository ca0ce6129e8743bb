"""Tests marked `pg_redis` run on PostgreSQL and Redis (tests/support/engines.py). Without
them installed the run still works: those tests are left out (counted as deselected) and the run
ends with one line saying what was left out and how to install the servers. In CI (CI=true)
they run, and fail when a server is missing: CI must never go green by running none of them.
"""

from __future__ import annotations

import os

import pytest

from tests.support.engines import postgres_missing, redis_missing

MARKER = "pg_redis"
HOW = (
    "install them with `sudo apt-get install postgresql redis-server` (Debian/Ubuntu), "
    "or run `make test` as root"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def engines_missing() -> str | None:
    """What is not installed, e.g. "PostgreSQL is not installed (...)"; None when both are."""
    missing = [reason for reason in (postgres_missing(), redis_missing()) if reason]
    return "; ".join(missing) or None


def not_run() -> str:
    return f"{engines_missing()}, so the PostgreSQL + Redis tests (marked {MARKER}) did not run: {HOW}"


def register(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: runs on PostgreSQL and Redis (tests/support/engines.py)")


def leave_out_without_engines(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselected rather than skipped: a skip would print a line per test in the summary."""
    if in_ci() or engines_missing() is None:
        return
    left_out = [item for item in items if item.get_closest_marker(MARKER)]
    if left_out:
        items[:] = [item for item in items if not item.get_closest_marker(MARKER)]
        config.hook.pytest_deselected(items=left_out)


def summarize(terminalreporter) -> None:
    """The one loud line at the end of a run that left the PostgreSQL + Redis tests out."""
    if not in_ci() and engines_missing() is not None:
        terminalreporter.write_line(f"NOT RUN: {not_run()}", yellow=True, bold=True)
