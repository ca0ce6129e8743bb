"""Which adapter serves which kind of target: a plain dict, one line per ATS.

Each vendor module declares its own `build`, `RATE_LIMIT` and `RESUME_FORMATS`; these tables
only name them.
Importing this module connects to nothing: builders only make a client when called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from limits.storage import Storage

from app.ats import dover, greenhouse, local, nexivohr, skailer, workable
from app.ats.base import AtsAdapter, RateLimit
from app.ats.ratelimit import Limiter, SharedWindow, SqliteWindow

Builder = Callable[..., AtsAdapter]


@dataclass(frozen=True)
class Vendor:
    build: Builder
    rate_limit: RateLimit | None  # the vendor's documented budget, None when it documents none


VENDORS: dict[str, Vendor] = {
    "local": Vendor(local.build, local.RATE_LIMIT),
    "skailer": Vendor(skailer.build, skailer.RATE_LIMIT),
    "dover": Vendor(dover.build, dover.RATE_LIMIT),
    "nexivohr": Vendor(nexivohr.build, nexivohr.RATE_LIMIT),
    "workable": Vendor(workable.build, workable.RATE_LIMIT),
    # settings["flavour"]: "harvest" (default) or "job_board"
    "greenhouse": Vendor(greenhouse.build, greenhouse.RATE_LIMIT),
}
BUILDERS: dict[str, Builder] = {kind: vendor.build for kind, vendor in VENDORS.items()}

# The resume formats each adapter (by its `name`: Greenhouse's two flavours differ) may send as
# they are. The delivery sends a resume in any other format as a PDF rendition.
RESUME_FORMATS: dict[str, frozenset[str]] = {
    "local": local.RESUME_FORMATS,
    "skailer": skailer.RESUME_FORMATS,
    "dover": dover.RESUME_FORMATS,
    "nexivohr": nexivohr.RESUME_FORMATS,
    "workable": workable.RESUME_FORMATS,
    "greenhouse": greenhouse.RESUME_FORMATS,
    "greenhouse_job_board": greenhouse.JOB_BOARD_RESUME_FORMATS,
}


def resume_formats(adapter_name: str) -> frozenset[str] | None:
    """What this adapter's ATS takes as a resume; None for an adapter that declares nothing
    (a test's fake), whose resumes go as they are."""
    return RESUME_FORMATS.get(adapter_name)


def rate_limit(settings: Mapping[str, Any]) -> RateLimit | None:
    """The target's budget: its `rate_limit_per_minute` when set, else the vendor's own."""
    per_minute = settings.get("rate_limit_per_minute")
    if per_minute:
        return RateLimit(int(per_minute), 60.0)
    vendor = VENDORS.get(settings.get("kind", "local"))
    return vendor.rate_limit if vendor else None


def shared_limiter(settings: Mapping[str, Any], path: str, counters: Storage | None = None) -> Limiter | None:
    """The request budget for this target shared by every worker: in `counters` (Redis, so
    workers on every machine count together) when given, else in the SQLite file at `path`
    (the processes of one machine).

    None when the kind documents no limit. Keyed by kind and base URL, so two tenants of one
    vendor keep separate budgets.
    """
    limit = rate_limit(settings)
    if limit is None:
        return None
    target = f"{settings.get('kind', 'local')}:{settings.get('base_url', '')}"
    if counters is not None:
        return SharedWindow(counters, target, limit.requests, limit.seconds)
    return SqliteWindow(path, target, limit.requests, limit.seconds)


def build_adapter(
    settings: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    limiter: Limiter | None = None,
    **services: Any,
) -> AtsAdapter:
    """The adapter for `settings["kind"]` (default "local"), built from the rest of settings.

    `services` are what some adapters need from the app (NexivoHR's `resume_link`); every
    builder takes and ignores what it does not use.
    """
    kind = settings.get("kind", "local")
    if kind not in VENDORS:
        raise ValueError(f"unknown ATS kind {kind!r}; known: {', '.join(sorted(VENDORS))}")
    return VENDORS[kind].build(dict(settings), transport=transport, limiter=limiter, **services)
