"""The catalog: a sqlite record of every indexed document and chunk, and the source of truth.

Chroma and BM25 are derived from it. Writes go to Chroma first and are committed here second,
so a crash in between leaves Chroma holding ids the catalog does not know (or lacking ids it
does); ``HybridIndex.check`` compares the three id sets and ``repair`` makes the derived sides
match the catalog again. Chunk tokens are stored so that BM25 can be rebuilt without jieba.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.index.lexical import LexicalEntry
from assistant.schema import Passage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    lang TEXT NOT NULL,
    symbol TEXT,
    date TEXT,
    content_hash TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    tokens TEXT NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, idx);
"""


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


class Catalog:
    """sqlite at ``index_dir/catalog.sqlite``; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writes -------------------------------------------------------------------------------

    def replace_document(self, info: DocumentInfo, chunks: Sequence[ChunkRecord]) -> None:
        """Store a document and its chunks in one transaction, dropping any older version."""
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
        with self._lock, self._db:
            self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (info.doc_id,))
            self._db.execute("DELETE FROM documents WHERE doc_id = ?", (info.doc_id,))
            self._db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            self._db.executemany("INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)", rows)

    def delete_document(self, doc_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def update_tokens(self, tokens: dict[str, list[str]]) -> None:
        """Store re-tokenised chunks (after a tokenizer version change)."""
        rows = [(json.dumps(t, ensure_ascii=False), cid) for cid, t in tokens.items()]
        with self._lock, self._db:
            self._db.executemany("UPDATE chunks SET tokens = ? WHERE chunk_id = ?", rows)

    def clear(self) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM chunks")
            self._db.execute("DELETE FROM documents")

    # -- reads --------------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc_id, source, title, lang, symbol, chunk_count, path, date,"
                " content_hash, ingested_at FROM documents ORDER BY doc_id"
            ).fetchall()
        return [DocumentInfo(*row) for row in rows]

    def document(self, doc_id: str) -> DocumentInfo | None:
        return next((d for d in self.documents() if d.doc_id == doc_id), None)

    def chunk_ids(self, doc_id: str | None = None) -> set[str]:
        with self._lock:
            if doc_id is None:
                rows = self._db.execute("SELECT chunk_id FROM chunks").fetchall()
            else:
                rows = self._db.execute(
                    "SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,)
                ).fetchall()
        return {row[0] for row in rows}

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, ChunkRecord]:
        """Records by id; unknown ids are absent."""
        ids = list(dict.fromkeys(chunk_ids))
        found: dict[str, ChunkRecord] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    "SELECT chunk_id, doc_id, idx, text, tokens, metadata FROM chunks"
                    f" WHERE chunk_id IN ({marks})",
                    part,
                ).fetchall()
                found.update((row[0], _record(row)) for row in rows)
        return found

    def document_chunks(self, doc_id: str) -> list[ChunkRecord]:
        """A document's chunks in reading order (for neighbours and previews)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT chunk_id, doc_id, idx, text, tokens, metadata FROM chunks"
                " WHERE doc_id = ? ORDER BY idx",
                (doc_id,),
            ).fetchall()
        return [_record(row) for row in rows]

    def lexical_entries(self) -> list[LexicalEntry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT chunk_id, doc_id, tokens, metadata FROM chunks ORDER BY doc_id, idx"
            ).fetchall()
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
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def fingerprint(self) -> str:
        """sha256 over (doc_id, content hash) pairs: equal iff the same corpus is indexed."""
        digest = hashlib.sha256()
        for doc in self.documents():
            digest.update(f"{doc.doc_id}\0{doc.content_hash}\n".encode())
        return digest.hexdigest()


def _record(row: tuple) -> ChunkRecord:
    chunk_id, doc_id, idx, text, tokens, metadata = row
    return ChunkRecord(
        chunk_id=chunk_id,
        doc_id=doc_id,
        index=int(idx),
        text=text,
        tokens=json.loads(tokens),
        metadata=json.loads(metadata),
    )
