"""HybridIndex with hand-made documents: writes, replacement, deletion, check and repair."""

from __future__ import annotations

import pytest

from assistant.index.factory import open_index
from assistant.index.store import DocumentWrite
from assistant.retrieval.factory import build_retriever
from tests.index.conftest import EN_CLIMATE, EN_SCHOOLS, ZH_MEETING, ZH_RESOLUTION, make_document


def test_documents_and_chunks_are_listed(small_index):
    docs = {d.doc_id: d for d in small_index.documents()}
    assert set(docs) == {"zh/report.txt", "en/speech.txt"}
    assert docs["zh/report.txt"].lang == "zh" and docs["zh/report.txt"].chunk_count == 2
    assert docs["zh/report.txt"].symbol == "S/2018/000"
    chunks = small_index.document_chunks("zh/report.txt")
    assert [c.text for c in chunks] == [ZH_MEETING, ZH_RESOLUTION]
    assert chunks[0].metadata["paragraph"] == "1" and chunks[0].lang == "zh"
    assert small_index.check().ok


def test_replacing_a_document_swaps_only_its_chunks(small_index):
    en_before = small_index.catalog.chunk_ids("en/speech.txt")
    new_paragraph = "新增的一段：委员会通过了工作方案。"
    doc, chunks = make_document("zh/report.txt", "zh", [ZH_MEETING, new_paragraph])
    small_index.add_document(doc, chunks)
    assert small_index.catalog.chunk_ids("en/speech.txt") == en_before
    assert small_index.catalog.chunk_ids("zh/report.txt") == {c.chunk_id for c in chunks}
    assert small_index.check().ok


def test_deleting_a_document_removes_it_everywhere(small_index):
    fingerprint = small_index.fingerprint
    small_index.delete_document("en/speech.txt")
    assert [d.doc_id for d in small_index.documents()] == ["zh/report.txt"]
    assert small_index.check().ok and small_index.vectors.count() == 2
    assert small_index.fingerprint != fingerprint


def test_check_finds_a_vector_deleted_behind_the_catalogs_back(small_index):
    victim = sorted(small_index.catalog.chunk_ids("zh/report.txt"))[0]
    small_index.vectors.delete_ids([victim])
    found = small_index.check()
    assert found.missing_vectors == [victim] and not found.ok
    assert small_index.repair().ok
    assert victim in small_index.vectors.ids()


def test_crash_between_chroma_and_catalog_is_repairable(small_index, monkeypatch):
    doc, chunks = make_document("en/new.txt", "en", ["A paragraph written only to Chroma."])

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(small_index.catalog, "replace_document", crash)
    with pytest.raises(RuntimeError):
        small_index.add_document(doc, chunks)
    monkeypatch.undo()
    found = small_index.check()
    assert found.orphan_vectors == [chunks[0].chunk_id]
    assert small_index.repair().ok and small_index.vectors.count() == 4


def test_stale_bm25_is_rebuilt_by_repair(small_index):
    small_index.lexical.build(small_index.catalog.lexical_entries()[:1])
    assert small_index.check().missing_lexical
    assert small_index.repair().ok


def test_reopening_keeps_everything(small_index, use_embedder):
    small_index.close()
    again = open_index(small_index.settings, use_embedder)
    assert len(again.documents()) == 2 and again.check().ok
    hits = build_retriever(again.settings, again).search("schools closed", 1, mode="lexical")
    assert hits[0].text == EN_SCHOOLS
    again.close()


def test_retriever_modes_filters_and_scores(small_index):
    retriever = build_retriever(small_index.settings, small_index)
    query = "At which meeting did the Committee consider the report?"
    hybrid = retriever.search(query, 4)
    assert hybrid[0].text == ZH_MEETING
    assert hybrid[0].dense_score is not None and -1.0 <= hybrid[0].dense_score <= 1.0
    assert hybrid[0].label == "S/2018/000 ¶1"
    dense = retriever.search(query, 4, mode="dense")
    assert [p.score for p in dense] == sorted((p.score for p in dense), reverse=True)
    assert all(p.lexical_score is None for p in dense)
    lexical = retriever.search("第330次会议", 4, mode="lexical")
    assert lexical[0].text == ZH_MEETING and lexical[0].lexical_score > 0
    assert {p.lang for p in retriever.search(query, 4, langs=["en"])} == {"en"}
    only = retriever.search(query, 4, doc_ids=["en/speech.txt"])
    assert {p.doc_id for p in only} == {"en/speech.txt"}
    assert retriever.search("   ") == []
    with pytest.raises(ValueError):
        retriever.search(query, mode="fuzzy")  # type: ignore[arg-type]


