"""Real HTTP servers on 127.0.0.1 for tests, each bound to port 0 by the server itself, so no
test ever guesses a free port that another process can take first."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from werkzeug.serving import make_server

LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp
SHUTDOWN_POLL = 0.05  # seconds; how often the server looks for shutdown() (0.5 by default)


@contextmanager
def serving(wsgi_app) -> Iterator[str]:
    """Serve a WSGI app on a threaded server in this process; yields its base URL and shuts
    the server down (socket closed, thread joined) when the block ends."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, args=(SHUTDOWN_POLL,), name=f"serving:{server.port}", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def serving_process(
    args: Sequence[str], *, env: dict[str, str] | None = None, cwd=None, timeout: float = 15.0
) -> Iterator[tuple[subprocess.Popen, str]]:
    """Start a server process told to listen on port 0; yields the process and its base URL
    once the kernel shows it listening, and ends it (terminate, then kill) afterwards.

    The port is read from the child's own listening socket (/proc, Linux), so it is whatever
    the child was given, never one we picked and hoped was still free."""
    # A file, not a pipe: a chatty server never blocks on a pipe nobody reads.
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(args, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        try:
            port = listening_port(process, timeout, output)
            yield process, f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def listening_port(process: subprocess.Popen, timeout: float, output: IO[bytes]) -> int:
    """The TCP port the process listens on, waiting up to `timeout` seconds for it to bind."""
    deadline = time.monotonic() + timeout
    while True:
        port = _listening_port_of(process.pid)
        if port is not None:
            return port
        if process.poll() is not None:
            output.seek(0)
            said = output.read().decode(errors="replace")
            raise AssertionError(f"the server exited ({process.returncode}) before listening:\n{said}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the server did not listen within {timeout} s")
        time.sleep(0.05)


def _listening_port_of(pid: int) -> int | None:
    try:
        sockets = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        table = Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]
    except (FileNotFoundError, ProcessLookupError):
        return None  # not started yet, or gone: the caller looks at the process
    for row in table:
        fields = row.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == LISTEN and f"socket:[{inode}]" in sockets:
            return int(local.split(":")[1], 16)
    return None
