"""The settings in force: a row in the `setting` table overrides the configured value of its
key, so config stays the bootstrap and HR changes take effect without a restart.

The rows are read once per app context (one request, one worker task) and kept in `g`: every
web and worker process sees a change from its next request or task on, and a page reads the
small table once however many settings it shows. Files (the logo) stay out of that read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, g
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from app.extensions import db_session
from app.models import Setting
from app.settings.secrets import seal, unseal

COMPANY_NAME = "COMPANY_NAME"
HOME_INTRO = "HOME_INTRO"
THEME = "EMBED_THEME"
LOGO = "LOGO"
EMBED_ORIGINS = "EMBED_ALLOWED_ORIGINS"
ATS = "ATS"
HR_RECIPIENTS = "MAIL_HR_RECIPIENTS"
CONSENT_PREFIX = "CONSENT."

# Each kind of consent a candidate gives, with the config keys of its text and version.
CONSENT_KINDS: dict[str, tuple[str, str]] = {
    "processing": ("CONSENT_TEXT", "CONSENT_VERSION"),  # this application (required)
    "future": ("CONSENT_FUTURE_TEXT", "CONSENT_FUTURE_VERSION"),  # other openings (optional)
}

# The ATS settings that are credentials: stored sealed, one row per ATS kind, never shown back.
SECRET_FIELDS = ("token", "api_key", "api_token", "client_secret")
G_KEY = "_site_settings"


@dataclass(frozen=True)
class Consent:
    text: str
    version: str


@dataclass(frozen=True)
class Logo:
    digest: str
    content_type: str


def secret_key_name(kind: str, field: str) -> str:
    return f"{ATS}.{kind}.{field}"


class SiteSettings:
    """The settings of one request or task: each key from its row when HR saved one, else config."""

    def __init__(self, config: Mapping[str, Any], rows: Mapping[str, Setting]) -> None:
        self._config = config
        self._rows = rows

    def value(self, key: str) -> Any:
        row = self._rows.get(key)
        return row.value if row is not None else self._config.get(key)

    def is_saved(self, key: str) -> bool:
        return key in self._rows

    @property
    def company_name(self) -> str:
        return str(self.value(COMPANY_NAME) or "")

    @property
    def home_intro(self) -> str:
        return str(self.value(HOME_INTRO) or "")

    @property
    def theme(self) -> dict[str, str]:
        return {k: str(v) for k, v in (self.value(THEME) or {}).items() if v}

    @property
    def embed_origins(self) -> list[str]:
        return list(self.value(EMBED_ORIGINS) or [])

    @property
    def hr_recipients(self) -> list[str]:
        return list(self.value(HR_RECIPIENTS) or [])

    @property
    def logo(self) -> Logo | None:
        row = self._rows.get(LOGO)
        return Logo(row.value["digest"], row.value["content_type"]) if row is not None else None

    def consent(self, kind: str = "processing") -> Consent:
        row = self._rows.get(CONSENT_PREFIX + kind)
        if row is not None:
            return Consent(row.value["text"], row.value["version"])
        text_key, version_key = CONSENT_KINDS.get(kind, ("", ""))
        return Consent(str(self._config.get(text_key) or ""), str(self._config.get(version_key) or ""))

    @property
    def ats_kind(self) -> str:
        """The kind in force, read without opening any credential."""
        return str((self.value(ATS) or {}).get("kind", "local"))

    def ats(self) -> dict[str, Any]:
        """The ATS connection with its credentials opened: the saved one, its secrets from their
        sealed rows or else from config when config names the same kind; else config's."""
        configured = dict(self._config.get(ATS) or {"kind": "local"})
        row = self._rows.get(ATS)
        if row is None:
            return configured
        settings = dict(row.value)
        kind = settings.get("kind", "local")
        for field in SECRET_FIELDS:
            sealed = self._rows.get(secret_key_name(kind, field))
            if sealed is not None:
                settings[field] = unseal(self._config.get("SETTINGS_KEY"), sealed.value)
            elif configured.get("kind", "local") == kind and configured.get(field):
                settings[field] = configured[field]
        return settings

    def secrets_set(self, kind: str) -> set[str]:
        """Which credentials this kind has (saved or configured), without opening any."""
        configured = self._config.get(ATS) or {}
        saved = {f for f in SECRET_FIELDS if secret_key_name(kind, f) in self._rows}
        from_config = {f for f in SECRET_FIELDS if configured.get("kind") == kind and configured.get(f)}
        return saved | from_config


def read(session: Session, config: Mapping[str, Any]) -> SiteSettings:
    rows = session.scalars(select(Setting).options(defer(Setting.data))).all()
    return SiteSettings(config, {row.key: row for row in rows})


def current() -> SiteSettings:
    """This request's (or task's) settings, read from the database once."""
    found = g.get(G_KEY)
    if found is None:
        found = read(db_session(), current_app.config)
        setattr(g, G_KEY, found)
    return found


def forget() -> None:
    """Read the settings again on next use (after this request saved some)."""
    g.pop(G_KEY, None)


def save(session: Session, values: Mapping[str, Any], *, now: datetime) -> None:
    """Store each value as its key's override, in the caller's transaction."""
    for key, value in values.items():
        _row(session, key, now).value = value


def save_secret(session: Session, key: str, secret: str, *, settings_key: str | None, now: datetime) -> None:
    """Store the secret sealed; refused (SettingsKeyError) before anything is written without a key."""
    sealed = seal(settings_key, secret)
    row = _row(session, key, now)
    row.value, row.secret = sealed, True


def save_file(session: Session, key: str, data: bytes, meta: Mapping[str, Any], *, now: datetime) -> None:
    row = _row(session, key, now)
    row.value, row.data = dict(meta), data


def remove(session: Session, key: str) -> None:
    """Back to the configured value."""
    row = session.get(Setting, key)
    if row is not None:
        session.delete(row)


def file_of(session: Session, key: str) -> tuple[bytes, dict[str, Any]] | None:
    row = session.get(Setting, key)
    return (row.data, row.value) if row is not None and row.data is not None else None


def _row(session: Session, key: str, now: datetime) -> Setting:
    row = session.get(Setting, key)
    if row is None:
        row = Setting(key=key)
        session.add(row)
    row.updated_at = now
    return row
