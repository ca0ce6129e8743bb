"""Imports run one way (web > intake > ats, resume, storage > models) and web packages stay apart.

The contracts live in pyproject.toml under [tool.importlinter]; these tests run them, so a
wrong-way import fails the suite as well as `make check`.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def contracts() -> list[dict]:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return settings["tool"]["importlinter"]["contracts"]


def test_every_import_follows_the_layers_and_keeps_web_packages_apart():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in result.stdout


def test_every_blueprint_package_is_bound_by_both_contracts(app):
    """A new web package joins the contracts, or a wrong-way import from it would go unseen."""
    packages = {blueprint.import_name for blueprint in app.blueprints.values()}
    by_type = {contract["type"]: contract for contract in contracts()}
    top_layer = {name.strip() for name in by_type["layers"]["layers"][0].replace("|", ":").split(":")}
    assert packages == top_layer
    assert packages == set(by_type["independence"]["modules"])
