"""Builds the index components from settings: the one place that picks implementations."""

from __future__ import annotations

from assistant.config import EmbedderSettings, Settings
from assistant.index.embedders import Embedder
from assistant.index.glossary import Glossary
from assistant.index.query_translation import QueryTranslator, TranslationCache
from assistant.index.retriever import Retriever
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
    Chroma server is down: front doors report these in one line (the catalog is written last
    and in one transaction, so such a failure leaves the index as it was; `index check` tells)."""
    import sqlite3

    from chromadb.errors import ChromaError

    return (OSError, sqlite3.Error, ChromaError)


def build_retriever(settings: Settings, index: HybridIndex) -> Retriever:
    glossary = Glossary.load(settings.paths.glossary_file)
    translator = build_translator(settings) if settings.retrieval.query_translation else None
    return Retriever(index, settings.retrieval, glossary, translator)


def build_translator(settings: Settings) -> QueryTranslator:
    """The LLM query translator; the model loads on the first question not in the cache."""
    from assistant.models.factory import load_chat_model

    llm = settings.llm
    model_id = f"openai:{llm.openai_model}" if llm.backend == "openai" else llm.model
    cache_path = settings.retrieval.translation_cache or (
        settings.paths.index_dir / "query_translations.sqlite"
    )
    return QueryTranslator(
        lambda: load_chat_model(llm, settings.paths.models_dir),
        model_id,
        settings.paths.prompts_dir,
        TranslationCache(cache_path),
    )
