"""The shape every vendor sandbox shares, and the pieces they have in common.

Each sandbox module offers `create_app(config) -> Flask`, `serve(host, port, config)` and
`sandbox_of(app)`, the one control object a test holds (`app.extensions["sandbox"]`): what the
"ATS" stored (`state`) and its fault switches (`faults`). A served sandbox answers the same
control requests under `/_sandbox/`: GET state, POST faults, POST reset. Vendors have nothing
like them; they exist for tests, the benchmark and demos.

A sandbox tags each request with the adapter step it serves ("upload_cv", ...), then asks
`Faults.before(step)` whether to fail it outright and, once the work is saved, `committed()`
whether to hide the success. A dropped connection is acted out by `DropConnection`: the real
server's socket is closed, and under `httpx.WSGITransport` an httpx transport error surfaces.
"""

from __future__ import annotations

import math
import random
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.serving import make_server

CONTROL_PREFIX = "/_sandbox"
FAULT_SETTINGS = ("error_rate", "rate_429", "latency")
SHARED_CONFIG = (*FAULT_SETTINGS, "seed", "sleep")  # config keys every create_app reads the same way


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised through WSGITransport, it reaches the client as a dropped connection."""


@dataclass
class Faults:
    error_rate: float = 0.0  # share of requests answered 500 before saving anything
    rate_429: float = 0.0  # share of requests answered 429
    latency: float = 0.0  # seconds added to every request
    seed: int = 0
    token_expired: bool = False  # every request refused as unauthenticated
    fail_next: dict[str, list[int]] = field(default_factory=dict)
    commit_then_fail: dict[str, list[str]] = field(default_factory=dict)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def configure(self, settings: Mapping[str, Any]) -> None:
        """Apply {"error_rate": 0.3, "fail_next": {"step": ..., "status": 500},
        "commit_then_fail": {"step": ..., "mode": "drop"}, "expire_token": true, ...}."""
        with self._lock:
            for key in FAULT_SETTINGS:
                if key in settings:
                    setattr(self, key, float(settings[key]))
            if "expire_token" in settings:
                self.token_expired = bool(settings["expire_token"])
            if "fail_next" in settings:
                spec = settings["fail_next"]
                self.fail_next.setdefault(spec["step"], []).append(int(spec.get("status", 500)))
            if "commit_then_fail" in settings:
                spec = settings["commit_then_fail"]
                self.commit_then_fail.setdefault(spec["step"], []).append(spec.get("mode", "500"))

    def settings(self) -> dict[str, Any]:
        """What is armed, as the control endpoint shows it."""
        with self._lock:
            return {
                **{key: getattr(self, key) for key in FAULT_SETTINGS},
                "token_expired": self.token_expired,
                "fail_next": {step: list(q) for step, q in self.fail_next.items() if q},
                "commit_then_fail": {step: list(q) for step, q in self.commit_then_fail.items() if q},
            }

    def reset(self) -> None:
        with self._lock:
            self.error_rate = self.rate_429 = self.latency = 0.0
            self.token_expired = False
            self.fail_next.clear()
            self.commit_then_fail.clear()
            self._rng = random.Random(self.seed)

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


def faults_from(config: Mapping[str, Any]) -> Faults:
    """The Faults a create_app config asks for: error_rate, rate_429, latency, seed, sleep."""
    faults = Faults(seed=int(config.get("seed", 0)), sleep=config.get("sleep", time.sleep))
    faults.configure({key: config[key] for key in FAULT_SETTINGS if key in config})
    return faults


def vendor_config(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The config without the keys `faults_from` reads."""
    return {key: value for key, value in (config or {}).items() if key not in SHARED_CONFIG}


S = TypeVar("S")


