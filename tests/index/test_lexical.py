"""BM25 over Chinese and English tokens: search, filters, persistence, empty index."""

from __future__ import annotations

from assistant.index.lexical import LexicalEntry, LexicalIndex
from assistant.text.tokenize import lexical_tokens
from tests.index.conftest import EN_CLIMATE, EN_SCHOOLS, ZH_MEETING, ZH_RESOLUTION

ENTRIES = [
    LexicalEntry("z1", "zh/a.txt", "zh", lexical_tokens(ZH_MEETING)),
    LexicalEntry("z2", "zh/a.txt", "zh", lexical_tokens(ZH_RESOLUTION)),
    LexicalEntry("e1", "en/b.txt", "en", lexical_tokens(EN_CLIMATE)),
    LexicalEntry("e2", "en/b.txt", "en", lexical_tokens(EN_SCHOOLS)),
]


def test_search_finds_chinese_and_english_terms(tmp_path):
    index = LexicalIndex(tmp_path / "bm25")
    index.build(ENTRIES)
    assert index.search(lexical_tokens("第330次会议"), 2)[0][0] == "z1"
    assert index.search(lexical_tokens("how many schools closed"), 2)[0][0] == "e2"
    assert [cid for cid, _ in index.search(lexical_tokens("resolution 2395"), 5)] == ["z2"]


def test_filters_and_zero_scores(tmp_path):
    index = LexicalIndex(tmp_path / "bm25")
    index.build(ENTRIES)
    assert index.search(lexical_tokens("第330次会议"), 5, langs=["en"]) == []
    hits = index.search(lexical_tokens("climate 会议"), 5, doc_ids=["en/b.txt"])
    assert [cid for cid, _ in hits] == ["e1"]
    assert index.search(["nonexistentword"], 5) == []


def test_persists_and_reloads(tmp_path):
    LexicalIndex(tmp_path / "bm25").build(ENTRIES)
    reloaded = LexicalIndex(tmp_path / "bm25")
    assert reloaded.ids() == {"z1", "z2", "e1", "e2"}
    assert reloaded.search(lexical_tokens("气候"), 1) == []
    assert reloaded.search(["climate"], 1)[0][0] == "e1"


def test_empty_index_searches_to_nothing(tmp_path):
    index = LexicalIndex(tmp_path / "bm25")
    assert index.search(["anything"], 5) == []
    index.build([])
    assert len(LexicalIndex(tmp_path / "bm25")) == 0
