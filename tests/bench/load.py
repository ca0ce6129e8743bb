"""Load benchmark: applications posted through the real apply form by concurrent clients to
the service as production runs it (tests/bench/cluster.py): PostgreSQL + Redis, one gunicorn
master with 2 web workers, 2 `flask worker` processes of 4 threads, an ATS sandbox with 100 ms
latency and its rate limit raised out of the way.

    /work/main/.venv/bin/python tests/bench/load.py [--n 1000] [--clients 16] [--ats skailer]
        [--latency 0.1] [--web-workers 2] [--workers 2] [--threads 4]

Each client GETs the form (CSRF token, submission key) and POSTs it as multipart with a small
PDF resume. Prints applications/s accepted (answered by the redirect to the thanks page) and
delivered, the apply POST's p50/p95 as the server timed it (gunicorn's access log, from reading
the request to the last byte of the answer) and as the client saw it, each web process's RSS
after the run (goal <= 150 MB), the load average, and the lost and duplicated counts; exits 1
when any application was lost or duplicated.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx  # noqa: E402

from tests.bench.cluster import (  # noqa: E402
    KINDS,
    Cluster,
    Database,
    Options,
    apply,
    load_average,
    outcomes,
    percentile,
    post_all,
    table,
    wait_until,
)


def run(args: argparse.Namespace) -> dict:
    options = Options(
        kind=args.ats,
        latency=args.latency,
        web_workers=args.web_workers,
        worker_processes=args.workers,
        worker_threads=args.threads,
    )
    with Cluster(options) as cluster:
        database = Database(cluster.postgres.url)
        job_id, answers = database.job(cluster.vendor.job_ref)
        apply(httpx.Client(base_url=cluster.site, timeout=60), job_id, "warm@example.com", answers)
        wait_until(lambda: database.unfinished() == 0, 60)
        emails = [f"load{i}@example.com" for i in range(args.n)]
        started, wall = time.perf_counter(), datetime.now(UTC).replace(tzinfo=None)
        posted = post_all(cluster.site, job_id, answers, emails, args.clients)
        posting = time.perf_counter() - started
        drained = wait_until(lambda: database.unfinished() == 0, 60 + args.n)
        delivering = (database.last_delivered_at() - wall).total_seconds()
        server = cluster.apply_times_ms()
        accepted = [p for p in posted if p.accepted]
        server_ms = [server[p.request_id] for p in accepted if p.request_id in server]
        client_ms = [p.seconds * 1000 for p in accepted]
        tally = outcomes(database, cluster.sandbox, [p.email for p in accepted])
        return {
            "n": args.n,
            "accepted": len(accepted),
            "accepted/s": len(accepted) / posting,
            "delivered/s": tally["delivered"] / delivering,
            "srv p50 ms": percentile(server_ms, 0.5),
            "srv p95 ms": percentile(server_ms, 0.95),
            "cli p50 ms": percentile(client_ms, 0.5),
            "cli p95 ms": percentile(client_ms, 0.95),
            "web RSS MB": "/".join(f"{mb:.0f}" for mb in cluster.web_rss_mb()),
            "drained": "yes" if drained else "NO",
            "lost": tally["lost"],
            "dup": tally["duplicated"],
            "load avg": load_average(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--ats", default="skailer", choices=KINDS)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="flask worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    args = parser.parse_args()
    row = run(args)
    print(table([row]))
    sys.exit(1 if row["lost"] or row["dup"] else 0)


if __name__ == "__main__":
    main()
