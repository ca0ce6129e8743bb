"""`make test` on a machine without Chromium: the browser tests skip with one line saying how
to install it, and in CI (CI=true) the same run fails. Runs pytest on tests/browser in a child
process with CAREERS_CHROMIUM pointing at a path where no browser is. The same for the
PostgreSQL + Redis runs on a machine without Redis (a PATH where no redis-server is)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = "apt-get install chromium"


def browser_tests(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    environment |= {"CAREERS_CHROMIUM": "/nonexistent/chromium", **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "tests/browser"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_chromium_the_browser_tests_skip_with_one_line_saying_how_to_install_it():
    run = browser_tests()
    assert run.returncode == 5, run.stdout  # nothing ran here; in `make test` the rest of the suite does
    hints = [line for line in run.stdout.splitlines() if INSTALL_HINT in line]
    assert len(hints) == 1 and hints[0].startswith("SKIPPED") and "/nonexistent/chromium" in hints[0]


def test_in_ci_a_missing_chromium_fails_the_browser_tests():
    run = browser_tests(CI="true")
    assert run.returncode == 1, run.stdout
    assert "CI needs them" in run.stdout and " errors in " in run.stdout
    assert "passed" not in run.stdout and "skipped" not in run.stdout


def local_queue_tests(**env: str) -> subprocess.CompletedProcess:
    """test_local_queue (one test, on SQLite and on PostgreSQL + Redis) on a PATH without
    redis-server: Redis is missing."""
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    environment |= {"PATH": str(Path(sys.executable).parent), **env}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/integration/test_local_queue.py",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_redis_the_sqlite_run_passes_and_one_line_says_what_was_left_out_and_how_to_install():
    run = local_queue_tests()
    assert run.returncode == 0, run.stdout
    assert "1 passed, 1 deselected" in run.stdout
    hints = [line for line in run.stdout.splitlines() if "apt-get install postgresql redis-server" in line]
    assert len(hints) == 1 and hints[0].startswith("NOT RUN: "), run.stdout
    assert "Redis is not installed" in hints[0] and "did not run" in hints[0]


def test_in_ci_missing_redis_fails_the_postgres_and_redis_run():
    run = local_queue_tests(CI="true")
    assert run.returncode == 1, run.stdout
    assert "CI needs them" in run.stdout and "1 passed, 1 error in " in run.stdout
    assert "NOT RUN" not in run.stdout and "deselected" not in run.stdout
