"""Which adapter serves which kind of target: a plain dict, one line per ATS.

Importing this module connects to nothing: builders only make a client when called.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from app.ats import local, skailer
from app.ats.ratelimit import Limiter

BUILDERS: dict[str, Callable[..., Any]] = {
    "local": local.build,
    "skailer": skailer.build,
}


def build_adapter(settings: Mapping[str, Any], *, transport: httpx.BaseTransport | None = None,
                  limiter: Limiter | None = None) -> Any:
    """The adapter for `settings["kind"]` (default "local"), built from the rest of settings."""
    kind = settings.get("kind", "local")
    if kind not in BUILDERS:
        raise ValueError(f"unknown ATS kind {kind!r}; known: {', '.join(sorted(BUILDERS))}")
    return BUILDERS[kind](dict(settings), transport=transport, limiter=limiter)
