"""The figure parsers on a table of zh/en phrasings: same fact, same canonical value."""

from __future__ import annotations

import pytest

from assistant.text.figures import extract_figures, figure_atoms, render

CASES = [
    # (text, kind, canonical value, English rendering, Chinese rendering)
    ("2018年4月19日", "date", "2018-04-19", "19 April 2018", "2018年4月19日"),
    ("on 19 April 2018", "date", "2018-04-19", "19 April 2018", "2018年4月19日"),
    ("April 19, 2018", "date", "2018-04-19", "19 April 2018", "2018年4月19日"),
    ("二〇一七年十月十二日", "date", "2017-10-12", "12 October 2017", "2017年10月12日"),
    ("2016年4月", "month_year", "2016-04", "April 2016", "2016年4月"),
    ("in April 2016", "month_year", "2016-04", "April 2016", "2016年4月"),
    ("至12月31日", "day_month", "--12-31", "31 December", "12月31日"),
    ("自2006年起", "year", "2006", "2006", "2006年"),
    ("第330次会议", "meeting", "330", "330th meeting", "第330次会议"),
    ("its 330th meeting", "meeting", "330", "330th meeting", "第330次会议"),
    ("第三百三十次会议", "meeting", "330", "330th meeting", "第330次会议"),
    ("第71/291号决议", "resolution", "71/291", "resolution 71/291", "第71/291号决议"),
    ("resolution 71/291", "resolution", "71/291", "resolution 71/291", "第71/291号决议"),
    ("第1373(2001)号决议", "resolution", "1373", "resolution 1373", "第1373号决议"),
    ("S/RES/2396 (2017)", "resolution", "2396", "resolution 2396", "第2396号决议"),
    ("A/73/866", "symbol", "A/73/866", "A/73/866", "A/73/866"),
    ("第83段", "paragraph", "83", "paragraph 83", "第83段"),
    ("7亿美元", "amount", "700000000 USD", "US$ 700 million", "7亿美元"),
    ("US$ 700 million", "amount", "700000000 USD", "US$ 700 million", "7亿美元"),
    ("$300,000", "amount", "300000 USD", "US$ 300,000", "30万美元"),
    ("500,000 rupees", "amount", "500000 INR", "500,000 rupees", "50万卢比"),
    ("百分之二十五", "percent", "25", "25%", "25%"),
    ("25 per cent", "percent", "25", "25%", "25%"),
    ("三分之二", "fraction", "2/3", "two thirds", "三分之二"),
    ("two thirds of", "fraction", "2/3", "two thirds", "三分之二"),
    ("两个常任理事国", "number", "2", "2", "2"),
    ("two permanent members", "number", "2", "2", "2"),
    ("2.5万公里", "number", "25000", "25,000", "2.5万"),
    ("25,000 kilometres", "number", "25000", "25,000", "2.5万"),
    ("700 million people", "number", "700000000", "700 million", "7亿"),
]


@pytest.mark.parametrize(("text", "kind", "value", "english", "chinese"), CASES)
def test_each_figure_is_read_and_rendered_in_both_languages(
    text: str, kind: str, value: str, english: str, chinese: str
) -> None:
    figures = extract_figures(text)
    assert [(f.kind, f.value) for f in figures] == [(kind, value)]
    assert render(figures[0], "en") == english
    assert render(figures[0], "zh") == chinese
    assert text[figures[0].start : figures[0].end] == figures[0].surface


@pytest.mark.parametrize(
    "text", ["一些会员国", "第一阶段", "进一步加强", "统一的", "may be", "one of the", "十分重要"]
)
def test_words_made_of_numeral_characters_are_no_figures(text: str) -> None:
    assert extract_figures(text) == []


def test_a_meeting_is_not_also_a_number_nor_a_date_also_a_year() -> None:
    figures = extract_figures("委员会在2018年4月19日举行的委员会第330次会议上审议该报告")
    assert [f.kind for f in figures] == ["date", "meeting"]


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("2018年4月19日第330次会议", "the 330th meeting on 19 April 2018"),
        ("7亿多人摆脱贫困", "more than 700 million people"),
        ("两个常任理事国", "two permanent members"),
        ("捐助30万美元", "contributed US$ 300,000"),
        ("第71/291号决议", "resolution 71/291"),
    ],
)
def test_the_same_fact_gives_the_same_atoms_in_both_languages(chinese: str, english: str) -> None:
    assert figure_atoms(chinese) == figure_atoms(english)


def test_different_figures_give_different_atoms() -> None:
    assert figure_atoms("2018年3月30日") != figure_atoms("19 April 2018")
    assert figure_atoms("8个员额") != figure_atoms("8 million dollars")


def test_thousands_grouped_by_spaces_as_un_chinese_documents_write_them() -> None:
    values = [(f.kind, f.value) for f in extract_figures("平台有1 700个用户，来自125个国家")]
    assert values == [("number", "1700"), ("number", "125")]
    assert [f.value for f in extract_figures("2018 2019年")] == ["2018", "2019"]
