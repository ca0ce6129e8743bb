"""gunicorn settings for the web processes in production (docs/deploy.md explains each):

    gunicorn -c python:app.gunicorn_config 'app:create_app()' --bind 127.0.0.1:8000

Deliveries run in separate `flask --app app worker` processes, never in gunicorn's.
"""

from __future__ import annotations

import os

from app.logging_setup import configure_logging

# A slow or stuck connection holds one thread, not a whole process.
worker_class = "gthread"
workers = max(2, os.cpu_count() or 1)
threads = 8
timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200

# On SIGTERM gunicorn stops accepting and gives requests in flight this long before killing
# its workers, so the service is gone within 10 seconds (SIGINT stops at once).
graceful_timeout = 8

# gunicorn 25.1+ opens a control socket at one fixed path per user ($HOME/.gunicorn/gunicorn.ctl):
# two services on one host would share it, and closing it adds seconds to a stop. We do not use
# gunicornc; systemd or the container runtime sends the signals.
control_socket_disable = True


def on_starting(server) -> None:
    """Our log format and levels, set once in the master and inherited by forked workers."""
    configure_logging()


def post_fork(server, worker) -> None:
    """Start this web process's resume parsers now, so the first upload does not wait for them."""
    from app.resume.runner import start_pool

    start_pool()


def child_exit(server, worker) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, a worker's live gauges end with it (its counters stay:
    they are totals). prometheus_client's recipe for gunicorn."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
