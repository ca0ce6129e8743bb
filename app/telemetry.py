"""The service's Prometheus counters and histograms, recorded where things happen.

Every process records into prometheus_client's default registry; with PROMETHEUS_MULTIPROC_DIR
set before the first import (gunicorn and `flask worker` under systemd), the values go to files
in that folder, which any web process's /metrics adds up. Labels stay few and bounded: target
kinds, vendors, methods, status classes and delivery statuses, never ids or paths.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
# A delivery's outcomes that end it; "retry", "paused", "skipped" and "lost" come back later.
FINAL_STATUSES = frozenset({"delivered", "already_in_ats", "failed", "needs_review"})

APPLICATIONS_RECEIVED = Counter(
    "careers_applications_received",
    "Applications stored, by the target ATS kind they are delivered to",
    ["target"],
)
DELIVERIES = Counter(
    "careers_deliveries",
    "Deliveries that ended, by target ATS kind and final status",
    ["ats", "status"],
)
ATS_CALLS = Histogram(
    "careers_ats_call_seconds",
    "Time of each call to an ATS, by vendor, method and status class ('429' apart; 'error': no answer)",
    ["vendor", "method", "status"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def application_received(target: str) -> None:
    APPLICATIONS_RECEIVED.labels(target=target).inc()


def delivery_ended(ats: str, status: str) -> None:
    """Count a delivery's outcome when it is final; the others are attempts, not endings."""
    if status in FINAL_STATUSES:
        DELIVERIES.labels(ats=ats, status=status).inc()


def ats_call(vendor: str, method: str, outcome: int | str, seconds: float) -> None:
    labels = {"vendor": vendor, "method": method_label(method), "status": status_class(outcome)}
    ATS_CALLS.labels(**labels).observe(seconds)


def method_label(method: str) -> str:
    upper = method.upper()
    return upper if upper in METHODS else "OTHER"


def status_class(outcome: int | str) -> str:
    """'2xx'..'5xx' for an answer, '429' on its own (a spent rate limit is worth its own
    series), 'error' for a call that got no answer (timeout, refused connection)."""
    if not isinstance(outcome, int):
        return "error"
    if outcome == 429:
        return "429"
    return f"{outcome // 100}xx" if 100 <= outcome < 600 else "error"