def test_climate_in_chinese_finds_the_english_passage(small_index):
    retriever = build_retriever(small_index.settings, small_index)
    assert retriever.search("气候变化是当今时代的决定性问题", 1)[0].text == EN_CLIMATE


def test_repair_leaves_vectors_alone_while_another_writer_is_at_work(small_index):
    """Another process (here: another catalog connection) holds a document's writer lock and
    has put its new vectors into Chroma ahead of its catalog commit: not orphans to delete."""
    from assistant.index.catalog import open_catalog
    from assistant.index.vector_store import VectorRecord

    settings = small_index.settings
    other = open_catalog(settings, settings.paths.index_dir)
    doc, chunks = make_document("en/new.txt", "en", ["A paragraph on its way in."])
    vector = small_index.embedder.embed([chunks[0].text])[0]
    record = VectorRecord(chunks[0].chunk_id, doc.doc_id, "en", vector)
    try:
        with other.writer_lock(doc.doc_id):
            other.begin_write(doc.doc_id, doc.content_hash)
            small_index.vectors.add([record])
            found = small_index.check()
            assert found.orphan_vectors == [chunks[0].chunk_id]
            assert found.writes_in_progress == [doc.doc_id]
            assert any("write(s) in progress" in line for line in found.lines())
            after = small_index.repair()
            assert after.orphan_vectors == [chunks[0].chunk_id]  # still there
        # The writer died before its commit: now the vector is an orphan, and goes.
        assert small_index.check().writes_in_progress == []
        assert small_index.repair().ok
    finally:
        other.close()


def _write(doc_id: str, lang: str, paragraphs: list[str], index) -> DocumentWrite:
    doc, chunks = make_document(doc_id, lang, paragraphs)
    return DocumentWrite(doc, chunks, index.embedder.embed([c.text for c in chunks]))


def test_a_group_write_adds_every_document_with_one_chroma_insert(small_index, monkeypatch):
    inserts = []
    add = small_index.vectors.add
    monkeypatch.setattr(small_index.vectors, "add", lambda records: inserts.append(add(records)))
    writes = [
        _write(
            "en/a.txt", "en", ["First group paragraph.", "Second group paragraph."], small_index
        ),
        _write("en/b.txt", "en", ["Another document in the same group."], small_index),
        _write("zh/report.txt", "zh", [ZH_MEETING], small_index),  # replaces a document
    ]
    with small_index.batch():
        assert small_index.add_documents(writes) == [True, True, True]
    assert len(inserts) == 1
    assert small_index.catalog.chunk_ids("zh/report.txt") == {writes[2].chunks[0].chunk_id}
    assert small_index.vectors.count() == 2 + 3 + 1
    assert small_index.check().ok and not small_index.catalog.writes_in_progress()
    # Unchanged content is skipped per document, the rest of the group still written.
    changed = _write("en/b.txt", "en", ["The same document, edited."], small_index)
    assert small_index.add_documents([writes[0], changed], skip_if_current=True) == [False, True]
    assert small_index.check().ok


def test_a_group_write_interrupted_in_the_catalog_is_repaired_per_document(
    small_index, monkeypatch
):
    writes = [
        _write("en/c.txt", "en", ["A paragraph that reaches Chroma only."], small_index),
        _write("en/d.txt", "en", ["Another paragraph that reaches Chroma only."], small_index),
    ]

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(small_index.catalog, "replace_document", crash)
    with pytest.raises(RuntimeError):
        small_index.add_documents(writes)
    monkeypatch.undo()
    assert {m.doc_id for m in small_index.catalog.writes_in_progress()} == {"en/c.txt", "en/d.txt"}
    assert sorted(small_index.repair_interrupted()) == ["en/c.txt", "en/d.txt"]
    assert small_index.check().ok and small_index.vectors.count() == 4


def test_a_group_write_refuses_a_document_twice(small_index):
    write = _write("en/e.txt", "en", ["Twice in one group."], small_index)
    with pytest.raises(ValueError, match="twice"):
        small_index.add_documents([write, write])


def test_writer_locks_of_ids_sharing_a_lock_do_not_wait_for_themselves(small_index):
    from assistant.index.catalog import lock_key

    first = "en/a.txt"
    same = next(
        f"en/{n}.txt"
        for n in range(10_000)
        if lock_key(f"en/{n}.txt") & 0xFF == lock_key(first) & 0xFF
    )
    with small_index.catalog.writer_locks([first, same, first]):
        pass  # would hang if the shared lock file were locked twice by this process
    with small_index.catalog.writer_lock(same, wait=False) as taken:
        assert taken  # and it was released
