"""Citation checking on hand-made model outputs (Chinese, English and across languages)."""

from __future__ import annotations

import pytest

from assistant.answer.citations import attribute_citations
from assistant.answer.packing import pack_passages
from assistant.answer.support import SupportChecker
from tests.answer.conftest import EN_SDG, ZH_330, ZH_OTHER, make_passage


def packed(*texts: str):
    passages = [make_passage(text, n) for n, text in enumerate(texts)]
    return pack_passages(passages, 10_000, lambda t: len(t))


LEXICAL = SupportChecker(None)


def test_unknown_marker_removed_and_supported_sentence_kept() -> None:
    result = attribute_citations(
        "委员会在2018年4月19日举行的第330次会议上审议了该报告[1][7]。", packed(ZH_330), LEXICAL
    )
    assert result.text == "委员会在2018年4月19日举行的第330次会议上审议了该报告[1]。"
    assert result.dropped_markers == 1
    assert result.unsupported_sentences == []
    [citation] = result.citations
    assert citation.number == 1
    assert citation.passage.source == "doc0.txt"
    # the evidence is the exact passage sentence, for highlighting
    assert citation.supporting_sentences[0] in ZH_330
    assert "第330次会议" in citation.supporting_sentences[0]


def test_unsupported_sentence_flagged_not_kept_as_grounded() -> None:
    answer = "委员会在第330次会议上审议了该报告[1]。委员会还决定向秘书处拨款5000万美元[1]。"
    result = attribute_citations(answer, packed(ZH_330), LEXICAL)
    assert result.unsupported_sentences == ["委员会还决定向秘书处拨款5000万美元。"]
    assert (
        result.text == "委员会在第330次会议上审议了该报告[1]。委员会还决定向秘书处拨款5000万美元。"
    )


def test_wrong_figure_is_not_supported() -> None:
    result = attribute_citations(
        "The United States pledged 45 million dollars to the fund [1].", packed(EN_SDG), LEXICAL
    )
    assert result.citations == []
    assert result.unsupported_sentences


def test_citation_moved_to_the_passage_that_supports_it() -> None:
    result = attribute_citations(
        "The United States pledged 12 million dollars to the new fund [1].",
        packed(ZH_OTHER, EN_SDG),
        LEXICAL,
    )
    assert [c.passage.source for c in result.citations] == ["doc1.txt"]
    # renumbered in order of appearance
    assert result.text == "The United States pledged 12 million dollars to the new fund [1]."
    assert result.unsupported_sentences == []


def test_post_hoc_attribution_when_the_model_wrote_no_markers() -> None:
    result = attribute_citations(
        "执行局继续与会员国合作，评估决议的执行情况。", packed(ZH_330, ZH_OTHER), LEXICAL
    )
    assert result.text == "执行局继续与会员国合作，评估决议的执行情况[1]。"
    assert result.citations[0].passage.source == "doc1.txt"
    assert result.sentences[0].post_hoc


def test_renumbering_in_order_of_first_appearance() -> None:
    answer = (
        "The United States pledged 12 million dollars to the new fund [2].\n"
        "委员会在第330次会议上审议了该报告[1]。"
    )
    result = attribute_citations(answer, packed(ZH_330, EN_SDG), LEXICAL)
    assert [(c.number, c.passage.source) for c in result.citations] == [
        (1, "doc1.txt"),
        (2, "doc0.txt"),
    ]
    assert "fund [1]." in result.text
    assert "报告[2]。" in result.text


def test_non_factual_and_refusal_sentences_are_not_flagged() -> None:
    result = attribute_citations(
        "Here it is. The documents do not mention the budget.",
        packed(EN_SDG),
        LEXICAL,
        is_refusal_sentence=lambda s: "do not mention" in s,
    )
    assert result.unsupported_sentences == []


def test_marker_after_the_full_stop_belongs_to_the_sentence_before() -> None:
    result = attribute_citations("委员会在第330次会议上审议了该报告。[1]", packed(ZH_330), LEXICAL)
    assert result.text == "委员会在第330次会议上审议了该报告[1]。"


