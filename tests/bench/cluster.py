"""The service as production runs it, on this machine, for the benchmarks: PostgreSQL and Redis
(tests/support/engines.py), one gunicorn master with its web workers (`gunicorn 'app:create_app()'
-c python:app.gunicorn_config`, as docs/deploy.md documents), M `flask worker` processes, and one
vendor's ATS sandbox served by gunicorn in a process of its own with the latency, faults and
rate limit a run asks for. Every server binds port 0 itself; its port is read from the kernel.

The sandbox runs in one gunicorn worker (its state is in one place) behind `Tally`, which counts
its API answers and answers the benchmark's own questions under /_bench/. The same module serves
it: `python -m tests.bench.cluster sandbox <kind> <options as JSON>`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.support.engines import postgres_server, redis_server  # noqa: E402
from tests.support.servers import serving_process  # noqa: E402

HIGH = 100_000  # a vendor rate limit raised out of the way
BIN = Path(sys.executable).parent
SECRET = "bench-" + "0" * 58
KINDS = ("skailer", "dover", "nexivohr", "workable", "greenhouse")


@dataclass(frozen=True)
class Vendor:
    """One ATS as the benchmarks use it: its sandbox's config (limits raised), our settings
    for it (without base_url), the path of its API, the job applied to, and the steps that
    create something (where saved-then-failed faults are armed)."""

    kind: str
    sandbox: dict
    settings: dict
    suffix: str
    job_ref: str
    creates: tuple[str, ...]


VENDORS = {
    "skailer": Vendor(
        "skailer",
        {"token": "bench", "limit_per_minute": HIGH},
        {"token": "bench", "stage": "New"},
        "",
        "311",
        ("upload_cv", "create_applicant", "assign_to_job", "comment"),
    ),
    "dover": Vendor(
        "dover",
        {},
        {"api_key": "dover-test-key"},
        "/api/v1/external",
        "550e8400-e29b-41d4-a716-446655440000",
        ("add_candidate",),
    ),
    "nexivohr": Vendor(
        "nexivohr",
        {"plan": "enterprise", "limit_per_minute": HIGH},
        {"api_token": "nexivo-test-token", "plan": "enterprise"},
        "/ats/api/v1",
        "77",
        ("create_candidate", "submit_to_job"),
    ),
    "workable": Vendor(
        "workable",
        {"rate_limit": HIGH},
        {"token": "test-token", "member_id": "m-100", "domain": "careers.example.com"},
        "/spi/v3",
        "DA2",
        ("create_candidate", "comment"),
    ),
    "greenhouse": Vendor(
        "greenhouse",
        {"rate_limit": HIGH},
        {"client_id": "client-1", "client_secret": "secret-1", "user_id": "9001", "token_url": "/token"},
        "/v3",
        "4101",
        ("create_candidate", "create_application", "attach_resume", "add_note"),
    ),
}


def sandbox_app(kind: str, config: Mapping[str, Any]):
    """(the vendor's sandbox app, its control object), built from `config`."""
    import importlib

    module = importlib.import_module(f"app.ats.sandbox.{kind}")
    app = module.create_app(dict(config))
    return app, module.sandbox_of(app)


class Tally:
    """Counts the sandbox's API answers (status, time) and answers the benchmark under /_bench/:
    GET /_bench/tally, and POST /_bench/counts {"job": ref, "emails": [...]} ->
    {email: [applications to the job, people]}."""

    def __init__(self, wsgi, control) -> None:
        self.wsgi, self.control = wsgi, control
        self.statuses: dict[int, int] = {}
        self.times: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/_bench/tally":
            with self._lock:
                body: Any = {"statuses": self.statuses, "times": self.times}
            return self._json(start_response, body)
        if path == "/_bench/counts":
            asked = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
            counts = {
                email: [
                    self.control.count_applications(email, asked["job"]),
                    self.control.count_people(email),
                ]
                for email in asked["emails"]
            }
            return self._json(start_response, counts)

        def noting(status, headers, exc_info=None):
            if not path.startswith("/_sandbox/"):
                with self._lock:
                    code = int(status.split()[0])
                    self.statuses[code] = self.statuses.get(code, 0) + 1
                    self.times.append(time.time())
            return start_response(status, headers, exc_info)

        return self.wsgi(environ, noting)

    @staticmethod
    def _json(start_response, body: Any):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]


