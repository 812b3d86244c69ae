"""``HybridIndex``: the catalog, the Chroma vectors and BM25 kept in step behind one facade.

Write order, so that a crash is always detectable and repairable (see ``check``/``repair``):
Chroma first, then the catalog transaction, then the BM25 rebuild and the manifest. Writes made
inside ``with index.batch():`` rebuild BM25 once at the end instead of after every document.

Every document write holds the catalog's writer lock for that document (one writer per
document across processes and hosts) and marks itself in the catalog before touching Chroma;
the catalog transaction that completes it clears the mark. A mark whose lock is free belongs to
a killed writer, and ``repair_interrupted`` (run by every ingest) puts that document's vectors
back in step with the catalog.

With a shared catalog (PostgreSQL: hosts with their own ``index_dir``), BM25 and the term
bridge are this host's cache of the catalog: ``refresh`` reads the catalog's version (one small
query per search) and rebuilds them when another host wrote. With SQLite, processes share the
folder and follow the manifest file the writer replaces.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.index.build_manifest import MANIFEST_NAME, IndexMismatchError, Manifest, now_iso
from assistant.index.catalog import (
    CATALOG_NAME,
    Catalog,
    ChunkRecord,
    DocumentInfo,
    StoredFile,
    open_catalog,
)
from assistant.index.embed_stage import BulkEmbedder, EmbedWorkers, worker_recipe
from assistant.index.embedding_cache import CachedEmbedder, EmbeddingCache
from assistant.index.lexical import LexicalEntry, LexicalIndex
from assistant.index.term_bridge import TermBridge
from assistant.index.vector_store import ChromaVectorIndex, VectorRecord
from assistant.models.embedders import Embedder
from assistant.models.hardware import physical_cores
from assistant.schema import Chunk, Document

logger = logging.getLogger(__name__)

__all__ = ["DocumentInfo", "DocumentWrite", "HybridIndex", "IndexCheck"]

INDEX_META = "index"  # catalog meta key: what a shared index was built with
FOLLOW_PAUSE_FACTOR = 2.0  # a host's BM25 rebuilds take at most a third of its time
EMBED_CACHE_NAME = "embedding_cache.sqlite"
_DERIVED = ("bm25", "terms", CATALOG_NAME, "manifest.json")


def _tokenizer():
    from assistant.text import tokenize

    return tokenize.lexical_tokens, str(getattr(tokenize, "TOKENIZER_VERSION", "1"))


@dataclass(frozen=True)
class DocumentWrite:
    """One document to write: its chunks, their vectors (same order) and an upload's bytes."""

    doc: Document
    chunks: Sequence[Chunk]
    embeddings: np.ndarray
    source_file: tuple[StoredFile, bytes] | None = None


@dataclass
class IndexCheck:
    """How the catalog (truth), Chroma and BM25 disagree; empty lists mean consistent."""

    catalog_chunks: int
    vector_chunks: int
    lexical_chunks: int
    missing_vectors: list[str] = field(default_factory=list)
    orphan_vectors: list[str] = field(default_factory=list)
    missing_lexical: list[str] = field(default_factory=list)
    orphan_lexical: list[str] = field(default_factory=list)
    fingerprint_stale: bool = False
    # Documents another process is writing right now: Chroma may be ahead of the catalog for
    # them until their transaction commits (not a fault; repair leaves vectors alone meanwhile).
    writes_in_progress: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.missing_vectors
            or self.orphan_vectors
            or self.missing_lexical
            or self.orphan_lexical
            or self.fingerprint_stale
        )

    def lines(self) -> list[str]:
        """Human-readable findings, one per line."""
        out = [
            f"catalog chunks: {self.catalog_chunks}, chroma: {self.vector_chunks}, "
            f"bm25: {self.lexical_chunks}"
        ]
        for label, ids in (
            ("in catalog but missing from Chroma", self.missing_vectors),
            ("in Chroma but not in catalog", self.orphan_vectors),
            ("in catalog but missing from BM25", self.missing_lexical),
            ("in BM25 but not in catalog", self.orphan_lexical),
        ):
            if ids:
                out.append(f"{len(ids)} chunk(s) {label}: {', '.join(sorted(ids)[:5])}")
        if self.fingerprint_stale:
            out.append("manifest fingerprint does not match the catalog")
        if self.writes_in_progress:
            out.append(
                f"{len(self.writes_in_progress)} document write(s) in progress: "
                f"{', '.join(self.writes_in_progress[:5])} (check again when the ingest is done)"
            )
        out.append("index is consistent" if self.ok else "index needs repair")
        return out


