"""A few pre-started worker processes that parse resumes.

Starting an interpreter and importing pdfminer costs far more than parsing a
two-page PDF, so workers are started once and reused. Each worker is a fresh
``python -m app.resume.worker`` talking over a socket pair: unlike a forked
or multiprocessing child it neither inherits the web server's threads and
locks nor re-imports the caller's main script. A worker that overruns its
time or dies is killed and replaced; the pool is shared by request threads.

A new worker joins the idle workers only when it says it is ready (its imports done), so a
job's time limit never pays for an interpreter starting: on a loaded machine that can take
seconds, and a replacement that started cold would time out the next job too, and so on.
"""

from __future__ import annotations

import os
import pathlib
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

EXIT_WAIT = 1.0  # seconds to learn how a worker whose pipe closed has ended
KILL_MARGIN = 0.5  # seconds past a job's deadline before its worker counts as stuck
READY = "ready"  # a worker's first message: its imports are done and it takes jobs
STARTUP_SECONDS = 60.0  # a worker not ready by then is killed and another started
PROJECT_ROOT = str(pathlib.Path(__file__).resolve().parents[2])


class PoolBusy(Exception):
    """No worker became free in time."""


class WorkerDied(Exception):
    """The worker exited mid-job (e.g. killed by the memory limit).

    `out_of_memory` says the worker aborted (SIGABRT): the C libraries it uses (PDFium)
    abort when an allocation fails under the address-space cap, where Python code would
    raise MemoryError instead.
    """

    def __init__(self, returncode: int | None = None) -> None:
        super().__init__(returncode)
        self.out_of_memory = returncode == -signal.SIGABRT


class JobTimedOut(Exception):
    """The worker did not answer within the wall-clock limit; it was replaced."""


@dataclass
class Worker:
    process: subprocess.Popen
    connection: Connection


def _exit_code(process: subprocess.Popen) -> int | None:
    """How a worker whose pipe closed ended; None if it is somehow still running."""
    try:
        return process.wait(timeout=EXIT_WAIT)
    except subprocess.TimeoutExpired:
        return None


class WorkerPool:
    def __init__(self, size: int | None = None) -> None:
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: set[int] = set()
        self._closed = False
        for _ in range(size or min(2, os.cpu_count() or 1)):
            self._start()

    def run(
        self, job: tuple, timeout: float, *, wait: float | None = None, until: float | None = None
    ) -> dict:
        """Send one job to a free worker and wait for its answer.

        Waits up to `wait` (default `timeout`) for a free worker, then up to `timeout` for the
        answer, and never past `until` (a time.time() value) plus KILL_MARGIN: a job with a
        deadline ends itself by then, so only a stuck worker is killed.
        """
        try:
            worker = self._idle.get(timeout=timeout if wait is None else max(wait, 0.0))
        except queue.Empty as exc:
            raise PoolBusy() from exc
        if until is not None:
            timeout = max(0.0, min(timeout, until - time.time() + KILL_MARGIN))
        try:
            answer = self._ask(worker, job, timeout)
        except (JobTimedOut, WorkerDied):
            self._replace(worker)
            raise
        self._release(worker)
        return answer

    def _ask(self, worker: Worker, job: tuple, timeout: float) -> dict:
        try:
            worker.connection.send(job)
            if not worker.connection.poll(timeout):
                raise JobTimedOut()
            return worker.connection.recv()
        except (EOFError, OSError) as exc:
            raise WorkerDied(_exit_code(worker.process)) from exc

    def _start(self) -> None:
        """Start a worker; a thread of its own puts it among the idle ones once it is ready."""
        ours, theirs = socket.socketpair()
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [PROJECT_ROOT, environment.get("PYTHONPATH")])
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "app.resume.worker", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            env=environment,
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        theirs.close()
        with self._lock:
            self._workers.add(process.pid)
        worker = Worker(process, Connection(ours.detach()))
        threading.Thread(target=self._admit, args=(worker,), name="parse-worker-start", daemon=True).start()

    def _admit(self, worker: Worker) -> None:
        try:
            ready = worker.connection.poll(STARTUP_SECONDS) and worker.connection.recv() == READY
        except (EOFError, OSError):
            ready = False
        if ready:
            self._release(worker)
        else:
            self._replace(worker)

    def _stop(self, worker: Worker) -> None:
        worker.process.kill()
        worker.process.wait(timeout=5)
        worker.connection.close()
        with self._lock:
            self._workers.discard(worker.process.pid)

    def _replace(self, worker: Worker) -> None:
        self._stop(worker)
        with self._lock:
            closed = self._closed
        if not closed:
            self._start()

    def _release(self, worker: Worker) -> None:
        with self._lock:
            closed = self._closed
        if closed:
            self._stop(worker)
        else:
            self._idle.put(worker)

    def pids(self) -> set[int]:
        with self._lock:
            return set(self._workers)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            self._stop(worker)
