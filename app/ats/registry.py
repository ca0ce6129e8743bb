"""Which adapter serves which kind of target: a plain dict, one line per ATS.

Importing this module connects to nothing: builders only make a client when called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from app.ats import dover, greenhouse, local, nexivohr, skailer, workable
from app.ats.ratelimit import Limiter, SqliteWindow

BUILDERS: dict[str, Callable[..., Any]] = {
    "local": local.build,
    "skailer": skailer.build,
    "dover": dover.build,
    "nexivohr": nexivohr.build,
    "workable": workable.build,
    "greenhouse": greenhouse.build,  # settings["flavour"]: "harvest" (default) or "job_board"
}

# Documented requests per minute; a target's settings may lower it with "rate_limit_per_minute".
RATE_LIMITS: dict[str, int] = {
    "skailer": skailer.RATE_LIMIT_PER_MINUTE,
}


def shared_limiter(settings: Mapping[str, Any], path: str) -> Limiter | None:
    """The cross-process request budget for this target, kept in the SQLite file at `path`.

    None when the kind documents no limit. Keyed by kind and base URL, so two tenants of one
    vendor keep separate budgets.
    """
    kind = settings.get("kind", "local")
    limit = settings.get("rate_limit_per_minute") or RATE_LIMITS.get(kind)
    if not limit:
        return None
    return SqliteWindow(path, f"{kind}:{settings.get('base_url', '')}", int(limit), 60.0)


def build_adapter(
    settings: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    **services: Any,
) -> Any:
    """The adapter for `settings["kind"]` (default "local"), built from the rest of settings.

    `services` are what some adapters need from the app (NexivoHR's `resume_link`); every
    builder takes and ignores what it does not use.
    """
    kind = settings.get("kind", "local")
    if kind not in BUILDERS:
        raise ValueError(f"unknown ATS kind {kind!r}; known: {', '.join(sorted(BUILDERS))}")
    return BUILDERS[kind](dict(settings), transport=transport, limiter=limiter, **services)
