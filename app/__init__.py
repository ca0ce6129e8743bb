"""The careers intake service: create_app() builds the Flask app from settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import (
    ENV_PREFIX,
    ConfigError,
    check_embed_origins,
    check_notify_mode,
    ensure_secret_key,
    load_settings,
)
from app.db_retry import install_transaction_retry
from app.extensions import cache, csrf, db, limiter, login_manager, migrate
from app.i18n import init_i18n
from app.intake.requests import CareersRequest
from app.job_display import register_job_display
from app.monitoring import register_monitoring
from app.settings import register as register_settings
from app.shared import REDIS_TIMEOUTS, cache_settings, limits_uri, namespace, redis_url
from app.static_assets import register_static_assets
from app.storage import EXTENSION as STORAGE_EXTENSION
from app.storage import build_storage

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["create_app", "ConfigError"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The app, configured from defaults, instance/config.py, CAREERS_* and `config`.

    Logging is left to the process that runs the app (app.logging_setup for `flask serve`,
    `flask worker` and gunicorn), so tests and other hosts keep theirs.
    """
    instance_path = (
        (config or {}).get("INSTANCE_PATH")
        or os.environ.get(f"{ENV_PREFIX}_INSTANCE_PATH")
        or str(ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.request_class = CareersRequest
    load_settings(app.config, config)
    app.config["SECRET_KEY"] = ensure_secret_key(app.config, Path(app.instance_path))
    check_embed_origins(app.config)
    check_notify_mode(app.config)
    _apply(app)
    if int(app.config["TRUSTED_PROXIES"]):
        # Behind a load balancer the client address (rate limits) and https (Secure cookies,
        # HSTS) come from the proxy's headers; only as many hops as configured are believed.
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    register_static_assets(app)
    _init_extensions(app)
    register_job_display(app)
    register_settings(app)
    app.extensions[STORAGE_EXTENSION] = build_storage(app.config)
    _register_blueprints(app)
    init_i18n(app)
    _register_queue(app)
    register_monitoring(app)
    install_transaction_retry(app)
    from app.cli import register_cli

    register_cli(app)
    return app


def _apply(app: Flask) -> None:
    """Settings Flask and its extensions read under their own names, derived from ours."""
    settings = app.config
    max_bytes = int(settings["MAX_UPLOAD_MB"]) * 1024 * 1024
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings["DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings["DATABASE_URL"]),
        MAX_UPLOAD_BYTES=max_bytes,
        # Room for a resume and a file answer at the limit, so the form can say which file is too
        # large instead of a bare 413; anything beyond is refused before it is read.
        MAX_CONTENT_LENGTH=2 * max_bytes + 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings["SESSION_COOKIE_SECURE"],
        WTF_CSRF_TIME_LIMIT=None if settings["ENV"] == "development" else 4 * 3600,
        RATELIMIT_STORAGE_URI=_inbound_limits_uri(settings),
        RATELIMIT_STORAGE_OPTIONS=REDIS_TIMEOUTS,
        # Redis down must not refuse an application: limits go on counting in this process
        # until Redis answers again, and an error while counting lets the request through.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_KEY_PREFIX=namespace(settings),
        **cache_settings(settings),
    )


def _inbound_limits_uri(settings: Any) -> str:
    """Flask-Limiter's storage: as configured, else the shared Redis, so every web process
    counts together; memory:// only without Redis (one process in `make run`)."""
    if settings["RATELIMIT_STORAGE_URI"]:
        return str(settings["RATELIMIT_STORAGE_URI"])
    url = redis_url(settings)
    return limits_uri(url) if url else "memory://"


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and a busy timeout, so the web process and the worker can share one SQLite file."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "app" / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.session_protection = "strong"
    from app.security import register_security

    register_security(app)


def _register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.careers import bp as careers_bp
    from app.drafts.web import bp as drafts_bp
    from app.embed import bp as embed_bp
    from app.hooks import bp as hooks_bp
    from app.status import bp as status_bp

    app.register_blueprint(careers_bp)
    app.register_blueprint(drafts_bp)
    app.register_blueprint(embed_bp)
    app.register_blueprint(hooks_bp)
    app.register_blueprint(status_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api")


def _register_queue(app: Flask) -> None:
    from app.intake.queue import make_huey
    from app.intake.tasks import register_tasks

    huey = make_huey(app.config["QUEUE_URL"])
    register_tasks(huey, app)
