"""The relevance filter: refusal from retrieval evidence, before the model is asked."""

from __future__ import annotations

from assistant.answer.refusal import is_model_refusal, relevance, should_refuse
from tests.answer.conftest import EN_SDG, ZH_330, ForbiddenModel, make_passage


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
