"""The pipeline over fakes: the model chooses, the code composes, refusal is calibrated."""

from __future__ import annotations

import pytest

from assistant.answer.confidence import ConfidenceModel
from assistant.answer.pipeline import EmptyQuestionError
from assistant.answer.types import Answer, RetrievedEvidence
from tests.answer.conftest import EN_SDG, ZH_330, ZH_OTHER, ScriptedModel, make_passage

QUESTION = "委员会在哪一次会议上审议了该报告？"
ZH_330_SENTENCE = ZH_330.split("。")[0] + "。"


def test_chosen_sentence_is_the_answer_verbatim_with_its_citation(make_assistant) -> None:
    model = ScriptedModel()
    items = list(make_assistant(model, [make_passage(ZH_330, 0)]).stream(QUESTION))
    *deltas, final = items
    assert isinstance(final, Answer)
    assert not final.refused
    assert final.text == f"{ZH_330_SENTENCE} [1]"
    assert "".join(d for d in deltas if isinstance(d, str)) == final.text
    assert [c.passage.source for c in final.citations] == ["doc0.txt"]
    assert final.citations[0].supporting_sentences == [ZH_330_SENTENCE]
    assert model.calls == []  # same language: nothing for the model to write
    assert {"retrieve", "candidates", "select", "ttft", "total"} <= set(final.timings)
    assert {"zh/select_system", "zh/select"} <= set(final.prompt_hashes)
    assert final.selection["model_choice"] == 1 and final.selection["judged"] == 1


def test_the_selection_prompt_numbers_the_candidates_and_offers_none(make_assistant) -> None:
    model = ScriptedModel()
    passages = [make_passage(ZH_330, 0), make_passage(ZH_OTHER, 1)]
    make_assistant(model, passages).ask(QUESTION)
    user = model.choice_calls[0][-1].content
    assert "1. " in user and "2. " in user
    assert "0. 这些句子都不能回答这个问题。" in user
    assert QUESTION in user


def test_the_model_choosing_none_declines_without_a_citation(make_assistant) -> None:
    model = ScriptedModel(choices=["0"])
    answer = make_assistant(model, [make_passage(ZH_OTHER, 0, symbol="S/2018/9")]).ask(QUESTION)
    assert answer.refused
    assert answer.refusal_reason == "not_confident"
    assert answer.citations == []
    assert "[1]" not in answer.text
    assert "S/2018/9" in answer.text  # what the closest passage does say, named plainly


def test_a_choice_below_the_calibrated_confidence_is_declined(make_assistant) -> None:
    unsure = {"0": 0.3, "1": 0.35, "2": 0.35}
    model = ScriptedModel(choices=[unsure, unsure])
    passages = [make_passage(ZH_330, 0), make_passage(ZH_OTHER, 1)]
    strict = ConfidenceModel([10.0, 0.0, 0.0, 0.0, 0.0], bias=-6.0, threshold=0.5)
    assistant = make_assistant(model, passages)
    assistant.confidence = strict
    answer = assistant.ask(QUESTION)
    assert answer.refused and answer.confidence is not None and answer.confidence < 0.5
    assistant.confidence = ConfidenceModel([10.0, 0.0, 0.0, 0.0, 0.0], bias=-3.0, threshold=0.5)
    assert not assistant.ask(QUESTION).refused


def test_a_declined_answer_quotes_the_candidate_judged_likeliest(make_assistant) -> None:
    """Below the threshold the refusal still names what the documents come closest to saying:
    the candidate the calibrated judgment found likeliest, not merely the ranker's first."""
    leaning_second = {"0": 0.2, "1": 0.1, "2": 0.7}
    model = ScriptedModel(choices=[leaning_second])
    passages = [make_passage(ZH_330, 0), make_passage(ZH_OTHER, 1)]
    assistant = make_assistant(model, passages)
    assistant.confidence = ConfidenceModel([10.0, 0.0, 0.0, 0.0, 0.0], bias=-9.0, threshold=0.5)
    answer = assistant.ask(QUESTION)
    assert answer.refused and answer.refusal_reason == "not_confident"
    listed = model.choice_calls[0][-1].content
    second = listed.split("\n2. ", 1)[1].split("\n", 1)[0]
    assert answer.closest_sentence == second
    assert second in answer.text and answer.citations == []


