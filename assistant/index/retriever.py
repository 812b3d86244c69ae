"""Hybrid retrieval: dense, BM25 and cross-lingual BM25 candidates, fused, as ``Passage``s.

The steps read in order in ``Retriever.search``: prepare the query (its language, its BM25
tokens, its terms carried into the other language by the glossary and the term bridge, and,
when switched on, its LLM translation); take candidates from Chroma (dense) and from BM25 with
each token list, all with the same filters; score every candidate on every side; fuse (see
``fusion``, ``routing`` and ``rerank``); look the winners up in the catalog. Every passage keeps
its raw dense cosine and BM25 score beside the fused one, because answering decides "is
anything relevant at all" on raw scores, which mean the same across queries, while fused scores
only order one query's results.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from assistant.config import RetrievalSettings
from assistant.index import fusion
from assistant.index.aliases import AliasExpander
from assistant.index.catalog import ChunkRecord
from assistant.index.glossary import Glossary
from assistant.index.query_translation import QueryTranslator, other_language, question_language
from assistant.index.rerank import SentenceScorer
from assistant.index.routing import language_prior
from assistant.index.store import HybridIndex
from assistant.index.titles import TitleScorer
from assistant.schema import Passage
from assistant.text.variants import to_simplified

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[str, ...] = ("hybrid", "dense", "lexical")
_QUERY_CACHE_SIZE = 512
_KEYWORD_SIDES = ("lexical", "crosslingual", "translated")


@dataclass
class PreparedQuery:
    """Everything a search runs with, derived from the question once."""

    text: str
    lang: str  # "zh" or "en": the script the question is written in
    tokens: list[str]  # BM25 tokens in the question's language
    crosslingual: list[str]  # glossary and term-bridge tokens in the other language
    translation: str | None = None
    translated_tokens: list[str] = field(default_factory=list)

    def side_languages(self) -> dict[str, str | None]:
        """The passage language each side can match; ``None``: any (the dense sides)."""
        other = other_language(self.lang)
        return {
            "dense": None,
            "sentence": None,
            "title": None,
            "lexical": self.lang,
            "crosslingual": other,
            "translated": other,
        }


class Retriever:
    """Searches one ``HybridIndex``; safe to share between threads."""

    def __init__(
        self,
        index: HybridIndex,
        settings: RetrievalSettings,
        glossary: Glossary | None = None,
        translator: QueryTranslator | None = None,
    ) -> None:
        self.index = index
        self.settings = settings
        self.glossary = glossary or Glossary([])
        self.translator = translator
        self.sentences = SentenceScorer(index.embedder)
        self.titles = TitleScorer(index.tokens)
        self.aliases = AliasExpander()
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._prepared: OrderedDict[tuple[str, str, bool], PreparedQuery] = OrderedDict()
        self._lock = threading.Lock()

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector; repeated questions (evaluation, chat retries) are not re-embedded."""
        with self._lock:
            if query in self._query_vectors:
                self._query_vectors.move_to_end(query)
                return self._query_vectors[query]
        # Folded to Simplified: the embedder places 會議 and 会议 apart (cosine 0.61 for one
        # question written both ways), and passages are embedded folded too.
        vector = self.index.query_embedder.embed([to_simplified(query)])[0]
        with self._lock:
            self._query_vectors[query] = vector
            if len(self._query_vectors) > _QUERY_CACHE_SIZE:
                self._query_vectors.popitem(last=False)
        return vector

    def warm_up(self) -> None:
        """Load jieba's dictionary and the embedder now (seconds), not on the first question;
        with sentence reranking on, embed every passage's sentences too (cached on disk)."""
        self.index.tokens("预热")
        self.embed_query("warm up")
        if self.settings.sentence_weight > 0:
            records = self.index.chunks(self.index.catalog.chunk_ids())
            self.sentences.warm({cid: r.text for cid, r in records.items()})

    def prepare(self, query: str, *, translate: bool | None = None) -> PreparedQuery:
        """The query's language and token lists; its translation when ``translate`` (default:
        ``settings.query_translation``) and a translator is configured.

        Remembered per index state, because answering asks again for the same question's
        translated terms right after searching with it (``translated_terms``).
        """
        if translate is None:
            translate = self.settings.query_translation
        key = (self.index.fingerprint, query, translate)
        with self._lock:
            if key in self._prepared:
                self._prepared.move_to_end(key)
                return self._prepared[key]
        prepared = self._prepare(query, translate)
        with self._lock:
            self._prepared[key] = prepared
            if len(self._prepared) > _QUERY_CACHE_SIZE:
                self._prepared.popitem(last=False)
        return prepared

    def _prepare(self, query: str, translate: bool) -> PreparedQuery:
        tokens = self.index.tokens(query)
        if self.settings.alias_expansion:
            for form in self._aliases().other_forms(query):
                tokens += [t for t in self.index.tokens(form) if t not in tokens]
        prepared = PreparedQuery(
            query, question_language(query), tokens, self.crosslingual_tokens(query, tokens)
        )
        if translate and self.translator is not None:
            prepared.translation = self.translator.translate(query)
            if prepared.translation:
                own = set(tokens)
                prepared.translated_tokens = [
                    t for t in self.index.tokens(prepared.translation) if t not in own
                ]
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
        picks one side alone ("dense", "lexical") or both fused ("hybrid").
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        top_k = top_k or self.settings.top_k
        if not query.strip():
            return []
        self.index.refresh()  # another app process may have ingested or deleted documents
        started = time.perf_counter()
        prepared = self.prepare(query, translate=None if mode == "hybrid" else False)
        runs: dict[str, list[tuple[str, float]]] = {}
        queries: dict[str, np.ndarray | list[str]] = {}  # what each run searched with
        if mode in ("hybrid", "dense"):
            n = max(top_k, self.settings.dense_candidates) if mode == "hybrid" else top_k
            queries["dense"] = self._query_vector(prepared)
            runs["dense"] = self.index.vectors.query(
                queries["dense"], n, langs=langs, doc_ids=doc_ids
            )
        if mode in ("hybrid", "lexical"):
            n = max(top_k, self.settings.lexical_candidates)
            queries["lexical"] = prepared.tokens
            queries["crosslingual"] = prepared.crosslingual
            queries["translated"] = prepared.translated_tokens
            for side in _KEYWORD_SIDES:
                if queries[side]:
                    runs[side] = self.index.lexical.search(
                        queries[side], n, langs=langs, doc_ids=doc_ids
                    )
        runs = {side: ranked for side, ranked in runs.items() if ranked}
        if not runs:
            return []
        records: dict[str, ChunkRecord] | None = None
        if len(runs) == 1:
            hits = _single(*next(iter(runs.items())))
        elif self.settings.fusion == "rrf":
            hits = fusion.rrf(runs, k=self.settings.rrf_k, weights=self._weights())
        else:
            completed = self._complete(runs, queries)
            if self.settings.fusion == "weighted":
                hits = fusion.weighted(completed, self._weights())
            else:
                records = self.index.chunks(_union(runs))
                hits = self._routed(prepared, completed, queries, records)
        passages = self._passages(hits[: top_k * 2], top_k, records)
        logger.debug(
            "search %r mode=%s: %d passages in %.1f ms",
            query[:60],
            mode,
            len(passages),
            (time.perf_counter() - started) * 1000,
        )
        return passages

    def translated_terms(self, query: str) -> list[str]:
        """The query's terms carried into the other language (glossary and term bridge), for
        callers that match the question against text of the other language word by word."""
        return self.prepare(query, translate=False).crosslingual

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
                if self.settings.alias_expansion:
                    for form in self._aliases().other_forms(translation):
                        found.extend(self.index.tokens(form))
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

    def _aliases(self) -> AliasExpander:
        """The corpus's own abbreviations, mined again whenever the corpus changed."""
        self.aliases.update(
            self.index.fingerprint,
            lambda: (r.text for r in self.index.chunks(self.index.catalog.chunk_ids()).values()),
        )
        return self.aliases

    def _query_vector(self, prepared: PreparedQuery) -> np.ndarray:
        """The question's vector, averaged with its translation's when there is one: the
        embedder places each language's wording a little apart, and the mean sits between."""
        vector = self.embed_query(prepared.text)
        if not prepared.translation:
            return vector
        mean = vector + self.embed_query(prepared.translation)
        return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)

    def _weights(self) -> dict[str, float]:
        return {
            "dense": self.settings.dense_weight,
            "lexical": self.settings.lexical_weight,
            "crosslingual": self.settings.crosslingual_weight,
            "translated": self.settings.translation_weight,
            "sentence": self.settings.sentence_weight,
            "title": self.settings.title_weight,
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
        union = _union(runs)
        completed: dict[str, list[tuple[str, float]]] = {}
        for side in runs:
            if side == "dense":
                vectors = self.index.vectors.embeddings(union)
                query_vector = np.asarray(queries["dense"], dtype=np.float32)
                scores = {cid: float(vec @ query_vector) for cid, vec in vectors.items()}
            else:
                scores = self.index.lexical.scores(queries[side], union)  # type: ignore[arg-type]
            completed[side] = _ranked(scores)
        return completed

    def _routed(
        self,
        prepared: PreparedQuery,
        completed: dict[str, list[tuple[str, float]]],
        queries: dict[str, np.ndarray | list[str]],
        records: dict[str, ChunkRecord],
    ) -> list[fusion.FusedHit]:
        """Language-routed fusion, with the sentence side and the language prior when on."""
        languages = {cid: record.lang for cid, record in records.items()}
        sides = dict(completed)
        if self.settings.sentence_weight > 0 and "dense" in queries:
            texts = {cid: record.text for cid, record in records.items()}
            sides["sentence"] = _ranked(self.sentences.scores(queries["dense"], texts))  # type: ignore[arg-type]
        if self.settings.title_weight > 0:
            sides["title"] = self._title_side(prepared, records)
        prior: dict[str, float] = {}
        if "dense" in completed and self.settings.language_prior_weight > 0:
            probabilities = language_prior(
                completed["dense"],
                languages,
                temperature=self.settings.language_prior_temperature,
            )
            prior = {
                lang: self.settings.language_prior_weight * p for lang, p in probabilities.items()
            }
        scale = self.settings.dense_cosine_scale
        return fusion.routed(
            sides,
            self._weights(),
            languages,
            prepared.side_languages(),
            prior,
            cosine_scale={"dense": scale, "sentence": scale},
        )

    def _title_side(
        self, prepared: PreparedQuery, records: dict[str, ChunkRecord]
    ) -> list[tuple[str, float]]:
        """Each candidate scored by how well the question's terms match its document's title."""
        self.titles.update(
            self.index.fingerprint, lambda: {d.doc_id: d.title for d in self.index.documents()}
        )
        terms = prepared.tokens + prepared.crosslingual + prepared.translated_tokens
        by_doc = self.titles.scores(terms, (r.doc_id for r in records.values()))
        return _ranked({cid: by_doc[r.doc_id] for cid, r in records.items()})

    def _passages(
        self,
        hits: list[fusion.FusedHit],
        top_k: int,
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
            lexical = [hit.raw[k] for k in _KEYWORD_SIDES if k in hit.raw]
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


def _union(runs: dict[str, list[tuple[str, float]]]) -> list[str]:
    return list(dict.fromkeys(cid for ranked in runs.values() for cid, _ in ranked))


def _ranked(scores: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda item: -item[1])


def _single(side: str, ranked: list[tuple[str, float]]) -> list[fusion.FusedHit]:
    """Hits of one side alone, its raw score as the score."""
    return [fusion.FusedHit(item_id, score, {side: score}) for item_id, score in ranked]
