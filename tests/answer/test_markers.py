"""Citation markers in every shape a model writes them are read, stripped and rewritten."""

from __future__ import annotations

from assistant.answer.markers import insert_markers, marker_numbers, strip_markers


def test_marker_shapes() -> None:
    text, markers = strip_markers("A [1]. B [1, 2]. C [3][4]. D 【5】. E [2-4]. F [passage 6].")
    assert text == "A. B. C. D. E. F."
    assert [m.numbers for m in markers] == [(1,), (1, 2), (3,), (4,), (5,), (2, 3, 4), (6,)]


def test_chinese_markers_and_separators() -> None:
    text, markers = strip_markers("委员会审议了报告[1、2]。执行局【3】负责评估。")
    assert text == "委员会审议了报告。执行局负责评估。"
    assert [m.numbers for m in markers] == [(1, 2), (3,)]


def test_marker_position_is_in_stripped_text() -> None:
    text, markers = strip_markers("第330次会议[1]。")
    assert text[: markers[0].position] == "第330次会议"


def test_absurd_range_is_not_expanded() -> None:
    assert marker_numbers("1-900") == (1, 900)


def test_insert_before_closing_punctuation() -> None:
    assert insert_markers("委员会审议了报告。", [1, 2]) == "委员会审议了报告[1][2]。"
    assert insert_markers("The report was considered.", [1]) == "The report was considered [1]."
    assert insert_markers("No punctuation", [3]) == "No punctuation [3]"
    assert insert_markers("Unchanged.", []) == "Unchanged."
