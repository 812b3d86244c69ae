"""The embedded catalog: SQLite at ``index_dir/catalog.sqlite`` (WAL), for one host.

Every process on the host opens the same file; SQLite's own locking serialises writes, and the
per-document writer lock is an ``flock`` on one of 256 files in ``index_dir/locks``, chosen by
the document id's hash (released by the kernel when its holder dies; two documents that share a
file only wait for each other). WAL needs memory shared between the processes, so the folder must
be on a local disk, never on NFS or SMB; several hosts need the PostgreSQL catalog instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant.index.catalog import Catalog, lock_key, now_iso
from assistant.index.migrate import CREATE_TABLE, pending


class SqliteCatalog(Catalog):
    """sqlite at ``path``; safe to share between threads."""

    shared = False

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._locks_dir = path.parent / "locks"
        self._lock = threading.RLock()
        # Autocommit mode: transactions are begun explicitly (BEGIN IMMEDIATE) by _writing.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            self._db.execute(CREATE_TABLE)
            self._db.execute("BEGIN IMMEDIATE")
            try:
                applied = {
                    row[0] for row in self._db.execute("SELECT version FROM schema_migrations")
                }
                for migration in pending("sqlite", applied, str(self.path)):
                    for statement in _statements(migration.sql):
                        self._db.execute(statement)
                    self._db.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at)"
                        " VALUES (?, ?, ?)",
                        (migration.version, migration.name, now_iso()),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def describe(self) -> str:
        return f"sqlite {self.path}"

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @staticmethod
    def _lock_name(doc_id: str) -> str:
        return f"{lock_key(doc_id) & 0xFF:02x}.lock"

    @contextlib.contextmanager
    def writer_locks(self, doc_ids: Sequence[str]) -> Iterator[None]:
        # One flock per lock file: a second open of a file this process already locked would
        # wait for itself.
        self._locks_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            for name in sorted({self._lock_name(d) for d in doc_ids}):
                handle = stack.enter_context(open(self._locks_dir / name, "a+b"))
                fcntl.flock(handle, fcntl.LOCK_EX)
                stack.callback(fcntl.flock, handle, fcntl.LOCK_UN)
            yield

    @contextlib.contextmanager
    def writer_lock(self, doc_id: str, *, wait: bool = True) -> Iterator[bool]:
        self._locks_dir.mkdir(parents=True, exist_ok=True)
        name = self._lock_name(doc_id)
        with open(self._locks_dir / name, "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _statements(script: str) -> list[str]:
    """A migration's statements (SQL comments dropped; no ';' inside literals in our files)."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
