"""gunicorn settings for the web processes in production:

    gunicorn -c python:app.gunicorn_config -b 0.0.0.0:8000 'app:create_app()'

Deliveries run in separate `flask --app app worker` processes, never in gunicorn's.
"""

from __future__ import annotations

from app.logging_setup import configure_logging

# On SIGTERM gunicorn stops accepting and gives requests in flight this long before killing
# its workers, so the service is gone within 10 seconds (SIGINT stops at once).
graceful_timeout = 8


def on_starting(server) -> None:
    """Our log format and levels, set once in the master and inherited by forked workers."""
    configure_logging()
