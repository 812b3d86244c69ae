"""The shared catalog: PostgreSQL, for app processes and ingests on several hosts.

Connections come from a small pool per process (answers, uploads and the admin run on several
threads). They are not pinged before each use (that doubled the round trips of a search);
instead a read that meets a connection the server dropped (a restarted database) is retried
once on a new one, and the pool discards broken connections when they come back.

The one-writer-per-document lock is a session advisory lock held on its own connection:
PostgreSQL releases it when the holder's connection ends, so a killed writer never leaves a
document locked. Catalog transactions on one document also take a transaction-scoped advisory
lock (another key space, so the writer lock never waits on itself).

An unreachable server, a refused password or a missing database raise ``CatalogError`` naming
the server (never the password) and the setting to fix.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout

from assistant.config import CatalogSettings
from assistant.index.catalog import Catalog, CatalogError, lock_key, now_iso
from assistant.index.migrate import CREATE_TABLE, pending

logger = logging.getLogger(__name__)

_WRITER_SPACE = 23_001  # advisory lock key spaces: (space, lock_key(doc_id))
_TRANSACTION_SPACE = 23_002
_MIGRATION_SPACE = 23_003
_ERRORS = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)


def connection_string(settings: CatalogSettings) -> str:
    """The DSN with the password from ``password_file`` when one is named."""
    if settings.dsn is None:
        raise CatalogError("catalog.dsn is not set (ASSISTANT_CATALOG__DSN=postgresql://...)")
    dsn = settings.dsn.get_secret_value().strip()
    extra: dict[str, Any] = {"connect_timeout": max(1, round(settings.connect_timeout_s))}
    if settings.password_file is not None:
        try:
            extra["password"] = settings.password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CatalogError(
                f"cannot read catalog.password_file {settings.password_file}: {exc.strerror}"
            ) from exc
    try:
        return pg_conninfo.make_conninfo(dsn, **extra)
    except psycopg.ProgrammingError as exc:
        raise CatalogError(
            f"catalog.dsn is not a PostgreSQL connection string ({exc}); write it as "
            "postgresql://USER@HOST:5432/DBNAME"
        ) from exc


def safe_target(conninfo: str) -> str:
    """``user@host:port/dbname`` of a connection string, without its password."""
    parts = pg_conninfo.conninfo_to_dict(conninfo)
    host = parts.get("host") or "localhost (unix socket)"
    return f"{parts.get('user', '')}@{host}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


class PostgresCatalog(Catalog):
    """The catalog in the PostgreSQL database named by ``settings.dsn``."""

    shared = True
    _placeholder = "%s"
    _bytewise = ' COLLATE "C"'

    def __init__(self, settings: CatalogSettings) -> None:
        self._conninfo = connection_string(settings)
        self._target = safe_target(self._conninfo)
        self._check_reachable()
        self._pool = ConnectionPool(
            self._conninfo,
            kwargs={"autocommit": True},
            min_size=1,
            max_size=max(2, settings.pool_size),
            timeout=max(5.0, 2 * settings.connect_timeout_s),
            name="catalog",
            open=True,
        )
        try:
            self._migrate()
        except BaseException:
            self._pool.close()
            raise

    def _unreachable(self, exc: BaseException) -> CatalogError:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return CatalogError(
            f"the catalog database {self._target} cannot be used: {reason}. Check that "
            "PostgreSQL is running and reachable from this host, and catalog.dsn "
            "(ASSISTANT_CATALOG__DSN) and catalog.password_file"
        )

    def _check_reachable(self) -> None:
        """Connect once outside the pool, so that a wrong DSN or password fails now, with
        PostgreSQL's own reason, instead of as a pool timeout."""
        try:
            with psycopg.connect(self._conninfo, autocommit=True) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            raise self._unreachable(exc) from exc

    def _migrate(self) -> None:
        with self._writing() as conn:
            self._run(conn, "SELECT pg_advisory_xact_lock(?, 0)", (_MIGRATION_SPACE,))
            self._run(conn, CREATE_TABLE)
            applied = {row[0] for row in self._run(conn, "SELECT version FROM schema_migrations")}
            for migration in pending("postgres", applied, self._target):
                logger.info(
                    "catalog %s: applying migration %04d %s",
                    self._target,
                    migration.version,
                    migration.name,
                )
                conn.execute(migration.sql.encode())
                self._run(
                    conn,
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, now_iso()),
                )

    def close(self) -> None:
        self._pool.close()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return super()._all(sql, params)
        except CatalogError as exc:
            if not isinstance(exc.__cause__, psycopg.OperationalError | psycopg.InterfaceError):
                raise  # no connection to be had (a pool timeout): retrying would only wait
            logger.info("catalog read on a dropped connection; retrying once on a new one")
            return super()._all(sql, params)

    def describe(self) -> str:
        return f"postgres {self._target}"

    @contextlib.contextmanager
    def _reading(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except _ERRORS as exc:
            raise self._unreachable(exc) from exc

    @contextlib.contextmanager
    def _writing(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as conn, conn.transaction():
                yield conn
        except _ERRORS as exc:
            raise self._unreachable(exc) from exc

    def _lock_document(self, conn: Any, doc_id: str) -> None:
        self._run(
            conn, "SELECT pg_advisory_xact_lock(?, ?)", (_TRANSACTION_SPACE, lock_key(doc_id))
        )

    @contextlib.contextmanager
    def writer_locks(self, doc_ids: Sequence[str]) -> Iterator[None]:
        # All on one connection (one per lock would drain the pool); keys in ascending order.
        keys = sorted({lock_key(d) for d in doc_ids})
        try:
            conn = self._pool.getconn()
        except _ERRORS as exc:
            raise self._unreachable(exc) from exc
        taken: list[int] = []
        try:
            try:
                for key in keys:
                    self._run(conn, "SELECT pg_advisory_lock(?, ?)", (_WRITER_SPACE, key))
                    taken.append(key)
            except _ERRORS as exc:
                raise self._unreachable(exc) from exc
            yield
        finally:
            for key in reversed(taken):
                with contextlib.suppress(*_ERRORS):  # a lost connection released them already
                    self._run(conn, "SELECT pg_advisory_unlock(?, ?)", (_WRITER_SPACE, key))
            self._pool.putconn(conn)

    @contextlib.contextmanager
    def writer_lock(self, doc_id: str, *, wait: bool = True) -> Iterator[bool]:
        key = (_WRITER_SPACE, lock_key(doc_id))
        try:
            conn = self._pool.getconn()
        except _ERRORS as exc:
            raise self._unreachable(exc) from exc
        try:
            try:
                if wait:
                    self._run(conn, "SELECT pg_advisory_lock(?, ?)", key)
                    taken = True
                else:
                    taken = bool(
                        self._run(conn, "SELECT pg_try_advisory_lock(?, ?)", key).fetchone()[0]
                    )
            except _ERRORS as exc:
                raise self._unreachable(exc) from exc
            try:
                yield taken
            finally:
                if taken:
                    with contextlib.suppress(*_ERRORS):  # a lost connection released it already
                        self._run(conn, "SELECT pg_advisory_unlock(?, ?)", key)
        finally:
            self._pool.putconn(conn)