def serve_sandbox(kind: str, config: Mapping[str, Any]) -> None:
    """Serve the sandbox with gunicorn on 127.0.0.1, port 0: threads for concurrent requests
    and keep-alive, as a vendor's API would have (Werkzeug's server closes every connection)."""
    from gunicorn.app.base import BaseApplication

    wsgi, control = sandbox_app(kind, config)
    options = {
        "bind": "127.0.0.1:0",
        "workers": 1,
        "worker_class": "gthread",
        "threads": 32,
        "keepalive": 30,
        "graceful_timeout": 2,
        "loglevel": "error",
        "accesslog": None,
    }

    class Served(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return Tally(wsgi, control)

    Served().run()


class Sandbox:
    """A sandbox served in its own process (started by `Cluster`), seen from the benchmark."""

    def __init__(self, url: str, vendor: Vendor) -> None:
        self.url, self.vendor = url, vendor
        self.http = httpx.Client(base_url=url, timeout=30)

    @property
    def base_url(self) -> str:
        return self.url + self.vendor.suffix

    def tally(self) -> tuple[dict[int, int], list[float]]:
        body = self.http.get("/_bench/tally").json()
        return {int(k): v for k, v in body["statuses"].items()}, sorted(body["times"])

    def counts(self, emails: list[str]) -> dict[str, tuple[int, int]]:
        """email -> (applications to the job in the ATS, person records holding the email)."""
        body = self.http.post("/_bench/counts", json={"job": self.vendor.job_ref, "emails": emails}).json()
        return {email: (apps, people) for email, (apps, people) in body.items()}

    def arm(self, faults: Mapping[str, Any]) -> None:
        """Set fault switches (error_rate, rate_429, commit_then_fail, ...), as tests do."""
        self.http.post("/_sandbox/faults", json=dict(faults)).raise_for_status()


def sandbox_config(vendor: Vendor, latency: float, faults: Mapping[str, Any], limit: int | None) -> dict:
    """The sandbox's config: its rate limit `limit` a minute, or raised out of the way (None)."""
    config = {**vendor.sandbox, "latency": latency, **faults}
    if limit is not None:
        config.update(limit_of(vendor.kind, limit))
    return config


@contextmanager
def sandbox_process(vendor: Vendor, config: Mapping[str, Any]) -> Iterator[Sandbox]:
    """The vendor's sandbox served in a process of its own, as a remote ATS: its work does not
    share the benchmark's GIL."""
    args = [sys.executable, "-m", "tests.bench.cluster", "sandbox", vendor.kind, json.dumps(dict(config))]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with serving_process(args, env=env, cwd=ROOT, timeout=60) as (_, url):
        yield Sandbox(url, vendor)


@dataclass
class Options:
    """What one run asks of the cluster."""

    kind: str = "skailer"
    latency: float = 0.1
    faults: dict = field(default_factory=dict)  # error_rate, rate_429 for the sandbox
    vendor_limit: int | None = None  # the sandbox's rate limit and ours; None: raised out of the way
    web_workers: int = 2
    worker_processes: int = 2
    worker_threads: int = 4
    settings: dict = field(default_factory=dict)  # CAREERS_* settings on top of the defaults here


class Cluster:
    """Starts everything in `with Cluster(options) as cluster:` and tears it all down after."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.vendor = VENDORS[options.kind]
        self.tmp = Path(tempfile.mkdtemp(prefix=f"bench-cluster-{options.kind}-"))
        self._stack = ExitStack()
        self.workers: list[subprocess.Popen] = []
        self.worker_starts = 0

    def __enter__(self) -> Cluster:
        try:
            self.postgres = self._stack.enter_context(postgres_server())
            self.redis = self._stack.enter_context(redis_server())
            self.sandbox = self._start_sandbox()
            self.env = self._environment()
            self.flask("prepare")
            self.flask("ats", "sync-jobs")
            self.web, self.site = self._stack.enter_context(self._web())
            self._stack.callback(self.stop_workers)
            for _ in range(self.options.worker_processes):
                self.workers.append(self.start_worker())
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        if os.environ.get("BENCH_KEEP"):  # the logs and files, for looking into a run
            print(f"kept {self.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # --- starting ------------------------------------------------------------------------

    def _start_sandbox(self) -> Sandbox:
        config = sandbox_config(
            self.vendor, self.options.latency, self.options.faults, self.options.vendor_limit
        )
        return self._stack.enter_context(sandbox_process(self.vendor, config))

    def _environment(self) -> dict[str, str]:
        ats = {"kind": self.vendor.kind, "base_url": self.sandbox.base_url, "source": "Careers site"}
        ats.update(self.vendor.settings)
        ats["rate_limit_per_minute"] = self.options.vendor_limit or HIGH
        metrics = self.tmp / "metrics"
        metrics.mkdir()
        settings = {
            "SECRET_KEY": SECRET,
            "DATABASE_URL": self.postgres.url,
            "QUEUE_URL": self.redis.url,
            "UPLOAD_DIR": str(self.tmp / "uploads"),
            "ATS": json.dumps(ats),
            "APPLY_RATE_LIMIT": "100000 per minute",
            "SESSION_COOKIE_SECURE": "false",
            "LOG_FORMAT": "json",
            **{key: str(value) for key, value in self.options.settings.items()},
        }
        env = {key: value for key, value in os.environ.items() if not key.startswith("CAREERS_")}
        env.update({f"CAREERS_{key}": value for key, value in settings.items()})
        env.update({"PROMETHEUS_MULTIPROC_DIR": str(metrics), "PYTHONPATH": str(ROOT), "FLASK_APP": "app"})
        return env

    def flask(self, *args: str) -> None:
        subprocess.run([str(BIN / "flask"), *args], env=self.env, cwd=ROOT, check=True, capture_output=True)

    def _web(self):
        args = [
            str(BIN / "gunicorn"),
            "app:create_app()",
            "-c", "python:app.gunicorn_config",
            "--bind", "127.0.0.1:0",
            "--workers", str(self.options.web_workers),
            "--access-logfile", str(self.tmp / "access.log"),
            "--access-logformat", ACCESS_FORMAT,
        ]  # fmt: skip
        return serving_process(args, env=self.env, cwd=ROOT, timeout=60)

    def start_worker(self) -> subprocess.Popen:
        self.worker_starts += 1
        log = open(self.tmp / f"worker-{self.worker_starts}.log", "wb")  # noqa: SIM115
        args = [str(BIN / "flask"), "worker", "--threads", str(self.options.worker_threads)]
        process = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        return process

    # --- acting on the processes -----------------------------------------------------------

    def kill_worker(self, index: int) -> None:
        """`kill -9` worker process `index`, then start a new one in its place."""
        process = self.workers[index]
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        self.workers[index] = self.start_worker()

    def stop_workers(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.terminate()
        for process in self.workers:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def web_rss_mb(self) -> list[float]:
        """The resident memory of each gunicorn web worker (the master's children), in MB."""
        return [rss_mb(pid) for pid in children_of(self.web.pid)]

    def worker_logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.tmp.glob("worker-*.log")))

    def apply_times_ms(self) -> dict[str, float]:
        """request id -> the server's own time for each apply POST (gunicorn's, from reading the
        request to sending the answer), from the access log."""
        return apply_times(self.tmp / "access.log")


