"""Chaos benchmark: the service as production runs it (tests/bench/cluster.py: PostgreSQL +
Redis, gunicorn with 2 web workers, 2 `flask worker` processes of 4 threads) delivering to an
ATS sandbox that answers 20 % of requests with a 500 and 5 % with a 429, and saves-then-fails a
create on every create step again and again, while applications are posted through the form,
the worker processes are `kill -9`'d 20 times (each started again at once), and PostgreSQL and
Redis are each restarted once mid-run.

    /work/main/.venv/bin/python tests/bench/chaos.py [--ats skailer|dover|nexivohr|workable|
        greenhouse|all] [--n 300] [--kills 20] [--clients 8] [--lease 20] [--seed 1]

`--ats all` runs each of the five ATSs in turn (default --n 60 each). A candidate whose POST
fails (an error page, or no answer while an engine restarts) sends the same form again, up to
5 times a second apart, as a browser's user would; such POSTs are counted.

Prints per ATS: applications accepted (thanks page) and refused (every try failed), POSTs that
failed before one went through, deliveries done, waiting for HR's review (an outcome that
cannot be known where the ATS cannot be searched: Dover), failed; lost (accepted but not in
the ATS and not in review) and duplicated (two in our database, or two applications or people
in the ATS); the seconds from the last fault to the last delivery (time to drain); the worker
processes that exited on their own; tracebacks in the workers' logs; the load average.
Exits 1 when anything was lost or duplicated, or did not drain.

Delivery leases are `--lease` seconds (production: 300), so what a killed worker held is taken
up again within the run; the sweep runs every minute.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx  # noqa: E402

from tests.bench.cluster import (  # noqa: E402
    KINDS,
    Cluster,
    Database,
    Options,
    load_average,
    outcomes,
    post_all,
    table,
)

TRIES = 5  # a candidate sends a failed form again (a second apart), up to 5 times in all
ARM_EVERY = 2.0  # seconds between saved-then-failed creates armed on each create step


class Chaos:
    """Acts out the faults while the clients post, in an order fixed by the seed."""

    def __init__(self, cluster: Cluster, kills: int, seed: int, n: int) -> None:
        self.cluster, self.kills, self.n = cluster, kills, n
        self.rng = random.Random(seed)
        self.posted = 0  # set by the clients as they go
        self.posting_done = threading.Event()
        self.finished = threading.Event()
        self.last_fault = time.monotonic()
        self.armed = 0
        self.exits = 0  # worker processes that ended without being killed
        self.events: list[tuple[float, str]] = self._schedule()

    def note_posted(self, count: int) -> None:
        self.posted = count

    def _schedule(self) -> list[tuple[float, str]]:
        """(share of applications posted, action): kills spread over the run, PostgreSQL
        restarted at 40 % and Redis at 70 %."""
        events = [((i + 1) / (self.kills + 2), "kill") for i in range(self.kills)]
        events += [(0.4, "postgres"), (0.7, "redis")]
        return sorted(events)

    def run(self) -> None:
        next_arm = 0.0
        for share, action in self.events:
            while self.posted < share * self.n and not self.posting_done.is_set():
                next_arm = self._arm_when_due(next_arm)
                time.sleep(0.1)
            if self.posting_done.is_set():
                time.sleep(1.0)  # the clients are through: the rest follow one a second
            self._act(action)
            self.last_fault = time.monotonic()
        while not self.posting_done.is_set():
            next_arm = self._arm_when_due(next_arm)
            time.sleep(0.1)
        self._restart_exited()
        self.finished.set()

    def _act(self, action: str) -> None:
        self._restart_exited()
        if action == "kill":
            self.cluster.kill_worker(self.rng.randrange(len(self.cluster.workers)))
        elif action == "postgres":
            self.cluster.postgres.restart()
        elif action == "redis":
            self.cluster.redis.restart()

    def _arm_when_due(self, next_arm: float) -> float:
        now = time.monotonic()
        if now < next_arm:
            return next_arm
        mode = "drop" if self.armed % 2 else "500"
        for step in self.cluster.vendor.creates:
            try:
                self.cluster.sandbox.arm({"commit_then_fail": {"step": step, "mode": mode}})
                self.armed += 1
            except httpx.HTTPError:
                pass
        self.last_fault = now
        return now + ARM_EVERY

    def _restart_exited(self) -> None:
        for index, process in enumerate(self.cluster.workers):
            if process.poll() is not None:
                self.exits += 1
                self.cluster.workers[index] = self.cluster.start_worker()


def drain(database: Database, timeout: float) -> bool:
    """Wait until no delivery is pending or in progress, saying on stderr what is left."""
    deadline, said = time.monotonic() + timeout, 0.0
    while time.monotonic() < deadline:
        left = database.rows(
            "SELECT status, count(*), min(next_attempt_at), min(lease_until) FROM delivery "
            "WHERE status IN ('pending', 'in_progress') GROUP BY status"
        )
        if not left:
            return True
        if time.monotonic() - said > 10:
            print(f"  draining: {[tuple(row) for row in left]}", file=sys.stderr, flush=True)
            said = time.monotonic()
        time.sleep(1.0)
    return False


def run(kind: str, args: argparse.Namespace, n: int) -> dict:
    options = Options(
        kind=kind,
        latency=args.latency,
        faults={"error_rate": args.error_rate, "rate_429": args.rate_429, "seed": args.seed},
        worker_processes=args.workers,
        worker_threads=args.threads,
        settings={
            "DELIVERY_BACKOFF_BASE": 0.2,
            "DELIVERY_BACKOFF_CAP": 2.0,
            "DELIVERY_MAX_ATTEMPTS": 60,
            "DELIVERY_LEASE_SECONDS": args.lease,
            "SWEEP_INTERVAL_MINUTES": 1,
        },
    )
    with Cluster(options) as cluster:
        database = Database(cluster.postgres.url)
        job_id, answers = database.job(cluster.vendor.job_ref)
        chaos = Chaos(cluster, args.kills, args.seed, n)
        actor = threading.Thread(target=chaos.run)
        actor.start()
        emails = [f"chaos{i}@example.com" for i in range(n)]
        posted = post_all(
            cluster.site, job_id, answers, emails, args.clients, tries=TRIES, posted_so_far=chaos.note_posted
        )
        chaos.posting_done.set()
        actor.join()
        drained = drain(database, args.drain_timeout)
        drain_s = time.monotonic() - chaos.last_fault
        accepted = [p.email for p in posted if p.accepted]
        refused = [p.email for p in posted if not p.accepted]
        tally = outcomes(database, cluster.sandbox, accepted, refused)
        tracebacks = cluster.worker_logs().count("Traceback")
    if tally["lost_emails"] or tally["duplicated_emails"]:
        print(f"{kind}: lost {tally['lost_emails'][:10]} duplicated {tally['duplicated_emails'][:10]}")
    return {
        "ats": kind,
        "n": n,
        "accepted": len(accepted),
        "refused": len(refused),
        "failed POSTs": sum(p.failed_posts for p in posted),
        "delivered": tally["delivered"],
        "review": tally["needs_review"],
        "failed": tally["failed"],
        "lost": tally["lost"],
        "dup": tally["duplicated"],
        "drain s": drain_s if drained else "NOT",
        "kills": args.kills,
        "exits": chaos.exits,
        "armed": chaos.armed,
        "tracebacks": tracebacks,
        "load avg": load_average(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ats", default="skailer", choices=[*KINDS, "all"])
    parser.add_argument("--n", type=int, help="applications per ATS (300; 60 each with --ats all)")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--error-rate", type=float, default=0.2)
    parser.add_argument("--rate-429", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=2, help="flask worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    parser.add_argument("--lease", type=float, default=20.0, help="delivery lease, seconds")
    parser.add_argument("--drain-timeout", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    kinds = list(KINDS) if args.ats == "all" else [args.ats]
    n = args.n or (60 if args.ats == "all" else 300)
    rows = []
    for kind in kinds:
        rows.append(run(kind, args, n))
        print(table(rows[-1:]), flush=True)
    if len(rows) > 1:
        print(table(rows))
    bad = any(row["lost"] or row["dup"] or row["drain s"] == "NOT" for row in rows)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
