"""Throughput of GET /jobs (50 jobs) against a bare Flask route, both under gunicorn.

Run from the repository root:  .venv/bin/python tests/bench/listing.py [--seconds 10]
Prints requests/s for both servers and their ratio (target: ratio >= 0.6).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

BARE_APP = """
from flask import Flask
app = Flask(__name__)
BODY = "<!doctype html><html><body><ul>" + "".join(
    f"<li><a href='/jobs/{i}'>Job {i}</a></li>" for i in range(10)) + "</ul></body></html>"

@app.get("/bare")
def bare():
    return BODY
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer {path}")


def prepare_instance(folder: Path) -> dict[str, str]:
    jobs = [
        {
            "ref": f"bench-{i}",
            "title": f"Engineer {i}",
            "department": ["Engineering", "Design", "Sales"][i % 3],
            "location": ["Berlin, Germany", "Lisbon, Portugal"][i % 2],
            "remote": i % 4 == 0,
            "description_html": "<p>Build things people rely on.</p>" * 5,
        }
        for i in range(50)
    ]
    (folder / "jobs.json").write_text(json.dumps(jobs))
    env = dict(
        os.environ,
        CAREERS_SECRET_KEY="bench-secret",
        CAREERS_ENV="production",
        CAREERS_DATABASE_URL=f"sqlite:///{folder / 'careers.db'}",
        CAREERS_QUEUE_URL=f"sqlite:///{folder / 'queue.db'}",
        CAREERS_UPLOAD_DIR=str(folder / "uploads"),
        FLASK_APP="app",
    )
    subprocess.run([str(BIN / "flask"), "prepare"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [str(BIN / "flask"), "jobs", "load", str(folder / "jobs.json")],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return env


def hammer(port: int, path: str, seconds: float, queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    done = errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                done += 1
            else:
                errors += 1
        except OSError:
            errors += 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    queue.put((done, errors))


def load(port: int, path: str, seconds: float, clients: int) -> tuple[float, int]:
    queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=hammer, args=(port, path, seconds, queue)) for _ in range(clients)
    ]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    return sum(r[0] for r in results) / seconds, sum(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = prepare_instance(folder)
        (folder / "bare_app.py").write_text(BARE_APP)
        app_port, bare_port = free_port(), free_port()
        gunicorn = str(BIN / "gunicorn")
        servers = [
            subprocess.Popen(
                [gunicorn, "-w", "2", "-b", f"127.0.0.1:{app_port}", "app:create_app()"],
                cwd=ROOT,
                env=env,
                stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                [gunicorn, "-w", "2", "-b", f"127.0.0.1:{bare_port}", "bare_app:app"],
                cwd=folder,
                env=env,
                stderr=subprocess.DEVNULL,
            ),
        ]
        try:
            wait_until_up(app_port, "/jobs")
            wait_until_up(bare_port, "/bare")
            load(app_port, "/jobs", 1.0, args.clients)  # warm both
            load(bare_port, "/bare", 1.0, args.clients)
            app_rps, app_errors = load(app_port, "/jobs", args.seconds, args.clients)
            bare_rps, bare_errors = load(bare_port, "/bare", args.seconds, args.clients)
        finally:
            for server in servers:
                server.terminate()
                server.wait(10)
    print(f"GET /jobs (50 jobs, gunicorn -w 2): {app_rps:8.1f} req/s  errors={app_errors}")
    print(f"GET /bare (bare Flask, gunicorn -w 2): {bare_rps:8.1f} req/s  errors={bare_errors}")
    print(f"ratio /jobs : bare = {app_rps / bare_rps:.2f}  (target >= 0.60)")


if __name__ == "__main__":
    main()
