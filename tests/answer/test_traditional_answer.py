"""Questions in Traditional characters are answered in Traditional characters; the citation
check still works on the Simplified passages, and citations are left intact."""

from __future__ import annotations

from assistant.answer.language import traditional_stream
from assistant.answer.types import Answer
from assistant.text.variants import is_traditional
from tests.answer.conftest import ZH_330, ScriptedModel, make_passage

TRADITIONAL_QUESTION = "委員會在哪一次會議上審議了該報告？"
SIMPLIFIED_QUESTION = "委员会在哪一次会议上审议了该报告？"
SENTENCE = ZH_330.split("。")[0] + "。"
ANSWER = f"{SENTENCE} [1]"


def test_traditional_question_gets_a_traditional_answer(make_assistant) -> None:
    model = ScriptedModel()
    items = list(make_assistant(model, [make_passage(ZH_330, 0)]).stream(TRADITIONAL_QUESTION))
    *deltas, final = items
    assert isinstance(final, Answer)
    assert "".join(d for d in deltas if isinstance(d, str)) == final.text  # as it was written
    assert is_traditional(final.text) and final.language == "zh"
    assert final.text.endswith(" [1]")
    assert [c.number for c in final.citations] == [1]
    assert final.citations[0].passage.text == ZH_330  # the source stays as written
    assert final.citations[0].supporting_sentences == [SENTENCE]
    assert final.question == TRADITIONAL_QUESTION  # as the user asked it


def test_the_pipeline_reads_a_traditional_question_in_simplified(make_assistant) -> None:
    """The documents are Simplified: the model's choice prompt shows the question as they
    would write it, so it compares like with like."""
    model = ScriptedModel()
    make_assistant(model, [make_passage(ZH_330, 0)]).ask(TRADITIONAL_QUESTION)
    prompt = "\n".join(m.content for m in model.choice_calls[0])
    assert SIMPLIFIED_QUESTION in prompt and TRADITIONAL_QUESTION not in prompt


def test_simplified_question_is_left_alone(make_assistant) -> None:
    final = make_assistant(ScriptedModel(), [make_passage(ZH_330, 0)]).ask(SIMPLIFIED_QUESTION)
    assert final.text == ANSWER


def test_refusal_to_a_traditional_question_is_traditional(make_assistant) -> None:
    passage = make_passage("气候变化是我们这个时代的决定性问题。", 0)
    final = make_assistant(ScriptedModel([]), [passage]).ask("阿富汗的選舉在哪一天舉行？")
    assert final.refused and is_traditional(final.text)


def test_phrases_split_between_deltas_convert_as_one() -> None:
    """头发 is 頭髮 (hair), 发展 is 發展: the character held back decides."""
    final = Answer(question="", text="", language="zh")
    items = list(traditional_stream(iter(["他的头", "发很长，经济发", "展很快", final]), ""))
    assert "".join(i for i in items if isinstance(i, str)) == "他的頭髮很長，經濟發展很快"
