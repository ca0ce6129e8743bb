"""Vendor budget benchmark: the Skailer sandbox at its documented 100 requests a minute, N
applications delivered by 4 workers in 2 processes (2 threads each) that share one Redis
(queue, request budget), as two machines would.

    /work/main/.venv/bin/python tests/bench/vendor_budget.py [--engines sqlite|pg] [--n 150]
        [--latency 0.1] [--processes 2] [--threads 2]

`--engines sqlite` (the default): the applications are stored first, in a SQLite file the
worker processes (forked from this one) share, with the queue and the budget in Redis.
`--engines pg`: the service as production runs it (tests/bench/cluster.py): PostgreSQL + Redis,
gunicorn, and `flask worker --threads 2` processes; the applications are posted through the
apply form while the workers run.

Prints applications delivered a minute divided by the ceiling the limit allows for the
requests they took (100 at once, then 100 more each minute: goal >= 0.95), the number of
429 answers from the sandbox (goal 0), the lost and duplicated counts, and the load average;
exits 1 when an application was lost or duplicated. Needs redis-server (and PostgreSQL for pg).
"""

from __future__ import annotations

import argparse
import logging
import math
import multiprocessing
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.intake.submit import NewApplication, Upload, submit  # noqa: E402
from app.intake.tasks import start_consumer, sync_target_jobs  # noqa: E402
from app.models import Delivery, Job  # noqa: E402
from app.storage import storage_for  # noqa: E402
from tests.bench.cluster import (  # noqa: E402
    VENDORS,
    Cluster,
    Database,
    Options,
    load_average,
    outcomes,
    post_all,
    sandbox_config,
    sandbox_process,
    table,
    wait_until,
)
from tests.bench.delivery import PDF  # noqa: E402
from tests.support.engines import redis_server  # noqa: E402

LIMIT, WINDOW = 100, 60.0  # Skailer's documented budget (CONTRACTS §7.1)
JOB_REF = "311"
CLIENTS = 4
# Retries wait long enough that a delivery refused by the budget is not hammering it.
PATIENT = {"DELIVERY_BACKOFF_BASE": 1.0, "DELIVERY_BACKOFF_CAP": 5.0, "DELIVERY_MAX_ATTEMPTS": 25}


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


def run_on_sqlite(n: int, latency: float, processes: int, threads: int) -> dict:
    fork = multiprocessing.get_context("fork")
    vendor = VENDORS["skailer"]
    tmp = Path(tempfile.mkdtemp(prefix="bench-budget-"))
    with (
        sandbox_process(vendor, sandbox_config(vendor, latency, {}, LIMIT)) as sandbox,
        redis_server() as redis,
    ):
        config = {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(tmp / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp / 'careers.db'}",
            "QUEUE_URL": redis.url,
            "UPLOAD_DIR": str(tmp / "up"),
            "ATS": {
                "kind": "skailer",
                "base_url": sandbox.base_url,
                "source": "Careers site",
                **vendor.settings,
            },
            **PATIENT,
        }
        app = create_app(config)
        logging.getLogger("app").setLevel(logging.ERROR)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            logging.getLogger("alembic").setLevel(logging.ERROR)
            sync_target_jobs(app, app.extensions["careers.adapters"])
        add_applications(app, n)
        stop = fork.Event()
        workers = [fork.Process(target=work, args=(config, threads, stop)) for _ in range(processes)]
        before, _ = sandbox.tally()
        started = time.time()
        for worker in workers:
            worker.start()
        while finished(app) < n and time.time() - started < 60 * (n // 10 + 5):
            time.sleep(1.0)
        stop.set()
        for worker in workers:
            worker.join(30)
        statuses, times = sandbox.tally()
        with app.app_context():
            rows = db.session.execute(select(Delivery.status)).scalars().all()
        counts = sandbox.counts([f"budget{i}@example.com" for i in range(n)])
    figures = measure(n, started, before, statuses, times)
    figures["delivered"] = rows.count("delivered")
    figures["lost"] = sum(1 for apps, _ in counts.values() if apps == 0)
    figures["duplicated"] = sum(1 for apps, people in counts.values() if apps > 1 or people > 1)
    return figures


def run_on_postgres(n: int, latency: float, processes: int, threads: int) -> dict:
    options = Options(
        kind="skailer",
        latency=latency,
        vendor_limit=LIMIT,
        worker_processes=processes,
        worker_threads=threads,
        settings=PATIENT,
    )
    with Cluster(options) as cluster:
        database = Database(cluster.postgres.url)
        job_id, answers = database.job(cluster.vendor.job_ref)
        before, _ = cluster.sandbox.tally()
        started = time.time()
        emails = [f"budget{i}@example.com" for i in range(n)]
        # Several clients, so the applications arrive faster than the budget lets them out.
        posted = post_all(cluster.site, job_id, answers, emails, CLIENTS)
        wait_until(lambda: database.unfinished() == 0, 60 * (n // 10 + 5), poll=1.0)
        statuses, times = cluster.sandbox.tally()
        tally = outcomes(database, cluster.sandbox, [p.email for p in posted if p.accepted])
    figures = measure(n, started, before, statuses, times)
    figures.update(delivered=tally["delivered"], lost=tally["lost"], duplicated=tally["duplicated"])
    figures["lost"] += sum(1 for p in posted if not p.accepted)  # every POST here should be taken
    return figures


def measure(n: int, started: float, before: dict, statuses: dict, times: list[float]) -> dict:
    """The requests the deliveries sent, against the fastest the limit lets them go."""
    sent_times = [t for t in times if t >= started]
    sent = len(sent_times)
    elapsed = sent_times[-1] - sent_times[0]
    # The fastest the limit lets `sent` requests go: a full budget at once, then one more
    # budget every window, the last request at the start of the last window it needs.
    fastest = (math.ceil(sent / LIMIT) - 1) * WINDOW
    return {
        "n": n,
        "startup_s": sent_times[0] - started,
        "elapsed_s": elapsed,
        "requests": sent,
        "requests_per_app": sent / n,
        "apps_per_min": n / (elapsed / 60),
        # None when every request fit in the first budget: the limit set no ceiling then.
        "ceiling_per_min": n / (fastest / 60) if fastest else None,
        "ratio": fastest / elapsed if fastest else None,
        "too_many": statuses.get(429, 0) - before.get(429, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite", choices=["sqlite", "pg"])
    parser.add_argument("--n", type=int, default=150)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    run = run_on_postgres if args.engines == "pg" else run_on_sqlite
    r = run(args.n, args.latency, args.processes, args.threads)
    print(
        f"engines={args.engines} n={r['n']}: {r['requests']} requests "
        f"({r['requests_per_app']:.2f}/application) "
        f"in {r['elapsed_s']:.0f}s from the first to the last (workers started {r['startup_s']:.1f}s before "
        f"the first); {args.processes}x{args.threads} workers"
    )
    row = {
        "delivered": r["delivered"],
        "apps/min": r["apps_per_min"],
        "ceiling/min": r["ceiling_per_min"] or "-",
        "ratio": r["ratio"] or "-",
        "429s": r["too_many"],
        "lost": r["lost"],
        "dup": r["duplicated"],
        "load avg": load_average(),
    }
    print(table([row]))
    if r["ratio"] is None:
        print("every request fit in one budget: use a larger --n")
    print("goals: ratio >= 0.95, 429s 0, lost 0, dup 0")
    sys.exit(1 if r["lost"] or r["duplicated"] else 0)


if __name__ == "__main__":
    main()
