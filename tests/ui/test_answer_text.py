"""How an answer's text reaches the chat: no accidental Markdown lists, unverified sentences
marked where they stand, and the question as understood above a follow-up's answer."""

from __future__ import annotations

import pytest

from assistant.chat.session import ChatSession, TurnRecord
from assistant.ui.citations import render_answer_html
from assistant.ui.labels import LABELS
from assistant.ui.markdown import escape_false_lists
from assistant.ui.messages import answer_html, render_messages
from assistant.ui.unsupported import flagged_spans
from tests.ui.conftest import make_answer

EVIL = '<img src=x onerror="alert(1)"><script>alert(2)</script>${x}'

# --- figures that Markdown would take for list numbering ----------------------------------

LISTS = [
    # a single numbered line is no list
    ("8. 委员会在第330次会议上审议了该报告。", "8\\. 委员会在第330次会议上审议了该报告。"),
    ("2018. It was adopted that year.", "2018\\. It was adopted that year."),
    ("1. The Committee met once.", "1\\. The Committee met once."),
    ("8) Eight entities joined.", "8\\) Eight entities joined."),
    ("  8. indented", "  8\\. indented"),
    # numbers that do not count up from 1
    ("3. a\n4. b", "3\\. a\n4\\. b"),
    ("1. a\n3. b", "1\\. a\n3\\. b"),
    ("1. a\n2) b", "1\\. a\n2\\) b"),  # one list has one delimiter
    # real lists stay lists, with other lines between their items
    ("1. a\n2. b\n3. c", "1. a\n2. b\n3. c"),
    ("1) a\n2) b", "1) a\n2) b"),
    ("Steps:\n1. plan\n   more on it\n\n2. act", "Steps:\n1. plan\n   more on it\n\n2. act"),
    ("1. a\n2. b\n8. c", "1. a\n2. b\n8\\. c"),  # the list ends where the count breaks
    ("1. a\n2. b\n\n1. c\n2. d", "1. a\n2. b\n\n1. c\n2. d"),  # two lists
    # not list markers at all
    ("8.5 per cent of the budget.", "8.5 per cent of the budget."),
    ("    8. a code block", "    8. a code block"),
    ("The 8. line", "The 8. line"),
    ("第8段规定了期限。", "第8段规定了期限。"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), LISTS)
def test_escape_false_lists(text: str, expected: str) -> None:
    assert escape_false_lists(text) == expected


def test_answer_starting_with_a_figure_is_no_list_item() -> None:
    html = render_answer_html("8. 委员会在第330次会议上审议了该报告[1]。", turn=0, cited={1})
    assert html.startswith("8\\. 委员会")
    assert "cite-t0 cite-n1" in html


def test_real_list_in_an_answer_stays_a_list() -> None:
    html = render_answer_html("Steps:\n1. Plan [1]\n2. Act [2]", turn=0, cited={1, 2})
    assert "\n1. Plan" in html and "\n2. Act" in html


def test_streaming_text_and_refusals_are_escaped_too() -> None:
    session = ChatSession(turns=[TurnRecord(question="q")])
    streaming = render_messages(session, "en", partial="2018. It was", streaming_turn=0)
    assert "2018\\. It was" in streaming[1]["content"]
    refused = make_answer(text="8. 文件没有说明。", refused=True)
    assert "8\\. 文件没有说明。" in answer_html(refused, 0, "zh")


# --- sentences that no passage supports ---------------------------------------------------

SUPPORTED = "委员会在第330次会议上审议了该报告[1]。"
GUESSED = "会议由俄罗斯主持。"


def test_unsupported_sentence_is_marked_where_it_stands() -> None:
    answer = make_answer(text=SUPPORTED + GUESSED, unsupported_sentences=[GUESSED])
    html = answer_html(answer, 0, "zh")
    assert (
        '<span class="unsupported-claim">会议由俄罗斯主持。'
        '<sup class="unsupported-mark" title="没有引用段落支持这句话，使用前请对照出处核实。">'
        "⚠ 未核实</sup></span>"
    ) in html
    supported, _mark, _rest = html.partition('<span class="unsupported-claim">')
    assert "cite-t0 cite-n1" in supported  # the supported sentence is left as it was


