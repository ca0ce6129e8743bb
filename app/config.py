"""Settings: defaults, then instance/config.py, then CAREERS_* environment variables, then the
`config` mapping given to create_app (tests), each read by Flask's own Config loaders."""

from __future__ import annotations

import copy
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Config

DEFAULTS: dict[str, Any] = {
    "ENV": "production",  # "development" in `make run`
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # default: sqlite file in the instance folder
    "QUEUE_URL": None,  # default: SqliteHuey file in the instance folder
    "REDIS_URL": None,  # limits, quotas and caches shared by all processes; default: QUEUE_URL if Redis
    "REDIS_PREFIX": None,  # prefix of our Redis keys; default: derived from DATABASE_URL
    "UPLOAD_DIR": None,  # default: instance/uploads
    "STORAGE_URL": "",  # empty: files in UPLOAD_DIR; "s3://bucket/prefix": an S3-compatible bucket
    "S3_ENDPOINT_URL": "",  # an S3-compatible server's address; empty for AWS itself
    "S3_REGION": "",  # empty: boto3's own default (AWS_DEFAULT_REGION, ~/.aws/config)
    "MAX_UPLOAD_MB": 10,
    # an apply form is read up to this size, so a file over MAX_UPLOAD_MB gets a message on the form
    "MAX_APPLY_REQUEST_MB": 100,
    "COMPANY_NAME": "Example Corp",
    "COMPANY_URL": "https://example.com",
    "HOME_INTRO": "",  # plain text above the job list on the careers home page
    # The apply form's two consents; `%(months)s` in a text is its RETENTION_MONTHS period.
    "CONSENT_TEXT": (
        "I agree that my application data and resume are processed for this job opening "
        "and kept for up to %(months)s months."
    ),
    "CONSENT_VERSION": "2026-12-01",
    "CONSENT_FUTURE_TEXT": (
        "You may also keep my application for up to %(months)s months to consider me for other job openings."
    ),
    "CONSENT_FUTURE_VERSION": "2026-12-01",
    # How long an application is kept after each consent; the daily retention task deletes it
    # (rows, answers, files, mail) once every consent it was given has run out.
    "RETENTION_MONTHS": {"processing": 12, "future": 12},
    # The retention task also erases an expired application's copy in the ATS (through the
    # erasure machinery; HR's task where the vendor documents no way). False: the ATS keeps it.
    "RETENTION_ERASE_IN_ATS": True,
    "PRIVACY_NOTICE_URL": "https://example.com/privacy",  # linked next to the consent; empty: no link
    "JOBS_PER_PAGE": 10,
    "PAGE_CACHE_SECONDS": 10,  # public pages are re-rendered at most this often
    "APPLY_RATE_LIMIT": "20 per hour",
    "LOGIN_RATE_LIMIT": "10 per minute",
    "STATUS_LINKS_RATE_LIMIT": "20 per hour",  # requests to re-send status links, per client address
    "STATUS_LINKS_EMAIL_RATE_LIMIT": "3 per hour",  # re-sent status links, per email address
    "RATELIMIT_STORAGE_URI": None,  # default: REDIS_URL's Redis when set, else memory://
    "ATS": {"kind": "local"},
    "DELIVERY_MAX_ATTEMPTS": 8,
    "DELIVERY_BACKOFF_BASE": 30.0,
    "DELIVERY_BACKOFF_CAP": 3600.0,
    "SWEEP_INTERVAL_MINUTES": 5,
    "WORKER_THREADS": 2,
    "SHUTDOWN_GRACE_SECONDS": 6,  # on SIGTERM/Ctrl+C, running deliveries may finish for this long
    "RUN_WORKER": False,  # `make run` starts a consumer thread in the web process
    "LOAD_DEMO_JOBS": False,
    "EMBED_ALLOWED_ORIGINS": [],  # host sites that may frame /embed, e.g. ["https://corp.example"]
    "EMBED_THEME": {},  # embed colours, e.g. {"accent": "#0a7d5a"}; the query overrides
    "SESSION_COOKIE_SECURE": None,  # None: Secure outside development
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-* we believe
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",  # how ATSs reach our signed file links
    "RESUME_LINK_DAYS": 30,
    "WEBHOOK_SECRETS": {},  # per ATS kind, e.g. {"nexivohr": "..."}
    "ALLOWED_HOSTS": [],  # host names answered besides PUBLIC_BASE_URL's; any other gets 400
    "LOGIN_ACCOUNT_RATE_LIMIT": "5 per 15 minutes",  # failed sign-ins per account, from any address
    # After LOGIN_LOCKOUT_AFTER failed sign-ins in a row an account waits LOGIN_LOCKOUT_SECONDS,
    # twice as long after each further failure, up to LOGIN_LOCKOUT_MAX_SECONDS.
    "LOGIN_LOCKOUT_AFTER": 5,
    "LOGIN_LOCKOUT_SECONDS": 30,
    "LOGIN_LOCKOUT_MAX_SECONDS": 3600,
    "PASSWORD_RESET_RATE_LIMIT": "3 per hour",  # reset mails asked for one address
    "SESSION_IDLE_MINUTES": 60,  # an HR session ends after this long without a request
    "SESSION_LIFETIME_HOURS": 12,  # and after this long in any case
    # Sign-in through the company's identity provider (OpenID Connect); off without an issuer.
    "OIDC_ISSUER": "",  # e.g. https://login.corp.example (its /.well-known/openid-configuration)
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "OIDC_PROVIDER_NAME": "",  # on the button: "Sign in with <name>"
    "OIDC_AUTO_CREATE": False,  # let in unknown addresses the provider vouches for, as:
    "OIDC_DEFAULT_ROLE": "viewer",
    "PARSED_RESUME_HOURS": 24,  # autofill results are kept as long as a form stays open
    # Flask-WTF's HTTPS Referer check refused browsers that send no Referer with a false "form
    # expired"; the token is bound to the session, whose cookie is SameSite=Lax and Secure.
    "WTF_CSRF_SSL_STRICT": False,
    # Fernet key that seals secret settings saved in the browser (ATS credentials); without it
    # secrets can only be configured here
    "SETTINGS_KEY": "",
    "METRICS_TOKEN": "",  # bearer token for /metrics; without one only a local scraper may read it
    # Outgoing mail. Without MAIL_SMTP_HOST every message is written as an .eml file under
    # MAIL_FOLDER (default instance/mail) instead of being sent.
    "MAIL_SMTP_HOST": "",
    "MAIL_SMTP_PORT": 0,  # 0: 465 for "tls", else 587 for "starttls", else 25
    "MAIL_SMTP_SECURITY": "starttls",  # "none", "starttls" or "tls" (implicit TLS)
    "MAIL_SMTP_USER": "",
    "MAIL_SMTP_PASSWORD": "",
    "MAIL_SMTP_TIMEOUT": 30.0,  # seconds for each SMTP command; keep well under the lease
    "MAIL_SENDER": "",  # From: of every message; default careers@<PUBLIC_BASE_URL's host>
    "MAIL_FOLDER": None,  # default: instance/mail
    "MAIL_HR_RECIPIENTS": [],  # HR addresses told of new applications (when a job has none) and alerts
    "MAIL_MAX_ATTEMPTS": 10,
    "MAIL_BACKOFF_BASE": 60.0,
    "MAIL_BACKOFF_CAP": 3600.0,
    # HR hears of new applications one message each ("each"), or in one digest a day per
    # recipient ("daily", sent after midnight UTC for the day before).
    "HR_NOTIFY_MODE": "each",
    # Save and finish later: how long a draft's link works, and how often a draft may be saved
    # from one address (any email) and to one email (from any address).
    "DRAFT_DAYS": 14,
    "AUDIT_RETENTION_DAYS": 400,  # audit log entries older than this are deleted daily
    "DRAFT_SAVE_RATE_LIMIT": "10 per hour",
    "DRAFT_EMAIL_RATE_LIMIT": "3 per hour;10 per day",
}

