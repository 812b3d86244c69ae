"""How a message is understood within its conversation (``answer/understanding.py``)."""

from __future__ import annotations

from assistant.answer.types import Turn
from assistant.answer.understanding import understand

PREVIOUS = Turn(
    "反恐委员会主席是哪天写信把2018年工作方案转交安理会的？",
    "2018年3月9日反恐委员会主席给安全理事会主席的信 [1]",
    ("c1",),
)


def test_a_standalone_question_is_untouched_by_the_conversation() -> None:
    understood = understand("反恐执行局有多少个员额？", [PREVIOUS])
    assert not understood.followup
    assert understood.question == understood.query == "反恐执行局有多少个员额？"


def test_a_resolved_follow_up_is_answered_as_its_standalone_reading() -> None:
    previous = Turn(
        "反恐委员会在哪一次会议上审议了联合报告？", "委员会在第330次会议上审议了该报告。[1]"
    )
    understood = understand("那次会议是哪天举行的？", [previous])
    assert understood.method == "reference"
    assert understood.question == understood.display == "第330次会议是哪天举行的？"


def test_an_unresolved_follow_up_is_searched_in_context_but_chosen_for_its_own_words() -> None:
    understood = understand("信是谁签的？", [PREVIOUS])
    assert understood.method == "fallback"
    assert understood.question == "信是谁签的？"  # the evidence is chosen for what it asks
    assert "2018年工作方案" in understood.display  # the reading shown says it was in context
    assert "反恐委员会主席" in understood.query  # and the search carries the context
    assert understood.carried_chunk_ids == frozenset({"c1"})
