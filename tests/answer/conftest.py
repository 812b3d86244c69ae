"""Answering-test fixtures: a scripted chat model, a fixed retriever, hand-made passages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest

from assistant.answer.pipeline import AnswerPipeline
from assistant.answer.prompts import PromptLibrary
from assistant.config import PROJECT_ROOT, Settings
from assistant.models.backends.base import ChatMessage, GenerationParams
from assistant.schema import Passage

ZH_330 = (
    "委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，建议将该文件作为安全理事会"
    "文件分发。我谨以委员会主席身份随函附上上述报告。"
)
EN_SDG = (
    "The United States supports the 2030 Agenda for Sustainable Development. "
    "We pledged 12 million dollars to the new fund in September 2018."
)
ZH_OTHER = "反恐怖主义委员会执行局继续与会员国合作，评估其执行安全理事会决议的情况。"


def make_passage(text: str, n: int = 0, **extra) -> Passage:
    lang = extra.pop("lang", "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en")
    values = {
        "chunk_id": f"c{n}",
        "doc_id": f"{lang}/doc{n}.txt",
        "source": f"doc{n}.txt",
        "title": f"Document {n}",
        "text": text,
        "lang": lang,
        "score": 1.0 - n / 10,
        "dense_score": 0.5,
        "lexical_score": 10.0,
        "chunk_index": n,
    }
    values.update(extra)
    return Passage(**values)


@dataclass
class ScriptedModel:
    """A deterministic ``ChatModel`` that also chooses: replies and choices from a script,
    records every call.

    A scripted choice is an option ("1") given probability ``CHOSEN_PROBABILITY`` (the rest
    shared by the other options), or a full ``{option: probability}`` mapping; with no choice
    left in the script the model chooses "1".
    """

    replies: list[str] = field(default_factory=list)
    choices: list[str | dict[str, float]] = field(default_factory=list)
    name: str = "scripted"
    fingerprint: str = "scripted-0"
    calls: list[list[ChatMessage]] = field(default_factory=list)
    params: list[GenerationParams] = field(default_factory=list)
    choice_calls: list[list[ChatMessage]] = field(default_factory=list)

    def choose(self, messages: list[ChatMessage], options: str) -> dict[str, float]:
        self.choice_calls.append(list(messages))
        scripted = self.choices.pop(0) if self.choices else "1"
        if isinstance(scripted, dict):
            return {option: scripted.get(option, 0.0) for option in options}
        rest = (1.0 - CHOSEN_PROBABILITY) / max(1, len(options) - 1)
        return {o: CHOSEN_PROBABILITY if o == scripted else rest for o in options}

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        self.calls.append(list(messages))
        self.params.append(params)
        reply = self.replies.pop(0) if self.replies else ""
        for start in range(0, len(reply), 4):
            yield reply[start : start + 4]

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 2)


class ForbiddenModel(ScriptedModel):
    """Fails the test if the pipeline calls the model at all."""

    def stream(self, messages: list[ChatMessage], params: GenerationParams) -> Iterator[str]:
        raise AssertionError("the model must not be called")

    def choose(self, messages: list[ChatMessage], options: str) -> dict[str, float]:
        raise AssertionError("the model must not be called")


CHOSEN_PROBABILITY = 0.8


@dataclass
class FixedRetriever:
    passages: list[Passage]
    queries: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # the question's words in the other language

    def search(
        self,
        query: str,
        top_k: int | None = None,
        *,
        langs: Sequence[str] | None = None,
        doc_ids: Sequence[str] | None = None,
        mode: str = "hybrid",
    ) -> list[Passage]:
        self.queries.append(query)
        found = [p for p in self.passages if doc_ids is None or p.doc_id in doc_ids]
        found = [p for p in found if langs is None or p.lang in langs]
        return found[: top_k or len(found)]

    def translated_terms(self, query: str, *, dictionary: bool = False) -> list[str]:
        return self.terms


@pytest.fixture(scope="session")
def prompts() -> PromptLibrary:
    return PromptLibrary(PROJECT_ROOT / "prompts")


@pytest.fixture
def settings() -> Settings:
    settings = Settings()
    settings.answer.min_relevance = 0.3
    settings.answer.relevance_signal = "lexical"
    return settings


@pytest.fixture
def make_assistant(prompts: PromptLibrary, settings: Settings):
    """Build an ``AnswerPipeline`` over fakes; no embedder, so support checks are lexical only."""

    def build(model: ScriptedModel, passages: list[Passage], **answer_settings) -> AnswerPipeline:
        for key, value in answer_settings.items():
            setattr(settings.answer, key, value)
        return AnswerPipeline(FixedRetriever(passages), model, None, prompts, settings)

    return build


def _test_model_name() -> str:
    """Which real model the slow tests use: ``ASSISTANT_TEST_MODEL`` or the default one."""
    import os

    return os.environ.get("ASSISTANT_TEST_MODEL", "default")


@pytest.fixture(scope="session")
def real_model():
    """The real local model (skips when it has not been pulled)."""
    from assistant.config import LLMSettings
    from assistant.models.factory import load_chat_model
    from assistant.models.manager import ModelMissingError

    settings = Settings()
    llm = LLMSettings(model=_test_model_name())
    try:
        return load_chat_model(llm, settings.paths.models_dir)
    except (ModelMissingError, ImportError) as exc:
        pytest.skip(f"real model unavailable ({exc}); run `assistant models pull default`")


@pytest.fixture(scope="session")
def real_assistant(corpus_index, real_model, use_embedder, prompts):
    """The full pipeline over the shipped corpus with the real model and embedder, with the
    evidence ranker and choice confidence calibrated on the development set's tune half."""
    from assistant.answer.confidence import SelectionCalibration

    settings = corpus_index.settings
    calibrated = SelectionCalibration.load(settings.paths.calibration_file)
    return AnswerPipeline(
        corpus_index.retriever,
        real_model,
        use_embedder,
        prompts,
        settings,
        calibrated.confidence,
        calibrated.rank_weights,
    )
