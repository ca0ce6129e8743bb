"""Delivery benchmark: N applications through each ATS sandbox served on 127.0.0.1, by the real
delivery code (Huey consumer threads, SQLite database and queue, pooled clients).

    .venv/bin/python tests/bench/delivery.py [--ats skailer|dover|nexivohr|workable|greenhouse|all]
        [--n 200] [--latency 0.1] [--threads 8] [--faults none|mix] [--letters 0.5]

Prints applications/s, ATS calls per application (the first one, with cold lookups, and the
steady state), retries, and the lost and duplicated counts, which must be 0. The vendors'
rate limits are raised in the sandboxes and in our limiter so the bench measures our code.

`--letters` is the share of applications that come with a cover letter; the others carry only
what every ATS has a field for. It matters for Skailer, whose comment (the fourth call) is sent
only when there is something to say beyond those fields.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.intake.submit import NewApplication, Upload, submit  # noqa: E402
from app.intake.tasks import start_consumer, sync_target_jobs  # noqa: E402
from app.models import Delivery, Job, utcnow  # noqa: E402
from app.storage import storage_for  # noqa: E402
from tests.bench.cluster import HIGH, VENDORS, Sandbox, sandbox_config, sandbox_process  # noqa: E402

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
FAULT_MIXES = {"none": {}, "mix": {"error_rate": 0.05, "rate_429": 0.02}}


def calls(sandbox: Sandbox) -> int:
    """The API requests the sandbox answered so far."""
    return sum(sandbox.tally()[0].values())


def has_letter(index: int, share: float) -> bool:
    """Spreads `share` of the applications evenly; the first one always has a letter."""
    return index == 0 or int((index + 1) * share) > int(index * share)


def run(kind: str, n: int, latency: float, threads: int, faults: dict, letters: float = 1.0) -> dict:
    vendor = VENDORS[kind]
    with sandbox_process(vendor, sandbox_config(vendor, latency, faults, None)) as remote:
        return deliver_all(remote, n, threads, letters)


def deliver_all(remote: Sandbox, n: int, threads: int, letters: float) -> dict:
    kind, job_ref = remote.vendor.kind, remote.vendor.job_ref
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
    ats = {
        "kind": kind,
        "base_url": remote.base_url,
        "rate_limit_per_minute": HIGH,
        "stage": "",
        "source": "Careers site",
        **remote.vendor.settings,
    }
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(tmp / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp / 'careers.db'}",
            "QUEUE_URL": f"sqlite:///{tmp / 'queue.db'}",
            "UPLOAD_DIR": str(tmp / "up"),
            "ATS": ats,
            "DELIVERY_BACKOFF_BASE": 0.05,
            "DELIVERY_BACKOFF_CAP": 0.5,
            "DELIVERY_MAX_ATTEMPTS": 25,
        }
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("app").setLevel(logging.ERROR)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        logging.getLogger("alembic").setLevel(logging.ERROR)
        sync_target_jobs(app, app.extensions["careers.adapters"])
        job = db.session.scalar(select(Job).where(Job.ref == str(job_ref)))
        assert job is not None, f"{kind}: job {job_ref} not synced"
        job_id = job.id
    tasks = app.extensions["careers.tasks"]
    emails = [f"bench{i}@example.com" for i in range(n)]
    letter = {email: has_letter(i, letters) for i, email in enumerate(emails)}

    def add(email: str) -> None:
        with app.app_context():
            new = NewApplication(
                job=db.session.get(Job, job_id),
                submission_key=email,
                first_name="Bench",
                last_name=email.split("@")[0],
                email=email,
                consent_text="I agree.",
                consent_version="1",
                phone="+4930123456",
                location="Berlin, Germany",
                cover_letter="Hello." if letter[email] else "",
                resume=Upload.from_bytes(PDF, "cv.pdf", "application/pdf"),
                parsed={"ok": False, "error_code": "bench"},
            )
            submit(db.session, storage_for(app), tasks.enqueue_delivery, new, target=kind)

    def finished() -> int:
        with app.app_context():
            return db.session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.status.in_(("delivered", "failed", "needs_review")))
            )

    def wait(count: int, timeout: float) -> None:
        # Polled slowly: the bench shares the workers' process and its queries take their CPU.
        # The clock stops at the last row's own update time, not at the poll that noticed it.
        deadline = time.monotonic() + timeout
        while finished() < count and time.monotonic() < deadline:
            time.sleep(0.25)

    def last_update() -> datetime:
        with app.app_context():
            return db.session.scalar(select(func.max(Delivery.updated_at)))

    # The first application warms the lookups; the rest are queued before the clock starts,
    # so the figure is the workers' delivery rate, not the speed of the submitting loop.
    consumer = start_consumer(tasks.huey, threads, max_delay=0.05, periodic=False)
    before = calls(remote)
    add(emails[0])
    wait(1, 60)
    first_calls = calls(remote) - before
    consumer.stop(graceful=True)
    for email in emails[1:]:
        add(email)
    before, started = calls(remote), utcnow()
    consumer = start_consumer(tasks.huey, threads, max_delay=0.05, periodic=False)
    wait(n, 600)
    elapsed = (last_update() - started).total_seconds()
    steady_calls = (calls(remote) - before) / max(n - 1, 1)
    consumer.stop(graceful=True)
    with app.app_context():
        rows = db.session.execute(select(Delivery.status, Delivery.attempts)).all()
    counts = [apps for apps, _ in remote.counts(emails).values()]
    statuses = [status for status, _ in rows]
    return {
        "ats": kind,
        "n": n,
        "apps_per_s": (n - 1) / elapsed,
        "first_calls": first_calls,
        "steady_calls": steady_calls,
        "retries": sum(a - 1 for _, a in rows),
        "delivered": statuses.count("delivered"),
        "needs_review": statuses.count("needs_review"),
        "failed": statuses.count("failed"),
        "lost": sum(1 for c in counts if c == 0) - statuses.count("needs_review"),
        "duplicated": sum(1 for c in counts if c > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ats", default="skailer", choices=["skailer", "dover", "nexivohr", "workable", "greenhouse", "all"]
    )
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--faults", default="none", choices=sorted(FAULT_MIXES))
    parser.add_argument(
        "--letters", type=float, default=0.5, help="share of applications with a cover letter (0..1)"
    )
    args = parser.parse_args()
    kinds = ["skailer", "dover", "nexivohr", "workable", "greenhouse"] if args.ats == "all" else [args.ats]
    if not 0 <= args.letters <= 1:
        parser.error("--letters is a share between 0 and 1")
    print(
        f"n={args.n} latency={args.latency}s threads={args.threads} faults={args.faults} "
        f"letters={args.letters}"
    )
    print(
        f"{'ats':<11}{'apps/s':>8}{'calls 1st':>10}{'calls/app':>10}{'retries':>8}"
        f"{'deliv':>7}{'review':>7}{'failed':>7}{'lost':>5}{'dup':>5}"
    )
    for kind in kinds:
        r = run(kind, args.n, args.latency, args.threads, FAULT_MIXES[args.faults], args.letters)
        print(
            f"{r['ats']:<11}{r['apps_per_s']:>8.1f}{r['first_calls']:>10}{r['steady_calls']:>10.2f}"
            f"{r['retries']:>8}{r['delivered']:>7}{r['needs_review']:>7}{r['failed']:>7}"
            f"{r['lost']:>5}{r['duplicated']:>5}",
            flush=True,
        )


if __name__ == "__main__":
    main()
