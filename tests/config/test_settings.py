"""Settings profiles, hermetic tests, and thresholds read from the calibration file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.config import (
    PROFILE_ENV,
    PROJECT_ROOT,
    Settings,
    SettingsError,
    calibrated_min_relevance,
    profile_names,
)


def _write_calibration(path: Path, signal: str, threshold: float, **alternatives: float) -> Path:
    record = {
        "signal": signal,
        "threshold": threshold,
        "alternatives": {name: {"threshold": value} for name, value in alternatives.items()},
    }
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def test_tests_run_under_the_test_profile_with_no_assistant_settings_in_the_environment():
    assert os.environ[PROFILE_ENV] == "test"
    assert Settings().profile == "test"
    leaked = [k for k in os.environ if k.startswith(("ASSISTANT_LLM", "ASSISTANT_PATHS"))]
    assert leaked == []


def test_the_test_profile_ignores_the_user_file_and_the_environment(tmp_path, monkeypatch):
    user_file = tmp_path / "assistant.yaml"
    user_file.write_text("llm:\n  model: from-the-file\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # ./assistant.yaml
    monkeypatch.setenv("ASSISTANT_RETRIEVAL__TOP_K", "99")

    settings = Settings()

    assert settings.llm.model == "default"
    assert settings.retrieval.top_k == 8


def test_the_default_profile_layers_file_then_environment_then_arguments(
    tmp_path, monkeypatch, settings_from_environment
):
    user_file = tmp_path / "mine.yaml"
    user_file.write_text("llm:\n  model: from-the-file\n  seed: 7\n", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(user_file))
    monkeypatch.setenv("ASSISTANT_LLM__SEED", "11")

    from_sources = Settings()
    from_arguments = Settings(llm={"model": "given"})

    assert from_sources.profile == "default"
    assert (from_sources.llm.model, from_sources.llm.seed) == ("from-the-file", 11)
    assert from_arguments.llm.model == "given"


def test_the_server_profile_selects_shared_engines_and_still_takes_the_environment(
    monkeypatch, settings_from_environment
):
    monkeypatch.setenv(PROFILE_ENV, "server")
    monkeypatch.setenv("ASSISTANT_APP__PORT", "7861")

    settings = Settings()

    assert settings.profile == "server"
    assert (settings.chroma.mode, settings.llm.backend) == ("http", "openai")
    assert settings.app.port == 7861


def test_an_unknown_profile_names_the_known_ones(monkeypatch):
    monkeypatch.setenv(PROFILE_ENV, "staging")

    with pytest.raises(SettingsError, match="default, server, test"):
        Settings()
    assert profile_names() == ["default", "server", "test"]


def test_min_relevance_comes_from_the_calibration_file(tmp_path):
    calibration = _write_calibration(tmp_path / "calibration.json", "dense", 0.25, lexical=0.1)

    first = Settings(paths={"calibration_file": calibration})
    _write_calibration(calibration, "dense", 0.31, lexical=0.1)  # `assistant calibrate` again
    second = Settings(paths={"calibration_file": calibration})

    assert first.answer.min_relevance == 0.25
    assert second.answer.min_relevance == 0.31


def test_the_shipped_calibration_sets_the_default_threshold():
    shipped = json.loads(Settings().paths.calibration_file.read_text(encoding="utf-8"))

    assert Settings().answer.min_relevance == shipped["threshold"]


def test_another_signal_uses_its_own_recorded_threshold(tmp_path):
    calibration = _write_calibration(tmp_path / "c.json", "dense", 0.25, lexical=0.12)

    settings = Settings(
        paths={"calibration_file": calibration}, answer={"relevance_signal": "lexical"}
    )

    assert settings.answer.min_relevance == 0.12


def test_an_explicit_threshold_wins_over_the_calibration(tmp_path):
    calibration = _write_calibration(tmp_path / "c.json", "dense", 0.25)

    settings = Settings(paths={"calibration_file": calibration}, answer={"min_relevance": 0.4})

    assert settings.answer.min_relevance == 0.4


def test_without_a_calibration_nothing_is_refused_and_the_log_says_how_to_calibrate(
    tmp_path, caplog
):
    assert calibrated_min_relevance(tmp_path / "missing.json", "dense") == 0.0
    assert "assistant calibrate" in caplog.text


def test_a_corrupt_calibration_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "c.json"
    broken.write_text("{not json", encoding="utf-8")

    with pytest.raises(SettingsError, match="assistant calibrate"):
        calibrated_min_relevance(broken, "dense")


def test_the_catalog_comes_from_the_environment(monkeypatch, settings_from_environment, tmp_path):
    secret = tmp_path / "catalog.password"
    monkeypatch.setenv("ASSISTANT_CATALOG__MODE", "postgres")
    monkeypatch.setenv("ASSISTANT_CATALOG__DSN", "postgresql://assistant:pw@10.0.0.4:5432/a")
    monkeypatch.setenv("ASSISTANT_CATALOG__PASSWORD_FILE", str(secret))
    settings = Settings()
    assert settings.catalog.mode == "postgres" and settings.catalog.password_file == secret
    assert "pw@" not in repr(settings) and "pw@" not in settings.model_dump_json()


def test_invalid_settings_end_a_command_with_one_line(tmp_path):
    import subprocess
    import sys

    env = {
        **os.environ,
        PROFILE_ENV: "default",
        "ASSISTANT_CONFIG": str(tmp_path / "none.yaml"),
        "ASSISTANT_CATALOG__MODE": "postgres",
        "ASSISTANT_PATHS__INDEX_DIR": str(tmp_path / "index"),
    }
    done = subprocess.run(
        [sys.executable, "-c", "from assistant.cli import main; main()", "index", "stats"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: invalid settings: catalog: Value error, catalog.mode is")
    assert "ASSISTANT_CATALOG__DSN" in last


@pytest.mark.parametrize(
    ("yaml_text", "named"),
    [
        ("llm:\n  max_tokens: 200\n", "llm.max_tokens"),  # removed: answers are composed
        ("paths:\n  evals_dir: /tmp/evals\n", "paths.evals_dir"),  # removed: never read
        ("retrieval:\n  topk: 3\n", "retrieval.topk"),  # a typo of top_k
    ],
)
def test_a_setting_the_assistant_does_not_know_is_refused_by_name(
    tmp_path, monkeypatch, settings_from_environment, yaml_text, named
):
    user_file = tmp_path / "mine.yaml"
    user_file.write_text(yaml_text, encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(user_file))

    with pytest.raises(ValidationError) as raised:
        Settings()

    assert [".".join(map(str, e["loc"])) for e in raised.value.errors()] == [named]
