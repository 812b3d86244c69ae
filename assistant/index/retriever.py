"""Hybrid retrieval: dense, BM25 and cross-lingual BM25 candidates, fused, as ``Passage``s.

The steps read in order in ``Retriever.search``: embed the query (cached); take candidates from
Chroma (dense), from BM25 with the query's own tokens (lexical), and from BM25 with the query's
terms carried into the other language by the glossary and the term bridge (crosslingual), all
with the same filters; fuse (see ``fusion``); look the winners up in the catalog. Every passage
keeps its raw dense cosine and BM25 score beside the fused one, because answering decides "is
anything relevant at all" on raw scores, which mean the same across queries, while fused scores
only order one query's results.
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
from assistant.index.glossary import Glossary
from assistant.index.store import HybridIndex
from assistant.schema import Passage

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[str, ...] = ("hybrid", "dense", "lexical")
_QUERY_CACHE_SIZE = 512


class Retriever:
    """Searches one ``HybridIndex``; safe to share between threads."""

    def __init__(
        self, index: HybridIndex, settings: RetrievalSettings, glossary: Glossary | None = None
    ) -> None:
        self.index = index
        self.settings = settings
        self.glossary = glossary or Glossary([])
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

    def warm_up(self) -> None:
        """Load jieba's dictionary and the embedder now (seconds), not on the first question."""
        self.index.tokens("预热")
        self.embed_query("warm up")

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
        self.index.refresh()  # another app process may have ingested or deleted documents
        started = time.perf_counter()
        runs: dict[str, list[tuple[str, float]]] = {}
        queries: dict[str, np.ndarray | list[str]] = {}  # what each run searched with
        if mode in ("hybrid", "dense"):
            n = max(top_k, self.settings.dense_candidates) if mode == "hybrid" else top_k
            queries["dense"] = self.embed_query(query)
            runs["dense"] = self.index.vectors.query(
                queries["dense"], n, langs=langs, doc_ids=doc_ids
            )
        if mode in ("hybrid", "lexical"):
            n = max(top_k, self.settings.lexical_candidates)
            queries["lexical"] = self.index.tokens(query)
            queries["crosslingual"] = self.crosslingual_tokens(query, queries["lexical"])
            for side in ("lexical", "crosslingual"):
                if queries[side]:
                    runs[side] = self.index.lexical.search(
                        queries[side], n, langs=langs, doc_ids=doc_ids
                    )
        runs = {side: ranked for side, ranked in runs.items() if ranked}
        if not runs:
            return []
        if len(runs) == 1:
            hits = _single(*next(iter(runs.items())))
        elif self.settings.fusion == "rrf":
            hits = fusion.rrf(runs, k=self.settings.rrf_k, weights=self._weights())
        else:
            hits = fusion.weighted(self._complete(runs, queries), self._weights())
        passages = self._passages(hits[: top_k * 2], top_k)
        logger.debug(
            "search %r mode=%s: %d passages in %.1f ms",
            query[:60],
            mode,
            len(passages),
            (time.perf_counter() - started) * 1000,
        )
        return passages

    def crosslingual_tokens(self, query: str, tokens: list[str]) -> list[str]:
        """The query's terms in the other language: glossary translations first, then the term
        bridge for the tokens no glossary entry covered (a glossary knows the UN usage: it says
        "consider" is 审议 where word vectors would say 考虑)."""
        found: list[str] = []
        covered: set[str] = set()
        if self.settings.glossary_expansion:
            for source, translation in self.glossary.matches(query):
                covered.update(self.index.tokens(source))
                found.extend(self.index.tokens(translation))
        if self.settings.term_translation:
            found.extend(
                self.index.terms.translate(
                    [t for t in tokens if t not in covered],
                    self.index.query_embedder,
                    min_similarity=self.settings.term_min_similarity,
                    per_token=self.settings.terms_per_token,
                )
            )
        own = set(tokens)
        return [t for t in dict.fromkeys(found) if t not in own]

    def _weights(self) -> dict[str, float]:
        return {
            "dense": self.settings.dense_weight,
            "lexical": self.settings.lexical_weight,
            "crosslingual": self.settings.crosslingual_weight,
        }

    def _complete(
        self,
        runs: dict[str, list[tuple[str, float]]],
        queries: dict[str, np.ndarray | list[str]],
    ) -> dict[str, list[tuple[str, float]]]:
        """Score every candidate on every side, for weighted fusion.

        A passage that one side ranked 45th is not irrelevant to that side, yet fusing only
        the top-N lists would give it 0 there. Its true cosine (from the stored vector) and BM25
        score (BM25 scores every chunk anyway) cost little for a hundred candidates.
        """
        union = list(dict.fromkeys(cid for ranked in runs.values() for cid, _ in ranked))
        completed: dict[str, list[tuple[str, float]]] = {}
        for side in runs:
            if side == "dense":
                vectors = self.index.vectors.embeddings(union)
                query_vector = np.asarray(queries["dense"], dtype=np.float32)
                scores = {cid: float(vec @ query_vector) for cid, vec in vectors.items()}
            else:
                scores = self.index.lexical.scores(queries[side], union)  # type: ignore[arg-type]
            completed[side] = sorted(scores.items(), key=lambda item: -item[1])
        return completed

    def _passages(self, hits: list[fusion.FusedHit], top_k: int) -> list[Passage]:
        records = self.index.chunks(hit.item_id for hit in hits)
        passages = []
        for hit in hits:
            record = records.get(hit.item_id)
            if record is None:  # a vector the catalog does not know: `assistant index check`
                logger.warning("chunk %s is not in the catalog; skipped", hit.item_id)
                continue
            lexical = [hit.raw[k] for k in ("lexical", "crosslingual") if k in hit.raw]
            passages.append(
                record.passage(
                    hit.score,
                    dense_score=hit.raw.get("dense"),
                    lexical_score=max(lexical) if lexical else None,
                )
            )
            if len(passages) == top_k:
                break
        return passages


def _single(side: str, ranked: list[tuple[str, float]]) -> list[fusion.FusedHit]:
    """Hits of one side alone, its raw score as the score."""
    return [fusion.FusedHit(item_id, score, {side: score}) for item_id, score in ranked]
