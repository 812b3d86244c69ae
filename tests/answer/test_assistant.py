"""The pipeline over fakes: streaming, checked citations, errors, timings and prompt hashes."""

from __future__ import annotations

import pytest

from assistant.answer.assistant import EmptyQuestionError
from assistant.answer.types import Answer, Turn
from tests.answer.conftest import EN_SDG, ZH_330, ScriptedModel, make_passage

QUESTION = "委员会在哪一次会议上审议了该报告？"
REPLY = "委员会在2018年4月19日举行的第330次会议上审议了该报告[1][9]。"


def test_stream_yields_deltas_then_the_final_answer(make_assistant) -> None:
    model = ScriptedModel([REPLY])
    items = list(make_assistant(model, [make_passage(ZH_330, 0)]).stream(QUESTION))
    *deltas, final = items
    assert all(isinstance(d, str) for d in deltas)
    assert "".join(deltas) == REPLY
    assert isinstance(final, Answer)
    assert final.text == "委员会在2018年4月19日举行的第330次会议上审议了该报告[1]。"
    assert final.raw_text == REPLY
    assert not final.refused
    assert final.language == "zh"
    assert [c.passage.source for c in final.citations] == ["doc0.txt"]
    assert {"retrieve", "relevance", "pack", "ttft", "generate", "attribute", "total"} <= set(
        final.timings
    )
    assert {"zh/system", "zh/answer", "zh/example_answer"} <= set(final.prompt_hashes)
    assert final.relevance["lexical"] > 0.5
    assert final.model == "scripted"


def test_prompt_delimits_passages_and_is_deterministic(make_assistant) -> None:
    model = ScriptedModel([REPLY])
    make_assistant(model, [make_passage(ZH_330, 0, symbol="S/2018/1")]).ask(QUESTION)
    messages = model.calls[0]
    assert [m.role for m in messages] == ["system", "user", "assistant", "user"]
    assert '<passage id="1" ref="S/2018/1">' in messages[-1].content
    assert messages[-1].content.rstrip().endswith("请用中文回答，并用[n]注明来源段落。")
    assert model.params[0].temperature == 0.0
    assert model.params[0].seed == 42


def test_english_question_gets_english_prompts(make_assistant) -> None:
    model = ScriptedModel(["The United States pledged 12 million dollars to the new fund [1]."])
    answer = make_assistant(model, [make_passage(EN_SDG, 0)]).ask(
        "How much did the United States pledge to the new fund?"
    )
    assert answer.language == "en"
    assert "en/system" in answer.prompt_hashes
    assert answer.text.endswith("fund [1].")


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_a_polite_error(make_assistant, question: str) -> None:
    with pytest.raises(EmptyQuestionError, match="请输入"):
        make_assistant(ScriptedModel(), []).ask(question)


def test_long_question_truncated_with_a_warning(make_assistant) -> None:
    model = ScriptedModel([REPLY])
    assistant = make_assistant(model, [make_passage(ZH_330, 0)], max_question_chars=50)
    answer = assistant.ask(QUESTION * 20)
    assert len(answer.question) == 50
    assert answer.warnings and "truncated" in answer.warnings[0]


def test_follow_up_condensed_before_retrieval(make_assistant) -> None:
    model = ScriptedModel(["委员会在哪一次会议上审议了联合报告？", REPLY])
    assistant = make_assistant(model, [make_passage(ZH_330, 0)])
    history = [Turn("联合报告是谁编写的？", "执行局和反恐怖主义办公室编写了联合报告[1]。")]
    answer = assistant.ask("在哪次会议上审议的？", history)
    assert answer.standalone_question == "委员会在哪一次会议上审议了联合报告？"
    assert assistant.retriever.queries == ["委员会在哪一次会议上审议了联合报告？"]
    assert "condense" in answer.timings
    assert "zh/condense" in answer.prompt_hashes


def test_filters_reach_the_retriever(make_assistant) -> None:
    passages = [make_passage(ZH_330, 0), make_passage(EN_SDG, 1)]
    model = ScriptedModel(["The United States pledged 12 million dollars [1]."])
    answer = make_assistant(model, passages).ask(
        "How much did the United States pledge to the new fund?", langs=["en"]
    )
    assert [p.lang for p in answer.passages] == ["en"]


def test_quote_then_answer_streams_only_the_answer(make_assistant) -> None:
    reply = (
        "引文[1]：委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，"
        "建议将该文件作为安全理事会文件分发。\n回答：委员会在第330次会议上审议了该报告。"
    )
    model = ScriptedModel([reply])
    assistant = make_assistant(model, [make_passage(ZH_330, 0)], strategy="quote_then_answer")
    *deltas, final = list(assistant.stream(QUESTION))
    assert "".join(deltas) == "委员会在第330次会议上审议了该报告。"
    assert final.text == "委员会在第330次会议上审议了该报告[1]。"
    assert final.citations[0].supporting_sentences[0].startswith("委员会在2018年4月19日")
    assert "zh/answer_quote" in final.prompt_hashes


def test_evidence_sentences_come_before_the_first_token_when_asked_for(make_assistant) -> None:
    from assistant.answer.types import RetrievedEvidence

    model = ScriptedModel(["The United States pledged 12 million dollars to the new fund [1]."])
    assistant = make_assistant(model, [make_passage(EN_SDG, 0)])
    items = list(
        assistant.stream(
            "How much did the United States pledge to the new fund?", evidence_events=True
        )
    )
    assert isinstance(items[0], RetrievedEvidence)
    assert (
        items[0].sentences[0].text
        == "We pledged 12 million dollars to the new fund in September 2018."
    )
    assert isinstance(items[1], str)
    plain = list(assistant.stream("How much did the United States pledge to the new fund?"))
    assert not any(isinstance(item, RetrievedEvidence) for item in plain)
