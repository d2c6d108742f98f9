"""Throwaway PostgreSQL and Redis servers for the fault tests, on ports of their own.

The tests stop, restart and kill these servers; the machine's shared PostgreSQL (5432) and
Redis (6379) are never touched. PostgreSQL refuses to run as root, so when the tests run as
root its programs run as the ``postgres`` user (``runuser``) in a directory it owns.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("IOP_FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(predicate, timeout: float = 20, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def missing_binaries() -> str:
    """Why the servers cannot be started here ('' when they can)."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        return f"PostgreSQL's initdb/pg_ctl not found in {PG_BIN}"
    if REDIS_SERVER is None:
        return "redis-server not found"
    return ""


@dataclass
class Postgres:
    """A PostgreSQL cluster in a temporary directory, trust auth, on a free port."""

    port: int = 0
    root: Path | None = None

    def _as_postgres(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, check=check, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )

    @property
    def data(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def url(self, name: str = "iop") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> Postgres:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="iop-faults-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._as_postgres(
            PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        # Quick to start and stop; durability is of no interest to a throwaway cluster.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.root / "log",
            "-w", "start",
        )  # fmt: skip
        self._as_postgres(
            PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "iop"
        )
        return self

    def restart(self, mode: str = "fast") -> None:
        """``pg_ctl restart``: every connection is cut (``immediate``: without a checkpoint,
        as after a crash)."""
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-l", self.root / "log",
            "-w", "restart",
        )  # fmt: skip

    def stop(self) -> None:
        if self.root is None:
            return
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False
        )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None


@dataclass
class Redis:
    """A redis-server without persistence on a free port; ``stop``/``start`` again on the same
    port play an outage."""

    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        if not self.port:
            self.port = free_port()
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", tempfile.gettempdir()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: port_answers(self.port), what=f"redis-server on {self.port}")
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None
        wait_until(lambda: not port_answers(self.port), what=f"port {self.port} to close")