ENV_PREFIX = "CAREERS"

# Text settings keep the environment's string as it is: a secret key of digits stays a string,
# where Flask's JSON decoding would make it a number.
TEXT_SETTINGS = frozenset(
    {
        "SECRET_KEY",
        "DATABASE_URL",
        "QUEUE_URL",
        "REDIS_URL",
        "REDIS_PREFIX",
        "UPLOAD_DIR",
        "RATELIMIT_STORAGE_URI",
        "MAIL_FOLDER",
    }
    | {key for key, value in DEFAULTS.items() if isinstance(value, str)}
)


def load_settings(config: Config, overrides: Mapping[str, Any] | None) -> None:
    """Fill `config`: defaults, then instance/config.py, then CAREERS_<NAME> environment variables
    (JSON-decoded by Flask, so CAREERS_ATS='{"kind": "skailer", ...}' works), then `overrides`."""
    config.from_mapping(copy.deepcopy(DEFAULTS))  # nested env keys (CAREERS_ATS__token) edit in place
    config.from_pyfile("config.py", silent=True)
    config.from_prefixed_env(ENV_PREFIX)
    for key in TEXT_SETTINGS:
        raw = os.environ.get(f"{ENV_PREFIX}_{key}")
        if raw is not None:
            config[key] = raw
    config.update(overrides or {})
    _fill_paths(config, Path(config.root_path))  # the instance folder, where config.py was read
    check_retention(config)


