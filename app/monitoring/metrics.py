"""The /metrics page: the counters every process recorded (app.telemetry) and gauges read from
the database when Prometheus asks (the Delivery rows are the truth, in every process alike).

Who may read it: with METRICS_TOKEN set, a request bearing `Authorization: Bearer <token>`;
without it, only a scraper on this machine talking to gunicorn directly (a loopback address
and no X-Forwarded-For or Forwarded header, which the proxy in front always adds).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Callable, Iterator
from datetime import datetime

from flask import Request
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Application, Delivery

WAITING = ("pending", "in_progress")
MULTIPROCESS_SETTING = "PROMETHEUS_MULTIPROC_DIR"


class DeliveryGauges:
    """A prometheus_client collector whose values are two cheap queries at scrape time."""

    def __init__(self, session: Session, now: Callable[[], datetime]) -> None:
        self._session = session
        self._now = now

    def collect(self) -> Iterator[Metric]:
        by_status = GaugeMetricFamily(
            "careers_deliveries_now", "Delivery rows by target ATS kind and status", labels=["ats", "status"]
        )
        depth = 0
        rows = self._session.execute(
            select(Delivery.target, Delivery.status, func.count()).group_by(Delivery.target, Delivery.status)
        )
        for target, status, count in rows:
            by_status.add_metric([target, status], count)
            depth += count if status in WAITING else 0
        yield by_status
        yield GaugeMetricFamily(
            "careers_delivery_queue_depth", "Deliveries pending or in progress", value=depth
        )
        oldest = self._session.scalar(
            select(func.min(Application.created_at))
            .join(Delivery, Delivery.application_id == Application.id)
            .where(Delivery.status.in_(WAITING))
        )
        age = max(0.0, (self._now() - oldest).total_seconds()) if oldest else 0.0
        yield GaugeMetricFamily(
            "careers_oldest_undelivered_application_age_seconds",
            "Age of the oldest application whose delivery is waiting or running (0 when none)",
            value=age,
        )


def exposition(gauges: DeliveryGauges) -> bytes:
    """The text format: every process's counters (added up from PROMETHEUS_MULTIPROC_DIR when
    set, else this process's own), then the gauges."""
    if os.environ.get(MULTIPROCESS_SETTING):
        recorded = CollectorRegistry()
        multiprocess.MultiProcessCollector(recorded)  # type: ignore[no-untyped-call]
    else:
        recorded = REGISTRY
    now = CollectorRegistry(auto_describe=False)
    now.register(gauges)
    return generate_latest(recorded) + generate_latest(now)


def may_read(request: Request, token: str) -> bool:
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    relayed = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    return not relayed and _is_loopback(request.remote_addr)


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False
