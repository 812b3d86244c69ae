"""``ingest_paths`` end to end on a small copy of the shipped corpus (real loaders, USE, Chroma).

Every test ingests its own copy; the embedding cache of a first ingest is copied in so that the
real embedder only runs for text a test has changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.index.factory import open_index
from assistant.index.store import EMBED_CACHE_NAME
from assistant.ingest.pipeline import ingest_paths
from assistant.retrieval.factory import build_retriever
from tests.conftest import CORPUS_DIR

SMALL_CORPUS = ("zh/000_b645ea8b0039a4ff.txt", "en/AFG_73_2018.txt", "en/NGA_73_2018.txt")
NEW_PARAGRAPH = (
    "\n\nAfghanistan also wishes to thank the members of the Assembly for their support of the "
    "new irrigation programme in Helmand province, which will serve forty thousand farmers.\n"
)


def _copy_corpus(target: Path) -> Path:
    for name in SMALL_CORPUS:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS_DIR / name, target / name)
    return target


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory, use_embedder, settings_for) -> Path:
    """An embedding cache holding the small corpus's chunks and terms."""
    base = tmp_path_factory.mktemp("seed")
    corpus = _copy_corpus(base / "corpus")
    settings = settings_for(base / "index", corpus)
    index = open_index(settings, use_embedder)
    ingest_paths([corpus], index, settings)
    index.close()
    return base / "index" / EMBED_CACHE_NAME


@pytest.fixture
def setup(tmp_path, use_embedder, settings_for, warm_cache):
    corpus = _copy_corpus(tmp_path / "corpus")
    settings = settings_for(tmp_path / "index", corpus)
    settings.paths.index_dir.mkdir(parents=True)
    shutil.copy(warm_cache, settings.paths.index_dir / EMBED_CACHE_NAME)
    index = open_index(settings, use_embedder)
    yield settings, index, corpus
    index.close()


def test_first_ingest_then_unchanged_reingest_does_nothing(setup):
    settings, index, corpus = setup
    first = ingest_paths([corpus], index, settings)
    assert sorted(first.added) == sorted(SMALL_CORPUS) and not first.failed
    assert first.chunks_written == index.catalog.chunk_count() > 0
    fingerprint, updated_at = index.fingerprint, index.manifest.updated_at

    again = ingest_paths([corpus], index, settings)
    assert sorted(again.unchanged) == sorted(SMALL_CORPUS)
    assert (again.added, again.updated, again.removed) == ([], [], [])
    assert again.chunks_written == again.chunks_embedded == 0 and not again.changed
    assert index.fingerprint == fingerprint and index.manifest.updated_at == updated_at
    assert index.check().ok


def test_changed_file_replaces_only_its_own_chunks(setup):
    settings, index, corpus = setup
    ingest_paths([corpus], index, settings)
    before = {doc: index.catalog.chunk_ids(doc) for doc in SMALL_CORPUS}
    with (corpus / "en/AFG_73_2018.txt").open("a", encoding="utf-8") as handle:
        handle.write(NEW_PARAGRAPH)

    report = ingest_paths([corpus], index, settings)
    assert report.updated == ["en/AFG_73_2018.txt"] and len(report.unchanged) == 2
    assert 1 <= report.chunks_embedded <= 2  # only the new text; the rest comes from the cache
    after = {doc: index.catalog.chunk_ids(doc) for doc in SMALL_CORPUS}
    assert after["zh/000_b645ea8b0039a4ff.txt"] == before["zh/000_b645ea8b0039a4ff.txt"]
    assert after["en/NGA_73_2018.txt"] == before["en/NGA_73_2018.txt"]
    assert after["en/AFG_73_2018.txt"] != before["en/AFG_73_2018.txt"]
    assert index.check().ok
    hits = build_retriever(settings, index).search("irrigation programme in Helmand", 1)
    assert "Helmand" in hits[0].text


def test_deleted_file_is_removed_everywhere(setup):
    settings, index, corpus = setup
    ingest_paths([corpus], index, settings)
    gone = index.catalog.chunk_ids("en/NGA_73_2018.txt")
    (corpus / "en/NGA_73_2018.txt").unlink()

    report = ingest_paths([corpus], index, settings)
    assert report.removed == ["en/NGA_73_2018.txt"] and len(report.unchanged) == 2
    assert "en/NGA_73_2018.txt" not in {d.doc_id for d in index.documents()}
    assert not gone & (index.vectors.ids() | index.lexical.ids())
    assert index.check().ok


def test_corrupt_pdf_and_unknown_types_do_not_stop_the_batch(setup, caplog):
    settings, index, corpus = setup
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    (corpus / "notes.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (corpus / "slides.odt").write_bytes(b"PK\x03\x04 an OpenDocument file")

    report = ingest_paths([corpus], index, settings)
    assert sorted(report.added) == sorted(SMALL_CORPUS)
    failed = {Path(path).name for path, _ in report.failed}
    assert failed == {"broken.pdf", "empty.txt", "notes.docx"}
    assert [Path(p).name for p in report.skipped] == ["slides.odt"]
    assert "notes.docx" in caplog.text and "slides.odt" in caplog.text
    assert index.check().ok


def test_pdf_pages_are_kept(setup):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    settings, index, corpus = setup
    pdf = canvas.Canvas(str(corpus / "report.pdf"), pagesize=A4)
    for text in (
        "1. The Committee reviewed the implementation of its mandate in West Africa.",
        "2. The lighthouse keepers of Valparaiso received forty new telescopes in 2018.",
    ):
        pdf.drawString(72, 760, text)
        pdf.showPage()
    pdf.save()

    report = ingest_paths([corpus / "report.pdf"], index, settings)
    assert report.added == ["report.pdf"]
    hits = build_retriever(settings, index).search("lighthouse telescopes Valparaiso", 1)
    assert hits[0].doc_id == "report.pdf" and hits[0].page == 2
    assert "p. 2" in hits[0].label


def test_ignored_and_hidden_files_are_not_indexed(setup):
    settings, index, corpus = setup
    (corpus / "SOURCES.md").write_text("# About this corpus\n\nIt has three files.\n", "utf-8")
    (corpus / ".ingestignore").write_text("# not documents\nSOURCES.md\n", "utf-8")
    (corpus / ".hidden.txt").write_text("A hidden note.", "utf-8")

    report = ingest_paths([corpus], index, settings)
    assert sorted(report.added) == sorted(SMALL_CORPUS) and not report.skipped


def test_a_file_named_alone_keeps_its_corpus_id(setup):
    settings, index, corpus = setup
    ingest_paths([corpus], index, settings)
    report = ingest_paths([corpus / "en/AFG_73_2018.txt"], index, settings)
    assert report.unchanged == ["en/AFG_73_2018.txt"] and len(index.documents()) == 3


def test_progress_reaches_one(setup):
    settings, index, corpus = setup
    seen: list[float] = []
    ingest_paths([corpus], index, settings, progress=lambda f, _msg: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0