class HybridIndex:
    """The persistent index under ``settings.paths.index_dir``; see the module docstring."""

    #: Shortest wait between two rebuilds that follow another host's writes (``refresh``).
    follow_pause_floor_s = 1.0

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        *,
        rebuild: bool = False,
    ) -> None:
        self.settings = settings
        self.index_dir = Path(settings.paths.index_dir)
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._batch_depth = 0
        self._bulk: EmbedWorkers | None = None  # worker processes of a bulk write in progress
        self._dirty = False
        self.query_embedder = embedder
        self.embedder = CachedEmbedder(embedder, EmbeddingCache(self.index_dir / EMBED_CACHE_NAME))
        self._tokens, tokenizer_version = _tokenizer()
        chunking = settings.chunking.model_dump()

        if rebuild:
            self._wipe()
        self.catalog: Catalog = open_catalog(settings, self.index_dir)
        try:
            self._open(embedder, chunking, tokenizer_version, rebuild=rebuild)
        except BaseException:  # a refused index must not leave its connections behind
            self.close()
            raise

    def _open(
        self,
        embedder: Embedder,
        chunking: dict[str, object],
        tokenizer_version: str,
        *,
        rebuild: bool,
    ) -> None:
        """Check what the index was built with, attach Chroma and BM25, and catch up."""
        settings = self.settings
        if rebuild and self.catalog.shared:
            self.catalog.clear()
        manifest = Manifest.read(self.index_dir)
        if self.catalog.shared:
            catalog_tokens = self._check_shared_settings(embedder, chunking, tokenizer_version)
            if manifest is not None and not _compatible(manifest, embedder, chunking):
                manifest = None  # a cache of another configuration: rebuilt from the catalog
        elif manifest is not None:
            manifest.check_compatible(embedder.name, embedder.dimension, chunking, self.index_dir)
        self.vectors = ChromaVectorIndex(settings.chroma, self.index_dir)
        if rebuild:
            self.vectors.reset()
        self.lexical = LexicalIndex(self.index_dir / "bm25")
        self.terms = TermBridge(self.index_dir / "terms")
        if manifest is None:
            manifest = Manifest(
                embedder_name=embedder.name,
                embedder_dimension=embedder.dimension,
                chunking=chunking,
                tokenizer_version=tokenizer_version,
                fingerprint="" if self.catalog.shared else self.catalog.fingerprint(),
            )
            manifest.write(self.index_dir)
        self.manifest = manifest
        self._built_version = manifest.catalog_version
        self._next_follow = 0.0  # monotonic time before which _follow_catalog does not rebuild
        if self.catalog.shared:
            # The local BM25 follows the catalog's version (refresh); the catalog's tokens
            # follow the tokenizer recorded with it.
            self.manifest.tokenizer_version = catalog_tokens
            self._dirty = self._built_version != self.catalog.version()
        else:
            # A writer killed between the catalog commit and the BM25 rebuild leaves the
            # manifest's fingerprint behind the catalog: the next sync catches up.
            self._dirty = manifest.fingerprint != self.catalog.fingerprint()
        if self.manifest.tokenizer_version != tokenizer_version:
            self._retokenize(tokenizer_version)
        elif self._wants_terms and not len(self.terms) and len(self.lexical):
            self._build_terms()  # term translation switched on for an existing index
        self._stamp = self._manifest_stamp()

    def _check_shared_settings(
        self, embedder: Embedder, chunking: dict[str, object], tokenizer_version: str
    ) -> str:
        """Refuse a shared catalog built with another embedder or chunk settings (another
        host's vectors would be mixed with ours); record ours when it has none yet. Returns
        the tokenizer version of the catalog's stored tokens."""
        raw = self.catalog.get_meta(INDEX_META)
        if raw is None:
            recorded = Manifest(embedder.name, embedder.dimension, chunking, tokenizer_version)
            self._record_shared_settings(recorded)
            return tokenizer_version
        data = json.loads(raw)
        recorded = Manifest(
            data["embedder_name"],
            int(data["embedder_dimension"]),
            data["chunking"],
            str(data["tokenizer_version"]),
        )
        recorded.check_compatible(
            embedder.name, embedder.dimension, chunking, self.catalog.describe()
        )
        return recorded.tokenizer_version

    def _record_shared_settings(self, manifest: Manifest) -> None:
        fields = ("embedder_name", "embedder_dimension", "chunking", "tokenizer_version")
        self.catalog.set_meta(
            INDEX_META, json.dumps({name: getattr(manifest, name) for name in fields})
        )

    # -- lifecycle ----------------------------------------------------------------------------

    def _wipe(self) -> None:
        """Delete the catalog, BM25 and manifest; Chroma is reset through its client (an open
        client must not lose its files) and the embedding cache is kept."""
        logger.info("Rebuilding the index in %s", self.index_dir)
        for name in _DERIVED:
            target = self.index_dir / name
            if target.is_dir():
                shutil.rmtree(target)
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(target) + suffix).unlink(missing_ok=True)

    def _retokenize(self, version: str) -> None:
        logger.info(
            "Tokenizer changed (%s -> %s): re-tokenising chunks for BM25",
            self.manifest.tokenizer_version,
            version,
        )
        records = self.catalog.chunks(self.catalog.chunk_ids())
        self.catalog.update_tokens({cid: self._tokens(r.text) for cid, r in records.items()})
        self.manifest.tokenizer_version = version
        if self.catalog.shared:
            self._record_shared_settings(self.manifest)
        self._dirty = True
        self.sync()

    def close(self) -> None:
        self.catalog.close()
        self.embedder.cache.close()

    def _manifest_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.index_dir / MANIFEST_NAME)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_ino, st.st_size)

    def refresh(self, *, force: bool = False) -> bool:
        """Bring BM25 and the term bridge up to date with changes made by other processes.

        With a shared catalog: rebuild them here when the catalog's version moved (see
        ``_follow_catalog``). Otherwise, reload the files another process on this host wrote:

        Several app processes can share one index (the catalog and BM25 on one disk, vectors on
        a Chroma server). The catalog and Chroma are read live, but BM25 and the term vectors
        are held in memory. Writers replace the manifest last, after BM25, so a new manifest
        file means the derived files are complete; one stat per search finds out. A reload that
        meets a half-written BM25 (two writers at once) keeps the old one and tries again.
        """
        if self.catalog.shared:
            return self._follow_catalog(force=force)
        stamp = self._manifest_stamp()
        if stamp is None or stamp == self._stamp:
            return False
        with self._lock:
            if self._batch_depth or stamp == self._stamp:
                return False
            try:
                manifest = Manifest.read(self.index_dir)
                lexical = LexicalIndex(self.index_dir / "bm25")
                terms = TermBridge(self.index_dir / "terms")
            except Exception as exc:  # mid-swap by another writer: keep what we have
                logger.warning("Index changed on disk but could not be reloaded yet: %s", exc)
                return False
            if manifest is None:
                return False
            self.manifest, self.lexical, self.terms = manifest, lexical, terms
            self._stamp = stamp
            logger.info("Reloaded BM25 after another process changed the index")
            return True

    def _follow_catalog(self, *, force: bool = False) -> bool:
        """Rebuild this host's BM25 cache when the shared catalog's version moved.

        One query per search; the rebuild reads every chunk's stored tokens (no jieba), so it
        costs what an ingest's BM25 step costs (3.4 s at 21,969 passages). Searches on other
        threads wait for it rather than search a stale cache, so an upload on another host is
        found by the next search here. While another host writes document after document (a
        large ingest), rebuilding at every search would spend most of the time rebuilding:
        after a rebuild, the next one waits ``FOLLOW_PAUSE_FACTOR`` times as long as it took
        (at least ``follow_pause_floor_s``), and searches in between use the cache as it is;
        ``force`` (``check``) skips that wait.
        Inside a batch of this process's own writes it waits for the batch's end, which
        rebuilds anyway.
        """
        if not force and time.monotonic() < self._next_follow:
            return False
        if self.catalog.version() == self._built_version:
            return False
        with self._lock:
            if self._batch_depth or self.catalog.version() == self._built_version:
                return False
            started = time.monotonic()
            self._dirty = True
            self.sync()
            took = time.monotonic() - started
            self._next_follow = time.monotonic() + max(
                self.follow_pause_floor_s, FOLLOW_PAUSE_FACTOR * took
            )
            logger.info("Rebuilt BM25 in %.1fs after another process changed the catalog", took)
            return True

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group writes; BM25 and the manifest are refreshed once when the outermost exits."""
        with self._lock:
            self._batch_depth += 1
            try:
                yield
            finally:
                self._batch_depth -= 1
                if self._batch_depth == 0:
                    self.sync()

    def sync(self) -> None:
        """Rebuild BM25 from the catalog and record the new corpus fingerprint, if needed."""
        with self._lock:
            if not self._dirty:
                return
            # Read before the entries: a write landing in between is caught by the next check.
            version = self.catalog.version()
            entries = self.catalog.lexical_entries()
            self.lexical.build(entries)
            if self._wants_terms:
                self._build_terms(entries)
            self.manifest.fingerprint = self.catalog.fingerprint()
            self.manifest.catalog_version = version
            self.manifest.updated_at = now_iso()
            self.manifest.write(self.index_dir)
            self._stamp = self._manifest_stamp()
            self._built_version = version
            self._dirty = False

    @property
    def _wants_terms(self) -> bool:
        return self.settings.retrieval.term_translation

    def _build_terms(self, entries: list[LexicalEntry] | None = None) -> None:
        """Embed the BM25 vocabulary for cross-lingual term translation (cached per term)."""
        entries = self.catalog.lexical_entries() if entries is None else entries
        embedder = self.embedder if self._bulk is None else BulkEmbedder(self.embedder, self._bulk)
        self.terms.build({token for entry in entries for token in entry.tokens}, embedder)

    @contextlib.contextmanager
    def bulk(self) -> Iterator[EmbedWorkers]:
        """A bulk write (an ingest): embedding worker processes for its chunks and, when its
        batch ends, for the BM25 vocabulary of the term bridge (``ingest.embed_workers``, one
        a physical core); stopped when the block exits."""
        count = self.settings.ingest.embed_workers or physical_cores()
        workers = EmbedWorkers(worker_recipe(self.query_embedder), count)
        self._bulk = workers
        try:
            yield workers
        except BaseException:
            workers.close(cancel=True)
            raise
        finally:
            self._bulk = None
            workers.close()

    def _after_write(self) -> None:
        self._dirty = True
        if self._batch_depth == 0:
            self.sync()

    # -- writes -------------------------------------------------------------------------------

    def add_document(
        self,
        doc: Document,
        chunks: Sequence[Chunk],
        embeddings: np.ndarray | None = None,
        *,
        source_file: tuple[StoredFile, bytes] | None = None,
        skip_if_current: bool = False,
    ) -> bool:
        """Index (or replace) one document; pass ``embeddings`` when computed in a larger batch.

        ``source_file``: an upload's bytes, stored with the document so that other hosts can
        re-read it. ``skip_if_current``: write nothing when, once this process holds the
        document's lock, the catalog already has this content (another host ingested the same
        file at the same moment). Returns whether anything was written.
        """
        if embeddings is None:
            embeddings = self.embedder.embed([c.text for c in chunks])
        written = self.add_documents(
            [DocumentWrite(doc, chunks, embeddings, source_file)], skip_if_current=skip_if_current
        )
        return written[0]

    def add_documents(
        self, writes: Sequence[DocumentWrite], *, skip_if_current: bool = False
    ) -> list[bool]:
        """Index (or replace) several documents with one Chroma insert; whether each was written.

        Chroma's cost is mostly per insert call (193 one-document inserts of a UNGDC session
        took 8.0 s, the same 2,447 vectors in 5 inserts 2.7 s), so an ingest writes documents
        in groups. The protocol per document is the single write's: every document's writer
        lock is held (``Catalog.writer_locks``) and its write mark set before Chroma is touched,
        and its own catalog transaction clears the mark, so a crash anywhere leaves marks that
        ``repair_interrupted`` resolves one document at a time.
        """
        doc_ids = [w.doc.doc_id for w in writes]
        if len(set(doc_ids)) != len(doc_ids):
            raise ValueError("a document appears twice in one group write")
        prepared = [self._prepare(w) for w in writes]
        flags = [False] * len(prepared)
        with self.catalog.writer_locks(doc_ids), self._lock:
            todo = []
            for i, (info, _, _, _) in enumerate(prepared):
                if skip_if_current:
                    current = self.catalog.document(info.doc_id)
                    if current is not None and current.content_hash == info.content_hash:
                        continue
                todo.append(i)
            if not todo:
                return flags
            for i in todo:
                self.catalog.begin_write(prepared[i][0].doc_id, prepared[i][0].content_hash)
            for i in todo:
                self.vectors.delete_document(prepared[i][0].doc_id)
            self.vectors.add(
                [record for i in todo for record in _vector_records(prepared[i][1], prepared[i][2])]
            )
            for i in todo:
                info, records, _, source_file = prepared[i]
                self.catalog.replace_document(info, records, source_file)
                flags[i] = True
            self._after_write()
        return flags

    def _prepare(
        self, write: DocumentWrite
    ) -> tuple[DocumentInfo, list[ChunkRecord], np.ndarray, tuple[StoredFile, bytes] | None]:
        """The catalog rows and Chroma vectors of one document (repeated chunk ids dropped)."""
        doc = write.doc
        if len(write.embeddings) != len(write.chunks):
            raise ValueError(f"{len(write.chunks)} chunks but {len(write.embeddings)} embeddings")
        chunks, embeddings = _first_of_each_id(write.chunks, write.embeddings)
        records = [
            ChunkRecord(
                chunk_id=c.chunk_id,
                doc_id=doc.doc_id,
                index=c.index,
                text=c.text,
                tokens=self._tokens(c.text),
                metadata=c.metadata(doc),
            )
            for c in chunks
        ]
        info = DocumentInfo(
            doc_id=doc.doc_id,
            source=doc.source,
            title=doc.title,
            lang=doc.lang,
            symbol=doc.symbol,
            chunk_count=len(chunks),
            path=doc.path,
            date=doc.date,
            content_hash=doc.content_hash,
            ingested_at=now_iso(),
        )
        return info, records, embeddings, write.source_file

    def delete_document(self, doc_id: str) -> None:
        with self.catalog.writer_lock(doc_id), self._lock:
            self.catalog.begin_write(doc_id, None)
            self.vectors.delete_document(doc_id)
            self.catalog.delete_document(doc_id)
            self._after_write()

    def repair_interrupted(self) -> list[str]:
        """Put back in step the documents whose writer was killed mid-write.

        Such a document is marked in the catalog and its lock is free: its Chroma vectors may
        be the new version's, some of them, or none, while the catalog (written in one
        transaction) holds the old version or nothing. Its vectors are replaced by the
        catalog's chunks; a document the catalog never received stays absent. Marks whose
        lock is held belong to live writers and are left alone. Returns the repaired ids.
        """
        repaired: list[str] = []
        for mark in self.catalog.writes_in_progress():
            with self.catalog.writer_lock(mark.doc_id, wait=False) as taken:
                if not taken:
                    continue
                with self._lock:
                    self.vectors.delete_document(mark.doc_id)
                    records = self.catalog.document_chunks(mark.doc_id)
                    if records:
                        vectors = self.embedder.embed([r.text for r in records])
                        self.vectors.add(_vector_records(records, vectors))
                    self.catalog.end_write(mark.doc_id)
                repaired.append(mark.doc_id)
                logger.warning(
                    "Repaired %s: its write from %s (pid %d, %s) was interrupted",
                    mark.doc_id,
                    mark.host,
                    mark.pid,
                    mark.started_at,
                )
        return repaired

    # -- reads --------------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        return self.catalog.documents()

    def document(self, doc_id: str) -> DocumentInfo | None:
        return self.catalog.document(doc_id)

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, ChunkRecord]:
        return self.catalog.chunks(chunk_ids)

    def document_chunks(self, doc_id: str) -> list[ChunkRecord]:
        return self.catalog.document_chunks(doc_id)

    def tokens(self, text: str) -> list[str]:
        """The lexical tokens BM25 uses, for queries."""
        return self._tokens(text)

    @property
    def fingerprint(self) -> str:
        """Identifies the indexed corpus and embedder; answer caches key on it."""
        return f"{self.manifest.embedder_name}:{self.manifest.fingerprint}"

    def stats(self) -> dict[str, object]:
        docs = self.documents()
        by_lang: dict[str, int] = {}
        for doc in docs:
            by_lang[doc.lang] = by_lang.get(doc.lang, 0) + 1
        return {
            "index_dir": str(self.index_dir),
            "catalog": self.catalog.describe(),
            "documents": len(docs),
            "documents_by_lang": by_lang,
            "chunks": self.catalog.chunk_count(),
            "embedder": f"{self.manifest.embedder_name} ({self.manifest.embedder_dimension}-dim)",
            "chunking": self.manifest.chunking,
            "tokenizer_version": self.manifest.tokenizer_version,
            "fingerprint": self.manifest.fingerprint[:16],
            "created_at": self.manifest.created_at,
            "updated_at": self.manifest.updated_at,
        }

    # -- consistency --------------------------------------------------------------------------

    def check(self) -> IndexCheck:
        self.refresh(force=True)
        with self._lock:
            truth = self.catalog.chunk_ids()
            vectors = self.vectors.ids()
            lexical = self.lexical.ids()
            return IndexCheck(
                catalog_chunks=len(truth),
                vector_chunks=len(vectors),
                lexical_chunks=len(lexical),
                missing_vectors=sorted(truth - vectors),
                orphan_vectors=sorted(vectors - truth),
                missing_lexical=sorted(truth - lexical),
                orphan_lexical=sorted(lexical - truth),
                fingerprint_stale=self.manifest.fingerprint != self.catalog.fingerprint(),
                writes_in_progress=self._live_writes(),
            )

    def _live_writes(self) -> list[str]:
        """Documents marked as being written whose writer still holds their lock."""
        live = []
        for mark in self.catalog.writes_in_progress():
            with self.catalog.writer_lock(mark.doc_id, wait=False) as taken:
                if not taken:
                    live.append(mark.doc_id)
        return live

    def repair(self) -> IndexCheck:
        """Make Chroma and BM25 match the catalog; returns the check after repairing.

        Vectors are left alone while another process writes a document (on any host): its
        new vectors are in Chroma before its catalog commit, and deleting them as orphans, or
        re-adding the old version's as missing, would undo its write.
        """
        with self._lock:
            found = self.check()
            vectors_safe = not found.writes_in_progress
            if not vectors_safe and (found.orphan_vectors or found.missing_vectors):
                logger.warning(
                    "Not repairing vectors while %d document write(s) are in progress (%s); "
                    "run the repair again when the ingest is done",
                    len(found.writes_in_progress),
                    ", ".join(found.writes_in_progress[:5]),
                )
            if vectors_safe and found.orphan_vectors:
                logger.info("Deleting %d orphan vectors", len(found.orphan_vectors))
                self.vectors.delete_ids(found.orphan_vectors)
            if vectors_safe and found.missing_vectors:
                logger.info("Re-adding %d missing vectors", len(found.missing_vectors))
                records = list(self.catalog.chunks(found.missing_vectors).values())
                vectors = self.embedder.embed([r.text for r in records])
                self.vectors.add(_vector_records(records, vectors))
            if found.missing_lexical or found.orphan_lexical or found.fingerprint_stale:
                self._dirty = True
                self.sync()
            return self.check()


def _vector_records(records: list[ChunkRecord], vectors: np.ndarray) -> list[VectorRecord]:
    """Chroma's rows for catalog chunks: the vector and the fields searches filter on."""
    return [
        VectorRecord(r.chunk_id, r.doc_id, str(r.metadata.get("lang", "")), vector)
        for r, vector in zip(records, vectors, strict=True)
    ]


def _compatible(manifest: Manifest, embedder: Embedder, chunking: dict[str, object]) -> bool:
    try:
        manifest.check_compatible(embedder.name, embedder.dimension, chunking, "")
    except IndexMismatchError:
        return False
    return True


def _first_of_each_id(
    chunks: Sequence[Chunk], embeddings: np.ndarray
) -> tuple[list[Chunk], np.ndarray]:
    """Drop repeated chunk ids: ids hash (doc_id, text), so a repeat is the same text again
    (a heading or boilerplate paragraph printed twice) and adds nothing to retrieval."""
    keep, seen = [], set()
    for i, chunk in enumerate(chunks):
        if chunk.chunk_id not in seen:
            seen.add(chunk.chunk_id)
            keep.append(i)
    if len(keep) < len(chunks):
        logger.debug("%s: %d repeated chunk(s) skipped", chunks[0].doc_id, len(chunks) - len(keep))
    return [chunks[i] for i in keep], embeddings[keep]
