"""Running a short Python script in a child process from the checkout, as a fresh process of
the service would start: for what only shows at process start (logging set up from the
environment, metrics shared between processes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_script(script: str, env: dict[str, str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `script` with this interpreter in the checkout; its output captured as text."""
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=check,
    )
