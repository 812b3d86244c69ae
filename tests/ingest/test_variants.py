"""Traditional/Simplified folding (OpenCC) and the script of a text."""

from __future__ import annotations

import pytest

from assistant.text.tokenize import lexical_tokens
from assistant.text.variants import is_traditional, to_simplified, to_traditional


@pytest.mark.parametrize(
    ("text", "traditional"),
    [
        ("反恐委員會在哪一次會議上審議了聯合報告？", True),
        ("反恐委员会在哪一次会议上审议了联合报告？", False),
        ("CTED 的任務是什麼？", True),
        ("What did 聯合國 say?", True),
        ("后来的发展", False),
        ("What did the Committee decide?", False),
        ("", False),
    ],
)
def test_script_of_a_text(text: str, traditional: bool) -> None:
    assert is_traditional(text) is traditional


def test_folding_keeps_everything_but_the_characters() -> None:
    text = "安全理事會第2395(2017)號決議[1]，S/2018/208。"
    assert to_simplified(text) == "安全理事会第2395(2017)号决议[1]，S/2018/208。"
    assert to_traditional(to_simplified(text)) == text
    assert to_simplified("The Committee") == "The Committee"


def test_simplified_text_is_unchanged_by_folding() -> None:
    text = "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，乾隆著作"
    assert to_simplified(text) == text


def test_both_scripts_give_the_same_tokens() -> None:
    assert lexical_tokens("反恐怖主義委員會執行局") == lexical_tokens("反恐怖主义委员会执行局")
    assert "委员" in lexical_tokens("委員會")  # jieba's sub-words need the Simplified form