def test_english_answer_over_a_chinese_sentence_is_translated_with_the_original(
    make_assistant,
) -> None:
    model = ScriptedModel(replies=["The Committee considered the report at its 330th meeting."])
    answer = make_assistant(model, [make_passage(ZH_330, 0)], min_relevance=0.0).ask(
        "At which meeting did the Committee consider the report?"
    )
    assert answer.language == "en"
    first, original = answer.text.split("\n")[0], answer.text.split("\n")[-1]
    assert first == "The Committee considered the report at its 330th meeting. [1]"
    assert original == f"Original: “{ZH_330_SENTENCE}”"
    params = model.params[0]
    assert params.ban_cjk and params.grammar is None  # banned by logit bias, not a grammar
    prompt = model.calls[0][-1].content
    assert "第330次会议 = 330th meeting" in prompt  # the figures rendered by the parsers


def test_figures_the_translation_lost_are_listed_as_the_parsers_read_them(
    make_assistant,
) -> None:
    model = ScriptedModel(replies=["The Committee considered the report at a meeting."])
    answer = make_assistant(model, [make_passage(ZH_330, 0)], min_relevance=0.0).ask(
        "At which meeting did the Committee consider the report?"
    )
    assert "Figures in the original: 330th meeting [1]" in answer.text


def test_chinese_answer_over_an_english_sentence_is_translated(make_assistant) -> None:
    model = ScriptedModel(replies=["我们于2018年9月向新基金认捐了1200万美元。"])
    assistant = make_assistant(model, [make_passage(EN_SDG, 0)], min_relevance=0.0)
    answer = assistant.ask("美国向新基金认捐了多少钱？")
    assert answer.language == "zh"
    assert answer.text.startswith("我们于2018年9月向新基金认捐了1200万美元。 [1]")
    assert "原文：“We pledged 12 million dollars" in answer.text
    assert not model.params[0].ban_cjk


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_a_polite_error(make_assistant, question: str) -> None:
    with pytest.raises(EmptyQuestionError, match="请输入"):
        make_assistant(ScriptedModel(), []).ask(question)


def test_long_question_truncated_with_a_warning(make_assistant) -> None:
    assistant = make_assistant(ScriptedModel(), [make_passage(ZH_330, 0)], max_question_chars=50)
    answer = assistant.ask(QUESTION * 20)
    assert len(answer.question) == 50
    assert answer.warnings and "truncated" in answer.warnings[0]


def test_filters_reach_the_retriever(make_assistant) -> None:
    passages = [make_passage(ZH_330, 0), make_passage(EN_SDG, 1)]
    answer = make_assistant(ScriptedModel(), passages).ask(
        "How much did the United States pledge to the new fund?", langs=["en"]
    )
    assert [p.lang for p in answer.passages] == ["en"]


def test_evidence_sentences_come_before_the_choice_when_asked_for(make_assistant) -> None:
    assistant = make_assistant(ScriptedModel(), [make_passage(EN_SDG, 0)])
    question = "How much did the United States pledge to the new fund?"
    items = list(assistant.stream(question, evidence_events=True))
    assert isinstance(items[0], RetrievedEvidence)
    assert items[0].sentences[0].text.startswith("We pledged 12 million dollars")
    plain = list(assistant.stream(question))
    assert not any(isinstance(item, RetrievedEvidence) for item in plain)


def test_a_typed_part_the_chosen_sentence_lacks_takes_the_next_probable_sentence(
    make_assistant,
) -> None:
    meeting = "委员会在第330次会议上审议了该报告。"
    date = "该次会议于2018年4月19日举行。"
    choice = {"0": 0.05, "1": 0.6, "2": 0.35}
    model = ScriptedModel(choices=[choice])
    passages = [make_passage(meeting, 0), make_passage(date, 1)]
    answer = make_assistant(model, passages).ask("委员会在哪一天、第几次会议上审议了该报告？")
    assert "第330次会议" in answer.text and "2018年4月19日" in answer.text
    assert [c.number for c in answer.citations] == [1, 2]
