"""Chunking: valid spans, stable ids, whole numbered paragraphs, budget, overlap."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.config import PROJECT_ROOT, ChunkSettings
from assistant.ingest.chunking import chunk_document, chunk_id
from assistant.ingest.document_loading import load_document
from assistant.schema import Document
from assistant.text.cjk import text_units

CORPUS = PROJECT_ROOT / "corpus"
SEEDS = sorted(CORPUS.glob("*/*.txt"))


def make_doc(text: str, page_starts: list[tuple[int, int]] | None = None) -> Document:
    return Document(
        doc_id="zh/test.txt",
        source="test.txt",
        path="/tmp/test.txt",
        text=text,
        lang="zh",
        title="test",
        page_starts=page_starts or [],
    )


# Cleaned zh/001_1e92452d4c4f6fdf.txt, paragraphs 12-13 under their heading.
PARAS_001 = (
    "B. 协助向各国提供技术援助\n\n"
    "12. 反恐委员会还将审议反恐执行局于2018年6月30日前提交的报告，该报告就全球执行情况调查、"
    "执行情况详细调查、执行情况评估概要等调查工具提出建议，以提高这些工具对会员国、捐助方、"
    "受援国、反恐怖主义办公室和联合国其他机构在制定技术援助和能力建设支助方面的效用。\n\n"
    "13. 反恐委员会将通过其主席，每年至少一次向安全理事会口头通报委员会及其执行局的总体工作"
    "情况。安理会表示打算每年至少举行一次有关委员会工作的非正式磋商。"
)


def test_each_numbered_paragraph_is_one_chunk_with_its_label() -> None:
    chunks = chunk_document(make_doc(PARAS_001), ChunkSettings(max_units=220, overlap_units=40))
    assert [c.paragraph for c in chunks] == ["12", "13"]
    assert chunks[0].text.startswith("B. 协助向各国提供技术援助\n\n12. ")  # heading travels along
    assert chunks[1].text.startswith("13. ") and chunks[1].text.endswith("非正式磋商。")
    assert [c.index for c in chunks] == [0, 1]
    assert all(c.lang == "zh" and c.doc_id == "zh/test.txt" for c in chunks)


def test_small_numbered_paragraphs_are_not_merged() -> None:
    text = "1. 第一段。\n\n2. 第二段。\n\n3. 第三段。"
    chunks = chunk_document(make_doc(text), ChunkSettings(max_units=220, overlap_units=40))
    assert [c.text for c in chunks] == ["1. 第一段。", "2. 第二段。", "3. 第三段。"]


def test_unnumbered_paragraphs_are_packed_up_to_the_budget() -> None:
    paragraphs = [f"Paragraph {i} says one two three four five six." for i in range(10)]
    doc = make_doc("\n\n".join(paragraphs))
    chunks = chunk_document(doc, ChunkSettings(max_units=30, overlap_units=5))
    assert [c.text.count("Paragraph") for c in chunks] == [3, 3, 3, 1]
    assert all(c.paragraph is None for c in chunks)


def test_sub_items_of_one_paragraph_share_a_chunk_and_a_label_range() -> None:
    text = (
        "16. 执行局和反恐怖主义办公室确定了以下实际步骤：\n\n"
        "(a) 进行密切协商；\n\n(b) 相互提供年度活动清单；\n\n(c) 相互通报各自的后续活动。\n\n"
        "17. 下一段。"
    )
    chunks = chunk_document(make_doc(text), ChunkSettings(max_units=220, overlap_units=40))
    assert [c.paragraph for c in chunks] == ["16", "17"]
    small = chunk_document(make_doc(text), ChunkSettings(max_units=25, overlap_units=0))
    assert [c.paragraph for c in small] == ["16", "16(a)-(b)", "16(c)", "17"]


def test_long_paragraph_is_cut_at_sentence_ends_with_overlap() -> None:
    sentences = [f"第{i}句话讲的是反恐委员会的一项工作内容。" for i in range(1, 13)]
    text = "12. " + "".join(sentences)
    chunks = chunk_document(make_doc(text), ChunkSettings(max_units=60, overlap_units=20))
    assert len(chunks) > 1
    assert all(c.paragraph == "12" for c in chunks)
    for chunk in chunks:
        assert text_units(chunk.text) <= 60
        assert chunk.text.endswith("。")
    for before, after in itertools.pairwise(chunks):
        assert after.start < before.end  # overlap...
        repeated = before.text[after.start - before.start :]
        assert text_units(repeated) <= 20  # ...of whole sentences within the budget
        assert repeated.startswith("第")


def test_sentence_longer_than_the_budget_is_cut_in_even_pieces() -> None:
    text = "12个反恐执行工作队工作组是: " + "; ".join(f"{i}.工作组名称" for i in range(1, 40))
    chunks = chunk_document(make_doc(text), ChunkSettings(max_units=100, overlap_units=20))
    sizes = [text_units(c.text) for c in chunks]
    assert max(sizes) <= 100
    assert min(sizes) >= max(sizes) // 3


def test_page_of_each_chunk_comes_from_page_starts() -> None:
    text = "1. 第一页的段落。\n\n2. 第二页的段落。"
    doc = make_doc(text, page_starts=[(0, 1), (text.index("2. "), 2)])
    chunks = chunk_document(doc, ChunkSettings(max_units=220, overlap_units=40))
    assert [c.page for c in chunks] == [1, 2]
    assert all(c.page is None for c in chunk_document(make_doc(text), ChunkSettings()))


def test_chunk_ids_depend_on_document_and_text_only() -> None:
    assert chunk_id("zh/a.txt", "文本") == chunk_id("zh/a.txt", "文本")
    assert chunk_id("zh/a.txt", "文本") != chunk_id("zh/b.txt", "文本")
    assert len(chunk_id("zh/a.txt", "文本")) == 32


@pytest.fixture(scope="module")
def seed_chunks() -> dict[str, tuple[Document, list]]:
    out = {}
    for path in SEEDS:
        doc = load_document(path, CORPUS)
        out[doc.doc_id] = (doc, chunk_document(doc, ChunkSettings()))
    return out


def test_seed_chunks_have_valid_spans_and_respect_the_budget(seed_chunks) -> None:
    limit = ChunkSettings().max_units
    for doc, chunks in seed_chunks.values():
        assert chunks, doc.doc_id
        for chunk in chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert chunk.text == chunk.text.strip()
            assert text_units(chunk.text) <= limit


def test_seed_chunk_ids_are_stable_across_runs(seed_chunks) -> None:
    path = CORPUS / "zh" / "001_1e92452d4c4f6fdf.txt"
    again = chunk_document(load_document(path, CORPUS), ChunkSettings())
    first = seed_chunks["zh/001_1e92452d4c4f6fdf.txt"][1]
    assert [c.chunk_id for c in again] == [c.chunk_id for c in first]
    assert len({c.chunk_id for c in first}) == len(first)


def test_seed_numbered_paragraphs_that_fit_are_never_split(seed_chunks) -> None:
    _, chunks = seed_chunks["zh/001_1e92452d4c4f6fdf.txt"]
    twelve = [c for c in chunks if c.paragraph == "12"]
    assert len(twelve) == 2  # the letter's annex and its appendix both have a paragraph 12
    assert all(c.text.lstrip().startswith("12. ") for c in twelve)
    assert all(c.text.endswith("。") for c in twelve)


def test_seed_chunk_languages(seed_chunks) -> None:
    for doc, chunks in seed_chunks.values():
        expected = "zh" if doc.doc_id.startswith("zh/") else "en"
        assert {c.lang for c in chunks} == {expected}, doc.doc_id


_SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(
        st.sampled_from(["反恐", "委员会", "审议", "report", "the", "2395(2017)", "号决议"]),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["。", ". ", "；", "", "！", "? "]),
)
_BLOCK = st.builds(
    lambda marker, sentences: marker + "".join(sentences),
    st.sampled_from(["", "", "12. ", "(a) ", "一. ", "• "]),
    st.lists(_SENTENCE, min_size=1, max_size=8),
)


@settings(max_examples=150, deadline=None)
@given(
    blocks=st.lists(_BLOCK, min_size=1, max_size=12),
    max_units=st.integers(min_value=5, max_value=120),
    overlap=st.integers(min_value=0, max_value=40),
)
def test_chunks_cover_the_text_without_loss(
    blocks: list[str], max_units: int, overlap: int
) -> None:
    text = "\n\n".join(block.strip() for block in blocks if block.strip())
    if not text:
        return
    chunks = chunk_document(
        make_doc(text), ChunkSettings(max_units=max_units, overlap_units=overlap)
    )
    assert chunks
    rebuilt, previous_start, previous_end = "", -1, 0
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert text_units(chunk.text) <= max_units
        assert chunk.start > previous_start and chunk.end > previous_end  # in order, progressing
        gap = text[previous_end : chunk.start]
        assert gap.strip() == ""  # only whitespace between chunks
        rebuilt += gap + text[max(chunk.start, previous_end) : chunk.end]
        previous_start, previous_end = chunk.start, chunk.end
    assert rebuilt.strip() == text.strip()  # the non-overlapping parts give back the text
