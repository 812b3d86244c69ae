"""``ingest_paths``: bring the index in step with files on disk, doing only the work needed.

Steps: repair writes a killed ingest left behind, and bring ``<corpus>/uploads`` in step with
the uploads the catalog stores (other hosts' uploads) → walk the paths → load each file, and
skip it when its content hash is the catalog's → chunk the rest, handing the chunks to the
embedding stage, which embeds them on worker threads (one a core) while later files load
(embedding dominates the time; cached vectors are reused) → write the documents in groups as
their vectors arrive (one Chroma insert a group, then each document's catalog transaction,
under the documents' writer locks; an upload's bytes go into the catalog with it) → drop
documents whose files are gone from an ingested folder → rebuild BM25 and the term bridge once.

The report's ``seconds_loading``, ``seconds_embedding`` (the embedding's CPU seconds over the
number of processes that shared it) and ``seconds_writing`` overlap in time, so they may add up
to more than the total.

Several ingests may run at once, on one host or several: each document has one writer at a
time, and a document another ingest wrote meanwhile with the same content is not written again.

Document ids are paths relative to a root: the corpus folder for files inside it (so
"zh/000_b645ea8b0039a4ff.txt" whichever way it is reached), otherwise the folder above the
named folder or file, so that "uploads/report.pdf" from two places does not collide.
"""

from __future__ import annotations

import fnmatch
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.config import Settings
from assistant.index.catalog import StoredFile
from assistant.index.embed_stage import EmbedStage
from assistant.index.store import DocumentInfo, DocumentWrite, HybridIndex
from assistant.ingest.shared_uploads import sync_uploads, upload_path
from assistant.ingest.sidecar import SIDECAR_NAME
from assistant.schema import Chunk, Document
from assistant.text.variants import to_simplified

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
IGNORE_FILE = (
    ".ingestignore"  # glob patterns, one a line, for files a folder holds but not to index
)
# Chunks per group write: one Chroma insert costs about as much for 512 vectors as for 2,447
# (2.7 s against 8.0 s in one-document inserts for one UNGDC session), and a group's vectors
# wait in memory until it is written.
WRITE_GROUP_CHUNKS = 512


