"""The one front door for questions: cleaning, the cut, the empty-question error."""

from __future__ import annotations

import pytest

from assistant.answer.question_input import (
    EmptyQuestionError,
    clean_question,
    empty_question_message,
    read_question,
)


def test_control_format_and_surrogate_characters_are_removed():
    assert clean_question("  What\x00 is\x1b CTED?\u200b ") == "What is CTED?"
    assert clean_question("\x1b[31m报告") == "[31m报告"
    assert clean_question("abc\u202edef\u2066g\u2069") == "abcdefg"  # bidi overrides
    assert clean_question("What about \ud800 elections?") == "What about  elections?"
    assert clean_question("\ufeffQ") == "Q"


def test_newlines_tabs_and_joiners_are_kept():
    assert clean_question("第一行\n第二行\tx") == "第一行\n第二行\tx"
    family = "👨\u200d👩\u200d👧"
    assert clean_question(family) == family


EMPTY = ["", None, "   ", " \n\t\r\u3000\u00a0 ", "\x00\x01\x1b", "\u200b\u200c\u200d", "\ufeff"]


@pytest.mark.parametrize("text", EMPTY)
def test_nothing_visible_is_an_empty_question(text):
    with pytest.raises(EmptyQuestionError) as caught:
        read_question(text, 100)
    assert caught.value.code == "empty_question"
    assert str(caught.value) == empty_question_message()
    assert "Please type a question" in str(caught.value) and "请输入" in str(caught.value)


def test_the_empty_message_in_one_language():
    with pytest.raises(EmptyQuestionError, match=r"^请输入一个关于文件内容的问题。$"):
        read_question(" ", 100, "zh")
    assert empty_question_message("en") == "Please type a question about the documents."


def test_a_long_question_is_cut_and_says_so():
    read = read_question("x" * 80_000, 1000)
    assert read.text == "x" * 1000 and read.cut and read.length == 80_000
    assert read.notice("en") == (
        "The question was 80000 characters long; only its first 1000 were used."
    )
    assert "80000" in read.notice("zh") and "1000" in read.notice("zh")


def test_a_short_question_passes_unchanged():
    read = read_question("  委员会在哪一次会议上审议了该报告？ ", 1000)
    assert read.text == "委员会在哪一次会议上审议了该报告？"
    assert not read.cut and read.notice("en") == ""


def test_reading_a_question_twice_changes_nothing():
    once = read_question("\x1bWhat did the Committee decide? " * 100, 100)
    assert len(once.text) <= 100 and not once.text.endswith(" ")
    assert read_question(once.text, 100).text == once.text
