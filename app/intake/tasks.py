"""Huey tasks: deliver one application, sweep for deliveries the queue lost, tidy held uploads
and expired drafts, pull the target ATS's jobs into ours, queue HR's daily digests, delete
applications past their retention (daily), erase in the ATS what a candidate or HR asked.

Every task takes ids only: the queue's storage holds no personal data.

Tasks are registered on the Huey instance that create_app made, so nothing connects at import.
"""

from __future__ import annotations

import functools
import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from flask import Flask, has_app_context
from huey import Huey, crontab
from huey.consumer import Consumer
from sqlalchemy import CursorResult, update

from app import audit, telemetry
from app.ats.base import Eraser
from app.ats.cache import SharedLookups
from app.ats.registry import build_adapter, shared_limiter
from app.drafts import store as drafts
from app.erasure import run as erasure_service
from app.erasure.letters import Letters
from app.extensions import cache_backend, db, db_session
from app.intake import delivery as delivery_service
from app.intake import outbox
from app.intake.demographics import read_choices
from app.intake.digest import send_digests
from app.intake.incidents import note_delivery_outcome
from app.intake.links import resume_link_maker
from app.intake.post import EXTENSION as POST_EXTENSION
from app.intake.post import Post
from app.intake.queue import PatientRedisHuey
from app.intake.submit import HELD_FOLDER, remove_orphan_files
from app.intake.sync import SyncReport, sync_jobs
from app.logging_setup import current_request_id, request_id_set
from app.mail.settings import mail_settings
from app.mail.transport import Transport, transport_for
from app.models import Delivery, Erasure, utcnow
from app.privacy.retention import InAts, RetentionReport, apply_retention
from app.resume.service import purge_parse_results
from app.settings import current as current_settings
from app.shared import StoreDown, counter_storage
from app.storage import Storage, storage_for

log = logging.getLogger(__name__)

HELD_UPLOAD_TTL = timedelta(hours=24)
SYNC_INTERVAL_MINUTES = 15
RETENTION_AT = crontab(minute="17", hour="3")  # daily, at a quiet hour (UTC)
AUDIT_PURGE_AT = crontab(minute="37", hour="3")
DIGEST_MINUTE = 7  # past each hour: HR's daily digests of the day before, once each


class InFlight:
    """The applications whose delivery runs in this process right now, so that a process about
    to stop can hand them back (see `release_in_flight`)."""

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self._lock = threading.Lock()

    @contextmanager
    def holding(self, application_id: int) -> Iterator[None]:
        with self._lock:
            self._ids.add(application_id)
        try:
            yield
        finally:
            with self._lock:
                self._ids.discard(application_id)

    def ids(self) -> list[int]:
        with self._lock:
            return sorted(self._ids)


@dataclass
class Tasks:
    huey: Huey
    deliver: Any
    sweep: Any
    sync_jobs: Any = None
    in_flight: InFlight = field(default_factory=InFlight)
    send_mail: Any = None
    erase: Any = None

    def enqueue_delivery(self, application_id: int, delay: float | None = None) -> None:
        """Queue a delivery; the request id of the request (or delivery) queuing it goes along,
        so the worker's log records of this application carry it too."""
        request_id = current_request_id()
        extra = {"request_id": request_id} if request_id else {}
        if delay:
            self.deliver.schedule((application_id,), extra, delay=delay)
        else:
            self.deliver(application_id, **extra)

    def enqueue_mail(self, outbox_id: int, delay: float | None = None) -> None:
        if delay:
            self.send_mail.schedule((outbox_id,), delay=delay)
        else:
            self.send_mail(outbox_id)

    def enqueue_erasure(self, erasure_id: int, delay: float | None = None) -> None:
        if delay:
            self.erase.schedule((erasure_id,), delay=delay)
        else:
            self.erase(erasure_id)


