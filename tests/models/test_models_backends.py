"""Backend behaviour that needs no model file: stop strings, clear errors."""

from __future__ import annotations

import socket
import sys

import pytest

from assistant.models.backends.base import BackendError, ChatMessage, GenerationParams
from assistant.models.backends.openai_backend import OpenAIChatModel
from assistant.models.backends.stops import apply_stops

HELLO = [ChatMessage("user", "你好 / hello")]


@pytest.mark.parametrize(
    ("deltas", "stops", "expected"),
    [
        (["答案是", "330", "。<|im", "_end|>多余"], ["<|im_end|>"], "答案是330。"),
        (["The answer", " is 330.", "\n\nQ:", " more"], ["\n\nQ:"], "The answer is 330."),
        (["abc", "<", "b>"], ["<x>"], "abc<b>"),  # a false start is released
        (["STOP", "later"], ["STOP"], ""),
        (["no stops at all"], [], "no stops at all"),
    ],
)
def test_apply_stops(deltas: list[str], stops: list[str], expected: str) -> None:
    assert "".join(apply_stops(deltas, stops)) == expected


def test_apply_stops_streams_without_waiting_for_the_end() -> None:
    out = apply_stops(iter(["第一句。", "第二句。"]), ["<|im_end|>"])
    assert next(out) == "第一句。"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_openai_backend_unreachable_server_is_a_backend_error() -> None:
    base_url = f"http://127.0.0.1:{_closed_port()}/v1"
    model = OpenAIChatModel(base_url, "local", timeout_s=5, max_retries=0)

    with pytest.raises(BackendError, match=f"cannot reach .*{base_url}"):
        list(model.stream(HELLO, GenerationParams(max_tokens=8)))


@pytest.mark.parametrize("text", ["委员会第330次会议", "The Committee met on 19 April 2018."])
def test_openai_token_estimate_leans_high(text: str) -> None:
    model = OpenAIChatModel("http://127.0.0.1:9/v1", "local")
    assert model.count_tokens(text) >= len(text) // 4
    assert model.count_tokens(text) > 0


def test_transformers_backend_without_torch_names_the_extra(monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    from assistant.models.backends.transformers_backend import TransformersChatModel

    with pytest.raises(BackendError, match=r"assistant\[transformers\]"):
        TransformersChatModel(tmp_path)