def test_quote_evidence_is_preferred_for_highlighting() -> None:
    quote = "我谨以委员会主席身份随函附上上述报告。"
    result = attribute_citations(
        "委员会在第330次会议上审议了该报告[1]。",
        packed(ZH_330),
        LEXICAL,
        quote_evidence={1: (quote,)},
    )
    assert result.citations[0].supporting_sentences == [quote]


@pytest.fixture(scope="session")
def multilingual_checker(use_embedder):
    from assistant.answer.evidence import SentenceVectors

    return SupportChecker(SentenceVectors(use_embedder))


def test_english_answer_supported_by_chinese_passage(multilingual_checker) -> None:
    answer = "The Committee considered the joint report at its 330th meeting on 19 April 2018 [1]."
    result = attribute_citations(answer, packed(ZH_330), multilingual_checker)
    assert result.unsupported_sentences == []
    assert result.citations[0].supporting_sentences[0].startswith("委员会在2018年4月19日")


def test_chinese_answer_supported_by_english_passage(multilingual_checker) -> None:
    answer = "美国在2018年9月向新基金认捐了1200万美元。"
    result = attribute_citations(answer, packed(ZH_OTHER, EN_SDG), multilingual_checker)
    assert [c.passage.source for c in result.citations] == ["doc1.txt"]
    assert result.citations[0].supporting_sentences == [
        "We pledged 12 million dollars to the new fund in September 2018."
    ]


def test_unrelated_english_claim_not_supported_across_languages(multilingual_checker) -> None:
    answer = "France will host the climate summit in Paris next year [1]."
    result = attribute_citations(answer, packed(ZH_330), multilingual_checker)
    assert result.citations == []
    assert result.unsupported_sentences == [
        "France will host the climate summit in Paris next year."
    ]


P_2395 = (
    "在第2395(2017)号决议中，安理会特别指出，执行局的核心职能是对第1373(2001)、1624(2005)号决议"
    "的执行情况进行中立的专家评估。"
)
EN_72_165 = (
    "Indeed, in its resolution 72/165 of 19 December 2017, proclaiming 21 August the International "
    "Day of Remembrance of and Tribute to the Victims of Terrorism, the General Assembly "
    "reaffirmed its commitment."
)


def test_only_what_the_sentence_adds_to_the_question_is_checked() -> None:
    # restates the question and adds an invented country: on topic, but not supported
    result = attribute_citations(
        "安理会第2396(2017)号决议的草案是俄罗斯提交的[1]。",
        packed(P_2395),
        LEXICAL,
        question="安理会第2396(2017)号决议的草案是哪个国家提交的？",
    )
    assert result.citations == []
    assert result.unsupported_sentences == ["安理会第2396(2017)号决议的草案是俄罗斯提交的。"]


def test_right_symbol_supported_wrong_symbol_not() -> None:
    question = "Which General Assembly resolution proclaimed 21 August the International Day?"
    right = attribute_citations(
        "It was adopted in resolution 72/165 [1].", packed(EN_72_165), LEXICAL, question=question
    )
    wrong = attribute_citations(
        "It was adopted in resolution 72/166 [1].", packed(EN_72_165), LEXICAL, question=question
    )
    assert right.unsupported_sentences == [] and right.citations
    assert wrong.unsupported_sentences and not wrong.citations


def test_numbered_list_items_are_checked_without_their_item_numbers() -> None:
    passage = "项目周期包括七个步骤：构想、分析、规划、筹资、启动、执行和评价。"
    result = attribute_citations("1. 构想[1]\n2. 分析[1]\n3. 规划[1]", packed(passage), LEXICAL)
    assert result.unsupported_sentences == []
    assert [c.number for c in result.citations] == [1]
    # an item that adds a figure the passage does not hold is still flagged
    wrong = attribute_citations("1. 构想需要8个月[1]", packed(passage), LEXICAL)
    assert wrong.unsupported_sentences
