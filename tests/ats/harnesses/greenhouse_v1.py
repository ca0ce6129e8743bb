"""The retired Greenhouse Harvest v1, built only on `"harvest_api": "v1"`: still held to the
contract while a tenant may be served it."""

from __future__ import annotations

from . import Harness
from .greenhouse import make as make_greenhouse


def make(config: dict | None = None, **settings) -> Harness:
    return make_greenhouse(config, legacy=True, **settings)
