"""The answer language follows the question, or the user's explicit choice."""

from __future__ import annotations

import pytest

from assistant.answer.language import answer_language


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("反恐委员会在哪一次会议上审议了联合报告？", "zh"),
        ("At which meeting did the Counter-Terrorism Committee consider the joint report?", "en"),
        # mixed scripts: the question words decide, not the quoted names
        ("CTED 的任务是什么？", "zh"),
        ("S/2018/208 是什么文件", "zh"),
        ("What does 反恐怖主义委员会执行局 do?", "en"),
        ("Which meeting adopted 第2395(2017)号决议?", "en"),
        # very short questions
        ("执行局", "zh"),
        ("CTED?", "en"),
        # other languages get English
        ("Qu'est-ce que le CTED?", "en"),
    ],
)
def test_language_follows_question(question: str, expected: str) -> None:
    assert answer_language(question) == expected


@pytest.mark.parametrize("override", ["zh", "en"])
def test_user_override_wins(override: str) -> None:
    assert answer_language("What is CTED?", override) == override
    assert answer_language("执行局是什么？", override) == override


def test_auto_override_detects() -> None:
    assert answer_language("执行局是什么？", "auto") == "zh"
    assert answer_language("What is CTED?", None) == "en"
