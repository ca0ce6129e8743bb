"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), bound to port 0 by the server itself,
recording what it accepted and acting out the faults a test arms: a refusal with any reply
code at RCPT or at the end of DATA, and a connection dropped before DATA, after the message
was sent but before it was kept, or after it was kept but before the reply. With `tls` it
speaks STARTTLS (required) or implicit TLS with a certificate made for the test, and with
`login` it demands that user and password."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DROP = "drop"  # close the connection without a reply
LOOPBACK = ipaddress.ip_address("127.0.0.1")


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
    security: str = "none"
    client_tls: ssl.SSLContext | None = None  # trusts this server's certificate
    logins: list[str] | None = None  # the user names that signed in

    def settings(self) -> dict[str, Any]:
        """The app's mail settings for sending through this server."""
        return {"MAIL_SMTP_HOST": self.host, "MAIL_SMTP_PORT": self.port, "MAIL_SMTP_SECURITY": self.security}


@contextmanager
def smtp_server(tls: str = "none", login: tuple[str, str] | None = None) -> Iterator[SmtpServer]:
    """`tls`: "none", "starttls" (the server refuses mail before it) or "tls" (implicit)."""
    recorder = Recorder()
    options: dict[str, Any] = {}
    client_tls = None
    if tls != "none":
        server_tls, client_tls = tls_contexts()
        options = {"ssl_context": server_tls} if tls == "tls" else {"tls_context": server_tls}
        options["require_starttls"] = tls == "starttls"
    logins: list[str] = []
    if login is not None:
        options["authenticator"] = _authenticator(login, logins)
        # aiosmtpd knows only STARTTLS for its check; an implicit-TLS connection is TLS anyway
        options["auth_require_tls"] = tls == "starttls"
    controller = _PortZeroController(
        recorder, hostname="127.0.0.1", port=0, server_hostname="mail.test", **options
    )
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, recorder, tls, client_tls, logins)
    finally:
        controller.stop()


def _authenticator(expected: tuple[str, str], logins: list[str]):
    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            given = (auth_data.login.decode(), auth_data.password.decode())
            if given == expected:
                logins.append(given[0])
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    return authenticate


def tls_contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a fresh self-signed certificate for 127.0.0.1, and a client
    context that trusts exactly that certificate (and checks the host name against it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with _pem_files(cert_pem, key_pem) as (cert_file, key_file):
        server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return server, client


@contextmanager
def _pem_files(cert_pem: bytes, key_pem: bytes) -> Iterator[tuple[str, str]]:
    """ssl loads a certificate chain only from files."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        cert_file, key_file = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        yield str(cert_file), str(key_file)
