"""Follow-ups are rewritten with a bounded history; no history means no model call."""

from __future__ import annotations

from assistant.answer.condense import clean_rewrite, condense_question
from assistant.answer.types import Turn
from tests.answer.conftest import ForbiddenModel, ScriptedModel


def test_no_history_no_model_call(prompts) -> None:
    question = "那执行局呢？"
    assert condense_question(question, [], ForbiddenModel(), prompts, "zh", max_turns=4) == question


def test_rewrite_uses_bounded_history(prompts) -> None:
    model = ScriptedModel(["独立问题：反恐怖主义委员会执行局的任务是什么？\n多余的行"])
    history = [Turn(f"问题{i}", f"回答{i}[1]。") for i in range(6)]
    result = condense_question("那执行局呢？", history, model, prompts, "zh", max_turns=2)
    assert result == "反恐怖主义委员会执行局的任务是什么？"
    messages = model.calls[0]
    assert [m.role for m in messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    prompt = messages[-1].content
    assert "问题5" in prompt and "问题4" in prompt and "问题3" not in prompt
    assert "[1]" not in prompt  # markers are stripped from earlier answers
    assert model.params[0].temperature == 0.0


def test_english_rewrite(prompts) -> None:
    model = ScriptedModel(['"What did the CTED report say about 2010?"'])
    history = [Turn("What did the CTED report say about 2008?", "It described visits.")]
    result = condense_question("What about 2010?", history, model, prompts, "en", max_turns=4)
    assert result == "What did the CTED report say about 2010?"
    assert "User: What did the CTED report say about 2008?" in model.calls[0][-1].content


def test_unusable_rewrite_falls_back_to_the_question() -> None:
    assert clean_rewrite("", "What about 2010?") == "What about 2010?"
    assert clean_rewrite("x" * 500, "Why?") == "Why?"


def test_model_answering_instead_of_rewriting_falls_back_to_joined_turns(prompts) -> None:
    model = ScriptedModel(["执行局是根据第1535(2004)号决议设立的。"])
    history = [Turn("反恐怖主义办公室是根据哪项决议设立的？", "根据第71/291号决议设立。")]
    result = condense_question("那执行局呢？", history, model, prompts, "zh", max_turns=4)
    assert result == "反恐怖主义办公室是根据哪项决议设立的？ 那执行局呢？"