class Adapters:
    """One adapter (one pooled HTTP client) per target kind, built on first use.

    Every adapter of a kind with a documented request budget gets the limiter shared by all
    worker processes: through Redis when one is configured, else through a SQLite file in the
    instance folder. Quotas (NexivoHR's daily one) are counted in the same Redis, and the
    lookups (jobs, stages, sources) kept in Flask-Caching's cache, Redis when set.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._counters = counter_storage(app.config)
        self._built: dict[str, tuple[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, kind: str):
        """The adapter for `kind`, built again when its settings changed (HR saved a new
        connection), so the next delivery uses them without a restart."""
        settings = self._settings(kind)
        fingerprint = json.dumps(settings, sort_keys=True, default=str)
        with self._lock:
            built = self._built.get(kind)
            if built is None or built[0] != fingerprint:
                self._built[kind] = (fingerprint, self._build(settings, forget=False))
            return self._built[kind][1]

    def fresh(self, kind: str):
        """A new adapter whose lookups every process reads again from the ATS (a job sync must
        see the ATS as it is now, and so must the deliveries after it)."""
        return self._build(self._settings(kind), forget=True)

    def _settings(self, kind: str) -> dict[str, Any]:
        if has_app_context():
            settings = current_settings().ats()
        else:
            with self._app.app_context():
                settings = current_settings().ats()
        return settings if settings.get("kind", "local") == kind else {"kind": kind}

    def _build(self, settings: dict[str, Any], *, forget: bool):
        kind = settings.get("kind", "local")
        lookups = SharedLookups(cache_backend(self._app), f"{kind}:{settings.get('base_url', '')}")
        if forget:
            try:
                lookups.forget()
            except StoreDown:
                pass  # the shared lookups are not read while their store is down either
        return build_adapter(
            settings,
            limiter=self._limiter(settings),
            counters=self._counters,
            lookups=lookups,
            resume_link=resume_link_maker(self._app),
            demographics=read_choices(db_session),
        )

    def _limiter(self, settings: dict):
        folder = Path(self._app.instance_path)
        folder.mkdir(parents=True, exist_ok=True)
        return shared_limiter(settings, str(folder / "ratelimit.db"), self._counters)


def register_tasks(huey: Huey, app: Flask) -> Tasks:
    adapters = Adapters(app)
    app.extensions["careers.adapters"] = adapters
    in_flight = InFlight()

    @huey.task(name="deliver")
    def deliver(application_id: int, request_id: str | None = None) -> str:
        with in_flight.holding(application_id), app.app_context(), request_id_set(request_id):
            return run_delivery(app, adapters, application_id)

    interval = int(app.config["SWEEP_INTERVAL_MINUTES"])

    @huey.periodic_task(crontab(minute=f"*/{interval}"), name="sweep")
    def sweep() -> int:
        with app.app_context():
            return sweep_once(app)

    @huey.periodic_task(crontab(minute=f"*/{SYNC_INTERVAL_MINUTES}"), name="sync_jobs")
    def sync_jobs_task() -> str:
        with app.app_context():
            report = sync_target_jobs(app, adapters)
            return "local" if report is None else str(report)

    @huey.periodic_task(AUDIT_PURGE_AT, name="audit_purge")
    def audit_purge() -> int:
        with app.app_context():
            return run_audit_purge(app)

    @huey.periodic_task(RETENTION_AT, name="retention")
    def retention() -> int:
        with app.app_context():
            return run_retention(app).applications

    transport = transport_for(mail_settings(app.config))

    @huey.task(name="send_mail")
    def send_mail(outbox_id: int) -> str:
        with app.app_context():
            return run_send(app, outbox_id, transport)

    @huey.task(name="erase")
    def erase(erasure_id: int) -> str:
        with app.app_context():
            return run_erasure(app, adapters, erasure_id)

    @huey.periodic_task(crontab(minute=str(DIGEST_MINUTE)), name="hr_digest")
    def hr_digest() -> int:
        """Hourly, so a day's digest goes out soon after midnight even if a run was missed."""
        with app.app_context():
            return send_digests(db_session(), app.extensions[POST_EXTENSION], now=utcnow())

    if isinstance(huey, PatientRedisHuey):
        huey.recovered.append(lambda: sweep())  # wake-ups a restarted Redis lost are queued again

    tasks = Tasks(huey, deliver, sweep, sync_jobs_task, in_flight, send_mail, erase)
    app.extensions["careers.tasks"] = tasks
    app.extensions[POST_EXTENSION] = Post.for_app(app, tasks.enqueue_mail)
    return tasks


