"""Refusal from retrieval evidence (no model call) and the model's own refusal passed through."""

from __future__ import annotations

from assistant.answer.refusal import is_model_refusal, relevance, should_refuse
from tests.answer.conftest import EN_SDG, ZH_330, ForbiddenModel, ScriptedModel, make_passage


def test_relevance_lexical_coverage() -> None:
    passages = [make_passage(ZH_330, 0), make_passage(EN_SDG, 1)]
    on_topic = relevance("委员会在哪一次会议上审议了该报告？", passages)
    off_topic = relevance("南极洲的企鹅数量是多少？", passages)
    assert on_topic.lexical > 0.6
    assert off_topic.lexical == 0.0
    assert should_refuse(off_topic, "lexical", 0.3)
    assert not should_refuse(on_topic, "lexical", 0.3)
    assert relevance("anything", []).combined == 0.0


def test_absent_topic_refused_without_calling_the_model(make_assistant) -> None:
    assistant = make_assistant(ForbiddenModel(), [make_passage(ZH_330, 0)])
    answer = assistant.ask("南极洲的企鹅数量是多少？")
    assert answer.refused and answer.refusal_reason == "no_relevant_passages"
    assert answer.text == "文件中没有相关信息，无法回答这个问题。"
    assert answer.citations == []
    assert answer.language == "zh"
    assert "zh/refusal" in answer.prompt_hashes


def test_absent_topic_refused_in_english(make_assistant) -> None:
    assistant = make_assistant(ForbiddenModel(), [make_passage(ZH_330, 0)])
    answer = assistant.ask("How many penguins live in Antarctica?")
    assert answer.refused
    assert answer.text == "The documents do not contain information to answer this question."


def test_model_refusal_phrases(prompts) -> None:
    phrases = (
        prompts.get("model_refusal_phrases", "zh").lines()
        + prompts.get("model_refusal_phrases", "en").lines()
    )
    assert is_model_refusal("文件中没有相关信息。", phrases)
    assert is_model_refusal("The documents do not contain this information.", phrases)
    assert is_model_refusal("", phrases)
    assert not is_model_refusal("The Committee met on 19 April 2018 [1].", phrases)
    # a caveat after the facts is still an answer
    assert not is_model_refusal(
        "The report was considered at the 330th meeting [1]. The documents do not mention "
        "who chaired it.",
        phrases,
    )


def test_model_refusal_passed_through_without_citations(make_assistant) -> None:
    model = ScriptedModel(["文件中没有相关信息[1]。"])
    answer = make_assistant(model, [make_passage(ZH_330, 0)], typed_facts=False).ask(
        "委员会在哪一次会议上审议了该报告？"
    )
    assert answer.refused and answer.refusal_reason == "model_declined"
    assert answer.text == "文件中没有相关信息。"
    assert answer.citations == []


def test_a_declining_reply_still_gets_the_fact_its_evidence_sentence_holds(
    make_assistant,
) -> None:
    model = ScriptedModel(["文件中没有相关信息[1]。"])
    answer = make_assistant(model, [make_passage(ZH_330, 0)]).ask(
        "委员会在哪一次会议上审议了该报告？"
    )
    assert not answer.refused
    assert answer.text == "会议：第330次会议[1]"
    assert answer.citations[0].supporting_sentences[0].startswith("委员会在2018年4月19日")


def test_model_refusal_in_the_wrong_language_replaced(make_assistant) -> None:
    model = ScriptedModel(["文件中没有相关信息。"])
    answer = make_assistant(model, [make_passage(EN_SDG, 0)], typed_facts=False).ask(
        "How much did the United States pledge to the new fund?"
    )
    assert answer.refused and answer.refusal_reason == "model_declined"
    assert answer.text == "The documents do not contain information to answer this question."


def test_reply_that_no_passage_supports_becomes_a_refusal(make_assistant) -> None:
    model = ScriptedModel(["委员会决定向秘书处拨款5000万美元。"])
    assistant = make_assistant(model, [make_passage(ZH_330, 0)], typed_facts=False)
    answer = assistant.ask("委员会向秘书处拨款多少？")
    assert answer.refused and answer.refusal_reason == "unsupported_answer"
    assert answer.unsupported_sentences == ["委员会决定向秘书处拨款5000万美元。"]
    assert answer.raw_text == "委员会决定向秘书处拨款5000万美元。"


def test_unsupported_reply_kept_and_flagged_when_configured(make_assistant) -> None:
    model = ScriptedModel(["委员会决定向秘书处拨款5000万美元。"])
    assistant = make_assistant(
        model, [make_passage(ZH_330, 0)], refuse_unsupported=False, typed_facts=False
    )
    answer = assistant.ask("委员会向秘书处拨款多少？")
    assert not answer.refused
    assert answer.unsupported_sentences == ["委员会决定向秘书处拨款5000万美元。"]


def test_reply_that_only_restates_the_question_becomes_a_refusal(make_assistant) -> None:
    model = ScriptedModel(["委员会主席是[1]。"])
    answer = make_assistant(model, [make_passage(ZH_330, 0)]).ask("委员会主席是谁？")
    assert answer.refused and answer.refusal_reason == "unsupported_answer"


def test_question_whose_asked_figure_no_sentence_holds_is_refused_before_the_model(
    make_assistant,
) -> None:
    model = ScriptedModel(["委员会决定向秘书处拨款5000万美元。"])
    answer = make_assistant(model, [make_passage(ZH_330, 0)]).ask("委员会向秘书处拨款多少美元？")
    assert answer.refused and answer.refusal_reason == "question_not_covered"
    assert model.calls == []
