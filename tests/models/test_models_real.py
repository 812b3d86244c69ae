"""End to end with the real small model: real generation and a real local server.

These need a few CPU-seconds of generation each, so they are marked slow. They use the small
model already pulled into the configured models directory (``scripts/test.sh`` pulls it) and
skip, with the command to run, when it is not there: tests never download a model. The pull
itself is tested against a package index made in the test (``test_models_pull.py``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import LLMSettings, get_settings
from assistant.models.backends.base import ChatMessage, ChatModel, GenerationParams
from assistant.models.backends.llama_cpp_backend import LlamaCppChatModel
from assistant.models.factory import load_chat_model
from assistant.models.manager import ModelManager, ModelMissingError

pytestmark = pytest.mark.slow

PASSAGE = "委员会在2018年4月19日举行的委员会第330次会议上审议该报告。"
QUESTION = "委员会在哪一次会议上审议了报告？"
MESSAGES = [
    ChatMessage("system", "你是一个严谨的助手。只根据用户给出的段落回答，回答要简短。"),
    ChatMessage("user", f"段落：{PASSAGE}\n问题：{QUESTION}"),
]
PARAMS = GenerationParams(max_tokens=48, temperature=0.0, seed=7)
# One thread: on a small machine shared with other test processes, llama.cpp's spinning worker
# threads slow down by an order of magnitude once they have to share cores (see the backend).
THREADS = 1


@pytest.fixture(scope="module")
def small_model_path() -> Path:
    """The real small model in the configured models directory (skips when it is missing)."""
    try:
        return ModelManager.from_settings(get_settings()).require("small")
    except ModelMissingError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def small_model(small_model_path: Path) -> ChatModel:
    settings = LLMSettings(model="small", n_ctx=2048, n_threads=THREADS)
    return load_chat_model(settings, small_model_path.parent)


def test_small_model_streams_and_answers_from_the_passage(small_model: ChatModel) -> None:
    assert isinstance(small_model, LlamaCppChatModel)
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


def test_a_follow_up_turn_reuses_the_cached_prefix(small_model: ChatModel, monkeypatch) -> None:
    """Same system prompt and passage: the second turn evaluates only the new tokens."""
    llm = small_model.llama
    first = "".join(small_model.stream(MESSAGES, PARAMS))
    follow_up = [
        *MESSAGES,
        ChatMessage("assistant", first),
        ChatMessage("user", "报告是在哪一天审议的？"),
    ]
    evaluated: list[int] = []
    real_eval = llm.eval

    def spy(tokens):
        evaluated.append(len(tokens))
        return real_eval(tokens)

    monkeypatch.setattr(llm, "eval", spy)
    list(small_model.stream(follow_up, PARAMS))

    whole_prompt = sum(small_model.count_tokens(m.content) for m in follow_up)
    assert evaluated[0] < whole_prompt / 2  # only the suffix after the cached prefix


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(small_model_path: Path) -> Iterator[str]:
    """``python -m llama_cpp.server`` serving the small model on 127.0.0.1."""
    pytest.importorskip("sse_starlette", reason="needs llama-cpp-python[server]")
    port = _free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(small_model_path), "--model_alias", "small",
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "2048", "--n_threads", str(THREADS), "--verbose", "False",
    ]  # fmt: skip
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(f"{base_url}/models", server)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(url: str, server: subprocess.Popen, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"llama_cpp.server exited early:\n{server.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not come up at {url}")


def test_openai_backend_against_a_real_local_server(llama_server: str) -> None:
    settings = LLMSettings(backend="openai", openai_base_url=llama_server, openai_model="small")
    model = load_chat_model(settings, Path("/nonexistent"))

    deltas = list(model.stream(MESSAGES, PARAMS))

    assert len(deltas) > 3
    assert "330" in "".join(deltas)
