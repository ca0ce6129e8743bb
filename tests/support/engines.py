"""PostgreSQL and Redis servers of the test's own, from the Debian packages, in a temporary
directory, listening on a Unix socket only: no TCP port to guess, nothing shared with any other
test run, and nothing left behind. Each can be stopped and started again on the same socket, as
a restart in production would.

`postgres_missing()` / `redis_missing()` say what is not installed (None when all is there).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT = 20.0
DATABASE = "careers"


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def postgres_missing() -> str | None:
    if _postgres_bin() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "PostgreSQL cannot run as root and runuser is missing"
    return None


def redis_missing() -> str | None:
    return None if shutil.which("redis-server") else "Redis is not installed (apt-get install redis-server)"


class PostgresServer:
    """A throwaway cluster. As root it runs as the `postgres` user, which the package creates,
    since PostgreSQL refuses to run as root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.bin = _postgres_bin()
        if self.bin is None:
            raise RuntimeError(postgres_missing() or "PostgreSQL is missing")

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the test database (psycopg 3, over the socket)."""
        return self.url_of(DATABASE)

    def url_of(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template`, which nobody may be connected to); its URL."""
        copy = f" TEMPLATE {template}" if template else ""
        self.execute(f"CREATE DATABASE {name}{copy}")
        return self.url_of(name)

    def drop_database(self, name: str) -> None:
        """Gone, with every session still connected to it ended first."""
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def execute(self, statement: str) -> None:
        """One statement outside a transaction (CREATE/DROP DATABASE), in the first database."""
        import psycopg  # the test extra's; imported here so SQLite-only runs need no driver

        with psycopg.connect(host=str(self.root), user="postgres", dbname=DATABASE, autocommit=True) as conn:
            conn.execute(statement)

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o755)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", str(self.root), "-U", "postgres", DATABASE)

    def start(self) -> None:
        options = (
            f"-c listen_addresses='' -k {self.root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        log = self.root / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        """`immediate` acts out a crash; `fast` a clean shutdown that ends every session."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()


class RedisServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "redis.sock"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self.socket.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port", "0",
                "--unixsocket", str(self.socket),
                "--unixsocketperm", "700",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def flush(self) -> None:
        """Empty every database of the server: the next test starts with no queue left over."""
        import redis  # the test extra's; imported here so SQLite-only runs need no client

        with redis.Redis.from_url(self.url) as client:
            client.flushall()


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    root = Path(tempfile.mkdtemp(prefix="careers-pg-"))
    server = PostgresServer(root)
    try:
        server.create()
        yield server
    finally:
        try:
            server.stop("immediate")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass  # it was never started, or is already down
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    root = Path(tempfile.mkdtemp(prefix="careers-redis-"))
    server = RedisServer(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
