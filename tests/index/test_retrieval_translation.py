"""LLM query translation: prompt files, cleaning, the per-question cache and failures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.config import PROJECT_ROOT
from assistant.index.query_translation import (
    QueryTranslator,
    TranslationCache,
    TranslationPrompt,
    clean_translation,
    other_language,
    question_language,
)
from assistant.models.backends.base import BackendError, ChatMessage, GenerationParams


class FakeModel:
    """Answers with a fixed reply and records what it was sent."""

    name = fingerprint = "fake"

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.calls: list[list[ChatMessage]] = []

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        self.calls.append(messages)
        yield from self.reply

    def count_tokens(self, text: str) -> int:
        return len(text)


def translator(tmp_path, model) -> QueryTranslator:
    cache = TranslationCache(tmp_path / "cache.sqlite")
    return QueryTranslator(lambda: model, "fake", PROJECT_ROOT / "prompts", cache)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_shipped_prompts_have_an_instruction_and_worked_examples(lang):
    prompt = TranslationPrompt.load(PROJECT_ROOT / "prompts" / lang / "translate_query.md")
    assert prompt.system and len(prompt.examples) >= 2
    for source, target in prompt.examples:
        assert question_language(source) == lang
        assert question_language(target) == other_language(lang)
    messages = prompt.messages("Q?")
    assert [m.role for m in messages] == ["system"] + ["user", "assistant"] * 2 + ["user"]
    assert messages[-1].content == "Q?"


def test_question_language_by_script():
    assert question_language("委员会在哪次会议上审议了S/2018/208号文件？") == "zh"
    assert question_language("What did CTED report in S/2018/208?") == "en"
    assert other_language("zh") == "en" and other_language("en") == "zh"


def test_clean_translation_keeps_the_first_line_without_labels_or_quotes():
    assert clean_translation('Translation: "When was CTED established?"\nNote') == (
        "When was CTED established?"
    )
    assert clean_translation("译文：“反恐执行局何时设立？”") == "反恐执行局何时设立？"
    assert clean_translation("\n\n") == ""


def test_translations_are_cached_per_question(tmp_path):
    model = FakeModel("反恐执行局是何时设立的？")
    tr = translator(tmp_path, model)
    assert tr.translate("When was  CTED established?") == "反恐执行局是何时设立的？"
    assert tr.translate("When was CTED established?") == "反恐执行局是何时设立的？"
    assert len(model.calls) == 1 and tr.last_seconds == 0.0
    assert model.calls[0][0].content.startswith("Translate")  # English prompt for English
    again = translator(tmp_path, FakeModel("unused"))  # a new process: the cache is on disk
    assert again.translate("When was CTED established?") == "反恐执行局是何时设立的？"
    chinese = FakeModel("When was CTED established?")
    translator(tmp_path, chinese).translate("反恐执行局是何时设立的？")
    assert chinese.calls[0][0].content.startswith("把")  # Chinese prompt for Chinese


def test_a_failing_model_means_no_translation(tmp_path):
    class Broken(FakeModel):
        def stream(self, messages, params):
            raise BackendError("server gone")

    tr = translator(tmp_path, Broken(""))
    assert tr.translate("When was CTED established?") is None
    assert tr.translate("   ") is None


def test_retriever_searches_the_translation_too(corpus_index, tmp_path):
    from assistant.index.retriever import Retriever

    settings = corpus_index.settings.retrieval.model_copy(update={"query_translation": True})
    model = FakeModel("反恐怖主义委员会执行局是根据安全理事会哪项决议设立的？")
    retriever = Retriever(
        corpus_index.index, settings, corpus_index.retriever.glossary, translator(tmp_path, model)
    )
    question = "Under which Security Council resolution was CTED established?"
    prepared = retriever.prepare(question)
    assert prepared.translation and {"设立", "执行局"} <= set(prepared.translated_tokens)
    assert prepared.side_languages()["translated"] == "zh"
    passages = retriever.search(question, 5)
    assert any("1535" in p.text for p in passages)
    assert len(model.calls) == 1  # prepare and search share the cached translation
    assert retriever.search(question, 5, mode="lexical") and len(model.calls) == 1
