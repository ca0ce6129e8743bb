"""Tests marked `pg_redis` run on PostgreSQL and Redis (tests/support/engines.py). Without
them installed the run still works: those tests skip and the run ends with one line saying what
was skipped and how to install the servers. In CI (CI=true) they run, and fail when a server is
missing: CI must never go green by running none of them."""

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


def skip_reason() -> str:
    return f"{engines_missing()}, so the PostgreSQL + Redis tests did not run: {HOW}"


def register(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: runs on PostgreSQL and Redis (tests/support/engines.py)")


def skip_without_engines(items: list[pytest.Item]) -> None:
    if in_ci() or engines_missing() is None:
        return
    skip = pytest.mark.skip(reason=skip_reason())
    for item in items:
        if item.get_closest_marker(MARKER):
            item.add_marker(skip)


def summarize(terminalreporter) -> None:
    """The one loud line at the end of a run that left the PostgreSQL + Redis tests out."""
    if not in_ci() and engines_missing() is not None:
        terminalreporter.write_line(f"NOT RUN: {skip_reason()}", yellow=True, bold=True)
