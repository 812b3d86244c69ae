"""Prompt files load by name and language, render strictly and carry a content hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.prompts import PromptError, PromptLibrary

NAMES = [
    "select_system",
    "select",
    "translate_system",
    "translate",
    "translate_terms",
    "original_label",
    "figures_label",
    "closest",
    "refusal",
    "model_refusal_phrases",
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", NAMES)
def test_every_prompt_exists_in_both_languages(prompts: PromptLibrary, name: str, lang: str):
    prompt = prompts.get(name, lang)
    assert prompt.text.strip()
    assert len(prompt.sha256) == 64
    assert prompt.key == f"{lang}/{name}"


def test_render_fills_placeholders_and_keeps_braces_in_values(prompts: PromptLibrary) -> None:
    text = prompts.get("select", "en").render(sentences="{not a field}", question="Why?")
    assert "{not a field}" in text
    assert "Question: Why?" in text


def test_render_without_a_value_is_an_error(prompts: PromptLibrary) -> None:
    with pytest.raises(PromptError, match="question"):
        prompts.get("select", "zh").render(sentences="x")


def test_missing_prompt_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="en/nothing"):
        PromptLibrary(tmp_path).get("nothing", "en")


def test_hash_changes_when_the_file_changes(tmp_path: Path) -> None:
    (tmp_path / "zh").mkdir()
    path = tmp_path / "zh" / "system.md"
    path.write_text("你是助手。", encoding="utf-8")
    first = PromptLibrary(tmp_path).get("system", "zh").sha256
    path.write_text("你是一个助手。", encoding="utf-8")
    second = PromptLibrary(tmp_path).get("system", "zh").sha256
    assert first != second
    assert PromptLibrary(tmp_path).all_hashes() == {"zh/system": second}
