"""The index on a real Chroma server (``chroma.mode = "http"``), started by the test.

Ingestion, search and deletion go through the server; BM25 and the catalog stay on the shared
index folder and must agree with it. Two ``HybridIndex`` handles stand for two app processes
sharing the server and the folder: what one ingests or deletes, the other sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.config import Settings
from assistant.index.factory import open_index
from assistant.ingest.pipeline import ingest_paths
from assistant.retrieval.factory import build_retriever
from tests.robustness.support import ServerProcess, copy_corpus, start_chroma

pytestmark = pytest.mark.slow

CORPUS = ("zh/000_b645ea8b0039a4ff.txt", "en/AFG_73_2018.txt", "en/SOM_73_2018.txt")
MARKER = "Zanzibar fishing quota"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("chroma-server")
    chroma = start_chroma(root / "data", root)
    yield chroma
    chroma.stop()


def http_settings(root: Path, server: ServerProcess, collection: str) -> Settings:
    settings = Settings()
    settings.paths.corpus_dir = root / "corpus"
    settings.paths.index_dir = root / "index"
    settings.chroma.mode = "http"
    settings.chroma.host = "127.0.0.1"
    settings.chroma.port = server.port
    settings.chroma.collection = collection
    return settings


def server_count(server: ServerProcess, collection: str) -> int:
    import chromadb
    from chromadb.config import Settings as ClientSettings

    client = chromadb.HttpClient(
        host="127.0.0.1", port=server.port, settings=ClientSettings(anonymized_telemetry=False)
    )
    return client.get_collection(collection).count()


def test_ingest_search_delete_through_the_server(server, tmp_path, use_embedder) -> None:
    settings = http_settings(tmp_path, server, "robust_crud")
    copy_corpus(settings.paths.corpus_dir, CORPUS)
    index = open_index(settings, use_embedder)
    try:
        report = ingest_paths([settings.paths.corpus_dir], index, settings)
        assert sorted(report.added) == sorted(CORPUS)
        assert not (settings.paths.index_dir / "chroma").exists(), "vectors must be on the server"
        chunks = index.catalog.chunk_count()
        assert server_count(server, "robust_crud") == chunks == len(index.lexical)
        assert index.check().ok

        retriever = build_retriever(settings, index)
        dense = retriever.search("Somalia security and al-Shabaab", 5, mode="dense")
        assert dense and dense[0].doc_id == "en/SOM_73_2018.txt" and dense[0].dense_score
        hybrid = retriever.search("反恐怖主义委员会第330次会议", 5)
        assert hybrid[0].doc_id == "zh/000_b645ea8b0039a4ff.txt"

        gone = index.document("en/SOM_73_2018.txt")
        index.delete_document("en/SOM_73_2018.txt")
        assert server_count(server, "robust_crud") == chunks - gone.chunk_count
        assert len(index.lexical) == chunks - gone.chunk_count
        for mode in ("dense", "lexical", "hybrid"):
            hits = retriever.search("Somalia security and al-Shabaab", 8, mode=mode)
            assert all(h.doc_id != "en/SOM_73_2018.txt" for h in hits)
        assert index.check().ok

        again = ingest_paths([settings.paths.corpus_dir], index, settings)
        assert again.added == ["en/SOM_73_2018.txt"] and len(again.unchanged) == 2
        assert server_count(server, "robust_crud") == chunks
        assert index.check().ok
    finally:
        index.close()


def test_index_check_cli_in_http_mode(
    server, tmp_path, use_embedder, monkeypatch, settings_from_environment
) -> None:
    """Settings from the environment reach the server; ``index check`` finds and repairs a
    vector deleted behind the index's back."""
    from assistant.cli import app, commands  # noqa: F401  (registers the commands)
    from assistant.config import get_settings

    settings = http_settings(tmp_path, server, "robust_cli")
    copy_corpus(settings.paths.corpus_dir, CORPUS[:1])
    index = open_index(settings, use_embedder)
    ingest_paths([settings.paths.corpus_dir], index, settings)
    victim = sorted(index.catalog.chunk_ids())[0]
    index.vectors.delete_ids([victim])
    index.close()
    for key, value in {
        "ASSISTANT_PATHS__INDEX_DIR": str(settings.paths.index_dir),
        "ASSISTANT_CHROMA__MODE": "http",
        "ASSISTANT_CHROMA__PORT": str(server.port),
        "ASSISTANT_CHROMA__COLLECTION": "robust_cli",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        found = CliRunner().invoke(app, ["index", "check"])
        assert found.exit_code == 1 and "1 chunk(s) in catalog but missing from Chroma" in (
            found.output
        )
        fixed = CliRunner().invoke(app, ["index", "check", "--repair"])
        assert fixed.exit_code == 0 and fixed.output.strip().endswith("index is consistent")
    finally:
        get_settings.cache_clear()


def test_two_app_processes_share_one_index(server, tmp_path, use_embedder) -> None:
    settings = http_settings(tmp_path, server, "robust_shared")
    copy_corpus(settings.paths.corpus_dir, CORPUS[:2])
    first = open_index(settings, use_embedder)
    ingest_paths([settings.paths.corpus_dir], first, settings)
    second = open_index(settings, use_embedder)  # the other app process, started later
    first_search = build_retriever(settings, first)
    second_search = build_retriever(settings, second)
    assert second_search.search(MARKER, 3, mode="lexical") == []  # warm: BM25 now in memory
    try:
        new = settings.paths.corpus_dir / "uploads" / "quota.txt"
        new.parent.mkdir()
        new.write_text(f"The {MARKER} for 2019 was set at 1,200 tonnes by the committee.", "utf-8")
        report = ingest_paths([new], first, settings)  # an upload in the first process
        assert report.added == ["uploads/quota.txt"]

        assert "uploads/quota.txt" in {d.doc_id for d in second.documents()}
        for mode in ("lexical", "dense", "hybrid"):
            hits = second_search.search(MARKER, 3, mode=mode)
            assert hits and hits[0].doc_id == "uploads/quota.txt", mode
        assert second.fingerprint == first.fingerprint
        assert second.check().ok

        second.delete_document("uploads/quota.txt")  # an admin delete in the second process
        for mode in ("lexical", "dense", "hybrid"):
            hits = first_search.search(MARKER, 3, mode=mode)
            assert all(h.doc_id != "uploads/quota.txt" for h in hits), mode
        assert first.check().ok and second.check().ok
        assert first.fingerprint == second.fingerprint
    finally:
        first.close()
        second.close()
