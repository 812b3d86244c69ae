"""A throwaway PostgreSQL server for tests: initdb into a temporary folder, started with
``pg_ctl`` on a free loopback port, stopped and deleted afterwards.

The server binaries come from Debian's ``postgresql`` package (``scripts/test.sh`` installs
it). Without them the tests that need a server are skipped with the install command, except
under CI (``CI=true``), where a missing server is a failure. PostgreSQL refuses to run as
root, so as root the server runs as the ``postgres`` user the package creates. Password
authentication (scram) is on, as on a real server, so the tests connect with a password.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "assistant"
PASSWORD = "test-only-password"
INSTALL_HINT = "install PostgreSQL's server: apt-get install postgresql"


def server_bin_dir() -> Path | None:
    """The folder of ``initdb``/``pg_ctl``: on PATH, or Debian's versioned folder."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version_key)
    return Path(found[-1]).parent if found else None


def _version_key(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def require_server_bin_dir() -> Path:
    found = server_bin_dir()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL server binaries not found; {INSTALL_HINT}")
        pytest.skip(f"PostgreSQL server binaries not found; {INSTALL_HINT}")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server; ``dsn(db)`` for a database on it, ``stop``/``kill``/``start``."""

    bin_dir: Path
    root: Path
    port: int
    as_user: list[str]

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def dsn(self, dbname: str = "postgres", *, password: bool = True) -> str:
        secret = f":{PASSWORD}" if password else ""
        return f"postgresql://{USER}{secret}@127.0.0.1:{self.port}/{dbname}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        done = subprocess.run(
            [*self.as_user, *args], capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr or done.stdout}\n{self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def start(self) -> None:
        # fsync off: a killed server process loses nothing (the kernel has the data), only a
        # machine crash would, and that does not happen to a test's throwaway server.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(
                str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
            )

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash or a pulled plug would; ``start`` recovers."""
        pid_file = self.data / "postmaster.pid"
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        # Backends outlive a killed postmaster for a moment; the next start waits for them.
        time.sleep(1.0)

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its DSN."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """initdb and start a server (as ``postgres`` when running as root)."""
    bin_dir = require_server_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD)
    if as_user:
        shutil.chown(pwfile, "postgres", "postgres")
    server = PostgresServer(bin_dir, root, _free_port(), as_user)
    server._run(
        str(bin_dir / "initdb"),
        "-D",
        str(server.data),
        "-U",
        USER,
        f"--pwfile={pwfile}",
        "-A",
        "scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    server.start()
    return server