def run_audit_purge(app: Flask, *, now: datetime | None = None) -> int:
    """Delete the audit log entries older than AUDIT_RETENTION_DAYS at `now` (default: the present)."""
    removed = audit.purge(db_session(), now or utcnow(), int(app.config["AUDIT_RETENTION_DAYS"]))
    db_session().commit()
    return removed


def run_retention(app: Flask, *, now: datetime | None = None) -> RetentionReport:
    """Delete the applications past their retention at `now` (default: the present), and with
    RETENTION_ERASE_IN_ATS their copies in the ATS; wake the worker for those erasures."""
    in_ats = None
    if app.config["RETENTION_ERASE_IN_ATS"]:
        in_ats = InAts(erases_in(app.extensions["careers.adapters"]), Letters(app.extensions[POST_EXTENSION]))
    report = apply_retention(db_session(), storage_for(app), now=now or utcnow(), in_ats=in_ats)
    for erasure_id in report.erasures:
        app.extensions["careers.tasks"].enqueue_erasure(erasure_id)
    return report


def erases_in(adapters: Adapters) -> Callable[[str], bool]:
    """Whether a target's adapter documents an erasure. A target no longer configured cannot
    be built, so no one can erase in it from here: its erasure is HR's task."""

    @functools.cache
    def erases(kind: str) -> bool:
        try:
            return isinstance(adapters.get(kind), Eraser)
        except (KeyError, TypeError, ValueError):  # its settings are gone
            return False

    return erases


def run_send(app: Flask, outbox_id: int, transport: Transport) -> str:
    """Send one outbox message in this worker, and schedule its next attempt when it must wait."""
    sent = outbox.send_one(
        db_session(),
        outbox_id,
        transport=transport,
        settings=mail_settings(app.config),
        policy=mail_policy(app),
    )
    if sent.status == "retry":
        app.extensions["careers.tasks"].enqueue_mail(outbox_id, delay=sent.delay)
    return sent.status


def mail_policy(app: Flask) -> outbox.MailPolicy:
    return outbox.MailPolicy(**retry_settings(app, "MAIL"))


def retry_settings(app: Flask, prefix: str) -> dict[str, Any]:
    """Attempts, backoff and lease of one kind of queued work: the DELIVERY_* or MAIL_* settings."""
    return dict(
        max_attempts=int(app.config[f"{prefix}_MAX_ATTEMPTS"]),
        backoff_base=float(app.config[f"{prefix}_BACKOFF_BASE"]),
        backoff_cap=float(app.config[f"{prefix}_BACKOFF_CAP"]),
        lease=timedelta(seconds=float(app.config.get(f"{prefix}_LEASE_SECONDS", 300))),
    )


def run_delivery(app: Flask, adapters: Adapters, application_id: int) -> str:
    """Deliver in this worker; "lost" (another worker took the row over) needs nothing more."""
    session = db.session()  # the app context's own session, not the scoped proxy
    row = session.scalar(
        db.select(delivery_service.Delivery).where(delivery_service.Delivery.application_id == application_id)
    )
    if row is None:
        return "missing"
    outcome = delivery_service.deliver(
        session,
        application_id,
        adapter=adapters.get(row.target),
        storage=storage_for(app),
        policy=policy_from(app),
    )
    telemetry.delivery_ended(row.target, outcome.status)
    if outcome.status == "retry":
        app.extensions["careers.tasks"].enqueue_delivery(application_id, delay=outcome.delay)
    if outcome.status in ("lost", "skipped"):  # nothing ended here; the row may be erased
        return outcome.status
    session.refresh(row)
    note_delivery_outcome(  # HR's alert, once per incident
        session,
        app.extensions[POST_EXTENSION],
        target=row.target,
        status=outcome.status,
        application_id=application_id,
        error=row.last_error,
        now=utcnow(),
    )
    return outcome.status


def run_erasure(app: Flask, adapters: Adapters, erasure_id: int) -> str:
    """Erase in the ATS in this worker, with the delivery's attempts, backoff and lease."""
    session = db.session()
    row = session.get(Erasure, erasure_id)
    if row is None:
        return "missing"
    if row.status not in ("pending", "erasing"):  # finished: no adapter to build for it
        return "skipped"
    ended = erasure_service.erase_one(
        session,
        erasure_id,
        adapter=adapters.get(row.target),
        letters=Letters(app.extensions[POST_EXTENSION]),
        policy=policy_from(app),
    )
    if ended.status == "retry":
        app.extensions["careers.tasks"].enqueue_erasure(erasure_id, delay=ended.delay)
    return ended.status


