"""The manifest refuses an index built with another embedder or chunker, and --rebuild fixes it."""

from __future__ import annotations

import json

import pytest

from assistant.index.build_manifest import IndexMismatchError
from assistant.index.factory import open_index
from tests.index.conftest import ZH_MEETING, FakeEmbedder, make_document


def test_manifest_records_what_the_index_was_built_with(tmp_path, settings_for):
    settings = settings_for(tmp_path)
    index = open_index(settings, FakeEmbedder())
    index.add_document(*make_document("zh/a.txt", "zh", [ZH_MEETING]))
    fingerprint = index.fingerprint
    index.close()
    data = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert data["embedder_name"] == "fake-embedder" and data["embedder_dimension"] == 8
    assert data["chunking"] == settings.chunking.model_dump()
    assert data["tokenizer_version"] and data["created_at"] and data["updated_at"]
    assert fingerprint.endswith(data["fingerprint"]) and len(data["fingerprint"]) == 64


def test_other_embedder_is_refused_with_rebuild_hint(tmp_path, settings_for, catalog_mode):
    settings = catalog_mode(settings_for(tmp_path))
    open_index(settings, FakeEmbedder()).close()
    with pytest.raises(IndexMismatchError, match="assistant ingest --rebuild") as caught:
        open_index(settings, FakeEmbedder(name="other-embedder", dimension=8))
    assert "fake-embedder" in str(caught.value) and "other-embedder" in str(caught.value)


def test_other_chunk_settings_are_refused(tmp_path, settings_for, catalog_mode):
    settings = catalog_mode(settings_for(tmp_path))
    open_index(settings, FakeEmbedder()).close()
    changed = settings.model_copy(deep=True)
    changed.chunking.max_units += 50
    with pytest.raises(IndexMismatchError, match="chunk settings"):
        open_index(changed, FakeEmbedder())


def test_rebuild_starts_afresh_with_the_new_embedder(tmp_path, settings_for, catalog_mode):
    settings = catalog_mode(settings_for(tmp_path))
    index = open_index(settings, FakeEmbedder())
    index.add_document(*make_document("zh/a.txt", "zh", [ZH_MEETING]))
    index.close()
    rebuilt = open_index(settings, FakeEmbedder(name="other-embedder", dimension=4), rebuild=True)
    assert rebuilt.documents() == [] and rebuilt.check().ok
    assert rebuilt.manifest.embedder_name == "other-embedder"
    rebuilt.close()


def test_another_host_with_another_embedder_is_refused_by_the_shared_catalog(
    tmp_path, settings_for, postgres_server
):
    """Host B has no manifest of its own yet; the catalog remembers what host A built with."""
    from tests.conftest import use_postgres

    dsn = postgres_server.create_database()
    host_a = use_postgres(settings_for(tmp_path / "a"), dsn)
    index = open_index(host_a, FakeEmbedder())
    index.add_document(*make_document("zh/a.txt", "zh", [ZH_MEETING]))
    index.close()
    host_b = use_postgres(settings_for(tmp_path / "b"), dsn)
    with pytest.raises(IndexMismatchError, match="assistant ingest --rebuild") as caught:
        open_index(host_b, FakeEmbedder(name="other-embedder", dimension=8))
    assert "postgres assistant@" in str(caught.value)
    assert not (tmp_path / "b" / "manifest.json").exists()
    same = open_index(host_b, FakeEmbedder())  # the same embedder joins and sees the document
    assert [d.doc_id for d in same.documents()] == ["zh/a.txt"]
    assert same.check().lexical_chunks == 1  # its BM25 built from the catalog (vectors would
    # be on the shared Chroma server; here each host has its own embedded one)
    same.close()
