"""Builds the index components from settings: the one place that picks implementations."""

from __future__ import annotations

from assistant.config import EmbedderSettings, Settings
from assistant.index.answer_type import AnswerTypePrior
from assistant.index.dictionary import DICTIONARY, DictionaryExpander, SharedDictionary
from assistant.index.embedders import Embedder
from assistant.index.expanders import (
    CROSSLINGUAL,
    GlossaryExpander,
    QueryExpander,
    TermBridgeExpander,
)
from assistant.index.fusion import RoutedFusion
from assistant.index.glossary import Glossary
from assistant.index.retriever import OWN_LANGUAGE, Retriever
from assistant.index.sources import CandidateSource, DenseSource, KeywordSource, QueryVectors
from assistant.index.store import HybridIndex


def build_embedder(settings: EmbedderSettings) -> Embedder:
    """The configured embedder; sentence-transformers only when asked for (optional extra)."""
    if settings.kind == "sentence-transformers":
        from assistant.index.st_embedder import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(settings.path, batch_size=settings.batch_size)
    from assistant.index.use_embedder import UniversalSentenceEncoder

    return UniversalSentenceEncoder(batch_size=settings.batch_size, threads=settings.threads)


def open_index(
    settings: Settings, embedder: Embedder | None = None, *, rebuild: bool = False
) -> HybridIndex:
    """Open (or create) the index under ``settings.paths.index_dir``.

    Raises ``IndexMismatchError`` when it was built with another embedder or chunk settings.
    """
    return HybridIndex(settings, embedder or build_embedder(settings.embedder), rebuild=rebuild)


def storage_errors() -> tuple[type[Exception], ...]:
    """What reading or writing the index raises when its folder is read-only or full, or its
    Chroma server or catalog database is down: front doors report these in one line (the
    catalog is written last and in one transaction, so such a failure leaves the index as it
    was; `index check` tells)."""
    import sqlite3

    import psycopg
    from chromadb.errors import ChromaError

    from assistant.index.catalog import CatalogError

    return (OSError, sqlite3.Error, ChromaError, CatalogError, psycopg.Error)


_shared_dictionary = SharedDictionary()  # CC-CEDICT, parsed once per process


def build_retriever(settings: Settings, index: HybridIndex) -> Retriever:
    """The retriever's parts, as settings choose them: expanders, sources and the fuser."""
    r = settings.retrieval
    expanders: list[QueryExpander] = []
    if r.glossary_expansion:
        expanders.append(
            GlossaryExpander(Glossary.load(settings.paths.glossary_file), index.tokens)
        )
    if r.term_translation:
        expanders.append(
            TermBridgeExpander(
                index, min_similarity=r.term_min_similarity, per_token=r.terms_per_token
            )
        )
    if r.dictionary_translation:
        expanders.append(
            DictionaryExpander(
                _shared_dictionary,
                index.tokens,
                lambda terms: index.lexical.document_frequencies(terms),
                per_term=r.dictionary_terms_per_token,
                sense_similarity=lambda word, terms: index.terms.similarities(
                    word, terms, index.query_embedder
                ),
            )
        )
    sources: list[CandidateSource] = [
        DenseSource(index.vectors, QueryVectors(index.query_embedder), r.dense_candidates),
        KeywordSource(OWN_LANGUAGE, lambda: index.lexical, r.lexical_candidates),
        KeywordSource(CROSSLINGUAL, lambda: index.lexical, r.lexical_candidates),
        KeywordSource(DICTIONARY, lambda: index.lexical, r.lexical_candidates),
    ]
    fuser = RoutedFusion(
        weights={
            "dense": r.dense_weight,
            OWN_LANGUAGE: r.lexical_weight,
            CROSSLINGUAL: r.crosslingual_weight,
            DICTIONARY: r.dictionary_weight,
        },
        cosine_scale=r.dense_cosine_scale,
        prior_weight=r.language_prior_weight,
        prior_temperature=r.language_prior_temperature,
    )
    answer_type = (
        AnswerTypePrior(r.answer_type_weight, r.answer_type_pool)
        if r.answer_type_weight > 0
        else None
    )
    return Retriever(index, r.top_k, expanders, sources, fuser, answer_type)
