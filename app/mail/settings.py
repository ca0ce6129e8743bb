"""The mail settings as one typed value: where mail goes, and the sentence that says so."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.config import ConfigError

SECURITY_MODES = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class MailConfigError(ConfigError):
    """A mail setting the service cannot send with: refused at start-up."""


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str
    user: str
    password: str = field(repr=False)  # never in a log line or a traceback
    sender: str
    folder: Path
    timeout: float = 30.0

    @property
    def uses_smtp(self) -> bool:
        return bool(self.host)

    def describe(self) -> str:
        """Where mail goes, for the startup line: the server, never the credentials."""
        if not self.uses_smtp:
            return f"Mail is not sent: each message is written as an .eml file under {self.folder}"
        return f"Mail goes through {self.host}:{self.port} ({self.security}) from {self.sender}"


def mail_settings(config: Mapping[str, Any]) -> MailSettings:
    security = str(config["MAIL_SMTP_SECURITY"] or "none").lower()
    if security not in SECURITY_MODES:
        raise MailConfigError(f"MAIL_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}")
    port = int(config["MAIL_SMTP_PORT"] or 0) or DEFAULT_PORTS[security]
    host = urlsplit(str(config["PUBLIC_BASE_URL"])).hostname or "localhost"
    return MailSettings(
        host=str(config["MAIL_SMTP_HOST"] or ""),
        port=port,
        security=security,
        user=str(config["MAIL_SMTP_USER"] or ""),
        password=str(config["MAIL_SMTP_PASSWORD"] or ""),
        sender=str(config["MAIL_SENDER"] or f"careers@{host}"),
        folder=Path(config["MAIL_FOLDER"]),
        timeout=float(config["MAIL_SMTP_TIMEOUT"]),
    )
