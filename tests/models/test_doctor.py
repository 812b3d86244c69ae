"""``assistant doctor``: each check reports what it found, and a failure names its fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import LLMSettings, PathSettings, Settings
from assistant.doctor import (
    check_catalog,
    check_chroma,
    check_cpu,
    check_engine_build,
    check_model_server,
    check_models,
    run_checks,
)
from tests.conftest import use_postgres
from tests.robustness.support import (
    ENGINE_KEY,
    SMALL_MODEL,
    free_port,
    start_chroma,
    start_llama_server,
)


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
    assert list(results) == [
        "cpu",
        "engine build",
        "models",
        "speculative",
        "model server",
        "generation",
        "catalog",
        "chroma",
        "index",
    ]
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


def _team_settings(tmp_path: Path, dsn: str, chroma_port: int, model_port: int) -> Settings:
    settings = use_postgres(_settings(tmp_path), dsn)
    settings.chroma.mode = "http"
    settings.chroma.port = chroma_port
    settings.llm.backend = "openai"
    settings.llm.openai_base_url = f"http://127.0.0.1:{model_port}/v1"
    settings.llm.openai_model = "default"
    settings.llm.openai_api_key_env = "ASSISTANT_TEST_MODEL_KEY"
    return settings


def test_unreachable_team_services_are_named_with_their_fix(tmp_path) -> None:
    closed = free_port()
    settings = _team_settings(
        tmp_path, f"postgresql://assistant:pw@127.0.0.1:{closed}/db", closed, closed
    )
    settings.catalog.connect_timeout_s = 2
    catalog, chroma, model = (
        check_catalog(settings),
        check_chroma(settings),
        check_model_server(settings),
    )
    assert not catalog.ok and f"assistant@127.0.0.1:{closed}/db" in catalog.detail
    assert "pw" not in catalog.detail.replace("password", "")
    assert "catalog.dsn" in catalog.fix
    assert not chroma.ok and f"127.0.0.1:{closed}" in chroma.detail
    assert "chroma run" in chroma.fix
    assert not model.ok and f"127.0.0.1:{closed}/v1 does not answer" in model.detail
    assert "llama-server" in model.fix and "ASSISTANT_LLM__OPENAI_BASE_URL" in model.fix


def test_catalog_check_reads_the_database(tmp_path, postgres_server) -> None:
    settings = use_postgres(_settings(tmp_path), postgres_server.create_database())
    result = check_catalog(settings)
    assert result.ok, result.detail
    assert result.detail.startswith("postgres assistant@127.0.0.1:")
    assert "schema 2, 0 documents" in result.detail


@pytest.mark.slow
def test_reachable_team_services_pass(tmp_path, postgres_server, monkeypatch) -> None:
    if not SMALL_MODEL.is_file():
        pytest.skip("run `assistant models pull small`")
    chroma = start_chroma(tmp_path / "chroma", tmp_path)
    engine = start_llama_server(SMALL_MODEL, tmp_path)
    try:
        settings = _team_settings(
            tmp_path, postgres_server.create_database(), chroma.port, engine.port
        )
        model = check_model_server(settings)
        assert not model.ok and "refused the key: HTTP 401" in model.detail  # no key sent
        assert "$ASSISTANT_TEST_MODEL_KEY" in model.fix
        monkeypatch.setenv("ASSISTANT_TEST_MODEL_KEY", ENGINE_KEY)
        model = check_model_server(settings)
        if not model.ok:  # the engine names its model; the check says which
            settings.llm.openai_model = model.fix.rsplit(": ", 1)[-1].split(", ")[0]
            model = check_model_server(settings)
        assert model.ok, model.detail
        assert check_chroma(settings).ok
        assert check_catalog(settings).ok
    finally:
        engine.stop()
        chroma.stop()
