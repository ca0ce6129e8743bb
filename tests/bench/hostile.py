"""Hostile uploads against gunicorn: each file's answer, time and the server's peak memory, then
GET /jobs latency with and without 8 hostile uploads in flight.

Run from the repository root:  .venv/bin/python tests/bench/hostile.py [--seconds 15] [--threads 4]
(--threads 1 runs gunicorn's sync workers). Targets: every file answered within 5 s; GET /jobs
p99 under load at most 100 ms above p99 without it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]

from listing import prepare_instance, wait_until_up  # noqa: E402

from tests.hostile.corpus import Hostile, corpus  # noqa: E402

BIN = Path(sys.executable).parent
IN_FLIGHT = 8
# Files that keep a parser busy the longest: what an attacker would send over and over.
HEAVY = (
    "pdf form xobject fan-out",
    "pdf 300k text operators",
    "pdf 30k positioned characters",
    "pdf long line of 'a%'",
    "docx 150k paragraphs",
    "mht 100k parts",
    "text lines of 'a%'",
    "pdf dictionaries nested 100k deep",
)


def serve(folder: Path, env: dict[str, str], threads: int) -> tuple[subprocess.Popen, int]:
    """gunicorn on a socket we bound to port 0 ourselves and hand over by descriptor."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    factory = "app:create_app({'RATELIMIT_ENABLED': False})"
    command = [str(BIN / "gunicorn"), "-w", "2", "--threads", str(threads), "-b", f"fd://{listener.fileno()}"]
    server = subprocess.Popen(
        [*command, factory], cwd=ROOT, env=env, pass_fds=(listener.fileno(),), stderr=subprocess.DEVNULL
    )
    listener.close()
    return server, port


class Visitor:
    """One browser: a session cookie and the apply form's CSRF token."""

    def __init__(self, port: int, job_path: str) -> None:
        self._port = port
        page = self._request("GET", job_path + "/apply")
        cookies = [header.split(";")[0] for header in page.msg.get_all("Set-Cookie") or []]
        self._cookie = "; ".join(cookie for cookie in cookies if not cookie.endswith("="))
        self._token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.read()).group(1).decode()

    def _request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
        connection.request(method, path, body=body, headers=headers or {})
        return connection.getresponse()

    def parse(self, entry: Hostile, data: bytes) -> tuple[int, dict]:
        """POST the file and poll as the script does; the final status and answer."""
        boundary = uuid.uuid4().hex
        name = entry.filename.replace('"', "").encode("utf-8", "replace")
        body = (
            f"--{boundary}\r\n".encode()
            + b'Content-Disposition: form-data; name="resume"; filename="'
            + name
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-CSRFToken": self._token,
            "Cookie": self._cookie,
        }
        response = self._request("POST", "/api/resume/parse", body, headers)
        for _ in range(60):
            answer = json.loads(response.read() or b"{}")
            if response.status != 202:
                return response.status, answer
            time.sleep(0.2)
            response = self._request("GET", answer["poll"], headers={"Cookie": self._cookie})
        return response.status, {"error_code": "never finished"}


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants (gunicorn and the parse workers)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    family, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    total = 0
    for pid in family:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(match.group(1)) if match else 0
    return total / 1024


class PeakMemory(threading.Thread):
    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self._root = root
        self.peak = 0.0
        self.stop = threading.Event()

    def reset(self) -> None:
        self.peak = tree_rss_mb(self._root)

    def run(self) -> None:
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, tree_rss_mb(self._root))


def unique(data: bytes) -> bytes:
    """The same trap with other bytes, so no cached answer spares the parser."""
    return data + b"\n%" + secrets.token_hex(8).encode() + b"\n"


def listing_latencies(port: int, seconds: float, clients: int = 2) -> list[float]:
    times: list[float] = []
    end = time.monotonic() + seconds

    def visit() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < end:
            started = time.perf_counter()
            connection.request("GET", "/jobs")
            response = connection.getresponse()
            response.read()
            times.append(time.perf_counter() - started)
            if response.status != 200:
                times.append(float("inf"))

    threads = [threading.Thread(target=visit) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def table(port: int, job_path: str, memory: PeakMemory) -> float:
    visitor = Visitor(port, job_path)
    print(f"{'file':48} {'answer':24} {'seconds':>8} {'peak MB':>8}")
    slowest = 0.0
    for entry in corpus():
        data = entry.build()
        memory.reset()
        started = time.perf_counter()
        status, answer = visitor.parse(entry, data)
        seconds = time.perf_counter() - started
        slowest = max(slowest, seconds)
        outcome = "ok" if answer.get("ok") else answer.get("error_code", "?")
        print(
            f"{entry.name[:48]:48} {f'{status} {outcome}':24} {seconds:8.2f} {memory.peak:8.0f}", flush=True
        )
    return slowest


def under_attack(
    port: int, job_path: str, seconds: float
) -> tuple[list[float], list[tuple[int, str, float]]]:
    heavy = [entry for entry in corpus() if entry.name in HEAVY]
    answers: list[tuple[int, str, float]] = []
    stop = threading.Event()

    def attacker(offset: int) -> None:
        visitor = Visitor(port, job_path)
        turn = offset
        while not stop.is_set():
            entry = heavy[turn % len(heavy)]
            turn += 1
            started = time.perf_counter()
            status, answer = visitor.parse(entry, unique(entry.build()))
            outcome = "ok" if answer.get("ok") else str(answer.get("error_code"))
            answers.append((status, outcome, time.perf_counter() - started))

    attackers = [threading.Thread(target=attacker, args=(n,)) for n in range(IN_FLIGHT)]
    for thread in attackers:
        thread.start()
    time.sleep(2)  # the attack is under way before we measure
    latencies = listing_latencies(port, seconds)
    stop.set()
    for thread in attackers:
        thread.join()
    return latencies, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker; 1 = sync")
    parser.add_argument("--skip-table", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = prepare_instance(Path(tmp))
        server, port = serve(Path(tmp), env, args.threads)
        memory = PeakMemory(server.pid)
        memory.start()
        try:
            wait_until_up(port, "/jobs")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/jobs")
            job_path = re.search(rb'href="(/jobs/\d+)"', connection.getresponse().read()).group(1).decode()
            slowest = 0.0 if args.skip_table else table(port, job_path, memory)
            quiet = listing_latencies(port, args.seconds)
            loud, answers = under_attack(port, job_path, args.seconds)
        finally:
            memory.stop.set()
            server.terminate()
            server.wait(10)
    workers = "sync" if args.threads == 1 else f"gthread, {args.threads} threads"
    print(f"\ngunicorn -w 2 ({workers})")
    if not args.skip_table:
        print(f"slowest answer over the corpus: {slowest:.2f} s (target <= 5 s)")
    p99_quiet, p99_loud = percentile(quiet, 0.99) * 1000, percentile(loud, 0.99) * 1000
    for label, times in (("alone", quiet), (f"with {IN_FLIGHT} hostile uploads", loud)):
        p50, p99 = percentile(times, 0.5) * 1000, percentile(times, 0.99) * 1000
        print(f"GET /jobs {label:28} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  n={len(times)}")
    print(f"p99 difference: {p99_loud - p99_quiet:+.1f} ms (target <= +100 ms)")
    kinds: dict[str, int] = {}
    for status, outcome, _ in answers:
        kinds[f"{status} {outcome}"] = kinds.get(f"{status} {outcome}", 0) + 1
    longest = max((seconds for _, _, seconds in answers), default=0.0)
    print(f"hostile answers during the attack: {len(answers)}, longest {longest:.2f} s: {kinds}")


if __name__ == "__main__":
    main()
