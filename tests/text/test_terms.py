"""Named terms of a text in both languages: what a follow-up can point at or swap."""

from __future__ import annotations

import pytest

from assistant.text.terms import text_terms
from assistant.text.tokenize import tagged_words

TERMS = [
    ("What did Nigeria say about Lake Chad?", [("Nigeria", "entity"), ("Lake Chad", "entity")]),
    (
        "When was the UN Global Counter-Terrorism Coordination Compact launched?",
        [("UN Global Counter-Terrorism Coordination Compact", "entity")],
    ),
    (
        "Did the Counter-Terrorism Committee consider the report of the Office of "
        "Counter-Terrorism and CTED?",
        [
            ("Counter-Terrorism Committee", "entity"),
            ("Office of Counter-Terrorism", "entity"),
            ("CTED", "entity"),
        ],
    ),
    (
        "What did India's Minister for External Affairs say?",
        [("India", "entity"), ("Minister for External Affairs", "entity")],
    ),
    (
        "The Committee considered it at its 330th meeting on 19 April 2018 (S/2018/435).",
        [
            ("Committee", "entity"),
            ("330th meeting", "meeting"),
            ("19 April 2018", "date"),
            ("S/2018/435", "symbol"),
        ],
    ),
    ("How much did the US spend this year?", [("US", "entity"), ("this year", "time")]),
    (
        "委员会在2018年4月19日举行的第330次会议上审议了该报告。",
        [
            ("委员会", "entity"),
            ("2018年4月19日", "date"),
            ("第330次会议", "meeting"),
            ("报告", "noun"),
        ],
    ),
    ("反恐办公室有多少个经常预算员额？", [("反恐办公室", "entity"), ("预算员额", "noun")]),
    (
        "美国总统说美国今年的军费是多少？",
        [("美国总统", "entity"), ("美国", "entity"), ("今年", "time"), ("军费", "noun")],
    ),
    (
        "联合国反恐怖主义中心的项目靠什么资金运作？",
        [("联合国反恐怖主义中心", "entity"), ("项目", "noun"), ("资金运作", "noun")],
    ),
    ("秘书处的工作组由谁主持？", [("秘书处", "entity"), ("工作组", "entity")]),
    ("尼日利亚说乍得湖周围生活着多少人？", [("尼日利亚", "entity"), ("乍得湖", "entity")]),
    ("CTED的执行主任是谁？", [("CTED", "entity"), ("执行主任", "noun")]),
]


@pytest.mark.parametrize(("text", "expected"), TERMS)
def test_terms(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(t.text, t.kind) for t in text_terms(text)] == expected


def test_terms_stand_where_they_are_written() -> None:
    text = "委员会在2018年4月19日举行的第330次会议上审议了该报告。"
    assert all(text[t.start : t.end] == t.text for t in text_terms(text))


def test_plain_counts_are_no_terms() -> None:
    assert text_terms("36 entities take part in 8 working groups.") == ()


def test_tagged_words_join_back_into_the_text() -> None:
    text = "What did 反恐执行局 say about S/2018/435?  第330次会议"
    words = tagged_words(text)
    assert "".join(word for word, _tag in words) == text
    assert ("执行局", "n") in words
