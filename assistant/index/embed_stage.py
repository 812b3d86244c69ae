"""Embedding as a stage of its own: fixed slices of a stream of texts on worker threads.

Embedding is most of an ingest's CPU time, and on the default embedder (USE, numpy) nearly all
of it is spent in BLAS products and array copies that release the GIL. So while the ingest's
own thread reads files and writes documents (Python), worker threads embed the chunks already
chunked, and with two workers a 2-core machine embeds on both cores (each worker on one BLAS
thread: independent slices scale without the hand-offs that make one product on two BLAS
threads 4-15x dearer in CPU, see ``use_embedder``).

The slices are those the sequential ingest embedded: consecutive runs of ``slice_size`` texts
of the stream, so every text is embedded in the same company as before and its vector is bit
for bit the same. Results come back in stream order whatever order the workers finish in.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from assistant.index.embedders import Embedder

logger = logging.getLogger(__name__)

EmbedFn = Callable[[list[str]], np.ndarray]
# Texts per embed call: large enough to batch well (the embedder batches 64 at a time), small
# enough for progress and for two workers to share the work evenly.
EMBED_SLICE = 128


class EmbedStage:
    """Embed texts added with ``add`` in slices on ``workers`` threads; ``take`` returns the
    vectors finished so far, in the order the texts were added.

    Use as a context manager: on exit the workers stop (slices not yet started are dropped
    when the block is left by an exception) and the BLAS limit is lifted.
    """

    def __init__(self, embed: EmbedFn, dimension: int, *, slice_size: int, workers: int) -> None:
        self._embed = embed
        self.dimension = dimension
        self.slice_size = max(1, slice_size)
        self.workers = max(1, workers)
        self._pool: ThreadPoolExecutor | None = None
        self._limit = None
        self._buffer: list[str] = []
        self._running: deque[Future[np.ndarray]] = deque()
        self._busy = 0.0
        self._busy_lock = threading.Lock()
        self.submitted = 0  # texts handed to the workers
        self.returned = 0  # texts whose vectors ``take`` returned

    def __enter__(self) -> EmbedStage:
        if self.workers > 1:
            # One BLAS thread per worker, set once for the whole stage: a limit each worker
            # set and restored itself would, between two of them, restore the other's setting.
            from threadpoolctl import threadpool_limits

            self._limit = threadpool_limits(limits=1, user_api="blas")
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="embed")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=kind is not None)
            self._pool = None
        if self._limit is not None:
            self._limit.restore_original_limits()
            self._limit = None

    @property
    def busy_seconds(self) -> float:
        """Seconds the workers spent embedding, over all workers."""
        return self._busy

    def add(self, texts: list[str]) -> None:
        """Queue texts; every full slice goes to the workers at once."""
        self._buffer.extend(texts)
        while len(self._buffer) >= self.slice_size:
            self._submit(self._buffer[: self.slice_size])
            del self._buffer[: self.slice_size]

    def finish(self) -> None:
        """Send the last, partial slice: no more texts will be added."""
        if self._buffer:
            self._submit(self._buffer)
            self._buffer = []

    def take(self, *, wait: bool) -> np.ndarray:
        """Vectors of the leading slices that are done, in order (``wait``: waiting for the
        first slice not yet returned, if any); an embedding error is raised here."""
        parts = []
        if wait and self._running:
            parts.append(self._running.popleft().result())
        while self._running and self._running[0].done():
            parts.append(self._running.popleft().result())
        if not parts:
            return np.empty((0, self.dimension), dtype=np.float32)
        out = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self.returned += len(out)
        return out

    @property
    def pending(self) -> int:
        """Texts added whose vectors ``take`` has not returned yet."""
        return self.submitted + len(self._buffer) - self.returned

    def _submit(self, texts: list[str]) -> None:
        if self._pool is None:
            raise RuntimeError("EmbedStage used outside its `with` block")
        self._running.append(self._pool.submit(self._run, list(texts)))
        self.submitted += len(texts)

    def _run(self, texts: list[str]) -> np.ndarray:
        started = time.perf_counter()
        try:
            vectors = np.asarray(self._embed(texts), dtype=np.float32)
        finally:
            with self._busy_lock:
                self._busy += time.perf_counter() - started
        if vectors.shape != (len(texts), self.dimension):
            raise ValueError(
                f"embedder returned {vectors.shape} for {len(texts)} texts of {self.dimension}"
            )
        return vectors


def embed_all(
    embed: EmbedFn, dimension: int, texts: list[str], *, slice_size: int, workers: int
) -> np.ndarray:
    """Embed ``texts`` in slices on ``workers`` threads; rows in the order of ``texts``."""
    with EmbedStage(embed, dimension, slice_size=slice_size, workers=workers) as stage:
        stage.add(texts)
        stage.finish()
        parts = [np.empty((0, dimension), dtype=np.float32)]
        while stage.pending:
            parts.append(stage.take(wait=True))
        return np.concatenate(parts)


class SlicedEmbedder:
    """An embedder whose ``embed`` runs through ``embed_all``: for bulk calls (the BM25
    vocabulary of the term bridge) that would otherwise embed on one core."""

    def __init__(self, inner: Embedder, *, slice_size: int, workers: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.slice_size = slice_size
        self.workers = workers

    def embed(self, texts: list[str]) -> np.ndarray:
        return embed_all(
            self.inner.embed,
            self.dimension,
            texts,
            slice_size=self.slice_size,
            workers=self.workers,
        )