class Database:
    """What the benchmark reads from PostgreSQL, with its own connections (the truth)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(url, pool_pre_ping=True)

    def rows(self, query: str, **params: Any) -> list[Any]:
        from sqlalchemy import text

        with self.engine.connect() as connection:
            return list(connection.execute(text(query), params))

    def job(self, ref: str) -> tuple[int, dict[str, str]]:
        """The job's id and an answer to each of its required questions, as a candidate gives."""
        (job_id,) = self.rows("SELECT id FROM job WHERE ref = :ref", ref=ref)[0]
        answers = {}
        for qid, kind, options in self.rows(
            "SELECT id, kind, options FROM question WHERE job_id = :job AND required", job=job_id
        ):
            choices = json.loads(options) if isinstance(options, str) else options
            answers[f"q_{qid}"] = choices[0] if choices else "y" if kind == "yes_no" else "5"
        return job_id, answers

    def deliveries(self) -> list[tuple[str, str, int]]:
        """(email, status, attempts) of every application."""
        return [
            tuple(row)
            for row in self.rows(
                "SELECT a.email, d.status, d.attempts FROM application a "
                "JOIN delivery d ON d.application_id = a.id"
            )
        ]

    def unfinished(self) -> int:
        """Deliveries still to be done: pending or in progress."""
        return self.rows("SELECT count(*) FROM delivery WHERE status IN ('pending', 'in_progress')")[0][0]

    def last_delivered_at(self):
        return self.rows("SELECT max(delivered_at) FROM delivery")[0][0]


RESUME = None


def resume_bytes() -> bytes:
    """A small real PDF: the form refuses a file that does not open as its kind."""
    global RESUME
    if RESUME is None:
        from tests.support.resume_files import simple_pdf

        RESUME = simple_pdf(("Bench Candidate", "Data engineer", "Berlin"))
    return RESUME


@dataclass
class Posted:
    """One candidate's application through the form, as the candidate saw it."""

    email: str
    accepted: bool = False  # answered with the redirect to the thanks page
    status: int | None = None  # the last POST's answer; None when none came
    seconds: float = 0.0  # the client's time for the last POST
    request_id: str = ""
    failed_posts: int = 0  # POSTs answered with an error (or not at all) before the last one