@dataclass
class SandboxControl(Generic[S]):
    """What a test holds of a sandbox: what the "ATS" stored and the fault switches.

    Vendors subclass it to say how they count applications and show their state."""

    state: S
    faults: Faults
    fresh_state: Callable[[], S] = field(repr=False)

    def fail_next(self, step: str, status: int = 500) -> None:
        self.faults.configure({"fail_next": {"step": step, "status": status}})

    def commit_then_fail_next(self, step: str, mode: str = "500") -> None:
        self.faults.configure({"commit_then_fail": {"step": step, "mode": mode}})

    def expire_token(self) -> None:
        self.faults.token_expired = True

    def restore_token(self) -> None:
        """HR renewed the credentials: the configured ones work again."""
        self.faults.token_expired = False

    def configure(self, settings: Mapping[str, Any]) -> None:
        self.faults.configure({key: value for key, value in settings.items() if key != "expire_token"})
        if settings.get("expire_token"):
            self.expire_token()
        elif "expire_token" in settings:
            self.restore_token()

    def reset(self) -> None:
        """Back to the seeded records with no faults armed; the state object stays the same one,
        so references held by tests see the reset."""
        vars(self.state).update(vars(self.fresh_state()))
        self.faults.reset()

    def count_applications(self, email: str, job_ref: str) -> int:
        raise NotImplementedError

    # What the cross-vendor delivery tests ask of every sandbox.

    def count_people(self, email: str) -> int:
        """Person records (candidates, applicants) holding this email: 1 after a returning
        applicant was delivered, never 2."""
        raise NotImplementedError

    def resume_types(self, email: str) -> list[str]:
        """The content types of the resume files stored for this person, oldest first."""
        raise NotImplementedError

    def count_records(self) -> int:
        """Every record the API can create (people, files, applications, notes): unchanged by a
        delivery that was refused before anything was created."""
        raise NotImplementedError

    def close_job(self, job_ref: str) -> None:
        """The job stops taking applications, as when HR closes it in the ATS."""
        raise NotImplementedError

    def dump(self) -> dict[str, Any]:
        """What the ATS stored, as GET /_sandbox/state shows it (JSON-able, no file bytes)."""
        raise NotImplementedError


def install_control(app: Flask, control: SandboxControl[Any]) -> None:
    """Hang the control object on the app and answer its requests under /_sandbox/."""
    app.extensions["sandbox"] = control
    routes = Blueprint("sandbox_control", __name__, url_prefix=CONTROL_PREFIX)

    @routes.get("/state")
    def show_state() -> Response:
        return jsonify(control.dump())

    @routes.post("/faults")
    def set_faults() -> Response:
        control.configure(request.get_json(silent=True) or {})
        return jsonify(control.faults.settings())

    @routes.post("/reset")
    def reset() -> Response:
        control.reset()
        return jsonify(control.faults.settings())

    app.register_blueprint(routes)
    install_connection_dropper(app)


def is_control_request() -> bool:
    return request.path.startswith(CONTROL_PREFIX + "/")


def serve(
    create_app: Callable[[Mapping[str, Any] | None], Flask],
    host: str,
    port: int,
    config: Mapping[str, Any] | None,
) -> None:
    """Run a sandbox as a real threaded HTTP server; blocks until the process ends."""
    make_server(host, port, create_app(config), threaded=True).serve_forever()


# --- pieces of vendor behaviour ------------------------------------------------------------


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


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def too_many(wait: float) -> Response:
    return json_response(
        429, {"message": "Too Many Attempts."}, {"Retry-After": str(max(1, math.ceil(wait)))}
    )


def server_error() -> Response:
    return json_response(500, {"message": "Server Error"})


def committed(faults: Faults, step: str, success: Response, failure: Callable[[], Response]) -> Response:
    """Answer a saved request with `success`, unless a commit-then-fail fault is armed for its
    step: then the work stays saved and the client sees `failure()` or a dropped connection,
    the ambiguous outcome adapters must survive."""
    mode = faults.after(step)
    if mode == "drop":
        raise DropConnection(step)
    return failure() if mode else success


class DropConnection(Exception):
    """Raised by a view to end the exchange without any response."""


def install_connection_dropper(app: Flask) -> None:
    """Turn `DropConnection` from a view into a closed socket or a transport error."""
    inner = app.wsgi_app

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> Any:
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
    def _mark_drop(exc: DropConnection) -> Response:
        request.environ["sandbox.drop"] = True
        return Response(status=500)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]