def _fill_paths(settings: Config, instance: Path) -> None:
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{instance / 'careers.db'}"
    if not settings["QUEUE_URL"]:
        settings["QUEUE_URL"] = f"sqlite:///{instance / 'queue.db'}"
    if not settings["UPLOAD_DIR"]:
        settings["UPLOAD_DIR"] = str(instance / "uploads")
    if not settings["MAIL_FOLDER"]:
        settings["MAIL_FOLDER"] = str(instance / "mail")
    if settings["SESSION_COOKIE_SECURE"] is None:
        settings["SESSION_COOKIE_SECURE"] = settings["ENV"] != "development"


class ConfigError(RuntimeError):
    """A setting that makes the service unsafe or unable to start."""


LOCAL_HOSTS = ("localhost", "127.0.0.1")
RETENTION_PURPOSES = ("processing", "future")


def check_retention(settings: Mapping[str, Any]) -> None:
    """RETENTION_MONTHS is a promise printed in the consent texts: whole months, at least one,
    for the known consents only (a misspelt key would silently keep the default)."""
    months = settings["RETENTION_MONTHS"]
    if not isinstance(months, Mapping) or any(
        key not in RETENTION_PURPOSES or isinstance(value, bool) or not isinstance(value, int) or value < 1
        for key, value in months.items()
    ):
        raise ConfigError(
            'RETENTION_MONTHS must give whole months (1 or more) for "processing" and "future", '
            'e.g. {"processing": 12, "future": 12}'
        )
    days = settings["AUDIT_RETENTION_DAYS"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ConfigError("AUDIT_RETENTION_DAYS must be whole days, 1 or more (the default is 400)")


def check_embed_origins(settings: dict[str, Any]) -> list[str]:
    """The embed allowlist as exact origins; `*`, paths and plain http (but local) are refused,
    since each entry goes into CSP frame-ancestors and is the only target of postMessage."""
    origins = settings["EMBED_ALLOWED_ORIGINS"]
    if isinstance(origins, str):
        origins = [o for o in origins.replace(",", " ").split() if o]
    if not isinstance(origins, (list, tuple)):
        raise ConfigError("EMBED_ALLOWED_ORIGINS must be a list of origins like https://corp.example")
    for origin in origins:
        _check_origin(origin)
    settings["EMBED_ALLOWED_ORIGINS"] = list(origins)
    return list(origins)


def _check_origin(origin: Any) -> None:
    problem = f"EMBED_ALLOWED_ORIGINS entry {origin!r} "
    if not isinstance(origin, str) or "*" in origin:
        raise ConfigError(
            problem + "is not allowed: list each host origin exactly, no wildcards "
            "(e.g. https://www.corp.example)"
        )
    parts = urlsplit(origin)
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigError(problem + "has an invalid port") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(problem + "must be an origin like https://www.corp.example")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise ConfigError(
            problem + "uses plain http: only https is allowed (http only for localhost and 127.0.0.1)"
        )
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise ConfigError(problem + "has a path, query or user part: give only scheme://host[:port]")
    canonical = f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")
    if origin != canonical:
        raise ConfigError(problem + f"must be written as {canonical!r}")


NOTIFY_MODES = ("each", "daily")


def check_notify_mode(settings: dict[str, Any]) -> str:
    """HR_NOTIFY_MODE: a message per application ("each") or one digest a day ("daily")."""
    mode = settings["HR_NOTIFY_MODE"]
    if mode not in NOTIFY_MODES:
        raise ConfigError(f"HR_NOTIFY_MODE must be one of {', '.join(NOTIFY_MODES)}, not {mode!r}")
    return str(mode)


def ensure_secret_key(settings: dict[str, Any], instance: Path) -> str:
    """The secret key; in development one is generated once into the instance folder."""
    if settings.get("SECRET_KEY"):
        return settings["SECRET_KEY"]
    key_file = instance / "secret_key"
    if key_file.exists():  # written by an earlier development start on this machine
        return key_file.read_text().strip()
    if settings["ENV"] != "development" and not settings.get("TESTING"):
        raise ConfigError(
            "CAREERS_SECRET_KEY is not set. Set it in the environment or in instance/config.py "
            "(SECRET_KEY = '...'); generate one with: python -c 'import secrets; "
            "print(secrets.token_hex(32))'"
        )
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
