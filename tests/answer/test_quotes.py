"""Quote-then-answer replies: quotes are split off, checked verbatim and hidden while streaming."""

from __future__ import annotations

from assistant.answer.packing import pack_passages
from assistant.answer.quotes import AnswerSectionFilter, Quote, split_quote_output, verify_quotes
from tests.answer.conftest import EN_SDG, ZH_330, make_passage

REPLY = (
    "Quote [1]: 委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，"
    "建议将该文件作为安全理事会文件分发。\n"
    "Answer: The Committee considered the report at its 330th meeting [1]."
)


def packed():
    passages = [make_passage(ZH_330, 0), make_passage(EN_SDG, 1)]
    return pack_passages(passages, 10_000, len)


def test_split_quote_output() -> None:
    quotes, answer = split_quote_output(REPLY)
    assert quotes[0].number == 1
    assert quotes[0].text.startswith("委员会在2018年4月19日")
    assert answer == "The Committee considered the report at its 330th meeting [1]."


def test_chinese_labels() -> None:
    quotes, answer = split_quote_output(
        "引文[2]：We pledged 12 million dollars.\n回答：美国认捐了1200万美元[2]。"
    )
    assert quotes == [Quote(2, "We pledged 12 million dollars.")]
    assert answer == "美国认捐了1200万美元[2]。"


def test_reply_without_answer_label_is_all_answer_but_quotes() -> None:
    _quotes, answer = split_quote_output("Quote [1]: x y z w v\nThe answer is 330.")
    assert answer == "The answer is 330."


def test_verified_quote_maps_to_passage_sentences() -> None:
    quotes, _answer = split_quote_output(REPLY)
    evidence = verify_quotes(quotes, packed())
    assert list(evidence) == [1]
    assert evidence[1][0].startswith("委员会在2018年4月19日")


def test_quote_with_spacing_and_width_differences_still_matches() -> None:
    quote = Quote(1, "委员会在 2018 年 4 月 19 日举行的委员会第 330 次会议上审议该报告后商定")
    assert 1 in verify_quotes([quote], packed())


def test_misnumbered_quote_found_in_the_other_passage() -> None:
    quote = Quote(1, "We pledged 12 million dollars to the new fund in September 2018.")
    assert list(verify_quotes([quote], packed())) == [2]


def test_invented_quote_is_rejected() -> None:
    quote = Quote(1, "委员会决定向秘书处拨款5000万美元。")
    assert verify_quotes([quote], packed()) == {}


def test_stream_filter_shows_only_the_answer() -> None:
    section = AnswerSectionFilter()
    shown = "".join(section.feed(REPLY[i : i + 3]) for i in range(0, len(REPLY), 3))
    shown += section.finish()
    assert shown == "The Committee considered the report at its 330th meeting [1]."


def test_stream_filter_releases_text_when_no_label_came() -> None:
    section = AnswerSectionFilter()
    assert section.feed("The answer is 330.") == ""
    assert section.finish() == "The answer is 330."
