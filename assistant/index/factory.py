"""Opens the index from settings: the one place that picks its storage implementations."""

from __future__ import annotations

from assistant.config import Settings
from assistant.index.store import HybridIndex
from assistant.models.embedders import Embedder, build_embedder


def open_index(
    settings: Settings, embedder: Embedder | None = None, *, rebuild: bool = False
) -> HybridIndex:
    """Open (or create) the index under ``settings.paths.index_dir``.

    Raises ``IndexMismatchError`` when it was built with another embedder or chunk settings.
    """
    return HybridIndex(settings, embedder or build_embedder(settings.embedder), rebuild=rebuild)


def storage_errors() -> tuple[type[Exception], ...]:
    """What reading or writing the index raises when its folder is read-only or full, or its
    Chroma server or catalog database is down: front doors report these in one line (the
    catalog is written last and in one transaction, so such a failure leaves the index as it
    was; `index check` tells)."""
    import sqlite3

    import psycopg
    from chromadb.errors import ChromaError

    from assistant.index.catalog import CatalogError

    return (OSError, sqlite3.Error, ChromaError, CatalogError, psycopg.Error)
