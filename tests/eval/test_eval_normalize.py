"""Fact normalisation: numerals, dates, widths, separators, boundaries; Chinese and English."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.eval.normalize import (
    canonicalize_dates,
    convert_chinese_numerals,
    fact_present,
    normalize_fact_text,
)
from assistant.text.numerals import chinese_numeral_value


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("三十", 30),
        ("十二", 12),
        ("三百三十", 330),
        ("一千零五", 1005),
        ("两万五千", 25000),
        ("十万", 100000),
        ("一亿三千万", 130000000),
        ("二〇一七", 2017),
        ("一九九八", 1998),
        ("二○一八", 2018),
    ],
)
def test_chinese_numeral_values(numeral: str, value: int) -> None:
    assert chinese_numeral_value(numeral) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第三百三十次会议", "第330次会议"),
        ("三十个会员国", "30个会员国"),
        ("二〇一七年", "2017年"),
        ("第一次", "第1次"),
        ("百分之三十", "30%"),
        ("3万人", "30000人"),
        ("三分之二", "2/3"),
        # A lone 一 inside words stays a word; 千万 (must) is not a number.
        ("一些国家统一行动", "一些国家统一行动"),
        ("千万不要", "千万不要"),
    ],
)
def test_convert_chinese_numerals(text: str, expected: str) -> None:
    assert convert_chinese_numerals(text) == expected


DATE_FORMS = [
    "12 October 2017",
    "October 12, 2017",
    "12 Oct. 2017",
    "12 Oct 2017",
    "Oct. 12, 2017",
    "12th of October, 2017",
    "2017-10-12",
    "2017/10/12",
    "2017年10月12日",
    "2017 年 10 月 12 日",
    "二〇一七年十月十二日",
    "２０１７年１０月１２日",
]


@pytest.mark.parametrize("form", DATE_FORMS)
def test_every_date_form_is_one_iso_date(form: str) -> None:
    assert normalize_fact_text(form) == "2017-10-12"


@pytest.mark.parametrize("fact", DATE_FORMS)
@pytest.mark.parametrize("answer_form", ["12 October 2017", "2017年10月12日"])
def test_date_fact_found_in_any_form(fact: str, answer_form: str) -> None:
    assert fact_present(fact, f"The meeting was held on {answer_form} in New York.")
    assert fact_present(fact, f"会议于{answer_form}在纽约举行。")


def test_partial_dates() -> None:
    assert canonicalize_dates("october 2017") == "2017-10"
    assert canonicalize_dates("2017年10月") == "2017-10"
    assert fact_present("2017年10月", "on 12 October 2017")
    assert fact_present("10月12日", "on 12 October 2017")
    assert fact_present("2017", "on 12 October 2017")
    # "may" is a word: without a year it is not read as a month.
    assert normalize_fact_text("they may 12 days") == "they may 12 days"


@pytest.mark.parametrize(
    ("fact", "answer"),
    [
        ("１２个工作组", "参加12个工作组"),  # full-width digits
        ("ＣＴＥＤ", "CTED coordinates"),  # full-width Latin, case
        ("反恐（执行局）", "反恐(执行局)"),  # full-width brackets
        ("10,000", "10 000 people"),
        ("10 000", "about 10,000 people"),
        ("1,000", "一千名"),
        ("30%", "百分之三十"),
        ("30 per cent", "30%"),
        ("330th", "第三百三十次会议"),
        ("330", "its 330th meeting"),
        ("12", "十二个工作组"),
        ("twelve", "12 groups"),
        ("thirty-eight", "the 38 entities"),
        ("1.5 million", "1,500,000 dollars"),
        ("3万", "30,000"),
        ("counterterrorism", "counter-terrorism efforts"),
        ("capacity", "capacity-building assistance"),
        ("fund", "funding"),
        ("Côte d'Ivoire", "cote divoire"),
        ("  General   Assembly ", "the general\nassembly decided"),
        ("第 1373(2001)号决议", "第1373（2001）号决议"),
        ("工作组", "12 个工作组¹ 的"),  # footnote marker and spaces
    ],
)
def test_fact_present(fact: str, answer: str) -> None:
    assert fact_present(fact, answer)


@pytest.mark.parametrize(
    ("fact", "answer"),
    [
        ("12", "in 2012"),
        ("12", "120 people"),
        ("12", "12.5 per cent"),
        ("5", "1.5"),
        ("2018", "document S/2018/208"),
        ("war", "toward peace"),
        ("330", "第三百三十一次会议"),
        ("2018年4月19日", "2018年4月18日"),
        ("19 April 2018", "19 April 2017"),
        ("预算外捐助", "经常预算"),
        ("1", "一些国家"),
    ],
)
def test_fact_absent(fact: str, answer: str) -> None:
    assert not fact_present(fact, answer)


def test_empty_fact_is_vacuously_present() -> None:
    assert fact_present("", "anything")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_a_text_states_its_own_facts(text: str) -> None:
    assert fact_present(text, text)
