"""Hybrid retrieval as a composed pipeline: expand the query, take candidates, fuse, look up.

``Retriever.search`` reads as its steps: prepare the query (its language and BM25 tokens, and
each expander's terms in the other language: glossary, term bridge, dictionary); let every
candidate source (dense, and BM25 per keyword side) rank passages with the same filters; have
each side score every candidate; fuse (``fusion.RoutedFusion``); look the winners up in the
catalog. The parts are chosen in ``factory.build_retriever``. Every passage keeps its raw dense
cosine and BM25 score beside the fused one, because answering decides "is anything relevant at
all" on raw scores, which mean the same across queries, while fused scores only order one
query's results.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Literal

from assistant.bounded_cache import BoundedCache
from assistant.index.catalog import ChunkRecord
from assistant.index.lexical import TermGroup
from assistant.index.store import HybridIndex
from assistant.retrieval.answer_type import AnswerTypePrior
from assistant.retrieval.candidate_sources import CandidateSource, SourceRun
from assistant.retrieval.dictionary import DICTIONARY
from assistant.retrieval.expanders import CROSSLINGUAL, QueryExpander
from assistant.retrieval.fusion import FusedHit, RoutedFusion, single
from assistant.retrieval.query import KeywordQuery, Query
from assistant.schema import Passage
from assistant.text.script import script_language

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[str, ...] = ("hybrid", "dense", "lexical")
OWN_LANGUAGE = "lexical"  # the keyword side of the question's own tokens
_QUERY_CACHE_SIZE = 512
_MODE_KINDS = {"hybrid": ("dense", "keyword"), "dense": ("dense",), "lexical": ("keyword",)}


class Retriever:
    """Searches one ``HybridIndex``; safe to share between threads."""

    def __init__(
        self,
        index: HybridIndex,
        top_k: int,
        expanders: Sequence[QueryExpander],
        sources: Sequence[CandidateSource],
        fuser: RoutedFusion,
        answer_type: AnswerTypePrior | None = None,
    ) -> None:
        self.index = index
        self.top_k = top_k
        self.expanders = list(expanders)
        self.sources = list(sources)
        self.fuser = fuser
        self.answer_type = answer_type
        self._prepared: BoundedCache[tuple[str, str], Query] = BoundedCache(_QUERY_CACHE_SIZE)

    def warm_up(self) -> None:
        """Load jieba's dictionary, the embedder and the expanders' data now, not on the first
        question (seconds)."""
        self.search("warm up 预热", 1)

    def prepare(self, query: str) -> Query:
        """The query's language, tokens and every expander's keyword side.

        Remembered per index state, because answering asks again for the same question's
        translated terms right after searching with it (``translated_terms``).
        """
        return self._prepared.get_or_compute(
            (self.index.fingerprint, query), lambda: self._prepare(query)
        )

    def _prepare(self, query: str) -> Query:
        tokens = self.index.tokens(query)
        prepared = Query(query, script_language(query), tokens)
        prepared.keywords[OWN_LANGUAGE] = KeywordQuery(
            prepared.lang, tuple(TermGroup((t,)) for t in tokens)
        )
        for expander in self.expanders:
            expander.expand(prepared)
        return prepared

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
        picks the dense or the keyword sources alone ("dense", "lexical") or all ("hybrid").
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        top_k = top_k or self.top_k
        if not query.strip():
            return []
        self.index.refresh()  # another app process may have ingested or deleted documents
        started = time.perf_counter()
        prepared = self.prepare(query)
        runs: dict[str, SourceRun] = {}
        for source in self.sources:
            if source.kind not in _MODE_KINDS[mode]:
                continue
            n = top_k if mode == "dense" else max(top_k, source.candidates)
            run = source.run(prepared, n, langs, doc_ids)
            if run is not None and run.ranked:
                runs[run.side] = run
        if not runs:
            return []
        records: dict[str, ChunkRecord] | None = None
        if len(runs) == 1:
            run = next(iter(runs.values()))
            hits = single(run.side, run.ranked)
        else:
            union = list(dict.fromkeys(cid for run in runs.values() for cid, _ in run.ranked))
            completed = {side: _ranked(run.complete(union)) for side, run in runs.items()}
            records = self.index.chunks(union)
            hits = self.fuser.fuse(
                completed,
                {side: run.lang for side, run in runs.items()},
                [side for side, run in runs.items() if run.cosine],
                {cid: record.lang for cid, record in records.items()},
            )
        if self.answer_type is not None and mode == "hybrid":
            if records is None:
                records = self.index.chunks(
                    hit.item_id for hit in hits[: max(self.answer_type.pool, top_k * 2)]
                )
            texts = {cid: record.text for cid, record in records.items()}
            hits = self.answer_type.rerank(query, hits, texts)
        keyword_sides = [side for side, run in runs.items() if not run.cosine]
        passages = self._passages(hits[: top_k * 2], top_k, keyword_sides, records)
        logger.debug(
            "search %r mode=%s: %d passages in %.1f ms",
            query[:60],
            mode,
            len(passages),
            (time.perf_counter() - started) * 1000,
        )
        return passages

    def translated_terms(self, query: str, *, dictionary: bool = False) -> list[str]:
        """The query's terms carried into the other language (glossary and term bridge; with
        ``dictionary`` also CC-CEDICT's translations), for callers that match the question
        against text of the other language word by word."""
        prepared = self.prepare(query)
        terms = prepared.terms(CROSSLINGUAL)
        if dictionary:
            terms = list(dict.fromkeys([*terms, *prepared.terms(DICTIONARY)]))
        return terms

    def _passages(
        self,
        hits: list[FusedHit],
        top_k: int,
        keyword_sides: Sequence[str],
        records: dict[str, ChunkRecord] | None = None,
    ) -> list[Passage]:
        if records is None:
            records = self.index.chunks(hit.item_id for hit in hits)
        passages = []
        for hit in hits:
            record = records.get(hit.item_id)
            if record is None:  # a vector the catalog does not know: `assistant index check`
                logger.warning("chunk %s is not in the catalog; skipped", hit.item_id)
                continue
            lexical = [hit.raw[side] for side in keyword_sides if side in hit.raw]
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


def _ranked(scores: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda item: -item[1])
