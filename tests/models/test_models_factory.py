"""Choosing and loading a backend from settings, and the errors that name the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import LLMSettings
from assistant.models.backends.base import BackendError
from assistant.models.backends.openai_backend import OpenAIChatModel
from assistant.models.factory import load_chat_model
from assistant.models.manager import ModelMissingError
from assistant.models.model_manifest import UnknownModelError


def test_missing_manifest_model_says_how_to_pull(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match=r"run `assistant models pull default`"):
        load_chat_model(LLMSettings(model="default"), tmp_path)


def test_wrong_sized_manifest_model_says_how_to_pull(tmp_path: Path) -> None:
    (tmp_path / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").write_bytes(b"half a model")
    with pytest.raises(ModelMissingError, match=r"incomplete.*run `assistant models pull small`"):
        load_chat_model(LLMSettings(model="small"), tmp_path)


def test_missing_gguf_path_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "mine.gguf"
    with pytest.raises(ModelMissingError, match=r"mine\.gguf"):
        load_chat_model(LLMSettings(model=str(missing)), tmp_path)


def test_unknown_model_lists_the_choices(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError, match=r"default, small.*\.gguf.*directory"):
        load_chat_model(LLMSettings(model="llama-70b"), tmp_path)


def test_transformers_backend_rejects_a_gguf_manifest_model(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="llama_cpp"):
        load_chat_model(LLMSettings(backend="transformers", model="default"), tmp_path)


def test_openai_backend_needs_no_model_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MY_KEY", "sk-test")
    settings = LLMSettings(
        backend="openai",
        openai_base_url="http://127.0.0.1:9/v1",
        openai_model="qwen",
        openai_api_key_env="MY_KEY",
    )
    model = load_chat_model(settings, tmp_path)
    assert isinstance(model, OpenAIChatModel)
    assert model.name == "qwen"
    assert model.fingerprint == "openai:http://127.0.0.1:9/v1#qwen"
