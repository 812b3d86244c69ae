"""Session-wide fixtures shared by every test package: hermetic settings, the real embedder
and a real index.

Every test runs under the ``test`` settings profile (``settings/test.yaml``) with no
``ASSISTANT_*`` setting in its environment, so a developer's ``assistant.yaml`` or exported
variables never change what it sees; a test of those overrides (or one that configures a
subprocess through them) asks for ``settings_from_environment``.

Loading USE takes seconds and indexing the shipped corpus tens of seconds, so both happen once
per test session; tests that change an index build their own small one in ``tmp_path``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.config import PROFILE_ENV, PROJECT_ROOT, Settings, get_settings

CORPUS_DIR = PROJECT_ROOT / "corpus"
# Variables that choose what the tests themselves run (which model, where benchmarks write),
# not settings of the assistant: kept.
_TEST_KNOBS = ("ASSISTANT_TEST_", "ASSISTANT_E2E_", "ASSISTANT_BENCH_")


@pytest.fixture(autouse=True)
def hermetic_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The ``test`` profile and no ``ASSISTANT_*`` setting in the environment, for every test."""
    import os

    for name in list(os.environ):
        if name.startswith("ASSISTANT_") and not name.startswith(_TEST_KNOBS):
            monkeypatch.delenv(name)
    monkeypatch.setenv(PROFILE_ENV, "test")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Opt in to ``ASSISTANT_*`` variables (the ``default`` profile) for this test and the
    processes it starts; the working directory's ``assistant.yaml`` stays shut out."""
    monkeypatch.setenv(PROFILE_ENV, "default")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "no-assistant.yaml"))
    get_settings.cache_clear()


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
    retriever: object  # assistant.retrieval.retriever.Retriever
    report: object  # assistant.ingest.pipeline.IngestReport


@pytest.fixture(scope="session")
def use_embedder():
    """The real USE multilingual v3 embedder as configured by default, loaded once."""
    from assistant.config import EmbedderSettings
    from assistant.models.embedders import build_embedder

    return build_embedder(EmbedderSettings())


@pytest.fixture(scope="session")
def settings_for() -> Callable[..., Settings]:
    """``settings_for(index_dir, corpus_dir=...)``: settings pointing at temporary folders."""
    return make_settings


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, use_embedder) -> Iterator[CorpusIndex]:
    """The shipped corpus ingested into a temporary index with the real embedder and Chroma."""
    from assistant.index.factory import open_index
    from assistant.ingest.pipeline import ingest_paths
    from assistant.retrieval.factory import build_retriever

    settings = make_settings(tmp_path_factory.mktemp("corpus-index"))
    index = open_index(settings, use_embedder)
    report = ingest_paths([settings.paths.corpus_dir], index, settings)
    yield CorpusIndex(settings, index, build_retriever(settings, index), report)
    index.close()


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session (skipped without the server binaries,
    except under CI); tests take a fresh database each with ``postgres_server.create_database``."""
    from tests.postgres_server import start_postgres

    server = start_postgres()
    yield server
    server.remove()


def use_postgres(settings: Settings, dsn: str) -> Settings:
    """``settings`` with the catalog in the PostgreSQL database at ``dsn``."""
    from pydantic import SecretStr

    from assistant.config import CatalogSettings

    settings.catalog = CatalogSettings(mode="postgres", dsn=SecretStr(dsn))
    return settings


@pytest.fixture(params=["sqlite", "postgres"])
def catalog_mode(request) -> Callable[[Settings], Settings]:
    """Runs a test once per catalog engine: ``catalog_mode(settings)`` points the settings at
    a fresh SQLite catalog (in their index folder) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return lambda settings: settings
    server = request.getfixturevalue("postgres_server")
    return lambda settings: use_postgres(settings, server.create_database())