def policy_from(app: Flask) -> delivery_service.Policy:
    return delivery_service.Policy(**retry_settings(app, "DELIVERY"))


def sync_target_jobs(app: Flask, adapters: Adapters) -> SyncReport | None:
    """Pull the configured ATS's jobs into ours; None when jobs are our own (kind "local")."""
    kind = current_settings().ats_kind
    if kind == "local":
        return None
    return sync_jobs(db_session(), adapters.fresh(kind), kind)


def sweep_once(app: Flask, *, now: float | None = None) -> int:
    """Re-enqueue every due delivery (the row is the truth), drop stale held uploads, files a
    killed process left, parse results no form needs any more, and expired drafts."""
    seconds = time.time() if now is None else now
    moment = utcnow() if now is None else datetime.fromtimestamp(now, UTC).replace(tzinfo=None)
    tasks = app.extensions["careers.tasks"]
    due = delivery_service.due_deliveries(db_session(), moment)
    for application_id in due:
        tasks.enqueue_delivery(application_id)
    for outbox_id in outbox.due_messages(db_session(), moment):
        tasks.enqueue_mail(outbox_id)
    for erasure_id in erasure_service.due_erasures(db_session(), moment):
        tasks.enqueue_erasure(erasure_id)
    storage = storage_for(app)
    remove_stale_held_uploads(storage, now=seconds)
    remove_orphan_files(db_session(), storage, now=seconds)
    keep = timedelta(hours=float(app.config["PARSED_RESUME_HOURS"]))
    purge_parse_results(db_session(), now=moment, keep=keep)
    drafts.remove_expired(db_session(), storage, now=moment)
    drafts.forget_sent_links(db_session(), now=moment, keep_for=timedelta(days=int(app.config["DRAFT_DAYS"])))
    return len(due)


def remove_stale_held_uploads(storage: Storage, *, now: float | None = None) -> int:
    """Held uploads whose form was never sent: a hold token lives a day, so does its file."""
    cutoff = (time.time() if now is None else now) - HELD_UPLOAD_TTL.total_seconds()
    stale = storage.older_than(HELD_FOLDER, cutoff)
    for key in stale:
        storage.delete(key)
    return len(stale)


def start_consumer(
    huey: Huey,
    workers: int = 2,
    *,
    max_delay: float = 10.0,
    periodic: bool = True,
    shutdown_timeout: float | None = None,
) -> Consumer:
    """A consumer in this process (threads), for `flask serve`; returns it so it can be stopped.

    `max_delay` caps how long an idle worker waits between polls of the queue;
    `consumer.stop(graceful=True)` waits at most `shutdown_timeout` seconds for running tasks.
    Huey's signal handlers are for a consumer that owns the process (`flask worker`): here
    nobody would act on them and SIGTERM or Ctrl+C would be swallowed, so the process's own
    handlers are put back.
    """
    consumer = huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=periodic,
        check_worker_health=False,
        max_delay=max_delay,
        shutdown_timeout=shutdown_timeout,
    )
    kept = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()
    for signum, handler in kept.items():
        signal.signal(signum, handler)
    return consumer


def release_in_flight(app: Flask, now: datetime) -> int:
    """End the lease of every delivery still running in this process, for a process about to exit.

    A delivery's lease outlives a killed worker by minutes; handed back, it is due at once and
    the sweep of the next start resumes it from its checkpoints (a create whose answer was lost
    is looked up before it is repeated, so nothing is delivered twice). The claim token goes
    too, so a thread of this process that wakes before the exit writes and sends nothing more.
    The attempt cut short by our own stop is not counted against the delivery's limit.
    """
    ids = app.extensions["careers.tasks"].in_flight.ids()
    if not ids:
        return 0
    with app.app_context():
        session = db_session()
        result = session.execute(
            update(Delivery)
            .where(Delivery.application_id.in_(ids), Delivery.status == "in_progress")
            .values(lease_until=now, claim_token=None, attempts=Delivery.attempts - 1)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return cast(CursorResult, result).rowcount
