"""A chat session keeps only the last few turns, in order."""

from __future__ import annotations

from assistant.answer.types import Answer, Turn
from assistant.chat.session import ChatSession


def test_bounded_history_oldest_first() -> None:
    session = ChatSession(max_turns=2)
    for i in range(3):
        session.add(f"q{i}", f"a{i}")
    assert session.history == (Turn("q1", "a1"), Turn("q2", "a2"))
    assert len(session) == 2


def test_answers_are_stored_as_their_text_and_reset_clears() -> None:
    session = ChatSession()
    session.add("问题", Answer(question="问题", text="回答[1]。", language="zh"))
    assert session.history == (Turn("问题", "回答[1]。"),)
    session.reset()
    assert session.history == ()


def test_zero_turns_keeps_nothing() -> None:
    session = ChatSession(max_turns=0)
    session.add("q", "a")
    assert session.history == ()
