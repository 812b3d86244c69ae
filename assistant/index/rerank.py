"""Sentence-level similarity of a question to each candidate passage, for reranking.

USE encodes a whole 220-unit passage into one vector, in which the one sentence that answers a
question is a small part; USE was trained on sentence pairs, and a question is closest to the
sentence that answers it. So each candidate scores the best cosine between the question and
any one of its sentences. Sentence vectors go through the index's cached embedder (persisted
in its sqlite cache) and are kept in memory per chunk, so a passage's sentences are embedded
once for the life of the index; ``warm`` does all of them ahead of the first question.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping

import numpy as np

from assistant.index.embedders import Embedder
from assistant.text.sentences import split_sentences

logger = logging.getLogger(__name__)

_MIN_SENTENCE_CHARS = 6  # "一.", "(a)", page furniture: nothing a question could match


def passage_sentences(text: str) -> list[str]:
    """The sentences of ``text`` worth embedding; the whole text when it has none."""
    sentences = [text[a:b].strip() for a, b in split_sentences(text)]
    sentences = [s for s in sentences if len(s) >= _MIN_SENTENCE_CHARS]
    return sentences or [text]


class SentenceScorer:
    """Max cosine over a passage's sentences; vectors cached per chunk id."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def scores(self, query_vector: np.ndarray, texts: Mapping[str, str]) -> dict[str, float]:
        """``texts``: chunk id → passage text, for the candidates to score."""
        self.warm(texts)
        query = np.asarray(query_vector, dtype=np.float32)
        with self._lock:
            return {cid: float((self._vectors[cid] @ query).max()) for cid in texts}

    def warm(self, texts: Mapping[str, str]) -> None:
        """Embed the sentences of every passage not seen before, in one batch."""
        with self._lock:
            todo = [cid for cid in texts if cid not in self._vectors]
        if not todo:
            return
        split = {cid: passage_sentences(texts[cid]) for cid in todo}
        flat = [s for cid in todo for s in split[cid]]
        vectors = np.asarray(self.embedder.embed(flat), dtype=np.float32)
        with self._lock:
            start = 0
            for cid in todo:
                n = len(split[cid])
                self._vectors[cid] = vectors[start : start + n]
                start += n
        logger.debug("sentence vectors for %d passages (%d sentences)", len(todo), len(flat))

    def forget(self, chunk_ids: Iterable[str]) -> None:
        with self._lock:
            for cid in chunk_ids:
                self._vectors.pop(cid, None)