def apply(
    client: httpx.Client,
    job_id: int,
    email: str,
    answers: Mapping[str, str],
    *,
    tries: int = 1,
    pause: float = 1.0,
) -> Posted:
    """GET the form (its CSRF token and submission key), POST it with a resume; a candidate
    whose POST fails clicks again (`tries` times in all) with the same form, as a browser would."""
    from tests.web.helpers import hidden_fields

    client.cookies.clear()
    posted = Posted(email)
    form = None
    for _ in range(tries):
        try:
            form = client.get(f"/jobs/{job_id}/apply")
            if form.status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(pause)
    if form is None or form.status_code != 200:
        return posted
    data = {**hidden_fields(form.text), **candidate(email), **answers}
    for attempt in range(tries):
        if attempt:
            posted.failed_posts += 1
            time.sleep(pause)
        started = time.perf_counter()
        try:
            answer = client.post(
                f"/jobs/{job_id}/apply",
                data=data,
                files={"resume": ("cv.pdf", resume_bytes(), "application/pdf")},
            )
        except httpx.TransportError:
            posted.status = None
            continue
        posted.seconds = time.perf_counter() - started
        posted.status, posted.request_id = answer.status_code, answer.headers.get("X-Request-ID", "")
        if answer.status_code in (302, 303):
            posted.accepted = True
            return posted
    posted.failed_posts += 1
    return posted


def post_all(
    site: str,
    job_id: int,
    answers: Mapping[str, str],
    emails: list[str],
    clients: int,
    *,
    tries: int = 1,
    posted_so_far: Callable[[int], None] = lambda count: None,
) -> list[Posted]:
    """`clients` threads, each with its own connection, take the next email until none is left."""
    queue, posted, lock = list(reversed(emails)), [], threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=site, timeout=60) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    email = queue.pop()
                result = apply(http, job_id, email, answers, tries=tries)
                with lock:
                    posted.append(result)
                    posted_so_far(len(posted))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return posted


def candidate(email: str) -> dict[str, str]:
    return {
        "first_name": "Bench",
        "last_name": email.split("@")[0].title(),
        "email": email,
        "phone": "+49 30 1234567",
        "location": "Berlin, Germany",
        "cover_letter": "I would like to work with you.",
        "consent": "y",
    }


def outcomes(database: Database, sandbox: Sandbox, accepted: list[str], others: list[str] = ()) -> dict:
    """What became of the applications: `accepted` were answered with the thanks page, `others`
    were posted but not (the candidate saw an error, so either outcome is fine for them).

    lost: accepted, yet not in the ATS, unless the delivery waits for HR's review (an outcome
    that cannot be known, for an ATS that cannot be searched); duplicated: two applications in
    our database or the ATS, or two person records there, for one candidate."""
    stored: dict[str, list[str]] = {}
    for email, status, _ in database.deliveries():
        stored.setdefault(email, []).append(status)
    counts = sandbox.counts([*accepted, *others])
    statuses = [status for found in stored.values() for status in found]
    lost = [
        email for email in accepted if counts[email][0] == 0 and "needs_review" not in stored.get(email, [])
    ]
    duplicated = [
        email
        for email in [*accepted, *others]
        if len(stored.get(email, [])) > 1 or counts[email][0] > 1 or counts[email][1] > 1
    ]
    return {
        "delivered": statuses.count("delivered") + statuses.count("already_in_ats"),
        "needs_review": statuses.count("needs_review"),
        "failed": statuses.count("failed"),
        "unfinished": statuses.count("pending") + statuses.count("in_progress"),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "lost_emails": lost,
        "duplicated_emails": duplicated,
    }


def limit_of(kind: str, per_minute: int) -> dict[str, Any]:
    """The sandbox config that sets a vendor's rate limit to `per_minute`."""
    if kind in ("skailer", "nexivohr"):
        return {"limit_per_minute": per_minute}
    if kind in ("workable", "greenhouse"):
        return {"rate_limit": per_minute}
    return {}


# The response's request id, method, path, status and the request's time in microseconds.
ACCESS_FORMAT = "%({x-request-id}o)s %(m)s %(U)s %(s)s %(D)s"
APPLY_LINE = re.compile(r"(\S+) POST /jobs/\d+/apply \d+ (\d+)")


def apply_times(log: Path) -> dict[str, float]:
    """request id -> milliseconds, for every apply POST in gunicorn's access log."""
    times = {}
    for line in log.read_text(errors="replace").splitlines():
        match = APPLY_LINE.fullmatch(line.strip())
        if match:
            times[match.group(1)] = int(match.group(2)) / 1000
    return times


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def table(rows: list[dict[str, Any]]) -> str:
    """Rows of figures as a short aligned table."""
    heads = list(rows[0])
    cells = [[format_cell(row[h]) for h in heads] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def format_cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def wait_until(check, timeout: float, poll: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True


def main(argv: list[str]) -> None:
    if argv[:1] == ["sandbox"]:
        serve_sandbox(argv[1], json.loads(argv[2]))
        return
    raise SystemExit("usage: python -m tests.bench.cluster sandbox <kind> <config as JSON>")


if __name__ == "__main__":
    main(sys.argv[1:])
