"""Speculative decoding: settings → engine config → llama.cpp's server parameters, and the real
engine drafting with the small model under the pipeline's constraints."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant.config import LLMSettings
from assistant.models.backends.base import ChatMessage, GenerationParams
from assistant.models.backends.engine_backend import EngineChatModel, EngineTimings
from assistant.models.engine import EngineConfig, EngineSupervisor
from assistant.models.engine.config import SpeculativeConfig
from assistant.models.engine.server import _set_speculative
from assistant.models.factory import speculative_config
from assistant.models.manager import ModelMissingError
from assistant.models.model_manifest import Manifest, load_manifest
from assistant.text.cjk import has_han
from tests.robustness.support import SMALL_MODEL

DEFAULT_MODEL = SMALL_MODEL.parent / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def _fake_pulled(models_dir: Path, name: str) -> tuple[Path, Manifest]:
    """A manifest whose ``name`` entry is a small file that is present in ``models_dir``."""
    manifest = load_manifest()
    data = b"GGUF" + bytes(60)
    fake = manifest.get(name).model_copy(
        update={"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    )
    models_dir.mkdir(parents=True, exist_ok=True)
    (models_dir / fake.file).write_bytes(data)
    models = {n: (fake if n == name else manifest.get(n)) for n in manifest.names}
    return models_dir / fake.file, Manifest(models=models)


def test_speculative_is_off_by_default() -> None:
    settings = LLMSettings()
    assert settings.speculative == "off"
    spec = speculative_config(settings, Path("/m.gguf"), Path("/nowhere"), load_manifest())
    assert not spec.enabled and spec.types == ()


def test_ngram_drafting_needs_no_second_model() -> None:
    settings = LLMSettings(speculative="ngram", draft_max_tokens=6)
    spec = speculative_config(settings, Path("/m.gguf"), Path("/nowhere"), load_manifest())
    assert spec.types == ("ngram-simple",)
    assert spec.draft_model_path is None and spec.draft_max == 6


def test_a_draft_model_that_is_not_pulled_names_the_pull_command(tmp_path: Path) -> None:
    settings = LLMSettings(speculative="draft", draft_model="small")
    with pytest.raises(ModelMissingError, match="assistant models pull small"):
        speculative_config(settings, tmp_path / "m.gguf", tmp_path / "models", load_manifest())


def test_a_pulled_draft_model_is_taken_from_the_models_folder(tmp_path: Path) -> None:
    draft, manifest = _fake_pulled(tmp_path / "models", "small")
    settings = LLMSettings(speculative="draft", draft_model="small", draft_min_prob=0.5)
    spec = speculative_config(settings, tmp_path / "main.gguf", tmp_path / "models", manifest)
    assert spec.types == ("draft",)
    assert spec.draft_model_path == draft.resolve()
    assert spec.draft_p_min == 0.5 and spec.draft_max == settings.draft_max_tokens


def test_a_draft_that_is_the_model_itself_turns_drafting_off(tmp_path: Path) -> None:
    draft, manifest = _fake_pulled(tmp_path / "models", "small")
    settings = LLMSettings(speculative="draft", draft_model="small")
    assert not speculative_config(settings, draft, tmp_path / "models", manifest).enabled


def test_a_draft_path_must_be_a_gguf_file(tmp_path: Path) -> None:
    settings = LLMSettings(speculative="draft", draft_model=str(tmp_path / "missing.gguf"))
    with pytest.raises(ModelMissingError, match="neither a manifest name"):
        speculative_config(settings, tmp_path / "m.gguf", tmp_path, load_manifest())


def test_speculative_settings_are_validated() -> None:
    with pytest.raises(ValueError):
        LLMSettings(speculative="eagle")
    with pytest.raises(ValueError):
        LLMSettings(draft_max_tokens=0)
    with pytest.raises(ValueError, match="unknown speculative"):
        SpeculativeConfig(types=("medusa",))
    with pytest.raises(ValueError, match="needs a draft model"):
        SpeculativeConfig(types=("draft",))


def test_the_engine_config_carries_speculative_settings_through_json(tmp_path: Path) -> None:
    spec = SpeculativeConfig(
        types=("draft", "ngram-simple"), draft_model_path=tmp_path / "d.gguf", draft_max=5
    )
    config = EngineConfig(tmp_path / "m.gguf", slots=2, speculative=spec)
    again = EngineConfig.from_json(config.to_json())
    assert again == config
    assert again.speculative.draft_model_path == tmp_path / "d.gguf"
    assert EngineConfig.from_json(EngineConfig(tmp_path / "m.gguf").to_json()) == EngineConfig(
        tmp_path / "m.gguf"
    )


def test_the_server_parameters_get_the_drafters_the_config_names(tmp_path: Path) -> None:
    import xllamacpp

    kinds = xllamacpp.common_speculative_type
    params = xllamacpp.CommonParams()
    _set_speculative(params, SpeculativeConfig(), threads=2)
    assert params.speculative.types == [kinds.COMMON_SPECULATIVE_TYPE_NONE]

    spec = SpeculativeConfig(
        types=("draft", "ngram-simple"),
        draft_model_path=tmp_path / "d.gguf",
        draft_max=6,
        draft_p_min=0.6,
        ngram_size=4,
    )
    _set_speculative(params, spec, threads=3)
    assert params.speculative.types == [
        kinds.COMMON_SPECULATIVE_TYPE_DRAFT_SIMPLE,
        kinds.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE,
    ]
    draft = params.speculative.draft
    assert draft.mparams.path == str(tmp_path / "d.gguf")
    assert draft.n_max == 6 and draft.p_min == pytest.approx(0.6)
    assert draft.cpuparams.n_threads == 3
    assert params.speculative.ngram_simple.size_n == 4


def test_draft_figures_are_read_from_the_engine_timings() -> None:
    timings = EngineTimings.from_event(
        {"prompt_n": 10, "predicted_n": 20, "predicted_ms": 1000.0, "draft_n": 16,
         "draft_n_accepted": 12}
    )  # fmt: skip
    assert timings.draft_tokens == 16 and timings.draft_accepted == 12
    assert timings.acceptance == pytest.approx(0.75)
    assert EngineTimings.from_event({"predicted_n": 3}).acceptance is None


# -- the real engine ----------------------------------------------------------------------------

TRANSLATE = [
    ChatMessage(
        "system",
        "You translate one sentence of a United Nations document into English. "
        "Write only the translation.",
    ),
    ChatMessage(
        "user",
        "Official English names and figures in this sentence: 2018年4月19日 = 19 April 2018; "
        "第330次会议 = 330th meeting; 安全理事会 = Security Council.\n\n"
        "Chinese sentence: 委员会在2018年4月19日举行的委员会第330次会议上审议该报告后商定，"
        "将报告作为安全理事会文件分发。",
    ),
]


def _write(config: EngineConfig) -> tuple[str, EngineTimings, dict[str, float]]:
    """The translation, its timings, and a constrained choice's probabilities (the pipeline's
    other call, which must keep working with a drafter configured)."""
    supervisor = EngineSupervisor(config)
    model = EngineChatModel(supervisor, name="test", fingerprint="test")
    params = GenerationParams(max_tokens=48, temperature=0.0, seed=3, stop=["\n"], ban_cjk=True)
    pieces, timings = [], None
    try:
        for item in model.stream_with_timings(TRANSLATE, params):
            if isinstance(item, EngineTimings):
                timings = item
            else:
                pieces.append(item)
        choice = model.choose([ChatMessage("user", "Pick 1 or 2.")], "12")
    finally:
        supervisor.stop()
    assert timings is not None
    return "".join(pieces), timings, choice


@pytest.mark.slow
def test_a_draft_model_runs_in_the_engine_and_keeps_the_pipelines_constraints() -> None:
    """The default model with the small one drafting: drafted tokens are checked and kept, the
    CJK ban of an English translation still holds, the constrained choice still gives
    probabilities, and the translation carries the figure.

    Not asserted: the same text as without drafting. At temperature 0 it is not the same on
    this CPU (the model's logits for a checked batch differ in the last bits from one-token
    steps, and near-ties flip: 8-16 of 24 benchmark requests changed, and this very sentence
    did), which is one of the two reasons ``llm.speculative`` stays off (benchmarks/README.md).
    """
    if not (SMALL_MODEL.is_file() and DEFAULT_MODEL.is_file()):
        pytest.skip("run `assistant models pull default small`")
    drafted = EngineConfig(
        DEFAULT_MODEL,
        n_ctx_per_slot=1024,
        slots=1,
        speculative=SpeculativeConfig(types=("draft",), draft_model_path=SMALL_MODEL),
    )
    text, timings, choice = _write(drafted)
    assert "330" in text
    assert not has_han(text)
    assert timings.draft_tokens > 0 and 0 < timings.draft_accepted <= timings.draft_tokens
    assert set(choice) == {"1", "2"} and sum(choice.values()) == pytest.approx(1.0, abs=1e-3)
