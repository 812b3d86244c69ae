"""``ingest_paths``: bring the index in step with files on disk, doing only the work needed.

Steps: repair writes a killed ingest left behind, and bring ``<corpus>/uploads`` in step with
the uploads the catalog stores (other hosts' uploads) → walk the paths → load each file, and
skip it when its content hash is the catalog's → chunk the rest → embed every new chunk
together, across files (embedding dominates the time; cached vectors are reused) → write each
document (Chroma, then catalog, under the document's writer lock; an upload's bytes go into the
catalog with it) → drop documents whose files are gone from an ingested folder → rebuild BM25
and the term bridge once.

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.config import Settings
from assistant.index.catalog import StoredFile
from assistant.index.store import DocumentInfo, HybridIndex
from assistant.ingest.shared_uploads import sync_uploads, upload_path
from assistant.ingest.sidecar import SIDECAR_NAME
from assistant.schema import Chunk, Document
from assistant.text.variants import to_simplified

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
IGNORE_FILE = (
    ".ingestignore"  # glob patterns, one a line, for files a folder holds but not to index
)
_EMBED_SLICE = 128  # chunks per embed call: large enough to batch well, small for progress


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
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.document_loading import content_hash, document_id, load_document
    from assistant.ingest.loaders import RECOGNISED_SUFFIXES, LoadError

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

    # 1. Load and chunk what changed.
    pending: list[_Pending] = []
    seen_paths: set[str] = set()
    for n, (path, root) in enumerate(tqdm(files, desc="files", unit="file", disable=None)):
        notify(0.3 * n / max(1, len(files)), f"reading {path.name}")
        seen_paths.add(str(path))
        try:
            # The content hash (bytes and curated metadata) is known before loading, so an
            # unchanged file is not read again: loading a scan means OCR, seconds a page.
            doc_id = document_id(path, root)
            previous = known.get(doc_id)
            if previous is not None and previous.content_hash == content_hash(path, root):
                report.unchanged.append(doc_id)
                continue
            doc = load_document(path, root, settings.ingest)
            chunks = chunk_document(doc, settings.chunking)
        except LoadError as exc:
            logger.warning("Skipping %s: %s", path, exc)
            report.failed.append((str(path), str(exc)))
            continue
        except Exception as exc:  # one bad file must not stop the batch
            logger.exception("Unexpected error reading %s", path)
            report.failed.append((str(path), f"unexpected error: {exc}"))
            continue
        if not chunks:
            report.failed.append((str(path), "no text to index"))
            continue
        replaces = [i for i in (doc.doc_id, by_path.get(doc.path)) if i and i in known]
        pending.append(_Pending(path, doc, chunks, sorted(set(replaces))))
    report.seconds_loading = time.perf_counter() - started

    # 2. Embed every new chunk together, across files.
    # Embedded with Traditional characters folded to Simplified, as queries are (the stored
    # text stays as written; for Simplified text the fold changes nothing).
    texts = [to_simplified(chunk.text) for item in pending for chunk in item.chunks]
    misses_before = index.embedder.misses
    t0 = time.perf_counter()
    vectors = []
    with tqdm(total=len(texts), desc="chunks", unit="chunk", disable=None) as bar:
        for start in range(0, len(texts), _EMBED_SLICE):
            part = texts[start : start + _EMBED_SLICE]
            vectors.append(index.embedder.embed(part))
            bar.update(len(part))
            notify(0.3 + 0.6 * (start + len(part)) / len(texts), "embedding chunks")
    report.seconds_embedding = time.perf_counter() - t0
    report.chunks_embedded = index.embedder.misses - misses_before

    # 3. Write documents, then drop what is gone; BM25 is rebuilt once when the batch ends.
    t0 = time.perf_counter()
    notify(0.9, "writing the index")
    with index.batch():
        offset = 0
        all_vectors = _concat(vectors, index.embedder.dimension)
        for item in pending:
            count = len(item.chunks)
            for old in item.replaces:
                if old != item.doc.doc_id:
                    index.delete_document(old)
                    report.removed.append(old)
            written = index.add_document(
                item.doc,
                item.chunks,
                all_vectors[offset : offset + count],
                source_file=_upload_bytes(item, corpus_dir),
                skip_if_current=True,
            )
            offset += count
            if not written:  # another ingest wrote the same content meanwhile
                report.unchanged.append(item.doc.doc_id)
                continue
            report.chunks_written += count
            (report.updated if item.doc.doc_id in known else report.added).append(item.doc.doc_id)
        for doc_id in _gone(known, folders, missing, seen_paths):
            index.delete_document(doc_id)
            report.removed.append(doc_id)
        for path in missing:
            if str(path) not in by_path:
                report.failed.append((str(path), "no such file or folder"))
    report.seconds_writing = time.perf_counter() - t0
    report.seconds_total = time.perf_counter() - started
    notify(1.0, "done")
    logger.info("Ingest: %s", report.summary())
    return report


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
