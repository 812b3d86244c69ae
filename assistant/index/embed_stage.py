"""Embedding as a stage of its own: a bulk write's texts embedded in slices by worker processes.

Embedding is most of an ingest's CPU time (USE: numpy products on one BLAS thread). During a
bulk write (an ingest, the term bridge's vocabulary) the slices go to worker processes, one a
physical core, while the writing process reads files and writes documents. Processes, not
threads: a USE forward pass is some thirty short numpy calls, each giving up the GIL and
taking it back, and a thread taking it back waits for the ingest's own Python (loading,
writing) to let go. Measured on 512 chunks with two embedding threads: 2.6 s alone, 28 s
beside a busy Python thread (7.9 s with a 0.5 ms switch interval); processes do not share a
GIL. Each worker loads its own copy of the model (0.8 s, about 130 MiB), so the workers start
only once a write has queued ``POOL_AFTER_CHARS`` characters to embed (held back until then);
smaller writes (one uploaded file) embed in the writing process at ``finish``, as before. A bulk
write never loads the model in the writing process at all.

The cache stays in the writing process: a slice's cached vectors are read before it is sent,
and only the rest is embedded. The slices are those the sequential ingest embedded
(consecutive runs of ``slice_size`` texts), and a worker embeds exactly the uncached texts of
one slice in one call, as the writing process did, so every vector is bit for bit the same.
Results come back in the order the texts were added, whatever order the workers finish in.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from assistant.index.embedding_cache import CachedEmbedder
    from assistant.models.embedders import Embedder

logger = logging.getLogger(__name__)

# Texts per embed call: large enough to batch well (USE batches 64 at a time), small enough for
# progress and for the workers to share the work evenly.
EMBED_SLICE = 128
# Characters still to embed (cache misses) that a write queues before it starts the worker
# processes: about 250 UNGDC passages, 2-3 s of embedding on one core, against 0.8 s of CPU
# to start each worker. Characters, not texts: a vocabulary term costs a hundredth of a passage.
POOL_AFTER_CHARS = 300_000

Recipe = Callable[[], "Embedder"]


def worker_recipe(embedder: Embedder) -> Recipe | None:
    """How a worker process builds the same embedder, or ``None`` when it runs in-process.

    USE (the default) is rebuilt from its settings, on one BLAS thread. A sentence-transformers
    model already runs torch's own threads on every core, and a copy per process would double
    its memory, so it embeds in the writing process."""
    from assistant.models.use_embedder import UniversalSentenceEncoder

    if isinstance(embedder, UniversalSentenceEncoder):
        return functools.partial(
            UniversalSentenceEncoder, batch_size=embedder.batch_size, threads=1
        )
    return None


_worker_embedder: Embedder | None = None


def _init_worker(recipe: Recipe) -> None:
    global _worker_embedder
    _worker_embedder = recipe()


def _embed_in_worker(texts: list[str]) -> tuple[np.ndarray, float]:
    assert _worker_embedder is not None, "worker started without its embedder"
    started = time.process_time()
    vectors = np.asarray(_worker_embedder.embed(texts), dtype=np.float32)
    return vectors, time.process_time() - started


class EmbedWorkers:
    """Worker processes for one bulk write, started on first use and stopped by ``close``."""

    def __init__(self, recipe: Recipe | None, count: int) -> None:
        self.recipe = recipe
        self.count = count
        self._pool: ProcessPoolExecutor | None = None
        # Peak resident memory of each worker (kB), read as they stop: the ingest's report
        # (a worker's rusage would count the writer's memory at the fork that started it).
        self.peak_rss_kib: list[int] = []

    @property
    def usable(self) -> bool:
        return self.recipe is not None and self.count > 1

    @property
    def started(self) -> bool:
        return self._pool is not None

    def submit(self, texts: list[str]) -> Future[tuple[np.ndarray, float]]:
        if self._pool is None:
            if self.recipe is None:
                raise RuntimeError("this embedder cannot be rebuilt in a worker process")
            # spawn: a fork would copy the writer's threads' state (Chroma, SQLite) mid-flight.
            self._pool = ProcessPoolExecutor(
                self.count,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.recipe,),
            )
            logger.info("Embedding on %d worker processes", self.count)
        return self._pool.submit(_embed_in_worker, texts)

    def close(self, *, cancel: bool = False) -> None:
        if self._pool is not None:
            self.peak_rss_kib = _peak_rss_kib(self._pool)
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None


def _peak_rss_kib(pool: ProcessPoolExecutor) -> list[int]:
    """``VmHWM`` of each live worker of ``pool`` (Linux; empty elsewhere)."""
    peaks = []
    for pid in list(getattr(pool, "_processes", None) or {}):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks += [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")]
    return peaks


@dataclass
class _Slice:
    texts: list[str]
    out: np.ndarray  # cached rows filled in; the rest arrive from ``future``
    todo: list[int]
    # The workers' answer; None while held back, or when nothing is left to embed (todo empty)
    future: Future[tuple[np.ndarray, float]] | None


class EmbedStage:
    """Embed texts added with ``add`` in slices; ``take`` returns the vectors finished so
    far, in the order the texts were added. Use as a context manager: leaving the block by an
    exception drops the slices not yet started."""

    def __init__(
        self,
        embedder: CachedEmbedder,
        *,
        slice_size: int = EMBED_SLICE,
        workers: EmbedWorkers | None = None,
        pool_after_chars: int = POOL_AFTER_CHARS,
    ) -> None:
        self.embedder = embedder
        self.dimension = embedder.dimension
        self.slice_size = max(1, slice_size)
        self.workers = workers
        self.pool_after_chars = pool_after_chars
        self._chars_to_embed = 0
        self._buffer: list[str] = []
        self._slices: deque[_Slice] = deque()
        self._held: list[_Slice] = []  # slices waiting for the decision to start workers
        self.seconds = 0.0  # CPU seconds spent embedding, here and in the workers
        self.submitted = 0  # texts sent to be embedded
        self.returned = 0  # texts whose vectors ``take`` returned

    def __enter__(self) -> EmbedStage:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is not None:
            for item in self._slices:
                if item.future is not None:
                    item.future.cancel()
            self._slices.clear()

    def add(self, texts: list[str]) -> None:
        """Queue texts; every full slice is sent at once."""
        self._buffer.extend(texts)
        while len(self._buffer) >= self.slice_size:
            self._submit(self._buffer[: self.slice_size])
            del self._buffer[: self.slice_size]

    def finish(self) -> None:
        """Send the last, partial slice: no more texts will be added. Slices held back for
        want of texts enough to start the workers are embedded here, in this process."""
        if self._buffer:
            self._submit(self._buffer)
            self._buffer = []
        for item in self._held:
            self._embed_here(item)
        self._held = []

    @property
    def pending(self) -> int:
        """Texts added whose vectors ``take`` has not returned yet."""
        return self.submitted + len(self._buffer) - self.returned

    def take(self, *, wait: bool) -> np.ndarray:
        """Vectors of the leading slices that are done, in order (``wait``: waiting for the
        first slice not yet returned, if any); an embedding error is raised here."""
        parts: list[np.ndarray] = []
        while self._slices:
            head = self._slices[0]
            if head.future is None and head.todo:
                if wait and not parts:
                    raise RuntimeError("take(wait=True) before finish(): the slice is held back")
                break  # held back until the workers start or ``finish``
            if head.future is not None and not (head.future.done() or (wait and not parts)):
                break
            self._slices.popleft()
            if head.future is not None:
                fresh, cpu = head.future.result()
                self.seconds += cpu
                self.embedder.store(head.texts, head.todo, fresh, head.out)
                head.todo, head.future = [], None
            parts.append(head.out)
        if not parts:
            return np.empty((0, self.dimension), dtype=np.float32)
        out = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self.returned += len(out)
        return out

    def _submit(self, texts: list[str]) -> None:
        texts = list(texts)
        out, todo = self.embedder.lookup(texts)
        self.submitted += len(texts)
        item = _Slice(texts, out, todo, None)
        self._slices.append(item)
        if not todo:
            return
        self._chars_to_embed += sum(len(texts[i]) for i in todo)
        workers = self.workers
        if workers is None or not workers.usable:
            self._embed_here(item)
        elif workers.started or self._chars_to_embed >= self.pool_after_chars:
            for held in [*self._held, item]:
                held.future = workers.submit([held.texts[i] for i in held.todo])
            self._held = []
        else:
            # Not yet known to be a bulk write: held back until it is (workers) or until
            # ``finish`` (embedded here, so a small write starts no process).
            self._held.append(item)

    def _embed_here(self, item: _Slice) -> None:
        started = time.process_time()
        fresh = self.embedder.inner.embed([item.texts[i] for i in item.todo])
        self.seconds += time.process_time() - started
        self.embedder.store(item.texts, item.todo, np.asarray(fresh, np.float32), item.out)
        item.todo = []  # stored: ``take`` has nothing left to wait for


def embed_all(
    embedder: CachedEmbedder, texts: list[str], *, workers: EmbedWorkers | None
) -> np.ndarray:
    """Embed ``texts`` through ``EmbedStage``; rows in the order of ``texts``."""
    with EmbedStage(embedder, workers=workers) as stage:
        stage.add(texts)
        stage.finish()
        parts = [np.empty((0, embedder.dimension), dtype=np.float32)]
        while stage.pending:
            parts.append(stage.take(wait=True))
        return np.concatenate(parts)


class BulkEmbedder:
    """An embedder whose ``embed`` runs through ``embed_all`` on a bulk write's workers (the
    term bridge's vocabulary: thousands of terms, embedded once per term)."""

    def __init__(self, embedder: CachedEmbedder, workers: EmbedWorkers) -> None:
        self.embedder = embedder
        self.workers = workers
        self.name = embedder.name
        self.dimension = embedder.dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        return embed_all(self.embedder, texts, workers=self.workers)
