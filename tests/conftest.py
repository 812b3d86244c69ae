"""Session-wide fixtures shared by every test package: the real embedder and a real index.

Loading USE takes seconds and indexing the shipped corpus tens of seconds, so both happen once
per test session; tests that change an index build their own small one in ``tmp_path``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings

CORPUS_DIR = PROJECT_ROOT / "corpus"


def make_settings(index_dir: Path, corpus_dir: Path = CORPUS_DIR) -> Settings:
    """Default settings with the index (and optionally the corpus) somewhere else."""
    settings = Settings()
    settings.paths.index_dir = index_dir
    settings.paths.corpus_dir = corpus_dir
    return settings


@dataclass
class CorpusIndex:
    """The shipped corpus, indexed once: read it, never write to it."""

    settings: Settings
    index: object  # assistant.index.store.HybridIndex
    retriever: object  # assistant.index.retriever.Retriever
    report: object  # assistant.ingest.pipeline.IngestReport


@pytest.fixture(scope="session")
def use_embedder():
    """The real USE multilingual v3 embedder as configured by default, loaded once."""
    from assistant.config import EmbedderSettings
    from assistant.index.factory import build_embedder

    return build_embedder(EmbedderSettings())


@pytest.fixture(scope="session")
def settings_for() -> Callable[..., Settings]:
    """``settings_for(index_dir, corpus_dir=...)``: settings pointing at temporary folders."""
    return make_settings


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, use_embedder) -> Iterator[CorpusIndex]:
    """The shipped corpus ingested into a temporary index with the real embedder and Chroma."""
    from assistant.index.factory import build_retriever, open_index
    from assistant.ingest.pipeline import ingest_paths

    settings = make_settings(tmp_path_factory.mktemp("corpus-index"))
    index = open_index(settings, use_embedder)
    report = ingest_paths([settings.paths.corpus_dir], index, settings)
    yield CorpusIndex(settings, index, build_retriever(settings, index), report)
    index.close()
