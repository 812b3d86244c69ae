"""Vectors remembered by (embedder, text), so a text is embedded once per embedder.

Embedding is the slow step of ingestion. A changed file keeps most of its chunks, a rebuild
re-reads the same corpus and a repair re-adds chunks the catalog already knows: all of them
find their vectors here. The key is sha256 over the embedder name and the text, so vectors of
two embedders never mix. The cache survives ``assistant ingest --rebuild``.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np

from assistant.models.embedders import Embedder


def _key(embedder_name: str, text: str) -> str:
    return hashlib.sha256(f"{embedder_name}\0{text}".encode()).hexdigest()


class EmbeddingCache:
    """A sqlite table of float32 vectors keyed by sha256(embedder name, text)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors ("
            " key TEXT PRIMARY KEY, embedder TEXT NOT NULL, vector BLOB NOT NULL)"
        )
        self._db.commit()

    def get_many(self, embedder_name: str, texts: list[str]) -> dict[int, np.ndarray]:
        """Cached vectors by position in ``texts``; positions not cached are absent."""
        keys = [_key(embedder_name, text) for text in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part
                ).fetchall()
                found.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        return {i: found[k] for i, k in enumerate(keys) if k in found}

    def put_many(self, embedder_name: str, texts: list[str], vectors: np.ndarray) -> None:
        rows = [
            (_key(embedder_name, text), embedder_name, np.asarray(vec, np.float32).tobytes())
            for text, vec in zip(texts, vectors, strict=True)
        ]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachedEmbedder:
    """Wraps an embedder with the cache; same name and dimension, so it is interchangeable."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache) -> None:
        self.inner = embedder
        self.cache = cache
        self.name = embedder.name
        self.dimension = embedder.dimension
        self.misses = 0  # texts actually embedded, for the ingest report
        self._count_lock = threading.Lock()  # an ingest embeds on several threads at once

    def embed(self, texts: list[str]) -> np.ndarray:
        out, todo = self.lookup(texts)
        if todo:
            self.store(texts, todo, self.inner.embed([texts[i] for i in todo]), out)
        return out

    def lookup(self, texts: list[str]) -> tuple[np.ndarray, list[int]]:
        """The cached rows filled in, and the positions still to embed (in order)."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        cached = self.cache.get_many(self.name, texts)
        for i, vector in cached.items():
            out[i] = vector
        return out, sorted(set(range(len(texts))) - cached.keys())

    def store(self, texts: list[str], todo: list[int], fresh: np.ndarray, out: np.ndarray) -> None:
        """Put the vectors embedded for positions ``todo`` into ``out`` and the cache."""
        if not todo:
            return
        out[todo] = fresh
        self.cache.put_many(self.name, [texts[i] for i in todo], fresh)
        with self._count_lock:
            self.misses += len(todo)