@dataclass
class IngestReport:
    """What an ingest did; document ids per outcome, and where the time went."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    skipped: list[str] = field(default_factory=list)  # unsupported file types
    chunks_written: int = 0
    chunks_embedded: int = 0  # chunks whose vector was not in the embedding cache
    seconds_loading: float = 0.0
    seconds_embedding: float = 0.0
    seconds_writing: float = 0.0
    seconds_total: float = 0.0
    embed_workers_rss_mib: list[float] = field(default_factory=list)  # each worker's peak

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
        }

    def summary(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in self.counts().items())
        return (
            f"{counts}; {self.chunks_written} chunks written ({self.chunks_embedded} embedded) "
            f"in {self.seconds_total:.1f}s (loading {self.seconds_loading:.1f}s, embedding "
            f"{self.seconds_embedding:.1f}s, writing {self.seconds_writing:.1f}s)"
        )


@dataclass
class _Pending:
    path: Path
    doc: Document
    chunks: list[Chunk]
    replaces: list[str]  # doc ids this document supersedes (same doc id or same file)


def _ignored(path: Path, folder: Path) -> bool:
    """Hidden files and folders, metadata sidecars, and names matched by an ``.ingestignore``
    on the way down."""
    rel = path.relative_to(folder)
    if any(part.startswith(".") for part in rel.parts) or path.name == SIDECAR_NAME:
        return True
    for depth in range(len(rel.parts)):
        here = folder.joinpath(*rel.parts[:depth])
        ignore = here / IGNORE_FILE
        if not ignore.is_file():
            continue
        sub = path.relative_to(here).as_posix()
        for pattern in ignore.read_text(encoding="utf-8").splitlines():
            pattern = pattern.strip()
            if pattern and not pattern.startswith("#") and fnmatch.fnmatch(sub, pattern):
                return True
    return False


def _root_for(path: Path, corpus_dir: Path) -> Path:
    if path.is_relative_to(corpus_dir):
        return corpus_dir
    return path.parent if path.is_dir() else path.parent.parent


def _walk(
    paths: Iterable[Path], corpus_dir: Path, suffixes: frozenset[str], report: IngestReport
) -> tuple[list[tuple[Path, Path]], list[Path], list[Path]]:
    """(file, root) pairs to ingest, folders walked (for removals), named files now missing."""
    files: dict[Path, Path] = {}
    folders: list[Path] = []
    missing: list[Path] = []
    for given in paths:
        path = Path(given).expanduser().resolve()
        if path.is_dir():
            folders.append(path)
            root = _root_for(path, corpus_dir)
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if _ignored(file, path):
                    continue
                if file.suffix.lower() not in suffixes:
                    logger.warning("Skipping %s: unsupported file type", file)
                    report.skipped.append(str(file))
                    continue
                files.setdefault(file, root)
        elif path.is_file():
            if path.suffix.lower() not in suffixes:
                logger.warning("Skipping %s: unsupported file type", path)
                report.skipped.append(str(path))
                continue
            files.setdefault(path, _root_for(path, corpus_dir))
        else:
            missing.append(path)
    return list(files.items()), folders, missing


def ingest_paths(
    paths: Sequence[Path | str],
    index: HybridIndex,
    settings: Settings,
    progress: Progress | None = None,
) -> IngestReport:
    """Index new and changed files under ``paths``; remove documents whose files are gone."""
    from assistant.ingest.loaders import RECOGNISED_SUFFIXES

    started = time.perf_counter()
    notify = progress or (lambda fraction, message: None)
    report = IngestReport()
    corpus_dir = Path(settings.paths.corpus_dir).expanduser().resolve()
    suffixes = frozenset(s.lower() for s in RECOGNISED_SUFFIXES)
    index.repair_interrupted()
    named = [Path(p).expanduser().resolve() for p in paths]
    sync_uploads(index.catalog, corpus_dir, keep=[p for p in named if not p.is_dir()])
    files, folders, missing = _walk([Path(p) for p in paths], corpus_dir, suffixes, report)
    known = {doc.doc_id: doc for doc in index.documents()}
    by_path = {doc.path: doc.doc_id for doc in known.values()}

    # 1. Load and chunk what changed; the chunks are embedded on worker threads meanwhile.
    # Embedded with Traditional characters folded to Simplified, as queries are (the stored
    # text stays as written; for Simplified text the fold changes nothing).
    pending: deque[_Pending] = deque()
    seen_paths: set[str] = set()
    misses_before = index.embedder.misses
    with index.bulk() as workers, EmbedStage(index.embedder, workers=workers) as stage:
        for n, (path, root) in enumerate(tqdm(files, desc="files", unit="file", disable=None)):
            notify(0.3 * n / max(1, len(files)), f"reading {path.name}")
            seen_paths.add(str(path))
            item = _load(path, root, known, by_path, settings, report)
            if item is not None:
                pending.append(item)
                stage.add([to_simplified(chunk.text) for chunk in item.chunks])
        stage.finish()
        report.seconds_loading = time.perf_counter() - started

        # 2. Write documents in groups as their vectors arrive (the workers embed the next
        # slices meanwhile), then drop what is gone; BM25 is rebuilt once when the batch ends
        # (the term bridge's new terms embedded by the same workers).
        writer = _GroupWriter(index, report, known, corpus_dir)
        with index.batch():
            _write_as_embedded(pending, stage, writer, notify)
            report.chunks_embedded = index.embedder.misses - misses_before
            report.seconds_embedding = stage.seconds / max(
                1, workers.count if workers.started else 1
            )
            t0 = time.perf_counter()
            notify(0.9, "writing the index")
            for doc_id in _gone(known, folders, missing, seen_paths):
                index.delete_document(doc_id)
                report.removed.append(doc_id)
            for path in missing:
                if str(path) not in by_path:
                    report.failed.append((str(path), "no such file or folder"))
        report.seconds_writing = writer.seconds + time.perf_counter() - t0
        workers.close()
        report.embed_workers_rss_mib = [kib / 1024 for kib in workers.peak_rss_kib]
    report.seconds_total = time.perf_counter() - started
    notify(1.0, "done")
    logger.info("Ingest: %s", report.summary())
    return report


def _load(
    path: Path,
    root: Path,
    known: dict[str, DocumentInfo],
    by_path: dict[str, str],
    settings: Settings,
    report: IngestReport,
) -> _Pending | None:
    """Load and chunk one file, or record why not: one bad file must not stop the batch."""
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.document_loading import content_hash, document_id, load_document
    from assistant.ingest.loaders import LoadError

    try:
        # The content hash (bytes and curated metadata) is known before loading, so an
        # unchanged file is not read again: loading a scan means OCR, seconds a page.
        doc_id = document_id(path, root)
        previous = known.get(doc_id)
        if previous is not None and previous.content_hash == content_hash(path, root):
            report.unchanged.append(doc_id)
            return None
        doc = load_document(path, root, settings.ingest)
        chunks = chunk_document(doc, settings.chunking)
    except LoadError as exc:
        logger.warning("Skipping %s: %s", path, exc)
        report.failed.append((str(path), str(exc)))
        return None
    except Exception as exc:  # one bad file must not stop the batch
        logger.exception("Unexpected error reading %s", path)
        report.failed.append((str(path), f"unexpected error: {exc}"))
        return None
    if not chunks:
        report.failed.append((str(path), "no text to index"))
        return None
    replaces = [i for i in (doc.doc_id, by_path.get(doc.path)) if i and i in known]
    return _Pending(path, doc, chunks, sorted(set(replaces)))


def _write_as_embedded(
    pending: deque[_Pending], stage: EmbedStage, writer: _GroupWriter, notify: Progress
) -> None:
    """Hand each document to ``writer`` as soon as the vectors of all its chunks are back."""
    total = max(1, stage.pending)
    vectors = np.empty((0, stage.dimension), dtype=np.float32)
    with tqdm(total=stage.pending, desc="chunks", unit="chunk", disable=None) as bar:
        while pending:
            while len(vectors) < len(pending[0].chunks):
                got = stage.take(wait=True)
                vectors = np.concatenate([vectors, got]) if len(vectors) else got
                bar.update(len(got))
                notify(0.3 + 0.6 * stage.returned / total, "embedding and writing chunks")
            offset = 0
            while pending and offset + len(pending[0].chunks) <= len(vectors):
                item = pending.popleft()
                writer.add(item, vectors[offset : offset + len(item.chunks)])
                offset += len(item.chunks)
            vectors = vectors[offset:]
    writer.flush()


class _GroupWriter:
    """Writes documents to the index in groups of about ``WRITE_GROUP_CHUNKS`` chunks (one
    Chroma insert each), in the order they were given; records each outcome in the report."""

    def __init__(
        self,
        index: HybridIndex,
        report: IngestReport,
        known: dict[str, DocumentInfo],
        corpus_dir: Path,
    ) -> None:
        self.index = index
        self.report = report
        self.known = known
        self.corpus_dir = corpus_dir
        self.seconds = 0.0
        self._group: list[tuple[_Pending, np.ndarray]] = []
        self._chunks = 0

    def add(self, item: _Pending, vectors: np.ndarray) -> None:
        if any(queued.doc.doc_id == item.doc.doc_id for queued, _ in self._group):
            self.flush()  # two files with one document id: the later one wins, as before
        self._group.append((item, vectors))
        self._chunks += len(item.chunks)
        if self._chunks >= WRITE_GROUP_CHUNKS:
            self.flush()

    def flush(self) -> None:
        if not self._group:
            return
        started = time.perf_counter()
        group, self._group, self._chunks = self._group, [], 0
        for item, _ in group:
            for old in item.replaces:
                if old != item.doc.doc_id:
                    self.index.delete_document(old)
                    self.report.removed.append(old)
        written = self.index.add_documents(
            [
                DocumentWrite(item.doc, item.chunks, vectors, _upload_bytes(item, self.corpus_dir))
                for item, vectors in group
            ],
            skip_if_current=True,
        )
        for (item, _), done in zip(group, written, strict=True):
            doc_id = item.doc.doc_id
            if not done:  # another ingest wrote the same content meanwhile
                self.report.unchanged.append(doc_id)
                continue
            self.report.chunks_written += len(item.chunks)
            (self.report.updated if doc_id in self.known else self.report.added).append(doc_id)
        self.seconds += time.perf_counter() - started


def _upload_bytes(item: _Pending, corpus_dir: Path) -> tuple[StoredFile, bytes] | None:
    """An upload's bytes, for the catalog (other hosts re-read them from there)."""
    doc_id = item.doc.doc_id
    if not (item.path.is_relative_to(corpus_dir) and upload_path(doc_id)):
        return None
    return StoredFile.of(doc_id, doc_id, item.path.read_bytes())


def _concat(parts: list[np.ndarray], dimension: int) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty((0, dimension), dtype=np.float32)


def _gone(
    known: dict[str, DocumentInfo], folders: list[Path], missing: list[Path], seen: set[str]
) -> list[str]:
    """Catalog documents from a walked folder whose file was not found there (deleted, or now
    ignored or unsupported), and named files that no longer exist."""
    gone = []
    for doc_id, info in known.items():
        path = Path(info.path)
        in_folder = any(path.is_relative_to(folder) for folder in folders)
        if (in_folder and str(path) not in seen) or path in missing:
            gone.append(doc_id)
    return gone
