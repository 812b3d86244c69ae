"""Which CPU code the engine runs (llama.cpp's variant names), and what doctor says about it."""

from __future__ import annotations

from pathlib import Path

from assistant.config import LLMSettings, PathSettings, Settings
from assistant.doctor import check_engine_build, check_speculative
from assistant.models.engine.build import engine_cpu_variant, variant_for

AVX2_BUILD = {
    "SSE3": True, "SSSE3": True, "AVX": True, "AVX2": True, "F16C": True, "FMA": True,
    "BMI2": True, "AVX512": False, "LLAMAFILE": True, "OPENMP": True, "REPACK": True,
}  # fmt: skip
ZEN4_FLAGS = {
    "pni", "ssse3", "avx", "avx2", "f16c", "fma", "bmi2", "avx512f", "avx512vbmi",
    "avx512_vnni", "avx512_bf16",
}  # fmt: skip
SAPPHIRE_FLAGS = ZEN4_FLAGS | {"amx_tile", "amx_int8"}
HASWELL_FLAGS = {"pni", "ssse3", "avx", "avx2", "f16c", "fma", "bmi2"}


def test_a_static_avx2_build_is_the_haswell_variant() -> None:
    assert variant_for(AVX2_BUILD) == "haswell"
    assert variant_for({"SSE3": True}) == "x64"
    assert variant_for({**AVX2_BUILD, "AVX512": True}) == "skylakex"
    assert variant_for({**AVX2_BUILD, "AVX512": True, "AVX512_VBMI": True,
                        "AVX512_VNNI": True}) == "icelake"  # fmt: skip


def test_the_amx_variant_is_never_chosen_unless_allowed() -> None:
    amx = {name: True for name in ("AVX2", "FMA", "F16C", "BMI2", "AVX512", "AVX512_VBMI",
                                   "AVX512_VNNI", "AVX512_BF16", "AMX_INT8")}  # fmt: skip
    assert variant_for(amx) == "zen4"
    assert variant_for(amx, allow_amx=True) == "sapphirerapids"


def test_what_the_cpu_offers_beyond_the_build_is_named() -> None:
    on_zen4 = engine_cpu_variant(AVX2_BUILD, ZEN4_FLAGS)
    assert on_zen4.name == "haswell" and on_zen4.best_for_cpu == "zen4"
    assert set(on_zen4.unused) == {"AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16"}
    assert "CPU variant haswell" in on_zen4.describe() and "could run zen4" in on_zen4.describe()
    # an AMX machine is offered zen4 at best: the AMX variant is excluded
    assert engine_cpu_variant(AVX2_BUILD, SAPPHIRE_FLAGS).best_for_cpu == "zen4"
    on_haswell = engine_cpu_variant(AVX2_BUILD, HASWELL_FLAGS)
    assert on_haswell.unused == () and "could run" not in on_haswell.describe()


def _settings(tmp_path: Path, **llm) -> Settings:
    return Settings(
        paths=PathSettings(index_dir=tmp_path / "index", models_dir=tmp_path / "models"),
        llm=LLMSettings(**llm),
    )


def test_doctor_says_which_cpu_variant_runs(tmp_path: Path) -> None:
    result = check_engine_build(_settings(tmp_path))
    assert result.ok
    assert "CPU variant haswell (" in result.detail


def test_doctor_reports_speculative_decoding(tmp_path: Path) -> None:
    assert check_speculative(_settings(tmp_path)).detail == "off"
    ngram = check_speculative(_settings(tmp_path, speculative="ngram", draft_max_tokens=5))
    assert ngram.ok and ngram.detail == "ngram-simple, up to 5 tokens a step"
    missing = check_speculative(_settings(tmp_path, model="default", speculative="draft"))
    assert not missing.ok
    assert "not in" in missing.detail
    assert missing.fix == "assistant models pull small, or set llm.speculative: off"
