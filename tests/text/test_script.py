"""One zh/en decision for the whole project: the script count in ``assistant.text.script``."""

from __future__ import annotations

import pytest

from assistant.answer.language import answer_language
from assistant.eval.metrics import text_language
from assistant.eval.normalize import collapse_whitespace
from assistant.ingest.cleaning import tidy_spacing
from assistant.ingest.reflow import reflow, to_lines
from assistant.models.backends.openai_backend import estimate_tokens
from assistant.text.cjk import has_han, is_cjk, is_han
from assistant.text.lang import detect_language
from assistant.text.script import (
    SPACELESS_HAN_SHARE,
    ZH_HAN_SHARE,
    is_chinese_text,
    joins_without_spaces,
    script_language,
)

# Real strings from the corpus, the question sets and the answers, with the verdict they need.
SCRIPT_CASES: list[tuple[str, str]] = [
    ("安全理事会第2178(2014)号决议", "zh"),
    ("委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定。", "zh"),
    ("第2395(2017)号决议第18段要求什么？", "zh"),
    ("CTED的执行主任是谁？", "zh"),
    ("反恐執行局的任務是什麼？", "zh"),  # Traditional characters
    ("安理会第2178(2014)号决议 (Security Council resolution 2178 (2014))", "zh"),
    ("What does 反恐执行局 stand for in English?", "en"),
    ("What does resolution 2395 (2017) ask of CTED?", "en"),
    ("The Counter-Terrorism Committee Executive Directorate (反恐执行局) visited 12 States.", "en"),
    ("The Committee considered the joint report at its 330th meeting [1].", "en"),
    ("30%", "en"),  # a bare figure has no Chinese in it
    ("S/2018/208", "en"),
    ("", "en"),
]


@pytest.mark.parametrize(("text", "lang"), SCRIPT_CASES)
def test_script_language(text: str, lang: str) -> None:
    assert script_language(text) == lang
    assert is_chinese_text(text) is (lang == "zh")


def test_chinese_means_more_than_a_fifth_of_han_and_latin_letters_are_han() -> None:
    assert not is_chinese_text("abcd会")  # 1 of 5: exactly the share, not above it
    assert is_chinese_text("abc会")  # 1 of 4
    assert not is_chinese_text("2178(2014) 30% ，。")  # digits and punctuation do not count


def test_spaceless_joins_need_more_han_than_the_language_verdict() -> None:
    # 7 Han characters, 25 Latin letters: Chinese, but the quoted English title keeps its spaces
    quoting = "安理会第2178(2014)号决议 (Security Council resolution 2178 (2014))"
    assert SPACELESS_HAN_SHARE > ZH_HAN_SHARE
    assert is_chinese_text(quoting) and not joins_without_spaces(quoting)
    assert joins_without_spaces("委员会审议了报告。\n委员会第330次会议")
    assert not joins_without_spaces("The Committee met.\nIt agreed.")
    assert not joins_without_spaces("")


@pytest.mark.parametrize(
    ("ch", "han", "cjk"),
    [
        ("会", True, True),
        ("會", True, True),
        ("𠮷", True, True),  # extension B, outside the Basic Multilingual Plane
        ("。", False, True),
        ("，", False, True),  # full-width comma
        ("（", False, True),
        ("a", False, False),
        ("3", False, False),
        (",", False, False),
        ("", False, False),
    ],
)
def test_character_classes(ch: str, han: bool, cjk: bool) -> None:
    assert is_han(ch) is han
    assert is_cjk(ch) is cjk


def test_has_han() -> None:
    assert has_han("What does 反恐执行局 stand for?")
    assert not has_han("What does CTED stand for？")  # a full-width question mark is no Han
    assert not has_han("")


@pytest.mark.parametrize(("text", "lang"), SCRIPT_CASES)
def test_every_caller_reaches_the_same_verdict(text: str, lang: str) -> None:
    """The answer-language check of the evaluation, the language detector (chunk metadata) and
    the language the assistant answers in all read these texts as ``script_language`` does."""
    assert text_language(text) == lang
    assert (detect_language(text) == "zh") is (lang == "zh")
    assert answer_language(text) == lang


def test_the_answer_language_follows_the_question_frame_not_the_script() -> None:
    """The one intended difference: an English question about a long Chinese name."""
    question = "What does 反恐怖主义委员会执行局 do?"  # 11 Han characters, 10 Latin letters
    assert script_language(question) == "zh"
    assert answer_language(question) == "en"


def test_character_level_callers_share_the_classes() -> None:
    """No space next to CJK when facts are compared; one token a CJK character."""
    assert collapse_whitespace("第 330 次 会议 in 2018") == "第330次会议in 2018"
    assert collapse_whitespace("报告 ， 2018 年") == "报告，2018年"
    # The remote backend's token estimate: one token per CJK character, "，" as much as "。"
    assert estimate_tokens("委员会，报告，会议，") == 10  # 7 Han, 3 full-width commas
    assert estimate_tokens("abcdefg") == 2


def test_spacing_callers_share_one_rule() -> None:
    """Cleaning and PDF reflow drop spaces on the same texts."""
    zh = tidy_spacing("安理会第2396 (2017)号决议要求会员国")
    assert zh == "安理会第2396(2017)号决议要求会员国"
    quoting = tidy_spacing("安理会第2178(2014)号决议 (Security Council resolution 2178 (2014))")
    assert "resolution 2178 (2014)" in quoting
    # A Chinese paragraph wrapped after a number joins with no space; English keeps one.
    zh_lines = [
        "安理会在其关于外国恐怖主义作战人员问题的第2396",
        "(2017)号决议中要求会员国加强边境管理。",
    ]
    assert reflow(to_lines(zh_lines)) == [
        "安理会在其关于外国恐怖主义作战人员问题的第2396(2017)号决议中要求会员国加强边境管理。"
    ]
    en_lines = [
        "The Security Council, in its resolution 2396",
        "(2017) on foreign fighters, asked States.",
    ]
    assert reflow(to_lines(en_lines)) == [
        "The Security Council, in its resolution 2396 (2017) on foreign fighters, asked States."
    ]


@pytest.mark.parametrize(
    ("sentence", "marker"),
    [("1. 构想", 3), ("19. 反恐执行局", 4), ("(a) the Office", 4), ("2、分析", 2),
     ("a. item", 3), ("e.g. this", 0), ("2018. x", 0), ("3.5 million", 0), ("A/73/866", 0)],
)  # fmt: skip
def test_list_markers_are_told_from_figures(sentence: str, marker: int) -> None:
    from assistant.text.sentences import list_marker_length

    assert list_marker_length(sentence) == marker
