"""``sync_uploads``: a host's ``corpus/uploads`` follows the uploads the catalog stores."""

from __future__ import annotations

import pytest

from assistant.index.catalog import ChunkRecord, DocumentInfo, StoredFile, open_catalog
from assistant.ingest.shared_uploads import sync_uploads, upload_path


def _store(catalog, doc_id: str, content: bytes) -> None:
    info = DocumentInfo(doc_id, doc_id.rsplit("/", 1)[-1], "T", "en", None, 1, f"/a/{doc_id}")
    chunk = ChunkRecord(f"{doc_id}#0", doc_id, 0, "text", ["text"], {"lang": "en"})
    catalog.replace_document(info, [chunk], StoredFile.of(doc_id, doc_id, content))


@pytest.fixture
def catalog(tmp_path, settings_for, catalog_mode):
    settings = catalog_mode(settings_for(tmp_path / "index"))
    opened = open_catalog(settings, settings.paths.index_dir)
    yield opened
    opened.close()


def test_missing_and_stale_uploads_are_written_deleted_ones_removed(catalog, tmp_path):
    corpus = tmp_path / "corpus"
    _store(catalog, "uploads/new.txt", b"from host A")
    _store(catalog, "uploads/changed.txt", b"version two")
    _store(catalog, "uploads/gone.txt", b"deleted on host A")
    catalog.delete_document("uploads/gone.txt")
    (corpus / "uploads").mkdir(parents=True)
    (corpus / "uploads" / "changed.txt").write_bytes(b"version one")
    (corpus / "uploads" / "gone.txt").write_bytes(b"deleted on host A")
    (corpus / "uploads" / "local.txt").write_bytes(b"only here, not yet ingested")

    done = sync_uploads(catalog, corpus)

    assert sorted(done.written) == ["uploads/changed.txt", "uploads/new.txt"]
    assert done.removed == ["uploads/gone.txt"]
    assert (corpus / "uploads" / "new.txt").read_bytes() == b"from host A"
    assert (corpus / "uploads" / "changed.txt").read_bytes() == b"version two"
    assert not (corpus / "uploads" / "gone.txt").exists()
    assert (corpus / "uploads" / "local.txt").exists()
    assert sync_uploads(catalog, corpus).written == []  # nothing left to do


def test_files_of_this_ingest_and_newer_local_versions_are_left_alone(catalog, tmp_path):
    corpus = tmp_path / "corpus"
    _store(catalog, "uploads/report.txt", b"old")
    _store(catalog, "uploads/again.txt", b"deleted version")
    catalog.delete_document("uploads/again.txt")
    uploads = corpus / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "report.txt").write_bytes(b"new upload being ingested on this host")
    (uploads / "again.txt").write_bytes(b"uploaded again after the deletion")

    done = sync_uploads(catalog, corpus, keep=[uploads / "report.txt"])

    assert done.written == [] and done.removed == []
    assert (uploads / "report.txt").read_bytes() == b"new upload being ingested on this host"
    assert (uploads / "again.txt").read_bytes() == b"uploaded again after the deletion"


def test_a_stored_path_outside_the_uploads_folder_is_ignored(catalog, tmp_path):
    _store(catalog, "../escape.txt", b"x")
    _store(catalog, "zh/shipped.txt", b"y")
    assert sync_uploads(catalog, tmp_path / "corpus").written == []
    assert not (tmp_path / "escape.txt").exists()
    assert not upload_path("../escape.txt") and not upload_path("uploads/a/b.txt")
    assert upload_path("uploads/b.txt")
