"""Command-line tools: `flask users create`, `flask jobs load`, `flask serve`, `flask worker`,
`flask ats sync-jobs`, `flask sandbox <kind>`."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import signal
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts.invites import ROLES
from app.accounts.passwords import WeakPassword, check_password
from app.extensions import db, db_session
from app.jobs_io import JobFileError, load_jobs
from app.logging_setup import configure_logging
from app.mail.settings import mail_settings
from app.models import Job, User

DEMO_JOBS = Path(__file__).parent / "demo" / "jobs.json"

log = logging.getLogger(__name__)


def register_cli(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(jobs)
    app.cli.add_command(serve)
    app.cli.add_command(worker)
    app.cli.add_command(prepare)
    app.cli.add_command(ats)
    app.cli.add_command(sandbox)


@click.group(help="HR users of the admin area.")
def users() -> None:
    pass


@users.command("create")
@click.argument("email")
@click.option("--role", default="admin", type=click.Choice(ROLES), show_default=True)
@click.password_option(help="Prompted for when not given.")
def create_user(email: str, role: str, password: str) -> None:
    email = email.strip().lower()
    try:
        check_password(password, email)
    except WeakPassword as weak:
        raise click.ClickException(weak.message % {"count": weak.count}) from weak
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, role=role)
        db.session.add(user)
    user.role = role
    user.set_password(password)
    user.invite_nonce = None
    db.session.commit()
    click.echo(f"User {email} ({role}) saved.")


@click.group(help="Jobs in local mode.")
def jobs() -> None:
    pass


@jobs.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load(path: str) -> None:
    try:
        created, updated = load_jobs(db_session(), path)
    except JobFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{created} jobs created, {updated} updated.")


def prepare_database(app: Flask) -> None:
    """Apply migrations; on first start with LOAD_DEMO_JOBS, load the demo jobs."""
    from flask_migrate import upgrade

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    upgrade()
    if app.config["LOAD_DEMO_JOBS"] and db.session.scalar(select(Job.id).limit(1)) is None:
        created, _ = load_jobs(db_session(), DEMO_JOBS)
        click.echo(f"Loaded {created} demo jobs.")


@click.command("prepare", help="Apply database migrations (and demo jobs when configured).")
def prepare() -> None:
    configure_logging()
    prepare_database(_current_app())


@click.command("serve", help="Migrate, then serve with a delivery worker in this process.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, help="0 picks a free port (printed at start).")
def serve(host: str, port: int) -> None:
    """Stops on SIGTERM or Ctrl+C: no new requests, running deliveries get the grace period to
    finish, the rest are handed back for the next start (a second Ctrl+C skips the wait)."""
    from werkzeug.serving import make_server

    from app.intake.tasks import start_consumer

    configure_logging()
    app = _current_app()
    prepare_database(app)
    resume_deliveries(app)
    consumer = start_consumer(
        app.extensions["careers.tasks"].huey,
        app.config["WORKER_THREADS"],
        max_delay=1.0,
        shutdown_timeout=float(app.config["SHUTDOWN_GRACE_SECONDS"]),
    )
    server = make_server(host, port, app, threaded=True)
    for signum in (signal.SIGINT, signal.SIGTERM):  # SIGTERM stops like Ctrl+C
        signal.signal(signum, signal.default_int_handler)
    url = f"http://{host}:{server.server_port}"
    click.echo(f"Careers site on {url}  (admin: {url}/admin)")
    click.echo(mail_settings(app.config).describe())
    try:
        server.serve_forever()  # returns on Ctrl+C (or SIGTERM), closing the listening socket
    finally:
        log.info("stopping: deliveries running now get %ss to finish", consumer.shutdown_timeout)
        consumer.stop(graceful=True)  # a second Ctrl+C or SIGTERM ends the wait at once
        hand_back(app)


@click.command("worker", help="Run a standalone delivery worker (for production).")
@click.option("--threads", default=4, show_default=True)
def worker(threads: int) -> None:
    """Huey's consumer owns the process's signals: SIGTERM lets running deliveries finish within
    the grace period, SIGINT (Ctrl+C) stops at once; either way what still runs is handed back."""
    configure_logging()
    app = _current_app()
    log.info("%s", mail_settings(app.config).describe())
    resume_deliveries(app)
    consumer = app.extensions["careers.tasks"].huey.create_consumer(
        workers=threads,
        worker_type="thread",
        periodic=True,
        shutdown_timeout=float(app.config["SHUTDOWN_GRACE_SECONDS"]),
        graceful_signal="TERM",
    )
    consumer.run()
    hand_back(app)


def resume_deliveries(app: Flask) -> None:
    """Queue the deliveries that are due now (those a stop handed back among them) instead of
    leaving them to the sweep's next tick, minutes away."""
    from app.intake.tasks import sweep_once

    with app.app_context():
        count = sweep_once(app)
    if count:
        log.info("%d due deliveries queued at start", count)


def hand_back(app: Flask) -> None:
    from app.intake.tasks import release_in_flight
    from app.models import utcnow

    released = release_in_flight(app, utcnow())
    log.info("stopped; %d unfinished deliveries handed back for the next start", released)


def _current_app() -> Flask:
    """The real app behind the `current_app` proxy, for code that outlives the CLI context."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


ats = AppGroup("ats", help="The target applicant tracking system (settings: ATS in instance/config.py).")


@ats.command("sync-jobs", help="Pull the ATS's jobs into the listings; close the ones it closed.")
def sync_jobs_command() -> None:
    from app.ats.base import AtsError
    from app.intake.tasks import sync_target_jobs

    app = _current_app()
    try:
        report = sync_target_jobs(app, app.extensions["careers.adapters"])
    except AtsError as exc:
        raise click.ClickException(f"Sync failed: {exc}") from exc
    if report is None:
        raise click.ClickException('The ATS kind is "local": jobs are managed here, nothing to sync.')
    click.echo(f"Jobs from {app.config['ATS']['kind']}: {report}.")


def sandbox_kinds() -> list[str]:
    import app.ats.sandbox as package

    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name != "common")


@click.command("sandbox", help="Serve an ATS sandbox (seeded jobs, stages, sources) locally.")
@click.argument("kind")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5051, show_default=True)
def sandbox(kind: str, host: str, port: int) -> None:
    if kind not in sandbox_kinds():
        raise click.ClickException(f"No sandbox for {kind!r}; known: {', '.join(sandbox_kinds())}.")
    module = importlib.import_module(f"app.ats.sandbox.{kind}")
    click.echo(f"{kind} sandbox on http://{host}:{port}")
    module.serve(host, port, {})
