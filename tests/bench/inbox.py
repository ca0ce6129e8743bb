"""Time of the HR inbox page and its CSV export with many applications.

Run from the repository root:
    .venv/bin/python tests/bench/inbox.py [--applications 50000] [--engine pg]
Fills a fresh, migrated SQLite database (a throwaway PostgreSQL with `--engine pg`), signs in
through the test client and prints the median time of each page below for a few searches,
filters and sorts (target: each page well under 200 ms on a quiet machine). No assertion: it is
a measurement to compare before and after a change.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Application, Delivery, Job  # noqa: E402
from tests.conftest import add_user, app_config, login  # noqa: E402
from tests.support.engines import postgres_server  # noqa: E402

STATUSES = ["delivered"] * 80 + ["pending"] * 8 + ["failed"] * 7 + ["needs_review"] * 3 + ["in_progress"] * 2
SOURCES = ["", "", "linkedin", "indeed", "newsletter", "referral"]
TEAMS = ["Engineering", "Design", "Sales", "Support", "Finance"]
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Niklaus"]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Thompson",
    "Hamilton",
    "Wirth",
]

PAGES = [
    ("newest first", ""),
    ("search by name", "q=hopper"),
    ("search by email part", "q=person12345"),
    ("job filter", "job=7"),
    ("team + status", "department=Design&status=failed"),
    ("source filter", "source=linkedin"),
    ("date range", "from=2026-03-01&to=2026-03-31"),
    ("sort by name", "sort=name&order=asc"),
    ("sort by job, page 100", "sort=job&order=asc&page=100"),
    ("sort by status desc", "sort=status&order=desc"),
    ("paused filter", "status=paused"),
]


def fill(app, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1)
    with app.app_context():
        jobs = [
            Job(title=f"Role {n:02d}", department=TEAMS[n % len(TEAMS)], published=True) for n in range(50)
        ]
        db.session.add_all(jobs)
        db.session.commit()
        job_ids = [job.id for job in jobs]
        for batch in range(0, count, 5000):
            rows = []
            for n in range(batch, min(batch + 5000, count)):
                email_n = n if rng.random() > 0.02 else max(0, n - rng.randint(1, 50))  # some duplicates
                source = rng.choice(SOURCES)
                rows.append(
                    {
                        "public_id": f"bench{n}",
                        "submission_key": f"bench-key-{n}",
                        "job_id": job_ids[email_n % len(job_ids)],
                        "first_name": rng.choice(FIRST),
                        "last_name": rng.choice(LAST),
                        "email": f"person{email_n}@example.com",
                        "attribution": {"utm_source": source} if source else {},
                        "created_at": start + timedelta(minutes=10 * n + rng.randint(0, 9)),
                    }
                )
            db.session.execute(insert(Application), rows)
            ids = db.session.scalars(
                select(Application.id).where(Application.id > 0).order_by(Application.id)
            )
            known = set(db.session.scalars(select(Delivery.application_id)))
            db.session.execute(
                insert(Delivery),
                [
                    {"application_id": i, "target": "local", "status": rng.choice(STATUSES)}
                    for i in ids
                    if i not in known
                ],
            )
            db.session.commit()


def median_ms(client, url: str, repeat: int) -> tuple[float, int]:
    times = []
    status = 0
    for _ in range(repeat):
        begin = time.perf_counter()
        response = client.get(url)
        body = response.get_data()  # a streamed export is timed to its last byte
        times.append((time.perf_counter() - begin) * 1000)
        status = response.status_code
        assert body is not None
    return statistics.median(times), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--engine", choices=("sqlite", "pg"), default="sqlite")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        database = {}
        if options.engine == "pg":
            database = {"DATABASE_URL": stack.enter_context(postgres_server()).url}
        app = create_app(app_config(Path(folder), **database))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        begin = time.perf_counter()
        fill(app, options.applications)
        print(f"filled {options.applications:,} applications in {time.perf_counter() - begin:.1f} s")
        add_user(app)
        client = app.test_client()
        login(client)
        for name, query in PAGES:
            ms, status = median_ms(client, f"/admin/applications?{query}", options.repeat)
            print(f"{name:28} {ms:8.1f} ms  (HTTP {status})  /admin/applications?{query}")
        ms, status = median_ms(client, "/admin/applications/export.csv?status=failed", 1)
        print(f"{'CSV export, all failed':28} {ms:8.1f} ms  (HTTP {status})")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
