"""Traditional-Chinese questions over the shipped (Simplified) corpus, through the real index."""

from __future__ import annotations

import pytest

TRADITIONAL_QUESTION = "反恐委員會在哪一次會議上審議了聯合報告？"
SIMPLIFIED_QUESTION = "反恐委员会在哪一次会议上审议了联合报告？"


def _top(corpus_index, question: str, k: int = 3):
    return corpus_index.retriever.search(question, k)


def test_traditional_question_finds_the_330th_meeting_passage(corpus_index) -> None:
    passages = _top(corpus_index, TRADITIONAL_QUESTION)
    assert any("第330次会议" in p.text for p in passages), [p.label for p in passages]


def test_traditional_and_simplified_questions_share_their_keyword_hits(corpus_index) -> None:
    traditional = corpus_index.retriever.search(TRADITIONAL_QUESTION, 5, mode="lexical")
    simplified = corpus_index.retriever.search(SIMPLIFIED_QUESTION, 5, mode="lexical")
    assert [p.chunk_id for p in traditional] == [p.chunk_id for p in simplified]


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [("聯合報告", "联合报告"), ("反恐怖主義委員會執行局", "反恐怖主义委员会执行局")],
)
def test_traditional_terms_get_the_simplified_tokens(corpus_index, traditional, simplified):
    index = corpus_index.index
    assert index.tokens(traditional) == index.tokens(simplified)
    assert index.tokens(simplified)
