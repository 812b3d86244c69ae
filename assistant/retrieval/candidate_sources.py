"""Candidate sources: each turns a ``Query`` into one ranked list of passages (a *side*).

A source also scores any other candidate on its side (``SourceRun.complete``): a passage that
one side ranked 45th is not irrelevant to that side, yet fusing only the top-N lists would give
it 0 there. Its true cosine (from the stored vector) and BM25 score (BM25 scores every chunk
anyway) cost little for a hundred candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from assistant.bounded_cache import BoundedCache
from assistant.index.lexical import LexicalIndex
from assistant.index.vector_store import ChromaVectorIndex
from assistant.models.embedders import Embedder
from assistant.retrieval.query import Query
from assistant.text.variants import to_simplified

Kind = Literal["dense", "keyword"]


@dataclass
class SourceRun:
    """One side's candidates, best first, and how to score others on the same side."""

    side: str
    ranked: list[tuple[str, float]]
    lang: str | None  # the passage language this side can match; None: any
    cosine: bool  # scores are cosines, on one scale in every query (else BM25, per query)
    complete: Callable[[Sequence[str]], dict[str, float]]


class CandidateSource(Protocol):
    side: str
    kind: Kind
    candidates: int  # how many it contributes to a fused search

    def run(
        self,
        query: Query,
        top_k: int,
        langs: Sequence[str] | None,
        doc_ids: Sequence[str] | None,
    ) -> SourceRun | None: ...


class QueryVectors:
    """Query vectors, remembered: repeated questions (evaluation, chat retries) are not
    re-embedded."""

    def __init__(self, embedder: Embedder, size: int = 512) -> None:
        self.embedder = embedder
        self.size = size
        self._vectors: BoundedCache[str, np.ndarray] = BoundedCache(size)

    def __call__(self, text: str) -> np.ndarray:
        return self._vectors.get_or_compute(text, lambda: self._embed(text))

    def _embed(self, text: str) -> np.ndarray:
        # Folded to Simplified, as passages are at ingest: the embedder puts 會議 and 会议 apart
        # (cosine 0.61 for one question written both ways).
        return np.asarray(self.embedder.embed([to_simplified(text)])[0], dtype=np.float32)


class DenseSource:
    """Nearest passages to the question's multilingual vector (Chroma)."""

    side = "dense"
    kind: Kind = "dense"

    def __init__(
        self,
        vectors: ChromaVectorIndex,
        embed_query: Callable[[str], np.ndarray],
        candidates: int,
    ) -> None:
        self.vectors = vectors
        self.embed_query = embed_query
        self.candidates = candidates

    def run(
        self,
        query: Query,
        top_k: int,
        langs: Sequence[str] | None,
        doc_ids: Sequence[str] | None,
    ) -> SourceRun | None:
        vector = np.asarray(self.embed_query(query.text), dtype=np.float32)
        ranked = self.vectors.query(vector, top_k, langs=langs, doc_ids=doc_ids)

        def complete(ids: Sequence[str]) -> dict[str, float]:
            stored = self.vectors.embeddings(list(ids))
            return {cid: float(vec @ vector) for cid, vec in stored.items()}

        return SourceRun(self.side, ranked, None, True, complete)


class KeywordSource:
    """BM25 over one keyword side of the query (the question's own tokens, or a translation)."""

    kind: Kind = "keyword"

    def __init__(self, side: str, lexical: Callable[[], LexicalIndex], candidates: int) -> None:
        self.side = side
        self.lexical = lexical  # read per search: a refresh replaces the index's BM25
        self.candidates = candidates

    def run(
        self,
        query: Query,
        top_k: int,
        langs: Sequence[str] | None,
        doc_ids: Sequence[str] | None,
    ) -> SourceRun | None:
        keywords = query.keywords.get(self.side)
        if keywords is None:
            return None
        lexical = self.lexical()
        scores = lexical.score_groups(keywords.groups)
        ranked = lexical.top(scores, top_k, langs, doc_ids)
        return SourceRun(
            self.side, ranked, keywords.lang, False, lambda ids: lexical.pick(scores, ids)
        )
