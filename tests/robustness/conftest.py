"""Fixtures for the robustness tests (the helpers themselves live in ``support.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.config import Settings
from tests.robustness.support import SMALL_CORPUS, ServerProcess, copy_corpus, start_chroma


@pytest.fixture(scope="module")
def small_corpus_index(tmp_path_factory, use_embedder):
    """Two shipped documents (one Chinese, one English) in a fresh real index (USE, Chroma)."""
    from assistant.index.factory import open_index
    from assistant.ingest.pipeline import ingest_paths
    from assistant.retrieval.factory import build_retriever

    root = tmp_path_factory.mktemp("robust")
    settings = Settings()
    settings.paths.corpus_dir = copy_corpus(root / "corpus")
    settings.paths.index_dir = root / "index"
    index = open_index(settings, use_embedder)
    report = ingest_paths([settings.paths.corpus_dir], index, settings)
    assert len(report.added) == len(SMALL_CORPUS), report.failed
    yield settings, index, build_retriever(settings, index)
    index.close()


@pytest.fixture
def chroma_server(tmp_path) -> Iterator[ServerProcess]:
    server = start_chroma(tmp_path / "chroma-server", tmp_path)
    yield server
    server.stop()
