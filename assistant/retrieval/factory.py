"""Builds the retriever from settings: the one place that picks its expanders, sources and fuser."""

from __future__ import annotations

from assistant.config import Settings
from assistant.index.store import HybridIndex
from assistant.retrieval.answer_type import AnswerTypePrior
from assistant.retrieval.candidate_sources import (
    CandidateSource,
    DenseSource,
    KeywordSource,
    QueryVectors,
)
from assistant.retrieval.dictionary import DICTIONARY, DictionaryExpander, SharedDictionary
from assistant.retrieval.expanders import (
    CROSSLINGUAL,
    GlossaryExpander,
    QueryExpander,
    TermBridgeExpander,
)
from assistant.retrieval.fusion import RoutedFusion
from assistant.retrieval.retriever import OWN_LANGUAGE, Retriever
from assistant.text.glossary import Glossary

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
