"""``assistant models ...`` from the command line, against a temporary models directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import (
    app,
    commands,  # noqa: F401  (registers the command groups)
)
from assistant.config import get_settings


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_from_environment):
    monkeypatch.setenv("ASSISTANT_PATHS__MODELS_DIR", str(tmp_path / "models"))
    get_settings.cache_clear()
    yield tmp_path / "models"
    get_settings.cache_clear()


def test_list_shows_known_models_and_their_state(models_dir: Path) -> None:
    result = CliRunner().invoke(app, ["models", "list"])
    assert result.exit_code == 0, result.output
    assert str(models_dir) in result.output
    assert "default" in result.output and "small" in result.output
    assert result.output.count("not pulled") == 2


def test_path_prints_where_the_model_goes(models_dir: Path) -> None:
    result = CliRunner().invoke(app, ["models", "path", "small"])
    assert result.exit_code == 0
    assert result.output.strip() == str(models_dir / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")


def test_unknown_name_fails_listing_known_ones(models_dir: Path) -> None:
    result = CliRunner().invoke(app, ["models", "pull", "gpt-5"])
    assert result.exit_code == 1
    assert "known models: default, small" in result.output


def test_verify_of_a_missing_model_names_the_fix(models_dir: Path) -> None:
    result = CliRunner().invoke(app, ["models", "verify", "small"])
    assert result.exit_code == 1
    assert "run `assistant models pull small`" in result.output
