"""One chat session type: the whole conversation kept, a bounded history handed on."""

from __future__ import annotations

from assistant.answer.types import Answer, Turn
from assistant.chat.session import ChatSession, TurnRecord


def _answer(question: str, text: str) -> Answer:
    return Answer(question=question, text=text, language="zh")


def test_history_is_oldest_first_and_bounded_on_request() -> None:
    session = ChatSession()
    for i in range(3):
        session.add(f"q{i}", _answer(f"q{i}", f"a{i}"))
    assert session.history(2) == [Turn("q1", "a1"), Turn("q2", "a2")]
    assert len(session.history()) == 3
    assert len(session.turns) == 3


def test_unanswered_turns_are_not_history_and_zero_turns_keeps_nothing() -> None:
    session = ChatSession()
    session.add("问题", _answer("问题", "回答[1]。"))
    session.turns.append(TurnRecord("pending"))
    assert session.history() == [Turn("问题", "回答[1]。")]
    assert session.history(0) == []
    assert session.last_answered() == 0


def test_reset_forgets_turns_and_selection() -> None:
    session = ChatSession()
    session.add("q", _answer("q", "a"))
    session.selected_turn, session.selected_citation = 0, 1
    session.reset()
    assert session.turns == [] and session.history() == []
    assert (session.selected_turn, session.selected_citation) == (None, None)


def test_a_declined_answer_hands_on_only_the_sentence_it_quoted() -> None:
    """A refusal names the closest passage by its file name ("KAZ_73_2018.txt"): that is not
    what "it" in the next question stands for; the quoted sentence may be."""
    session = ChatSession()
    declined = _answer(
        "哈萨克斯坦放弃了什么？",
        "文件中没有相关信息。检索到的最接近的内容（KAZ_73_2018.txt）：“哈萨克斯坦关闭了试验场。”",
    )
    declined.refused = True
    declined.closest_sentence = "哈萨克斯坦关闭了试验场。"
    session.add("哈萨克斯坦放弃了什么？", declined)
    assert session.history() == [Turn("哈萨克斯坦放弃了什么？", "哈萨克斯坦关闭了试验场。")]
