"""Shared text primitives: language, sentences, lexical tokens and chunking units."""

from __future__ import annotations

import pytest

from assistant.text.cjk import display_width, han_ratio, text_units
from assistant.text.lang import detect_language
from assistant.text.sentences import split_sentences
from assistant.text.tokenize import lexical_tokens


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定。", "zh"),
        ("第2395(2017)号决议", "zh"),
        ("反恐执行局(CTED)和反恐办公室(UNOCT)", "zh"),
        ("At which meeting did the Committee consider the joint report?", "en"),
        ("What is CTED?", "en"),
        ("China’s answer is clear cut. All along, China has upheld the international order.", "en"),
        ("La France est un pays de la liberté et de la fraternité.", "other"),
        ("2395(2017)", "other"),
        ("", "other"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_detect_language_is_deterministic() -> None:
    text = "Der Ausschuss hat den Bericht geprüft und die Empfehlungen angenommen."
    assert len({detect_language(text) for _ in range(5)}) == 1


def test_chinese_sentences() -> None:
    text = "反恐委员会将审议。委员会同意“该报告”。是否通过？通过！(a) 继续监测；(b) 继续协助。"
    assert sentences(text) == [
        "反恐委员会将审议。",
        "委员会同意“该报告”。",
        "是否通过？",
        "通过！",
        "(a) 继续监测；",
        "(b) 继续协助。",
    ]


def test_english_sentences_keep_abbreviations_symbols_and_decimals() -> None:
    text = (
        "See, e.g. the report in No. 5 of A/73/866. The U.N. Secretary-General spoke. "
        "Growth was 3.5 per cent! Is that enough? Mr. Guterres said so."
    )
    assert sentences(text) == [
        "See, e.g. the report in No. 5 of A/73/866.",
        "The U.N. Secretary-General spoke.",
        "Growth was 3.5 per cent!",
        "Is that enough?",
        "Mr. Guterres said so.",
    ]


def test_line_breaks_end_sentences_and_markers_do_not() -> None:
    text = "A. Monitoring\n\n12. The Committee met. It agreed.\n\n7. 反恐委员会将审议。\n\n一. 导言"
    assert sentences(text) == [
        "A. Monitoring",
        "12. The Committee met.",
        "It agreed.",
        "7. 反恐委员会将审议。",
        "一. 导言",
    ]


def test_sentence_spans_are_trimmed_and_ordered() -> None:
    text = "  第一句。  第二句。\n\n Third one. Fourth.  "
    spans = split_sentences(text)
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)
    assert spans == sorted(spans)


def test_lexical_tokens_chinese_search_mode() -> None:
    tokens = lexical_tokens("委员会在2018年4月19日举行的委员会第330次会议上审议该报告。")
    assert {"委员会", "会议", "审议", "报告", "330", "2018"} <= set(tokens)
    assert "的" not in tokens and "。" not in tokens and "在" not in tokens


def test_lexical_tokens_english_and_un_symbols() -> None:
    tokens = lexical_tokens(
        "The Committee considered S/RES/2395(2017) and A/73/866, e.g. THE report."
    )
    assert "the" not in tokens and "and" not in tokens
    assert {
        "committee",
        "considered",
        "report",
        "s/res/2395(2017)",
        "2395",
        "2017",
        "a/73/866",
        "866",
    } <= set(tokens)


def test_resolution_number_shared_across_languages() -> None:
    zh = set(lexical_tokens("第2395(2017)号决议"))
    en = set(lexical_tokens("resolution 2395 (2017)"))
    assert {"2395", "2017"} <= zh & en


def test_full_width_characters_are_folded() -> None:
    assert "2018" in lexical_tokens("２０１８年") and "un" in lexical_tokens("ＵＮ")


def test_units_count_han_characters_and_latin_words() -> None:
    assert text_units("反恐委员会") == 5
    assert text_units("The Committee met in 2018.") == 5
    assert text_units("第2395(2017)号决议") == 6  # 第 2395 2017 号 决 议: 4 Han + 2 numbers
    assert text_units("。、，") == 0


def test_han_ratio_and_display_width() -> None:
    assert han_ratio("反恐 CTED") == pytest.approx(2 / 6)
    assert han_ratio("123") == 0.0
    assert display_width("反恐ab") == 6
