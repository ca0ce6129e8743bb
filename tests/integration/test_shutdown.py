"""Stopping our processes: `flask serve`, `flask worker` and gunicorn run as real processes, are
sent SIGTERM or SIGINT (Ctrl+C), and must be gone within 10 seconds; a delivery in flight at
that moment is handed back and delivered exactly once after the next start."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.ats.sandbox import skailer as sandbox_module
from tests.integration.conftest import CallLog, wait_until

ROOT = Path(__file__).resolve().parents[2]
STOP_WITHIN = 10.0
TOKEN = "integration-token"
DATA_ENGINEER = "311"
APPLICANT = "/api/v1/applicant"
SEARCH_APPLICANTS = "/api/v1/applicants/search"
SIGNALS = {"SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}


class Process:
    """One of our commands as a real process on the test's settings, its output in files."""

    def __init__(self, args: list[str], env: dict[str, str], folder: Path, name: str) -> None:
        self.stdout, self.stderr = folder / f"{name}.out", folder / f"{name}.err"
        with self.stdout.open("w") as out, self.stderr.open("w") as err:
            self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err)

    def output(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()

    def wait_for(self, pattern: str, timeout: float = 30.0) -> re.Match:
        def found():
            if self.popen.poll() is not None:
                raise AssertionError(f"exited {self.popen.returncode}:\n{self.output()}")
            return re.search(pattern, self.output())

        return wait_until(found, timeout, f"{pattern!r} in the output")

    def wait_for_its_signal_handlers(self, timeout: float = 10.0) -> None:
        """Wait until the process catches SIGTERM (Linux: SigCgt in /proc), which our commands
        set up together with SIGINT's handler (Python catches SIGINT from the start): a signal
        sent next tests our stop, not the default action on a process still starting up."""

        def caught() -> bool:
            status = Path(f"/proc/{self.popen.pid}/status").read_text()
            mask = int(re.search(r"^SigCgt:\s*([0-9a-f]+)", status, re.M).group(1), 16)
            return bool(mask & (1 << (signal.SIGTERM - 1)))

        wait_until(caught, timeout, "the process's SIGTERM handler")

    def stop(self, signum: int) -> float:
        """Seconds from the signal to the end of the process (killed after STOP_WITHIN)."""
        sent = time.monotonic()
        self.popen.send_signal(signum)
        try:
            self.popen.wait(STOP_WITHIN)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(f"still running {STOP_WITHIN}s after the signal:\n{self.output()}") from None
        return time.monotonic() - sent

    def end(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()


@pytest.fixture
def processes(tmp_path):
    """start(args, app, **settings) -> Process, on the settings of `app` (a test's app)."""
    started: list[Process] = []

    def start(args: list[str], app, name: str, **settings) -> Process:
        started.append(Process(args, environment(app, **settings), tmp_path, name))
        return started[-1]

    yield start
    for process in started:
        process.end()


def environment(app, **settings) -> dict[str, str]:
    """The test app's settings as CAREERS_* variables, so a process shares its database,
    queue, files and instance folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREERS_")}
    names = ("SECRET_KEY", "DATABASE_URL", "QUEUE_URL", "UPLOAD_DIR", "ATS", "SESSION_COOKIE_SECURE")
    names += ("DELIVERY_MAX_ATTEMPTS", "DELIVERY_BACKOFF_BASE", "DELIVERY_BACKOFF_CAP")
    values = {name: app.config[name] for name in names} | settings
    for name, value in values.items():
        env[f"CAREERS_{name}"] = value if isinstance(value, str) else json.dumps(value)
    env["CAREERS_INSTANCE_PATH"] = app.instance_path
    return env


def flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app", *args]


SERVE = flask("serve", "--port", "0")
WORKER = flask("worker", "--threads", "2")
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_config", "-b", "127.0.0.1:0"]
READY = {
    "serve": r"Careers site on (http://127\.0\.0\.1:\d+)",
    "worker": r"Huey consumer started",
    "gunicorn": r"Listening at: (http://127\.0\.0\.1:\d+)",
}


@pytest.mark.parametrize("signame", SIGNALS)
@pytest.mark.parametrize("command", ["serve", "worker", "gunicorn"])
def test_each_process_of_ours_stops_within_ten_seconds_of_a_signal(processes, app, command, signame):
    args = {"serve": SERVE, "worker": WORKER, "gunicorn": [*GUNICORN, "app:create_app()"]}[command]
    process = processes(args, app, command)
    ready = process.wait_for(READY[command])
    process.wait_for_its_signal_handlers()
    if command != "worker":
        assert httpx.get(f"{ready.group(1)}/jobs", timeout=10).status_code == 200
    took = process.stop(SIGNALS[signame])
    print(f"{command} stopped {took:.2f}s after {signame}")
    assert took < STOP_WITHIN
    if command != "gunicorn":
        assert "INFO app.cli: stopped; 0 unfinished deliveries handed back" in process.output()


def parse_workers_under(pid: int) -> set[int]:
    """Resume parse workers among the descendants of `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])

    def descends(child: int) -> bool:
        while child in parents and child > 1:
            child = parents[child]
            if child == pid:
                return True
        return False

    found = set()
    for child in parents:
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"app.resume.worker" in command and descends(child):
            found.add(child)
    return found


def test_gunicorns_web_processes_start_their_resume_parsers_at_once_and_leave_none_behind(processes, app):
    process = processes([*GUNICORN, "app:create_app()"], app, "gunicorn")
    process.wait_for(READY["gunicorn"])
    started = wait_until(lambda: parse_workers_under(process.popen.pid), 30, "parse workers at start")
    process.stop(signal.SIGTERM)
    wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in started), 10, "parsers to end")


class Arrivals:
    """WSGI middleware noting each request as it reaches the sandbox, before it is answered.
    A request named in `hold` waits that many seconds first (once), as a slow ATS would, so
    only the call a test stops in is slow and every other call of the delivery is quick."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app, self.seen, self.hold = wsgi_app, [], {}

    def __call__(self, environ, start_response):
        call = (environ["REQUEST_METHOD"], environ["PATH_INFO"])
        self.seen.append(call)
        time.sleep(self.hold.pop(call, 0.0))
        return self.wsgi_app(environ, start_response)


@pytest.fixture
def skailer(served):
    """The sandbox served on loopback: its control, the calls it answered, those that arrived."""
    app = sandbox_module.create_app({"token": TOKEN, "seed": 7})
    answered = CallLog(app)
    arrived = Arrivals(answered)
    server = served(arrived)
    return sandbox_module.control(app), answered, arrived, server.url


@pytest.fixture
def site(careers, skailer):
    """The careers site (served by the test) on the sandbox; deliveries left to our processes."""
    url = skailer[-1]
    stack = careers(
        {"kind": "skailer", "base_url": url, "token": TOKEN, "stage": "New", "source": "Careers site"},
        worker=False,
    )
    stack.sync_jobs()
    return stack


@pytest.mark.parametrize(
    "command,signame,engines",
    [
        ("serve", "SIGTERM", "sqlite"),
        ("serve", "SIGINT", "sqlite"),
        ("worker", "SIGTERM", "sqlite"),
        ("worker", "SIGINT", "sqlite"),
        pytest.param("worker", "SIGTERM", "pg-redis", marks=pytest.mark.pg_redis),
    ],
    indirect=["engines"],
)
def test_a_delivery_in_flight_when_the_process_stops_is_delivered_once_after_the_next_start(
    processes, site, skailer, command, signame
):
    control, calls, arrived, _ = skailer
    args = {"serve": SERVE, "worker": WORKER}[command]
    first = processes(args, site.app, f"{command}-1", SHUTDOWN_GRACE_SECONDS=1)
    first.wait_for(READY[command])
    first.wait_for_its_signal_handlers()
    arrived.hold[("POST", APPLICANT)] = 3.0  # the applicant's creation takes 3 s
    application_id = site.apply(site.job_id(DATA_ENGINEER))
    wait_until(lambda: ("POST", APPLICANT) in arrived.seen, 60, "the applicant's creation to reach Skailer")

    took = first.stop(SIGNALS[signame])
    print(f"{command} stopped {took:.2f}s after {signame} with a delivery in flight")
    assert took < STOP_WITHIN
    assert "1 unfinished deliveries handed back" in first.output()
    row = site.delivery(application_id)
    assert row.status == "in_progress" and row.lease_until is not None
    # Skailer saves the applicant once its answer is ready, after our process has gone.
    wait_until(lambda: calls.to("POST", APPLICANT), 10, "Skailer to answer the abandoned call")

    second = processes(args, site.app, f"{command}-2")
    second.wait_for(READY[command])
    row = site.wait_for(application_id, timeout=30)
    assert row.attempts == 1  # the attempt our stop cut short is not counted
    assert "create_applicant" in row.checkpoints and "_inflight" not in row.checkpoints
    applicants = [a for a in control.state.applicants.values() if a["email"] == "grace@example.com"]
    assert len(applicants) == 1
    assert control.count_applications("grace@example.com", DATA_ENGINEER) == 1
    assert len(calls.to("POST", APPLICANT)) == 1


def test_a_delivery_that_ends_within_the_grace_period_finishes_before_serve_exits(processes, site, skailer):
    control, _, arrived, _ = skailer
    serve = processes(SERVE, site.app, "serve", SHUTDOWN_GRACE_SECONDS=8)
    serve.wait_for(READY["serve"])
    control.faults.configure({"latency": 0.5})
    application_id = site.apply(site.job_id(DATA_ENGINEER))
    # Stopped once the delivery talks to Skailer (its resume already parsed): the calls left
    # take about 2 s of the 8 s grace, however long a loaded machine took to get there.
    wait_until(lambda: ("POST", SEARCH_APPLICANTS) in arrived.seen, 30, "the delivery to reach Skailer")

    took = serve.stop(signal.SIGTERM)
    print(f"serve stopped {took:.2f}s after SIGTERM, letting its delivery finish")
    assert took < STOP_WITHIN
    assert site.delivery(application_id).status == "delivered"
    assert "0 unfinished deliveries handed back" in serve.output()
    assert control.count_applications("grace@example.com", DATA_ENGINEER) == 1


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "\nState:\tZ" not in status.read_text()


@pytest.mark.parametrize("signame", SIGNALS)
def test_make_run_stops_within_ten_seconds_of_a_signal_to_make(app, tmp_path, signame):
    """`make run` as a newcomer starts it: SIGTERM to make (as `kill`) or SIGINT to the whole
    foreground group (as Ctrl+C in a terminal) ends make and the server under it."""
    out = (tmp_path / "make.out").open("w")
    # On this interpreter's environment, installed already: the install step is not under test,
    # and must never pip-install into the environment other tests are running from.
    on_this_python = ["-o", ".venv/.installed", f"BIN={Path(sys.executable).parent}"]
    make = subprocess.Popen(
        ["make", "--no-print-directory", *on_this_python, "run", "PORT=0"],
        cwd=ROOT,
        env=environment(app),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        ready = wait_until(
            lambda: re.search(READY["serve"], (tmp_path / "make.out").read_text()), 60, "the start line"
        )
        assert httpx.get(f"{ready.group(1)}/jobs", timeout=10).status_code == 200
        (server,) = children_of(make.pid)
        sent = time.monotonic()
        if signame == "SIGINT":
            os.killpg(make.pid, signal.SIGINT)
        else:
            make.send_signal(signal.SIGTERM)
        wait_until(lambda: not is_running(server), STOP_WITHIN, "the server to end")
        make.wait(STOP_WITHIN)
        print(f"make run stopped {time.monotonic() - sent:.2f}s after {signame}")
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
