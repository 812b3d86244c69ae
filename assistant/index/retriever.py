"""Hybrid retrieval: dense top-N from Chroma and BM25 top-N, fused, as ``Passage``s.

The steps read in order in ``Retriever.search``: embed the query (cached), take candidates from
each side with the same filters, fuse (see ``fusion``), look the winners up in the catalog.
Every passage keeps its raw dense cosine and BM25 score beside the fused one, because answering
decides "is anything relevant at all" on raw scores, which mean the same across queries, while
fused scores only order one query's results.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Literal

import numpy as np

from assistant.config import RetrievalSettings
from assistant.index import fusion
from assistant.index.store import HybridIndex
from assistant.schema import Passage

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[str, ...] = ("hybrid", "dense", "lexical")
_QUERY_CACHE_SIZE = 512


class Retriever:
    """Searches one ``HybridIndex``; safe to share between threads."""

    def __init__(self, index: HybridIndex, settings: RetrievalSettings) -> None:
        self.index = index
        self.settings = settings
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector; repeated questions (evaluation, chat retries) are not re-embedded."""
        with self._lock:
            if query in self._query_vectors:
                self._query_vectors.move_to_end(query)
                return self._query_vectors[query]
        vector = self.index.query_embedder.embed([query])[0]
        with self._lock:
            self._query_vectors[query] = vector
            if len(self._query_vectors) > _QUERY_CACHE_SIZE:
                self._query_vectors.popitem(last=False)
        return vector

    def search(
        self,
        query: str,
        top_k: int | None = None,
        *,
        langs: Sequence[str] | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: Mode = "hybrid",
    ) -> list[Passage]:
        """The ``top_k`` best passages for ``query``, best first.

        ``langs`` filters on the chunk language ("zh", "en"), ``doc_ids`` on documents; ``mode``
        picks one side alone ("dense", "lexical") or both fused ("hybrid").
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        top_k = top_k or self.settings.top_k
        if not query.strip():
            return []
        started = time.perf_counter()
        runs: dict[str, list[tuple[str, float]]] = {}
        if mode in ("hybrid", "dense"):
            n = max(top_k, self.settings.dense_candidates) if mode == "hybrid" else top_k
            runs["dense"] = self.index.vectors.query(
                self.embed_query(query), n, langs=langs, doc_ids=doc_ids
            )
        if mode in ("hybrid", "lexical"):
            n = max(top_k, self.settings.lexical_candidates) if mode == "hybrid" else top_k
            runs["lexical"] = self.index.lexical.search(
                self.index.tokens(query), n, langs=langs, doc_ids=doc_ids
            )
        hits = self._fuse(runs) if mode == "hybrid" else _single(mode, runs[mode])
        passages = self._passages(hits[: top_k * 2], top_k)
        logger.debug(
            "search %r mode=%s: %d passages in %.1f ms",
            query[:60],
            mode,
            len(passages),
            (time.perf_counter() - started) * 1000,
        )
        return passages

    def _fuse(self, runs: dict[str, list[tuple[str, float]]]) -> list[fusion.FusedHit]:
        weights = {"dense": self.settings.dense_weight, "lexical": self.settings.lexical_weight}
        if self.settings.fusion == "rrf":
            return fusion.rrf(runs, k=self.settings.rrf_k, weights=weights)
        return fusion.weighted(runs, weights)

    def _passages(self, hits: list[fusion.FusedHit], top_k: int) -> list[Passage]:
        records = self.index.chunks(hit.item_id for hit in hits)
        passages = []
        for hit in hits:
            record = records.get(hit.item_id)
            if record is None:  # a vector the catalog does not know: `assistant index check`
                logger.warning("chunk %s is not in the catalog; skipped", hit.item_id)
                continue
            passages.append(
                record.passage(
                    hit.score,
                    dense_score=hit.raw.get("dense"),
                    lexical_score=hit.raw.get("lexical"),
                )
            )
            if len(passages) == top_k:
                break
        return passages


def _single(side: str, ranked: list[tuple[str, float]]) -> list[fusion.FusedHit]:
    return [fusion.FusedHit(item_id, score, {side: score}) for item_id, score in ranked]