def test_mark_label_follows_the_interface_language() -> None:
    answer = make_answer(
        text="It met in May. It met in June.", unsupported_sentences=["It met in June."]
    )
    html = answer_html(answer, 0, "en")
    assert "⚠ not verified</sup>" in html
    assert html.index("It met in May.") < html.index('class="unsupported-claim"')


def test_marked_sentence_is_escaped() -> None:
    answer = make_answer(text=f"Fine [1]. {EVIL}", unsupported_sentences=[EVIL])
    html = answer_html(answer, 0, "en")
    assert "<script" not in html and "<img" not in html and "${" not in html
    assert "&lt;script&gt;" in html and "unsupported-claim" in html


def test_sentence_is_found_despite_different_spacing() -> None:
    text = "委员会在 2018 年 4 月举行会议。"
    assert flagged_spans(text, ["委员会在2018年4月举行会议。"]) == [(0, len(text))]


def test_sentence_no_longer_in_the_text_is_not_marked() -> None:
    answer = make_answer(unsupported_sentences=["A sentence the text does not have."])
    assert "unsupported-claim" not in answer_html(answer, 0, "en")


def test_repeated_sentence_is_marked_each_time_in_order() -> None:
    text = "Same. Other [1]. Same."
    assert flagged_spans(text, ["Same.", "Same."]) == [(0, 5), (17, 22)]


def test_marked_list_item_keeps_its_number_outside_the_mark() -> None:
    text = "1. Met in May [1].\n2. Met in June."
    html = render_answer_html(text, 0, {1}, unsupported=["2. Met in June."])
    assert '\n2. <span class="unsupported-claim">Met in June.' in html
    assert html.startswith("1. Met in May")  # still a real two-item list


def test_streaming_text_has_no_marks() -> None:
    session = ChatSession(turns=[TurnRecord(question="q")])
    content = render_messages(session, "en", partial=GUESSED, streaming_turn=0)[1]["content"]
    assert "unsupported" not in content


# --- the question as understood -----------------------------------------------------------


@pytest.mark.parametrize(
    ("ui_lang", "line"),
    [
        ("en", "Understood as: 执行局有多少个经常预算员额？"),
        ("zh", "理解为：执行局有多少个经常预算员额？"),
    ],
)
def test_understood_as_line_above_a_follow_ups_answer(ui_lang: str, line: str) -> None:
    answer = make_answer(
        question="那执行局呢？", standalone_question="执行局有多少个经常预算员额？"
    )
    html = answer_html(answer, 0, ui_lang)
    assert html.startswith(f'<div class="understood-as">{line}</div>\n\n')
    assert "cite-t0 cite-n1" in html  # the answer follows


@pytest.mark.parametrize(
    "standalone",
    [
        None,
        "",
        "反恐委员会在哪一次会议上审议了联合报告？",
        "反恐委员会在哪一次会议上审议了联合报告",
    ],
)
def test_no_understood_as_line_when_the_question_was_read_as_asked(standalone: str | None) -> None:
    answer = make_answer(standalone_question=standalone)
    assert "understood-as" not in answer_html(answer, 0, "en")


def test_understood_as_line_is_escaped() -> None:
    answer = make_answer(question="And it?", standalone_question=EVIL)
    html = answer_html(answer, 0, "en")
    assert "<script" not in html and "${" not in html and "understood-as" in html


def test_refusal_of_a_follow_up_shows_how_it_was_understood() -> None:
    answer = make_answer(
        question="那执行局呢？",
        standalone_question="执行局有多少个经常预算员额？",
        text="",
        refused=True,
    )
    html = answer_html(answer, 0, "zh")
    assert html.index("understood-as") < html.index("refused-badge")


def test_new_labels_exist_in_both_languages() -> None:
    for key in ("unsupported_mark", "unsupported_mark_title", "understood_as"):
        assert set(LABELS[key]) == {"en", "zh"} and all(LABELS[key].values())
    assert "{question}" in LABELS["understood_as"]["en"]
    assert "{question}" in LABELS["understood_as"]["zh"]
