"""Secrets at rest: a setting such as an ATS token is stored only as a Fernet token, made with a
key that lives in the environment (CAREERS_SETTINGS_KEY), never in the database beside it."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from app.config import ConfigError

KEY_VARIABLE = "CAREERS_SETTINGS_KEY"
GENERATE = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"


class SettingsKeyError(ConfigError):
    """No usable key to seal or open secret settings; the message says what to do."""


def _fernet(key: str | None) -> Fernet:
    if not key:
        raise SettingsKeyError(
            f"Secrets cannot be stored: {KEY_VARIABLE} is not set. Set it in the environment of "
            f"every web and worker process (generate one with: {GENERATE}), then restart."
        )
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise SettingsKeyError(
            f"{KEY_VARIABLE} is not a valid key (32 url-safe base64-encoded bytes); "
            f"generate one with: {GENERATE}"
        ) from exc


def seal(key: str | None, secret: str) -> str:
    """The secret as a token only the holder of `key` can open."""
    return _fernet(key).encrypt(secret.encode()).decode()


def unseal(key: str | None, token: str) -> str:
    try:
        return _fernet(key).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SettingsKeyError(
            f"A stored secret does not open with {KEY_VARIABLE}: the key changed since it was "
            "saved. Enter the secret again in Settings."
        ) from exc
