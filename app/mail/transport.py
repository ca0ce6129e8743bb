"""Where a finished message goes: an SMTP server, or a folder of .eml files.

Errors are classified here, once, the way app/ats/http.py classifies HTTP: a 5xx reply to this
message (MAIL, RCPT, DATA) is `MailRefused` and will never succeed; a 4xx reply, a refused
login, a timeout or a lost connection is `MailRetryable`. A connection lost after the whole
message and its final dot were sent, while we waited for the server's verdict, is
`OutcomeUnknown`: the server may have accepted it. Nothing can ask an SMTP server afterwards,
so the caller sends again with the same Message-ID (RFC 5321 §6.1 prefers a possible
duplicate to a lost message; the receiving side can recognise the copy by its Message-ID).

An error's text holds the phase, the reply code and its enhanced status code, never the
server's words, which often quote the address.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from app.mail.settings import MailSettings

ENHANCED_STATUS = re.compile(rb"^([245]\.\d{1,3}\.\d{1,3})\b")


class MailError(Exception):
    """A message that did not reach the server this time. The text holds no personal data."""


class MailRetryable(MailError):
    """Worth sending again later: a 4xx reply, a timeout, a lost connection, a refused login."""


class OutcomeUnknown(MailRetryable):
    """The connection was lost after the server had the whole message: it may have accepted it."""


class MailRefused(MailError):
    """A 5xx reply to this message: sending it again gives the same answer."""


class Transport(Protocol):
    """Hands one message, addressed to one recipient, to whatever delivers it."""

    def send(self, message: EmailMessage) -> None: ...


def to_bytes(message: EmailMessage) -> bytes:
    """The message as it travels: CRLF line ends, headers encoded for 7-bit transport."""
    return message.as_bytes(policy=policy.SMTP)


class FolderTransport:
    """Writes each message as <folder>/<Message-ID>.eml, for development without a server.
    A message sent again replaces its own file, so no resend makes a second copy."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9.@_-]", "", str(message["Message-ID"])) or "message"
        handle, partial = tempfile.mkstemp(dir=self.folder, suffix=".part")
        with os.fdopen(handle, "wb") as file:
            file.write(to_bytes(message))
        os.replace(partial, self.folder / f"{name}.eml")


class SmtpTransport:
    """One connection per message: outgoing mail is a few messages a minute, and a fresh
    connection cannot be left in a half-finished state by an earlier failure."""

    def __init__(self, settings: MailSettings, *, tls_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.tls_context = tls_context

    def send(self, message: EmailMessage) -> None:
        smtp = self._connect()
        try:
            _check(smtp.mail(self.settings.sender), "MAIL")
            _check(smtp.rcpt(str(message["To"])), "RCPT")
            _data(smtp, to_bytes(message))
        except smtplib.SMTPServerDisconnected as exc:
            raise MailRetryable("SMTP connection lost before the message was accepted") from exc
        except UnicodeError as exc:  # a non-ASCII address: it would need SMTPUTF8, never tried again
            raise MailRefused("SMTP: the address is not ASCII, which needs SMTPUTF8") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailRetryable(f"SMTP {type(exc).__name__}") from exc
        finally:
            _close(smtp)

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        context = self.tls_context or ssl.create_default_context()
        try:
            if settings.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=settings.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if settings.user:
                smtp.login(settings.user, settings.password)
            smtp.ehlo_or_helo_if_needed()
        except smtplib.SMTPResponseException as exc:
            raise MailRetryable(f"SMTP connect or login -> {_code(exc.smtp_code, exc.smtp_error)}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailRetryable(f"SMTP server not reachable: {type(exc).__name__}") from exc
        return smtp


def _data(smtp: smtplib.SMTP, payload: bytes) -> None:
    """smtplib's data(), split where the outcome turns unknown: after the final dot is sent."""
    code, reply = smtp.docmd("DATA")
    if code != 354:
        _refuse(code, reply, "DATA")
    smtp.send(dot_stuffed(payload))  # raises if any byte, so the final dot, did not leave
    try:
        code, reply = smtp.getreply()
    except smtplib.SMTPServerDisconnected as exc:
        raise OutcomeUnknown("SMTP connection lost after the message was sent, before the reply") from exc
    _check((code, reply), "end of DATA")


def dot_stuffed(payload: bytes) -> bytes:
    """RFC 5321 §4.5.2: a line starting with a dot gets another; then the lone-dot end line."""
    body = re.sub(rb"(?m)^\.", b"..", payload)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def _check(answer: tuple[int, bytes], phase: str) -> None:
    code, reply = answer
    if not 200 <= code < 300:
        _refuse(code, reply, phase)


def _refuse(code: int, reply: bytes, phase: str) -> None:
    text = f"SMTP {phase} -> {_code(code, reply)}"
    if 500 <= code < 600:
        raise MailRefused(text)
    raise MailRetryable(text)


def _code(code: int, reply: bytes | str) -> str:
    raw = reply.encode() if isinstance(reply, str) else reply
    enhanced = ENHANCED_STATUS.match(raw or b"")
    return f"{code} {enhanced.group(1).decode()}" if enhanced else str(code)


def _close(smtp: smtplib.SMTP) -> None:
    """QUIT politely; after the message was accepted, a failed QUIT changes nothing."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def transport_for(settings: MailSettings) -> Transport:
    if settings.uses_smtp:
        return SmtpTransport(settings)
    return FolderTransport(settings.folder)
