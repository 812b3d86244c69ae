"""``assistant doctor``: each check reports what it found, and a failure names its fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import LLMSettings, PathSettings, Settings
from assistant.doctor import check_cpu, check_engine_build, check_models, run_checks
from tests.robustness.support import SMALL_MODEL



def _settings(tmp_path: Path, **llm) -> Settings:
    return Settings(
        paths=PathSettings(index_dir=tmp_path / "index", models_dir=tmp_path / "models"),
        llm=LLMSettings(**llm),
    )


def test_cpu_and_engine_build_checks_describe_this_machine(tmp_path) -> None:
    cpu = check_cpu(_settings(tmp_path))
    build = check_engine_build(_settings(tmp_path))
    assert cpu.ok and "avx2=yes" in cpu.detail and "amx_tile=" in cpu.detail
    assert build.ok and "AVX2" in build.detail and "portable" in build.detail


def test_a_missing_model_fails_with_the_pull_command(tmp_path) -> None:
    result = check_models(_settings(tmp_path, model="small"))
    assert not result.ok
    assert "small: not pulled" in result.detail
    assert result.fix == "assistant models pull small"


def test_a_crashing_engine_is_reported_not_suffered(tmp_path) -> None:
    """A model the engine cannot load fails the generation check; doctor itself goes on."""
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + os.urandom(2048))
    results = {r.name: r for r in run_checks(_settings(tmp_path, model=str(broken)))}
    assert list(results) == ["cpu", "engine build", "models", "generation", "index"]
    assert not results["generation"].ok
    assert "did not start" in results["generation"].detail
    assert not results["index"].ok and results["index"].fix == "assistant ingest"


@pytest.mark.slow
def test_the_small_model_generates_one_token_in_a_child_process(tmp_path) -> None:
    if not SMALL_MODEL.is_file():
        pytest.skip("run `assistant models pull small`")
    results = {r.name: r for r in run_checks(_settings(tmp_path, model=str(SMALL_MODEL)))}
    assert results["generation"].ok, results["generation"].detail
    assert "one token and one choice in" in results["generation"].detail
