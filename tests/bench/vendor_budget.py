"""Vendor budget benchmark: the Skailer sandbox at its documented 100 requests a minute, N
applications delivered by 4 workers in 2 processes (2 threads each) that share one Redis
(queue, request budget), as two machines would.

    .venv/bin/python tests/bench/vendor_budget.py [--n 150] [--latency 0.1] [--processes 2]
        [--threads 2]

Prints applications delivered a minute divided by the ceiling the limit allows for the
requests they took (100 at once, then 100 more each minute: goal >= 0.95), and the number of
429 answers from the sandbox (goal 0). Needs redis-server; the database is a
SQLite file shared by the processes.
"""

from __future__ import annotations

import argparse
import logging
import math
import multiprocessing
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.ats.sandbox import skailer  # noqa: E402
from app.extensions import db  # noqa: E402
from app.intake.submit import NewApplication, Upload, submit  # noqa: E402
from app.intake.tasks import start_consumer, sync_target_jobs  # noqa: E402
from app.models import Delivery, Job  # noqa: E402
from app.storage import storage_for  # noqa: E402
from tests.bench.delivery import PDF, Served, free_port  # noqa: E402
from tests.support.engines import redis_server  # noqa: E402

LIMIT, WINDOW = 100, 60.0  # Skailer's documented budget (CONTRACTS §7.1)
JOB_REF = "311"


class Tally:
    """Counts the sandbox's API answers by status and notes the time of each request."""

    def __init__(self, wsgi) -> None:
        self.wsgi, self.statuses, self.times = wsgi, {}, []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/_bench/tally":
            return self.report(start_response)

        def noting(status, headers, exc_info=None):
            if environ["PATH_INFO"].startswith("/api/"):
                with self._lock:
                    code = int(status.split()[0])
                    self.statuses[code] = self.statuses.get(code, 0) + 1
                    self.times.append(time.time())
            return start_response(status, headers, exc_info)

        return self.wsgi(environ, noting)

    def report(self, start_response):
        with self._lock:
            body = repr((dict(self.statuses), list(self.times)))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body.encode()]


def serve_sandbox(port: int, latency: float) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sandbox = skailer.create_app({"token": "bench", "limit_per_minute": LIMIT, "latency": latency})
    options = {"bind": f"127.0.0.1:{port}", "workers": 1, "worker_class": "gthread", "threads": 16}
    Served(Tally(sandbox), {**options, "keepalive": 30, "loglevel": "error", "accesslog": None}).run()


def work(config: dict, threads: int, stop) -> None:
    """One worker machine: its own app, Redis connections and consumer threads."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    logging.getLogger("app").setLevel(logging.ERROR)
    app = create_app(config)
    consumer = start_consumer(app.extensions["careers.tasks"].huey, threads, max_delay=0.05, periodic=False)
    stop.wait()
    consumer.stop(graceful=True)


def add_applications(app, n: int) -> None:
    tasks = app.extensions["careers.tasks"]
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.ref == JOB_REF))
        for i in range(n):
            email = f"budget{i}@example.com"
            new = NewApplication(
                job=job,
                submission_key=email,
                first_name="Budget",
                last_name=f"Bench{i}",
                email=email,
                consent_text="I agree.",
                consent_version="1",
                cover_letter="Hello.",
                resume=Upload.from_bytes(PDF, "cv.pdf", "application/pdf"),
                parsed={"ok": False, "error_code": "bench"},
            )
            submit(db.session, storage_for(app), tasks.enqueue_delivery, new, target="skailer")


def finished(app) -> int:
    with app.app_context():
        done = ("delivered", "failed", "needs_review")
        return db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status.in_(done)))


def tally(port: int) -> tuple[dict[int, int], list[float]]:
    statuses, times = eval(httpx.get(f"http://127.0.0.1:{port}/_bench/tally").text)  # our own repr
    return statuses, sorted(times)


def run(n: int, latency: float, processes: int, threads: int) -> dict:
    fork = multiprocessing.get_context("fork")
    port = free_port()
    sandbox = fork.Process(target=serve_sandbox, args=(port, latency), daemon=True)
    sandbox.start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-budget-"))
    with redis_server() as redis:
        config = {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(tmp / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp / 'careers.db'}",
            "QUEUE_URL": redis.url,
            "UPLOAD_DIR": str(tmp / "up"),
            "ATS": {
                "kind": "skailer",
                "base_url": f"http://127.0.0.1:{port}",
                "token": "bench",
                "stage": "New",
                "source": "Careers site",
            },
            "DELIVERY_BACKOFF_BASE": 1.0,
            "DELIVERY_BACKOFF_CAP": 5.0,
            "DELIVERY_MAX_ATTEMPTS": 25,
        }
        app = create_app(config)
        logging.getLogger("app").setLevel(logging.ERROR)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/_bench/tally")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("the sandbox did not start") from None
                time.sleep(0.1)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            logging.getLogger("alembic").setLevel(logging.ERROR)
            sync_target_jobs(app, app.extensions["careers.adapters"])
        add_applications(app, n)
        stop = fork.Event()
        workers = [fork.Process(target=work, args=(config, threads, stop)) for _ in range(processes)]
        before, _ = tally(port)
        started = time.time()
        for worker in workers:
            worker.start()
        while finished(app) < n and time.time() - started < 60 * (n // 10 + 5):
            time.sleep(1.0)
        stop.set()
        for worker in workers:
            worker.join(30)
        statuses, times = tally(port)
        with app.app_context():
            rows = db.session.execute(select(Delivery.status)).scalars().all()
    sandbox.terminate()
    sandbox.join(10)
    sent_times = [t for t in times if t >= started]
    sent = len(sent_times)
    elapsed = sent_times[-1] - sent_times[0]
    # The fastest the limit lets `sent` requests go: a full budget at once, then one more
    # budget every window, the last request at the start of the last window it needs.
    fastest = (math.ceil(sent / LIMIT) - 1) * WINDOW
    delivered = rows.count("delivered")
    return {
        "n": n,
        "delivered": delivered,
        "startup_s": sent_times[0] - started,
        "elapsed_s": elapsed,
        "requests": sent,
        "requests_per_app": sent / n,
        "apps_per_min": delivered / (elapsed / 60),
        # None when every request fit in the first budget: the limit set no ceiling then.
        "ceiling_per_min": delivered / (fastest / 60) if fastest else None,
        "ratio": fastest / elapsed if fastest else None,
        "too_many": statuses.get(429, 0) - before.get(429, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    r = run(args.n, args.latency, args.processes, args.threads)
    print(
        f"n={r['n']} delivered={r['delivered']}: {r['requests']} requests "
        f"({r['requests_per_app']:.2f}/application) in {r['elapsed_s']:.0f}s from the first to the last "
        f"(workers started {r['startup_s']:.1f}s before the first); {args.processes}x{args.threads} workers"
    )
    if r["ratio"] is None:
        print(f"every request fit in one budget: use a larger --n; 429s from the sandbox: {r['too_many']}")
        return
    print(
        f"applications/min {r['apps_per_min']:.2f} / ceiling {r['ceiling_per_min']:.2f} = {r['ratio']:.3f} "
        f"(goal >= 0.95); 429s from the sandbox: {r['too_many']} (goal 0)"
    )


if __name__ == "__main__":
    main()
