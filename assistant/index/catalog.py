"""The catalog: the record of every indexed document and chunk, and the source of truth.

Chroma and BM25 are derived from it. Writes go to Chroma first and are committed here second,
so a crash in between leaves Chroma holding ids the catalog does not know (or lacking ids it
does); ``HybridIndex.check`` compares the three id sets and ``repair`` makes the derived sides
match the catalog again. Chunk tokens are stored so that BM25 can be rebuilt without jieba.

Two engines hold it, with one SQL schema (``migrations/<engine>/``) and the queries below:
SQLite (``catalog_sqlite``), embedded, for processes on one host; PostgreSQL
(``catalog_postgres``), for app processes on several hosts. Besides documents and chunks it
holds what those processes must share: a version every write bumps (each host rebuilds its BM25
cache when it moves), the index's settings, uploaded files' bytes (so any host can re-read
them), the writes in progress (a killed writer's are repaired by the next), feedback and the
admin audit log. ``open_catalog`` picks the engine from settings.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.index.lexical import LexicalEntry
from assistant.schema import Passage

CATALOG_NAME = "catalog.sqlite"


class CatalogError(RuntimeError):
    """The catalog database cannot be reached or used; the message says what to fix."""


@dataclass(frozen=True)
class DocumentInfo:
    """One indexed document as the UI, the CLI and answering list it."""

    doc_id: str
    source: str
    title: str
    lang: str
    symbol: str | None
    chunk_count: int
    path: str = ""
    date: str | None = None
    content_hash: str = ""
    ingested_at: str = ""


@dataclass(frozen=True)
class ChunkRecord:
    """One stored chunk: its text, BM25 tokens and the flat metadata written to Chroma."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    tokens: list[str]
    metadata: dict[str, str | int | float]

    @property
    def lang(self) -> str:
        return str(self.metadata.get("lang", "other"))

    def passage(
        self,
        score: float,
        dense_score: float | None = None,
        lexical_score: float | None = None,
    ) -> Passage:
        meta = self.metadata
        page = meta.get("page")
        symbol = meta.get("symbol")
        paragraph = meta.get("paragraph")
        ocr = meta.get("ocr_confidence")
        return Passage(
            chunk_id=self.chunk_id,
            doc_id=self.doc_id,
            source=str(meta.get("source", self.doc_id)),
            title=str(meta.get("title", "")),
            text=self.text,
            lang=self.lang,  # type: ignore[arg-type]
            score=score,
            symbol=str(symbol) if symbol else None,
            paragraph=str(paragraph) if paragraph else None,
            page=int(page) if page is not None else None,
            dense_score=dense_score,
            lexical_score=lexical_score,
            chunk_index=self.index,
            ocr_confidence=float(ocr) if ocr is not None else None,
        )


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file's bytes, kept with its document so that any host can re-read it.

    ``path`` is relative to the corpus folder (``uploads/report.pdf``, the document id); a
    deleted document leaves a tombstone (``deleted``, no bytes) so that other hosts remove their
    local copy instead of ingesting it again.
    """

    path: str
    doc_id: str
    sha256: str
    size: int
    deleted: bool = False

    @classmethod
    def of(cls, path: str, doc_id: str, content: bytes) -> tuple[StoredFile, bytes]:
        digest = hashlib.sha256(content).hexdigest()
        return cls(path, doc_id, digest, len(content)), content


@dataclass(frozen=True)
class WriteInProgress:
    """A document write begun and not committed: its writer is still at it, or was killed."""

    doc_id: str
    content_hash: str | None
    host: str
    pid: int
    started_at: str


@dataclass(frozen=True)
class AuditEntry:
    """One admin action (login, upload, delete) as the audit log keeps it."""

    at: str
    actor: str
    action: str
    target: str
    detail: str
    host: str


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def lock_key(doc_id: str) -> int:
    """A signed 32-bit number for a document id (PostgreSQL advisory lock keys are int4 pairs;
    two ids that collide only wait for each other)."""
    return int.from_bytes(hashlib.sha256(doc_id.encode()).digest()[:4], "big", signed=True)


class Catalog(ABC):
    """The catalog's operations, written once over a DB-API connection; engines supply the
    connections (``_reading``/``_writing``) and the per-document writer lock."""

    #: True when processes on other hosts share this catalog (their BM25 caches follow
    #: ``version``); False when every process shares one index folder.
    shared: bool = False
    _placeholder = "?"
    # Text ordered by bytes on every engine (SQLite's default; PostgreSQL follows the database's
    # locale otherwise): the same catalog lists documents, builds BM25 rows (ties rank by row)
    # and fingerprints in the same order whichever engine holds it.
    _bytewise = ""

    # -- engine --------------------------------------------------------------------------------

    @abstractmethod
    def _reading(self) -> contextlib.AbstractContextManager[Any]:
        """A connection for reads."""

    @abstractmethod
    def _writing(self) -> contextlib.AbstractContextManager[Any]:
        """A connection inside one transaction, committed when the block exits cleanly."""

    @abstractmethod
    def writer_lock(
        self, doc_id: str, *, wait: bool = True
    ) -> contextlib.AbstractContextManager[bool]:
        """Hold the one-writer-per-document lock, across processes and hosts; yields whether it
        was taken (always, when ``wait``). A killed holder's lock is released by the engine."""

    @abstractmethod
    def writer_locks(self, doc_ids: Sequence[str]) -> contextlib.AbstractContextManager[None]:
        """Hold the writer locks of several documents at once (a batched write), waiting for
        each. Taken in one global order so that two batched writers cannot deadlock; ids that
        share a lock take it once."""

    def _lock_document(self, conn: Any, doc_id: str) -> None:  # noqa: B027 (optional hook)
        """Serialise catalog transactions on one document (PostgreSQL; SQLite's transactions
        are serial already)."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def describe(self) -> str:
        """Where the catalog is, without secrets (for `doctor` and `index stats`)."""

    def _q(self, sql: str) -> str:
        return sql if self._placeholder == "?" else sql.replace("?", self._placeholder)

    def _run(self, conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        cursor = conn.cursor()
        cursor.execute(self._q(sql), tuple(params))
        return cursor

    def _run_many(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            conn.cursor().executemany(self._q(sql), [tuple(r) for r in rows])

    def _bump_version(self, conn: Any) -> None:
        self._run(conn, "UPDATE catalog_state SET version = version + 1 WHERE id = 1")

    # -- writes -------------------------------------------------------------------------------

    def replace_document(
        self,
        info: DocumentInfo,
        chunks: Sequence[ChunkRecord],
        file: tuple[StoredFile, bytes] | None = None,
    ) -> None:
        """Store a document, its chunks and (for uploads) its file's bytes in one transaction,
        dropping any older version and the document's write-in-progress mark."""
        rows = [
            (
                c.chunk_id,
                c.doc_id,
                c.index,
                c.text,
                json.dumps(c.tokens, ensure_ascii=False),
                json.dumps(c.metadata, ensure_ascii=False),
            )
            for c in chunks
        ]
        with self._writing() as conn:
            self._lock_document(conn, info.doc_id)
            self._run(conn, "DELETE FROM chunks WHERE doc_id = ?", (info.doc_id,))
            self._run(conn, "DELETE FROM documents WHERE doc_id = ?", (info.doc_id,))
            self._run(
                conn,
                "INSERT INTO documents (doc_id, source, path, title, lang, symbol, date,"
                " content_hash, chunk_count, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    info.doc_id,
                    info.source,
                    info.path,
                    info.title,
                    info.lang,
                    info.symbol,
                    info.date,
                    info.content_hash,
                    len(rows),
                    info.ingested_at,
                ),
            )
            self._run_many(
                conn,
                "INSERT INTO chunks (chunk_id, doc_id, idx, text, tokens, metadata)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            if file is not None:
                stored, content = file
                self._run(
                    conn,
                    "INSERT INTO files (path, doc_id, sha256, size, content, stored_at,"
                    " deleted_at) VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (path) DO UPDATE"
                    " SET doc_id = excluded.doc_id, sha256 = excluded.sha256,"
                    " size = excluded.size, content = excluded.content,"
                    " stored_at = excluded.stored_at, deleted_at = NULL",
                    (stored.path, stored.doc_id, stored.sha256, stored.size, content, now_iso()),
                )
            self._run(conn, "DELETE FROM ingest_state WHERE doc_id = ?", (info.doc_id,))
            self._bump_version(conn)

    def delete_document(self, doc_id: str) -> None:
        """Remove a document and its chunks; its uploaded file becomes a tombstone."""
        with self._writing() as conn:
            self._lock_document(conn, doc_id)
            self._run(conn, "DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            self._run(conn, "DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            self._run(
                conn,
                "UPDATE files SET content = NULL, deleted_at = ?"
                " WHERE doc_id = ? AND deleted_at IS NULL",
                (now_iso(), doc_id),
            )
            self._run(conn, "DELETE FROM ingest_state WHERE doc_id = ?", (doc_id,))
            self._bump_version(conn)

    def update_tokens(self, tokens: dict[str, list[str]]) -> None:
        """Store re-tokenised chunks (after a tokenizer version change)."""
        rows = [(json.dumps(t, ensure_ascii=False), cid) for cid, t in tokens.items()]
        with self._writing() as conn:
            self._run_many(conn, "UPDATE chunks SET tokens = ? WHERE chunk_id = ?", rows)
            self._bump_version(conn)

    def clear(self) -> None:
        """Forget every document, file, write mark and index setting (feedback and the audit
        log are kept: they are not index data)."""
        with self._writing() as conn:
            for table in ("chunks", "documents", "files", "ingest_state", "meta"):
                self._run(conn, f"DELETE FROM {table}")
            self._bump_version(conn)

    def begin_write(self, doc_id: str, content_hash: str | None) -> None:
        """Mark a document write as begun, before Chroma is touched; the catalog transaction
        that completes it removes the mark, so a mark whose lock is free was interrupted."""
        with self._writing() as conn:
            self._run(conn, "DELETE FROM ingest_state WHERE doc_id = ?", (doc_id,))
            self._run(
                conn,
                "INSERT INTO ingest_state (doc_id, content_hash, host, pid, started_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (doc_id, content_hash, socket.gethostname(), os.getpid(), now_iso()),
            )

    def end_write(self, doc_id: str) -> None:
        """Drop a write mark (after its document was repaired)."""
        with self._writing() as conn:
            self._run(conn, "DELETE FROM ingest_state WHERE doc_id = ?", (doc_id,))

    def set_meta(self, key: str, value: str) -> None:
        with self._writing() as conn:
            self._run(
                conn,
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def add_feedback(self, entry: dict[str, Any]) -> None:
        """Store one vote (the JSON object ``assistant.ui.feedback`` builds, secrets masked)."""
        with self._writing() as conn:
            self._run(
                conn,
                "INSERT INTO feedback (created_at, rating, entry) VALUES (?, ?, ?)",
                (
                    str(entry.get("timestamp") or now_iso()),
                    str(entry.get("rating", "")),
                    json.dumps(entry, ensure_ascii=False),
                ),
            )

    def audit(self, actor: str, action: str, target: str, detail: str = "") -> None:
        """Record an admin action, with the host that performed it."""
        with self._writing() as conn:
            self._run(
                conn,
                "INSERT INTO audit_log (at, actor, action, target, detail, host)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (now_iso(), actor, action, target, detail, socket.gethostname()),
            )

    # -- reads --------------------------------------------------------------------------------

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._reading() as conn:
            return [tuple(row) for row in self._run(conn, sql, params).fetchall()]

    _DOCUMENT_COLUMNS = (
        "SELECT doc_id, source, title, lang, symbol, chunk_count, path, date, content_hash,"
        " ingested_at FROM documents"
    )

    def documents(self) -> list[DocumentInfo]:
        rows = self._all(f"{self._DOCUMENT_COLUMNS} ORDER BY doc_id{self._bytewise}")
        return [DocumentInfo(*row) for row in rows]

    def document(self, doc_id: str) -> DocumentInfo | None:
        rows = self._all(self._DOCUMENT_COLUMNS + " WHERE doc_id = ?", (doc_id,))
        return DocumentInfo(*rows[0]) if rows else None

    def chunk_ids(self, doc_id: str | None = None) -> set[str]:
        if doc_id is None:
            return {row[0] for row in self._all("SELECT chunk_id FROM chunks")}
        return {
            row[0] for row in self._all("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))
        }

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, ChunkRecord]:
        """Records by id; unknown ids are absent."""
        ids = list(dict.fromkeys(chunk_ids))
        found: dict[str, ChunkRecord] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._all(
                "SELECT chunk_id, doc_id, idx, text, tokens, metadata FROM chunks"
                f" WHERE chunk_id IN ({marks})",
                part,
            )
            found.update((row[0], _record(row)) for row in rows)
        return found

    def document_chunks(self, doc_id: str) -> list[ChunkRecord]:
        """A document's chunks in reading order (for neighbours and previews)."""
        rows = self._all(
            "SELECT chunk_id, doc_id, idx, text, tokens, metadata FROM chunks"
            " WHERE doc_id = ? ORDER BY idx",
            (doc_id,),
        )
        return [_record(row) for row in rows]

    def lexical_entries(self) -> list[LexicalEntry]:
        rows = self._all(
            "SELECT chunk_id, doc_id, tokens, metadata FROM chunks"
            f" ORDER BY doc_id{self._bytewise}, idx"
        )
        return [
            LexicalEntry(
                chunk_id=cid,
                doc_id=doc_id,
                lang=str(json.loads(meta).get("lang", "other")),
                tokens=json.loads(tokens),
            )
            for cid, doc_id, tokens, meta in rows
        ]

    def chunk_count(self) -> int:
        return int(self._all("SELECT COUNT(*) FROM chunks")[0][0])

    def fingerprint(self) -> str:
        """sha256 over (doc_id, content hash) pairs: equal iff the same corpus is indexed."""
        digest = hashlib.sha256()
        for doc_id, content_hash in self._all(
            f"SELECT doc_id, content_hash FROM documents ORDER BY doc_id{self._bytewise}"
        ):
            digest.update(f"{doc_id}\0{content_hash}\n".encode())
        return digest.hexdigest()

    def version(self) -> int:
        """Bumped by every write: one cheap read tells a host whether its BM25 is current."""
        return int(self._all("SELECT version FROM catalog_state WHERE id = 1")[0][0])

    def get_meta(self, key: str) -> str | None:
        rows = self._all("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def writes_in_progress(self) -> list[WriteInProgress]:
        rows = self._all(
            "SELECT doc_id, content_hash, host, pid, started_at FROM ingest_state"
            f" ORDER BY doc_id{self._bytewise}"
        )
        return [WriteInProgress(*row) for row in rows]

    def files(self) -> list[StoredFile]:
        """Every stored upload and tombstone (without the bytes)."""
        rows = self._all(
            "SELECT path, doc_id, sha256, size, deleted_at FROM files"
            f" ORDER BY path{self._bytewise}"
        )
        return [StoredFile(p, d, s, int(n), deleted is not None) for p, d, s, n, deleted in rows]

    def file_content(self, path: str) -> bytes | None:
        rows = self._all("SELECT content FROM files WHERE path = ?", (path,))
        return bytes(rows[0][0]) if rows and rows[0][0] is not None else None

    def feedback(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest votes, newest first."""
        rows = self._all("SELECT entry FROM feedback ORDER BY id DESC LIMIT ?", (limit,))
        return [json.loads(row[0]) for row in rows]

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        """The latest admin actions, newest first."""
        rows = self._all(
            "SELECT at, actor, action, target, detail, host FROM audit_log"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [AuditEntry(*row) for row in rows]

    def schema_version(self) -> int:
        return int(self._all("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0])


def _record(row: tuple[Any, ...]) -> ChunkRecord:
    chunk_id, doc_id, idx, text, tokens, metadata = row
    return ChunkRecord(
        chunk_id=chunk_id,
        doc_id=doc_id,
        index=int(idx),
        text=text,
        tokens=json.loads(tokens),
        metadata=json.loads(metadata),
    )


def open_catalog(settings: Settings, index_dir: Path) -> Catalog:
    """The configured catalog, its schema migrated to this version.

    Raises ``CatalogError`` with what to fix when the database cannot be reached.
    """
    if settings.catalog.mode == "postgres":
        from assistant.index.catalog_postgres import PostgresCatalog

        return PostgresCatalog(settings.catalog)
    from assistant.index.catalog_sqlite import SqliteCatalog

    return SqliteCatalog(index_dir / CATALOG_NAME)
