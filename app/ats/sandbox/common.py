"""Pieces every vendor sandbox shares: fault injection, the bearer check, a window limiter.

A sandbox tags each request with the adapter step it serves ("upload_cv", ...), then asks
`Faults.before(step)` whether to fail it outright and `Faults.after(step)` whether to fail it
after saving. A dropped connection is acted out by `DropConnection`: the real server's socket
is closed, and under `httpx.WSGITransport` an httpx transport error surfaces instead.
"""

from __future__ import annotations

import math
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from flask import Flask, Response, jsonify, request


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised through WSGITransport, it reaches the client as a dropped connection."""


@dataclass
class Faults:
    error_rate: float = 0.0  # share of requests answered 500 before saving anything
    rate_429: float = 0.0  # share of requests answered 429
    latency: float = 0.0  # seconds added to every request
    seed: int = 0
    fail_next: dict[str, list[int]] = field(default_factory=dict)
    commit_then_fail: dict[str, list[str]] = field(default_factory=dict)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def configure(self, settings: dict[str, Any]) -> None:
        with self._lock:
            for key in ("error_rate", "rate_429", "latency"):
                if key in settings:
                    setattr(self, key, float(settings[key]))
            if "fail_next" in settings:
                spec = settings["fail_next"]
                self.fail_next.setdefault(spec["step"], []).append(int(spec.get("status", 500)))
            if "commit_then_fail" in settings:
                spec = settings["commit_then_fail"]
                self.commit_then_fail.setdefault(spec["step"], []).append(spec.get("mode", "500"))

    def before(self, step: str) -> int | None:
        """The status to answer with instead of handling the request, if any."""
        if self.latency:
            self.sleep(self.latency)
        with self._lock:
            queued = self.fail_next.get(step)
            if queued:
                return queued.pop(0)
            if self.rate_429 and self._rng.random() < self.rate_429:
                return 429
            if self.error_rate and self._rng.random() < self.error_rate:
                return 500
        return None

    def after(self, step: str) -> str | None:
        """ "500" or "drop" when the saved request must still look failed to the client."""
        with self._lock:
            queued = self.commit_then_fail.get(step)
            return queued.pop(0) if queued else None


class FixedWindow:
    """At most `limit` requests per `window` seconds, as vendors usually count them."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.time) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._start, self._count = 0.0, 0
        self._lock = threading.Lock()

    def hit(self) -> float | None:
        """None when the request may pass, else the seconds until the window resets."""
        with self._lock:
            now = self.clock()
            if now >= self._start + self.window:
                self._start, self._count = now, 0
            if self._count >= self.limit:
                return self._start + self.window - now
            self._count += 1
            return None


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def too_many(wait: float) -> Response:
    response = jsonify({"message": "Too Many Attempts."})
    response.status_code = 429
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def server_error() -> Response:
    response = jsonify({"message": "Server Error"})
    response.status_code = 500
    return response


class DropConnection(Exception):
    """Raised by a view to end the exchange without any response."""


def install_connection_dropper(app: Flask) -> None:
    """Turn `DropConnection` from a view into a closed socket or a transport error."""
    inner = app.wsgi_app

    def wsgi_app(environ, start_response):
        environ["sandbox.drop"] = False
        result = inner(environ, start_response)
        if environ["sandbox.drop"]:
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            raise ConnectionDropped("sandbox dropped the connection")
        return result

    @app.errorhandler(DropConnection)
    def _mark_drop(exc):
        request.environ["sandbox.drop"] = True
        return Response(status=500)

    app.wsgi_app = wsgi_app


def install_step_faults(app: Flask, control: Any, path: str = "/__sandbox/faults") -> None:
    """Test-only endpoint arming `fail_next` or `commit_then_fail_next` on a served sandbox:
    {"step": ..., "status": 500} or {"step": ..., "commit_then_fail": true, "mode": "drop"}."""

    def inject_fault():
        body = request.get_json(force=True)
        if body.get("commit_then_fail"):
            control.commit_then_fail_next(body["step"], body.get("mode", "500"))
        else:
            control.fail_next(body["step"], int(body.get("status", 500)))
        return jsonify({"ok": True})

    app.add_url_rule(path, "inject_fault", inject_fault, methods=["POST"])


def install_commit_then_fail(app: Flask, error_body: str) -> None:
    """After a request marked `sandbox.commit_fault` has saved its object, answer 500 anyway
    (or, for mode "drop", close the connection): the ambiguous outcome adapters must survive."""

    @app.after_request
    def commit_then_fail(response):
        fault = request.environ.get("sandbox.commit_fault")
        if not fault or response.status_code >= 300:
            return response
        if fault[1] == "drop":
            request.environ["sandbox.drop"] = True
        return app.response_class(error_body, 500, mimetype="application/json")
