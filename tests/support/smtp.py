"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), bound to port 0 by the server itself,
recording what it accepted and acting out the faults a test arms: a refusal with any reply
code at RCPT or at the end of DATA, and a connection dropped before DATA, after the message
was sent but before it was kept, or after it was kept but before the reply."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller

DROP = "drop"  # close the connection without a reply


@dataclass(frozen=True)
class Received:
    """One message the server accepted, as it arrived."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return cast(EmailMessage, message_from_bytes(self.data, policy=policy.default))

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    def body(self, subtype: str) -> str:
        part = self.message.get_body(preferencelist=(subtype,))
        assert part is not None, f"no text/{subtype} part"
        return cast(EmailMessage, part).get_content()


@dataclass(frozen=True)
class Fault:
    phase: str  # "RCPT" or "DATA"
    reply: str  # an SMTP reply line, or DROP
    keep: bool = False  # at DATA with DROP: keep the message first (the unknown outcome)


class Recorder:
    """The aiosmtpd handler: accepts every message unless a fault is armed for its phase."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.dropped = 0
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()

    def refuse_next(self, reply: str, phase: str = "RCPT") -> None:
        self._faults.append(Fault(phase, reply))

    def drop_next(self, phase: str = "DATA", *, keep: bool = False) -> None:
        self._faults.append(Fault(phase, DROP, keep))

    def _take(self, phase: str) -> Fault | None:
        with self._lock:
            if self._faults and self._faults[0].phase == phase:
                return self._faults.popleft()
        return None

    def _drop(self, server: Any) -> str:
        self.dropped += 1
        server.transport.abort()  # at once: the reply below is never written
        return "421 closing"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        fault = self._take("RCPT")
        if fault is not None:
            return self._drop(server) if fault.reply == DROP else fault.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        fault = self._take("DATA")
        if fault is not None and fault.reply != DROP:
            return fault.reply
        if fault is None or fault.keep:
            with self._lock:
                self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if fault is not None:
            return self._drop(server)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


class _PortZeroController(Controller):
    """aiosmtpd's Controller, told port 0: its start-up check connects to the port the kernel
    gave the listening socket, read back from the socket itself."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    recorder: Recorder

    def settings(self) -> dict[str, Any]:
        """The app's mail settings for sending through this server."""
        return {"MAIL_SMTP_HOST": self.host, "MAIL_SMTP_PORT": self.port, "MAIL_SMTP_SECURITY": "none"}


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    recorder = Recorder()
    controller = _PortZeroController(recorder, hostname="127.0.0.1", port=0, server_hostname="mail.test")
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, recorder)
    finally:
        controller.stop()
